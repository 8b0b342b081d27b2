package paved

import (
	"context"
	"time"
)

// SignInFlow is one single sign-on attempt between paved's redirect to the
// identity provider and the provider's answer. The browser holds a random
// secret in a short-lived cookie; the store keeps its hash with the
// state, nonce and PKCE verifier, and hands the flow out once
// (TakeSignInFlow), so a replayed callback finds nothing.
type SignInFlow struct {
	Hash      string
	State     string
	Nonce     string
	Verifier  string
	Next      string // the local path to return to
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ExternalSignIn is a person's sign-in through the identity provider,
// after the group rules: who the provider says they are and what the
// rules grant them now. The store creates or finds the user and brings
// the memberships and roles the rules manage in line with it.
type ExternalSignIn struct {
	Issuer      string
	Subject     string
	Username    string
	DisplayName string
	Email       string
	// EmailVerified is the provider's email_verified claim.
	EmailVerified bool
	// LinkByUsername lets the first sign-in bind a paved user that exists
	// already (a catalog import) by name alone: set when the configuration
	// says the username claim is the directory's own (server.oidc.
	// link_by_username). Otherwise such a user is bound only when the
	// provider vouches for the same email address, so that nobody becomes
	// an existing user by choosing a name.
	LinkByUsername bool
	// Groups are the provider's groups, kept so that admins can see why a
	// person matched no rule.
	Groups []string
	// Teams and Roles are what the group rules grant now; Matched is
	// whether any rule matched.
	Teams   []string
	Roles   []Role
	Matched bool
	// RolesFromRules makes the rules the only source of the user's roles:
	// set when group rules are configured, so that a person in no mapped
	// group has no role (reads only) whatever was given before. Team
	// memberships the rules did not grant are left alone either way (a
	// membership without a role allows nothing more than reading).
	RolesFromRules bool
}

// ExternalIdentity is a user's binding to an identity provider's subject,
// with what the last sign-in brought.
type ExternalIdentity struct {
	User          string    `json:"user"`
	Issuer        string    `json:"issuer"`
	Subject       string    `json:"subject"`
	Groups        []string  `json:"groups"`
	GrantedTeams  []string  `json:"granted_teams"`
	GrantedRoles  []Role    `json:"granted_roles"`
	Matched       bool      `json:"matched"`
	CreatedAt     time.Time `json:"created_at"`
	LastSigninAt  time.Time `json:"last_signin_at"`
	SkippedGrants []string  `json:"skipped_grants,omitempty"`
}

// SignInResult is what ExternalSignIn did.
type SignInResult struct {
	User     *User
	Identity *ExternalIdentity
	// Created is true on the user's first sign-in.
	Created bool
	// Skipped lists grants the rules made that could not be applied
	// (a team that does not exist or is retired), for the log.
	Skipped []string
}

// CIUser is the service account every CI token belongs to. Its tokens act
// with their CI identity (TokenScope.CI), never with roles of its own;
// retiring it revokes every CI token at once.
const CIUser = "paved-ci"

// IdentityStore persists what single sign-on and the CI token exchange
// need.
type IdentityStore interface {
	// CreateSignInFlow stores a flow (Hash set by the caller) and sweeps
	// expired ones.
	CreateSignInFlow(ctx context.Context, f *SignInFlow) error
	// TakeSignInFlow returns the unexpired flow with this hash and deletes
	// it in the same step: a flow is used once. EUNAUTHORIZED when there
	// is none.
	TakeSignInFlow(ctx context.Context, hash string) (*SignInFlow, error)
	// ExternalSignIn creates or finds the user bound to the issuer's
	// subject and applies the rules' grants, in one audited transaction.
	ExternalSignIn(ctx context.Context, in *ExternalSignIn) (*SignInResult, error)
	// FindUnmappedSignIns lists the identities whose last sign-in matched
	// no group rule, newest first.
	FindUnmappedSignIns(ctx context.Context, p Page) ([]*ExternalIdentity, int, error)
	// CreateCIToken stores a token for CIUser (creating the user on first
	// use) and deletes CI tokens that expired more than a day ago.
	CreateCIToken(ctx context.Context, t *Token) error
}
