//go:build unix

package main

// The crash test (issue 9): `paved serve` on a SQLite file is killed with
// SIGKILL during bursts of writes, again and again, and after every kill
// the database must be whole:
//
//   - PRAGMA integrity_check and foreign_key_check pass, `paved audit
//     verify` verifies the chain;
//   - every write the server acknowledged with a 2xx is there: answers,
//     sign-offs, scheduled and cancelled walkthroughs (each with its
//     notification, written in the same transaction);
//   - every billing account's period is exactly one whole ingest, the last
//     acknowledged one or the one in flight at the kill, never a mix, and no
//     line is left without its batch;
//   - every delivery the database records as delivered reached the
//     receiver.
//
// At the end the server runs until its job runner has drained the outbox:
// every notification is delivered, to a receiver that dedupes by
// X-Paved-Delivery, exactly once. Deliveries are at-least-once on the wire:
// a kill after the receiver's 2xx and before the success is recorded posts
// the same delivery id again after the lease (docs/notifications.md); the
// test counts those duplicate POSTs and logs them.
//
// The server is this test binary itself, re-executed with PAVED_CRASH_CHILD
// set: TestMain then runs paved's main() with the arguments given, so the
// child is exactly `paved serve` without a second build.
//
//	go test ./cmd/paved -run TestCrash -v     (skipped with -short)

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/identity/oidctest"
	"github.com/paved-dev/paved/internal/store"
)

const crashChildEnv = "PAVED_CRASH_CHILD"

// TestMain runs paved's main() instead of the tests when the crash test
// re-executes this binary as the server.
func TestMain(m *testing.M) {
	// ... and serves as the test OpenID provider of the CI exchange test.
	oidctest.RunIfProvider()
	if os.Getenv(crashChildEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const (
	crashKills     = 20
	crashAdmin     = "pvd_crash_test_bootstrap_token_0123456789"
	crashSecret    = "crash-test-webhook-secret-0123456789"
	crashIngests   = 3    // distinct generated files per billing account
	crashCostLines = 2000 // approximate lines per file
)

var crashRunningRE = regexp.MustCompile(`open (http://127\.0\.0\.1:\d+)/`)

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test kills a server 20 times (about a minute): skipped with -short")
	}
	started := time.Now()
	dir := t.TempDir()
	c := &crashRun{t: t, dir: dir, db: filepath.Join(dir, "paved.db"), recv: newCrashReceiver(), rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))}
	defer c.recv.srv.Close()
	c.writeConfig()
	c.makeIngestFiles()

	c.start()
	c.seed()
	for i := 1; i <= crashKills; i++ {
		if i > 1 {
			c.start()
		}
		inflight := c.burst(time.Duration(c.rng.IntN(1000)) * time.Millisecond)
		c.verify(fmt.Sprintf("after kill %d (in flight: %s)", i, inflight))
		c.logf("kill %d: in flight %s", i, inflight)
	}
	// Let the runner drain the outbox, then stop the server as SIGTERM does.
	c.start()
	c.drain(60 * time.Second)
	c.stop()
	c.verify("after the drain")
	c.verifyDelivered()
	t.Logf("%d kills in %s: %d answers, %d sign-offs, %d walkthroughs (+%d cancelled), %d ingests acknowledged; %d notifications delivered, %d duplicate POSTs of an already accepted delivery id (a kill between the receiver's 2xx and the recorded success), %d 503s answered by the receiver",
		crashKills, time.Since(started).Round(time.Second), c.count(kindAnswer), c.count(kindSignoff), c.count(kindSchedule), c.count(kindCancel),
		c.count(kindIngest), c.recv.accepted(), c.recv.duplicates(), c.recv.refused.Load())
}

type crashRun struct {
	t    *testing.T
	dir  string
	db   string
	recv *crashReceiver
	rng  *rand.Rand

	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited
	waitErr error         // cmd.Wait's, once exited is closed
	url     string
	starts  int // starts so far, names the log files
	logs    []string

	kills  []time.Time       // when each kill took effect
	tokens map[string]string // user -> API token
	signWT int64             // the walkthrough the sign-off writers sign
	files  map[string][]crashIngestFile

	mu    sync.Mutex
	acked map[string][]string // kind -> acknowledged writes
	// ingest state per billing account.
	ingest     map[string]*crashIngest
	unexpected []string
	burstAcks  map[string]int // acknowledged in the current burst, by kind
	// The writers' positions survive a kill: each continues where it was.
	next map[string]int
}

const (
	kindAnswer   = "answer"
	kindSignoff  = "signoff"
	kindSchedule = "schedule"
	kindCancel   = "cancel"
	kindIngest   = "ingest"
)

type crashIngestFile struct {
	path   string
	lines  int64
	billed paved.Money
}

func (c *crashRun) logf(format string, args ...any) { c.t.Logf(format, args...) }

func (c *crashRun) count(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.acked[kind])
}

func (c *crashRun) writeConfig() {
	cfg := fmt.Sprintf(`server:
  database: %s
notifications:
  webhooks:
    - name: receiver
      url: %s/hook
      secret_env: CRASH_HOOK_SECRET
  allowed_hosts: [127.0.0.1]   # the receiver is on loopback
  timeout: 1s
  retry_initial: 1s
  retry_max: 2s
`, c.db, c.recv.srv.URL)
	if err := os.MkdirAll(filepath.Join(c.dir, "config"), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.dir, "config", "paved.yaml"), []byte(cfg), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// makeIngestFiles generates distinct FOCUS files per billing account and
// reads each one's line count and billed total, which identify it in the
// database.
func (c *crashRun) makeIngestFiles() {
	c.files = map[string][]crashIngestFile{}
	for _, acct := range []string{"900000000001", "900000000002"} {
		for g := range crashIngests {
			var b bytes.Buffer
			_, err := cost.GenerateFOCUS(&b, cost.GenOptions{Month: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Days: 10,
				Rows: crashCostLines + 97*g, BillingAccount: acct, Seed: uint64(g + 1), Untagged: 0.1,
				Services: []cost.GenService{{Name: "ans-0", Team: "payments", Account: acct + "1"}, {Name: "hook-0", Team: "payments", Account: acct + "2"}}})
			if err != nil {
				c.t.Fatal(err)
			}
			f := crashIngestFile{path: filepath.Join(c.dir, fmt.Sprintf("focus-%s-%d.csv", acct, g))}
			recs, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
			if err != nil {
				c.t.Fatal(err)
			}
			col := slices.Index(recs[0], "BilledCost")
			for _, r := range recs[1:] {
				m, _, err := cost.ParseMoneyRound(r[col])
				if err != nil {
					c.t.Fatal(err)
				}
				f.lines++
				f.billed += paved.Money(m)
			}
			if err := os.WriteFile(f.path, b.Bytes(), 0o644); err != nil {
				c.t.Fatal(err)
			}
			c.files[acct] = append(c.files[acct], f)
		}
	}
}

// start runs the server and waits until /readyz answers 200.
func (c *crashRun) start() {
	c.t.Helper()
	c.starts++
	logPath := filepath.Join(c.dir, fmt.Sprintf("serve-%02d.log", c.starts))
	logf, err := os.Create(logPath)
	if err != nil {
		c.t.Fatal(err)
	}
	c.logs = append(c.logs, logPath)
	cmd := exec.Command(os.Args[0], "serve", "--config", filepath.Join(c.dir, "config"), "--addr", "127.0.0.1:0", "--reload-every", "0")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1", "PAVED_BOOTSTRAP_TOKEN="+crashAdmin, "CRASH_HOOK_SECRET="+crashSecret,
		"PAVED_DATABASE=", "PAVED_ADDR=", "PAVED_CONFIG=")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	logf.Close()
	c.cmd = cmd
	// The one Wait: kill and stop wait for exited too.
	exited := make(chan struct{})
	c.exited = exited
	go func() { c.waitErr = cmd.Wait(); close(exited) }()
	deadline := time.Now().Add(60 * time.Second)
	c.url = ""
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(logPath)
		if c.url == "" {
			if m := crashRunningRE.FindSubmatch(b); m != nil {
				c.url = string(m[1])
			}
		}
		if c.url != "" {
			if resp, err := http.Get(c.url + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
		}
		select {
		case <-exited:
			b, _ = os.ReadFile(logPath)
			c.t.Fatalf("paved serve exited before it was ready (%v):\n%s", c.waitErr, b)
		case <-time.After(20 * time.Millisecond):
		}
	}
	b, _ := os.ReadFile(logPath)
	c.t.Fatalf("paved serve not ready after 60s:\n%s", b)
}

func (c *crashRun) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.t.Fatal(err)
	}
	<-c.exited
	c.kills = append(c.kills, time.Now())
	c.cmd = nil
}

// stop shuts the server down with SIGTERM and expects a clean exit.
func (c *crashRun) stop() {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatal(err)
	}
	select {
	case <-c.exited:
		if c.waitErr != nil {
			c.t.Errorf("paved serve after SIGTERM: %v\n%s", c.waitErr, c.lastLog())
		}
	case <-time.After(30 * time.Second):
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.t.Fatalf("paved serve did not stop within 30s of SIGTERM")
	}
	c.cmd = nil
}

func (c *crashRun) lastLog() string {
	if len(c.logs) == 0 {
		return ""
	}
	b, _ := os.ReadFile(c.logs[len(c.logs)-1])
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	return string(b)
}

// call sends one API request as user and decodes a 2xx answer into out. It
// returns the status (0 when no answer came) and whether the answer was
// read whole.
func (c *crashRun) call(ctx context.Context, client *http.Client, user, method, path, ctype string, body io.Reader, out any) (int, bool) {
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, body)
	if err != nil {
		c.t.Error(err)
		return 0, false
	}
	req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		if err == nil && ctx.Err() == nil {
			c.mu.Lock()
			c.unexpected = append(c.unexpected, fmt.Sprintf("%s %s as %s: %d %s", method, path, user, resp.StatusCode, b))
			c.mu.Unlock()
		}
		return resp.StatusCode, false
	}
	if err != nil {
		return resp.StatusCode, false
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, false
		}
	}
	return resp.StatusCode, true
}

func jsonBody(v any) io.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}

// setup calls fail the test unless they succeed.
func (c *crashRun) must(user, method, path string, in, out any) {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		body = jsonBody(in)
	}
	if code, ok := c.call(context.Background(), http.DefaultClient, user, method, path, "application/json", body, out); !ok {
		c.t.Fatalf("%s %s: %d %v", method, path, code, c.unexpected)
	}
}

// seed creates the organisation through the API: a product team owning the
// services, an architect outside it, developers, their tokens, and the
// walkthrough the sign-off writers sign.
func (c *crashRun) seed() {
	c.tokens = map[string]string{"admin": crashAdmin}
	c.must("admin", "POST", "/api/v1/teams", map[string]any{"name": "payments", "kind": "product"}, nil)
	c.must("admin", "POST", "/api/v1/teams", map[string]any{"name": "architecture", "kind": "developer-productivity"}, nil)
	for _, u := range []map[string]any{
		{"name": "dev", "roles": []string{"developer"}, "teams": []string{"payments"}},
		{"name": "peer", "roles": []string{"developer"}, "teams": []string{"payments"}},
		{"name": "archi", "roles": []string{"architect"}, "teams": []string{"architecture"}},
	} {
		c.must("admin", "POST", "/api/v1/users", u, nil)
		var tok struct{ Secret string }
		c.must("admin", "POST", "/api/v1/tokens", map[string]any{"user": u["name"], "name": "crash"}, &tok)
		c.tokens[u["name"].(string)] = tok.Secret
	}
	for _, s := range []string{"ans-0", "ans-1", "ans-2", "sign-0", "hook-0", "hook-1"} {
		c.must("admin", "POST", "/api/v1/services", map[string]any{"name": s, "owner": "payments", "tier": 3,
			"data_class": "internal", "phase": "green-light"}, nil)
	}
	var wt struct{ ID int64 }
	c.must("admin", "POST", "/api/v1/services/sign-0/walkthroughs", map[string]any{"scheduled_at": "2030-01-01 10:00"}, &wt)
	c.signWT = wt.ID
	c.acked = map[string][]string{}
	c.ingest = map[string]*crashIngest{}
	for acct := range c.files {
		c.ingest[acct] = &crashIngest{acked: -1}
	}
	c.next = map[string]int{}
}

func (c *crashRun) ack(kind, what string) {
	c.mu.Lock()
	c.acked[kind] = append(c.acked[kind], what)
	c.burstAcks[kind]++
	c.mu.Unlock()
}

// progressed reports whether every kind of write was acknowledged at least
// once in this burst.
func (c *crashRun) progressed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.burstAcks[kindAnswer] > 0 && c.burstAcks[kindSignoff] > 0 && c.burstAcks[kindSchedule]+c.burstAcks[kindCancel] > 0 &&
		c.burstAcks[kindIngest] > 0
}

// burst runs the writers against the server until each kind of write has
// been acknowledged (at most 20s, for a slow machine or -race) and d more,
// kills the server with SIGKILL while they write, and returns, per kind,
// how many requests were in flight at that moment.
func (c *crashRun) burst(d time.Duration) string {
	c.mu.Lock()
	c.burstAcks = map[string]int{}
	c.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	defer client.CloseIdleConnections()
	var wg sync.WaitGroup
	var inflight sync.Map // kind -> *atomic.Int32
	flight := func(kind string) func() {
		v, _ := inflight.LoadOrStore(kind, new(atomic.Int32))
		n := v.(*atomic.Int32)
		n.Add(1)
		return func() { n.Add(-1) }
	}
	run := func(name string, step func(ctx context.Context) bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if !step(ctx) {
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	// Answers: three writers as the owning team's developer, each on its
	// own service, items in turn, every text unique.
	items := []string{"deploy-rollback", "backups", "alerting", "slos"}
	for w := range 3 {
		key := fmt.Sprintf("answer-%d", w)
		run(key, func(ctx context.Context) bool {
			c.mu.Lock()
			n := c.next[key]
			c.next[key]++
			c.mu.Unlock()
			svc, item := fmt.Sprintf("ans-%d", w), items[n%len(items)]
			text := fmt.Sprintf("%s text %d", key, n)
			done := flight(kindAnswer)
			defer done()
			_, ok := c.call(ctx, client, "dev", "PUT", "/api/v1/services/"+svc+"/answers/"+item, "application/json",
				jsonBody(map[string]any{"text": text}), nil)
			if ok {
				c.ack(kindAnswer, svc+"\x00"+item+"\x00"+text)
			}
			return ok
		})
	}
	// Sign-offs: the peer and the architect request changes on one
	// walkthrough, over and over, each comment unique.
	for _, who := range []struct{ user, role string }{{"peer", "peer"}, {"archi", "architect"}} {
		key := "signoff-" + who.user
		run(key, func(ctx context.Context) bool {
			c.mu.Lock()
			n := c.next[key]
			c.next[key]++
			c.mu.Unlock()
			comment := fmt.Sprintf("%s change %d", who.user, n)
			done := flight(kindSignoff)
			defer done()
			_, ok := c.call(ctx, client, who.user, "POST", fmt.Sprintf("/api/v1/walkthroughs/%d/signoffs", c.signWT), "application/json",
				jsonBody(map[string]any{"role": who.role, "decision": "request-changes", "comment": comment}), nil)
			if ok {
				c.ack(kindSignoff, comment)
			}
			return ok
		})
	}
	// Walkthroughs, for the webhook: schedule one (its notification is
	// written in the same transaction), cancel it, schedule the next.
	for w := range 2 {
		svc := fmt.Sprintf("hook-%d", w)
		key := "schedule-" + svc
		var open int64 // the walkthrough to cancel before the next
		first := true
		run(key, func(ctx context.Context) bool {
			if first {
				// A kill may have left the last one open.
				var l struct {
					Walkthrough *struct {
						ID        int64
						Cancelled bool
					}
				}
				if _, ok := c.call(ctx, client, "admin", "GET", "/api/v1/services/"+svc+"/launch", "", nil, &l); !ok {
					return false
				}
				if l.Walkthrough != nil && !l.Walkthrough.Cancelled {
					open = l.Walkthrough.ID
				}
				first = false
			}
			if open != 0 {
				done := flight(kindCancel)
				defer done()
				if _, ok := c.call(ctx, client, "admin", "POST", fmt.Sprintf("/api/v1/walkthroughs/%d/cancel", open), "", nil, nil); !ok {
					return false
				}
				c.ack(kindCancel, fmt.Sprint(open))
				open = 0
				return true
			}
			c.mu.Lock()
			n := c.next[key]
			c.next[key]++
			c.mu.Unlock()
			at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
			var wt struct{ ID int64 }
			done := flight(kindSchedule)
			defer done()
			if _, ok := c.call(ctx, client, "admin", "POST", "/api/v1/services/"+svc+"/walkthroughs", "application/json",
				jsonBody(map[string]any{"scheduled_at": at.Format(time.RFC3339)}), &wt); !ok {
				return false
			}
			c.ack(kindSchedule, svc+"\x00"+at.Format(time.RFC3339))
			open = wt.ID
			return true
		})
	}
	// Billing ingest: one writer per billing account, each file replacing
	// the account's period.
	for acct, files := range c.files {
		run("ingest-"+acct, func(ctx context.Context) bool {
			c.mu.Lock()
			st := c.ingest[acct]
			g := st.next
			st.next++
			c.mu.Unlock()
			f, err := os.Open(files[g%len(files)].path)
			if err != nil {
				c.t.Error(err)
				return false
			}
			defer f.Close()
			done := flight(kindIngest)
			defer done()
			if _, ok := c.call(ctx, client, "admin", "POST", "/api/v1/cost/ingest?name=focus.csv", "text/csv", f, nil); !ok {
				// Cut off by the kill: it may or may not have committed.
				c.mu.Lock()
				st.unknown = append(st.unknown, g)
				c.mu.Unlock()
				return false
			}
			c.mu.Lock()
			st.acked, st.unknown = g, nil
			c.mu.Unlock()
			c.ack(kindIngest, fmt.Sprintf("%s %d", acct, g))
			return true
		})
	}
	for end := time.Now().Add(20 * time.Second); !c.progressed() && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(d)
	var parts []string
	inflight.Range(func(k, v any) bool {
		if n := v.(*atomic.Int32).Load(); n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, n))
		}
		return true
	})
	slices.Sort(parts)
	c.kill()
	cancel()
	wg.Wait()
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, " ")
}

// verify checks the database with the server down.
func (c *crashRun) verify(when string) {
	t := c.t
	t.Helper()
	ctx := context.Background()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(when+": "+format+"\nlast server log:\n%s", append(args, c.lastLog())...)
	}

	// The file itself.
	sdb, err := sql.Open("sqlite", c.db)
	if err != nil {
		fail("%v", err)
	}
	var integrity string
	if err := sdb.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		fail("PRAGMA integrity_check = %q, %v", integrity, err)
	}
	if rows, err := sdb.Query("PRAGMA foreign_key_check"); err != nil {
		fail("foreign_key_check: %v", err)
	} else {
		bad := rows.Next()
		rows.Close()
		if bad {
			fail("PRAGMA foreign_key_check found rows whose references are gone")
		}
	}
	// Billing: every batch whole, no line without its batch.
	var orphans int
	if err := sdb.QueryRow("SELECT COUNT(*) FROM cost_lines WHERE batch_id NOT IN (SELECT id FROM cost_batches)").Scan(&orphans); err != nil || orphans != 0 {
		fail("%d cost lines without their batch (%v)", orphans, err)
	}
	rows, err := sdb.Query(`SELECT b.billing_account, b.lines, (SELECT COUNT(*) FROM cost_lines l WHERE l.batch_id = b.id),
		(SELECT COALESCE(SUM(d.lines), 0) FROM cost_daily d WHERE d.batch_id = b.id) FROM cost_batches b`)
	if err != nil {
		fail("%v", err)
	}
	for rows.Next() {
		var acct string
		var lines, stored, daily int64
		if err := rows.Scan(&acct, &lines, &stored, &daily); err != nil {
			fail("%v", err)
		}
		if stored != lines || daily != lines {
			fail("billing account %s: the batch says %d lines, %d are stored, the daily roll-up counts %d", acct, lines, stored, daily)
		}
	}
	rows.Close()
	sdb.Close()

	// The audit chain, as an operator checks it.
	if r := cli(t, env{"PAVED_DATABASE": c.db}, "audit", "verify"); r.code != 0 || !strings.Contains(r.out, "audit log intact") {
		fail("paved audit verify: exit %d\n%s%s", r.code, r.out, r.errOut)
	}

	// Every acknowledged write, through the store.
	st, err := store.Open(ctx, c.db)
	if err != nil {
		fail("%v", err)
	}
	defer st.Close()
	c.mu.Lock()
	acked := map[string][]string{}
	for k, v := range c.acked {
		acked[k] = slices.Clone(v)
	}
	ingest := map[string]crashIngest{}
	for acct, st := range c.ingest {
		ingest[acct] = crashIngest{acked: st.acked, unknown: slices.Clone(st.unknown)}
	}
	c.mu.Unlock()

	texts := map[string]map[string]bool{} // service\x00item -> texts in the history
	for _, a := range acked[kindAnswer] {
		svc, rest, _ := strings.Cut(a, "\x00")
		item, text, _ := strings.Cut(rest, "\x00")
		k := svc + "\x00" + item
		if texts[k] == nil {
			hist, err := st.AnswerHistory(ctx, svc, item)
			if err != nil {
				fail("%v", err)
			}
			texts[k] = map[string]bool{}
			for _, h := range hist {
				texts[k][h.Text] = true
			}
		}
		if !texts[k][text] {
			fail("the acknowledged answer %q to %s of %s is lost", text, item, svc)
		}
	}

	wt, err := st.FindWalkthrough(ctx, c.signWT)
	if err != nil {
		fail("%v", err)
	}
	comments := map[string]bool{}
	for _, s := range wt.Signoffs {
		comments[s.Comment] = true
	}
	for _, cm := range acked[kindSignoff] {
		if !comments[cm] {
			fail("the acknowledged sign-off %q is lost", cm)
		}
	}

	for _, svc := range []string{"hook-0", "hook-1"} {
		l, err := st.FindLaunch(ctx, svc)
		if err != nil {
			fail("%v", err)
		}
		byAt, byID := map[string]*paved.Walkthrough{}, map[int64]*paved.Walkthrough{}
		for _, w := range l.Walkthroughs {
			byAt[w.ScheduledAt.UTC().Format(time.RFC3339)] = w
			byID[w.ID] = w
		}
		// Each walkthrough has exactly one notification, written with it.
		notes := map[int64]int{}
		for off := 0; ; off += paved.MaxLimit {
			ns, total, err := st.FindNotifications(ctx, paved.NotificationFilter{Kind: paved.NotifySignoffRequested, Service: svc,
				Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
			if err != nil {
				fail("%v", err)
			}
			for _, n := range ns {
				id, _ := n.Data["walkthrough_id"].(float64)
				notes[int64(id)]++
			}
			if off+paved.MaxLimit >= total {
				break
			}
		}
		for id, n := range notes {
			if byID[id] == nil || n != 1 {
				fail("walkthrough %d of %s has %d notifications (exists: %v)", id, svc, n, byID[id] != nil)
			}
		}
		for _, w := range l.Walkthroughs {
			if notes[w.ID] != 1 {
				fail("walkthrough %d of %s has no notification", w.ID, svc)
			}
		}
		for _, s := range acked[kindSchedule] {
			if sv, at, _ := strings.Cut(s, "\x00"); sv == svc && byAt[at] == nil {
				fail("the acknowledged walkthrough of %s at %s is lost", svc, at)
			}
		}
		for _, s := range acked[kindCancel] {
			var id int64
			fmt.Sscan(s, &id)
			if w := byID[id]; w != nil && !w.Cancelled {
				fail("the acknowledged cancellation of walkthrough %d is lost", id)
			}
		}
	}

	batches, err := st.FindCostBatches(ctx)
	if err != nil {
		fail("%v", err)
	}
	for acct, files := range c.files {
		var b *paved.CostBatch
		for _, x := range batches {
			if x.BillingAccountID == acct {
				if b != nil {
					fail("billing account %s has two batches for one period", acct)
				}
				b = x
			}
		}
		which := -1
		if b != nil {
			for i, f := range files {
				if f.lines == b.Lines && f.billed == b.Billed {
					which = i
				}
			}
			if which < 0 {
				fail("billing account %s holds %d lines billed %s: no ingested file has those (half an ingest?)", acct, b.Lines, b.Billed)
			}
		}
		// The newest ingest that committed: the last acknowledged one or
		// one cut off by a kill after it.
		st := ingest[acct]
		ok := (b == nil && st.acked < 0) || (st.acked >= 0 && which == st.acked%len(files))
		for _, g := range st.unknown {
			ok = ok || which == g%len(files)
		}
		if !ok {
			fail("billing account %s holds file %d; the last acknowledged ingest was generation %d (file %d), cut off since: %v",
				acct, which, st.acked, st.acked%len(files), st.unknown)
		}
	}

	// Whatever the database says was delivered reached the receiver.
	for off := 0; ; off += paved.MaxLimit {
		ds, total, err := st.FindDeliveries(ctx, paved.DeliveryFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			fail("%v", err)
		}
		for _, d := range ds {
			if d.Status == paved.DeliveryDelivered && !c.recv.hasAccepted(d.ID) {
				fail("delivery %d is recorded as delivered but the receiver never accepted it", d.ID)
			}
		}
		if off+paved.MaxLimit >= total {
			break
		}
	}
	c.mu.Lock()
	unexpected := slices.Clone(c.unexpected)
	c.mu.Unlock()
	if len(unexpected) > 0 {
		fail("requests refused while the server was up:\n%s", strings.Join(unexpected, "\n"))
	}
	if errs := c.recv.errors(); len(errs) > 0 {
		fail("the receiver refused requests:\n%s", strings.Join(errs, "\n"))
	}
}

// crashIngest is one billing account's ingest writer: generations are
// numbered from 0 and ingest file generation % crashIngests.
type crashIngest struct {
	next    int
	acked   int   // the newest acknowledged generation, -1 for none
	unknown []int // generations since, cut off by a kill
}

// drain waits until every notification has been delivered.
func (c *crashRun) drain(limit time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var notes, delivered struct{ Total int }
		_, ok1 := c.call(context.Background(), http.DefaultClient, "admin", "GET", "/api/v1/notifications?limit=1", "", nil, &notes)
		_, ok2 := c.call(context.Background(), http.DefaultClient, "admin", "GET", "/api/v1/deliveries?status=delivered&limit=1", "", nil, &delivered)
		if ok1 && ok2 && notes.Total > 0 && delivered.Total == notes.Total {
			c.logf("drained: %d notifications delivered", notes.Total)
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("after %s: %d of %d notifications delivered\n%s", limit, delivered.Total, notes.Total, c.lastLog())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// verifyDelivered checks, after the drain, that every notification went
// out exactly once to a receiver that dedupes by delivery id.
func (c *crashRun) verifyDelivered() {
	t := c.t
	ctx := context.Background()
	st, err := store.Open(ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	byNote := map[int64][]*paved.Delivery{}
	nnotes := 0
	for off := 0; ; off += paved.MaxLimit {
		ns, total, err := st.FindNotifications(ctx, paved.NotificationFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			byNote[n.ID] = nil
		}
		nnotes = total
		if off+paved.MaxLimit >= total {
			break
		}
	}
	for off := 0; ; off += paved.MaxLimit {
		ds, total, err := st.FindDeliveries(ctx, paved.DeliveryFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			byNote[d.NotificationID] = append(byNote[d.NotificationID], d)
		}
		if off+paved.MaxLimit >= total {
			break
		}
	}
	if len(byNote) != nnotes {
		t.Errorf("%d notifications, deliveries for %d", nnotes, len(byNote))
	}
	for id, ds := range byNote {
		if len(ds) != 1 {
			t.Errorf("notification %d has %d deliveries to the one webhook, want 1", id, len(ds))
			continue
		}
		d := ds[0]
		if d.Status != paved.DeliveryDelivered {
			t.Errorf("notification %d: delivery %d is %s (%s)", id, d.ID, d.Status, d.LastError)
		}
		ok := 0
		for _, at := range d.Log {
			if at.StatusCode/100 == 2 {
				ok++
			}
		}
		if ok > 1 {
			t.Errorf("delivery %d has %d successful attempts in its log: a recorded success was posted again", d.ID, ok)
		}
		if got := c.recv.processedNote(id); got != 1 {
			t.Errorf("notification %d was processed %d times by the deduping receiver, want 1", id, got)
		}
	}
	// A delivery id is posted again only across a kill: the receiver's 2xx
	// came before it, the repeat after (the lease ran out).
	for id, times := range c.recv.acceptedAt() {
		for i := 1; i < len(times); i++ {
			across := false
			for _, k := range c.kills {
				across = across || (k.After(times[i-1]) && k.Before(times[i]))
			}
			if !across {
				t.Errorf("delivery %d was accepted at %s and again at %s with no kill between: a duplicate paved's leases should prevent",
					id, times[i-1].Format(time.StampMilli), times[i].Format(time.StampMilli))
			}
		}
	}
	if n := c.recv.accepted(); n != nnotes {
		t.Errorf("the receiver accepted %d delivery ids for %d notifications", n, nnotes)
	}
}

// crashReceiver is the webhook receiver: it checks each request's
// signature, answers 503 now and then (a retry), and dedupes by
// X-Paved-Delivery as docs/notifications.md tells receivers to.
type crashReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	posts   map[int64]int         // delivery id -> 2xx answers
	at      map[int64][]time.Time // delivery id -> when each 2xx was answered
	note    map[int64]int64       // delivery id -> notification id
	byNote  map[int64]int         // notification id -> times processed
	errs    []string
	refused atomic.Int64
	rng     *rand.Rand
}

func newCrashReceiver() *crashReceiver {
	r := &crashReceiver{posts: map[int64]int{}, at: map[int64][]time.Time{}, note: map[int64]int64{}, byNote: map[int64]int{}, rng: rand.New(rand.NewPCG(1, 2))}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

func (r *crashReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	ts, id := req.Header.Get("X-Paved-Timestamp"), req.Header.Get("X-Paved-Delivery")
	mac := hmac.New(sha256.New, []byte(crashSecret))
	mac.Write([]byte(ts + "." + id + "."))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	var n paved.Notification
	var did int64
	_, serr := fmt.Sscan(id, &did)
	if err != nil || serr != nil || !hmac.Equal([]byte(want), []byte(req.Header.Get("X-Paved-Signature"))) || json.Unmarshal(body, &n) != nil {
		r.mu.Lock()
		r.errs = append(r.errs, fmt.Sprintf("delivery %q: bad request (%v)", id, err))
		r.mu.Unlock()
		http.Error(w, "bad", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	refuse := r.rng.IntN(20) == 0
	delay := time.Duration(r.rng.IntN(30)) * time.Millisecond
	r.mu.Unlock()
	if refuse {
		r.refused.Add(1)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	// The time between the receiver's decision and paved recording it is
	// where a kill makes a duplicate; a little latency widens it.
	time.Sleep(delay)
	r.mu.Lock()
	if prev, ok := r.note[did]; ok && prev != n.ID {
		r.errs = append(r.errs, fmt.Sprintf("delivery %d carried notification %d, then %d", did, prev, n.ID))
	}
	if r.posts[did] == 0 {
		r.byNote[n.ID]++ // processed: the first time this id is accepted
	}
	r.posts[did]++
	r.at[did] = append(r.at[did], time.Now())
	r.note[did] = n.ID
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (r *crashReceiver) hasAccepted(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.posts[id] > 0
}

func (r *crashReceiver) acceptedAt() map[int64][]time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[int64][]time.Time{}
	for id, ts := range r.at {
		out[id] = slices.Clone(ts)
	}
	return out
}

func (r *crashReceiver) processedNote(id int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byNote[id]
}

func (r *crashReceiver) accepted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.posts)
}

// duplicates counts the POSTs of a delivery id the receiver had already
// accepted.
func (r *crashReceiver) duplicates() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.posts {
		n += p - 1
	}
	return n
}

func (r *crashReceiver) errors() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.errs)
}
