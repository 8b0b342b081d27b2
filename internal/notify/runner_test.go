package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/store"
	"github.com/paved-dev/paved/internal/testutil"
)

// clock is a test clock for the store: leases and retry times follow it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func open(t *testing.T, dsn string, now func() time.Time) *store.DB {
	t.Helper()
	var opts []store.Option
	if now != nil {
		opts = append(opts, store.WithNow(now))
	}
	db, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func forEachEngine(t *testing.T, fn func(t *testing.T, engine string)) {
	for _, e := range []string{store.EngineSQLite, store.EnginePostgres} {
		t.Run(e, func(t *testing.T) { fn(t, e) })
	}
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is an httptest server that answers with answer(n, request),
// where n counts the requests of the same delivery id (1 for the first).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []received
	perID    map[string]int
	accepted map[string]int
	answer   func(n int, r *http.Request) int
}

func newReceiver(t *testing.T, answer func(n int, r *http.Request) int) *receiver {
	rc := &receiver{perID: map[string]int{}, accepted: map[string]int{}, answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id := r.Header.Get(notify.HeaderDelivery)
		rc.mu.Lock()
		rc.requests = append(rc.requests, received{r.Header.Clone(), body})
		rc.perID[id]++
		n := rc.perID[id]
		rc.mu.Unlock()
		code := http.StatusOK
		if rc.answer != nil {
			code = rc.answer(n, r)
		}
		if code >= 200 && code < 300 {
			rc.mu.Lock()
			rc.accepted[id]++
			rc.mu.Unlock()
		}
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "120")
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, "answer %d\nfor %s", code, id)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...)
}

const secret = "test-secret-0123456789abcdef"

// targets makes a json target "hook" (signed) and a slack target "chat"
// posting to rc, through the config like paved serve does.
func targets(t *testing.T, rc *receiver, extra string) []*notify.Target {
	t.Helper()
	yaml := fmt.Sprintf(`
notifications:
  allowed_hosts: [127.0.0.1]   # the receiver is on loopback (allow.go)
  webhooks:
    - name: hook
      url: %s/hook
      secret_env: HOOK_SECRET
    - name: chat
      format: slack
      url_env: CHAT_URL
      events: [exception.requested]
%s`, rc.URL, extra)
	cfg, err := config.Parse("paved.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOOK_SECRET": secret, "CHAT_URL": rc.URL + "/chat/T0/B0/SECRETPART"}
	ts, err := cfg.Notifications.Targets(func(k string) string { return env[k] }, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func newRunner(t *testing.T, o notify.Options) *notify.Runner {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r, err := notify.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func record(t *testing.T, db *store.DB, n *paved.Notification) {
	t.Helper()
	if err := db.RecordNotification(context.Background(), n); err != nil {
		t.Fatal(err)
	}
}

func deliveries(t *testing.T, db *store.DB, f paved.DeliveryFilter) []*paved.Delivery {
	t.Helper()
	f.Limit = paved.MaxLimit
	ds, _, err := db.FindDeliveries(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestRunnerDelivers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		c := newClock()
		db := open(t, testutil.DSN(t, engine), c.Now)
		rc := newReceiver(t, nil)
		r := newRunner(t, notify.Options{Store: db, Targets: targets(t, rc, ""), PublicURL: "https://paved.example.com",
			Now: c.Now, ID: "r1", UserAgent: "paved/test"})
		record(t, db, &paved.Notification{Kind: paved.NotifyExceptionRequested, Subject: "checkout asks for an exception",
			Service: "checkout", Team: "payments", Link: "/exceptions/7", Data: map[string]any{"exception_id": 7}})
		record(t, db, &paved.Notification{Kind: paved.NotifyBudgetAlert, Subject: "payments is at 95% of its budget", Team: "payments"})
		if more := r.DeliverOnce(ctx); more {
			t.Fatal("DeliverOnce reported a full batch")
		}
		got := rc.got()
		if len(got) != 3 {
			t.Fatalf("receiver got %d requests, want 3 (hook twice, chat once)", len(got))
		}
		var hooks, chats int
		for _, g := range got {
			if g.header.Get("User-Agent") != "paved/test" || g.header.Get("Content-Type") != "application/json" || g.header.Get(notify.HeaderDelivery) == "" {
				t.Errorf("headers %v", g.header)
			}
			if g.header.Get(notify.HeaderTimestamp) == "" { // slack
				chats++
				var m map[string]any
				if err := json.Unmarshal(g.body, &m); err != nil || m["text"] != "checkout asks for an exception" || !strings.Contains(string(g.body), "https://paved.example.com/exceptions/7") {
					t.Errorf("slack body %s", g.body)
				}
				continue
			}
			hooks++
			if err := notify.Verify([]byte(secret), g.header, g.body, c.Now(), 5*time.Minute); err != nil {
				t.Errorf("signature: %v", err)
			}
			var n paved.Notification
			if err := json.Unmarshal(g.body, &n); err != nil || n.Kind != g.header.Get(notify.HeaderEvent) {
				t.Errorf("json body %s (event %s): %v", g.body, g.header.Get(notify.HeaderEvent), err)
			}
			if n.Kind == paved.NotifyExceptionRequested && (n.Link != "https://paved.example.com/exceptions/7" || n.Data["exception_id"] != float64(7)) {
				t.Errorf("json body %s", g.body)
			}
		}
		if hooks != 2 || chats != 1 {
			t.Errorf("hooks %d, chats %d", hooks, chats)
		}
		for _, d := range deliveries(t, db, paved.DeliveryFilter{}) {
			if d.Status != paved.DeliveryDelivered || d.Attempts != 1 || d.LastStatusCode != 200 || len(d.Log) != 1 || d.Log[0].Runner != "r1" {
				t.Errorf("delivery %s", mustJSON(d))
			}
		}
		if c := r.Counts(); c[notify.ResultDelivered] != 3 || c[notify.ResultRetry] != 0 {
			t.Errorf("counts %v", c)
		}
		// Nothing left: another round posts nothing.
		r.DeliverOnce(ctx)
		if n := len(rc.got()); n != 3 {
			t.Errorf("a second round posted again: %d requests", n)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRunnerRetries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		c := newClock()
		db := open(t, testutil.DSN(t, engine), c.Now)
		// The first attempt meets a 503, the second a 429 with
		// Retry-After: 120, the third succeeds.
		rc := newReceiver(t, func(n int, r *http.Request) int {
			switch n {
			case 1:
				return http.StatusServiceUnavailable
			case 2:
				return http.StatusTooManyRequests
			}
			return http.StatusNoContent
		})
		r := newRunner(t, notify.Options{Store: db, Targets: targets(t, rc, "")[:1], Now: c.Now, ID: "r1",
			MaxAttempts: 5, Backoff: notify.Backoff{Initial: 30 * time.Second, Max: time.Hour}})
		record(t, db, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "spike"})
		r.DeliverOnce(ctx)
		d := deliveries(t, db, paved.DeliveryFilter{})[0]
		if d.Status != paved.DeliveryPending || d.LastStatusCode != 503 || !strings.HasPrefix(d.LastError, "503 Service Unavailable: answer 503 for ") ||
			d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(c.Now().Add(30*time.Second)) {
			t.Fatalf("after a 503: %s", mustJSON(d))
		}
		c.Advance(29 * time.Second)
		r.DeliverOnce(ctx)
		if n := len(rc.got()); n != 1 {
			t.Fatalf("retried before the backoff: %d requests", n)
		}
		c.Advance(time.Second)
		r.DeliverOnce(ctx)
		d = deliveries(t, db, paved.DeliveryFilter{})[0]
		// Retry-After (120 s) is longer than the backoff (60 s): it wins.
		if d.Status != paved.DeliveryPending || d.LastStatusCode != 429 || !d.NextAttemptAt.Equal(c.Now().Add(120*time.Second)) {
			t.Fatalf("after a 429: %s", mustJSON(d))
		}
		c.Advance(120 * time.Second)
		r.DeliverOnce(ctx)
		d = deliveries(t, db, paved.DeliveryFilter{})[0]
		if d.Status != paved.DeliveryDelivered || d.Attempts != 3 || d.LastStatusCode != 204 || d.LastError != "" || len(d.Log) != 3 ||
			d.Log[0].StatusCode != 204 || d.Log[2].StatusCode != 503 {
			t.Fatalf("after the third attempt: %s", mustJSON(d))
		}
		if c := r.Counts(); c[notify.ResultRetry] != 2 || c[notify.ResultDelivered] != 1 {
			t.Errorf("counts %v", c)
		}
	})
}

func TestRunnerGivesUp(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := open(t, testutil.DSN(t, store.EngineSQLite), c.Now)
	rc := newReceiver(t, func(int, *http.Request) int { return http.StatusFound }) // redirects are not followed
	r := newRunner(t, notify.Options{Store: db, Targets: targets(t, rc, "")[:1], Now: c.Now, MaxAttempts: 2,
		Backoff: notify.Backoff{Initial: time.Minute, Max: time.Minute}})
	record(t, db, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "spike"})
	r.DeliverOnce(ctx)
	c.Advance(time.Minute)
	r.DeliverOnce(ctx)
	d := deliveries(t, db, paved.DeliveryFilter{})[0]
	if d.Status != paved.DeliveryFailed || d.Attempts != 2 || d.LastStatusCode != 302 || d.FinishedAt == nil {
		t.Fatalf("after two failures: %s", mustJSON(d))
	}
	c.Advance(time.Hour)
	r.DeliverOnce(ctx)
	if n := len(rc.got()); n != 2 {
		t.Fatalf("a failed delivery was tried again: %d requests", n)
	}
	if c := r.Counts(); c[notify.ResultFailed] != 1 || c[notify.ResultRetry] != 1 {
		t.Errorf("counts %v", c)
	}
}

// Errors from an unreachable receiver name the problem, never the URL
// (a Slack URL is a secret).
func TestRunnerHidesURL(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := open(t, testutil.DSN(t, store.EngineSQLite), c.Now)
	rc := newReceiver(t, nil)
	ts := targets(t, rc, "")
	rc.Close() // nobody answers any more
	var logs strings.Builder
	var mu sync.Mutex
	r := newRunner(t, notify.Options{Store: db, Targets: ts, Now: c.Now, Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
	record(t, db, &paved.Notification{Kind: paved.NotifyExceptionRequested, Subject: "x"})
	r.DeliverOnce(ctx)
	ds := deliveries(t, db, paved.DeliveryFilter{})
	if len(ds) != 2 {
		t.Fatalf("%d deliveries", len(ds))
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	for _, d := range ds {
		if d.Status != paved.DeliveryPending || d.LastError == "" || d.LastStatusCode != 0 {
			t.Errorf("delivery %s", mustJSON(d))
		}
		for _, s := range []string{"SECRETPART", "/hook", "/chat"} {
			if strings.Contains(d.LastError, s) || strings.Contains(out, s) {
				t.Errorf("%q shows up in the error %q or the log", s, d.LastError)
			}
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// A delivery for a target this server does not know (removed from
// paved.yaml, or a replica with an older config) is retried, then fails.
func TestRunnerUnknownTarget(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := open(t, testutil.DSN(t, store.EngineSQLite), c.Now)
	rc := newReceiver(t, nil)
	old := newRunner(t, notify.Options{Store: db, Targets: targets(t, rc, "")[:1], Now: c.Now})
	record(t, db, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "x"})
	if _, err := db.FanOutNotifications(ctx, 10, notify.Route(targets(t, rc, "")[:1])); err != nil {
		t.Fatal(err)
	}
	other := newRunner(t, notify.Options{Store: db, Now: c.Now, MaxAttempts: 1})
	other.DeliverOnce(ctx)
	d := deliveries(t, db, paved.DeliveryFilter{})[0]
	if d.Status != paved.DeliveryFailed || !strings.Contains(d.LastError, `no webhook named "hook"`) {
		t.Fatalf("delivery %s", mustJSON(d))
	}
	_ = old
}

// A runner that crashes in the middle of an attempt holds its lease until
// it runs out; then another runner delivers, exactly once.
func TestRunnerLeaseExpiry(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		c := newClock()
		db := open(t, testutil.DSN(t, engine), c.Now)
		rc := newReceiver(t, nil)
		ts := targets(t, rc, "")[:1]
		record(t, db, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "x"})
		// The crashed runner: it fanned out and claimed (with the lease
		// New computes for a 10 s timeout: 30 s), then died.
		if _, err := db.FanOutNotifications(ctx, 10, notify.Route(ts)); err != nil {
			t.Fatal(err)
		}
		if cl, err := db.ClaimDeliveries(ctx, "crashed", 10, 30*time.Second); err != nil || len(cl) != 1 {
			t.Fatalf("claim: %v, %v", cl, err)
		}
		alive := newRunner(t, notify.Options{Store: db, Targets: ts, Now: c.Now, ID: "alive", Timeout: 10 * time.Second})
		c.Advance(29 * time.Second)
		alive.DeliverOnce(ctx)
		if n := len(rc.got()); n != 0 {
			t.Fatalf("delivered while the crashed runner's lease held: %d", n)
		}
		c.Advance(time.Second)
		alive.DeliverOnce(ctx)
		got := rc.got()
		if len(got) != 1 {
			t.Fatalf("after the lease ran out: %d requests", len(got))
		}
		d := deliveries(t, db, paved.DeliveryFilter{})[0]
		if d.Status != paved.DeliveryDelivered || d.Attempts != 2 || len(d.Log) != 1 || d.Log[0].Runner != "alive" || d.Log[0].Attempt != 2 {
			t.Fatalf("delivery %s", mustJSON(d))
		}
		if got[0].header.Get(notify.HeaderDelivery) != strconv.FormatInt(d.ID, 10) {
			t.Fatalf("idempotency key %q, want %d", got[0].header.Get(notify.HeaderDelivery), d.ID)
		}
	})
}

// TestRunnerExactlyOnce runs two runners, each with its own connection
// pool like two replicas of paved serve, on one database while
// notifications keep arriving, against a receiver that fails the first
// attempts of two in three deliveries. Every delivery must be accepted
// exactly once, and attempted exactly as often as the receiver's failures
// require: no delivery is ever posted by both runners.
func TestRunnerExactlyOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		const total = 300
		dsn := testutil.DSN(t, engine)
		db1, db2 := open(t, dsn, nil), open(t, dsn, nil)
		failures := func(id string) int { n, _ := strconv.Atoi(id); return n % 3 } // 0, 1 or 2 failed attempts
		rc := newReceiver(t, func(n int, r *http.Request) int {
			if n <= failures(r.Header.Get(notify.HeaderDelivery)) {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		ts := targets(t, rc, "")[:1]
		opts := func(db *store.DB, id string) notify.Options {
			return notify.Options{Store: db, Targets: ts, ID: id, Poll: 5 * time.Millisecond, Concurrency: 4, MaxAttempts: 5,
				Backoff: notify.Backoff{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond, Jitter: 0.5}, Timeout: 5 * time.Second}
		}
		r1, r2 := newRunner(t, opts(db1, "replica-1")), newRunner(t, opts(db2, "replica-2"))
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, r := range []*notify.Runner{r1, r2} {
			wg.Add(1)
			go func() { defer wg.Done(); r.Run(ctx) }()
		}
		// Notifications arrive through both replicas while they run.
		for i := range total {
			db := db1
			if i%2 == 1 {
				db = db2
			}
			record(t, db, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: fmt.Sprint("spike ", i)})
		}
		deadline := time.Now().Add(90 * time.Second)
		for {
			counts, err := db1.DeliveryCounts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_, n, err := db1.FindDeliveries(context.Background(), paved.DeliveryFilter{Status: paved.DeliveryDelivered})
			if err != nil {
				t.Fatal(err)
			}
			if n == total && counts[paved.DeliveryPending] == 0 {
				break
			}
			if counts[paved.DeliveryFailed] > 0 || time.Now().After(deadline) {
				cancel()
				wg.Wait()
				t.Fatalf("delivered %d of %d; counts %v", n, total, counts)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		wg.Wait() // Run returns once ctx ends and its attempts are done

		rc.mu.Lock()
		defer rc.mu.Unlock()
		if len(rc.accepted) != total {
			t.Fatalf("receiver accepted %d distinct deliveries, want %d", len(rc.accepted), total)
		}
		for id, n := range rc.accepted {
			if n != 1 {
				t.Errorf("delivery %s accepted %d times", id, n)
			}
			if want := failures(id) + 1; rc.perID[id] != want {
				t.Errorf("delivery %s attempted %d times, want %d", id, rc.perID[id], want)
			}
		}
		c1, c2 := r1.Counts(), r2.Counts()
		if c1[notify.ResultDelivered]+c2[notify.ResultDelivered] != total || c1[notify.ResultLeaseLost]+c2[notify.ResultLeaseLost] != 0 {
			t.Errorf("counts %v and %v", c1, c2)
		}
		if c1[notify.ResultDelivered] == 0 || c2[notify.ResultDelivered] == 0 {
			t.Logf("one replica did all the work: %v and %v", c1, c2)
		}
		// The delivery log holds every attempt.
		attempts := 0
		for _, d := range deliveries(t, db1, paved.DeliveryFilter{}) {
			attempts += len(d.Log)
		}
		for p := 1; ; p++ {
			ds, _, _ := db1.FindDeliveries(context.Background(), paved.DeliveryFilter{Page: paved.Page{Offset: p * paved.MaxLimit, Limit: paved.MaxLimit}})
			if len(ds) == 0 {
				break
			}
			for _, d := range ds {
				attempts += len(d.Log)
			}
		}
		if attempts != len(rc.requests) {
			t.Errorf("the delivery log has %d attempts, the receiver saw %d requests", attempts, len(rc.requests))
		}
	})
}

func TestJobs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		c := newClock()
		dsn := testutil.DSN(t, engine)
		db1, db2 := open(t, dsn, c.Now), open(t, dsn, c.Now)
		var runs atomic.Int64
		var actor atomic.Value
		job := notify.Job{Name: "exceptions.expiring", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			runs.Add(1)
			actor.Store(paved.ActorFrom(ctx).Name)
			if _, ok := ctx.Deadline(); !ok {
				return fmt.Errorf("no deadline")
			}
			return nil
		}}
		var panics atomic.Int64
		boom := notify.Job{Name: "boom", Every: time.Minute, Run: func(context.Context) error { panics.Add(1); panic("kaboom") }}
		r1, r2 := newRunner(t, notify.Options{Store: db1, ID: "r1"}), newRunner(t, notify.Options{Store: db2, ID: "r2"})
		for _, r := range []*notify.Runner{r1, r2} {
			for _, j := range []notify.Job{job, boom} {
				if err := r.Register(j); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Both replicas look at once: one runs each job.
		var wg sync.WaitGroup
		for _, r := range []*notify.Runner{r1, r2} {
			wg.Add(1)
			go func() { defer wg.Done(); r.RunJobsOnce(ctx) }()
		}
		wg.Wait()
		if runs.Load() != 1 || panics.Load() != 1 || actor.Load() != "job:exceptions.expiring" {
			t.Fatalf("runs %d, panics %d, actor %v", runs.Load(), panics.Load(), actor.Load())
		}
		c.Advance(9 * time.Minute)
		r1.RunJobsOnce(ctx)
		r2.RunJobsOnce(ctx)
		if runs.Load() != 1 || panics.Load() != 2 {
			t.Fatalf("after 9 minutes: runs %d, panics %d", runs.Load(), panics.Load())
		}
		c.Advance(time.Minute)
		r2.RunJobsOnce(ctx)
		r1.RunJobsOnce(ctx)
		if runs.Load() != 2 {
			t.Fatalf("after 10 minutes: runs %d", runs.Load())
		}
	})
}

func TestRegister(t *testing.T) {
	db := open(t, testutil.DSN(t, store.EngineSQLite), nil)
	r := newRunner(t, notify.Options{Store: db})
	run := func(context.Context) error { return nil }
	for _, c := range []struct {
		j    notify.Job
		want string
	}{
		{notify.Job{Name: "Bad Name", Every: time.Minute, Run: run}, "job name"},
		{notify.Job{Name: "x", Every: time.Minute}, "no Run"},
		{notify.Job{Name: "x", Every: time.Millisecond, Run: run}, "at least 1s"},
	} {
		if err := r.Register(c.j); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Register(%s) = %v, want %q", c.j.Name, err, c.want)
		}
	}
	if err := r.Register(notify.Job{Name: "ok", Every: time.Minute, Run: run}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(notify.Job{Name: "ok", Every: time.Minute, Run: run}); err == nil {
		t.Error("registered twice")
	}
	// Run stops with its context; registering after the start is refused.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	time.Sleep(20 * time.Millisecond)
	if err := r.Register(notify.Job{Name: "late", Every: time.Minute, Run: run}); err == nil {
		t.Error("registered after the start")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// With a retention the runner prunes old notifications once their
// deliveries have finished (the job notifications.prune).
func TestRunnerPrunes(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	db := open(t, testutil.DSN(t, store.EngineSQLite), c.Now)
	rc := newReceiver(t, nil)
	r := newRunner(t, notify.Options{Store: db, Targets: targets(t, rc, "")[:1], Now: c.Now, Retention: 24 * time.Hour})
	record(t, db, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "old"})
	r.DeliverOnce(ctx)
	c.Advance(25 * time.Hour)
	record(t, db, &paved.Notification{Kind: paved.NotifyCostSpike, Subject: "new"})
	r.RunJobsOnce(ctx)
	ns, _, err := db.FindNotifications(ctx, paved.NotificationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Subject != "new" {
		t.Fatalf("left %s", mustJSON(ns))
	}
	if err := r.Register(notify.Job{Name: notify.PruneJob, Every: time.Hour, Run: func(context.Context) error { return nil }}); err == nil {
		t.Error("registered a second prune job")
	}
}
