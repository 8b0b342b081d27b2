package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	paved "github.com/paved-dev/paved"
)

// Options configure a Runner. Store is required; everything else has a
// default.
type Options struct {
	Store   paved.JobStore
	Targets []*Target
	// PublicURL (server.public_url) makes notification links absolute.
	PublicURL string
	Logger    *slog.Logger
	// MaxAttempts, Backoff, Timeout and Retention: see Config. With a
	// Retention the runner registers the job notifications.prune, which
	// deletes older notifications whose deliveries have finished.
	MaxAttempts int
	Backoff     Backoff
	Timeout     time.Duration
	Retention   time.Duration
	// Poll is how long an idle runner waits before looking for work again
	// (default 1s).
	Poll time.Duration
	// Concurrency is how many deliveries one claim takes and posts at
	// once (default 8). Every claimed delivery is posted at once, so that
	// none waits for a free worker while its lease runs.
	Concurrency int
	// Client posts the deliveries (default: no redirects followed, the
	// environment's proxy settings).
	Client *http.Client
	// Now stamps attempts and signatures (default time.Now).
	Now func() time.Time
	// Rand draws the backoff jitter in [0, 1) (default math/rand).
	Rand func() float64
	// ID names this runner in leases and the delivery log (default
	// hostname and random hex).
	ID        string
	UserAgent string
}

// Options returns the runner options the config sets: attempts, backoff
// and timeout. The caller adds Store, Targets, PublicURL and Logger.
func (c *Config) Options() Options {
	return Options{
		MaxAttempts: c.maxAttempts(),
		Backoff:     Backoff{Initial: c.retryInitial(), Max: c.retryMax(), Jitter: DefaultJitter},
		Timeout:     c.timeout(),
		Retention:   c.retention(),
	}
}

// Job is a periodic task that exactly one runner (of all replicas) runs
// each time it is due: every Every, measured from the start of the
// previous run. Run gets a context that ends after Timeout (default the
// smaller of Every and 5 minutes) and carries the actor "job:<Name>", so
// that the job's store writes are audited under its name. A run that fails
// (or panics) is logged and tried again at the next period; a runner that
// dies mid-run leaves its lease to run out, after which another replica
// runs the job. Jobs must therefore be idempotent: announce each expiring
// exception once, by recording that it was announced in the same write.
type Job struct {
	Name    string
	Every   time.Duration
	Timeout time.Duration
	Run     func(ctx context.Context) error
	// Alone runs the job on its own loop, so that a slow run (a collector
	// waiting on a provider's rate limit) never delays the other jobs.
	Alone bool
}

// Delivery results, the values of the result label of
// paved_webhook_deliveries_total.
const (
	ResultDelivered = "delivered"  // the receiver answered 2xx
	ResultRetry     = "retry"      // the attempt failed; tried again later
	ResultFailed    = "failed"     // the last attempt failed; given up
	ResultLeaseLost = "lease_lost" // the outcome came after the lease ran out
)

// Results lists the result label values.
var Results = []string{ResultDelivered, ResultRetry, ResultFailed, ResultLeaseLost}

// Runner delivers notifications and runs periodic jobs until its context
// ends. Every replica of paved serve runs one.
type Runner struct {
	o     Options
	store paved.JobStore
	log   *slog.Logger
	// targets are the webhooks, their routing and the links' base URL;
	// SetTargets swaps them when the platform config is reloaded.
	targets atomic.Pointer[targetSet]
	lease   time.Duration
	kick    chan struct{}

	mu      sync.Mutex
	jobs    []*Job
	started bool

	counts [4]atomic.Uint64 // by index in Results
}

// leaseMargin is added to a lease beyond the work's own time limit: the
// time to record the outcome before another runner may take the row.
const leaseMargin = 10 * time.Second

// New makes a runner.
func New(o Options) (*Runner, error) {
	if o.Store == nil {
		return nil, errors.New("notify: Options.Store is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Backoff.Initial <= 0 {
		o.Backoff = Backoff{Initial: DefaultRetryInitial, Max: DefaultRetryMax, Jitter: DefaultJitter}
	}
	if o.Backoff.Max < o.Backoff.Initial {
		o.Backoff.Max = o.Backoff.Initial
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Client == nil {
		// Webhooks connect only where notifications.allowed_hosts and
		// the internal-address rules let them (allow.go).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = newGuardedDialer(o.Timeout).DialContext
		o.Client = &http.Client{
			Transport: tr,
			// A redirect is an answer, not a success: a receiver that
			// moved must be reconfigured, and a signed body is not
			// replayed to wherever a redirect points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = mrand.Float64
	}
	if o.ID == "" {
		o.ID = newRunnerID()
	}
	if o.UserAgent == "" {
		o.UserAgent = "paved-webhooks"
	}
	r := &Runner{
		o: o, store: o.Store, log: o.Logger.With("runner", o.ID),
		lease: 2*o.Timeout + leaseMargin, kick: make(chan struct{}, 1),
	}
	if err := r.SetTargets(o.Targets, o.PublicURL); err != nil {
		return nil, err
	}
	if o.Retention > 0 {
		if err := r.Register(Job{Name: PruneJob, Every: time.Hour, Run: r.prune}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// targetSet is one configuration of the webhooks.
type targetSet struct {
	byName    map[string]*Target
	route     func(*paved.Notification) []string
	publicURL string
}

// SetTargets replaces the webhooks and the public URL of the links (a
// reloaded platform config): notifications fanned out from now on follow
// the new routing, and attempts look their target up by name in the new
// set. Deliveries already fanned out to a removed target fail their
// attempts and are retried, in case the target comes back.
func (r *Runner) SetTargets(targets []*Target, publicURL string) error {
	ts := &targetSet{byName: map[string]*Target{}, route: Route(targets), publicURL: publicURL}
	for _, t := range targets {
		if ts.byName[t.Name] != nil {
			return fmt.Errorf("notify: two targets named %q", t.Name)
		}
		ts.byName[t.Name] = t
	}
	r.targets.Store(ts)
	return nil
}

// ID is the runner's name in leases and the delivery log.
func (r *Runner) ID() string { return r.o.ID }

func newRunnerID() string {
	host, _ := os.Hostname()
	host = strings.Map(func(c rune) rune {
		if c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '-' || c == '.') {
			return c
		}
		return -1
	}, host)
	if len(host) > 40 {
		host = host[:40]
	}
	if host == "" {
		host = "paved"
	}
	b := make([]byte, 4)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

var jobNameRE = nameRE

// Register adds a periodic job. Call it before Run.
func (r *Runner) Register(j Job) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.started:
		return fmt.Errorf("notify: register job %q before the runner starts", j.Name)
	case !jobNameRE.MatchString(j.Name):
		return fmt.Errorf("notify: job name %q: use lower-case letters, digits, '.', '-' and '_'", j.Name)
	case j.Run == nil:
		return fmt.Errorf("notify: job %q has no Run function", j.Name)
	case j.Every < time.Second:
		return fmt.Errorf("notify: job %q runs every %s: want at least 1s", j.Name, j.Every)
	}
	for _, x := range r.jobs {
		if x.Name == j.Name {
			return fmt.Errorf("notify: job %q is registered twice", j.Name)
		}
	}
	if j.Timeout <= 0 {
		j.Timeout = min(j.Every, 5*time.Minute)
	}
	r.jobs = append(r.jobs, &j)
	return nil
}

// PruneJob is the name of the built-in job that deletes old notifications.
const PruneJob = "notifications.prune"

// prune deletes the notifications older than the retention whose
// deliveries have finished.
func (r *Runner) prune(ctx context.Context) error {
	n, err := r.store.PruneNotifications(ctx, r.o.Now().Add(-r.o.Retention))
	if n > 0 {
		r.log.Info("pruned notifications", "deleted", n, "older_than", r.o.Now().Add(-r.o.Retention).Format(time.RFC3339))
	}
	return err
}

// Kick wakes an idle runner to look for work at once.
func (r *Runner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Counts returns the deliveries this runner finished, by result (the
// values of Results).
func (r *Runner) Counts() map[string]uint64 {
	out := make(map[string]uint64, len(Results))
	for i, k := range Results {
		out[k] = r.counts[i].Load()
	}
	return out
}

func (r *Runner) count(result string) {
	for i, k := range Results {
		if k == result {
			r.counts[i].Add(1)
		}
	}
}

// Run works until ctx ends, then lets the deliveries and jobs in flight
// finish (each is bounded by its timeout) and returns.
func (r *Runner) Run(ctx context.Context) {
	r.mu.Lock()
	r.started = true
	jobs := append([]*Job(nil), r.jobs...)
	r.mu.Unlock()
	r.log.Info("job runner started", "targets", len(r.targets.Load().byName), "jobs", len(jobs), "lease", r.lease.String())
	var shared []*Job
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.Alone {
			wg.Add(1)
			go func() { defer wg.Done(); r.jobLoop(ctx, []*Job{j}, nil) }()
			continue
		}
		shared = append(shared, j)
	}
	wg.Add(2)
	go func() { defer wg.Done(); r.deliveryLoop(ctx) }()
	go func() { defer wg.Done(); r.jobLoop(ctx, shared, r.kick) }()
	wg.Wait()
	r.log.Info("job runner stopped")
}

func (r *Runner) deliveryLoop(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.kick:
		}
		for r.DeliverOnce(ctx) && ctx.Err() == nil {
			// a full batch: more may be waiting
		}
		t.Reset(r.o.Poll)
	}
}

// fanOutBatch is how many notifications one fan-out transaction handles.
const fanOutBatch = 100

// DeliverOnce fans out new notifications, claims one batch of due
// deliveries and attempts them. It reports whether the batch was full
// (more may be due). Run calls it in a loop; tests call it directly.
func (r *Runner) DeliverOnce(ctx context.Context) bool {
	for {
		n, err := r.store.FanOutNotifications(ctx, fanOutBatch, r.targets.Load().route)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Error("fan out notifications", "error", err)
			}
			break
		}
		if n < fanOutBatch {
			break
		}
	}
	claims, err := r.store.ClaimDeliveries(ctx, r.o.ID, r.o.Concurrency, r.lease)
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("claim deliveries", "error", err)
		}
		return false
	}
	// Attempts outlive a shutdown signal: each is bounded by the timeout,
	// and finishing it records the outcome instead of leaving the lease to
	// run out.
	actx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, c := range claims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.attempt(actx, c)
		}()
	}
	wg.Wait()
	return len(claims) == r.o.Concurrency
}

// attempt posts one claimed delivery and records the outcome.
func (r *Runner) attempt(ctx context.Context, c *paved.ClaimedDelivery) {
	start, mono := r.o.Now(), time.Now()
	code, hdr, err := r.post(ctx, c, start)
	o := &paved.DeliveryOutcome{ID: c.ID, Attempt: c.Attempt, Runner: r.o.ID, StartedAt: start,
		Duration: time.Since(mono), StatusCode: code}
	result := ResultDelivered
	switch {
	case err == nil:
		o.Status = paved.DeliveryDelivered
	case c.Attempt >= r.o.MaxAttempts:
		o.Status, o.Error, result = paved.DeliveryFailed, err.Error(), ResultFailed
	default:
		o.Status, o.Error, result = paved.DeliveryPending, err.Error(), ResultRetry
		o.RetryIn = r.o.Backoff.Delay(c.Attempt, r.o.Rand())
		if ra := retryAfter(hdr); ra > o.RetryIn {
			o.RetryIn = min(ra, r.o.Backoff.Max)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, leaseMargin)
	defer cancel()
	log := r.log.With("delivery", c.ID, "notification", c.Notification.ID, "target", c.Target, "attempt", c.Attempt)
	if ferr := r.store.FinishDelivery(fctx, o); ferr != nil {
		if paved.ErrorCode(ferr) == paved.ECONFLICT {
			r.count(ResultLeaseLost)
			log.Warn("delivery outcome came after the lease ran out; another runner has it", "status", code)
			return
		}
		log.Error("record delivery outcome", "error", ferr)
		return
	}
	r.count(result)
	switch result {
	case ResultDelivered:
		log.Info("webhook delivered", "status", code, "duration_ms", o.Duration.Milliseconds())
	case ResultRetry:
		log.Warn("webhook delivery failed; will retry", "status", code, "error", o.Error, "retry_in", o.RetryIn.Round(time.Second).String())
	default:
		log.Error("webhook delivery failed; giving up", "status", code, "error", o.Error, "attempts", c.Attempt)
	}
}

// maxAnswerSnippet bounds the part of a failed answer's body kept in the
// delivery log.
const maxAnswerSnippet = 200

// post sends one attempt. It returns the status code (0: no answer), the
// answer's headers, and an error unless the receiver answered 2xx. Errors
// never contain the URL, which may hold a secret.
func (r *Runner) post(ctx context.Context, c *paved.ClaimedDelivery, now time.Time) (int, http.Header, error) {
	ts := r.targets.Load()
	t := ts.byName[c.Target]
	if t == nil {
		return 0, nil, fmt.Errorf("no webhook named %q in this server's paved.yaml (removed, or a replica with another config)", c.Target)
	}
	var body []byte
	var err error
	if t.Format == FormatSlack {
		body, err = SlackBody(c.Notification, ts.publicURL)
	} else {
		body, err = JSONBody(c.Notification, ts.publicURL)
	}
	if err != nil {
		return 0, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, errors.New("the webhook URL is not valid")
	}
	req = req.WithContext(withGuard(ctx, req.URL.Hostname(), t.policy))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", r.o.UserAgent)
	req.Header.Set(HeaderEvent, c.Notification.Kind)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(c.ID, 10))
	if t.secret != nil {
		ts := now.Unix()
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(HeaderSignature, Sign(t.secret, ts, c.ID, body))
	}
	resp, err := r.o.Client.Do(req)
	if err != nil {
		return 0, nil, cleanError(err, r.o.Timeout)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerSnippet))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, resp.Header, nil
	}
	msg := resp.Status
	if s := oneLine(string(snippet)); s != "" {
		msg += ": " + s
	}
	return resp.StatusCode, resp.Header, errors.New(msg)
}

// cleanError drops the method and URL that net/http puts into its errors.
func cleanError(err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return errors.New(oneLine(err.Error()))
}

// oneLine makes text safe for one log line: printable, single-spaced,
// bounded.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(c rune) rune {
		if unicode.IsPrint(c) {
			return c
		}
		return ' '
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxAnswerSnippet {
		s = string(r[:maxAnswerSnippet]) + "…"
	}
	return s
}

// jobLoop runs jobs whenever they are due; kick (nil for a job that
// runs alone, so that it never takes a kick meant for the deliveries)
// wakes it early.
func (r *Runner) jobLoop(ctx context.Context, jobs []*Job, kick <-chan struct{}) {
	if len(jobs) == 0 {
		return
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
		r.runJobs(ctx, jobs)
		t.Reset(r.o.Poll)
	}
}

// RunJobsOnce runs each registered job that is due and that this runner
// can claim. Run calls it every poll; tests call it directly.
func (r *Runner) RunJobsOnce(ctx context.Context) {
	r.mu.Lock()
	jobs := append([]*Job(nil), r.jobs...)
	r.mu.Unlock()
	r.runJobs(ctx, jobs)
}

// runJobs runs each of jobs that is due and that this runner can claim.
func (r *Runner) runJobs(ctx context.Context, jobs []*Job) {
	for _, j := range jobs {
		if ctx.Err() != nil {
			return
		}
		run, ok, err := r.store.ClaimJob(ctx, j.Name, r.o.ID, j.Timeout+leaseMargin)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Error("claim job", "job", j.Name, "error", err)
			}
			continue
		}
		if !ok {
			continue
		}
		start := time.Now()
		runErr := r.runJob(ctx, j)
		msg := ""
		log := r.log.With("job", j.Name, "run", run, "duration_ms", time.Since(start).Milliseconds())
		if runErr != nil {
			msg = oneLine(runErr.Error())
			log.Error("job failed", "error", msg)
		} else {
			log.Info("job done")
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseMargin)
		if err := r.store.FinishJob(fctx, j.Name, r.o.ID, run, j.Every, msg); err != nil {
			log.Error("record job run", "error", err)
		}
		cancel()
	}
}

// runJob runs j within its timeout, as the actor job:<name>, turning a
// panic into an error.
func (r *Runner) runJob(ctx context.Context, j *Job) (err error) {
	ctx, cancel := context.WithTimeout(ctx, j.Timeout)
	defer cancel()
	ctx = paved.WithActor(ctx, paved.Actor{Name: "job:" + j.Name})
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("job panicked", "job", j.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx)
}
