package store

import (
	"reflect"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

func TestTeams(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := e.ctx

		t.Run("create reads back", func(t *testing.T) {
			in := &paved.Team{Name: "sre", Kind: paved.KindReliability, Title: "SRE", Email: "sre@example.com",
				Tags: []string{"ops"}, Links: []paved.Link{{URL: "https://runbooks"}}, Annotations: map[string]string{"a": "b"}}
			must(t, e.db.CreateTeam(ctx, in))
			if in.ID == 0 || in.CreatedAt.IsZero() || !in.CreatedAt.Equal(e.clock.Now()) {
				t.Fatalf("created team not filled: %+v", in)
			}
			got, err := e.db.FindTeam(ctx, "sre")
			must(t, err)
			in.Members, in.Children = []string{}, []string{}
			if !reflect.DeepEqual(got, in) {
				t.Fatalf("FindTeam =\n%s\nwant\n%s", jsonOf(got), jsonOf(in))
			}
		})

		t.Run("errors", func(t *testing.T) {
			cases := []struct {
				name  string
				team  *paved.Team
				code  string
				field string
			}{
				{"nil", nil, paved.EINVALID, ""},
				{"bad name", &paved.Team{Name: "two words", Kind: paved.KindProduct}, paved.EINVALID, "name"},
				{"bad kind", &paved.Team{Name: "x", Kind: "guild"}, paved.EINVALID, "kind"},
				{"duplicate", &paved.Team{Name: "payments", Kind: paved.KindProduct}, paved.ECONFLICT, "name"},
				{"missing parent", &paved.Team{Name: "orphan", Kind: paved.KindProduct, Parent: "nobody"}, paved.EUNPROCESSABLE, "parent"},
				{"own parent", &paved.Team{Name: "loop", Kind: paved.KindProduct, Parent: "loop"}, paved.EINVALID, "parent"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := auditCount(t, e)
					wantErr(t, e.db.CreateTeam(ctx, c.team), c.code, c.field)
					if after := auditCount(t, e); after != before {
						t.Fatalf("failed create wrote %d audit events", after-before)
					}
				})
			}
			_, err := e.db.FindTeam(ctx, "nobody")
			wantErr(t, err, paved.ENOTFOUND, "")
			_, err = e.db.UpdateTeam(ctx, "nobody", paved.TeamUpdate{})
			wantErr(t, err, paved.ENOTFOUND, "")
			wantErr(t, e.db.RetireTeam(ctx, "nobody"), paved.ENOTFOUND, "")
		})

		t.Run("find team fills members children services", func(t *testing.T) {
			p, err := e.db.FindTeam(ctx, "platform")
			must(t, err)
			if !reflect.DeepEqual(p.Children, []string{"payments", "search"}) || !reflect.DeepEqual(p.Members, []string{"ada"}) || p.Services != 0 {
				t.Fatalf("platform = children %v members %v services %d", p.Children, p.Members, p.Services)
			}
			s, err := e.db.FindTeam(ctx, "search")
			must(t, err)
			if s.Parent != "platform" || s.Services != 1 || !reflect.DeepEqual(s.Members, []string{"cy"}) {
				t.Fatalf("search = parent %q services %d members %v (the retired service must not count)", s.Parent, s.Services, s.Members)
			}
		})

		t.Run("filters", func(t *testing.T) {
			cases := []struct {
				name  string
				f     paved.TeamFilter
				want  []string
				total int
			}{
				{"all", paved.TeamFilter{}, []string{"payments", "platform", "search", "sre"}, 4},
				{"kind", paved.TeamFilter{Kind: paved.KindProduct}, []string{"payments", "search"}, 2},
				{"query title case-insensitive", paved.TeamFilter{Query: "PAY"}, []string{"payments"}, 1},
				{"query description", paved.TeamFilter{Query: "road"}, []string{"platform"}, 1},
				{"query wildcard is literal", paved.TeamFilter{Query: "%"}, []string{}, 0},
				{"page", paved.TeamFilter{Page: paved.Page{Offset: 1, Limit: 2}}, []string{"platform", "search"}, 4},
				{"page past end", paved.TeamFilter{Page: paved.Page{Offset: 10}}, []string{}, 4},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					got, total, err := e.db.FindTeams(ctx, c.f)
					must(t, err)
					if !reflect.DeepEqual(teamNames(got), c.want) || total != c.total {
						t.Fatalf("FindTeams = %v (%d), want %v (%d)", teamNames(got), total, c.want, c.total)
					}
				})
			}
			_, _, err := e.db.FindTeams(ctx, paved.TeamFilter{Kind: "guild"})
			wantErr(t, err, paved.EINVALID, "kind")
			got, _, err := e.db.FindTeams(ctx, paved.TeamFilter{Kind: paved.KindProduct})
			must(t, err)
			if got[0].Services != 2 || got[1].Services != 1 {
				t.Fatalf("FindTeams service counts = %d, %d, want 2, 1", got[0].Services, got[1].Services)
			}
		})

		t.Run("update", func(t *testing.T) {
			title, kind := "Payments & Billing", paved.KindProduct
			before := auditCount(t, e)
			e.clock.Advance(1e9)
			got, err := e.db.UpdateTeam(ctx, "payments", paved.TeamUpdate{Title: &title, Kind: &kind})
			must(t, err)
			if got.Title != title || !got.UpdatedAt.Equal(e.clock.Now()) || got.CreatedAt.Equal(got.UpdatedAt) {
				t.Fatalf("updated team = %+v", got)
			}
			evs, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{ObjectType: "team", ObjectID: "payments"})
			must(t, err)
			if auditCount(t, e) != before+1 || evs[0].Action != "team.update" || !reflect.DeepEqual(paved.ChangedFields(evs[0].Changes), []string{"title"}) {
				t.Fatalf("update audit = %+v", evs[0])
			}
			// The same update again changes nothing and writes nothing.
			again, err := e.db.UpdateTeam(ctx, "payments", paved.TeamUpdate{Title: &title})
			must(t, err)
			if auditCount(t, e) != before+1 || !again.UpdatedAt.Equal(got.UpdatedAt) {
				t.Fatal("a no-op update wrote")
			}
			// Parent rules.
			bad, self, child := "nobody", "payments", "payments"
			_, err = e.db.UpdateTeam(ctx, "payments", paved.TeamUpdate{Parent: &bad})
			wantErr(t, err, paved.EUNPROCESSABLE, "parent")
			_, err = e.db.UpdateTeam(ctx, "payments", paved.TeamUpdate{Parent: &self})
			wantErr(t, err, paved.EINVALID, "parent")
			_, err = e.db.UpdateTeam(ctx, "platform", paved.TeamUpdate{Parent: &child})
			wantErr(t, err, paved.EUNPROCESSABLE, "parent")
			none := ""
			got, err = e.db.UpdateTeam(ctx, "search", paved.TeamUpdate{Parent: &none})
			must(t, err)
			if got.Parent != "" {
				t.Fatalf("parent not cleared: %q", got.Parent)
			}
			badKind := paved.TeamKind("guild")
			_, err = e.db.UpdateTeam(ctx, "search", paved.TeamUpdate{Kind: &badKind})
			wantErr(t, err, paved.EINVALID, "kind")
		})

		t.Run("retire", func(t *testing.T) {
			err := e.db.RetireTeam(ctx, "payments")
			wantErr(t, err, paved.ECONFLICT, "")
			if !strings.Contains(err.Error(), "checkout") || !strings.Contains(err.Error(), "ledger") {
				t.Fatalf("retire refusal does not name the services: %v", err)
			}
			must(t, e.db.RetireTeam(ctx, "sre"))
			must(t, e.db.RetireTeam(ctx, "sre")) // idempotent
			got, err := e.db.FindTeam(ctx, "sre")
			must(t, err)
			if got.RetiredAt == nil || !got.RetiredAt.Equal(e.clock.Now()) {
				t.Fatalf("retired team = %+v", got)
			}
			list, total, err := e.db.FindTeams(ctx, paved.TeamFilter{})
			must(t, err)
			if total != 3 || contains(teamNames(list), "sre") {
				t.Fatalf("retired team listed: %v", teamNames(list))
			}
			_, total, err = e.db.FindTeams(ctx, paved.TeamFilter{IncludeRetired: true})
			must(t, err)
			if total != 4 {
				t.Fatalf("IncludeRetired total = %d", total)
			}
			// A retired team cannot become a parent, an owner or gain members.
			err = e.db.CreateTeam(ctx, &paved.Team{Name: "sre-eu", Kind: paved.KindReliability, Parent: "sre"})
			wantErr(t, err, paved.EUNPROCESSABLE, "parent")
			err = e.db.CreateService(ctx, &paved.Service{Name: "pager", Owner: "sre", Tier: 1, DataClass: paved.DataInternal, Phase: paved.PhasePlayground})
			wantErr(t, err, paved.EUNPROCESSABLE, "owner")
			err = e.db.CreateUser(ctx, &paved.User{Name: "dan", Teams: []string{"payments", "sre"}})
			wantErr(t, err, paved.EUNPROCESSABLE, "teams[1]")
			evs, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{ObjectID: "sre"})
			must(t, err)
			if len(evs) != 2 || evs[0].Action != "team.retire" {
				t.Fatalf("sre audit = %s", jsonOf(evs))
			}
		})
		verifyChain(t, e)
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
