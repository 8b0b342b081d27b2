package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

// Every route of the server, API and portal alike, is one entry of the
// table below: its face, method and path, the action the caller must be
// allowed (paved.Authorize decides), how the resource the action is about
// is found (its owner team, or the user whose tokens they are), and the
// handler. The wrappers check the action before the handler runs, so a
// handler never chooses its own permission; the route x role tests read
// this table (a route without an action fails them), and the OpenAPI
// document is built from its API routes.

// handler writes a success response or returns an error, which the face's
// wrapper renders (problem+json for the API, an error page for the portal).
// Handlers never write errors themselves, so every failure has one shape.
type handler func(w http.ResponseWriter, r *http.Request) error

// face is the part of the server a route belongs to.
type face int

const (
	// faceAPI routes are under /api/v1: a bearer token, problem+json.
	faceAPI face = iota
	// facePortal routes are the portal's pages and forms: a signed-in
	// session, the CSRF check on every form, error pages.
	facePortal
	// facePublic routes are portal pages without sign-in: the sign-in
	// page and the 404 page (the session is still resolved, so that the
	// header shows who is signed in).
	facePublic
	// faceOpen routes are served as they are, without credentials or a
	// session: the operational endpoints and the static assets. They show
	// nothing of the catalog.
	faceOpen
	// faceExchange routes are API routes whose credential is in the body
	// (the CI token exchange: the job's ID token): no bearer token,
	// problem+json, in the OpenAPI document. They show nothing of the
	// catalog and limit failing addresses like failed sign-ins.
	faceExchange
)

// route is one entry of the route table.
type route struct {
	Face    face
	Pattern string       // ServeMux pattern: "METHOD /path/{wildcard}"
	Action  paved.Action // what the caller must be allowed; "" only for facePublic and faceOpen
	Target  *target      // how the action's resource is found; nil: the action is about nothing in particular
	Handle  handler
}

// Method and Path split the pattern.
func (rt route) Method() string { m, _, _ := strings.Cut(rt.Pattern, " "); return m }
func (rt route) Path() string   { _, p, _ := strings.Cut(rt.Pattern, " "); return p }

// routeTable is every route of the server.
func (s *Server) routeTable() []route {
	const (
		api      = faceAPI
		portal   = facePortal
		public   = facePublic
		open     = faceOpen
		exchange = faceExchange
	)
	return []route{
		// Operational endpoints: no token, so that probes and scrapers need
		// no secret. They reveal nothing about the catalog.
		{open, "GET /healthz", "", nil, s.healthz},
		{open, "GET /readyz", "", nil, s.readyz},
		{open, "GET /metrics", "", nil, s.serveMetrics},

		{api, "GET /api/v1/openapi.json", paved.ActReadCatalog, nil, s.getOpenAPI},
		{api, "GET /api/v1/me", paved.ActReadCatalog, nil, s.getMe},

		{api, "GET /api/v1/services", paved.ActReadCatalog, nil, s.listServices},
		{api, "POST /api/v1/services", paved.ActCreateService, inBody, s.createService},
		{api, "GET /api/v1/services/{name}", paved.ActReadCatalog, nil, s.getService},
		// A change of owner needs the action on the new owner too (in the handler).
		{api, "PATCH /api/v1/services/{name}", paved.ActUpdateService, byService, s.updateService},
		{api, "POST /api/v1/services/{name}/retire", paved.ActRetireService, byService, s.retireService},

		{api, "GET /api/v1/teams", paved.ActReadCatalog, nil, s.listTeams},
		{api, "POST /api/v1/teams", paved.ActManageTeams, nil, s.createTeam},
		{api, "GET /api/v1/teams/{name}", paved.ActReadCatalog, nil, s.getTeam},
		{api, "PATCH /api/v1/teams/{name}", paved.ActManageTeams, nil, s.updateTeam},
		{api, "POST /api/v1/teams/{name}/retire", paved.ActManageTeams, nil, s.retireTeam},

		{api, "GET /api/v1/users", paved.ActReadCatalog, nil, s.listUsers},
		{api, "POST /api/v1/users", paved.ActManageUsers, nil, s.createUser},
		{api, "GET /api/v1/users/{name}", paved.ActReadCatalog, nil, s.getUser},
		{api, "PATCH /api/v1/users/{name}", paved.ActManageUsers, nil, s.updateUser},
		{api, "POST /api/v1/users/{name}/retire", paved.ActManageUsers, nil, s.retireUser},

		// One's own tokens need nothing more: paved.Authorize allows
		// token:manage on a resource that is the caller.
		{api, "GET /api/v1/tokens", paved.ActManageTokens, byTokenUser, s.listTokens},
		{api, "POST /api/v1/tokens", paved.ActManageTokens, inBody, s.createToken},
		{api, "POST /api/v1/tokens/{id}/revoke", paved.ActManageTokens, byToken, s.revokeToken},
		// The CI token exchange (signin_oidc.go, docs/ci.md): the job's ID
		// token for a short-lived token scoped to its repository's services.
		{exchange, "POST /api/v1/auth/ci-token", "", nil, s.ciToken},

		{api, "GET /api/v1/audit", paved.ActReadAudit, nil, s.listAudit},
		{api, "GET /api/v1/audit/verify", paved.ActReadAudit, nil, s.verifyAudit},
		{api, "GET /api/v1/audit/anchor", paved.ActReadAudit, nil, s.anchorAudit},

		{api, "POST /api/v1/catalog/import", paved.ActImportCatalog, nil, s.importCatalog},
		{api, "GET /api/v1/catalog/export", paved.ActReadCatalog, nil, s.exportCatalog},

		// The path to production (api_launch.go).
		{api, "GET /api/v1/services/{name}/launch", paved.ActReadCatalog, byService, s.getLaunch},
		{api, "GET /api/v1/services/{name}/launch/packet", paved.ActReadCatalog, byService, s.getPacket},
		{api, "GET /api/v1/services/{name}/launch/readiness", paved.ActReadCatalog, byService, s.getReadiness},
		{api, "POST /api/v1/services/{name}/launch/upgrade", paved.ActAnswer, byService, s.upgradeLaunch},
		{api, "PUT /api/v1/services/{name}/contact", paved.ActSetContact, byService, s.putContact},
		{api, "PUT /api/v1/services/{name}/answers/{item}", paved.ActAnswer, byService, s.putAnswer},
		{api, "GET /api/v1/services/{name}/answers/{item}/history", paved.ActReadCatalog, byService, s.getAnswerHistory},
		{api, "POST /api/v1/services/{name}/answers/{item}/review", paved.ActReviewAnswer, byService, s.reviewAnswer},
		{api, "GET /api/v1/services/{name}/answers/{item}/comments", paved.ActReadCatalog, byService, s.listComments},
		{api, "POST /api/v1/services/{name}/answers/{item}/comments", paved.ActComment, byService, s.addComment},
		{api, "POST /api/v1/services/{name}/assessments", paved.ActAssess, byService, s.addAssessment},
		// Forcing the move past the gate needs launch:force too (in the handler).
		{api, "POST /api/v1/services/{name}/phase", paved.ActAdvancePhase, byService, s.changePhase},
		{api, "POST /api/v1/services/{name}/walkthroughs", paved.ActWalkthrough, byService, s.scheduleWalkthrough},
		{api, "POST /api/v1/services/{name}/checks", paved.ActRecordCheck, byService, s.recordCheck},
		{api, "GET /api/v1/walkthroughs/{id}", paved.ActReadCatalog, byWalkthrough, s.getWalkthrough},
		{api, "POST /api/v1/walkthroughs/{id}/cancel", paved.ActWalkthrough, byWalkthrough, s.cancelWalkthrough},
		// Which role one may sign in is launch.CanSign's decision (launch.Service).
		{api, "POST /api/v1/walkthroughs/{id}/signoffs", paved.ActSignoff, byWalkthrough, s.addSignoff},
		{api, "POST /api/v1/walkthroughs/{id}/follow-ups", paved.ActWalkthrough, byWalkthrough, s.addFollowUp},
		{api, "POST /api/v1/walkthroughs/{id}/follow-ups/{fid}/done", paved.ActWalkthrough, byWalkthrough, s.completeFollowUp},
		{api, "GET /api/v1/launches/blocked", paved.ActReadCatalog, nil, s.listBlocked},
		{api, "GET /api/v1/reviews", paved.ActReadCatalog, nil, s.getReviews},
		{api, "GET /api/v1/templates/{kind}", paved.ActReadCatalog, nil, s.getTemplate},
		{api, "GET /api/v1/templates/{kind}/{version}", paved.ActReadCatalog, nil, s.getTemplate},

		// The ownership map (api_ownership.go).
		{api, "GET /api/v1/ownership", paved.ActReadCatalog, nil, s.getOwnership},
		{api, "PUT /api/v1/ownership/concerns/{concern}", paved.ActEditOwnership, nil, s.putOwnershipConcern},
		{api, "DELETE /api/v1/ownership/concerns/{concern}", paved.ActEditOwnership, nil, s.deleteOwnershipConcern},
		{api, "GET /api/v1/ownership/export", paved.ActReadCatalog, nil, s.exportOwnership},
		{api, "GET /api/v1/ownership/gaps", paved.ActReadCatalog, nil, s.getOwnershipGaps},
		{api, "GET /api/v1/ownership/responsibilities", paved.ActReadCatalog, nil, s.listResponsibilities},
		{api, "GET /api/v1/ownership/responsibilities/{type}", paved.ActReadCatalog, nil, s.getResponsibilities},
		{api, "GET /api/v1/services/{name}/ownership", paved.ActReadCatalog, byService, s.getServiceOwnership},
		{api, "GET /api/v1/services/{name}/check-resources", paved.ActReadCatalog, byService, s.getCheckResources},

		// Reclassification (api_reclass.go): lowering a launch's tier or
		// data class. Who may decide a given request is
		// paved.CanDecideReclassification's decision too (launch.Service).
		{api, "GET /api/v1/reclassifications", paved.ActReadCatalog, nil, s.listReclass},
		{api, "GET /api/v1/reclassifications/{id}", paved.ActReadCatalog, byReclass, s.getReclass},
		{api, "POST /api/v1/reclassifications/{id}/approve", paved.ActDecideReclass, byReclass, s.approveReclass},
		{api, "POST /api/v1/reclassifications/{id}/reject", paved.ActDecideReclass, byReclass, s.rejectReclass},
		{api, "POST /api/v1/reclassifications/{id}/withdraw", paved.ActWithdrawReclass, byReclass, s.withdrawReclass},
		{api, "POST /api/v1/services/{name}/reclassifications", paved.ActRequestReclass, byService, s.requestReclass},
		{api, "POST /api/v1/services/{name}/reclassifications/force", paved.ActForceReclass, byService, s.forceReclass},

		// Exceptions (api_exceptions.go). Who may decide a given request is
		// paved.CanDecide's decision too (exception.Service).
		{api, "GET /api/v1/exceptions", paved.ActReadExceptions, nil, s.listExceptions},
		{api, "POST /api/v1/exceptions", paved.ActRequestException, inBody, s.requestException},
		{api, "GET /api/v1/exceptions/export", paved.ActReadExceptions, nil, s.exportExceptions},
		{api, "GET /api/v1/exceptions/key", paved.ActReadExceptions, nil, s.getExceptionKey},
		{api, "GET /api/v1/exceptions/{id}", paved.ActReadExceptions, byException, s.getException},
		{api, "POST /api/v1/exceptions/{id}/approve", paved.ActDecideException, byException, s.approveException},
		{api, "POST /api/v1/exceptions/{id}/reject", paved.ActDecideException, byException, s.rejectException},
		{api, "POST /api/v1/exceptions/{id}/comments", paved.ActCommentException, byException, s.commentException},
		{api, "POST /api/v1/exceptions/{id}/revoke", paved.ActRevokeException, byException, s.revokeException},
		{api, "GET /api/v1/checks/{id}/coverage", paved.ActReadExceptions, nil, s.getCoverage},

		// Notifications: the outbox and the webhook delivery log (api_notifications.go).
		{api, "GET /api/v1/notifications", paved.ActReadNotifications, nil, s.listNotifications},
		{api, "GET /api/v1/deliveries", paved.ActReadNotifications, nil, s.listDeliveries},

		// The platform config: its version and reload state (the directory
		// and a refused config's error only for config:admin), the impact
		// of a proposed config, campaigns (api_config.go, portal_campaigns.go).
		{api, "GET /api/v1/config", paved.ActReadCatalog, nil, s.getConfigStatus},
		{api, "POST /api/v1/config/impact", paved.ActConfigImpact, nil, s.postConfigImpact},
		{api, "GET /api/v1/campaigns", paved.ActReadCatalog, nil, s.listCampaigns},

		// Spend: billing ingest, reports, budgets and alerts (api_cost.go).
		{api, "POST /api/v1/cost/ingest", paved.ActIngestCost, nil, s.ingestCost},
		{api, "GET /api/v1/cost/batches", paved.ActReadCost, nil, s.listCostBatches},
		{api, "GET /api/v1/cost/report", paved.ActReadCost, nil, s.getCostReport},
		{api, "GET /api/v1/cost/daily", paved.ActReadCost, nil, s.getCostDaily},
		{api, "GET /api/v1/cost/untagged", paved.ActReadCost, nil, s.listUntagged},
		{api, "GET /api/v1/cost/budgets", paved.ActReadCost, nil, s.listBudgets},
		{api, "PUT /api/v1/cost/budgets/{scope}/{name}", paved.ActSetBudget, nil, s.putBudget},
		{api, "DELETE /api/v1/cost/budgets/{scope}/{name}", paved.ActSetBudget, nil, s.deleteBudget},
		{api, "GET /api/v1/cost/alerts", paved.ActReadCost, nil, s.listCostAlerts},
		{api, "POST /api/v1/cost/alerts/{id}/plan", paved.ActPlanAlert, byAlert, s.planCostAlert},
		{api, "POST /api/v1/cost/evaluate", paved.ActIngestCost, nil, s.evaluateCost},
		{api, "POST /api/v1/cost/reallocate", paved.ActIngestCost, nil, s.reallocateCost},
		{api, "GET /api/v1/services/{name}/budget", paved.ActReadCost, nil, s.getServiceBudget},

		// Facts: what collectors observed and pipelines pushed (api_facts.go).
		// Pushing is the owner team's (a pipeline's token); running the
		// collectors and reading their health is for admins.
		{api, "GET /api/v1/services/{name}/facts", paved.ActReadCatalog, byService, s.getFacts},
		{api, "POST /api/v1/services/{name}/facts", paved.ActPushFacts, byService, s.pushFacts},
		{api, "GET /api/v1/services/{name}/facts/drift", paved.ActReadCatalog, byService, s.getServiceDrift},
		{api, "GET /api/v1/facts/drift", paved.ActReadCatalog, nil, s.listDrift},
		{api, "GET /api/v1/facts/collectors", paved.ActCollectFacts, nil, s.listCollectors},
		{api, "POST /api/v1/facts/collectors/{name}/run", paved.ActCollectFacts, nil, s.runCollector},

		// Scorecards: standings, a service's levels, an evaluation now
		// (api_scorecards.go).
		{api, "GET /api/v1/scorecards", paved.ActReadScorecards, nil, s.listScorecards},
		{api, "GET /api/v1/services/{name}/scorecards", paved.ActReadScorecards, byService, s.getServiceScorecards},
		{api, "POST /api/v1/scorecards/evaluate", paved.ActEvaluateScorecards, nil, s.evaluateScorecards},

		// The portal (portal*.go). Pages that show more to some users
		// (edit links, forms) ask s.authorize about each extra.
		{open, "GET /static/", "", nil, s.serveStatic},
		{public, "GET /signin", "", nil, s.signinPage},
		{public, "POST /signin", "", nil, s.signin},
		// Single sign-on (signin_oidc.go, docs/sso.md).
		{public, "GET /auth/oidc/start", "", nil, s.oidcStart},
		{public, "GET /auth/oidc/callback", "", nil, s.oidcCallback},
		{portal, "GET /admin/sign-ins", paved.ActManageUsers, nil, s.unmappedSignInsPage},
		// Signing out ends one's own session: token:own, which every user holds.
		{portal, "POST /signout", paved.ActOwnTokens, nil, s.signout},

		{portal, "GET /{$}", paved.ActReadCatalog, nil, s.homePage},
		{portal, "GET /services", paved.ActReadCatalog, nil, s.servicesPage},
		{portal, "GET /services/{name}", paved.ActReadCatalog, nil, s.servicePage},
		{portal, "GET /services/{name}/edit", paved.ActUpdateService, byService, s.serviceEditPage},
		{portal, "POST /services/{name}/edit", paved.ActUpdateService, byService, s.serviceEdit},
		{portal, "GET /teams", paved.ActReadCatalog, nil, s.teamsPage},
		{portal, "GET /teams/{name}", paved.ActReadCatalog, nil, s.teamPage},
		{portal, "GET /users", paved.ActReadCatalog, nil, s.usersPage},
		{portal, "GET /users/{name}", paved.ActReadCatalog, nil, s.userPage},
		{portal, "GET /audit", paved.ActReadAudit, nil, s.auditPage},

		// The path to production (portal_launch.go, portal_launch_forms.go).
		// The walkthrough forms act on the service of the URL; the handler
		// checks that the walkthrough is that service's.
		{portal, "GET /launches", paved.ActReadCatalog, nil, s.launchesPage},
		{portal, "GET /reviews", paved.ActReadCatalog, nil, s.reviewsPage},
		{portal, "GET /services/{name}/launch", paved.ActReadCatalog, byService, s.launchPage},
		{portal, "GET /services/{name}/launch/packet", paved.ActReadCatalog, byService, s.launchPacket},
		{portal, "GET /services/{name}/launch/items/{item}", paved.ActReadCatalog, byService, s.launchItemPage},
		{portal, "POST /services/{name}/launch/items/{item}/answer", paved.ActAnswer, byService, s.launchAnswer},
		{portal, "POST /services/{name}/launch/items/{item}/review", paved.ActReviewAnswer, byService, s.launchReview},
		{portal, "POST /services/{name}/launch/items/{item}/comments", paved.ActComment, byService, s.launchComment},
		// Forcing the move past the gate needs launch:force too (in the handler).
		{portal, "POST /services/{name}/launch/phase", paved.ActAdvancePhase, byService, s.launchPhase},
		{portal, "POST /services/{name}/launch/contact", paved.ActSetContact, byService, s.launchContact},
		{portal, "POST /services/{name}/launch/assessments", paved.ActAssess, byService, s.launchAssess},
		{portal, "POST /services/{name}/launch/walkthroughs", paved.ActWalkthrough, byService, s.launchSchedule},
		{portal, "POST /services/{name}/launch/walkthroughs/{id}/cancel", paved.ActWalkthrough, byService, s.launchCancel},
		{portal, "POST /services/{name}/launch/walkthroughs/{id}/signoffs", paved.ActSignoff, byService, s.launchSign},
		{portal, "POST /services/{name}/launch/walkthroughs/{id}/follow-ups", paved.ActWalkthrough, byService, s.launchAddFollowUp},
		{portal, "POST /services/{name}/launch/walkthroughs/{id}/follow-ups/{fid}/done", paved.ActWalkthrough, byService, s.launchCompleteFollowUp},

		// Reclassification (portal_reclass.go).
		{portal, "POST /reclassifications/{id}/approve", paved.ActDecideReclass, byReclass, s.reclassApprove},
		{portal, "POST /reclassifications/{id}/reject", paved.ActDecideReclass, byReclass, s.reclassReject},
		{portal, "POST /reclassifications/{id}/withdraw", paved.ActWithdrawReclass, byReclass, s.reclassWithdraw},
		{portal, "POST /services/{name}/reclassifications/force", paved.ActForceReclass, byService, s.reclassForce},

		// Exceptions (portal_exceptions.go).
		{portal, "GET /exceptions", paved.ActReadExceptions, nil, s.exceptionsPage},
		{portal, "GET /exceptions/{id}", paved.ActReadExceptions, byException, s.exceptionPage},
		{portal, "POST /exceptions/{id}/approve", paved.ActDecideException, byException, s.exceptionApprove},
		{portal, "POST /exceptions/{id}/reject", paved.ActDecideException, byException, s.exceptionReject},
		{portal, "POST /exceptions/{id}/comments", paved.ActCommentException, byException, s.exceptionComment},
		{portal, "POST /exceptions/{id}/revoke", paved.ActRevokeException, byException, s.exceptionRevoke},

		// The ownership map (portal_ownership.go).
		{portal, "GET /ownership", paved.ActReadCatalog, nil, s.ownershipPage},
		{portal, "GET /ownership/export", paved.ActReadCatalog, nil, s.ownershipExportPage},
		{portal, "POST /ownership/concerns/{concern}", paved.ActEditOwnership, nil, s.ownershipEdit},
		{portal, "POST /ownership/concerns/{concern}/reset", paved.ActEditOwnership, nil, s.ownershipResetForm},
		{portal, "GET /ownership/responsibilities", paved.ActReadCatalog, nil, s.responsibilitiesPage},
		{portal, "GET /ownership/responsibilities/{type}", paved.ActReadCatalog, nil, s.responsibilitiesPage},

		// Spend (portal_spend.go).
		{portal, "GET /spend", paved.ActReadCost, nil, s.spendPage},
		{portal, "POST /spend/alerts/{id}/plan", paved.ActPlanAlert, byAlert, s.spendPlanAlert},
		{portal, "GET /services/{name}/spend.svg", paved.ActReadCost, nil, s.serviceSpendSVG},

		// Campaigns: rules with an enforce_from date (portal_campaigns.go).
		{portal, "GET /campaigns", paved.ActReadCatalog, nil, s.campaignsPage},

		// Facts: the collectors' health (portal_facts.go); a service's
		// facts are a section of its page.
		{portal, "GET /facts/collectors", paved.ActCollectFacts, nil, s.collectorsPage},

		// Everything no other pattern claims is a portal 404 page (the API
		// registers its own, more specific /api/ catch-alls).
		{public, "GET /", "", nil, s.notFoundPage},
	}
}

// apiRoutes are the API routes of the table that take a bearer token, in
// its order: the route x role test runs them.
func (s *Server) apiRoutes() []route {
	var out []route
	for _, rt := range s.routeTable() {
		if rt.Face == faceAPI {
			out = append(out, rt)
		}
	}
	return out
}

// docRoutes are the routes the OpenAPI document lists: every route under
// /api/, the exchange too.
func (s *Server) docRoutes() []route {
	var out []route
	for _, rt := range s.routeTable() {
		if rt.Face == faceAPI || rt.Face == faceExchange {
			out = append(out, rt)
		}
	}
	return out
}

// apiFallbackMethods are the methods for which /api/ has a catch-all that
// answers unknown routes with problem+json. A catch-all for every method
// ("/api/") would conflict with the portal's "GET /".
var apiFallbackMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// routes registers every route of the table on one mux and wraps it in the
// middleware that every response passes (see instrument).
func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	table := s.routeTable()
	doc, err := buildOpenAPI(s.docRoutes(), s.cfg.Version)
	if err != nil {
		return nil, fmt.Errorf("web: building the OpenAPI document: %w", err)
	}
	s.openapi = doc
	for _, rt := range table {
		switch rt.Face {
		case faceAPI:
			mux.Handle(rt.Pattern, s.api(rt))
		case facePortal:
			mux.Handle(rt.Pattern, s.page(rt))
		case facePublic:
			mux.Handle(rt.Pattern, s.public(rt.Handle))
		case faceOpen:
			mux.Handle(rt.Pattern, openHandler(rt.Handle))
		case faceExchange:
			mux.Handle(rt.Pattern, s.exchangeRoute(rt))
		}
	}
	fallback := s.apiFallback(mux)
	for _, m := range apiFallbackMethods {
		mux.Handle(m+" /api/", fallback)
	}
	return s.instrument(apiOddMethods(mux, fallback)), nil
}

// openHandler serves an operational endpoint or a static asset; they
// write their own answers, errors included, and return nil.
func openHandler(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _ = h(w, r) })
}

// apiOddMethods sends API requests with a method that has no catch-all
// (TRACE, custom methods) to the fallback, so that they too get a
// problem+json answer rather than the mux's plain-text 405.
func apiOddMethods(mux, fallback http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		default:
			if strings.HasPrefix(r.URL.Path, "/api/") {
				fallback.ServeHTTP(w, r)
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// api wraps an API route: authenticate the bearer token, reject query
// parameters the route does not declare (a typo like ?phse= would
// otherwise silently list everything), admit the caller to the route's
// action, run the handler, and render its error as problem+json.
func (s *Server) api(rt route) http.Handler {
	allowed := queryParamsOf(rt.Pattern)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// API responses are per user and often secret (token creation):
		// no cache may keep them.
		w.Header().Set("Cache-Control", "no-store")
		r2, err := s.authenticateAPI(r)
		if err == nil {
			err = checkQuery(r.URL.RawQuery, allowed)
		}
		if err == nil {
			var r3 *http.Request
			if r3, err = s.admit(r2, &rt); err == nil {
				r2 = r3
				err = rt.Handle(w, r2)
			}
		}
		if err != nil {
			s.writeProblem(w, r2, err)
		}
	})
}

// exchangeRoute wraps a route whose credential is in its body: no bearer
// token, no query parameters, errors as problem+json.
func (s *Server) exchangeRoute(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		err := checkQuery(r.URL.RawQuery, nil)
		if err == nil {
			err = rt.Handle(w, r)
		}
		if err != nil {
			s.writeProblem(w, r, err)
		}
	})
}

// checkQuery fails if raw has a parameter that is not in allowed. It scans
// the raw query without building url.Values: this runs on every request.
func checkQuery(raw string, allowed []string) error {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		if strings.ContainsAny(k, "%+") {
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
		}
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return paved.FieldErrorf(paved.EINVALID, k, "unknown query parameter %q: this route takes none", k)
			}
			return paved.FieldErrorf(paved.EINVALID, k, "unknown query parameter %q: want one of %s", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// apiFallback answers /api/ requests that no route matched: 405 with Allow
// when the path exists for other methods, 404 otherwise, both as
// problem+json (API clients should never get an HTML page).
func (s *Server) apiFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pat := mux.Handler(probe); pat != "" && !strings.HasSuffix(pat, " /api/") && strings.Contains(pat, "/api/") {
				allow = append(allow, m)
				if m == "GET" {
					allow = append(allow, "HEAD")
				}
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		if len(allow) == 0 {
			s.writeProblem(w, r, paved.Errorf(paved.ENOTFOUND, "no API route %s %s: see /api/v1/openapi.json for the routes", r.Method, r.URL.Path))
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		st := http.StatusMethodNotAllowed
		sendProblem(w, api.Problem{
			Type:     problemTypeBase + codeMethodNotAllowed,
			Title:    http.StatusText(st),
			Status:   st,
			Detail:   fmt.Sprintf("%s is not allowed on %s: use %s", r.Method, r.URL.Path, strings.Join(allow, ", ")),
			Instance: r.URL.Path,
			Code:     codeMethodNotAllowed,
		})
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}

// readyz reports whether the store answers, so that a load balancer sends
// traffic only to replicas that can serve it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(r.Context(), "not ready: store ping failed", "request_id", requestIDFrom(r.Context()), "error", err.Error())
		st := http.StatusServiceUnavailable
		sendProblem(w, api.Problem{
			Type:     problemTypeBase + "unavailable",
			Title:    http.StatusText(st),
			Status:   st,
			Detail:   "the database does not answer",
			Instance: r.URL.Path,
			Code:     "unavailable",
		})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}
