// Package demo seeds a realistic organisation so that a newcomer can walk
// every journey of paved on a fresh machine: five enablement teams, product
// teams grouped under business units, about thirty services spread over
// every phase, tier and data class, a user in every role, and launches in
// every stage of the path to production (launch.go).
//
// Everything goes through paved.Store, so the demo has the same audit trail
// as real use. Seeding is deterministic (only token secrets are random) and
// idempotent: what exists is left alone, so a second Seed writes nothing.
package demo

import (
	"context"
	"fmt"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/app"
)

// Domain is the fictional organisation's domain, used in e-mail addresses
// and links. example.com is reserved for documentation (RFC 2606).
const Domain = "example.com"

// TokenName names the token Seed creates for each demo user; Seed skips
// users who already hold one, which keeps it idempotent.
const TokenName = "demo"

// Actor is the audit actor of the seeded changes unless the context
// already names one.
const Actor = "demo"

// Seed creates the demo organisation through the application services of
// a (its store, its launch and exception services, so that the demo obeys
// the rules of the platform config in force) and returns a token secret
// for each demo user it issued a token to, keyed by user name. Secrets are
// stored only as hashes: the caller prints them, and a second Seed returns
// none. Answers go to the items of the App's templates; the demo's own
// words fit the embedded ones.
func Seed(ctx context.Context, a *app.App) (map[string]string, error) {
	st := a.Store
	if actor := paved.ActorFrom(ctx); actor.User == nil && actor.Name == "system" {
		ctx = paved.WithActor(ctx, paved.Actor{Name: Actor})
	}
	for _, t := range Teams() {
		if err := ensureTeam(ctx, st, t); err != nil {
			return nil, err
		}
	}
	for _, u := range Users() {
		if err := ensureUser(ctx, st, u); err != nil {
			return nil, err
		}
	}
	for _, s := range Services() {
		if err := ensureService(ctx, st, s); err != nil {
			return nil, err
		}
	}
	if err := seedLaunches(ctx, st, a.Launch); err != nil {
		return nil, err
	}
	if err := seedExceptions(ctx, st, a.Exceptions); err != nil {
		return nil, err
	}
	if err := seedSpend(ctx, st, time.Now()); err != nil {
		return nil, err
	}
	tokens := map[string]string{}
	for _, u := range Users() {
		secret, err := ensureToken(ctx, st, u.Name)
		if err != nil {
			return nil, err
		}
		if secret != "" {
			tokens[u.Name] = secret
		}
	}
	return tokens, nil
}

func ensureTeam(ctx context.Context, st paved.Store, t *paved.Team) error {
	_, err := st.FindTeam(ctx, t.Name)
	switch paved.ErrorCode(err) {
	case "":
		return nil
	case paved.ENOTFOUND:
		if err := st.CreateTeam(ctx, t); err != nil {
			return fmt.Errorf("demo: create team %s: %w", t.Name, err)
		}
		return nil
	}
	return fmt.Errorf("demo: find team %s: %w", t.Name, err)
}

func ensureUser(ctx context.Context, st paved.Store, u *paved.User) error {
	_, err := st.FindUser(ctx, u.Name)
	switch paved.ErrorCode(err) {
	case "":
		return nil
	case paved.ENOTFOUND:
		if err := st.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("demo: create user %s: %w", u.Name, err)
		}
		return nil
	}
	return fmt.Errorf("demo: find user %s: %w", u.Name, err)
}

// ensureService creates a missing service. Retired services are created
// in production and then retired, so their history reads like a real one.
// Services that reach green-light or production through the launch gate
// in the demo (see launch.go) start in playground; seedLaunches moves them.
func ensureService(ctx context.Context, st paved.Store, s *paved.Service) error {
	_, err := st.FindService(ctx, s.Name)
	switch paved.ErrorCode(err) {
	case "":
		return nil
	case paved.ENOTFOUND:
	default:
		return fmt.Errorf("demo: find service %s: %w", s.Name, err)
	}
	retire := s.Phase == paved.PhaseRetired
	if retire {
		s.Phase = paved.PhaseProduction
	}
	if s.Phase == paved.PhaseGreenLight || walkedToProduction[s.Name] {
		s.Phase = paved.PhasePlayground
	}
	if err := st.CreateService(ctx, s); err != nil {
		return fmt.Errorf("demo: create service %s: %w", s.Name, err)
	}
	if retire {
		if err := st.RetireService(ctx, s.Name); err != nil {
			return fmt.Errorf("demo: retire service %s: %w", s.Name, err)
		}
	}
	return nil
}

// ensureToken issues a demo token to user unless it holds one already
// (revoked or not: a revoked demo token was revoked on purpose).
func ensureToken(ctx context.Context, st paved.Store, user string) (string, error) {
	toks, err := st.FindTokens(ctx, user)
	if err != nil {
		return "", fmt.Errorf("demo: find tokens of %s: %w", user, err)
	}
	for _, t := range toks {
		if t.Name == TokenName {
			return "", nil
		}
	}
	secret := paved.NewTokenSecret()
	t := &paved.Token{
		User:   user,
		Name:   TokenName,
		Prefix: paved.DisplayPrefix(secret),
		Hash:   paved.HashToken(secret),
	}
	if err := st.CreateToken(ctx, t); err != nil {
		return "", fmt.Errorf("demo: create token for %s: %w", user, err)
	}
	return secret, nil
}
