package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

func TestServicesAPI(t *testing.T) {
	e := newAPIEnv(t)

	rec := e.as("dev-alpha", "POST", "/api/v1/services", `{"name":"pay","owner":"alpha","title":"Payments","tier":1,"data_class":"restricted"}`)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != "/api/v1/services/pay" {
		t.Fatalf("create: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	svc := decode[paved.Service](t, rec)
	if svc.Phase != paved.PhasePlayground || svc.Tier != 1 || svc.CreatedAt.IsZero() || svc.Tags == nil {
		t.Fatalf("created service: %+v", svc)
	}
	got := decode[paved.Service](t, e.as("viewer", "GET", "/api/v1/services/pay", ""))
	if got.Title != "Payments" || got.Owner != "alpha" {
		t.Fatalf("get: %+v", got)
	}

	// Errors, each with its status and field.
	p := wantProblem(t, e.as("dev-alpha", "POST", "/api/v1/services", `{"name":"pay","owner":"alpha"}`), 409, "conflict")
	if p.Field != "name" {
		t.Errorf("conflict field = %q", p.Field)
	}
	wantProblem(t, e.as("admin", "POST", "/api/v1/services", `{"name":"orphan","owner":"nobody"}`), 422, "unprocessable")
	p = wantProblem(t, e.as("dev-alpha", "POST", "/api/v1/services", `{"name":"x","owner":"alpha","phase":"production"}`), 403, "forbidden")
	if p.Field != "phase" {
		t.Errorf("phase field = %q", p.Field)
	}
	p = wantProblem(t, e.as("dev-alpha", "POST", "/api/v1/services", `{"name":"x","owner":"alpha","tier":"high"}`), 400, "invalid")
	if p.Field != "tier" {
		t.Errorf("tier field = %q", p.Field)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/services/nope", ""), 404, "not_found")
	p = wantProblem(t, e.as("dev-alpha", "PATCH", "/api/v1/services/pay", `{"phase":"production"}`), 400, "invalid")
	if p.Field != "phase" {
		t.Errorf("PATCH phase: field = %q, want phase (phases move through the gate)", p.Field)
	}

	// Admin may place a new service in any phase.
	rec = e.as("admin", "POST", "/api/v1/services", `{"name":"legacy","owner":"beta","phase":"production","grandfathered":true}`)
	if rec.Code != 201 || decode[paved.Service](t, rec).Phase != paved.PhaseProduction {
		t.Fatalf("admin create in production: %d %s", rec.Code, rec.Body)
	}

	// PATCH changes only what is sent.
	rec = e.as("dev-alpha", "PATCH", "/api/v1/services/pay", `{"description":"moves money","tags":["money"]}`)
	up := decode[paved.Service](t, rec)
	if rec.Code != 200 || up.Description != "moves money" || up.Title != "Payments" || len(up.Tags) != 1 {
		t.Fatalf("patch: %d %+v", rec.Code, up)
	}
	wantProblem(t, e.as("dev-alpha", "PATCH", "/api/v1/services/pay", `{"tier":0}`), 400, "invalid")
}

// TestServiceOwnerChange: a developer must belong to both the current and
// the new owner.
func TestServiceOwnerChange(t *testing.T) {
	e := newAPIEnv(t)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	if err := e.db.CreateUser(ctx, &paved.User{Name: "dev-both", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"alpha", "beta"}}); err != nil {
		t.Fatal(err)
	}
	tok := &paved.Token{User: "dev-both", Name: "t", Prefix: "pvd_test_dev", Hash: paved.HashToken(tokenOf("dev-both"))}
	if err := e.db.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	move := `{"owner":"beta"}`
	wantProblem(t, e.as("dev-alpha", "PATCH", "/api/v1/services/svc-alpha", move), 403, "forbidden") // not in beta
	wantProblem(t, e.as("dev-beta", "PATCH", "/api/v1/services/svc-alpha", move), 403, "forbidden")  // not in alpha
	rec := e.as("dev-both", "PATCH", "/api/v1/services/svc-alpha", move)
	if rec.Code != 200 || decode[paved.Service](t, rec).Owner != "beta" {
		t.Fatalf("dev-both move: %d %s", rec.Code, rec.Body)
	}
	// Now dev-alpha has lost it, dev-beta has gained it.
	wantProblem(t, e.as("dev-alpha", "PATCH", "/api/v1/services/svc-alpha", `{"title":"x"}`), 403, "forbidden")
	if rec := e.as("dev-beta", "PATCH", "/api/v1/services/svc-alpha", `{"title":"x"}`); rec.Code != 200 {
		t.Fatalf("dev-beta edit after move: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("admin", "PATCH", "/api/v1/services/svc-alpha", `{"owner":"ghost"}`), 422, "unprocessable")
}

func TestServicesListPagingAndFilters(t *testing.T) {
	e := newAPIEnv(t)
	ctx := paved.WithActor(context.Background(), paved.Actor{Name: "test-seed"})
	phases := []paved.Phase{paved.PhasePlayground, paved.PhaseGreenLight, paved.PhaseProduction}
	for i := range 12 {
		s := &paved.Service{Name: fmt.Sprintf("a-%02d", i), Owner: "alpha", Title: fmt.Sprintf("Alpha %d", i),
			Tier: paved.Tier(i%4 + 1), DataClass: paved.DataClasses[i%4], Phase: phases[i%3]}
		if i == 11 {
			s.Phase = paved.PhaseRetired
			s.Description = "old billing"
		}
		if err := e.db.CreateService(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	type list = api.List[paved.Service]
	names := func(l list) []string {
		var out []string
		for _, s := range l.Items {
			out = append(out, s.Name)
		}
		return out
	}
	tests := []struct {
		query string
		total int
		first string
		n     int
	}{
		{"team=alpha", 12, "a-00", 12},                        // svc-alpha + a-00..a-10; a-11 retired
		{"team=alpha&limit=5", 12, "a-00", 5},                 // first page
		{"team=alpha&limit=5&offset=10", 12, "a-10", 2},       // last page
		{"team=alpha&offset=100", 12, "", 0},                  // past the end
		{"team=alpha&phase=production", 3, "a-02", 3},         // 2, 5, 8
		{"team=alpha&phase=green-light&tier=2", 1, "a-01", 1}, // green-light: 1, 4, 7, 10; of those tier 2: 1
		{"team=alpha&include_retired=true", 13, "a-00", 13},   // retired included
		{"phase=retired", 1, "a-11", 1},                       // asking for retired shows them
		{"team=alpha&data_class=confidential", 3, "a-02", 3},  // 2, 6, 10
		{"q=BILLING&include_retired=true", 1, "a-11", 1},      // case-insensitive text
		{"team=beta", 1, "svc-beta", 1},                       //
		{"team=nosuchteam", 0, "", 0},                         //
		{"team=alpha&phase=playground&tier=1&data_class=public", 1, "a-00", 1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := e.as("viewer", "GET", "/api/v1/services?"+tt.query, "")
			if rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			l := decode[list](t, rec)
			if l.Total != tt.total || len(l.Items) != tt.n {
				t.Fatalf("total %d items %d (%v), want %d/%d", l.Total, len(l.Items), names(l), tt.total, tt.n)
			}
			if tt.n > 0 && l.Items[0].Name != tt.first {
				t.Fatalf("first = %s, want %s (%v)", l.Items[0].Name, tt.first, names(l))
			}
			if l.Items == nil {
				t.Fatal("items is null, want []")
			}
		})
	}
	l := decode[list](t, e.as("viewer", "GET", "/api/v1/services?team=alpha&limit=5&offset=5", ""))
	if l.Offset != 5 || l.Limit != 5 {
		t.Errorf("envelope offset/limit = %d/%d", l.Offset, l.Limit)
	}
	for _, q := range []string{"tier=9", "phase=live", "limit=1000", "offset=x", "data_class=top", "include_retired=perhaps", "sort=name"} {
		wantProblem(t, e.as("viewer", "GET", "/api/v1/services?"+q, ""), 400, "invalid")
	}
}

func TestTeamsAndUsersAPI(t *testing.T) {
	e := newAPIEnv(t)
	rec := e.as("admin", "POST", "/api/v1/teams", `{"name":"platform","kind":"developer-productivity","title":"Platform","members":["ignored"]}`)
	if rec.Code != 201 || rec.Header().Get("Location") != "/api/v1/teams/platform" {
		t.Fatalf("create team: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("admin", "POST", "/api/v1/teams", `{"name":"platform","kind":"product"}`), 409, "conflict")
	p := wantProblem(t, e.as("admin", "POST", "/api/v1/teams", `{"name":"x","kind":"mystery"}`), 400, "invalid")
	if p.Field != "kind" {
		t.Errorf("field = %q", p.Field)
	}
	l := decode[api.List[paved.Team]](t, e.as("viewer", "GET", "/api/v1/teams?kind=developer-productivity", ""))
	if l.Total != 1 || l.Items[0].Name != "platform" {
		t.Fatalf("teams by kind: %+v", l)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/teams?kind=guild", ""), 400, "invalid")
	rec = e.as("admin", "PATCH", "/api/v1/teams/platform", `{"description":"paves"}`)
	if rec.Code != 200 || decode[paved.Team](t, rec).Description != "paves" {
		t.Fatalf("patch team: %d %s", rec.Code, rec.Body)
	}
	if rec := e.as("admin", "POST", "/api/v1/teams/platform/retire", ""); rec.Code != 200 || decode[paved.Team](t, rec).RetiredAt == nil {
		t.Fatalf("retire team: %d %s", rec.Code, rec.Body)
	}

	rec = e.as("admin", "POST", "/api/v1/users", `{"name":"ann","roles":["developer"],"teams":["alpha"]}`)
	if rec.Code != 201 {
		t.Fatalf("create user: %d %s", rec.Code, rec.Body)
	}
	p = wantProblem(t, e.as("admin", "POST", "/api/v1/users", `{"name":"bob","roles":["wizard"]}`), 400, "invalid")
	if p.Field != "roles[0]" {
		t.Errorf("field = %q", p.Field)
	}
	ul := decode[api.List[paved.User]](t, e.as("viewer", "GET", "/api/v1/users?team=alpha&role=developer", ""))
	var got []string
	for _, u := range ul.Items {
		got = append(got, u.Name)
	}
	if fmt.Sprint(got) != "[ann dev-alpha]" {
		t.Fatalf("users in alpha with developer: %v", got)
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/users?role=king", ""), 400, "invalid")
	if rec := e.as("admin", "PATCH", "/api/v1/users/ann", `{"roles":["developer","reviewer"]}`); rec.Code != 200 || len(decode[paved.User](t, rec).Roles) != 2 {
		t.Fatalf("patch user: %d %s", rec.Code, rec.Body)
	}
	me := decode[paved.User](t, e.as("dev-alpha", "GET", "/api/v1/me", ""))
	if me.Name != "dev-alpha" || fmt.Sprint(me.Teams) != "[alpha]" {
		t.Fatalf("me: %+v", me)
	}
	// A retired user's token stops working.
	if rec := e.as("admin", "POST", "/api/v1/users/dev-beta/retire", ""); rec.Code != 200 {
		t.Fatalf("retire user: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.as("dev-beta", "GET", "/api/v1/me", ""), 401, "unauthorized")
}
