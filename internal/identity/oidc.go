// Package identity signs people in through the organisation's OpenID
// Connect provider and verifies CI jobs' ID tokens for the CI token
// exchange. Token verification is coreos/go-oidc's (discovery, the
// provider's JWKS with key rotation, issuer, audience, expiry and
// signature); the authorization code flow with PKCE is golang.org/x/oauth2's.
// This package adds what is paved's own: the single-use sign-in flow, the
// nonce and authorized-party checks, claim mapping, group rules, and the
// rules that say which CI jobs may record checks for which services.
//
// Nothing here touches the store or HTTP routes: the web server wires the
// flows, the store persists them.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	paved "github.com/paved-dev/paved"
)

// FlowTTL bounds a sign-in attempt: the time a person may take at the
// provider's login page.
const FlowTTL = 10 * time.Minute

// Reasons a sign-in or CI token is refused: stable words for metrics and
// logs; the Error's message says it for people.
const (
	ReasonProvider    = "provider_error" // the provider answered with an error (access_denied ...)
	ReasonFlow        = "no_flow"        // no sign-in in progress in this browser, or it expired or was used
	ReasonState       = "state"          // the state does not match the flow
	ReasonUnreachable = "unreachable"    // discovery or the token endpoint could not be reached
	ReasonExchange    = "code_exchange"  // the provider refused the authorization code
	ReasonSignature   = "signature"      // the token's signature does not verify against the issuer's keys
	ReasonExpired     = "expired"        // the token has expired
	ReasonAudience    = "audience"       // the token is for another client or service
	ReasonIssuer      = "issuer"         // the token is from an issuer paved does not trust
	ReasonNonce       = "nonce"          // the ID token's nonce is not this flow's
	ReasonClaims      = "claims"         // the claims do not name a user, or are malformed
	ReasonMalformed   = "malformed"      // not a JWT at all
	ReasonRepository  = "repository"     // the CI job's repository is not trusted
	ReasonBranch      = "branch"         // the CI job's ref is not a trusted branch
	ReasonService     = "service"        // no requested service is built from the job's repository
	ReasonUnmapped    = "unmapped"       // no group rule matches and server.oidc.require_mapping is on
	ReasonInternal    = "internal"       // anything else
)

// Error is a refused sign-in or CI token: Reason for metrics, Message for
// the person (it names no secret), Err for the log.
type Error struct {
	Reason  string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the reason of an *Error in err's chain, ReasonInternal
// otherwise.
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ReasonInternal
}

func refuse(reason, msg string, err error) *Error {
	return &Error{Reason: reason, Message: msg, Err: err}
}

// verifyError classifies a go-oidc verification error.
func verifyError(what string, err error) *Error {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return refuse(ReasonExpired, fmt.Sprintf("the %s expired at %s", what, exp.Expiry.UTC().Format(time.RFC3339)), err)
	case strings.Contains(msg, "before the nbf"):
		return refuse(ReasonExpired, fmt.Sprintf("the %s is not valid yet (nbf): check the clocks", what), err)
	case strings.Contains(msg, "expected audience"):
		return refuse(ReasonAudience, fmt.Sprintf("the %s is for another audience", what), err)
	case strings.Contains(msg, "issued by a different provider"):
		return refuse(ReasonIssuer, fmt.Sprintf("the %s is from another issuer", what), err)
	case strings.Contains(msg, "malformed jwt") || strings.Contains(msg, "failed to unmarshal"):
		return refuse(ReasonMalformed, fmt.Sprintf("the %s is not a well-formed JWT", what), err)
	case strings.Contains(msg, "fetching keys") || strings.Contains(msg, "get keys"):
		return refuse(ReasonUnreachable, fmt.Sprintf("the issuer's signing keys could not be fetched to check the %s", what), err)
	case strings.Contains(msg, "signature") || strings.Contains(msg, "unsupported"):
		return refuse(ReasonSignature, fmt.Sprintf("the %s's signature does not verify against the issuer's keys", what), err)
	}
	return refuse(ReasonSignature, fmt.Sprintf("the %s does not verify", what), err)
}

// RPOptions tune NewRP.
type RPOptions struct {
	// ClientSecret is the secret read from client_secret_env ("" for a
	// public client, which PKCE still protects).
	ClientSecret string
	// HTTPClient talks to the provider; nil: one with a 10-second timeout.
	HTTPClient *http.Client
	// Now is the clock for token expiry; nil: time.Now.
	Now func() time.Time
	// RetryAfter is how long a failed discovery is remembered before the
	// next attempt (default 5s), so that a down provider is not asked on
	// every click.
	RetryAfter time.Duration
}

// RP is paved as an OpenID Connect relying party. It discovers the
// provider on first use, and again after a failure, so that paved starts
// and serves token sign-in while the provider is down.
type RP struct {
	cfg    OIDC
	secret func() string // a closure, so that printing an RP shows no secret
	client *http.Client
	now    func() time.Time
	retry  time.Duration

	mu       sync.Mutex
	prov     *oidc.Provider
	meta     providerMeta
	lastErr  error
	lastFail time.Time
}

// providerMeta are the discovery fields go-oidc does not expose.
type providerMeta struct {
	EndSession string `json:"end_session_endpoint"`
}

// NewRP checks the configuration and returns a relying party. It makes no
// request.
func NewRP(cfg *OIDC, o RPOptions) (*RP, error) {
	if !cfg.Enabled() {
		return nil, fmt.Errorf("identity: server.oidc has no issuer")
	}
	if err := cfg.Validate(nil); err != nil {
		return nil, err
	}
	sec := o.ClientSecret
	p := &RP{cfg: *cfg, secret: func() string { return sec }, client: o.HTTPClient, now: o.Now, retry: o.RetryAfter}
	if p.client == nil {
		p.client = &http.Client{Timeout: 10 * time.Second}
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.retry <= 0 {
		p.retry = 5 * time.Second
	}
	return p, nil
}

// Config returns the section the RP was made from.
func (p *RP) Config() *OIDC { return &p.cfg }

func (p *RP) ctx(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, p.client)
	return context.WithValue(ctx, oauth2.HTTPClient, p.client)
}

// provider returns the discovered provider, discovering it when needed.
func (p *RP) provider(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.prov != nil {
		return p.prov, nil
	}
	if p.lastErr != nil && p.now().Sub(p.lastFail) < p.retry {
		return nil, p.lastErr
	}
	prov, err := oidc.NewProvider(p.ctx(ctx), p.cfg.Issuer)
	if err != nil {
		p.lastErr = refuse(ReasonUnreachable, fmt.Sprintf("the identity provider %s cannot be reached", p.cfg.Issuer), err)
		p.lastFail = p.now()
		return nil, p.lastErr
	}
	var meta providerMeta
	if err := prov.Claims(&meta); err != nil {
		meta = providerMeta{}
	}
	p.prov, p.meta, p.lastErr = prov, meta, nil
	return prov, nil
}

// Check discovers the provider now: nil when its discovery document
// answers and names the configured issuer.
func (p *RP) Check(ctx context.Context) error {
	_, err := p.provider(ctx)
	return err
}

func (p *RP) oauth(prov *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.cfg.ClientID,
		ClientSecret: p.secret(),
		Endpoint:     prov.Endpoint(),
		RedirectURL:  p.cfg.RedirectURL,
		Scopes:       p.cfg.ScopeList(),
	}
}

// RandomSecret returns 256 random bits, URL-safe.
func RandomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Begin starts a sign-in: it returns the flow for the store (with Hash set
// to the hash of cookie), the secret for the browser's flow cookie, and
// the provider's authorization URL to redirect to. next is the local path
// to return to (already checked by the caller).
func (p *RP) Begin(ctx context.Context, next string) (*paved.SignInFlow, string, string, error) {
	prov, err := p.provider(ctx)
	if err != nil {
		return nil, "", "", err
	}
	cookie := RandomSecret()
	now := p.now().UTC()
	f := &paved.SignInFlow{
		Hash:      paved.HashToken(cookie),
		State:     RandomSecret(),
		Nonce:     RandomSecret(),
		Verifier:  oauth2.GenerateVerifier(),
		Next:      next,
		CreatedAt: now,
		ExpiresAt: now.Add(FlowTTL),
	}
	u := p.oauth(prov).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return f, cookie, u, nil
}

// Result is a finished sign-in.
type Result struct {
	Person *Person
	// IDToken is the raw ID token, for the end-session request's
	// id_token_hint; it is no credential to paved.
	IDToken string
}

// maxQuery bounds the callback's parameters.
const maxQuery = 4096

// Finish completes a sign-in from the callback's query and the flow the
// browser's cookie named (taken from the store, so used once): the state
// must be the flow's, the code is exchanged with the PKCE verifier, and
// the ID token must verify (issuer, audience, expiry, signature against
// the provider's current keys) and carry the flow's nonce.
func (p *RP) Finish(ctx context.Context, f *paved.SignInFlow, q url.Values) (*Result, error) {
	if e := q.Get("error"); e != "" {
		desc := q.Get("error_description")
		if len(desc) > 200 {
			desc = desc[:200]
		}
		msg := fmt.Sprintf("the identity provider refused the sign-in (%s)", clean(e))
		if desc != "" {
			msg += ": " + clean(desc)
		}
		return nil, refuse(ReasonProvider, msg, nil)
	}
	if f == nil || !p.now().Before(f.ExpiresAt) {
		return nil, refuse(ReasonFlow, "no sign-in is in progress in this browser (it expired, or this link was used already): start again", nil)
	}
	state, code := q.Get("state"), q.Get("code")
	if len(state) > maxQuery || len(code) > maxQuery || subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return nil, refuse(ReasonState, "the sign-in answer does not belong to the sign-in this browser started: start again", nil)
	}
	if code == "" {
		return nil, refuse(ReasonExchange, "the identity provider sent no authorization code", nil)
	}
	prov, err := p.provider(ctx)
	if err != nil {
		return nil, err
	}
	cctx := p.ctx(ctx)
	tok, err := p.oauth(prov).Exchange(cctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, refuse(ReasonExchange, fmt.Sprintf("the identity provider refused the authorization code (%s)", clean(re.ErrorCode)), err)
		}
		return nil, refuse(ReasonUnreachable, "the identity provider's token endpoint cannot be reached", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, refuse(ReasonClaims, "the identity provider sent no ID token: is openid among the scopes?", nil)
	}
	idt, err := p.verify(cctx, prov, raw, f.Nonce)
	if err != nil {
		return nil, err
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, refuse(ReasonSignature, "the ID token's at_hash does not match the access token", err)
		}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, refuse(ReasonClaims, "the ID token's claims cannot be read", err)
	}
	if p.needsUserinfo(claims) && prov.UserInfoEndpoint() != "" {
		if err := p.mergeUserinfo(cctx, prov, tok, idt.Subject, claims); err != nil {
			return nil, err
		}
	}
	person, err := p.cfg.PersonFromClaims(idt.Issuer, idt.Subject, claims)
	if err != nil {
		return nil, refuse(ReasonClaims, err.Error(), nil)
	}
	return &Result{Person: person, IDToken: raw}, nil
}

// VerifyIDToken verifies an ID token issued to paved with the given nonce;
// Finish does this with the token from the code exchange.
func (p *RP) VerifyIDToken(ctx context.Context, raw, nonce string) (*oidc.IDToken, error) {
	prov, err := p.provider(ctx)
	if err != nil {
		return nil, err
	}
	return p.verify(p.ctx(ctx), prov, raw, nonce)
}

func (p *RP) verify(ctx context.Context, prov *oidc.Provider, raw, nonce string) (*oidc.IDToken, error) {
	if len(raw) > maxTokenBytes {
		return nil, refuse(ReasonMalformed, "the ID token is too large", nil)
	}
	idt, err := prov.VerifierContext(ctx, &oidc.Config{ClientID: p.cfg.ClientID, Now: p.now}).Verify(ctx, raw)
	if err != nil {
		return nil, verifyError("ID token", err)
	}
	if nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, refuse(ReasonNonce, "the ID token's nonce is not this sign-in's: it was issued for another sign-in (a replayed or injected token)", nil)
	}
	// With several audiences the token must name paved as the party it
	// was issued to (OpenID Connect Core 3.1.3.7).
	var azp struct {
		AZP string `json:"azp"`
	}
	_ = idt.Claims(&azp)
	if (len(idt.Audience) > 1 || azp.AZP != "") && azp.AZP != p.cfg.ClientID {
		return nil, refuse(ReasonAudience, "the ID token was issued to another client (azp)", nil)
	}
	return idt, nil
}

// needsUserinfo reports whether the claims lack what PersonFromClaims
// reads, which some providers put only in the userinfo answer.
func (p *RP) needsUserinfo(claims map[string]any) bool {
	if _, ok := claim(claims, p.cfg.groupsClaim()); !ok && len(p.cfg.Groups) > 0 {
		return true
	}
	if p.cfg.UsernameClaim != "" {
		_, ok := claim(claims, p.cfg.UsernameClaim)
		return !ok
	}
	_, a := claims["preferred_username"]
	_, b := claims["email"]
	return !a && !b
}

func (p *RP) mergeUserinfo(ctx context.Context, prov *oidc.Provider, tok *oauth2.Token, subject string, claims map[string]any) error {
	ui, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return refuse(ReasonUnreachable, "the identity provider's userinfo endpoint did not answer", err)
	}
	if ui.Subject != subject {
		return refuse(ReasonClaims, "the userinfo answer is about another subject than the ID token", nil)
	}
	extra := map[string]any{}
	if err := ui.Claims(&extra); err != nil {
		return refuse(ReasonClaims, "the userinfo answer cannot be read", err)
	}
	for k, v := range extra {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

// EndSessionURL returns the provider's end-session URL for signing out
// (OpenID Connect RP-Initiated Logout), with the ID token as hint when
// there is one, and false when the provider offers no end-session
// endpoint or cannot be reached.
func (p *RP) EndSessionURL(ctx context.Context, idTokenHint, postLogout string) (string, bool) {
	if _, err := p.provider(ctx); err != nil {
		return "", false
	}
	p.mu.Lock()
	end := p.meta.EndSession
	p.mu.Unlock()
	u, err := url.Parse(end)
	if end == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	q := u.Query()
	q.Set("client_id", p.cfg.ClientID)
	if idTokenHint != "" {
		q.Set("id_token_hint", idTokenHint)
	}
	if postLogout != "" {
		q.Set("post_logout_redirect_uri", postLogout)
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}

// clean keeps a provider's error text printable and short.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 100 {
		s = s[:100]
	}
	return s
}

// Discover reports whether an issuer's discovery document answers and
// names the issuer, for `paved config validate`.
func Discover(ctx context.Context, client *http.Client, issuer string) error {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	_, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	return err
}
