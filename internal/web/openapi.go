package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/facts"
	"github.com/paved-dev/paved/internal/identity"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/ownership"
)

// The OpenAPI document is built at start-up from the route table (paths and
// methods) and from apiDocs below (what each operation takes and returns),
// with JSON schemas derived by reflection from the very types the handlers
// encode and decode, so that the document cannot drift from the code. A
// test fails when a route has no entry in apiDocs or an entry no route;
// testdata/openapi.json is a golden copy so that changes show in review.

// param is one query parameter of an operation. The api wrapper rejects
// query parameters that the operation does not declare here.
type param struct {
	Name   string
	Desc   string
	Schema map[string]any
}

// opDoc documents one operation.
type opDoc struct {
	ID      string
	Summary string
	Tag     string
	Query   []param
	Body    any // zero value of the request body type; nil: no body
	// BodyName is the component name for Body when it is not its Go name.
	BodyName string
	OK       int    // success status
	Result   any    // zero value of the success body type
	Name     string // component name for Result when its Go name is not one (generic lists)
	Errors   []int  // statuses besides 401 and 500 that the operation returns
	Content  string // success content type; default application/json
	// AltContent are further success content types with the same schema
	// (the packet is Markdown or HTML, by a query parameter).
	AltContent []string
	// BodyContent are the content types of a body that is not JSON (a
	// file upload), sent as bytes.
	BodyContent []string
	// NoAuth: the operation takes no bearer token (its credential is in
	// the body).
	NoAuth bool
}

var (
	pOffset         = param{"offset", "Number of items to skip.", map[string]any{"type": "integer", "minimum": 0, "default": 0}}
	pLimit          = param{"limit", "Page size.", map[string]any{"type": "integer", "minimum": 1, "maximum": paved.MaxLimit, "default": paved.DefaultLimit}}
	pQ              = param{"q", "Case-insensitive substring of name, title or description.", map[string]any{"type": "string", "maxLength": maxQueryText}}
	pIncludeRetired = param{"include_retired", "Include retired entries.", map[string]any{"type": "boolean", "default": false}}
	pTeam           = param{"team", "Owning team name.", map[string]any{"type": "string"}}
	pMonth          = param{"month", "The month, YYYY-MM (default: the month of the latest billing data).", map[string]any{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}}
	pBy             = param{"by", "Group by team, service, account or category (the FOCUS ChargeCategory).", map[string]any{"type": "string", "enum": []string{"team", "service", "account", "category"}, "default": "team"}}
)

func enumSchema[T ~string](vs []T) map[string]any {
	e := make([]string, len(vs))
	for i, v := range vs {
		e[i] = string(v)
	}
	return map[string]any{"type": "string", "enum": e}
}

// apiDocs documents every API route, keyed by its mux pattern.
var apiDocs = map[string]opDoc{
	"GET /api/v1/openapi.json": {ID: "getOpenAPI", Summary: "This document.", Tag: "meta", Result: map[string]any{}, Name: "OpenAPIDocument"},
	"GET /api/v1/me":           {ID: "getMe", Summary: "The user the token belongs to.", Tag: "meta", Result: paved.User{}},

	"GET /api/v1/services": {ID: "listServices", Summary: "List services, filtered and paged.", Tag: "services",
		Query: []param{pTeam,
			{"phase", "Phase.", enumSchema(paved.Phases)},
			{"tier", "Tier, 1 (business critical) to 4 (internal tool).", map[string]any{"type": "integer", "minimum": 1, "maximum": 4}},
			{"data_class", "Data class.", enumSchema(paved.DataClasses)},
			pQ, pIncludeRetired, pOffset, pLimit},
		Result: api.List[*paved.Service]{}, Name: "ServiceList", Errors: []int{400}},
	"POST /api/v1/services": {ID: "createService", Summary: "Register a service. It starts in playground; only an admin may set another phase.", Tag: "services",
		Body: paved.Service{}, OK: 201, Result: paved.Service{}, Errors: []int{400, 403, 409, 413, 422}},
	"GET /api/v1/services/{name}": {ID: "getService", Summary: "Show one service.", Tag: "services",
		Result: paved.Service{}, Errors: []int{404}},
	"PATCH /api/v1/services/{name}": {ID: "updateService", Summary: "Change fields of a service. A developer must belong to the current and the new owner. Lowering the tier or data class of a service whose launch is under way is not applied: with reclassify_reason it becomes a reclassification request (202, Location names it; the other fields are applied), without it 400.", Tag: "services",
		Body: paved.ServiceUpdate{}, Result: paved.Service{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/services/{name}/retire": {ID: "retireService", Summary: "Retire a service.", Tag: "services",
		Result: paved.Service{}, Errors: []int{403, 404, 409}},

	"GET /api/v1/teams": {ID: "listTeams", Summary: "List teams, filtered and paged.", Tag: "teams",
		Query:  []param{{"kind", "Team kind.", enumSchema(paved.TeamKinds)}, pQ, pIncludeRetired, pOffset, pLimit},
		Result: api.List[*paved.Team]{}, Name: "TeamList", Errors: []int{400}},
	"POST /api/v1/teams": {ID: "createTeam", Summary: "Create a team (admin).", Tag: "teams",
		Body: paved.Team{}, OK: 201, Result: paved.Team{}, Errors: []int{400, 403, 409, 413, 422}},
	"GET /api/v1/teams/{name}": {ID: "getTeam", Summary: "Show one team with its members, child teams and service count.", Tag: "teams",
		Result: paved.Team{}, Errors: []int{404}},
	"PATCH /api/v1/teams/{name}": {ID: "updateTeam", Summary: "Change fields of a team (admin).", Tag: "teams",
		Body: paved.TeamUpdate{}, Result: paved.Team{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/teams/{name}/retire": {ID: "retireTeam", Summary: "Retire a team (admin).", Tag: "teams",
		Result: paved.Team{}, Errors: []int{403, 404, 409}},

	"GET /api/v1/users": {ID: "listUsers", Summary: "List users, filtered and paged.", Tag: "users",
		Query:  []param{{"team", "Member of this team.", map[string]any{"type": "string"}}, {"role", "Holds this role.", enumSchema(paved.Roles)}, pQ, pIncludeRetired, pOffset, pLimit},
		Result: api.List[*paved.User]{}, Name: "UserList", Errors: []int{400}},
	"POST /api/v1/users": {ID: "createUser", Summary: "Create a user (admin).", Tag: "users",
		Body: paved.User{}, OK: 201, Result: paved.User{}, Errors: []int{400, 403, 409, 413, 422}},
	"GET /api/v1/users/{name}": {ID: "getUser", Summary: "Show one user.", Tag: "users",
		Result: paved.User{}, Errors: []int{404}},
	"PATCH /api/v1/users/{name}": {ID: "updateUser", Summary: "Change fields of a user (admin).", Tag: "users",
		Body: paved.UserUpdate{}, Result: paved.User{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/users/{name}/retire": {ID: "retireUser", Summary: "Retire a user (admin).", Tag: "users",
		Result: paved.User{}, Errors: []int{403, 404, 409}},

	"GET /api/v1/tokens": {ID: "listTokens", Summary: "List a user's tokens (default: your own; another user's needs admin).", Tag: "tokens",
		Query:  []param{{"user", "Owner of the tokens.", map[string]any{"type": "string"}}},
		Result: api.List[*paved.Token]{}, Name: "TokenList", Errors: []int{400, 403, 404}},
	"POST /api/v1/tokens": {ID: "createToken", Summary: "Create a token. The secret is in this response only.", Tag: "tokens",
		Body: api.TokenRequest{}, OK: 201, Result: api.TokenCreated{}, Errors: []int{400, 403, 413, 422}},
	"POST /api/v1/tokens/{id}/revoke": {ID: "revokeToken", Summary: "Revoke a token (your own; another user's needs admin).", Tag: "tokens",
		Result: paved.Token{}, Errors: []int{400, 403, 404, 409}},
	"POST /api/v1/auth/ci-token": {ID: "exchangeCIToken", Summary: "Exchange a CI job's OpenID Connect ID token (GitHub Actions, GitLab CI; trusted in paved.yaml's ci.trust) for a short-lived paved token that records checks and requests exceptions for the services built from the job's repository. No bearer token: the ID token is the credential. Also takes the RFC 8693 token-exchange form. docs/ci.md.", Tag: "tokens",
		Body: api.CITokenRequest{}, BodyContent: []string{"application/x-www-form-urlencoded"}, Result: identity.ExchangeResponse{}, Errors: []int{400, 403, 413, 429}, NoAuth: true},

	"GET /api/v1/audit": {ID: "listAudit", Summary: "List audit events, newest first (admin, security, architect).", Tag: "audit",
		Query: []param{{"object_type", "Object type.", map[string]any{"type": "string", "enum": auditObjectTypes}},
			{"object_id", "Object name (or token id).", map[string]any{"type": "string"}},
			{"actor", "Who made the change.", map[string]any{"type": "string"}},
			pOffset, pLimit},
		Result: api.List[*paved.AuditEvent]{}, Name: "AuditEventList", Errors: []int{400, 403}},
	"GET /api/v1/audit/verify": {ID: "verifyAudit", Summary: "Verify the hash chain of the whole audit log and name every altered, inserted or deleted event.", Tag: "audit",
		Query:  []param{{"expect", "A head the log must still reach, SEQ:HASH (from a signed anchor); repeatable.", map[string]any{"type": "string"}}},
		Result: api.AuditVerification{}, Errors: []int{400, 403}},
	"GET /api/v1/audit/anchor": {ID: "anchorAudit", Summary: "Verify the audit log and sign its head (sequence number and hash) with the server's Ed25519 key: an anchor to keep outside the database.", Tag: "audit",
		Result: paved.AuditAnchor{}, Errors: []int{403, 422}},

	"POST /api/v1/catalog/import": {ID: "importCatalog", Summary: "Import Backstage catalog-info.yaml files (admin). Invalid entities are reported and left out.", Tag: "catalog",
		Query: []param{{"dry_run", "Report the outcome without writing.", map[string]any{"type": "boolean", "default": false}},
			{"strict", "Make every warning (a reference to an entity neither in the import nor in the catalog, kept dangling by default) an error that leaves its entity out.", map[string]any{"type": "boolean", "default": false}}},
		Body: api.ImportRequest{}, Result: api.ImportResult{}, Errors: []int{400, 403, 409, 413}},
	"GET /api/v1/catalog/export": {ID: "exportCatalog", Summary: "Export the catalog as Backstage YAML.", Tag: "catalog",
		Result: "", Content: "application/yaml", Errors: []int{403}},

	// The path to production.
	"GET /api/v1/services/{name}/launch": {ID: "getLaunch", Summary: "Where a service stands on the path to production: phase, progress per area, every item with its answer or evidence, the next gate's gaps and the next step.", Tag: "launch",
		Result: launch.Status{}, Name: "LaunchStatus", Errors: []int{404}},
	"GET /api/v1/services/{name}/launch/packet": {ID: "getLaunchPacket", Summary: "The walkthrough packet: the service, questionnaire, checklist with answers and evidence, gaps, assessments, latest guard-rail findings, as Markdown or a printable self-contained HTML page.", Tag: "launch",
		Query:  []param{{"format", "md (default) or html.", map[string]any{"type": "string", "enum": []string{"md", "html"}, "default": "md"}}},
		Result: "", Content: "text/markdown", AltContent: []string{"text/html"}, Errors: []int{400, 404}},
	"GET /api/v1/services/{name}/launch/readiness": {ID: "getReadiness", Summary: "Readiness over time, replayed from the answer history (automatic evidence is not replayed).", Tag: "launch",
		Result: api.List[launch.ReadinessPoint]{}, Name: "ReadinessList", Errors: []int{404}},
	"POST /api/v1/services/{name}/launch/upgrade": {ID: "upgradeTemplate", Summary: "Show the differences between the pinned and the configured template version; with apply, pin the configured one (developer of the owning team).", Tag: "launch",
		Body: api.UpgradeRequest{}, Result: launch.Upgrade{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"PUT /api/v1/services/{name}/contact": {ID: "setContact", Summary: "Assign the enablement contact, a member of an enablement team (\"\" removes it).", Tag: "launch",
		Body: api.ContactRequest{}, Result: api.ContactResponse{}, Errors: []int{400, 403, 404, 413, 422}},
	"PUT /api/v1/services/{name}/answers/{item}": {ID: "answerItem", Summary: "Answer a questionnaire or checklist item: text, links, or n/a with a reason (developer of the owning team).", Tag: "launch",
		Body: launch.AnswerInput{}, Result: paved.Answer{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"GET /api/v1/services/{name}/answers/{item}/history": {ID: "getAnswerHistory", Summary: "Every revision of an answer, oldest first.", Tag: "launch",
		Result: api.List[*paved.AnswerRevision]{}, Name: "AnswerRevisionList", Errors: []int{404}},
	"POST /api/v1/services/{name}/answers/{item}/review": {ID: "reviewAnswer", Summary: "Accept an n/a reason, or open or close a follow-up flag (reviewer, architect or security outside the owning team).", Tag: "launch",
		Body: paved.AnswerReview{}, Result: paved.Answer{}, Errors: []int{400, 403, 404, 413, 422}},
	"GET /api/v1/services/{name}/answers/{item}/comments": {ID: "listComments", Summary: "The dialogue on an item, oldest first.", Tag: "launch",
		Result: api.List[*paved.Comment]{}, Name: "CommentList", Errors: []int{404}},
	"POST /api/v1/services/{name}/answers/{item}/comments": {ID: "addComment", Summary: "Comment on an item (the owning team's developers and the enablement side).", Tag: "launch",
		Body: api.CommentRequest{}, OK: 201, Result: paved.Comment{}, Errors: []int{400, 403, 404, 413, 422}},
	"POST /api/v1/services/{name}/assessments": {ID: "addAssessment", Summary: "Record a security assessment or a load profile (the owning team's developers, or security).", Tag: "launch",
		Body: paved.Assessment{}, OK: 201, Result: paved.Assessment{}, Errors: []int{400, 403, 404, 413, 422}},
	"POST /api/v1/services/{name}/phase": {ID: "changePhase", Summary: "Move a service through its next gate (to: the next phase by default; retired needs no gate). A refused move is a 422 listing every gap. force with a reason skips the gate (admin).", Tag: "launch",
		Body: api.PhaseRequest{}, Result: paved.PhaseChange{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/services/{name}/walkthroughs": {ID: "scheduleWalkthrough", Summary: "Schedule the product technical walkthrough with its participants.", Tag: "launch",
		Body: api.WalkthroughRequest{}, OK: 201, Result: launch.WalkthroughStatus{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/services/{name}/checks": {ID: "recordCheck", Summary: "Record a guard-rail check of the service (paved check --server --service): what ran and what it found, never the plan. The server sets actor and time.", Tag: "launch",
		Body: paved.CheckRecord{}, OK: 201, Result: paved.CheckRecord{}, Errors: []int{400, 403, 404, 413, 422}},
	"GET /api/v1/walkthroughs/{id}": {ID: "getWalkthrough", Summary: "A walkthrough with its sign-offs, required roles and outcome.", Tag: "launch",
		Result: launch.WalkthroughStatus{}, Errors: []int{400, 404}},
	"POST /api/v1/walkthroughs/{id}/cancel": {ID: "cancelWalkthrough", Summary: "Cancel a walkthrough; it takes no more sign-offs. One in which a signer asked for changes or vetoed is cancelled only by that signer or an admin with a reason (the body is optional otherwise). The next walkthrough carries over its open objections and follow-ups.", Tag: "launch",
		Body: api.ReasonRequest{}, Result: launch.WalkthroughStatus{}, Errors: []int{400, 403, 404, 409, 413}},
	"POST /api/v1/walkthroughs/{id}/signoffs": {ID: "signWalkthrough", Summary: "Sign a walkthrough in a role: approve, request changes or veto (who may sign in which role follows the launch rules).", Tag: "launch",
		Body: api.SignoffRequest{}, Result: launch.WalkthroughStatus{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/walkthroughs/{id}/follow-ups": {ID: "addFollowUp", Summary: "Add a follow-up action with an owner and a due date.", Tag: "launch",
		Body: api.FollowUpRequest{}, OK: 201, Result: paved.FollowUp{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/walkthroughs/{id}/follow-ups/{fid}/done": {ID: "completeFollowUp", Summary: "Mark a follow-up done.", Tag: "launch",
		Result: paved.FollowUp{}, Errors: []int{400, 403, 404, 409}},
	"GET /api/v1/launches/blocked": {ID: "listBlocked", Summary: "Services on their way to production and what stands between each and its next phase.", Tag: "launch",
		Query:  []param{pTeam},
		Result: api.List[*launch.Blocked]{}, Name: "BlockedList", Errors: []int{400}},
	"GET /api/v1/reviews": {ID: "getReviews", Summary: "What waits for the caller: walkthroughs to sign, n/a answers to accept, open flags, services they are the contact for.", Tag: "launch",
		Result: launch.Inbox{}},
	"GET /api/v1/templates/{kind}": {ID: "getTemplate", Summary: "The configured questionnaire or checklist.", Tag: "launch",
		Result: paved.Template{}, Errors: []int{400}},
	"GET /api/v1/templates/{kind}/{version}": {ID: "getTemplateVersion", Summary: "One version of the questionnaire or checklist, as pinned by services.", Tag: "launch",
		Result: paved.Template{}, Errors: []int{400, 404}},

	// Exceptions (api_exceptions.go).
	"GET /api/v1/exceptions": {ID: "listExceptions", Summary: "List exceptions, newest request first (status=pending: the reviewers' queue, oldest first).", Tag: "exceptions",
		Query: []param{{"service", "Service name.", map[string]any{"type": "string"}}, pTeam,
			{"status", "Status at now (expired: pending or approved past their expiry).", enumSchema(paved.ExceptionStatuses)},
			{"expiring", "Only approved exceptions within the configured notice of their expiry.", map[string]any{"type": "boolean", "default": false}},
			pOffset, pLimit},
		Result: api.List[*paved.Exception]{}, Name: "ExceptionList", Errors: []int{400}},
	"POST /api/v1/exceptions": {ID: "requestException", Summary: "Request exceptions for deny findings of a recorded check (one by fingerprint, a rule on a resource, or every uncovered one). An identical pending request is reused: 201 when one was opened, 200 otherwise.", Tag: "exceptions",
		Body: exception.RequestInput{}, OK: 201, Result: exception.RequestResult{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"GET /api/v1/exceptions/export": {ID: "exportExceptions", Summary: "The approved, unexpired exceptions as a file signed with the server's Ed25519 key, for paved check --exceptions FILE --trust KEY.", Tag: "exceptions",
		Query:  []param{{"service", "Only this service's exceptions.", map[string]any{"type": "string"}}},
		Result: exception.File{}, Errors: []int{400, 404}},
	"GET /api/v1/exceptions/key": {ID: "getExceptionKey", Summary: "The public key exports are signed with (paved check --trust).", Tag: "exceptions",
		Result: api.PublicKeyResponse{}},
	"GET /api/v1/exceptions/{id}": {ID: "getException", Summary: "One exception with its offending values, justification, decision and comment thread.", Tag: "exceptions",
		Result: paved.Exception{}, Errors: []int{400, 404}},
	"POST /api/v1/exceptions/{id}/approve": {ID: "approveException", Summary: "Approve a pending request with an expiry (bounded by the configured maximum) and optional conditions. A reviewer of an enablement team outside the requesting team (security role for security rules); never the requester.", Tag: "exceptions",
		Body: api.ApproveRequest{}, Result: paved.Exception{}, Errors: []int{400, 403, 404, 409, 413, 422}},
	"POST /api/v1/exceptions/{id}/reject": {ID: "rejectException", Summary: "Reject a pending request with a reason (the same reviewers as approve).", Tag: "exceptions",
		Body: api.ReasonRequest{}, Result: paved.Exception{}, Errors: []int{400, 403, 404, 409, 413}},
	"POST /api/v1/exceptions/{id}/comments": {ID: "commentException", Summary: "Ask or answer a question in the request's thread.", Tag: "exceptions",
		Body: api.CommentRequest{}, OK: 201, Result: paved.ExceptionComment{}, Errors: []int{400, 403, 404, 413}},
	"POST /api/v1/exceptions/{id}/revoke": {ID: "revokeException", Summary: "Withdraw a pending or approved exception with a reason; it covers nothing from now on.", Tag: "exceptions",
		Body: api.ReasonRequest{}, Result: paved.Exception{}, Errors: []int{400, 403, 404, 409, 413}},
	"GET /api/v1/reclassifications": {ID: "listReclassifications", Summary: "List reclassification requests (lowering a launch's tier or data class), newest first.", Tag: "reclassification",
		Query: []param{{"service", "Service name.", map[string]any{"type": "string"}},
			{"status", "Status.", enumSchema([]paved.ReclassStatus{paved.ReclassPending, paved.ReclassApproved, paved.ReclassRejected, paved.ReclassForced, paved.ReclassWithdrawn})},
			pOffset, pLimit},
		Result: api.List[*paved.Reclassification]{}, Name: "ReclassificationList", Errors: []int{400, 404}},
	"GET /api/v1/reclassifications/{id}": {ID: "getReclassification", Summary: "One reclassification request.", Tag: "reclassification",
		Result: paved.Reclassification{}, Errors: []int{400, 404}},
	"POST /api/v1/reclassifications/{id}/approve": {ID: "approveReclassification", Summary: "Approve a pending request: the service and the gates of its launch take the classification asked for. An architect or security engineer outside the owning team; never the requester.", Tag: "reclassification",
		Body: api.DecideRequest{}, Result: paved.Reclassification{}, Errors: []int{400, 403, 404, 409, 413}},
	"POST /api/v1/reclassifications/{id}/reject": {ID: "rejectReclassification", Summary: "Reject a pending request with a comment (the same deciders as approve).", Tag: "reclassification",
		Body: api.DecideRequest{}, Result: paved.Reclassification{}, Errors: []int{400, 403, 404, 409, 413}},
	"POST /api/v1/reclassifications/{id}/withdraw": {ID: "withdrawReclassification", Summary: "Withdraw a pending request: its requester only. The service and the gates of its launch keep their classification.", Tag: "reclassification",
		Result: paved.Reclassification{}, Errors: []int{400, 403, 404, 409}},
	"POST /api/v1/services/{name}/reclassifications": {ID: "requestReclassification", Summary: "Ask for a tier and/or data class. Lowering a service whose launch is under way opens a request (201); raising, or a playground service whose launch has not started, is applied at once (200).", Tag: "reclassification",
		Body: api.ReclassifyRequest{}, OK: 201, Result: launch.UpdateResult{}, Errors: []int{400, 403, 404, 409, 413}},
	"POST /api/v1/services/{name}/reclassifications/force": {ID: "forceReclassification", Summary: "Set a service's tier and/or data class without a decision, with a reason the audit log keeps (admins); a pending request is withdrawn.", Tag: "reclassification",
		Body: api.ReclassifyRequest{}, OK: 201, Result: paved.Reclassification{}, Errors: []int{400, 403, 404, 413}},
	"GET /api/v1/checks/{id}/coverage": {ID: "getCoverage", Summary: "Which deny findings of a recorded check valid exceptions cover, which wait for a decision, which were rejected.", Tag: "exceptions",
		Result: paved.ExceptionCoverage{}, Errors: []int{400, 404}},

	// Notifications.
	"GET /api/v1/notifications": {ID: "listNotifications", Summary: "The notifications outbox, newest first (admin): every event paved announced to the webhooks of paved.yaml.", Tag: "notifications",
		Query: []param{{"kind", "Notification kind.", map[string]any{"type": "string", "enum": paved.NotificationKinds}},
			{"service", "Service name.", map[string]any{"type": "string"}},
			{"team", "Team name.", map[string]any{"type": "string"}},
			pOffset, pLimit},
		Result: api.List[*paved.Notification]{}, Name: "NotificationList", Errors: []int{400, 403}},
	"GET /api/v1/deliveries": {ID: "listDeliveries", Summary: "Webhook deliveries with their latest attempts (the delivery log), newest first (admin).", Tag: "notifications",
		Query: []param{{"status", "Delivery status.", enumSchema(paved.DeliveryStatuses)},
			{"target", "Webhook name in paved.yaml.", map[string]any{"type": "string"}},
			{"notification", "Notification id.", map[string]any{"type": "integer", "minimum": 1}},
			pOffset, pLimit},
		Result: api.List[*paved.Delivery]{}, Name: "DeliveryList", Errors: []int{400, 403}},

	// The ownership map (api_ownership.go).
	"GET /api/v1/ownership": {ID: "getOwnership", Summary: "The effective ownership map (ownership.yaml overlaid by admin edits): concerns by layer with their owner and RACI teams, the teams they resolve to, and the map's problems (unknown teams, concerns without an owner).", Tag: "ownership",
		Query: []param{{"team", "Only concerns where this team (a catalog team name or a reference such as cloud-engineering or product-team) has a role.", map[string]any{"type": "string"}},
			{"concern", "Only this concern.", map[string]any{"type": "string"}}},
		Result: ownership.View{}, Name: "OwnershipMap", Errors: []int{400, 404, 422}},
	"PUT /api/v1/ownership/concerns/{concern}": {ID: "editOwnership", Summary: "Reassign a concern: its owner and RACI teams replace the config file's until reset (admin).", Tag: "ownership",
		Body: api.OwnershipEditRequest{}, Result: ownership.Concern{}, Name: "OwnershipConcern", Errors: []int{400, 403, 404, 413, 422}},
	"DELETE /api/v1/ownership/concerns/{concern}": {ID: "resetOwnership", Summary: "Remove the admin edit of a concern: the config file's assignment applies again (admin).", Tag: "ownership",
		Result: ownership.Concern{}, Name: "OwnershipConcern", Errors: []int{403, 404}},
	"GET /api/v1/ownership/export": {ID: "exportOwnership", Summary: "The effective map as an ownership.yaml to commit to the platform config repository.", Tag: "ownership",
		Result: "", Content: "application/yaml"},
	"GET /api/v1/ownership/gaps": {ID: "getOwnershipGaps", Summary: "Concerns no team owns, and services whose resources leave a team-owned concern unaddressed (the vendor would cover it once switched on).", Tag: "ownership",
		Result: ownership.GapReport{}},
	"GET /api/v1/ownership/responsibilities": {ID: "listResponsibilities", Summary: "Every shared-responsibility table: per managed resource type, who covers each concern (vendor, vendor once enabled, team), with a source per row.", Tag: "ownership",
		Result: api.List[*ownership.Table]{}, Name: "ResponsibilityTableList"},
	"GET /api/v1/ownership/responsibilities/{type}": {ID: "getResponsibilities", Summary: "The shared-responsibility table of one resource type (aws_db_instance ...).", Tag: "ownership",
		Result: ownership.Table{}, Name: "ResponsibilityTable", Errors: []int{404}},
	"GET /api/v1/services/{name}/ownership": {ID: "getServiceOwnership", Summary: "The concerns the resources of the service's latest recorded check raise, who must handle or switch them on, and whether the plan shows them handled.", Tag: "ownership",
		Result: ownership.ServiceReport{}, Errors: []int{404}},
	"GET /api/v1/services/{name}/check-resources": {ID: "getCheckResources", Summary: "The normalised resources of the service's latest recorded check that carried any (sensitive values masked): address, type, action, planned attributes, tags, region.", Tag: "ownership",
		Result: paved.CheckResources{}, Errors: []int{404}},

	// Facts (api_facts.go).
	"GET /api/v1/services/{name}/facts": {ID: "listFacts", Summary: "The service's facts: what the collectors observed and pipelines pushed, with source, observation time and expiry (expired ones included; only current ones count as evidence).", Tag: "facts",
		Query:  []param{{"source", "Only the facts of this source: a collector's name from paved.yaml, or push.", map[string]any{"type": "string"}}},
		Result: api.ServiceFacts{}, Errors: []int{400, 404}},
	"POST /api/v1/services/{name}/facts": {ID: "pushFacts", Summary: "Push facts of the service from a pipeline (a deploy, a restore test, a load test), recorded as the caller's; keys of the collectors' kinds (github.*, kube.* ...) are refused. Answers the changes made (none when the values were already stored).", Tag: "facts",
		Body: api.FactPushRequest{}, Result: api.FactPushResult{}, Errors: []int{400, 403, 404, 413}},
	"GET /api/v1/services/{name}/facts/drift": {ID: "getServiceDrift", Summary: "Where the cluster's facts contradict the service's latest checked manifests: images the manifests never named, fewer replicas than declared, workloads the check never saw.", Tag: "facts",
		Result: facts.DriftReport{}, Errors: []int{404}},
	"GET /api/v1/facts/drift": {ID: "listDrift", Summary: "Drift between the cluster and the checked manifests for every service that has some.", Tag: "facts",
		Result: []*facts.DriftReport{}, Name: "DriftReports"},
	"GET /api/v1/facts/collectors": {ID: "listCollectors", Summary: "Every configured collector's latest run and health: last success, consecutive failures, services observed and failed, facts and changes (admins).", Tag: "facts",
		Result: []*paved.CollectorRun{}, Name: "CollectorRuns", Errors: []int{403}},
	"POST /api/v1/facts/collectors/{name}/run": {ID: "runCollector", Summary: "Run a collector once now, over every active service or those named, and answer what changed; a run that failed says why in run.error and still records what it observed (admins).", Tag: "facts",
		Query:  []param{{"service", "Observe only this service (repeat for several); default every active service and the organisation's catalog files.", map[string]any{"type": "string"}}},
		Result: facts.RunResult{}, Errors: []int{400, 403, 404}},

	// Scorecards (api_scorecards.go).
	"GET /api/v1/scorecards": {ID: "listScorecards", Summary: "Every service's current standing per scorecard as last recorded (the daily job or an evaluation on demand): level, score, failing rules, the day last evaluated and since when the standing holds; by service then scorecard.", Tag: "scorecards",
		Query: []param{
			{"team", "Only the services of this team.", map[string]any{"type": "string"}},
			{"scorecard", "Only this scorecard (its id).", map[string]any{"type": "string"}},
			{"level", "Only standings at this level id; none for the services that reach no level.", map[string]any{"type": "string"}},
		},
		Result: []*paved.ScorecardResult{}, Name: "ScorecardResults"},
	"GET /api/v1/services/{name}/scorecards": {ID: "getServiceScorecards", Summary: "The service's level on each scorecard that applies to it, evaluated now: every rule with its evidence, what is missing for the next level and the next step.", Tag: "scorecards",
		Result: api.ScorecardStanding{}, Errors: []int{404}},
	"POST /api/v1/scorecards/evaluate": {ID: "evaluateScorecards", Summary: "Evaluate every service on its scorecards now and record the standings, as the daily job does: a change of level is audited and a regression notifies the owning team (admins).", Tag: "scorecards",
		Result: api.ScorecardEvaluateResult{}, Errors: []int{403}},

	// The platform config (api_config.go, portal_campaigns.go).
	"GET /api/v1/config": {ID: "getConfigStatus", Summary: "The platform config in force (its version: content hash and git commit), the reloads and refused configs since start; the directory and a refused config's error for admins only.", Tag: "config",
		Result: api.ConfigStatusResponse{}},
	"POST /api/v1/config/impact": {ID: "analyseConfigImpact", Summary: "Re-evaluate every service's latest recorded check resources under a proposed config directory (JSON {files, commit} or a .tar.gz, at most 8 MiB) and under the config in force: the findings that would appear, disappear or change per team and service, and the exceptions that would become unnecessary (reviewers, architects, security, admins; one analysis at a time).", Tag: "config",
		Body: paved.ConfigBundle{}, BodyName: "Bundle", BodyContent: []string{"application/gzip"}, Result: paved.ImpactReport{}, Errors: []int{400, 403, 409, 413, 422}},
	"GET /api/v1/campaigns": {ID: "listCampaigns", Summary: "Every campaign (a deny rule with an enforce_from date): its deadline, the services whose latest check would fail it today by team, its daily progress and the announcements sent.", Tag: "config",
		Result: paved.CampaignReport{}},

	// Spend (api_cost.go). Amounts are exact decimal strings in the
	// billing currency; months are YYYY-MM (default: the month of the
	// latest billing data).
	"POST /api/v1/cost/ingest": {ID: "ingestCost", Summary: "Ingest FOCUS 1.0-1.3 CSV files, plain or gzip: a multipart/form-data body with one part named file per file, or one file as the raw body (name it with ?name=). All files go in one transaction; each billing account and period they hold replaces what was stored. The alert rules run afterwards; the answer lists the alerts raised (admin).", Tag: "spend",
		Query: []param{{"skip_invalid", "Count and report invalid lines instead of refusing the upload at the first.", map[string]any{"type": "boolean", "default": false}},
			{"account_map", "ACCOUNT=TEAM: allocate untagged lines of a billing or sub-account to TEAM for this ingest (repeatable).", map[string]any{"type": "string"}},
			{"name", "The file name of a raw body, for messages.", map[string]any{"type": "string"}}},
		BodyContent: []string{"multipart/form-data", "text/csv", "application/gzip"},
		Result:      paved.CostIngest{}, Errors: []int{400, 403, 409, 413}},
	"GET /api/v1/cost/batches": {ID: "listCostBatches", Summary: "The ingested billing accounts and periods with their lines, cost and the cost column used per provider.", Tag: "spend",
		Result: api.List[*paved.CostBatch]{}, Name: "CostBatchList"},
	"GET /api/v1/cost/report": {ID: "getCostReport", Summary: "A month's cost by team, service, account or charge category, shared costs split across the direct recipients, with the month before and the cost column used.", Tag: "spend",
		Query:  []param{pMonth, pBy, pTeam, {"service", "Only this service's lines.", map[string]any{"type": "string"}}},
		Result: cost.Report{}, Errors: []int{400}},
	"GET /api/v1/cost/daily": {ID: "getCostDaily", Summary: "A month's cost per day, one series per team, service, account or charge category (shared costs as shared:RULE), the largest first: what the portal charts.", Tag: "spend",
		Query:  []param{pMonth, pBy, pTeam, {"service", "Only this service's lines.", map[string]any{"type": "string"}}},
		Result: api.List[*cost.Trend]{}, Name: "CostTrendList", Errors: []int{400}},
	"GET /api/v1/cost/untagged": {ID: "listUntaggedCost", Summary: "A month's untagged resources (no service or team tag) ranked by usage and purchase cost; credits do not hide them.", Tag: "spend",
		Query: []param{pMonth, pOffset, pLimit}, Result: api.List[*paved.UntaggedCost]{}, Name: "UntaggedCostList", Errors: []int{400}},
	"GET /api/v1/cost/budgets": {ID: "listBudgets", Summary: "Every budget (paved.yaml's, with those set through the API laid over them) with the month's spend, forecast, percentage and alerts.", Tag: "spend",
		Query: []param{pMonth}, Result: api.List[*cost.BudgetStatus]{}, Name: "BudgetStatusList", Errors: []int{400}},
	"PUT /api/v1/cost/budgets/{scope}/{name}": {ID: "setBudget", Summary: "Set the monthly budget of a team, service or account (scope team, service or account); it wins over paved.yaml's for the same scope and name (admin).", Tag: "spend",
		Body: api.BudgetRequest{}, Result: paved.Budget{}, Errors: []int{400, 403}},
	"DELETE /api/v1/cost/budgets/{scope}/{name}": {ID: "deleteBudget", Summary: "Delete a budget set through the API (admin).", Tag: "spend",
		OK: http.StatusNoContent, Result: struct{}{}, Name: "Empty", Errors: []int{400, 403, 404}},
	"GET /api/v1/cost/alerts": {ID: "listCostAlerts", Summary: "Budget, forecast, spike and burn-rate alerts, newest first.", Tag: "spend",
		Query: []param{{"month", "Only this month's alerts (YYYY-MM).", map[string]any{"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}},
			{"scope", "Budget scope.", map[string]any{"type": "string", "enum": []string{"team", "service", "account"}}},
			{"name", "Team, service or account name.", map[string]any{"type": "string"}}, pTeam, pOffset, pLimit},
		Result: api.List[*paved.CostAlert]{}, Name: "CostAlertList", Errors: []int{400}},
	"POST /api/v1/cost/alerts/{id}/plan": {ID: "planCostAlert", Summary: "Mark an alert as planned activity with a reason: no more alerts of its rule for its scope this month (developers of the alert's team, admins).", Tag: "spend",
		Body: api.PlanRequest{}, Result: paved.CostAlert{}, Errors: []int{400, 403, 404, 409}},
	"POST /api/v1/cost/evaluate": {ID: "evaluateCost", Summary: "Run the budget, forecast, spike and burn-rate rules on the month of the latest data now (they also run after each ingest and hourly) (admin).", Tag: "spend",
		Result: cost.Evaluation{}, Errors: []int{403}},
	"POST /api/v1/cost/reallocate": {ID: "reallocateCost", Summary: "Apply the current allocation rules (tag keys, account mapping, shared costs, catalog owners) to every stored billing line (admin).", Tag: "spend",
		Result: api.ReallocateResponse{}, Errors: []int{403}},
	"GET /api/v1/services/{name}/budget": {ID: "getServiceBudget", Summary: "A service's spend in the month of the latest billing data (month to date, forecast) and its budget: what paved check --server compares a plan's monthly increase with in playground.", Tag: "spend",
		Result: cost.ServiceSpend{}, Errors: []int{404}},
}

// queryParamsOf returns the query parameters the route pattern declares.
func queryParamsOf(pattern string) []string {
	d := apiDocs[pattern]
	names := make([]string, len(d.Query))
	for i, p := range d.Query {
		names[i] = p.Name
	}
	return names
}

func (s *Server) getOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(s.openapi)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(s.openapi)
	return nil
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// buildOpenAPI renders the OpenAPI 3.1 document for routes.
func buildOpenAPI(routes []route, version string) ([]byte, error) {
	if version == "" {
		version = "dev"
	}
	g := &schemaGen{schemas: map[string]any{}, inputs: map[reflect.Type]bool{}}
	for _, d := range apiDocs {
		if d.Body != nil {
			g.inputs[reflect.TypeOf(d.Body)] = true
		}
	}
	problem := g.ref(reflect.TypeOf(api.Problem{}), "")
	paths := map[string]map[string]any{}
	for _, rt := range routes {
		d, ok := apiDocs[rt.Pattern]
		if !ok {
			return nil, fmt.Errorf("route %s has no entry in apiDocs", rt.Pattern)
		}
		op := map[string]any{
			"operationId": d.ID,
			"summary":     d.Summary,
			"tags":        []string{d.Tag},
		}
		var params []any
		for _, m := range pathParamRE.FindAllStringSubmatch(rt.Path(), -1) {
			sch := map[string]any{"type": "string"}
			switch m[1] {
			case "kind":
				sch = enumSchema(paved.TemplateKinds)
			case "id", "fid", "version":
				sch = map[string]any{"type": "integer", "minimum": 1}
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": sch})
		}
		for _, p := range d.Query {
			params = append(params, map[string]any{"name": p.Name, "in": "query", "description": p.Desc, "schema": p.Schema})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if len(d.BodyContent) > 0 {
			content := map[string]any{}
			for _, ct := range d.BodyContent {
				content[ct] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		if d.Body != nil {
			content := map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(d.Body), d.BodyName)}}
			for _, ct := range d.BodyContent { // a JSON body that may also come as a file
				content[ct] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		okStatus, ctype := d.OK, d.Content
		if okStatus == 0 {
			okStatus = http.StatusOK
		}
		if ctype == "" {
			ctype = "application/json"
		}
		content := map[string]any{ctype: map[string]any{"schema": g.ref(reflect.TypeOf(d.Result), d.Name)}}
		for _, alt := range d.AltContent {
			content[alt] = content[ctype]
		}
		resp := map[string]any{
			strconv.Itoa(okStatus): map[string]any{
				"description": http.StatusText(okStatus),
				"content":     content,
			},
		}
		for _, st := range append([]int{401, 500}, d.Errors...) {
			resp[strconv.Itoa(st)] = map[string]any{
				"description": http.StatusText(st),
				"content":     map[string]any{"application/problem+json": map[string]any{"schema": problem}},
			}
		}
		op["responses"] = resp
		if d.NoAuth {
			op["security"] = []any{}
		}
		if paths[rt.Path()] == nil {
			paths[rt.Path()] = map[string]any{}
		}
		paths[rt.Path()][strings.ToLower(rt.Method())] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "paved API",
			"version":     version,
			"description": "The catalog of teams, users and services, the path to production (launch status, answers, assessments, walkthroughs, phase gates), tokens, the audit log and catalog import/export. Every route needs an API token (Authorization: Bearer pvd_...). Errors are RFC 9457 problem+json with a stable code.",
		},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"bearer": []string{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "An API token created with paved token create or POST /api/v1/tokens. An address that presents too many wrong tokens gets 429 (code rate_limited) with Retry-After on every route until its cool-down passes (server.auth_failures)."},
			},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// schemaGen derives JSON schemas from Go types, collecting named structs
// and enums as components.
type schemaGen struct {
	schemas map[string]any
	// inputs are the request body types. Their schemas list no required
	// properties: a client may leave out anything the server defaults.
	inputs map[reflect.Type]bool
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

// enums are the named string types with a closed set of values.
var enums = map[reflect.Type][]string{
	reflect.TypeOf(paved.Phase("")):     toStrings(paved.Phases),
	reflect.TypeOf(paved.DataClass("")): toStrings(paved.DataClasses),
	reflect.TypeOf(paved.TeamKind("")):  toStrings(paved.TeamKinds),
	reflect.TypeOf(paved.Role("")):      toStrings(paved.Roles),
	reflect.TypeOf(paved.Outcome("")): {string(paved.OutcomeCreated), string(paved.OutcomeUpdated),
		string(paved.OutcomeUnchanged), string(paved.OutcomeSkipped), string(paved.OutcomeInvalid)},
	reflect.TypeOf(paved.TemplateKind("")):       toStrings(paved.TemplateKinds),
	reflect.TypeOf(paved.SignRole("")):           toStrings(paved.SignRoles),
	reflect.TypeOf(paved.Decision("")):           toStrings(decisions),
	reflect.TypeOf(paved.AnswerForm("")):         {string(paved.FormText), string(paved.FormLink)},
	reflect.TypeOf(paved.AnswerStatus("")):       {string(paved.AnswerGiven), string(paved.AnswerNA)},
	reflect.TypeOf(paved.AssessmentKind("")):     {string(paved.AssessSecurity), string(paved.AssessLoad)},
	reflect.TypeOf(paved.RiskRating("")):         {string(paved.RiskLow), string(paved.RiskMedium), string(paved.RiskHigh), string(paved.RiskCritical)},
	reflect.TypeOf(paved.Severity("")):           {string(paved.SeverityDeny), string(paved.SeverityWarn), string(paved.SeverityException)},
	reflect.TypeOf(launch.ItemState("")):         {string(launch.StateSettled), string(launch.StateEvidenced), string(launch.StateNAPending), string(launch.StateMissing)},
	reflect.TypeOf(paved.WalkthroughOutcome("")): {string(paved.OutcomePending), string(paved.OutcomeChangesRequested), string(paved.OutcomeApproved), string(paved.OutcomeVetoed)},
}

func toStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// inputRequired are the properties a request body must have, for the types
// used as request bodies (they are also always present in responses).
var inputRequired = map[reflect.Type][]string{
	reflect.TypeOf(paved.Service{}):     {"name", "owner"},
	reflect.TypeOf(paved.Team{}):        {"kind", "name"},
	reflect.TypeOf(paved.User{}):        {"name"},
	reflect.TypeOf(api.TokenRequest{}):  {"name"},
	reflect.TypeOf(api.ImportRequest{}): {"files"},

	reflect.TypeOf(api.UpgradeRequest{}):     {"kind"},
	reflect.TypeOf(api.ContactRequest{}):     {"user"},
	reflect.TypeOf(api.CommentRequest{}):     {"body"},
	reflect.TypeOf(api.WalkthroughRequest{}): {"participants", "scheduled_at"},
	reflect.TypeOf(api.SignoffRequest{}):     {"decision", "role"},
	reflect.TypeOf(api.FollowUpRequest{}):    {"description", "due", "owner"},
	reflect.TypeOf(paved.Assessment{}):       {"kind"},

	reflect.TypeOf(api.BudgetRequest{}): {"amount"},
	reflect.TypeOf(api.PlanRequest{}):   {"reason"},
}

// readOnly are properties the server sets; clients may send them but they
// are ignored.
var readOnly = map[string]bool{
	"created_at": true, "updated_at": true, "retired_at": true, "last_used_at": true, "revoked_at": true,
	"members": true, "children": true, "services": true,
	"recorded_by": true, "recorded_at": true, "actor": true,
}

// ref returns a $ref to the component for t (registering it), or an inline
// schema for unnamed types. name overrides the component name.
func (g *schemaGen) ref(t reflect.Type, name string) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if name == "" && t.Kind() == reflect.Struct && t != timeType && !strings.Contains(t.Name(), "[") {
		name = t.Name()
	}
	if enums[t] != nil {
		name = t.Name()
	}
	if name == "" {
		return g.schema(t)
	}
	if _, ok := g.schemas[name]; !ok {
		g.schemas[name] = map[string]any{} // placeholder: breaks recursion
		g.schemas[name] = g.schema(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if vs, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": vs}
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"description": "any JSON value"}
	case t == reflect.TypeOf(paved.Money(0)):
		return map[string]any{"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?$", "description": "an exact decimal amount (up to 9 decimals) in the billing currency"}
	case t == reflect.TypeOf(paved.Tier(0)):
		return map[string]any{"type": "integer", "minimum": int(paved.TierMin), "maximum": int(paved.TierMax), "description": "1 = business critical .. 4 = internal tool"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.ref(t.Elem(), "")}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem(), "")}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			if f.Anonymous && tag == "" {
				// An embedded struct's fields are encoded inline
				// (launch.WalkthroughStatus embeds *paved.Walkthrough).
				inner := g.schema(f.Type)
				if ps, ok := inner["properties"].(map[string]any); ok {
					for k, v := range ps {
						props[k] = v
					}
				}
				if rs, ok := inner["required"].([]string); ok && !g.inputs[t] {
					required = append(required, rs...)
				}
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			p := g.ref(f.Type, "")
			if readOnly[name] {
				p = map[string]any{"allOf": []any{p}, "readOnly": true}
			}
			props[name] = p
			// Without omitempty the field is always in responses.
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
		s := map[string]any{"type": "object", "properties": props}
		if g.inputs[t] {
			required = inputRequired[t]
		}
		if len(required) > 0 {
			sort.Strings(required)
			s["required"] = required
		}
		return s
	}
	return map[string]any{}
}
