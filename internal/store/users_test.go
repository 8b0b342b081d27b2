package store

import (
	"reflect"
	"testing"

	paved "github.com/paved-dev/paved"
)

func TestUsers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		ctx := e.ctx

		t.Run("create normalises and reads back", func(t *testing.T) {
			in := &paved.User{Name: "dee", DisplayName: "Dee", Email: "dee@example.com",
				Roles: []paved.Role{paved.RoleReviewer, paved.RoleDeveloper, paved.RoleReviewer},
				Teams: []string{"search", "payments", "search"}}
			must(t, e.db.CreateUser(ctx, in))
			if !reflect.DeepEqual(in.Roles, []paved.Role{paved.RoleDeveloper, paved.RoleReviewer}) || !reflect.DeepEqual(in.Teams, []string{"payments", "search"}) {
				t.Fatalf("not normalised: roles %v teams %v", in.Roles, in.Teams)
			}
			got, err := e.db.FindUser(ctx, "dee")
			must(t, err)
			if !reflect.DeepEqual(got, in) {
				t.Fatalf("FindUser =\n%s\nwant\n%s", jsonOf(got), jsonOf(in))
			}
		})

		t.Run("errors", func(t *testing.T) {
			cases := []struct {
				name  string
				user  *paved.User
				code  string
				field string
			}{
				{"nil", nil, paved.EINVALID, ""},
				{"bad name", &paved.User{Name: "a b"}, paved.EINVALID, "name"},
				{"bad role", &paved.User{Name: "x", Roles: []paved.Role{"boss"}}, paved.EINVALID, "roles[0]"},
				{"duplicate", &paved.User{Name: "bob"}, paved.ECONFLICT, "name"},
				{"missing team", &paved.User{Name: "x", Teams: []string{"payments", "ghosts"}}, paved.EUNPROCESSABLE, "teams[1]"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					before := auditCount(t, e)
					wantErr(t, e.db.CreateUser(ctx, c.user), c.code, c.field)
					if auditCount(t, e) != before {
						t.Fatal("failed create wrote audit events")
					}
				})
			}
			if _, err := e.db.FindUser(ctx, "x"); paved.ErrorCode(err) != paved.ENOTFOUND {
				t.Fatalf("half-written user: FindUser(x) = %v", err)
			}
			_, err := e.db.UpdateUser(ctx, "nobody", paved.UserUpdate{})
			wantErr(t, err, paved.ENOTFOUND, "")
			wantErr(t, e.db.RetireUser(ctx, "nobody"), paved.ENOTFOUND, "")
		})

		t.Run("filters", func(t *testing.T) {
			cases := []struct {
				name  string
				f     paved.UserFilter
				want  []string
				total int
			}{
				{"all", paved.UserFilter{}, []string{"ada", "bob", "cy", "dee"}, 4},
				{"team", paved.UserFilter{Team: "payments"}, []string{"bob", "dee"}, 2},
				{"unknown team", paved.UserFilter{Team: "ghosts"}, []string{}, 0},
				{"role as stored", paved.UserFilter{Role: paved.RoleDeveloper}, []string{"bob", "dee"}, 2},
				{"query display name", paved.UserFilter{Query: "lovelace"}, []string{"ada"}, 1},
				{"query email", paved.UserFilter{Query: "DEE@"}, []string{"dee"}, 1},
				{"page", paved.UserFilter{Page: paved.Page{Offset: 3, Limit: 1}}, []string{"dee"}, 4},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					got, total, err := e.db.FindUsers(ctx, c.f)
					must(t, err)
					if !reflect.DeepEqual(userNames(got), c.want) || total != c.total {
						t.Fatalf("FindUsers = %v (%d), want %v (%d)", userNames(got), total, c.want, c.total)
					}
				})
			}
			got, _, err := e.db.FindUsers(ctx, paved.UserFilter{Team: "payments"})
			must(t, err)
			if !reflect.DeepEqual(got[1].Teams, []string{"payments", "search"}) || !reflect.DeepEqual(got[1].Roles, []paved.Role{paved.RoleDeveloper, paved.RoleReviewer}) {
				t.Fatalf("FindUsers does not fill teams and roles: %+v", got[1])
			}
			_, _, err = e.db.FindUsers(ctx, paved.UserFilter{Role: "boss"})
			wantErr(t, err, paved.EINVALID, "role")
		})

		t.Run("update", func(t *testing.T) {
			roles, teams := []paved.Role{paved.RoleArchitect}, []string{"search"}
			before := auditCount(t, e)
			got, err := e.db.UpdateUser(ctx, "dee", paved.UserUpdate{Roles: &roles, Teams: &teams})
			must(t, err)
			if !reflect.DeepEqual(got.Roles, roles) || !reflect.DeepEqual(got.Teams, teams) {
				t.Fatalf("updated = %+v", got)
			}
			read, err := e.db.FindUser(ctx, "dee")
			must(t, err)
			if !reflect.DeepEqual(read, got) {
				t.Fatalf("read back %s, want %s", jsonOf(read), jsonOf(got))
			}
			evs, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{ObjectID: "dee"})
			must(t, err)
			if auditCount(t, e) != before+1 || !reflect.DeepEqual(paved.ChangedFields(evs[0].Changes), []string{"roles", "teams"}) {
				t.Fatalf("update audit = %s", jsonOf(evs[0]))
			}
			// Same values in another order: no change.
			same := []string{"search", "search"}
			_, err = e.db.UpdateUser(ctx, "dee", paved.UserUpdate{Teams: &same})
			must(t, err)
			if auditCount(t, e) != before+1 {
				t.Fatal("no-op update wrote an audit event")
			}
			ghost := []string{"ghosts"}
			_, err = e.db.UpdateUser(ctx, "dee", paved.UserUpdate{Teams: &ghost})
			wantErr(t, err, paved.EUNPROCESSABLE, "teams[0]")
			bad := []paved.Role{"boss"}
			_, err = e.db.UpdateUser(ctx, "dee", paved.UserUpdate{Roles: &bad})
			wantErr(t, err, paved.EINVALID, "roles[0]")
		})

		t.Run("retire revokes tokens and ends sessions", func(t *testing.T) {
			secret := paved.NewTokenSecret()
			tok := &paved.Token{User: "dee", Name: "laptop", Prefix: paved.DisplayPrefix(secret), Hash: paved.HashToken(secret)}
			must(t, e.db.CreateToken(ctx, tok))
			sess := &paved.Session{Hash: "s-dee", User: "dee", TokenID: tok.ID, CSRF: "c", ExpiresAt: e.clock.Now().Add(3600e9)}
			must(t, e.db.CreateSession(ctx, sess))
			must(t, e.db.RetireUser(ctx, "dee"))
			must(t, e.db.RetireUser(ctx, "dee"))
			_, _, err := e.db.Authenticate(ctx, tok.Hash)
			wantErr(t, err, paved.EUNAUTHORIZED, "")
			_, _, err = e.db.AuthenticateSession(ctx, "s-dee")
			wantErr(t, err, paved.EUNAUTHORIZED, "")
			got, err := e.db.FindToken(ctx, tok.ID)
			must(t, err)
			if got.RevokedAt == nil {
				t.Fatal("token of retired user not revoked")
			}
			evs, _, err := e.db.FindAuditEvents(ctx, paved.AuditFilter{Page: paved.Page{Limit: 2}})
			must(t, err)
			if evs[0].Action != "token.revoke" || evs[1].Action != "user.retire" {
				t.Fatalf("retire audit = %s", jsonOf(evs))
			}
			list, _, err := e.db.FindUsers(ctx, paved.UserFilter{})
			must(t, err)
			if contains(userNames(list), "dee") {
				t.Fatal("retired user listed")
			}
			team, err := e.db.FindTeam(ctx, "search")
			must(t, err)
			if contains(team.Members, "dee") {
				t.Fatal("retired user listed as a member")
			}
			err = e.db.CreateToken(ctx, &paved.Token{User: "dee", Hash: "h2"})
			wantErr(t, err, paved.EUNPROCESSABLE, "user")
		})
		verifyChain(t, e)
	})
}
