package paved

// Action is something a user asks to do. Every API route and portal form
// names one; Authorize is the single place that decides.
type Action string

const (
	ActReadCatalog   Action = "catalog:read"   // list and show teams, users, services; export
	ActImportCatalog Action = "catalog:import" // apply a Backstage import
	ActCreateService Action = "service:create" // Resource.Team = owner of the new service
	ActUpdateService Action = "service:update" // Resource.Team = owner (checked for old and new owner)
	ActRetireService Action = "service:retire"
	ActManageTeams   Action = "team:write"
	ActManageUsers   Action = "user:write"
	ActReadAudit     Action = "audit:read"
	ActOwnTokens     Action = "token:own"    // list, create, revoke one's own tokens
	ActManageTokens  Action = "token:manage" // any user's tokens; Resource.User names the owner

	// The path to production. Resource.Team is the service's owner team.
	ActAnswer       Action = "launch:answer"      // answer items, pin or upgrade templates, record a check
	ActComment      Action = "launch:comment"     // comment on an item
	ActReviewAnswer Action = "launch:review"      // accept an n/a, flag an item for follow-up
	ActAssess       Action = "launch:assess"      // record a security assessment or load profile
	ActSetContact   Action = "launch:contact"     // assign the enablement contact
	ActWalkthrough  Action = "launch:walkthrough" // schedule or cancel a walkthrough, manage follow-ups
	ActSignoff      Action = "launch:signoff"     // sign a walkthrough (role rules: launch.CanSign)
	ActAdvancePhase Action = "launch:advance"     // move a service through a gate
	ActForcePhase   Action = "launch:force"       // move a service past a gate with a reason
	ActRecordCheck  Action = "check:record"       // record a guard-rail check for a service

	// Exceptions (exceptions.go). Resource.Team is the service's owner team.
	ActReadExceptions   Action = "exception:read"    // list and show exceptions, coverage, the signed export, the public key
	ActRequestException Action = "exception:request" // ask for an exception for the owning team's finding
	ActDecideException  Action = "exception:decide"  // approve or reject (who exactly: paved.CanDecide)
	ActCommentException Action = "exception:comment" // ask or answer in a request's thread
	ActRevokeException  Action = "exception:revoke"  // withdraw a pending or approved exception

	// Reclassification (reclass.go): lowering a service's tier or data
	// class once its launch is under way. Resource.Team is the owner team.
	// Reading requests is catalog:read.
	ActRequestReclass  Action = "reclassification:request"  // ask to lower the owning team's service
	ActDecideReclass   Action = "reclassification:decide"   // approve or reject (who exactly: paved.CanDecideReclassification)
	ActForceReclass    Action = "reclassification:force"    // lower it without a decision, with a recorded reason (admins)
	ActWithdrawReclass Action = "reclassification:withdraw" // withdraw one's own pending request (who exactly: paved.CanWithdrawReclassification)

	// Notifications (notify.go): the outbox and the webhook delivery log.
	ActReadNotifications Action = "notification:read" // list notifications and deliveries (admins only)

	// The ownership map (ownership.go). Reading it, the shared-responsibility
	// tables, a service's considerations and the gap report is catalog:read.
	ActEditOwnership Action = "ownership:write" // reassign a concern in the portal, or reset it to the config file

	// Spend (cost.go): billing lines, reports, budgets and alerts.
	// Which of the two reading actions a read of spend needs is decided
	// by AuthorizeSpend from paved.yaml's spend.visibility, nowhere else.
	ActReadCost    Action = "cost:read"     // Resource.Team "": the spend pages at all (every signed-in user); a team: that team's spend (its members, admin, architect, security)
	ActReadAllCost Action = "cost:read-all" // every team's spend at once, untagged spend, ingest batches (admin, architect, security)
	ActIngestCost  Action = "cost:ingest"   // ingest billing files, re-allocate, evaluate the alert rules (admins)
	ActSetBudget   Action = "cost:budget"   // set or delete a budget (admins)
	ActPlanAlert   Action = "cost:plan"     // mark an alert as planned activity; Resource.Team is the alert's team

	// The platform config (docs/config-as-code.md). Its version and the
	// campaigns are catalog:read.
	ActConfigAdmin  Action = "config:admin"  // see the config directory and why a reload was refused (admins)
	ActConfigImpact Action = "config:impact" // analyse a proposed config against every service's latest check

	// Facts (facts.go). Reading a service's facts and drift is catalog:read.
	ActPushFacts    Action = "facts:push"    // push facts for a service (a pipeline's token); Resource.Team is the owner
	ActCollectFacts Action = "facts:collect" // run a collector now, see the collectors' health and discoveries (admins)

	// Scorecards (scorecard.go): advisory levels for every service.
	ActReadScorecards     Action = "scorecard:read"     // standings, a service's levels and what is missing: every signed-in user
	ActEvaluateScorecards Action = "scorecard:evaluate" // evaluate and record every service now (admins; the daily job runs in process)
)

// Resource is what an action is about, as far as authorisation cares.
type Resource struct {
	Team string // owning team of the object
	User string // user the object belongs to (tokens)
	// Service is the service the object belongs to, for scoped tokens:
	// a checks scope allows recording checks and requesting exceptions
	// only for the services it names, so routes of those actions set it.
	Service string
}

// Authorize decides whether u may do act on res. It returns nil, or an
// *Error with EUNAUTHORIZED (no user) or EFORBIDDEN naming what is missing.
//
// Roles add up: a user with several roles may do what any of them allows,
// and admin may do everything. A user with no role reads like a viewer.
//
// A user signed in with a scoped token (u.Scope) may do no more than the
// scope allows, whatever the roles; a CI token's scope is its whole
// authority (TokenScope).
func Authorize(u *User, act Action, res Resource) error {
	if u == nil {
		return Errorf(EUNAUTHORIZED, "sign in with an API token (Authorization: Bearer ...)")
	}
	if u.Scope != nil {
		if err := u.Scope.permits(act, res); err != nil {
			return err
		}
		if u.Scope.CI != "" {
			return nil
		}
	}
	if u.HasRole(RoleAdmin) {
		return nil
	}
	switch act {
	case ActReadCatalog:
		return nil
	case ActOwnTokens:
		return nil
	case ActManageTokens:
		if res.User != "" && res.User == u.Name {
			return nil
		}
		return Errorf(EFORBIDDEN, "only an admin can manage another user's tokens")
	case ActCreateService, ActUpdateService, ActRetireService:
		if !u.HasRole(RoleDeveloper) {
			return Errorf(EFORBIDDEN, "changing services needs the developer role")
		}
		if res.Team == "" || !u.InTeam(res.Team) {
			return Errorf(EFORBIDDEN, "%s is not a member of team %q: developers change only their own team's services", u.Name, res.Team)
		}
		return nil
	case ActReadAudit:
		if u.HasRole(RoleSecurity) || u.HasRole(RoleArchitect) {
			return nil
		}
		return Errorf(EFORBIDDEN, "the audit log is for admins, security and architects")
	case ActAnswer, ActAdvancePhase, ActRecordCheck:
		return ownTeamDeveloper(u, act, res)
	case ActComment, ActWalkthrough:
		if isAdviser(u) {
			return nil
		}
		return ownTeamDeveloper(u, act, res)
	case ActSetContact:
		if u.HasRole(RoleReviewer) {
			return nil
		}
		return ownTeamDeveloper(u, act, res)
	case ActAssess:
		if u.HasRole(RoleSecurity) {
			return nil
		}
		return ownTeamDeveloper(u, act, res)
	case ActReviewAnswer:
		if !isAdviser(u) {
			return Errorf(EFORBIDDEN, "reviewing answers needs the reviewer, architect or security role")
		}
		if res.Team != "" && u.InTeam(res.Team) {
			return Errorf(EFORBIDDEN, "%s is a member of team %q: answers are reviewed from outside the owning team", u.Name, res.Team)
		}
		return nil
	case ActSignoff:
		if isAdviser(u) || u.HasRole(RoleDeveloper) {
			return nil // which role one may sign in is launch.CanSign's decision
		}
		return Errorf(EFORBIDDEN, "signing a walkthrough needs the developer (peer), reviewer, architect or security role")
	case ActReadExceptions:
		return nil
	case ActRequestException:
		return ownTeamDeveloper(u, act, res)
	case ActDecideException:
		if !u.HasRole(RoleReviewer) && !u.HasRole(RoleSecurity) {
			return Errorf(EFORBIDDEN, "deciding exceptions needs the reviewer role (security, for security rules)")
		}
		if res.Team != "" && u.InTeam(res.Team) {
			return Errorf(EFORBIDDEN, "%s is a member of team %q: its exceptions are decided from outside the team", u.Name, res.Team)
		}
		return nil
	case ActRequestReclass, ActWithdrawReclass:
		// Who may ask may withdraw; that it is the caller's own request
		// is paved.CanWithdrawReclassification's to decide.
		return ownTeamDeveloper(u, act, res)
	case ActDecideReclass:
		if !u.HasRole(RoleArchitect) && !u.HasRole(RoleSecurity) {
			return Errorf(EFORBIDDEN, "deciding a reclassification needs the architect or security role")
		}
		if res.Team != "" && u.InTeam(res.Team) {
			return Errorf(EFORBIDDEN, "%s is a member of team %q: its service's reclassification is decided from outside the team", u.Name, res.Team)
		}
		return nil
	case ActForceReclass:
		return Errorf(EFORBIDDEN, "only an admin can force a reclassification (with a reason); ask an architect or security engineer outside the owning team to approve the request")
	case ActCommentException, ActRevokeException:
		if u.HasRole(RoleReviewer) || u.HasRole(RoleSecurity) {
			return nil
		}
		return ownTeamDeveloper(u, act, res)
	case ActReadNotifications:
		return Errorf(EFORBIDDEN, "notifications and webhook deliveries are for admins (they show every team's events and the webhook targets)")
	case ActEditOwnership:
		return Errorf(EFORBIDDEN, "only an admin can reassign a concern of the ownership map: propose the change in ownership.yaml in the platform config repository instead")
	case ActReadCost:
		if res.Team == "" || readsAllSpend(u) || u.InTeam(res.Team) {
			return nil
		}
		return Errorf(EFORBIDDEN, "%s is not a member of team %q: a team's spend is for its members, architects, security and admins (spend.visibility: team)", u.Name, res.Team)
	case ActReadAllCost:
		if readsAllSpend(u) {
			return nil
		}
		return Errorf(EFORBIDDEN, "every team's spend at once is for admins, architects and security (spend.visibility: team): name one of your teams")
	case ActIngestCost, ActSetBudget:
		return Errorf(EFORBIDDEN, "%s needs the admin role: billing data and budgets are the cloud engineering team's", act)
	case ActPlanAlert:
		return ownTeamDeveloper(u, act, res)
	case ActConfigAdmin:
		return Errorf(EFORBIDDEN, "the platform config's directory and reload errors are for admins")
	case ActConfigImpact:
		if isAdviser(u) {
			return nil
		}
		return Errorf(EFORBIDDEN, "analysing a proposed platform config needs the reviewer, architect, security or admin role: it evaluates every team's latest check")
	case ActForcePhase:
		return Errorf(EFORBIDDEN, "only an admin can move a service past a gate")
	case ActPushFacts:
		return ownTeamDeveloper(u, act, res)
	case ActCollectFacts:
		return Errorf(EFORBIDDEN, "running collectors and reading their health is for admins: collectors call external APIs with the organisation's credentials")
	case ActReadScorecards:
		return nil
	case ActEvaluateScorecards:
		return Errorf(EFORBIDDEN, "evaluating and recording every service's scorecards needs the admin role: it writes the day's standings and notifies teams of regressions (the daily job does it without asking)")
	case ActImportCatalog, ActManageTeams, ActManageUsers:
		return Errorf(EFORBIDDEN, "%s needs the admin role", act)
	}
	return Errorf(EFORBIDDEN, "unknown action %q", act)
}

// isAdviser reports whether u advises product teams: the enablement
// reviewer, the architect and the security engineer.
func isAdviser(u *User) bool {
	return u.HasRole(RoleReviewer) || u.HasRole(RoleArchitect) || u.HasRole(RoleSecurity)
}

// readsAllSpend reports whether u may read every team's spend when
// spend.visibility is team: the architects and security engineers, who
// weigh costs across teams (admins pass every action). paved has no
// finance role; a finance team is given the architect role or admin.
func readsAllSpend(u *User) bool {
	return u.HasRole(RoleArchitect) || u.HasRole(RoleSecurity)
}

// SpendVisibility is paved.yaml's spend.visibility: who may read spend.
type SpendVisibility string

const (
	// SpendOrganisation (the default): every signed-in user reads every
	// team's spend.
	SpendOrganisation SpendVisibility = "organisation"
	// SpendTeam: a team's spend is for its members, architects, security
	// and admins; every team's at once only for the last three.
	SpendTeam SpendVisibility = "team"
)

// UnmarshalText accepts organisation or team, and nothing else.
func (v *SpendVisibility) UnmarshalText(b []byte) error {
	switch x := SpendVisibility(b); x {
	case SpendOrganisation, SpendTeam:
		*v = x
		return nil
	}
	return Errorf(EINVALID, "%q is not a spend visibility: want organisation or team", string(b))
}

// AuthorizeSpend decides whether u may read team's spend (every team's at
// once when team is "") under visibility v. It is the one place where the
// setting chooses the action: with organisation visibility every read is
// cost:read on nothing in particular; with team visibility a team's spend
// is cost:read on that team and every team's is cost:read-all.
func AuthorizeSpend(u *User, v SpendVisibility, team string) error {
	switch {
	case v != SpendTeam:
		return Authorize(u, ActReadCost, Resource{})
	case team == "":
		return Authorize(u, ActReadAllCost, Resource{})
	}
	return Authorize(u, ActReadCost, Resource{Team: team})
}

// ownTeamDeveloper allows developers of the owning team.
func ownTeamDeveloper(u *User, act Action, res Resource) error {
	if !u.HasRole(RoleDeveloper) {
		return Errorf(EFORBIDDEN, "%s needs the developer role", act)
	}
	if res.Team == "" || !u.InTeam(res.Team) {
		return Errorf(EFORBIDDEN, "%s is not a member of team %q: only the owning team's developers may do %s", u.Name, res.Team, act)
	}
	return nil
}
