package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
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
	target string // path and query; {spare} is the id of dev-alpha's spare token
	body   string
	allow  []string
}

// authzCases has one entry per API route pattern. TestAPIAuthorization
// fails when a route of the route table has no entry here, so a new route
// cannot ship without its rules being stated and tested.
var authzCases = map[string]authzCase{
	"GET /api/v1/openapi.json": {"/api/v1/openapi.json", "", everyone},
	"GET /api/v1/me":           {"/api/v1/me", "", everyone},

	"GET /api/v1/services":                {"/api/v1/services?team=alpha", "", everyone},
	"POST /api/v1/services":               {"/api/v1/services", `{"name":"new-svc","owner":"alpha"}`, ownerDev},
	"GET /api/v1/services/{name}":         {"/api/v1/services/svc-alpha", "", everyone},
	"PATCH /api/v1/services/{name}":       {"/api/v1/services/svc-alpha", `{"description":"changed"}`, ownerDev},
	"POST /api/v1/services/{name}/retire": {"/api/v1/services/svc-alpha/retire", "", ownerDev},

	"GET /api/v1/teams":                {"/api/v1/teams?kind=product", "", everyone},
	"POST /api/v1/teams":               {"/api/v1/teams", `{"name":"delta","kind":"product"}`, adminOnly},
	"GET /api/v1/teams/{name}":         {"/api/v1/teams/alpha", "", everyone},
	"PATCH /api/v1/teams/{name}":       {"/api/v1/teams/alpha", `{"title":"Alpha"}`, adminOnly},
	"POST /api/v1/teams/{name}/retire": {"/api/v1/teams/gamma/retire", "", adminOnly},

	"GET /api/v1/users":                {"/api/v1/users?role=developer", "", everyone},
	"POST /api/v1/users":               {"/api/v1/users", `{"name":"newbie","roles":["viewer"],"teams":["alpha"]}`, adminOnly},
	"GET /api/v1/users/{name}":         {"/api/v1/users/spare", "", everyone},
	"PATCH /api/v1/users/{name}":       {"/api/v1/users/spare", `{"display_name":"Spare"}`, adminOnly},
	"POST /api/v1/users/{name}/retire": {"/api/v1/users/spare/retire", "", adminOnly},

	"GET /api/v1/tokens":              {"/api/v1/tokens", "", everyone},
	"POST /api/v1/tokens":             {"/api/v1/tokens", `{"name":"ci","expires_in_days":30}`, everyone},
	"POST /api/v1/tokens/{id}/revoke": {"/api/v1/tokens/{spare}/revoke", "", ownerDev},

	"GET /api/v1/audit":        {"/api/v1/audit?object_type=service", "", auditors},
	"GET /api/v1/audit/verify": {"/api/v1/audit/verify", "", auditors},

	"POST /api/v1/catalog/import": {"/api/v1/catalog/import?dry_run=true", jsonImport(importYAML), adminOnly},
	"GET /api/v1/catalog/export":  {"/api/v1/catalog/export", "", everyone},
}

func jsonImport(yaml string) string {
	return `{"files":[{"name":"catalog-info.yaml","content":` + strconv.Quote(yaml) + `}]}`
}

// TestAPIAuthorization runs every API route for every caller on a fresh
// store (so that one caller's change cannot decide another's outcome) and
// checks allow (2xx) or deny (401 without a valid token, 403 otherwise).
func TestAPIAuthorization(t *testing.T) {
	srvRoutes := (&Server{}).apiRoutes()
	seen := map[string]bool{}
	for _, rt := range srvRoutes {
		seen[rt.Pattern()] = true
		if _, ok := authzCases[rt.Pattern()]; !ok {
			t.Errorf("route %s has no entry in authzCases: state who may call it", rt.Pattern())
		}
	}
	for p := range authzCases {
		if !seen[p] {
			t.Errorf("authzCases has %s, which is not a route", p)
		}
	}
	for _, rt := range srvRoutes {
		c, ok := authzCases[rt.Pattern()]
		if !ok {
			continue
		}
		t.Run(rt.Pattern(), func(t *testing.T) {
			t.Parallel()
			for _, role := range authzRoles {
				t.Run(role, func(t *testing.T) {
					e := newAPIEnv(t)
					target := strings.ReplaceAll(c.target, "{spare}", strconv.FormatInt(e.spareTok, 10))
					var rec = e.do(rt.Method, target, callerToken(role), c.body)
					switch {
					case role == "none" || role == "revoked":
						wantProblem(t, rec, http.StatusUnauthorized, "unauthorized")
						if rec.Header().Get("WWW-Authenticate") == "" {
							t.Error("401 without WWW-Authenticate")
						}
					case slices.Contains(c.allow, role):
						if rec.Code < 200 || rec.Code > 299 {
							t.Fatalf("%s may call %s: got %d %s", role, rt.Pattern(), rec.Code, rec.Body.String())
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
