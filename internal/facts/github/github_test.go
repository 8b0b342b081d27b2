package github

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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

// content wraps a file as the contents API returns it.
func content(path, text string) string {
	b, _ := json.Marshal(map[string]any{"type": "file", "encoding": "base64", "size": len(text), "name": path, "path": path,
		"content": base64.StdEncoding.EncodeToString([]byte(text)) + "\n", "sha": "3d21ec53a331a6f037a91c368710b99387d012c1"})
	return string(b)
}

// server replays GitHub: acme/web fully set up, acme/gone missing,
// acme/flaky failing with 502, the organisation's repositories over two
// pages.
func server(t *testing.T) *httptest.Server {
	var srv *httptest.Server
	notFound := `{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}`
	routes := map[string]string{
		"/repos/acme/web":                                     fixture(t, "repo-web.json"),
		"/repos/acme/web/branches/main/protection":            fixture(t, "protection-web.json"),
		"/repos/acme/web/contents/.github/CODEOWNERS":         content(".github/CODEOWNERS", fixture(t, "codeowners.txt")),
		"/repos/acme/web/commits/main":                        fixture(t, "commit-web.json"),
		"/repos/acme/web/releases/latest":                     fixture(t, "release-web.json"),
		"/repos/acme/web/deployments":                         fixture(t, "deployments-web.json"),
		"/repos/acme/web/contents/catalog-info.yaml":          content("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\n"),
		"/repos/acme/archived-app/contents/catalog-info.yaml": content("catalog-info.yaml", "kind: Component\n"),
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ghs_test" || r.Header.Get("X-Github-Api-Version") != "2022-11-28" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`))
			return
		}
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "4999")
		p := strings.TrimPrefix(r.URL.Path, "/api/v3")
		switch {
		case p == "/repos/acme/web/rules/branches/main" && r.URL.Query().Get("page") == "":
			w.Header().Set("Link", `<`+srv.URL+`/api/v3/repos/acme/web/rules/branches/main?per_page=100&page=2>; rel="next", <`+srv.URL+`/api/v3/repos/acme/web/rules/branches/main?per_page=100&page=2>; rel="last"`)
			w.Write([]byte(fixture(t, "rules-web-page1.json")))
		case p == "/repos/acme/web/rules/branches/main":
			w.Write([]byte(fixture(t, "rules-web-page2.json")))
		case p == "/repos/acme/web/deployments" && r.URL.Query().Get("environment") != "production":
			w.Write([]byte(`[]`))
		case strings.HasPrefix(p, "/repos/acme/flaky"):
			w.WriteHeader(http.StatusBadGateway)
		case p == "/orgs/acme/repos" && r.URL.Query().Get("page") == "":
			w.Header().Set("Link", `<`+srv.URL+`/api/v3/organizations/1/repos?per_page=100&type=all&page=2>; rel="next"`)
			w.Write([]byte(`[{"id":1,"name":"web","full_name":"acme/web","html_url":"https://github.com/acme/web","archived":false,"default_branch":"main"},
				{"id":2,"name":"archived-app","full_name":"acme/archived-app","html_url":"https://github.com/acme/archived-app","archived":true,"default_branch":"main"}]`))
		case p == "/organizations/1/repos":
			w.Write([]byte(`[{"id":3,"name":"docs","full_name":"acme/docs","html_url":"https://github.com/acme/docs","archived":false,"default_branch":"main"}]`))
		default:
			if body, ok := routes[p]; ok {
				w.Write([]byte(body))
				return
			}
			w.WriteHeader(http.StatusNotFound)
			if strings.HasSuffix(p, "/protection") {
				w.Write([]byte(`{"message":"Branch not protected","documentation_url":"https://docs.github.com/rest/branches/branch-protection#get-branch-protection"}`))
				return
			}
			w.Write([]byte(notFound))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func collector(t *testing.T, srv *httptest.Server, token string) *Collector {
	t.Helper()
	c := facts.CollectorConfig{Name: "ghe", Kind: "github", TokenEnv: "GH_TOKEN", BaseURL: srv.URL + "/api/v3", Organisation: "acme", RequestsPerSecond: 100,
		InfrastructurePaths: []string{"terraform/main.tf", "deploy/app.yaml", ".github/workflows/deploy.yml"}}.Normalized()
	col, err := New(c, facts.Deps{Getenv: func(string) string { return token }, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	return col.(*Collector)
}

func TestCollect(t *testing.T) {
	srv := server(t)
	col := collector(t, srv, "ghs_test")
	host := strings.TrimPrefix(srv.URL, "http://")
	svc := func(name, repo string) *paved.Service {
		return &paved.Service{Name: name, Links: []paved.Link{{Type: "repo", URL: "http://" + host + "/" + repo}}}
	}
	tgt := facts.NewTarget([]*paved.Service{
		svc("web", "acme/web"), svc("gone", "acme/gone"), svc("flaky", "acme/flaky"),
		{Name: "elsewhere", Links: []paved.Link{{URL: "https://gitlab.com/acme/x"}}},
	}, time.Now())
	tgt.Discover = true
	tgt.Teams = []*paved.Team{{Name: "platform", Kind: paved.KindDeveloperProductivity}, {Name: "web-team", Kind: paved.KindProduct}}
	if err := col.Collect(context.Background(), tgt); err != nil {
		t.Fatal(err)
	}
	web := tgt.Observed()["web"]
	want := map[string]any{
		"github.repository.exists":                  true,
		"github.repository.archived":                false,
		"github.repository.default_branch":          "main",
		"github.branch_protection.required_reviews": 2, // the organisation's ruleset is stricter than the classic rule
		"github.branch_protection.status_checks":    2,
		"github.branch_protection.required_checks":  []string{"build", "paved check"},
		"github.branch_protection.paved_check":      true,
		"github.codeowners.present":                 true,
		"github.codeowners.infra_owners":            []string{"@acme/platform", "@acme/web-team"},
		"github.codeowners.infra_enablement":        true,
		"github.default_branch.commit_sha":          "6dcb09b5b57875f334f61aebed695e2e4193db5e",
		"github.default_branch.commit_at":           "2026-03-13T16:00:49Z",
		"github.release.latest_tag":                 "v1.4.2",
		"github.release.latest_at":                  "2026-03-10T19:35:32Z",
		"github.deployment.latest_sha":              "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
		"github.deployment.latest_at":               "2026-03-12T01:19:13Z",
	}
	if g, w := paved.FactValueJSON(web), paved.FactValueJSON(want); g != w {
		t.Fatalf("web facts:\n got %s\nwant %s", g, w)
	}
	if g := paved.FactValueJSON(tgt.Observed()["gone"]); g != `{"github.repository.exists":false}` {
		t.Fatalf("a missing repository: %s", g)
	}
	if msg := tgt.Failed()["flaky"]; !strings.Contains(msg, "502") {
		t.Fatalf("a 5xx fails the service only: %q (observed %v)", msg, tgt.Observed()["flaky"])
	}
	if _, ok := tgt.Observed()["elsewhere"]; ok {
		t.Fatal("a service on another host was observed")
	}
	ds, ok := tgt.Discoveries()
	if !ok || len(ds) != 1 || ds[0].Repository != "acme/web" || !strings.Contains(ds[0].Content, "kind: Component") ||
		ds[0].URL != "https://github.com/acme/web/blob/main/catalog-info.yaml" {
		t.Fatalf("discoveries = %+v", ds)
	}
}

func TestBadCredentials(t *testing.T) {
	srv := server(t)
	col := collector(t, srv, "expired")
	host := strings.TrimPrefix(srv.URL, "http://")
	tgt := facts.NewTarget([]*paved.Service{{Name: "web", Links: []paved.Link{{URL: "http://" + host + "/acme/web"}}}}, time.Now())
	err := col.Collect(context.Background(), tgt)
	if err == nil || !strings.Contains(err.Error(), "Bad credentials") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(facts.CollectorConfig{Name: "github", TokenEnv: "NONE"}.Normalized(), facts.Deps{Getenv: func(string) string { return "" }}); err == nil {
		t.Fatal("no token: want an error naming the variable")
	}
}
