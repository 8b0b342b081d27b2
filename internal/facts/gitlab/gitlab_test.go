package gitlab

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// content wraps a file as the repository files API returns it.
func content(p, text string) string {
	sum := sha256.Sum256([]byte(text))
	b, _ := json.Marshal(map[string]any{"file_name": path.Base(p), "file_path": p, "size": len(text), "encoding": "base64",
		"content": base64.StdEncoding.EncodeToString([]byte(text)), "content_sha256": hex.EncodeToString(sum[:]), "ref": "main",
		"blob_id": "79f7bbd25901e8334750839545a9bd021f0e4c83", "commit_id": "d5a3ff139356ce33e37e73add446f16869741b50",
		"last_commit_id": "570e7b2abdd848b95f2f578043fc23bd6f6fd24d", "execute_filemode": false})
	return string(b)
}

// server replays a self-managed GitLab under /api/v4: acme/shop/web (id
// 3) fully set up, its protected branches over two pages and its first
// releases answer a 429; acme/gone missing; acme/flaky failing with 502;
// the acme group's projects over two pages (X-Next-Page only, as behind a
// proxy that drops Link).
func server(t *testing.T, releases429 *atomic.Int32) *httptest.Server {
	var srv *httptest.Server
	routes := map[string]string{
		"/projects/acme%2Fshop%2Fweb":                       fixture(t, "project-web.json"),
		"/projects/3/approval_rules":                        fixture(t, "approval-rules.json"),
		"/projects/3/external_status_checks":                fixture(t, "external-status-checks.json"),
		"/projects/3/repository/files/.gitlab-ci.yml":       content(".gitlab-ci.yml", fixture(t, "gitlab-ci.yml")),
		"/projects/3/repository/files/.gitlab%2FCODEOWNERS": content(".gitlab/CODEOWNERS", fixture(t, "codeowners.txt")),
		"/projects/3/repository/files/catalog-info.yaml":    content("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\n"),
		"/projects/3/repository/branches/main":              fixture(t, "branch-main.json"),
		"/projects/3/releases":                              fixture(t, "releases.json"),
		"/projects/3/deployments":                           fixture(t, "deployments.json"),
		"/projects/12/repository/files/catalog-info.yaml":   content("catalog-info.yaml", "kind: Component\n"),
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Private-Token") != "glpat-test" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"401 Unauthorized"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("RateLimit-Limit", "2000")
		w.Header().Set("RateLimit-Remaining", "1999")
		p := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4")
		q := r.URL.Query()
		switch {
		case p == "/projects/3/protected_branches" && q.Get("page") == "":
			w.Header().Set("X-Next-Page", "2")
			w.Header().Set("X-Page", "1")
			w.Header().Set("X-Per-Page", "100")
			w.Header().Set("Link", `<`+srv.URL+`/api/v4/projects/3/protected_branches?page=2&per_page=100>; rel="next", <`+srv.URL+`/api/v4/projects/3/protected_branches?page=1&per_page=100>; rel="first"`)
			w.Write([]byte(fixture(t, "protected-branches-page1.json")))
		case p == "/projects/3/protected_branches":
			w.Header().Set("X-Next-Page", "")
			w.Header().Set("X-Page", "2")
			w.Write([]byte(fixture(t, "protected-branches-page2.json")))
		case p == "/projects/3/releases" && releases429.Add(1) == 1:
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("RateLimit-Reset", "1800000003")
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte("Retry later\n"))
		case p == "/projects/3/deployments" && (q.Get("environment") != "production" || q.Get("status") != "success"):
			w.Write([]byte(`[]`))
		case strings.HasPrefix(p, "/projects/3/repository/files/") && q.Get("ref") != "main":
			t.Errorf("file read at ref %q", q.Get("ref"))
			w.WriteHeader(http.StatusBadRequest)
		case strings.HasPrefix(p, "/projects/acme%2Fflaky"):
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte(`<html><body><h1>502 Bad Gateway</h1></body></html>`))
		case p == "/groups/acme/projects" && q.Get("include_subgroups") == "true" && q.Get("page") == "":
			w.Header().Set("X-Next-Page", "2")
			w.Write([]byte(`[{"id":3,"name":"web","path_with_namespace":"acme/shop/web","default_branch":"main","web_url":"https://gitlab.example.com/acme/shop/web","archived":false,"empty_repo":false},
				{"id":11,"name":"empty","path_with_namespace":"acme/empty","default_branch":null,"web_url":"https://gitlab.example.com/acme/empty","archived":false,"empty_repo":true}]`))
		case p == "/groups/acme/projects" && q.Get("page") == "2" && q.Get("include_subgroups") == "true":
			w.Header().Set("X-Next-Page", "")
			w.Write([]byte(`[{"id":12,"name":"old","path_with_namespace":"acme/old","default_branch":"main","web_url":"https://gitlab.example.com/acme/old","archived":true},
				{"id":13,"name":"docs","path_with_namespace":"acme/docs","default_branch":"main","web_url":"https://gitlab.example.com/acme/docs","archived":false}]`))
		default:
			if body, ok := routes[p]; ok {
				w.Write([]byte(body))
				return
			}
			w.WriteHeader(http.StatusNotFound)
			switch {
			case strings.Contains(p, "/repository/files/"):
				w.Write([]byte(`{"message":"404 File Not Found"}`))
			case strings.HasPrefix(p, "/projects/"):
				w.Write([]byte(`{"message":"404 Project Not Found"}`))
			default:
				w.Write([]byte(`{"error":"404 Not Found"}`))
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func collector(t *testing.T, srv *httptest.Server, token string, deps facts.Deps) *Collector {
	t.Helper()
	c := facts.CollectorConfig{Name: "gitlab", Kind: "gitlab", TokenEnv: "GL_TOKEN", BaseURL: srv.URL + "/api/v4", Organisation: "acme", RequestsPerSecond: 100,
		InfrastructurePaths: []string{"terraform/main.tf", "deploy/app.yaml", ".gitlab-ci.yml"}}.Normalized()
	deps.Getenv = func(string) string { return token }
	if deps.Sleep == nil {
		deps.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	}
	col, err := New(c, deps)
	if err != nil {
		t.Fatal(err)
	}
	return col.(*Collector)
}

func TestCollect(t *testing.T) {
	var releases atomic.Int32
	srv := server(t, &releases)
	var limited atomic.Int32
	var slept []time.Duration
	col := collector(t, srv, "glpat-test", facts.Deps{OnRateLimit: func() { limited.Add(1) },
		Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return ctx.Err() }})
	host := strings.TrimPrefix(srv.URL, "http://")
	tgt := facts.NewTarget([]*paved.Service{
		{Name: "web", Links: []paved.Link{{Type: "repo", URL: "http://" + host + "/acme/shop/web/-/tree/main"}}},
		{Name: "gone", Annotations: map[string]string{"gitlab.com/project-slug": "acme/gone"}},
		{Name: "flaky", Links: []paved.Link{{URL: "http://" + host + "/acme/flaky.git"}}},
		{Name: "elsewhere", Links: []paved.Link{{URL: "https://github.com/acme/x"}}},
	}, time.Now())
	tgt.Discover = true
	tgt.Teams = []*paved.Team{{Name: "platform", Kind: paved.KindDeveloperProductivity}, {Name: "web-team", Kind: paved.KindProduct}}
	if err := col.Collect(context.Background(), tgt); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"gitlab.project.exists":                          true,
		"gitlab.project.archived":                        false,
		"gitlab.project.default_branch":                  "main",
		"gitlab.branch_protection.protected":             true, // the exact rule on page 2 wins over release/* on page 1
		"gitlab.branch_protection.push_access":           []string{"No one", "deploy_key:1"},
		"gitlab.branch_protection.merge_access":          []string{"Maintainers", "group:9"},
		"gitlab.branch_protection.force_push":            false,
		"gitlab.branch_protection.code_owner_approval":   true,
		"gitlab.branch_protection.pipeline_must_succeed": true,
		"gitlab.branch_protection.required_reviews":      2, // the security rule scoped to main; not the coverage report rule nor release/*'s
		"gitlab.branch_protection.status_checks":         1,
		"gitlab.branch_protection.required_checks":       []string{"Compliance Tool"},
		"gitlab.ci.present":                              true,
		"gitlab.ci.paved_check":                          true,
		"gitlab.ci.paved_check_jobs":                     []string{"paved"}, // not the manual preview, not lint's echo
		"gitlab.codeowners.present":                      true,
		"gitlab.codeowners.infra_owners":                 []string{"@acme/platform", "@acme/shop/web-team"},
		"gitlab.codeowners.infra_enablement":             true,
		"gitlab.default_branch.commit_sha":               "7b5c3cc8be40ee161ae89a06bba6229da1032a0c",
		"gitlab.default_branch.commit_at":                "2026-03-13T16:00:49.000+00:00",
		"gitlab.release.latest_tag":                      "v1.4.2",
		"gitlab.release.latest_at":                       "2026-03-10T19:35:32.000Z",
		"gitlab.deployment.latest_sha":                   "a91957a858320c0e17f3a0eca7cfacbff50ea29a",
		"gitlab.deployment.latest_at":                    "2026-03-12T01:19:13.000Z",
	}
	if g, w := paved.FactValueJSON(tgt.Observed()["web"]), paved.FactValueJSON(want); g != w {
		t.Fatalf("web facts:\n got %s\nwant %s", g, w)
	}
	if g := paved.FactValueJSON(tgt.Observed()["gone"]); g != `{"gitlab.project.exists":false}` {
		t.Fatalf("a missing project: %s", g)
	}
	if msg := tgt.Failed()["flaky"]; !strings.Contains(msg, "502") {
		t.Fatalf("a 5xx fails the service only: %q (observed %v)", msg, tgt.Observed()["flaky"])
	}
	if _, ok := tgt.Observed()["elsewhere"]; ok {
		t.Fatal("a service on another host was observed")
	}
	// The 429 was counted and waited out for Retry-After's 3 seconds.
	if limited.Load() != 1 || releases.Load() != 2 || !containsAtLeast(slept, 3*time.Second) {
		t.Fatalf("rate limit: counted %d, releases asked %d times, slept %v", limited.Load(), releases.Load(), slept)
	}
	ds, ok := tgt.Discoveries()
	if !ok || len(ds) != 1 || ds[0].Repository != "acme/shop/web" || !strings.Contains(ds[0].Content, "kind: Component") ||
		ds[0].URL != "https://gitlab.example.com/acme/shop/web/-/blob/main/catalog-info.yaml" || ds[0].SHA == "" {
		t.Fatalf("discoveries = %+v", ds)
	}
}

func containsAtLeast(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x >= d {
			return true
		}
	}
	return false
}

func TestBadCredentials(t *testing.T) {
	var releases atomic.Int32
	srv := server(t, &releases)
	col := collector(t, srv, "expired", facts.Deps{})
	host := strings.TrimPrefix(srv.URL, "http://")
	tgt := facts.NewTarget([]*paved.Service{{Name: "web", Links: []paved.Link{{URL: "http://" + host + "/acme/shop/web"}}}}, time.Now())
	err := col.Collect(context.Background(), tgt)
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(facts.CollectorConfig{Name: "gitlab", TokenEnv: "NONE"}.Normalized(), facts.Deps{Getenv: func(string) string { return "" }}); err == nil {
		t.Fatal("no token: want an error naming the variable")
	}
}

// TestBearer: with auth_scheme: bearer the token goes in Authorization,
// and never as PRIVATE-TOKEN.
func TestBearer(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"404 Project Not Found"}`))
	}))
	defer srv.Close()
	c := facts.CollectorConfig{Name: "gitlab", TokenEnv: "T", BaseURL: srv.URL + "/api/v4", AuthScheme: facts.AuthBearer}.Normalized()
	col, err := New(c, facts.Deps{Getenv: func(string) string { return "oauth-tok" }})
	if err != nil {
		t.Fatal(err)
	}
	tgt := facts.NewTarget([]*paved.Service{{Name: "x", Annotations: map[string]string{"gitlab.com/project-slug": "a/b"}}}, time.Now())
	if err := col.Collect(context.Background(), tgt); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer oauth-tok" || got.Get("Private-Token") != "" {
		t.Fatalf("headers: %v", got)
	}
}

func TestPavedCheck(t *testing.T) {
	tests := []struct {
		name, yaml string
		jobs       []string
		includes   []string
		bad        bool
	}{
		{"docs/ci.md's job", "paved:\n  stage: test\n  script:\n    - go install github.com/paved-dev/paved/cmd/paved@latest\n    - paved check --service checkout-api plan.json\n", []string{"paved"}, nil, false},
		{"script as a string", "guard:\n  script: ./bin/paved check plan.json\n", []string{"guard"}, nil, false},
		{"in a container", "guard:\n  script: docker run --rm -v $PWD:/w ghcr.io/paved-dev/paved:1.4 check /w/plan.json\n", []string{"guard"}, nil, false},
		{"extends a hidden job", ".base:\n  script: [paved check x.json]\njob:\n  extends: [.other, .base]\n", []string{"job"}, nil, false},
		{"own script wins over extends", ".base:\n  script: [paved check x.json]\njob:\n  extends: .base\n  script: [make]\n", []string{}, nil, false},
		{"hidden job alone", ".paved:\n  script: [paved check x.json]\n", []string{}, nil, false},
		{"manual", "paved:\n  when: manual\n  script: [paved check x.json]\n", []string{}, nil, false},
		{"allowed to fail", "paved:\n  allow_failure: true\n  script: [paved check x.json]\n", []string{}, nil, false},
		{"only mentioned", "lint:\n  script:\n    - echo paved check is elsewhere\n    - '# paved check'\n    - paved version\n", []string{}, nil, false},
		{"before_script is not the job", "default:\n  before_script: [paved check x.json]\nbuild:\n  script: [make]\n", []string{}, nil, false},
		{"component include", "include:\n  - component: gitlab.example.com/platform/paved-check/check@1.2\n", []string{}, []string{"gitlab.example.com/platform/paved-check/check@1.2"}, false},
		{"project include", "include:\n  project: platform/ci\n  file: [/templates/paved.yml, /templates/go.yml]\n", []string{}, []string{"platform/ci:/templates/paved.yml"}, false},
		{"string include, not paved", "include: /ci/build.yml\n", []string{}, []string{}, false},
		{"not yaml", "paved: [\n", []string{}, []string{}, true},
		{"empty", "", []string{}, []string{}, false},
	}
	for _, tt := range tests {
		got := PavedCheck(tt.yaml, "")
		inc := tt.includes
		if inc == nil {
			inc = []string{}
		}
		if paved.FactValueJSON(got.Jobs) != paved.FactValueJSON(tt.jobs) || paved.FactValueJSON(got.Includes) != paved.FactValueJSON(inc) || (got.Error != "") != tt.bad {
			t.Errorf("%s: %+v, want jobs %v includes %v error %v", tt.name, got, tt.jobs, inc, tt.bad)
		}
		if got.Runs() != (len(tt.jobs) > 0 || len(inc) > 0) {
			t.Errorf("%s: Runs() = %v", tt.name, got.Runs())
		}
	}
	if got := PavedCheck("g:\n  script: [guardrail check x]\n", "guardrail"); !got.Runs() {
		t.Errorf("a configured paved_check name: %+v", got)
	}
}

func TestWildcard(t *testing.T) {
	for _, tt := range []struct {
		p, n string
		want bool
	}{{"main", "main", true}, {"release/*", "release/1.2", true}, {"*-stable", "12-stable", true}, {"*", "main", true},
		{"release/*", "main", false}, {"*-stable", "stable-1", false}, {"a*b*c", "axxbyyc", true}, {"a*b*c", "axxc", false}} {
		if got := wildcard(tt.p, tt.n); got != tt.want {
			t.Errorf("wildcard(%q, %q) = %v", tt.p, tt.n, got)
		}
	}
}

func FuzzPavedCheck(f *testing.F) {
	if b, err := os.ReadFile("testdata/gitlab-ci.yml"); err == nil {
		f.Add(string(b))
	}
	f.Add("a:\n  extends: a\n")
	f.Add(".a: &x\n  script: [paved check]\nb:\n  <<: *x\n")
	f.Fuzz(func(t *testing.T, text string) {
		ci := PavedCheck(text, "paved")
		if ci.Jobs == nil || ci.Includes == nil {
			t.Fatal("nil lists")
		}
	})
}
