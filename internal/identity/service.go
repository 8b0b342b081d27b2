package identity

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	paved "github.com/paved-dev/paved"
)

// SignInStore is what single sign-on needs of the store.
type SignInStore interface {
	CreateSignInFlow(ctx context.Context, f *paved.SignInFlow) error
	TakeSignInFlow(ctx context.Context, hash string) (*paved.SignInFlow, error)
	ExternalSignIn(ctx context.Context, in *paved.ExternalSignIn) (*paved.SignInResult, error)
}

// SignIns is single sign-on as an application service: the routes
// /auth/oidc/start and /auth/oidc/callback call it; it asks the provider
// and the store, and leaves the portal session and cookies to the web
// server, as token sign-in does.
type SignIns struct {
	RP    *RP
	Store SignInStore
}

// Start begins a sign-in that returns to next (a local path the caller
// checked): it stores the flow and returns the secret for the browser's
// flow cookie and the provider's authorization URL.
func (s *SignIns) Start(ctx context.Context, next string) (cookie, authURL string, err error) {
	f, cookie, authURL, err := s.RP.Begin(ctx, next)
	if err != nil {
		return "", "", err
	}
	if err := s.Store.CreateSignInFlow(ctx, f); err != nil {
		return "", "", err
	}
	return cookie, authURL, nil
}

// Completed is a finished sign-in.
type Completed struct {
	Result  *paved.SignInResult
	Person  *Person
	Mapping Mapping
	// IDToken is the end-session hint.
	IDToken string
	// Next is where the sign-in started.
	Next string
}

// Complete finishes a sign-in from the callback: the flow named by the
// browser's cookie is taken from the store (used once, whatever happens
// next), the provider's answer verified, the group rules applied and the
// user created or updated.
func (s *SignIns) Complete(ctx context.Context, cookie string, q url.Values) (*Completed, error) {
	var flow *paved.SignInFlow
	if cookie != "" {
		f, err := s.Store.TakeSignInFlow(ctx, paved.HashToken(cookie))
		switch {
		case err == nil:
			flow = f
		case paved.ErrorCode(err) != paved.EUNAUTHORIZED:
			return nil, err
		}
	}
	res, err := s.RP.Finish(ctx, flow, q)
	if err != nil {
		return nil, err
	}
	p := res.Person
	m := MapGroups(s.RP.cfg.Groups, p.Groups)
	if err := s.RP.cfg.Admit(p, m); err != nil {
		return nil, err
	}
	out, err := s.Store.ExternalSignIn(ctx, &paved.ExternalSignIn{Issuer: p.Issuer, Subject: p.Subject, Username: p.Username,
		DisplayName: p.DisplayName, Email: p.Email, EmailVerified: p.EmailVerified, LinkByUsername: s.RP.cfg.LinkByUsername, Groups: p.Groups, Teams: m.Teams, Roles: m.Roles, Matched: m.Matched(),
		RolesFromRules: len(s.RP.cfg.Groups) > 0})
	if err != nil {
		return nil, err
	}
	return &Completed{Result: out, Person: p, Mapping: m, IDToken: res.IDToken, Next: flow.Next}, nil
}

// CITokenStore is what the exchange needs of the store.
type CITokenStore interface {
	CreateCIToken(ctx context.Context, t *paved.Token) error
}

// Exchange is the CI token exchange as an application service.
type Exchange struct {
	Verifier *CIVerifier
	Store    CITokenStore
	// Services lists the catalog's services (with annotations and links),
	// to match the job's repository against.
	Services func(ctx context.Context) ([]*paved.Service, error)
	Now      func() time.Time
}

// Exchange verifies the job's ID token and issues a paved token scoped to
// recording checks and requesting exceptions for the services built from
// the job's repository (those asked for, or all of them), living at most
// the configured lifetime and never past the job's token. The token's
// creation is audited as the CI identity's.
func (e *Exchange) Exchange(ctx context.Context, req *ExchangeRequest) (*ExchangeResponse, *CIIdentity, error) {
	if !e.Verifier.Enabled() {
		return nil, nil, refuse(ReasonIssuer, "this paved trusts no CI issuer: list one under ci.trust in paved.yaml", nil)
	}
	id, err := e.Verifier.Verify(ctx, req.Token)
	if err != nil {
		return nil, nil, err
	}
	all, err := e.Services(ctx)
	if err != nil {
		return nil, id, err
	}
	scope, err := Scope(all, id, req.Services)
	if err != nil {
		return nil, id, err
	}
	ttl, err := e.Verifier.TokenLifetime(id)
	if err != nil {
		return nil, id, err
	}
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	now = now.UTC()
	secret := paved.NewTokenSecret()
	exp := now.Add(ttl)
	name := fmt.Sprintf("CI %s@%.12s", id.Repository, id.SHA)
	if len(name) > 100 {
		name = name[:100]
	}
	t := &paved.Token{User: paved.CIUser, Name: name, Prefix: paved.DisplayPrefix(secret), Hash: paved.HashToken(secret), ExpiresAt: &exp, Scope: scope}
	actx := paved.WithActor(ctx, paved.Actor{Name: id.Recorder()})
	if err := e.Store.CreateCIToken(actx, t); err != nil {
		return nil, id, err
	}
	return NewExchangeResponse(secret, t, now), id, nil
}

// ProblemOf turns a refusal into paved's error for the API: the token's
// own faults are 401, a trusted job asking beyond its repository 403, a
// malformed request 400. The message says why; the reason goes to
// metrics and logs.
func ProblemOf(err error) error {
	r := ReasonOf(err)
	msg := paved.ErrorMessage(err)
	var e *Error
	if errors.As(err, &e) {
		msg = e.Message
	}
	switch r {
	case ReasonMalformed:
		return paved.Errorf(paved.EINVALID, "%s", msg)
	case ReasonRepository, ReasonBranch, ReasonService, ReasonUnmapped:
		return paved.Errorf(paved.EFORBIDDEN, "%s", msg)
	case ReasonInternal:
		return err
	}
	return paved.Errorf(paved.EUNAUTHORIZED, "%s", msg)
}
