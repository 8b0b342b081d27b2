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

// apiHandler is an API handler: it writes a success response or returns an
// error, which the api wrapper renders as problem+json. Handlers never write
// errors themselves, so every failure has the same shape.
type apiHandler func(w http.ResponseWriter, r *http.Request) error

// apiRoute is one entry of the API route table. Its documentation (summary,
// parameters, schemas) lives in apiDocs in openapi.go, keyed by Pattern; a
// test keeps the two in step.
type apiRoute struct {
	Method  string
	Path    string
	Handler apiHandler
}

// Pattern is the ServeMux pattern, and the key of the route in apiDocs and
// in the metrics.
func (rt apiRoute) Pattern() string { return rt.Method + " " + rt.Path }

// apiRoutes is every API route. All of them need a bearer token.
func (s *Server) apiRoutes() []apiRoute {
	return []apiRoute{
		{"GET", "/api/v1/openapi.json", s.getOpenAPI},
		{"GET", "/api/v1/me", s.getMe},

		{"GET", "/api/v1/services", s.listServices},
		{"POST", "/api/v1/services", s.createService},
		{"GET", "/api/v1/services/{name}", s.getService},
		{"PATCH", "/api/v1/services/{name}", s.updateService},
		{"POST", "/api/v1/services/{name}/retire", s.retireService},

		{"GET", "/api/v1/teams", s.listTeams},
		{"POST", "/api/v1/teams", s.createTeam},
		{"GET", "/api/v1/teams/{name}", s.getTeam},
		{"PATCH", "/api/v1/teams/{name}", s.updateTeam},
		{"POST", "/api/v1/teams/{name}/retire", s.retireTeam},

		{"GET", "/api/v1/users", s.listUsers},
		{"POST", "/api/v1/users", s.createUser},
		{"GET", "/api/v1/users/{name}", s.getUser},
		{"PATCH", "/api/v1/users/{name}", s.updateUser},
		{"POST", "/api/v1/users/{name}/retire", s.retireUser},

		{"GET", "/api/v1/tokens", s.listTokens},
		{"POST", "/api/v1/tokens", s.createToken},
		{"POST", "/api/v1/tokens/{id}/revoke", s.revokeToken},

		{"GET", "/api/v1/audit", s.listAudit},
		{"GET", "/api/v1/audit/verify", s.verifyAudit},

		{"POST", "/api/v1/catalog/import", s.importCatalog},
		{"GET", "/api/v1/catalog/export", s.exportCatalog},

		// The path to production (api_launch.go).
		{"GET", "/api/v1/services/{name}/launch", s.getLaunch},
		{"GET", "/api/v1/services/{name}/launch/packet", s.getPacket},
		{"GET", "/api/v1/services/{name}/launch/readiness", s.getReadiness},
		{"POST", "/api/v1/services/{name}/launch/upgrade", s.upgradeLaunch},
		{"PUT", "/api/v1/services/{name}/contact", s.putContact},
		{"PUT", "/api/v1/services/{name}/answers/{item}", s.putAnswer},
		{"GET", "/api/v1/services/{name}/answers/{item}/history", s.getAnswerHistory},
		{"POST", "/api/v1/services/{name}/answers/{item}/review", s.reviewAnswer},
		{"GET", "/api/v1/services/{name}/answers/{item}/comments", s.listComments},
		{"POST", "/api/v1/services/{name}/answers/{item}/comments", s.addComment},
		{"POST", "/api/v1/services/{name}/assessments", s.addAssessment},
		{"POST", "/api/v1/services/{name}/phase", s.changePhase},
		{"POST", "/api/v1/services/{name}/walkthroughs", s.scheduleWalkthrough},
		{"POST", "/api/v1/services/{name}/checks", s.recordCheck},
		{"GET", "/api/v1/walkthroughs/{id}", s.getWalkthrough},
		{"POST", "/api/v1/walkthroughs/{id}/cancel", s.cancelWalkthrough},
		{"POST", "/api/v1/walkthroughs/{id}/signoffs", s.addSignoff},
		{"POST", "/api/v1/walkthroughs/{id}/follow-ups", s.addFollowUp},
		{"POST", "/api/v1/walkthroughs/{id}/follow-ups/{fid}/done", s.completeFollowUp},
		{"GET", "/api/v1/launches/blocked", s.listBlocked},
		{"GET", "/api/v1/reviews", s.getReviews},
		{"GET", "/api/v1/templates/{kind}", s.getTemplate},
		{"GET", "/api/v1/templates/{kind}/{version}", s.getTemplate},

		// The ownership map (api_ownership.go).
		{"GET", "/api/v1/ownership", s.getOwnership},
		{"PUT", "/api/v1/ownership/concerns/{concern}", s.putOwnershipConcern},
		{"DELETE", "/api/v1/ownership/concerns/{concern}", s.deleteOwnershipConcern},
		{"GET", "/api/v1/ownership/export", s.exportOwnership},
		{"GET", "/api/v1/ownership/gaps", s.getOwnershipGaps},
		{"GET", "/api/v1/ownership/responsibilities", s.listResponsibilities},
		{"GET", "/api/v1/ownership/responsibilities/{type}", s.getResponsibilities},
		{"GET", "/api/v1/services/{name}/ownership", s.getServiceOwnership},
		{"GET", "/api/v1/services/{name}/check-resources", s.getCheckResources},

		// Exceptions (api_exceptions.go).
		{"GET", "/api/v1/exceptions", s.listExceptions},
		{"POST", "/api/v1/exceptions", s.requestException},
		{"GET", "/api/v1/exceptions/export", s.exportExceptions},
		{"GET", "/api/v1/exceptions/key", s.getExceptionKey},
		{"GET", "/api/v1/exceptions/{id}", s.getException},
		{"POST", "/api/v1/exceptions/{id}/approve", s.approveException},
		{"POST", "/api/v1/exceptions/{id}/reject", s.rejectException},
		{"POST", "/api/v1/exceptions/{id}/comments", s.commentException},
		{"POST", "/api/v1/exceptions/{id}/revoke", s.revokeException},
		{"GET", "/api/v1/checks/{id}/coverage", s.getCoverage},

		// Notifications: the outbox and the webhook delivery log (api_notifications.go).
		{"GET", "/api/v1/notifications", s.listNotifications},
		{"GET", "/api/v1/deliveries", s.listDeliveries},

		// The platform config: its version and reload state, the impact of
		// a proposed config, campaigns (api_config.go, portal_campaigns.go).
		{"GET", "/api/v1/config", s.getConfigStatus},
		{"POST", "/api/v1/config/impact", s.postConfigImpact},
		{"GET", "/api/v1/campaigns", s.listCampaigns},

		// Spend: billing ingest, reports, budgets and alerts (api_cost.go).
		{"POST", "/api/v1/cost/ingest", s.ingestCost},
		{"GET", "/api/v1/cost/batches", s.listCostBatches},
		{"GET", "/api/v1/cost/report", s.getCostReport},
		{"GET", "/api/v1/cost/daily", s.getCostDaily},
		{"GET", "/api/v1/cost/untagged", s.listUntagged},
		{"GET", "/api/v1/cost/budgets", s.listBudgets},
		{"PUT", "/api/v1/cost/budgets/{scope}/{name}", s.putBudget},
		{"DELETE", "/api/v1/cost/budgets/{scope}/{name}", s.deleteBudget},
		{"GET", "/api/v1/cost/alerts", s.listCostAlerts},
		{"POST", "/api/v1/cost/alerts/{id}/plan", s.planCostAlert},
		{"POST", "/api/v1/cost/evaluate", s.evaluateCost},
		{"POST", "/api/v1/cost/reallocate", s.reallocateCost},
		{"GET", "/api/v1/services/{name}/budget", s.getServiceBudget},
	}
}

// apiFallbackMethods are the methods for which /api/ has a catch-all that
// answers unknown routes with problem+json. A catch-all for every method
// ("/api/") would conflict with the portal's "GET /".
var apiFallbackMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// routes registers every route on one mux and wraps it in the middleware
// that every response passes (see instrument).
func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()

	// Operational endpoints: no token, so that probes and scrapers need no
	// secret. They reveal nothing about the catalog.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metrics.handler)

	routes := s.apiRoutes()
	doc, err := buildOpenAPI(routes, s.cfg.Version)
	if err != nil {
		return nil, fmt.Errorf("web: building the OpenAPI document: %w", err)
	}
	s.openapi = doc
	for _, rt := range routes {
		mux.Handle(rt.Pattern(), s.api(queryParamsOf(rt.Pattern()), rt.Handler))
	}
	fallback := s.apiFallback(mux)
	for _, m := range apiFallbackMethods {
		mux.Handle(m+" /api/", fallback)
	}

	s.portalRoutes(mux)
	return s.instrument(apiOddMethods(mux, fallback)), nil
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

// api wraps an API handler: authenticate the bearer token, reject query
// parameters the route does not declare (a typo like ?phse= would
// otherwise silently list everything), run the handler, and render its
// error as problem+json.
func (s *Server) api(allowed []string, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// API responses are per user and often secret (token creation):
		// no cache may keep them.
		w.Header().Set("Cache-Control", "no-store")
		r2, err := s.authenticateAPI(r)
		if err == nil {
			err = checkQuery(r.URL.RawQuery, allowed)
		}
		if err == nil {
			err = h(w, r2)
		}
		if err != nil {
			s.writeProblem(w, r2, err)
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

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz reports whether the store answers, so that a load balancer sends
// traffic only to replicas that can serve it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
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
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
