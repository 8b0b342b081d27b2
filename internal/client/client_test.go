package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/testutil"
)

// recorder is a fake server that logs every request and answers with a
// canned JSON body chosen by path.
type recorder struct {
	log     bytes.Buffer
	answers map[string]string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fmt.Fprintf(&rec.log, "%s %s auth=%q ctype=%q\n", r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"))
	if len(body) > 0 {
		fmt.Fprintf(&rec.log, "  body %s\n", bytes.TrimSpace(body))
	}
	key := r.Method + " " + r.URL.Path
	ans, ok := rec.answers[key]
	if !ok {
		ans = "{}"
	}
	if strings.HasSuffix(r.URL.Path, "/export") {
		w.Header().Set("Content-Type", "application/yaml")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	io.WriteString(w, ans)
}

// TestRequests runs every client method against a recording server and
// compares the requests sent with a golden file: the wire contract with
// the API in one readable place.
func TestRequests(t *testing.T) {
	rec := &recorder{answers: map[string]string{
		"GET /prefix/api/v1/services":        `{"items":[{"name":"payments-api","owner":"payments","tier":1,"data_class":"restricted","phase":"production"}],"total":7,"offset":0,"limit":1}`,
		"POST /prefix/api/v1/tokens":         `{"token":{"id":3,"user":"ada","name":"ci","prefix":"pvd_abcdefgh"},"secret":"pvd_secret"}`,
		"GET /prefix/api/v1/audit/verify":    `{"ok":false,"events":12,"problems":[{"seq":4,"problem":"content does not match its hash (altered)"}]}`,
		"POST /prefix/api/v1/catalog/import": `{"dry_run":true,"counts":{"created":1},"entries":[{"kind":"Component","name":"a","source":"c.yaml:1","outcome":"created"}]}`,
		"GET /prefix/api/v1/catalog/export":  "apiVersion: backstage.io/v1alpha1\n",
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c, err := New(srv.URL+"/prefix/", "pvd_tok")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tier := paved.Tier(2)
	title := "Payments API"

	items, total, err := c.FindServices(ctx, paved.ServiceFilter{Team: "payments", Phase: paved.PhaseProduction, Tier: 1, DataClass: paved.DataRestricted, Query: "pay ments", IncludeRetired: true, Page: paved.Page{Offset: 5, Limit: 1}})
	if err != nil || total != 7 || len(items) != 1 || items[0].Name != "payments-api" || items[0].Tier != 1 {
		t.Fatalf("FindServices = %v, %d, %v", items, total, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.FindService(ctx, "a/b")
	must(err)
	must(c.CreateService(ctx, &paved.Service{Name: "s", Owner: "t", Tier: 3, DataClass: paved.DataInternal}))
	_, err = c.UpdateService(ctx, "s", paved.ServiceUpdate{Title: &title, Tier: &tier})
	must(err)
	must(c.RetireService(ctx, "s"))
	_, _, err = c.FindTeams(ctx, paved.TeamFilter{Kind: paved.KindSecurity, Query: "sec"})
	must(err)
	_, err = c.FindTeam(ctx, "sre")
	must(err)
	must(c.CreateTeam(ctx, &paved.Team{Name: "t", Kind: paved.KindProduct}))
	_, err = c.UpdateTeam(ctx, "t", paved.TeamUpdate{Title: &title})
	must(err)
	must(c.RetireTeam(ctx, "t"))
	_, _, err = c.FindUsers(ctx, paved.UserFilter{Team: "t", Role: paved.RoleReviewer})
	must(err)
	_, err = c.FindUser(ctx, "ada")
	must(err)
	must(c.CreateUser(ctx, &paved.User{Name: "u", Roles: []paved.Role{paved.RoleViewer}}))
	_, err = c.UpdateUser(ctx, "u", paved.UserUpdate{Roles: &[]paved.Role{paved.RoleAdmin}})
	must(err)
	must(c.RetireUser(ctx, "u"))
	_, err = c.FindTokens(ctx, "ada")
	must(err)
	tok, secret, err := c.CreateToken(ctx, "ada", "ci", 90, nil)
	if err != nil || tok.ID != 3 || secret != "pvd_secret" {
		t.Fatalf("CreateToken = %+v, %q, %v", tok, secret, err)
	}
	// No expiry: the body leaves expires_in_days out (see the golden file); the scope goes as text.
	_, _, err = c.CreateToken(ctx, "", "forever", 0, &paved.TokenScope{Access: paved.ScopeRead})
	must(err)
	must(c.RevokeToken(ctx, 3))
	_, _, err = c.FindAuditEvents(ctx, paved.AuditFilter{ObjectType: "service", ObjectID: "s", Actor: "ada", Page: paved.Page{Limit: 10}})
	must(err)
	rep, err := c.VerifyAudit(ctx)
	if err != nil || rep.OK || rep.Events != 12 || len(rep.Problems) != 1 || rep.Problems[0].Seq != 4 {
		t.Fatalf("VerifyAudit = %+v, %v", rep, err)
	}
	res, err := c.ImportCatalog(ctx, []api.ImportFile{{Name: "c.yaml", Content: "kind: Component\n"}}, true, false)
	if err != nil || !res.DryRun || res.Counts[paved.OutcomeCreated] != 1 || res.Entries[0].Source != "c.yaml:1" {
		t.Fatalf("ImportCatalog = %+v, %v", res, err)
	}
	var out bytes.Buffer
	must(c.ExportCatalog(ctx, &out))
	if !strings.HasPrefix(out.String(), "apiVersion") {
		t.Errorf("export = %q", out.String())
	}
	_, err = c.Me(ctx)
	must(err)
	testutil.Golden(t, filepath.Join("testdata", "requests.golden"), rec.log.Bytes())
}

// TestProblems checks that error answers become the *paved.Error the store
// would have returned, with code, field and message.
func TestProblems(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		want   paved.Error
	}{
		{"problem", 422, "application/problem+json", `{"type":"https://paved.dev/problems/unprocessable","title":"Unprocessable Entity","status":422,"detail":"team \"nope\" does not exist","code":"unprocessable","field":"owner"}`,
			paved.Error{Code: paved.EUNPROCESSABLE, Field: "owner", Message: `team "nope" does not exist`}},
		{"not found", 404, "application/problem+json", `{"status":404,"detail":"service \"x\" not found","code":"not_found"}`,
			paved.Error{Code: paved.ENOTFOUND, Message: `service "x" not found`}},
		{"title only", 401, "application/problem+json", `{"title":"Unauthorized","status":401,"code":"unauthorized"}`,
			paved.Error{Code: paved.EUNAUTHORIZED, Message: "Unauthorized"}},
		{"proxy html", 502, "text/html", `<html>bad gateway</html>`,
			paved.Error{Code: paved.EINTERNAL, Message: "the server answered 502 Bad Gateway"}},
		{"plain 413", 413, "text/plain", `too big`,
			paved.Error{Code: paved.ETOOLARGE, Message: "the server answered 413 Request Entity Too Large: too big"}},
		{"broken problem", 400, "application/problem+json", `{not json`,
			paved.Error{Code: paved.EINVALID, Message: "the server answered 400 Bad Request: {not json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, err := New(srv.URL, "pvd_x")
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.FindService(context.Background(), "x")
			var pe *paved.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *paved.Error", err, err)
			}
			if *pe != tt.want {
				t.Errorf("got %#v, want %#v", *pe, tt.want)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>portal</html>")
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "pvd_x")
	_, err := c.FindService(context.Background(), "x")
	if err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err = %v, want a not-JSON error", err)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, _ := New(url, "pvd_x")
	_, _, err := c.FindServices(context.Background(), paved.ServiceFilter{})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the paved server at "+url) {
		t.Errorf("err = %v", err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		url, token, want string
		code             string // "": invalid
	}{
		{"http://localhost:8080", "pvd_x", "", ""},
		{"https://paved.example.com/sub/", "pvd_x", "", ""},
		{"localhost:8080", "pvd_x", "not valid", ""},
		{"ftp://x", "pvd_x", "not valid", ""},
		{"http://", "pvd_x", "not valid", ""},
		{"http://u:p@host", "pvd_x", "credentials", ""},
		{"http://host?x=1", "pvd_x", "query", ""},
		{"http://host", "", "PAVED_TOKEN", paved.EUNAUTHORIZED}, // exit 1, as docs/cli.md says
		{"http://host", "a\nb", "line break", ""},
	}
	for _, tt := range tests {
		_, err := New(tt.url, tt.token)
		code := tt.code
		if code == "" {
			code = paved.EINVALID
		}
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("New(%q) = %v", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || paved.ErrorCode(err) != code):
			t.Errorf("New(%q, %q) = %v, want a %s error containing %q", tt.url, tt.token, err, code, tt.want)
		}
	}
}

// FuzzProblem feeds arbitrary error answers to the problem reader: it must
// never panic and always return a *paved.Error with a known code.
func FuzzProblem(f *testing.F) {
	f.Add(422, "application/problem+json", `{"detail":"x","code":"unprocessable","field":"owner"}`)
	f.Add(502, "text/html", "<html>")
	f.Add(400, "application/json; charset=utf-8", `{"code":""}`)
	f.Add(999, "", "")
	f.Fuzz(func(t *testing.T, status int, ctype, body string) {
		resp := &http.Response{
			StatusCode: status,
			Status:     fmt.Sprintf("%d %s", status, http.StatusText(status)),
			Header:     http.Header{"Content-Type": []string{ctype}},
			Body:       io.NopCloser(strings.NewReader(body)),
		}
		err := problemError(resp)
		var pe *paved.Error
		if !errors.As(err, &pe) || pe.Code == "" {
			t.Fatalf("problemError = %#v", err)
		}
	})
}
