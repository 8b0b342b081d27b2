package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// authzRoles are the callers every API route is tried with: a user of every
// role, a developer of the owning team (alpha) and of another team (beta),
// no token, and a revoked token.
var authzRoles = []string{"viewer", "dev-alpha", "dev-beta", "reviewer", "architect", "security", "admin", "none", "revoked"}

var (
	everyone  = []string{"viewer", "dev-alpha", "dev-beta", "reviewer", "architect", "security", "admin"}
	adminOnly = []string{"admin"}
	ownerDev  = []string{"dev-alpha", "admin"}
	auditors  = []string{"architect", "security", "admin"}
)

const importYAML = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: imported
spec:
  type: service
  lifecycle: experimental
  owner: group:default/alpha
`

// authzCase is how to call one route and who may.
type authzCase struct {
	target string // path and query; {spare} is the id of dev-alpha's spare token, {item} a questionnaire item, {version} its template version
	body   string // {signrole} is the sign-off role the caller would sign in (see signRoleOf)
	allow  []string
	setup  func(e *apiEnv) // state the call needs, made on the fresh store before it
}

// authzCases has one entry per API route pattern. TestAPIAuthorization
// fails when an API route of the route table has no entry here, so a new
// route cannot ship without its rules being stated and tested; the portal's
// routes have theirs in portalAuthzCases.
var authzCases = map[string]authzCase{
	"GET /api/v1/openapi.json": {"/api/v1/openapi.json", "", everyone, nil},
	"GET /api/v1/me":           {"/api/v1/me", "", everyone, nil},

	"GET /api/v1/services":                {"/api/v1/services?team=alpha", "", everyone, nil},
	"POST /api/v1/services":               {"/api/v1/services", `{"name":"new-svc","owner":"alpha"}`, ownerDev, nil},
	"GET /api/v1/services/{name}":         {"/api/v1/services/svc-alpha", "", everyone, nil},
	"PATCH /api/v1/services/{name}":       {"/api/v1/services/svc-alpha", `{"description":"changed"}`, ownerDev, nil},
	"POST /api/v1/services/{name}/retire": {"/api/v1/services/svc-alpha/retire", "", ownerDev, nil},

	"GET /api/v1/teams":                {"/api/v1/teams?kind=product", "", everyone, nil},
	"POST /api/v1/teams":               {"/api/v1/teams", `{"name":"delta","kind":"product"}`, adminOnly, nil},
	"GET /api/v1/teams/{name}":         {"/api/v1/teams/alpha", "", everyone, nil},
	"PATCH /api/v1/teams/{name}":       {"/api/v1/teams/alpha", `{"title":"Alpha"}`, adminOnly, nil},
	"POST /api/v1/teams/{name}/retire": {"/api/v1/teams/gamma/retire", "", adminOnly, nil},

	"GET /api/v1/users":                {"/api/v1/users?role=developer", "", everyone, nil},
	"POST /api/v1/users":               {"/api/v1/users", `{"name":"newbie","roles":["viewer"],"teams":["alpha"]}`, adminOnly, nil},
	"GET /api/v1/users/{name}":         {"/api/v1/users/spare", "", everyone, nil},
	"PATCH /api/v1/users/{name}":       {"/api/v1/users/spare", `{"display_name":"Spare"}`, adminOnly, nil},
	"POST /api/v1/users/{name}/retire": {"/api/v1/users/spare/retire", "", adminOnly, nil},

	"GET /api/v1/tokens":              {"/api/v1/tokens", "", everyone, nil},
	"POST /api/v1/tokens":             {"/api/v1/tokens", `{"name":"ci","expires_in_days":30}`, everyone, nil},
	"POST /api/v1/tokens/{id}/revoke": {"/api/v1/tokens/{spare}/revoke", "", ownerDev, nil},

	"GET /api/v1/audit":        {"/api/v1/audit?object_type=service", "", auditors, nil},
	"GET /api/v1/audit/verify": {"/api/v1/audit/verify", "", auditors, nil},
	"GET /api/v1/audit/anchor": {"/api/v1/audit/anchor", "", auditors, nil},

	"POST /api/v1/catalog/import": {"/api/v1/catalog/import?dry_run=true", jsonImport(importYAML), adminOnly, nil},
	"GET /api/v1/catalog/export":  {"/api/v1/catalog/export", "", everyone, nil},

	// The path to production. svc-alpha (tier 2, internal, playground) is
	// alpha's; sec is the enablement (security) team of reviewer,
	// architect and security.
	"GET /api/v1/services/{name}/launch":                   {"/api/v1/services/svc-alpha/launch", "", everyone, nil},
	"GET /api/v1/services/{name}/launch/packet":            {"/api/v1/services/svc-alpha/launch/packet?format=html", "", everyone, nil},
	"GET /api/v1/services/{name}/launch/readiness":         {"/api/v1/services/svc-alpha/launch/readiness", "", everyone, seedAnswer},
	"POST /api/v1/services/{name}/launch/upgrade":          {"/api/v1/services/svc-alpha/launch/upgrade", `{"kind":"checklist"}`, ownerDev, nil},
	"PUT /api/v1/services/{name}/contact":                  {"/api/v1/services/svc-alpha/contact", `{"user":"reviewer"}`, []string{"dev-alpha", "reviewer", "admin"}, nil},
	"PUT /api/v1/services/{name}/answers/{item}":           {"/api/v1/services/svc-alpha/answers/{item}", `{"text":"Two replicas in two zones."}`, ownerDev, nil},
	"GET /api/v1/services/{name}/answers/{item}/history":   {"/api/v1/services/svc-alpha/answers/{item}/history", "", everyone, seedAnswer},
	"POST /api/v1/services/{name}/answers/{item}/review":   {"/api/v1/services/svc-alpha/answers/{item}/review", `{"accept_na":true}`, advisers, seedNA},
	"GET /api/v1/services/{name}/answers/{item}/comments":  {"/api/v1/services/svc-alpha/answers/{item}/comments", "", everyone, seedAnswer},
	"POST /api/v1/services/{name}/answers/{item}/comments": {"/api/v1/services/svc-alpha/answers/{item}/comments", `{"body":"Which zones?"}`, []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, nil},
	"POST /api/v1/services/{name}/assessments":             {"/api/v1/services/svc-alpha/assessments", `{"kind":"load","expected_peak_rps":100,"tested_rps":150,"p99_ms":80}`, []string{"dev-alpha", "security", "admin"}, nil},
	"POST /api/v1/services/{name}/phase":                   {"/api/v1/services/svc-alpha/phase", `{"to":"retired"}`, ownerDev, nil},
	"POST /api/v1/services/{name}/walkthroughs":            {"/api/v1/services/svc-alpha/walkthroughs", `{"scheduled_at":"2030-05-04 14:00","participants":["dev-alpha","architect"]}`, []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, nil},
	"POST /api/v1/services/{name}/checks":                  {"/api/v1/services/svc-alpha/checks", `{"commit":"abc123","resource_types":{"aws_db_instance":1},"rules":["rds-encryption-at-rest"],"findings":[]}`, ownerDev, nil},
	"GET /api/v1/walkthroughs/{id}":                        {"/api/v1/walkthroughs/1", "", everyone, seedWalkthrough},
	"POST /api/v1/walkthroughs/{id}/cancel":                {"/api/v1/walkthroughs/1/cancel", "", []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, seedWalkthrough},
	// Anyone who may sign at all tries the role they hold; admin holds none
	// of them (a sign-off is a person's judgement, not a permission).
	"POST /api/v1/walkthroughs/{id}/signoffs":              {"/api/v1/walkthroughs/1/signoffs", `{"role":"{signrole}","decision":"approve"}`, []string{"dev-alpha", "dev-beta", "reviewer", "architect", "security"}, seedWalkthrough},
	"POST /api/v1/walkthroughs/{id}/follow-ups":            {"/api/v1/walkthroughs/1/follow-ups", `{"description":"Restore drill","owner":"dev-alpha","due":"2030-06-01"}`, []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, seedWalkthrough},
	"POST /api/v1/walkthroughs/{id}/follow-ups/{fid}/done": {"/api/v1/walkthroughs/1/follow-ups/1/done", "", []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, seedFollowUp},
	"GET /api/v1/launches/blocked":                         {"/api/v1/launches/blocked?team=alpha", "", everyone, nil},
	"GET /api/v1/reviews":                                  {"/api/v1/reviews", "", everyone, nil},
	"GET /api/v1/templates/{kind}":                         {"/api/v1/templates/questionnaire", "", everyone, nil},
	"GET /api/v1/templates/{kind}/{version}":               {"/api/v1/templates/checklist/{version}", "", everyone, nil},

	// Exceptions. Check #1 and exception #1 are svc-alpha's (alpha's);
	// reviewer, architect and security are in sec, an enablement team.
	// Only a reviewer decides a rule that is not a security rule; admin
	// holds the role but belongs to no enablement team.
	"GET /api/v1/exceptions":                {"/api/v1/exceptions?status=pending", "", everyone, seedExceptionRequest},
	"POST /api/v1/exceptions":               {"/api/v1/exceptions", `{"check":1,"reason":"The risk model needs the memory."}`, ownerDev, seedExceptionCheck},
	"GET /api/v1/exceptions/export":         {"/api/v1/exceptions/export?service=svc-alpha", "", everyone, seedExceptionApproved},
	"GET /api/v1/exceptions/key":            {"/api/v1/exceptions/key", "", everyone, nil},
	"GET /api/v1/exceptions/{id}":           {"/api/v1/exceptions/1", "", everyone, seedExceptionRequest},
	"POST /api/v1/exceptions/{id}/approve":  {"/api/v1/exceptions/1/approve", `{"expires":"30d"}`, []string{"reviewer"}, seedExceptionRequest},
	"POST /api/v1/exceptions/{id}/reject":   {"/api/v1/exceptions/1/reject", `{"reason":"Shard it."}`, []string{"reviewer"}, seedExceptionRequest},
	"POST /api/v1/exceptions/{id}/comments": {"/api/v1/exceptions/1/comments", `{"body":"Why 1 TB?"}`, []string{"dev-alpha", "reviewer", "security", "admin"}, seedExceptionRequest},
	"POST /api/v1/exceptions/{id}/revoke":   {"/api/v1/exceptions/1/revoke", `{"reason":"Sharded."}`, []string{"dev-alpha", "reviewer", "security", "admin"}, seedExceptionApproved},
	"GET /api/v1/checks/{id}/coverage":      {"/api/v1/checks/1/coverage", "", everyone, seedExceptionCheck},

	// Reclassification. Request #1 asks to lower svc-crit (alpha's, tier
	// 1/restricted, in green-light) to tier 4/internal; architect and
	// security are outside alpha; admin holds every role and is in no
	// team. Lowering svc-alpha in playground (no launch yet) is applied at
	// once.
	"GET /api/v1/reclassifications":                        {"/api/v1/reclassifications?status=pending", "", everyone, seedReclass},
	"GET /api/v1/reclassifications/{id}":                   {"/api/v1/reclassifications/1", "", everyone, seedReclass},
	"POST /api/v1/reclassifications/{id}/approve":          {"/api/v1/reclassifications/1/approve", `{"comment":"agreed"}`, []string{"architect", "security", "admin"}, seedReclass},
	"POST /api/v1/reclassifications/{id}/reject":           {"/api/v1/reclassifications/1/reject", `{"comment":"it still holds card data"}`, []string{"architect", "security", "admin"}, seedReclass},
	"POST /api/v1/reclassifications/{id}/withdraw":         {"/api/v1/reclassifications/1/withdraw", "", []string{"dev-alpha"}, seedReclass},
	"POST /api/v1/services/{name}/reclassifications":       {"/api/v1/services/svc-alpha/reclassifications", `{"tier":3,"reason":"a batch job"}`, ownerDev, nil},
	"POST /api/v1/services/{name}/reclassifications/force": {"/api/v1/services/svc-alpha/reclassifications/force", `{"tier":4,"reason":"retiring the API"}`, adminOnly, nil},

	// Notifications: admins only.
	"GET /api/v1/notifications": {"/api/v1/notifications?kind=walkthrough.signoff_requested", "", adminOnly, nil},
	"GET /api/v1/deliveries":    {"/api/v1/deliveries?status=failed", "", adminOnly, nil},

	// The ownership map: reading is for everyone, editing for admins.
	"GET /api/v1/ownership":                         {"/api/v1/ownership?concern=backups", "", everyone, nil},
	"PUT /api/v1/ownership/concerns/{concern}":      {"/api/v1/ownership/concerns/backups", `{"owner":"sec","consulted":["product-team"]}`, adminOnly, nil},
	"DELETE /api/v1/ownership/concerns/{concern}":   {"/api/v1/ownership/concerns/backups", "", adminOnly, seedOwnershipEdit},
	"GET /api/v1/ownership/export":                  {"/api/v1/ownership/export", "", everyone, nil},
	"GET /api/v1/ownership/gaps":                    {"/api/v1/ownership/gaps", "", everyone, seedCheckResources},
	"GET /api/v1/ownership/responsibilities":        {"/api/v1/ownership/responsibilities", "", everyone, nil},
	"GET /api/v1/ownership/responsibilities/{type}": {"/api/v1/ownership/responsibilities/aws_db_instance", "", everyone, nil},
	"GET /api/v1/services/{name}/ownership":         {"/api/v1/services/svc-alpha/ownership", "", everyone, seedCheckResources},
	"GET /api/v1/services/{name}/check-resources":   {"/api/v1/services/svc-alpha/check-resources", "", everyone, seedCheckResources},

	// Facts: reading for everyone; pushing for the owner team's
	// developers (a pipeline's token); the collectors for admins.
	"GET /api/v1/services/{name}/facts":        {"/api/v1/services/svc-alpha/facts?source=push", "", everyone, seedFacts},
	"POST /api/v1/services/{name}/facts":       {"/api/v1/services/svc-alpha/facts", `{"facts":{"backup.last_restore_test":"2026-03-01T02:00:00Z"},"expires_in":"90d"}`, ownerDev, nil},
	"GET /api/v1/services/{name}/facts/drift":  {"/api/v1/services/svc-alpha/facts/drift", "", everyone, seedFacts},
	"GET /api/v1/facts/drift":                  {"/api/v1/facts/drift", "", everyone, seedFacts},
	"GET /api/v1/facts/collectors":             {"/api/v1/facts/collectors", "", adminOnly, seedCollector},
	"POST /api/v1/facts/collectors/{name}/run": {"/api/v1/facts/collectors/fake/run?service=svc-alpha", "", adminOnly, seedCollector},
	"GET /api/v1/scorecards":                   {"/api/v1/scorecards?team=team-a", "", everyone, nil},
	"GET /api/v1/services/{name}/scorecards":   {"/api/v1/services/svc-alpha/scorecards", "", everyone, nil},
	"POST /api/v1/scorecards/evaluate":         {"/api/v1/scorecards/evaluate", "", adminOnly, nil},

	// The platform config: its status and the campaigns for everyone; the
	// impact of a proposed config for the enablement side's advisers.
	"GET /api/v1/config":         {"/api/v1/config", "", everyone, nil},
	"POST /api/v1/config/impact": {"/api/v1/config/impact", `{"files":{"paved.yaml":"organisation:\n  name: Test\n"}}`, advisers, nil},
	"GET /api/v1/campaigns":      {"/api/v1/campaigns", "", everyone, nil},

	// Spend: reading is for everyone; ingest, budgets, evaluation and
	// re-allocation for admins; planning an alert for its team's developers.
	"POST /api/v1/cost/ingest":                   {"/api/v1/cost/ingest?name=focus.csv", costCSV, adminOnly, nil},
	"GET /api/v1/cost/batches":                   {"/api/v1/cost/batches", "", everyone, seedCost},
	"GET /api/v1/cost/report":                    {"/api/v1/cost/report?month=2026-10&by=service", "", everyone, seedCost},
	"GET /api/v1/cost/daily":                     {"/api/v1/cost/daily?month=2026-10&by=team", "", everyone, seedCost},
	"GET /api/v1/cost/untagged":                  {"/api/v1/cost/untagged?month=2026-10&limit=5", "", everyone, seedCost},
	"GET /api/v1/cost/budgets":                   {"/api/v1/cost/budgets?month=2026-10", "", everyone, seedBudget},
	"PUT /api/v1/cost/budgets/{scope}/{name}":    {"/api/v1/cost/budgets/team/alpha", `{"amount":"2500"}`, adminOnly, nil},
	"DELETE /api/v1/cost/budgets/{scope}/{name}": {"/api/v1/cost/budgets/team/alpha", "", adminOnly, seedBudget},
	"GET /api/v1/cost/alerts":                    {"/api/v1/cost/alerts?month=2026-10&team=alpha", "", everyone, seedCostAlert},
	"POST /api/v1/cost/alerts/{id}/plan":         {"/api/v1/cost/alerts/1/plan", `{"reason":"load test"}`, ownerDev, seedCostAlert},
	"POST /api/v1/cost/evaluate":                 {"/api/v1/cost/evaluate", "", adminOnly, seedCost},
	"POST /api/v1/cost/reallocate":               {"/api/v1/cost/reallocate", "", adminOnly, seedCost},
	"GET /api/v1/services/{name}/budget":         {"/api/v1/services/svc-alpha/budget", "", everyone, seedBudget},
}

// advisers review answers from outside the owning team.
var advisers = []string{"reviewer", "architect", "security", "admin"}

// signRoleOf is the sign-off role each caller tries in the authorisation
// test: the one their roles fit.
var signRoleOf = map[string]string{"architect": "architect", "security": "security"}

func jsonImport(yaml string) string {
	return `{"files":[{"name":"catalog-info.yaml","content":` + strconv.Quote(yaml) + `}]}`
}

// TestAPIAuthorization runs every API route of the route table for every
// caller on a fresh store (so that one caller's change cannot decide
// another's outcome) and checks allow (2xx) or deny (401 without a valid
// token, 403 otherwise).
func TestAPIAuthorization(t *testing.T) {
	srvRoutes := (&Server{}).apiRoutes()
	seen := map[string]bool{}
	for _, rt := range srvRoutes {
		seen[rt.Pattern] = true
		if _, ok := authzCases[rt.Pattern]; !ok {
			t.Errorf("route %s has no entry in authzCases: state who may call it", rt.Pattern)
		}
	}
	for p := range authzCases {
		if !seen[p] {
			t.Errorf("authzCases has %s, which is not a route", p)
		}
	}
	for _, rt := range srvRoutes {
		c, ok := authzCases[rt.Pattern]
		if !ok {
			continue
		}
		t.Run(rt.Pattern, func(t *testing.T) {
			t.Parallel()
			for _, role := range authzRoles {
				t.Run(role, func(t *testing.T) {
					e := newAPIEnv(t)
					if c.setup != nil {
						c.setup(e)
					}
					target := strings.ReplaceAll(c.target, "{spare}", strconv.FormatInt(e.spareTok, 10))
					target = strings.NewReplacer("{item}", firstItem(t), "{version}", strconv.Itoa(currentVersion(t, paved.KindChecklist))).Replace(target)
					sign, ok := signRoleOf[role]
					if !ok {
						sign = "peer"
					}
					body := strings.ReplaceAll(c.body, "{signrole}", sign)
					var rec = e.do(rt.Method(), target, callerToken(role), body)
					switch {
					case role == "none" || role == "revoked":
						wantProblem(t, rec, http.StatusUnauthorized, "unauthorized")
						if rec.Header().Get("WWW-Authenticate") == "" {
							t.Error("401 without WWW-Authenticate")
						}
					case slices.Contains(c.allow, role):
						if rec.Code < 200 || rec.Code > 299 {
							t.Fatalf("%s may call %s: got %d %s", role, rt.Pattern, rec.Code, rec.Body.String())
						}
					default:
						wantProblem(t, rec, http.StatusForbidden, "forbidden")
					}
				})
			}
		})
	}
}

func callerToken(role string) string {
	if role == "none" {
		return ""
	}
	return tokenOf(role)
}
