package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// TestRouteTable checks the route table itself: every route that needs a
// signed-in caller names the action paved.Authorize decides on, and only
// the sign-in pages, the 404 page, the static assets and the operational
// endpoints need none; every action is one Authorize knows; a target is
// only used where the path names what it finds; patterns are unique.
func TestRouteTable(t *testing.T) {
	routes := (&Server{}).routeTable()
	if len(routes) < 100 {
		t.Fatalf("the route table has only %d routes", len(routes))
	}
	// A user with no role: Authorize answers each action with a decision,
	// or with "unknown action" for a name it does not know.
	nobody := &paved.User{Name: "nobody"}
	seen := map[string]bool{}
	for _, rt := range routes {
		if seen[rt.Pattern] {
			t.Errorf("%s is in the table twice", rt.Pattern)
		}
		seen[rt.Pattern] = true
		if rt.Handle == nil {
			t.Errorf("%s has no handler", rt.Pattern)
		}
		switch rt.Face {
		case faceAPI, facePortal:
			if rt.Action == "" {
				t.Errorf("%s has no action: name the action paved.Authorize must allow", rt.Pattern)
				continue
			}
			if err := paved.Authorize(nobody, rt.Action, paved.Resource{}); err != nil && strings.Contains(err.Error(), "unknown action") {
				t.Errorf("%s: %v", rt.Pattern, err)
			}
		case facePublic, faceOpen, faceExchange:
			if rt.Action != "" || rt.Target != nil {
				t.Errorf("%s needs no sign-in but names action %q: make it facePortal", rt.Pattern, rt.Action)
			}
		}
		if (rt.Face == faceAPI || rt.Face == faceExchange) != strings.HasPrefix(rt.Path(), "/api/") {
			t.Errorf("%s: API routes and only they are under /api/", rt.Pattern)
		}
		wants := map[*target]string{byService: "{name}", byWalkthrough: "{id}", byException: "{id}", byAlert: "{id}", byToken: "{id}"}
		if w, ok := wants[rt.Target]; ok && !strings.Contains(rt.Path(), w) {
			t.Errorf("%s finds %s but its path has no %s", rt.Pattern, rt.Target.What, w)
		}
	}
	for _, p := range []string{"GET /healthz", "GET /signin", "POST /signin", "GET /static/", "GET /"} {
		if !seen[p] {
			t.Errorf("the table lacks %s", p)
		}
	}
}

// portalCase is how to use one portal route and who may. target and form
// values may hold {item} (a questionnaire item) and {signrole} (the
// sign-off role the caller would sign in, see signRoleOf).
type portalCase struct {
	target string
	form   url.Values // for POST; the CSRF token is added
	allow  []string
	setup  func(e *apiEnv)
}

// portalAuthzCases has one entry per portal route of the route table:
// TestPortalAuthorization fails for a route without one. The allowed
// callers match the API's for the same action (authzCases).
var portalAuthzCases = map[string]portalCase{
	"POST /signout": {"/signout", url.Values{}, everyone, nil},

	"GET /{$}":                       {"/", nil, everyone, nil},
	"GET /services":                  {"/services?team=alpha", nil, everyone, nil},
	"GET /services/{name}":           {"/services/svc-alpha", nil, everyone, nil},
	"GET /services/{name}/edit":      {"/services/svc-alpha/edit", nil, ownerDev, nil},
	"POST /services/{name}/edit":     {"/services/svc-alpha/edit", url.Values{"description": {"changed"}, "tier": {"2"}, "data_class": {"internal"}}, ownerDev, nil},
	"GET /teams":                     {"/teams", nil, everyone, nil},
	"GET /teams/{name}":              {"/teams/alpha", nil, everyone, nil},
	"GET /users":                     {"/users", nil, everyone, nil},
	"GET /users/{name}":              {"/users/spare", nil, everyone, nil},
	"GET /admin/sign-ins":            {"/admin/sign-ins", nil, adminOnly, nil},
	"GET /audit":                     {"/audit", nil, auditors, nil},
	"GET /launches":                  {"/launches", nil, everyone, nil},
	"GET /reviews":                   {"/reviews", nil, everyone, nil},
	"GET /services/{name}/launch":    {"/services/svc-alpha/launch", nil, everyone, seedAnswer},
	"GET /campaigns":                 {"/campaigns", nil, everyone, nil},
	"GET /spend":                     {"/spend", nil, everyone, seedCostAlert},
	"GET /services/{name}/spend.svg": {"/services/svc-alpha/spend.svg", nil, everyone, seedCost},

	"GET /services/{name}/launch/packet":                 {"/services/svc-alpha/launch/packet", nil, everyone, nil},
	"GET /services/{name}/launch/items/{item}":           {"/services/svc-alpha/launch/items/{item}", nil, everyone, seedAnswer},
	"POST /services/{name}/launch/items/{item}/answer":   {"/services/svc-alpha/launch/items/{item}/answer", url.Values{"text": {"Two replicas in two zones."}}, ownerDev, nil},
	"POST /services/{name}/launch/items/{item}/review":   {"/services/svc-alpha/launch/items/{item}/review", url.Values{"action": {"accept-na"}}, advisers, seedNA},
	"POST /services/{name}/launch/items/{item}/comments": {"/services/svc-alpha/launch/items/{item}/comments", url.Values{"body": {"Which zones?"}}, []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, nil},
	"POST /services/{name}/launch/phase":                 {"/services/svc-alpha/launch/phase", url.Values{"to": {"retired"}}, ownerDev, nil},
	"POST /services/{name}/launch/contact":               {"/services/svc-alpha/launch/contact", url.Values{"contact": {"reviewer"}}, []string{"dev-alpha", "reviewer", "admin"}, nil},
	"POST /services/{name}/launch/assessments": {"/services/svc-alpha/launch/assessments",
		url.Values{"kind": {"load"}, "expected_peak_rps": {"100"}, "tested_rps": {"150"}, "p99_ms": {"80"}}, []string{"dev-alpha", "security", "admin"}, nil},
	"POST /services/{name}/launch/walkthroughs": {"/services/svc-alpha/launch/walkthroughs",
		url.Values{"scheduled_at": {"2030-05-04T14:00"}, "participants": {"dev-alpha architect"}}, []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, nil},
	// Walkthrough #1 is svc-crit's (alpha's); see seedWalkthrough.
	"POST /services/{name}/launch/walkthroughs/{id}/cancel": {"/services/svc-crit/launch/walkthroughs/1/cancel", url.Values{},
		[]string{"dev-alpha", "reviewer", "architect", "security", "admin"}, seedWalkthrough},
	"POST /services/{name}/launch/walkthroughs/{id}/signoffs": {"/services/svc-crit/launch/walkthroughs/1/signoffs", url.Values{"role": {"{signrole}"}, "decision": {"approve"}},
		[]string{"dev-alpha", "dev-beta", "reviewer", "architect", "security"}, seedWalkthrough},
	"POST /services/{name}/launch/walkthroughs/{id}/follow-ups": {"/services/svc-crit/launch/walkthroughs/1/follow-ups",
		url.Values{"description": {"Restore drill"}, "owner": {"dev-alpha"}, "due": {"2030-06-01"}}, []string{"dev-alpha", "reviewer", "architect", "security", "admin"}, seedWalkthrough},
	"POST /services/{name}/launch/walkthroughs/{id}/follow-ups/{fid}/done": {"/services/svc-crit/launch/walkthroughs/1/follow-ups/1/done", url.Values{},
		[]string{"dev-alpha", "reviewer", "architect", "security", "admin"}, seedFollowUp},

	// Exception #1 is svc-alpha's (alpha's); reviewer, architect and
	// security are in sec, an enablement team (see authzCases).
	"GET /exceptions":                               {"/exceptions?status=pending", nil, everyone, seedExceptionRequest},
	"GET /exceptions/{id}":                          {"/exceptions/1", nil, everyone, seedExceptionRequest},
	"POST /reclassifications/{id}/approve":          {"/reclassifications/1/approve", url.Values{"comment": {"agreed"}}, []string{"architect", "security", "admin"}, seedReclass},
	"POST /reclassifications/{id}/reject":           {"/reclassifications/1/reject", url.Values{"comment": {"still card data"}}, []string{"architect", "security", "admin"}, seedReclass},
	"POST /reclassifications/{id}/withdraw":         {"/reclassifications/1/withdraw", url.Values{}, []string{"dev-alpha"}, seedReclass},
	"POST /services/{name}/reclassifications/force": {"/services/svc-alpha/reclassifications/force", url.Values{"tier": {"4"}, "data_class": {"public"}, "reason": {"retiring the API"}}, adminOnly, nil},

	"POST /exceptions/{id}/approve":  {"/exceptions/1/approve", url.Values{"expires": {"30d"}}, []string{"reviewer"}, seedExceptionRequest},
	"POST /exceptions/{id}/reject":   {"/exceptions/1/reject", url.Values{"reason": {"Shard it."}}, []string{"reviewer"}, seedExceptionRequest},
	"POST /exceptions/{id}/comments": {"/exceptions/1/comments", url.Values{"body": {"Why 1 TB?"}}, []string{"dev-alpha", "reviewer", "security", "admin"}, seedExceptionRequest},
	"POST /exceptions/{id}/revoke":   {"/exceptions/1/revoke", url.Values{"reason": {"Sharded."}}, []string{"dev-alpha", "reviewer", "security", "admin"}, seedExceptionApproved},

	"GET /ownership":                           {"/ownership?concern=backups", nil, everyone, nil},
	"GET /ownership/export":                    {"/ownership/export", nil, everyone, nil},
	"POST /ownership/concerns/{concern}":       {"/ownership/concerns/backups", url.Values{"role-sec": {"R"}, "reason": {"one team"}}, adminOnly, nil},
	"POST /ownership/concerns/{concern}/reset": {"/ownership/concerns/backups/reset", url.Values{}, adminOnly, seedOwnershipEdit},
	"GET /ownership/responsibilities":          {"/ownership/responsibilities", nil, everyone, nil},
	"GET /ownership/responsibilities/{type}":   {"/ownership/responsibilities/aws_db_instance", nil, everyone, nil},

	"POST /spend/alerts/{id}/plan": {"/spend/alerts/1/plan", url.Values{"reason": {"load test"}}, ownerDev, seedCostAlert},

	"GET /facts/collectors": {"/facts/collectors", nil, adminOnly, seedCollector},
}

// TestPortalAuthorization signs in as every caller and uses every portal
// route of the route table (each page, each form with its CSRF token): an
// allowed caller gets the page or the form's redirect (2xx or 3xx), any
// other a 403 page, and without a session every route sends the browser to
// sign in. Every allowed use of a form gets a fresh store (one caller's
// change must not decide another's outcome); the refused uses and the
// pages share one, since they change nothing.
func TestPortalAuthorization(t *testing.T) {
	var portal []route
	seen := map[string]bool{}
	for _, rt := range (&Server{}).routeTable() {
		if rt.Face != facePortal {
			continue
		}
		portal = append(portal, rt)
		seen[rt.Pattern] = true
		if _, ok := portalAuthzCases[rt.Pattern]; !ok {
			t.Errorf("portal route %s has no entry in portalAuthzCases: state who may use it", rt.Pattern)
		}
	}
	for p := range portalAuthzCases {
		if !seen[p] {
			t.Errorf("portalAuthzCases has %s, which is not a portal route", p)
		}
	}
	callers := append(slices.Clone(everyone), "none", "revoked")
	for _, rt := range portal {
		c, ok := portalAuthzCases[rt.Pattern]
		if !ok {
			continue
		}
		t.Run(rt.Pattern, func(t *testing.T) {
			t.Parallel()
			shared := newAPIEnv(t)
			if c.setup != nil {
				c.setup(shared)
			}
			for _, who := range callers {
				t.Run(who, func(t *testing.T) {
					e := shared
					if rt.Method() != http.MethodGet && slices.Contains(c.allow, who) {
						e = newAPIEnv(t)
						if c.setup != nil {
							c.setup(e)
						}
					}
					rec := e.portalAs(t, who, rt.Method(), c.target, c.form)
					switch {
					case who == "none" || who == "revoked":
						if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin") {
							t.Fatalf("without a session: %d to %q, want 303 to /signin", rec.Code, loc)
						}
					case slices.Contains(c.allow, who):
						// Only signing out may send a signed-in user to the sign-in page.
						toSignin := strings.HasPrefix(rec.Header().Get("Location"), "/signin") && rt.Pattern != "POST /signout"
						if rec.Code >= 400 || toSignin {
							t.Fatalf("%s may use %s: got %d %s", who, rt.Pattern, rec.Code, firstLines(rec.Body.String()))
						}
					default:
						if rec.Code != http.StatusForbidden {
							t.Fatalf("%s may not use %s: got %d %s", who, rt.Pattern, rec.Code, firstLines(rec.Body.String()))
						}
					}
				})
			}
		})
	}
}

// portalAs sends a portal request as a seeded user with a portal session
// ("none" and "revoked" have none: the revoked token cannot sign in), a
// form with the session's CSRF token for POSTs.
func (e *apiEnv) portalAs(t *testing.T, who, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	target = strings.NewReplacer("{item}", firstItem(t)).Replace(target)
	var cookie *http.Cookie
	if who != "none" && who != "revoked" {
		cookie = portalSession(t, e.h, tokenOf(who))
	}
	var body string
	if method != http.MethodGet {
		f := url.Values{}
		for k, vs := range form {
			for _, v := range vs {
				sign, ok := signRoleOf[who]
				if !ok {
					sign = "peer"
				}
				f.Add(k, strings.ReplaceAll(v, "{signrole}", sign))
			}
		}
		if cookie != nil {
			// Every page has the session's token in its sign-out form; the
			// 404 page is the cheapest.
			page := httptest.NewRequest(http.MethodGet, "/no-such-page", nil)
			page.AddCookie(cookie)
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, page)
			f.Set(csrfField, csrfOf(t, rec.Body.String()))
		}
		body = f.Encode()
	}
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// firstLines shortens a page for a failure message.
func firstLines(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 600 {
		s = s[:600] + "…(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return s
}
