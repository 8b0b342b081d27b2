package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/identity/oidctest"
)

// githubClaims are a GitHub Actions job token's claims, as GitHub sends
// them (docs: "About security hardening with OpenID Connect"), issued by
// the test provider.
func githubClaims(issuer string, now time.Time, over map[string]any) map[string]any {
	c := map[string]any{
		"iss": issuer, "aud": "paved", "sub": "repo:acme/shop:ref:refs/heads/main",
		"repository": "acme/shop", "repository_owner": "acme", "ref": "refs/heads/main", "ref_type": "branch",
		"sha": "0123456789abcdef0123456789abcdef01234567", "workflow": "ci", "run_id": "4242", "event_name": "push",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func gitlabClaims(issuer string, now time.Time, over map[string]any) map[string]any {
	c := map[string]any{
		"iss": issuer, "aud": "paved", "sub": "project_path:acme/payments/ledger:ref_type:branch:ref:main",
		"project_path": "acme/payments/ledger", "namespace_path": "acme/payments", "ref": "main", "ref_type": "branch",
		"sha": "89abcdef", "pipeline_id": "77", "job_id": "9001",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

var catalog = []*paved.Service{
	{Name: "shop", Owner: "retail", Tier: 1, Phase: paved.PhaseProduction, Annotations: map[string]string{AnnotationGitHubSlug: "acme/shop"}},
	{Name: "shop-worker", Owner: "retail", Tier: 2, Phase: paved.PhaseGreenLight, Links: []paved.Link{{URL: "https://github.com/Acme/Shop.git", Type: "repository"}}},
	{Name: "ledger", Owner: "payments", Tier: 1, Phase: paved.PhaseProduction, Annotations: map[string]string{AnnotationGitLabSlug: "acme/payments/ledger"}},
	{Name: "search", Owner: "search", Tier: 3, Phase: paved.PhasePlayground, Annotations: map[string]string{AnnotationGitHubSlug: "acme/search"}},
	{Name: "old-shop", Owner: "retail", Tier: 3, Phase: paved.PhaseRetired, Annotations: map[string]string{AnnotationGitHubSlug: "acme/shop"}},
}

// TestCIExchangeDecisions: real signatures and a JWKS served over HTTP by
// the provider process; each refusal says why.
func TestCIExchangeDecisions(t *testing.T) {
	p := oidctest.Start(t, oidctest.Options{ClientID: "unused"})
	now := time.Now()
	cfg := &CI{Trust: []TrustRule{
		{Issuer: p.Issuer, Audience: "paved", Kind: KindGitHub, Repositories: []string{"acme/*"}, Branches: []string{"main", "release/*"}, RepositoryHost: "github.com"},
	}}
	v, err := NewCIVerifier(cfg, CIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	id, err := v.Verify(ctx, p.Sign(t, githubClaims(p.Issuer, now, nil), false))
	if err != nil {
		t.Fatal(err)
	}
	if id.Repository != "acme/shop" || id.Branch != "main" || id.SHA != "0123456789abcdef0123456789abcdef01234567" ||
		id.RunURL != "https://github.com/acme/shop/actions/runs/4242" || id.Kind != KindGitHub {
		t.Errorf("identity %+v", id)
	}
	if want := paved.CIRecorder(p.Issuer, "acme/shop", id.SHA); id.Recorder() != want || !strings.HasPrefix(want, "ci:127.0.0.1:") {
		t.Errorf("recorder %q; want %q", id.Recorder(), want)
	}
	sc, err := Scope(catalog, id, nil)
	if err != nil || !reflect.DeepEqual(sc.Services, []string{"shop", "shop-worker"}) || sc.CI != id.Recorder() || sc.Access != paved.ScopeChecks {
		t.Errorf("scope of every service built from acme/shop: %+v, %v", sc, err)
	}
	if sc, err := Scope(catalog, id, []string{"shop"}); err != nil || !reflect.DeepEqual(sc.Services, []string{"shop"}) {
		t.Errorf("scope for shop: %+v, %v", sc, err)
	}
	if d, err := v.TokenLifetime(id); err != nil || d > DefaultCITokenLifetime || d < 9*time.Minute {
		t.Errorf("lifetime %v, %v: want the job's remaining 10 minutes", d, err)
	}

	refusals := []struct {
		name   string
		token  string
		reason string
		says   string
	}{
		{"forged signature", p.Sign(t, githubClaims(p.Issuer, now, nil), true), ReasonSignature, "signature"},
		{"expired", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"exp": now.Add(-time.Minute).Unix()}), false), ReasonExpired, "expired"},
		{"wrong audience", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"aud": "sts.amazonaws.com"}), false), ReasonAudience, "sts.amazonaws.com, not paved"},
		{"untrusted issuer", p.Sign(t, githubClaims("https://token.actions.githubusercontent.com", now, nil), false), ReasonIssuer, "is not trusted"},
		{"untrusted repository", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"repository": "evil/shop"}), false), ReasonRepository, "repository evil/shop is not trusted"},
		{"untrusted branch", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"ref": "refs/heads/feature"}), false), ReasonBranch, "branch feature is not trusted"},
		{"a tag", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"ref": "refs/tags/v1"}), false), ReasonBranch, "not a branch"},
		{"no repository", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"repository": nil}), false), ReasonClaims, "repository claim"},
		{"path tricks", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"repository": "acme/../evil"}), false), ReasonClaims, "repository claim"},
		{"not valid yet", p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"nbf": now.Add(time.Hour).Unix()}), false), ReasonExpired, "not valid yet"},
		{"alg none", unsigned(p.Issuer, now), ReasonMalformed, "not a signed JWT"},
		{"alg HS256", hmacSigned(p.Issuer, now), ReasonMalformed, "not a signed JWT"},
		{"not a JWT", "abc.def", ReasonMalformed, "not a signed JWT"},
		{"empty", "", ReasonMalformed, "no token"},
		{"huge", strings.Repeat("a", maxTokenBytes+1), ReasonMalformed, "longer than"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(ctx, tc.token)
			if ReasonOf(err) != tc.reason || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %v (reason %s); want reason %s saying %q", err, ReasonOf(err), tc.reason, tc.says)
			}
		})
	}

	// The repository is trusted, but the catalog decides which services
	// it may record checks for.
	other, err := v.Verify(ctx, p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"repository": "acme/unmapped"}), false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Scope(catalog, other, nil); ReasonOf(err) != ReasonService || !strings.Contains(err.Error(), "no service in the catalog is built from acme/unmapped") {
		t.Errorf("unmapped repository: %v", err)
	}
	if _, err := Scope(catalog, id, []string{"search"}); ReasonOf(err) != ReasonService ||
		!strings.Contains(err.Error(), `service "search" is not built from acme/shop`) || !strings.Contains(err.Error(), "shop, shop-worker") {
		t.Errorf("another service: %v", err)
	}
	if _, err := Scope(catalog, id, []string{"old-shop"}); ReasonOf(err) != ReasonService {
		t.Errorf("a retired service: %v", err)
	}
	if _, err := Scope(catalog, id, []string{"nope"}); ReasonOf(err) != ReasonService || !strings.Contains(err.Error(), "not in the catalog") {
		t.Errorf("unknown service: %v", err)
	}

	// A job token with less time left than the configured lifetime caps
	// the paved token.
	short, err := v.Verify(ctx, p.Sign(t, githubClaims(p.Issuer, now, map[string]any{"exp": now.Add(90 * time.Second).Unix()}), false))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := v.TokenLifetime(short); d > 90*time.Second {
		t.Errorf("lifetime %v outlives the job's token", d)
	}
}

// unsigned is a token with alg none, the oldest forgery.
func unsigned(issuer string, now time.Time) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	b, _ := json.Marshal(githubClaims(issuer, now, nil))
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + "."
}

// hmacSigned is a token signed with HS256 under a key anyone can know
// (the algorithm-confusion forgery).
func hmacSigned(issuer string, now time.Time) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	b, _ := json.Marshal(githubClaims(issuer, now, nil))
	in := h + "." + base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, []byte("public key bytes"))
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestCIGitLab: GitLab's claims (project_path, ref_type) and a second
// audience entry for the same issuer.
func TestCIGitLab(t *testing.T) {
	p := oidctest.Start(t, oidctest.Options{ClientID: "unused"})
	now := time.Now()
	cfg := &CI{Trust: []TrustRule{
		{Issuer: p.Issuer, Audience: "https://paved.example.com", Kind: KindGitLab, Repositories: []string{"acme/payments/*"}, RepositoryHost: "gitlab.example.com"},
		{Issuer: p.Issuer, Audience: "paved", Kind: KindGitLab, Repositories: []string{"acme/payments/*"}, Branches: []string{"main"}, RepositoryHost: "gitlab.example.com"},
	}}
	v, err := NewCIVerifier(cfg, CIOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Verify(context.Background(), p.Sign(t, gitlabClaims(p.Issuer, now, nil), false))
	if err != nil {
		t.Fatal(err)
	}
	if id.Repository != "acme/payments/ledger" || id.Branch != "main" || id.RunURL != "https://gitlab.example.com/acme/payments/ledger/-/jobs/9001" || id.Rule.Audience != "paved" {
		t.Errorf("identity %+v", id)
	}
	if sc, err := Scope(catalog, id, []string{"ledger"}); err != nil || sc.Services[0] != "ledger" {
		t.Errorf("scope %+v, %v", sc, err)
	}
	_, err = v.Verify(context.Background(), p.Sign(t, gitlabClaims(p.Issuer, now, map[string]any{"ref_type": "tag", "ref": "v1"}), false))
	if ReasonOf(err) != ReasonBranch {
		t.Errorf("a tag under a branch rule: %v", err)
	}
	_, err = v.Verify(context.Background(), p.Sign(t, gitlabClaims(p.Issuer, now, map[string]any{"aud": "else"}), false))
	if ReasonOf(err) != ReasonAudience {
		t.Errorf("an audience neither entry names: %v", err)
	}
}

// TestCIUnreachableIssuer: a trusted issuer that is down refuses with a
// reason, and is asked again later.
func TestCIUnreachableIssuer(t *testing.T) {
	p := oidctest.Start(t, oidctest.Options{ClientID: "unused"})
	tok := p.Sign(t, githubClaims(p.Issuer, time.Now(), nil), false)
	v, err := NewCIVerifier(&CI{Trust: []TrustRule{{Issuer: p.Issuer, Audience: "paved", Kind: KindGitHub, Repositories: []string{"acme/*"}}}}, CIOptions{RetryAfter: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	if _, err := v.Verify(context.Background(), tok); ReasonOf(err) != ReasonUnreachable {
		t.Errorf("down issuer: %v", err)
	}
}

func TestBuiltFrom(t *testing.T) {
	gh := &CIIdentity{Kind: KindGitHub, Repository: "acme/shop", Rule: TrustRule{Issuer: GitHubIssuer}}
	gl := &CIIdentity{Kind: KindGitLab, Repository: "acme/pay/ledger", Rule: TrustRule{Issuer: "https://gitlab.example.com"}}
	svc := func(ann map[string]string, links ...string) *paved.Service {
		s := &paved.Service{Name: "s", Annotations: ann}
		for _, l := range links {
			s.Links = append(s.Links, paved.Link{URL: l})
		}
		return s
	}
	tests := []struct {
		name string
		s    *paved.Service
		id   *CIIdentity
		want bool
	}{
		{"github slug", svc(map[string]string{AnnotationGitHubSlug: "acme/shop"}), gh, true},
		{"slug ignores case", svc(map[string]string{AnnotationGitHubSlug: "ACME/Shop"}), gh, true},
		{"another slug", svc(map[string]string{AnnotationGitHubSlug: "acme/shopx"}), gh, false},
		{"gitlab slug does not count for github", svc(map[string]string{AnnotationGitLabSlug: "acme/shop"}), gh, false},
		{"gitlab slug", svc(map[string]string{AnnotationGitLabSlug: "acme/pay/ledger"}), gl, true},
		{"repo link", svc(nil, "https://github.com/acme/shop"), gh, true},
		{"repo link .git", svc(nil, "https://github.com/acme/shop.git"), gh, true},
		{"repo link to a tree", svc(nil, "https://github.com/acme/shop/tree/main/deploy"), gh, true},
		{"gitlab tree link", svc(nil, "https://gitlab.example.com/acme/pay/ledger/-/tree/main"), gl, true},
		{"link on another host", svc(nil, "https://evil.example/acme/shop"), gh, false},
		{"link to a wiki page of another repo", svc(nil, "https://github.com/acme/shop-docs"), gh, false},
		{"link prefix only", svc(nil, "https://github.com/acme"), gh, false},
		{"source location", svc(map[string]string{AnnotationSourceLocation: "url:https://github.com/acme/shop/tree/main/"}), gh, true},
		{"nothing", svc(nil), gh, false},
	}
	for _, tc := range tests {
		if got, how := BuiltFrom(tc.s, tc.id); got != tc.want {
			t.Errorf("%s: BuiltFrom = %v (%s); want %v", tc.name, got, how, tc.want)
		}
	}
}
