package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

func TestAuditHead(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		head, err := e.db.AuditHead(e.ctx)
		must(t, err)
		if head != 0 {
			t.Fatalf("empty log: head %d", head)
		}
		seed(t, e)
		head, err = e.db.AuditHead(e.ctx)
		must(t, err)
		title := "moved"
		_, err = e.db.UpdateService(e.ctx, "checkout", paved.ServiceUpdate{Title: &title})
		must(t, err)
		next, err := e.db.AuditHead(e.ctx)
		must(t, err)
		if head == 0 || next != head+1 {
			t.Fatalf("head %d then %d after one change", head, next)
		}
		// A no-op update changes nothing, so the head stays.
		_, err = e.db.UpdateService(e.ctx, "checkout", paved.ServiceUpdate{Title: &title})
		must(t, err)
		if again, _ := e.db.AuditHead(e.ctx); again != next {
			t.Fatalf("no-op update moved the head to %d", again)
		}
	})
}

func TestAuditFind(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		seed(t, e)
		adaCtx := paved.WithActor(context.Background(), paved.Actor{User: &paved.User{Name: "ada"}})
		title := "Checkout v2"
		_, err := e.db.UpdateService(adaCtx, "checkout", paved.ServiceUpdate{Title: &title})
		must(t, err)
		must(t, e.db.CreateTeam(context.Background(), &paved.Team{Name: "bots", Kind: paved.KindProduct})) // no actor: system

		all, total, err := e.db.FindAuditEvents(e.ctx, paved.AuditFilter{})
		must(t, err)
		// 3 teams, 3 users, 4 services, 1 retire, 1 update, 1 team.
		if total != 13 || len(all) != 13 || all[0].Seq != 13 || all[12].Seq != 1 {
			t.Fatalf("FindAuditEvents: total %d, len %d, first seq %d", total, len(all), all[0].Seq)
		}
		cases := []struct {
			name string
			f    paved.AuditFilter
			want []int64
			tot  int
		}{
			{"actor", paved.AuditFilter{Actor: "ada"}, []int64{12}, 1},
			{"system actor", paved.AuditFilter{Actor: "system"}, []int64{13}, 1},
			{"object", paved.AuditFilter{ObjectType: "service", ObjectID: "checkout"}, []int64{12, 7}, 2},
			{"type", paved.AuditFilter{ObjectType: "user"}, []int64{6, 5, 4}, 3},
			{"page", paved.AuditFilter{Page: paved.Page{Offset: 2, Limit: 2}}, []int64{11, 10}, 13},
			{"none", paved.AuditFilter{Actor: "nobody"}, []int64{}, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, tot, err := e.db.FindAuditEvents(e.ctx, c.f)
				must(t, err)
				seqs := []int64{}
				for _, ev := range got {
					seqs = append(seqs, ev.Seq)
				}
				if !reflect.DeepEqual(seqs, c.want) || tot != c.tot {
					t.Fatalf("seqs %v (%d), want %v (%d)", seqs, tot, c.want, c.tot)
				}
			})
		}
		// An error from the callback stops the stream and comes back.
		stop := errors.New("stop")
		n := 0
		err = e.db.AllAuditEvents(e.ctx, func(*paved.AuditEvent) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("AllAuditEvents: %v after %d events", err, n)
		}
	})
}

// TestConcurrentWriters has 8 goroutines write 25 times each at once,
// through two handles on the same database (two processes on SQLite, two
// replicas on PostgreSQL: separate pools, so the in-process writer mutex
// does not serialise them); the chain must come out whole, seq 1..201
// without gaps.
func TestConcurrentWriters(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		must(t, e.db.CreateTeam(e.ctx, &paved.Team{Name: "team", Kind: paved.KindProduct}))
		other, err := Open(context.Background(), e.dsn, WithNow(e.clock.Now))
		must(t, err)
		defer other.Close()
		handles := []*DB{e.db, other}
		const workers, writes = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*writes)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := paved.WithActor(context.Background(), paved.Actor{Name: fmt.Sprintf("writer-%d", w)})
				db := handles[w%2]
				for i := range writes {
					name := fmt.Sprintf("svc-%d-%d", w, i)
					var err error
					switch i % 3 {
					case 0, 1:
						err = db.CreateService(ctx, &paved.Service{Name: name, Owner: "team", Tier: 2, DataClass: paved.DataInternal, Phase: paved.PhasePlayground})
					case 2:
						// Everyone updates the same team: row locks and
						// the chain lock meet.
						d := fmt.Sprintf("by %d/%d", w, i)
						_, err = db.UpdateTeam(ctx, "team", paved.TeamUpdate{Description: &d})
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		evs := verifyChain(t, e)
		if len(evs) != 1+workers*writes {
			t.Fatalf("%d events, want %d", len(evs), 1+workers*writes)
		}
		for i, ev := range evs {
			if ev.Seq != int64(i+1) {
				t.Fatalf("event %d has seq %d", i, ev.Seq)
			}
		}
	})
}

// TestAuditTamper alters, inserts and deletes rows behind the store's back;
// VerifyChain over AllAuditEvents must name the event.
func TestAuditTamper(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		wantSeq int64
		problem string
	}{
		{"alter actor", "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3", 3, "altered"},
		{"alter changes", `UPDATE audit_events SET changes = '{"name":{"to":"\"x\""}}' WHERE seq = 4`, 4, "altered"},
		{"alter to invalid json", "UPDATE audit_events SET changes = 'not json' WHERE seq = 2", 2, "altered"},
		{"alter time", "UPDATE audit_events SET event_time = '2020-01-01T00:00:00.000000000Z' WHERE seq = 5", 5, "altered"},
		{"delete", "DELETE FROM audit_events WHERE seq = 4", 5, "missing"},
		{"delete last and rehash nothing", "DELETE FROM audit_events WHERE seq = 1", 2, "missing"},
		{"insert", `INSERT INTO audit_events (seq, event_time, actor, action, object_type, object_id, changes, prev_hash, hash)
			VALUES (100, '2026-03-14T09:26:53.589793238Z', 'mallory', 'team.create', 'team', 'evil', '{}', 'x', 'y')`, 100, "missing"},
	}
	for _, eng := range engineNames {
		t.Run(eng, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e := openEnv(t, testutil.DSN(t, eng))
					seed(t, e)
					verifyChain(t, e)
					if _, err := e.db.db.Exec(c.sql); err != nil {
						t.Fatal(err)
					}
					var evs []*paved.AuditEvent
					must(t, e.db.AllAuditEvents(e.ctx, func(ev *paved.AuditEvent) error { evs = append(evs, ev); return nil }))
					probs := paved.VerifyChain(evs)
					if len(probs) == 0 {
						t.Fatal("tampering not detected")
					}
					if probs[0].Seq != c.wantSeq || !strings.Contains(probs[0].Problem, c.problem) {
						t.Fatalf("first problem %+v, want seq %d %q", probs[0], c.wantSeq, c.problem)
					}
				})
			}
		})
	}
}

// TestAuditGolden runs a fixed script of changes with a fixed clock and
// compares the whole log, hashes included, with a golden file. Both engines
// must produce the same bytes: the chain does not depend on the engine.
func TestAuditGolden(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		step := func(err error) {
			t.Helper()
			must(t, err)
			e.clock.Advance(time.Second)
		}
		step(e.db.CreateTeam(ctx, &paved.Team{Name: "platform", Kind: paved.KindCloud, Tags: []string{"aws"}}))
		step(e.db.CreateTeam(ctx, &paved.Team{Name: "shop", Kind: paved.KindProduct, Parent: "platform"}))
		step(e.db.CreateUser(ctx, &paved.User{Name: "eve", Roles: []paved.Role{paved.RoleDeveloper}, Teams: []string{"shop"}}))
		step(e.db.CreateService(ctx, &paved.Service{Name: "cart", Owner: "shop", Tier: 2, DataClass: paved.DataConfidential, Phase: paved.PhasePlayground,
			Links: []paved.Link{{URL: "https://git/cart", Type: "repo"}}, Annotations: map[string]string{"k": "v"}}))
		title := "Cart"
		_, err := e.db.UpdateService(ctx, "cart", paved.ServiceUpdate{Title: &title})
		step(err)
		exp := e.clock.Now().Add(24 * time.Hour)
		tok := &paved.Token{User: "eve", Name: "ci", Prefix: "pvd_abcdefgh", Hash: "hash-1", ExpiresAt: &exp}
		step(e.db.CreateToken(ctx, tok))
		step(e.db.RevokeToken(ctx, tok.ID))
		step(e.db.RetireService(ctx, "cart"))
		step(e.db.RetireTeam(ctx, "shop"))
		step(e.db.RetireUser(ctx, "eve"))

		evs := verifyChain(t, e)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		must(t, enc.Encode(evs))
		golden := filepath.Join("testdata", "audit_log.golden.json")
		if testutil.Updating() && e.db.Engine() != EngineSQLite {
			return // the SQLite run rewrites the file; every engine must match it
		}
		testutil.Golden(t, golden, buf.Bytes())
	})
}

// TestAuditTailDeleted: a log whose tail, or every event, was deleted
// under a live server does not verify against the head the server knows,
// the next write continues from that head instead of reusing the deleted
// sequence numbers, and so the gap is still there after a restart (a new
// store with no memory).
func TestAuditTailDeleted(t *testing.T) {
	for _, eng := range engineNames {
		t.Run(eng, func(t *testing.T) {
			for _, c := range []struct{ name, sql, first string }{
				{"tail", "DELETE FROM audit_events WHERE seq > 3", "the log ends at event 3, but this server wrote or verified event"},
				{"all", "DELETE FROM audit_events", "the log ends at event 0, but this server wrote or verified event"},
			} {
				t.Run(c.name, func(t *testing.T) {
					e := openEnv(t, testutil.DSN(t, eng))
					seed(t, e)
					known := e.db.KnownAuditHead()
					if known.Seq < 5 || known.Hash == "" {
						t.Fatalf("known head %+v", known)
					}
					v, _, err := paved.VerifyAuditLog(e.ctx, e.db)
					must(t, err)
					if p := v.Problems(); len(p) != 0 {
						t.Fatalf("intact log: %v", p)
					}
					if _, err := e.db.db.Exec(c.sql); err != nil {
						t.Fatal(err)
					}
					v, got, err := paved.VerifyAuditLog(e.ctx, e.db)
					must(t, err)
					p := v.Problems()
					if got != known || len(p) != 1 || !strings.Contains(p[0].Problem, c.first) {
						t.Fatalf("after deleting the %s: known %+v problems %v", c.name, got, p)
					}
					// The next write continues from the known head.
					must(t, e.db.CreateTeam(e.ctx, &paved.Team{Name: "after", Kind: paved.KindProduct}))
					if h := e.db.KnownAuditHead(); h.Seq != known.Seq+1 {
						t.Fatalf("the next write took seq %d, want %d", h.Seq, known.Seq+1)
					}
					// A restart forgets the known head; the gap stays.
					again := openEnv(t, e.dsn)
					v, _, err = paved.VerifyAuditLog(again.ctx, again.db)
					must(t, err)
					if p := v.Problems(); len(p) == 0 || !strings.Contains(p[0].Problem, "missing (deleted)") {
						t.Fatalf("after a restart: %v", p)
					}
				})
			}
		})
	}
}

// TestAuditObjectTypesComplete: every object type the store writes audit
// events for is one the API's and the portal's filters accept
// (paved.AuditObjectTypes): `paved audit list --object-type exception
// --server` was refused while the local command listed the events.
func TestAuditObjectTypesComplete(t *testing.T) {
	known := map[string]bool{}
	for _, ty := range paved.AuditObjectTypes {
		known[ty] = true
	}
	files, err := filepath.Glob("*.go")
	must(t, err)
	re := regexp.MustCompile(`w\.audit\([^,]+, "([a-z_]+)"`)
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		must(t, err)
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			found++
			if !known[m[1]] {
				t.Errorf("%s writes audit events of object type %q, which paved.AuditObjectTypes does not list", f, m[1])
			}
		}
	}
	if found < 20 {
		t.Fatalf("found only %d audit calls: has the pattern changed?", found)
	}
}
