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
)

// Resource is what an action is about, as far as authorisation cares.
type Resource struct {
	Team string // owning team of the object
	User string // user the object belongs to (tokens)
}

// Authorize decides whether u may do act on res. It returns nil, or an
// *Error with EUNAUTHORIZED (no user) or EFORBIDDEN naming what is missing.
//
// Roles add up: a user with several roles may do what any of them allows,
// and admin may do everything. A user with no role reads like a viewer.
func Authorize(u *User, act Action, res Resource) error {
	if u == nil {
		return Errorf(EUNAUTHORIZED, "sign in with an API token (Authorization: Bearer ...)")
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
	case ActImportCatalog, ActManageTeams, ActManageUsers:
		return Errorf(EFORBIDDEN, "%s needs the admin role", act)
	}
	return Errorf(EFORBIDDEN, "unknown action %q", act)
}
