package store

import (
	"reflect"
	"testing"

	paved "github.com/paved-dev/paved"
)

func TestServices(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := e.ctx

		t.Run("create reads back", func(t *testing.T) {
			in := &paved.Service{Name: "api-gw", Namespace: "edge", Title: "API gateway", Description: "Front door",
				Owner: "platform", Type: "service", System: "edge", Lifecycle: "production", Tier: 1,
				DataClass: paved.DataInternal, Phase: paved.PhaseProduction, Grandfathered: true,
				Tags: []string{"go", "edge"}, Links: []paved.Link{{URL: "https://repo", Title: "Repo", Type: "repo"}},
				Annotations: map[string]string{"paved.dev/tier": "1"}, DependsOn: []string{"resource:db"},
				ProvidesAPIs: []string{"gw-api"}, ConsumesAPIs: []string{"auth-api"}}
			must(t, e.db.CreateService(ctx, in))
			got, err := e.db.FindService(ctx, "api-gw")
			must(t, err)
			if !reflect.DeepEqual(got, in) {
				t.Fatalf("FindService =\n%s\nwant\n%s", jsonOf(got), jsonOf(in))
			}
			empty := &paved.Service{Name: "bare", Owner: "platform", Tier: 4, DataClass: paved.DataPublic, Phase: paved.PhasePlayground}
			must(t, e.db.CreateService(ctx, empty))
			got, err = e.db.FindService(ctx, "bare")
			must(t, err)
			if !reflect.DeepEqual(got, empty) || got.Tags == nil || got.Annotations == nil {
				t.Fatalf("empty lists do not read back as empty: %s", jsonOf(got))
			}
		})

		t.Run("errors", func(t *testing.T) {
			ok := func(mod func(s *paved.Service)) *paved.Service {
				s := &paved.Service{Name: "new-svc", Owner: "payments", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhasePlayground}
				mod(s)
				return s
			}
			cases := []struct {
				name  string
				svc   *paved.Service
				code  string
				field string
			}{
				{"nil", nil, paved.EINVALID, ""},
				{"bad name", ok(func(s *paved.Service) { s.Name = "-x" }), paved.EINVALID, "name"},
				{"no owner", ok(func(s *paved.Service) { s.Owner = "" }), paved.EINVALID, "owner"},
				{"tier", ok(func(s *paved.Service) { s.Tier = 9 }), paved.EINVALID, "tier"},
				{"data class", ok(func(s *paved.Service) { s.DataClass = "secret" }), paved.EINVALID, "data_class"},
				{"phase", ok(func(s *paved.Service) { s.Phase = "beta" }), paved.EINVALID, "phase"},
				{"link", ok(func(s *paved.Service) { s.Links = []paved.Link{{Title: "x"}} }), paved.EINVALID, "links[0].url"},
				{"missing owner", ok(func(s *paved.Service) { s.Owner = "ghosts" }), paved.EUNPROCESSABLE, "owner"},
				{"duplicate", ok(func(s *paved.Service) { s.Name = "checkout" }), paved.ECONFLICT, "name"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := auditCount(t, e)
					wantErr(t, e.db.CreateService(ctx, c.svc), c.code, c.field)
					if auditCount(t, e) != before {
						t.Fatal("failed create wrote audit events")
					}
				})
			}
			_, err := e.db.FindService(ctx, "new-svc")
			wantErr(t, err, paved.ENOTFOUND, "")
			_, err = e.db.UpdateService(ctx, "new-svc", paved.ServiceUpdate{})
			wantErr(t, err, paved.ENOTFOUND, "")
			wantErr(t, e.db.RetireService(ctx, "new-svc"), paved.ENOTFOUND, "")
		})

		t.Run("filters", func(t *testing.T) {
			cases := []struct {
				name  string
				f     paved.ServiceFilter
				want  []string
				total int
			}{
				{"active", paved.ServiceFilter{}, []string{"api-gw", "bare", "checkout", "finder", "ledger"}, 5},
				{"include retired", paved.ServiceFilter{IncludeRetired: true}, []string{"api-gw", "bare", "checkout", "finder", "ledger", "old-finder"}, 6},
				{"phase retired", paved.ServiceFilter{Phase: paved.PhaseRetired}, []string{"old-finder"}, 1},
				{"team", paved.ServiceFilter{Team: "payments"}, []string{"checkout", "ledger"}, 2},
				{"team and phase", paved.ServiceFilter{Team: "payments", Phase: paved.PhaseGreenLight}, []string{"ledger"}, 1},
				{"team retired only", paved.ServiceFilter{Team: "search", Phase: paved.PhaseRetired}, []string{"old-finder"}, 1},
				{"unknown team", paved.ServiceFilter{Team: "ghosts"}, []string{}, 0},
				{"tier", paved.ServiceFilter{Tier: 1}, []string{"api-gw", "checkout"}, 2},
				{"data class", paved.ServiceFilter{DataClass: paved.DataRestricted}, []string{"checkout"}, 1},
				{"query name", paved.ServiceFilter{Query: "FIND"}, []string{"finder"}, 1},
				{"query description", paved.ServiceFilter{Query: "money"}, []string{"checkout"}, 1},
				{"query percent literal", paved.ServiceFilter{Query: "100%_"}, []string{"finder"}, 1},
				{"query underscore literal", paved.ServiceFilter{Query: "n_e"}, []string{}, 0},
				{"query with retired", paved.ServiceFilter{Query: "finder", IncludeRetired: true}, []string{"finder", "old-finder"}, 2},
				{"page", paved.ServiceFilter{Page: paved.Page{Offset: 1, Limit: 2}}, []string{"bare", "checkout"}, 5},
				{"page negative offset", paved.ServiceFilter{Page: paved.Page{Offset: -5, Limit: 1}}, []string{"api-gw"}, 5},
				{"page past end", paved.ServiceFilter{Page: paved.Page{Offset: 99}}, []string{}, 5},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					got, total, err := e.db.FindServices(ctx, c.f)
					must(t, err)
					if !reflect.DeepEqual(serviceNames(got), c.want) || total != c.total {
						t.Fatalf("FindServices = %v (%d), want %v (%d)", serviceNames(got), total, c.want, c.total)
					}
				})
			}
			for _, c := range []struct {
				f     paved.ServiceFilter
				field string
			}{
				{paved.ServiceFilter{Phase: "beta"}, "phase"},
				{paved.ServiceFilter{Tier: 7}, "tier"},
				{paved.ServiceFilter{DataClass: "secret"}, "data_class"},
			} {
				_, _, err := e.db.FindServices(ctx, c.f)
				wantErr(t, err, paved.EINVALID, c.field)
			}
		})

		t.Run("update", func(t *testing.T) {
			owner, tier, tags := "search", paved.Tier(2), []string{"moved"}
			before := auditCount(t, e)
			e.clock.Advance(1e9)
			got, err := e.db.UpdateService(ctx, "ledger", paved.ServiceUpdate{Owner: &owner, Tier: &tier, Tags: &tags})
			must(t, err)
			if got.Owner != "search" || !reflect.DeepEqual(got.Tags, tags) || !got.UpdatedAt.Equal(e.clock.Now()) {
				t.Fatalf("updated = %s", jsonOf(got))
			}
			read, err := e.db.FindService(ctx, "ledger")
			must(t, err)
			if !reflect.DeepEqual(read, got) {
				t.Fatalf("read back %s, want %s", jsonOf(read), jsonOf(got))
			}
			evs, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{ObjectType: "service", ObjectID: "ledger"})
			must(t, err)
			if auditCount(t, e) != before+1 || evs[0].Action != "service.update" || evs[0].Actor != "tester" ||
				!reflect.DeepEqual(paved.ChangedFields(evs[0].Changes), []string{"owner", "tags"}) ||
				string(evs[0].Changes["owner"].From) != `"payments"` || string(evs[0].Changes["owner"].To) != `"search"` {
				t.Fatalf("update audit = %s", jsonOf(evs[0]))
			}
			_, err = e.db.UpdateService(ctx, "ledger", paved.ServiceUpdate{Owner: &owner, Tier: &tier})
			must(t, err)
			if auditCount(t, e) != before+1 {
				t.Fatal("no-op update wrote")
			}
			ghost := "ghosts"
			_, err = e.db.UpdateService(ctx, "ledger", paved.ServiceUpdate{Owner: &ghost})
			wantErr(t, err, paved.EUNPROCESSABLE, "owner")
			bad := paved.DataClass("secret")
			_, err = e.db.UpdateService(ctx, "ledger", paved.ServiceUpdate{DataClass: &bad})
			wantErr(t, err, paved.EINVALID, "data_class")
			read, err = e.db.FindService(ctx, "ledger")
			must(t, err)
			if read.Owner != "search" || read.DataClass != paved.DataConfidential {
				t.Fatalf("failed update wrote: %s", jsonOf(read))
			}
		})

		t.Run("retire", func(t *testing.T) {
			before := auditCount(t, e)
			must(t, e.db.RetireService(ctx, "bare"))
			must(t, e.db.RetireService(ctx, "bare"))
			got, err := e.db.FindService(ctx, "bare")
			must(t, err)
			if got.Phase != paved.PhaseRetired || auditCount(t, e) != before+1 {
				t.Fatalf("retired = %s, %d events", jsonOf(got), auditCount(t, e)-before)
			}
			evs, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{ObjectID: "bare", Page: paved.Page{Limit: 1}})
			must(t, err)
			if evs[0].Action != "service.retire" || string(evs[0].Changes["phase"].To) != `"retired"` {
				t.Fatalf("retire audit = %s", jsonOf(evs[0]))
			}
		})
		verifyChain(t, e)
	})
}

// TestControlCharactersRefused: a NUL (which PostgreSQL refuses in text
// and SQLite stores) or another control character in a name, title or
// text is bad input on both engines, at creation and at update, and
// nothing is written.
func TestControlCharactersRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		head, err := e.db.AuditHead(e.ctx)
		must(t, err)
		wantErr(t, e.db.CreateTeam(e.ctx, &paved.Team{Name: "nul", Kind: paved.KindProduct, Title: "a\x00b"}), paved.EINVALID, "title")
		wantErr(t, e.db.CreateService(e.ctx, &paved.Service{Name: "esc", Owner: "payments", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhasePlayground, Description: "\x1b[2J"}), paved.EINVALID, "description")
		wantErr(t, e.db.CreateUser(e.ctx, &paved.User{Name: "nul", DisplayName: "\x00"}), paved.EINVALID, "display_name")
		title := "x\x00"
		_, err = e.db.UpdateService(e.ctx, "checkout", paved.ServiceUpdate{Title: &title})
		wantErr(t, err, paved.EINVALID, "title")
		tags := []string{"ok", "\x00"}
		_, err = e.db.UpdateTeam(e.ctx, "payments", paved.TeamUpdate{Tags: &tags})
		wantErr(t, err, paved.EINVALID, "tags[1]")
		if after, err := e.db.AuditHead(e.ctx); err != nil || after != head {
			t.Fatalf("refused writes moved the audit head from %d to %d (%v)", head, after, err)
		}
	})
}
