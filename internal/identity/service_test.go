package identity

import (
	"context"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/identity/oidctest"
	"github.com/paved-dev/paved/internal/store"
)

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "paved.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "setup"})
	for _, tm := range []string{"payments", "retail"} {
		if err := db.CreateTeam(ctx, &paved.Team{Name: tm, Kind: paved.KindProduct}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestSignInsWithStore: the sign-in service over the real provider and
// the real store: a user created with the groups' grants, a replayed
// callback refused, a person removed from a group losing the membership,
// require_mapping.
func TestSignInsWithStore(t *testing.T) {
	p := startProvider(t)
	db := openStore(t)
	rp := newRP(t, testConfig(p.Issuer), nil)
	svc := &SignIns{RP: rp, Store: db}
	ctx := context.Background()

	signin := func() (string, url.Values) {
		cookie, authURL, err := svc.Start(ctx, "/services/shop")
		if err != nil {
			t.Fatal(err)
		}
		return cookie, p.Login(t, browser(t), authURL, jane.Username, jane.Password).Query()
	}
	cookie, q := signin()
	done, err := svc.Complete(ctx, cookie, q)
	if err != nil {
		t.Fatal(err)
	}
	u := done.Result.User
	if !done.Result.Created || u.Name != "jane.doe" || !reflect.DeepEqual(u.Teams, []string{"payments"}) || !u.HasRole(paved.RoleDeveloper) ||
		done.Next != "/services/shop" || done.IDToken == "" {
		t.Fatalf("completed %+v user %+v", done, u)
	}
	// The same callback again: the flow is gone.
	if _, err := svc.Complete(ctx, cookie, q); ReasonOf(err) != ReasonFlow {
		t.Errorf("replayed callback: %v", err)
	}
	// A callback without the browser's cookie (another browser, a link
	// sent to someone).
	cookie, q = signin()
	if _, err := svc.Complete(ctx, "", q); ReasonOf(err) != ReasonFlow {
		t.Errorf("callback without the cookie: %v", err)
	}
	if _, err := svc.Complete(ctx, cookie, q); err != nil {
		t.Errorf("the flow was not spent by the cookie-less callback: %v", err)
	}

	// Jane leaves payments-devs at the provider.
	left := jane
	left.Groups = []string{"everyone"}
	p.SetUser(t, left)
	cookie, q = signin()
	done, err = svc.Complete(ctx, cookie, q)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.FindUser(ctx, "jane.doe")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.Teams) != 0 || stored.HasRole(paved.RoleDeveloper) || done.Mapping.Matched() {
		t.Errorf("after leaving the group: %+v", stored)
	}
	if l, n, _ := db.FindUnmappedSignIns(ctx, paved.Page{}); n != 1 || l[0].User != "jane.doe" {
		t.Errorf("unmapped list: %d %+v", n, l)
	}
	// With require_mapping she is refused, and nothing changes.
	cfg := testConfig(p.Issuer)
	cfg.RequireMapping = true
	strict := &SignIns{RP: newRP(t, cfg, nil), Store: db}
	cookie, authURL, err := strict.Start(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	q = p.Login(t, browser(t), authURL, jane.Username, jane.Password).Query()
	if _, err := strict.Complete(ctx, cookie, q); ReasonOf(err) != ReasonUnmapped || paved.ErrorCode(ProblemOf(err)) != paved.EFORBIDDEN {
		t.Errorf("require_mapping: %v", err)
	}
}

// TestExchangeWithStore: the CI token exchange over the provider (as the
// CI issuer) and the real store.
func TestExchangeWithStore(t *testing.T) {
	p := oidctest.Start(t, oidctest.Options{ClientID: "unused"})
	db := openStore(t)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "setup"})
	for _, s := range []*paved.Service{
		{Name: "shop", Owner: "retail", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhaseProduction, Annotations: map[string]string{AnnotationGitHubSlug: "acme/shop"}},
		{Name: "ledger", Owner: "payments", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhaseProduction, Annotations: map[string]string{AnnotationGitHubSlug: "acme/ledger"}},
	} {
		if err := db.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	v, err := NewCIVerifier(&CI{Trust: []TrustRule{{Issuer: p.Issuer, Audience: "paved", Kind: KindGitHub, Repositories: []string{"acme/*"}, RepositoryHost: "github.com"}}}, CIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ex := &Exchange{Verifier: v, Store: db, Services: func(ctx context.Context) ([]*paved.Service, error) {
		l, _, err := db.FindServices(ctx, paved.ServiceFilter{Page: paved.Page{Limit: paved.MaxLimit}})
		return l, err
	}}
	now := time.Now()
	tok := p.Sign(t, githubClaims(p.Issuer, now, nil), false)
	resp, id, err := ex.Exchange(context.Background(), &ExchangeRequest{Token: tok, Services: []string{"shop"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.Token, paved.TokenPrefix) || resp.ExpiresIn > 600 || resp.ExpiresIn < 500 || !reflect.DeepEqual(resp.Services, []string{"shop"}) ||
		resp.RecordedAs != id.Recorder() {
		t.Errorf("response %+v", resp)
	}
	u, _, err := db.Authenticate(context.Background(), paved.HashToken(resp.Token))
	if err != nil || u.Name != paved.CIUser {
		t.Errorf("the exchanged token does not authenticate: %v %v", u, err)
	}
	evs, _, err := db.FindAuditEvents(context.Background(), paved.AuditFilter{ObjectType: "token"})
	if err != nil || len(evs) != 1 || evs[0].Actor != id.Recorder() {
		t.Errorf("audit of the exchange: %+v %v", evs, err)
	}
	// Another service's token: refused with why, as a 403.
	_, _, err = ex.Exchange(context.Background(), &ExchangeRequest{Token: tok, Services: []string{"ledger"}})
	if pe := ProblemOf(err); paved.ErrorCode(pe) != paved.EFORBIDDEN || !strings.Contains(pe.Error(), `service "ledger" is not built from acme/shop`) {
		t.Errorf("another service: %v", pe)
	}
	// An expired job token: a 401 that says so.
	old := p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"exp": now.Add(-time.Minute).Unix()}), false)
	_, _, err = ex.Exchange(context.Background(), &ExchangeRequest{Token: old})
	if pe := ProblemOf(err); paved.ErrorCode(pe) != paved.EUNAUTHORIZED || !strings.Contains(pe.Error(), "expired") {
		t.Errorf("expired: %v", pe)
	}
	if pe := ProblemOf(refuse(ReasonMalformed, "bad", nil)); paved.ErrorCode(pe) != paved.EINVALID {
		t.Errorf("malformed: %v", pe)
	}
}
