package identity

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	paved "github.com/paved-dev/paved"
)

// maxTokenBytes bounds a JWT paved will look at: real ID tokens are one
// or two kilobytes, Entra's with many groups a few more.
const maxTokenBytes = 16 << 10

// signingAlgs are the algorithms a token's header may name when paved
// reads its issuer; the verifier then restricts them to the issuer's.
var signingAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// CIIdentity is a verified CI job: who it is and what it runs.
type CIIdentity struct {
	Issuer     string
	Kind       string
	Repository string // owner/name (GitHub), group/project path (GitLab)
	Ref        string // as the token names it: refs/heads/main, main
	Branch     string // the branch name, "" for tags and pull-request refs
	SHA        string
	Workflow   string
	RunURL     string
	Expiry     time.Time
	// Rule is the trust entry that accepted the token.
	Rule TrustRule
}

// Recorder is the job's name in recorded checks and the audit log.
func (c *CIIdentity) Recorder() string { return paved.CIRecorder(c.Issuer, c.Repository, c.SHA) }

// CIOptions tune NewCIVerifier.
type CIOptions struct {
	HTTPClient *http.Client
	Now        func() time.Time
	// RetryAfter is how long a failed discovery is remembered (default 5s).
	RetryAfter time.Duration
}

// CIVerifier verifies CI jobs' ID tokens against ci.trust. Issuers are
// discovered on first use; their keys are go-oidc's remote key sets, which
// fetch the JWKS again when a token names a key they do not know (the
// issuer rotated).
type CIVerifier struct {
	cfg    CI
	client *http.Client
	now    func() time.Time
	retry  time.Duration

	mu    sync.Mutex
	provs map[string]*oidc.Provider
	fails map[string]failure
}

type failure struct {
	at  time.Time
	err error
}

// NewCIVerifier checks the section and returns a verifier; it makes no
// request.
func NewCIVerifier(cfg *CI, o CIOptions) (*CIVerifier, error) {
	if err := cfg.Validate(nil); err != nil {
		return nil, err
	}
	v := &CIVerifier{cfg: *cfg, client: o.HTTPClient, now: o.Now, retry: o.RetryAfter,
		provs: map[string]*oidc.Provider{}, fails: map[string]failure{}}
	if v.client == nil {
		v.client = &http.Client{Timeout: 10 * time.Second}
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.retry <= 0 {
		v.retry = 5 * time.Second
	}
	return v, nil
}

// Enabled reports whether any issuer is trusted.
func (v *CIVerifier) Enabled() bool { return v != nil && len(v.cfg.Trust) > 0 }

// Lifetime is the longest a token from the exchange may live.
func (v *CIVerifier) Lifetime() time.Duration { return v.cfg.Lifetime() }

func (v *CIVerifier) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if p := v.provs[issuer]; p != nil {
		return p, nil
	}
	if f, ok := v.fails[issuer]; ok && v.now().Sub(f.at) < v.retry {
		return nil, f.err
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, v.client), issuer)
	if err != nil {
		e := refuse(ReasonUnreachable, fmt.Sprintf("the CI issuer %s cannot be reached to fetch its keys", issuer), err)
		v.fails[issuer] = failure{at: v.now(), err: e}
		return nil, e
	}
	delete(v.fails, issuer)
	v.provs[issuer] = p
	return p, nil
}

// Verify checks a CI job's ID token: the issuer must be trusted, the
// signature verify against the issuer's keys, the audience be the one
// ci.trust names, the token unexpired, and the repository and branch
// allowed by a trust entry of that issuer.
func (v *CIVerifier) Verify(ctx context.Context, raw string) (*CIIdentity, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, refuse(ReasonMalformed, "no token given: send the CI job's ID token", nil)
	}
	if len(raw) > maxTokenBytes {
		return nil, refuse(ReasonMalformed, fmt.Sprintf("the token is longer than %d bytes: it is not a CI job's ID token", maxTokenBytes), nil)
	}
	// The issuer decides which keys verify the token, so it is read
	// before verification, and trusted only after it.
	parsed, err := jwt.ParseSigned(raw, signingAlgs)
	if err != nil {
		return nil, refuse(ReasonMalformed, "the token is not a signed JWT", err)
	}
	var head struct {
		Issuer string `json:"iss"`
	}
	if err := parsed.UnsafeClaimsWithoutVerification(&head); err != nil || head.Issuer == "" {
		return nil, refuse(ReasonMalformed, "the token names no issuer", err)
	}
	var rules []TrustRule
	for _, r := range v.cfg.Trust {
		if strings.TrimSuffix(r.Issuer, "/") == strings.TrimSuffix(head.Issuer, "/") {
			rules = append(rules, r)
		}
	}
	if len(rules) == 0 {
		return nil, refuse(ReasonIssuer, fmt.Sprintf("issuer %s is not trusted: ci.trust in paved.yaml lists %s", clean(head.Issuer), v.issuers()), nil)
	}
	prov, err := v.provider(ctx, rules[0].Issuer)
	if err != nil {
		return nil, err
	}
	cctx := oidc.ClientContext(ctx, v.client)
	var last *Error
	for _, r := range rules {
		tok, err := prov.VerifierContext(cctx, &oidc.Config{ClientID: r.Audience, Now: v.now}).Verify(cctx, raw)
		if err != nil {
			e := verifyError("CI job's ID token", err)
			if e.Reason == ReasonAudience {
				e.Message = fmt.Sprintf("the CI job's ID token is for audience %s, not %s: ask for the audience ci.trust names (GitHub: core.getIDToken('%s'); GitLab: id_tokens aud)", audienceOf(tok, parsed), r.Audience, r.Audience)
				last = e
				continue
			}
			return nil, e
		}
		id, err := identityOf(tok, r)
		if err != nil {
			return nil, err
		}
		if e := r.allows(id); e != nil {
			last = e
			continue
		}
		return id, nil
	}
	return nil, last
}

// audienceOf names the token's audiences for a message.
func audienceOf(tok *oidc.IDToken, parsed *jwt.JSONWebToken) string {
	if tok != nil {
		return strings.Join(tok.Audience, ", ")
	}
	var c jwt.Claims
	if parsed.UnsafeClaimsWithoutVerification(&c) == nil && len(c.Audience) > 0 {
		return clean(strings.Join(c.Audience, ", "))
	}
	return "(none)"
}

func (v *CIVerifier) issuers() string {
	seen := map[string]bool{}
	var out []string
	for _, r := range v.cfg.Trust {
		if !seen[r.Issuer] {
			seen[r.Issuer] = true
			out = append(out, r.Issuer)
		}
	}
	return strings.Join(out, ", ")
}

// identityOf reads the job's claims by the issuer's kind.
func identityOf(tok *oidc.IDToken, r TrustRule) (*CIIdentity, error) {
	var c struct {
		Repository  string `json:"repository"`
		ProjectPath string `json:"project_path"`
		Ref         string `json:"ref"`
		RefType     string `json:"ref_type"`
		SHA         string `json:"sha"`
		Workflow    string `json:"workflow"`
		RunID       string `json:"run_id"`
		JobID       string `json:"job_id"`
	}
	if err := tok.Claims(&c); err != nil {
		return nil, refuse(ReasonClaims, "the CI job's ID token has malformed claims", err)
	}
	id := &CIIdentity{Issuer: strings.TrimSuffix(r.Issuer, "/"), Kind: r.EffectiveKind(), Ref: c.Ref, SHA: c.SHA, Workflow: c.Workflow, Expiry: tok.Expiry, Rule: r}
	host := r.Host()
	switch id.Kind {
	case KindGitHub:
		id.Repository = c.Repository
		id.Branch, _ = strings.CutPrefix(c.Ref, "refs/heads/")
		if !strings.HasPrefix(c.Ref, "refs/heads/") {
			id.Branch = ""
		}
		if c.RunID != "" && safeSegment(c.RunID) {
			id.RunURL = fmt.Sprintf("https://%s/%s/actions/runs/%s", host, c.Repository, c.RunID)
		}
	case KindGitLab:
		id.Repository = c.ProjectPath
		if c.RefType == "branch" {
			id.Branch = c.Ref
		}
		if c.JobID != "" && safeSegment(c.JobID) {
			id.RunURL = fmt.Sprintf("https://%s/%s/-/jobs/%s", host, c.ProjectPath, c.JobID)
		}
	}
	if id.Repository == "" || len(id.Repository) > 300 || !validRepoPath(id.Repository) {
		claimName := map[string]string{KindGitHub: "repository", KindGitLab: "project_path"}[id.Kind]
		return nil, refuse(ReasonClaims, fmt.Sprintf("the CI job's ID token has no usable %s claim (is ci.trust's kind right for this issuer?)", claimName), nil)
	}
	if len(id.SHA) > 64 || !safeSegment(id.SHA) && id.SHA != "" {
		return nil, refuse(ReasonClaims, "the CI job's ID token has a malformed sha claim", nil)
	}
	if len(id.Ref) > 300 || len(id.Workflow) > 300 {
		return nil, refuse(ReasonClaims, "the CI job's ID token has an overlong ref or workflow claim", nil)
	}
	return id, nil
}

func safeSegment(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return s != ""
}

func validRepoPath(p string) bool {
	if strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || !strings.Contains(p, "/") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." || !safeSegment(seg) {
			return false
		}
	}
	return true
}

// allows applies the entry's repository and branch rules.
func (r *TrustRule) allows(id *CIIdentity) *Error {
	repo := strings.ToLower(id.Repository)
	ok := false
	for _, p := range r.Repositories {
		if m, _ := path.Match(strings.ToLower(p), repo); m {
			ok = true
			break
		}
	}
	if !ok {
		return refuse(ReasonRepository, fmt.Sprintf("repository %s is not trusted: ci.trust allows %s for issuer %s", id.Repository, strings.Join(r.Repositories, ", "), r.Issuer), nil)
	}
	if len(r.Branches) == 0 {
		return nil
	}
	if id.Branch == "" {
		return refuse(ReasonBranch, fmt.Sprintf("the job runs on %s, which is not a branch: ci.trust allows only branches %s", clean(id.Ref), strings.Join(r.Branches, ", ")), nil)
	}
	for _, p := range r.Branches {
		if m, _ := path.Match(p, id.Branch); m {
			return nil
		}
	}
	return refuse(ReasonBranch, fmt.Sprintf("branch %s is not trusted: ci.trust allows %s", clean(id.Branch), strings.Join(r.Branches, ", ")), nil)
}

// Repository annotations of the Backstage catalog.
const (
	AnnotationGitHubSlug     = "github.com/project-slug"
	AnnotationGitLabSlug     = "gitlab.com/project-slug"
	AnnotationSourceLocation = "backstage.io/source-location"
)

// BuiltFrom reports whether the service is built from the CI job's
// repository, and says how paved knows: the catalog's project-slug
// annotation of the job's kind, its source location, or a repository link
// on the job's repository host. Matching ignores case, as both forges do.
func BuiltFrom(svc *paved.Service, id *CIIdentity) (bool, string) {
	want := strings.ToLower(id.Repository)
	slug := AnnotationGitHubSlug
	if id.Kind == KindGitLab {
		slug = AnnotationGitLabSlug
	}
	if v := strings.TrimSpace(svc.Annotations[slug]); v != "" && strings.ToLower(strings.Trim(v, "/")) == want {
		return true, "annotation " + slug
	}
	host := id.Rule.Host()
	if v := strings.TrimSpace(svc.Annotations[AnnotationSourceLocation]); v != "" {
		v = strings.TrimPrefix(strings.TrimPrefix(v, "url:"), "git:")
		if repoOfURL(v, host) == want {
			return true, "annotation " + AnnotationSourceLocation
		}
	}
	for _, l := range svc.Links {
		if repoOfURL(l.URL, host) == want {
			return true, "repository link " + l.URL
		}
	}
	return false, ""
}

// repoOfURL returns the lower-cased owner/name path of a repository URL on
// host (https://github.com/acme/shop, .../acme/shop.git, .../acme/shop/tree/main),
// "" when it is on another host or no repository URL.
func repoOfURL(raw, host string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.EqualFold(u.Host, host) {
		return ""
	}
	p := strings.Trim(u.Path, "/")
	// GitHub's /tree/, /blob/; GitLab's /-/tree/ and the like.
	for _, cut := range []string{"/-/", "/tree/", "/blob/"} {
		if i := strings.Index(p, cut); i >= 0 {
			p = p[:i]
		}
	}
	p = strings.TrimSuffix(p, ".git")
	if !validRepoPath(p) {
		return ""
	}
	return strings.ToLower(p)
}

// ServicesFor returns the names of the services built from the job's
// repository, sorted.
func ServicesFor(services []*paved.Service, id *CIIdentity) []string {
	var out []string
	for _, s := range services {
		if s == nil || s.Phase == paved.PhaseRetired {
			continue
		}
		if ok, _ := BuiltFrom(s, id); ok {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Scope decides the scope of the token the exchange issues: the requested
// services, each of which must be built from the job's repository, or
// every such service when none is requested. It refuses with
// ReasonService when the job builds none of them.
func Scope(services []*paved.Service, id *CIIdentity, requested []string) (*paved.TokenScope, error) {
	built := ServicesFor(services, id)
	if len(requested) == 0 {
		if len(built) == 0 {
			return nil, refuse(ReasonService, fmt.Sprintf("no service in the catalog is built from %s: give the service the annotation %s: %s (or a repository link)", id.Repository, slugFor(id.Kind), id.Repository), nil)
		}
		if len(built) > paved.MaxScopeServices {
			built = built[:paved.MaxScopeServices]
		}
		return &paved.TokenScope{Access: paved.ScopeChecks, Services: built, CI: id.Recorder()}, nil
	}
	byName := map[string]*paved.Service{}
	for _, s := range services {
		if s != nil {
			byName[s.Name] = s
		}
	}
	var names []string
	for _, n := range requested {
		s := byName[n]
		if s == nil {
			return nil, refuse(ReasonService, fmt.Sprintf("service %q is not in the catalog", n), nil)
		}
		if ok, _ := BuiltFrom(s, id); !ok || s.Phase == paved.PhaseRetired {
			msg := fmt.Sprintf("service %q is not built from %s: its catalog entry names another repository (annotation %s or a repository link)", n, id.Repository, slugFor(id.Kind))
			if len(built) > 0 {
				msg += fmt.Sprintf("; this job may record checks for %s", strings.Join(built, ", "))
			}
			return nil, refuse(ReasonService, msg, nil)
		}
		names = append(names, n)
	}
	sc := &paved.TokenScope{Access: paved.ScopeChecks, Services: names, CI: id.Recorder()}
	if err := sc.Validate(); err != nil {
		return nil, refuse(ReasonService, paved.ErrorMessage(err), nil)
	}
	sort.Strings(sc.Services)
	return sc, nil
}

func slugFor(kind string) string {
	if kind == KindGitLab {
		return AnnotationGitLabSlug
	}
	return AnnotationGitHubSlug
}

// TokenLifetime is how long the exchanged token may live: the configured
// lifetime, cut to what is left of the job's own token.
func (v *CIVerifier) TokenLifetime(id *CIIdentity) (time.Duration, error) {
	left := id.Expiry.Sub(v.now())
	if left <= 0 {
		return 0, refuse(ReasonExpired, "the CI job's ID token has expired", nil)
	}
	return min(left, v.cfg.Lifetime()), nil
}
