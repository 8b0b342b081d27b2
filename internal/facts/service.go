package facts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/notify"
)

// Store is what the facts service reads and writes.
type Store interface {
	paved.FactStore
	FindServices(ctx context.Context, f paved.ServiceFilter) ([]*paved.Service, int, error)
	FindService(ctx context.Context, name string) (*paved.Service, error)
	FindTeams(ctx context.Context, f paved.TeamFilter) ([]*paved.Team, int, error)
	LatestCheckResources(ctx context.Context, service string) (*paved.CheckResources, error)
}

// Service runs collectors and reads and pushes facts, for the job runner,
// the CLI's local backend and the server alike. Authorisation happens at
// the edge (paved.Authorize: facts:push, facts:collect); Service applies
// the rules that depend on the data (which keys a push may write).
type Service struct {
	Store     Store
	Config    *Config
	Factories map[string]Factory
	Deps      Deps
	Metrics   *Metrics
	Logger    *slog.Logger
	Now       func() time.Time

	mu         sync.Mutex
	collectors map[string]Collector
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// collector builds (once) the collector named name.
func (s *Service) collector(name string) (CollectorConfig, Collector, error) {
	c, ok := s.Config.Collector(name)
	if !ok {
		var names []string
		if s.Config != nil {
			for _, x := range s.Config.Collectors {
				names = append(names, x.Name)
			}
		}
		if len(names) == 0 {
			return c, nil, paved.FieldErrorf(paved.ENOTFOUND, "collector", "no collector %q: paved.yaml configures none (facts.collectors, docs/facts.md)", name)
		}
		return c, nil, paved.FieldErrorf(paved.ENOTFOUND, "collector", "no collector %q: paved.yaml configures %s", name, strings.Join(names, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.collectors[name]; x != nil {
		return c, x, nil
	}
	f := s.Factories[c.Kind]
	if f == nil {
		return c, nil, paved.Errorf(paved.EINTERNAL, "this paved has no %s collector", c.Kind)
	}
	deps := s.Deps
	if deps.Getenv == nil {
		deps.Getenv = func(string) string { return "" }
	}
	deps.OnRateLimit = func() { s.Metrics.rateLimited(name) }
	x, err := f(c, deps)
	if err != nil {
		return c, nil, err
	}
	if s.collectors == nil {
		s.collectors = map[string]Collector{}
	}
	s.collectors[name] = x
	return c, x, nil
}

// RunResult is what one run of a collector did.
type RunResult struct {
	Run    *paved.CollectorRun `json:"run"`
	Events []*paved.FactEvent  `json:"events"`
	// Failed names the services that could not be observed, with why.
	Failed map[string]string `json:"failed,omitempty"`
}

// writeBatch is how many observations one store transaction takes.
const writeBatch = 50

// Collect runs the collector name once over the catalog's active services
// (or only those named), records what it observed and its health, and
// returns what changed. A collector that fails leaves the facts it did not
// observe to age out; it never stops another collector.
func (s *Service) Collect(ctx context.Context, name string, only ...string) (*RunResult, error) {
	c, col, err := s.collector(name)
	if err != nil {
		return nil, err
	}
	start := s.now()
	run := &paved.CollectorRun{Collector: name, Kind: c.Kind, StartedAt: start}
	res := &RunResult{Run: run, Events: []*paved.FactEvent{}}
	services, err := s.services(ctx, only)
	if err != nil {
		return nil, err
	}
	teams, _, err := s.Store.FindTeams(ctx, paved.TeamFilter{Page: paved.Page{Limit: paved.MaxLimit}})
	if err != nil {
		return nil, err
	}
	t := NewTarget(services, start)
	t.Teams, t.Discover = teams, len(only) == 0
	cctx, cancel := context.WithTimeout(ctx, time.Duration(c.Timeout))
	runErr := safeCollect(cctx, col, t)
	cancel()

	// Record what was observed, even when the run failed part way.
	var obs []*paved.FactObservation
	names := make([]string, 0, len(t.observed))
	for n := range t.observed {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		facts := t.observed[n]
		run.Facts += len(facts)
		obs = append(obs, &paved.FactObservation{Service: n, Source: name, Version: c.Kind + "/" + Version, ObservedAt: start,
			ExpiresAt: start.Add(time.Duration(c.TTL)), Facts: facts, Complete: true})
	}
	wctx := context.WithoutCancel(ctx)
	for i := 0; i < len(obs); i += writeBatch {
		evs, err := s.Store.RecordFacts(wctx, obs[i:min(i+writeBatch, len(obs))])
		if err != nil {
			runErr = errors.Join(runErr, err)
			break
		}
		res.Events = append(res.Events, evs...)
	}
	if ds, ok := t.Discoveries(); ok && runErr == nil {
		if err := s.Store.ReplaceDiscoveries(wctx, name, ds); err != nil {
			runErr = errors.Join(runErr, err)
		}
	}
	run.Services, run.Failed, run.Changes = len(t.observed), len(t.failed), len(res.Events)
	if len(t.failed) > 0 {
		res.Failed = t.failed
	}
	run.FinishedAt = s.now()
	if runErr != nil {
		run.Error = oneLine(runErr.Error())
	}
	if err := s.Store.RecordCollectorRun(wctx, run); err != nil {
		s.log().Error("record collector run", "collector", name, "error", err)
	}
	s.Metrics.observe(run)
	log := s.log().With("collector", name, "services", run.Services, "failed", run.Failed, "changes", run.Changes)
	if runErr != nil {
		log.Error("collector failed", "error", run.Error)
		return res, paved.Errorf(paved.EUNPROCESSABLE, "collector %s failed: %s", name, run.Error)
	}
	log.Info("collector ran")
	return res, nil
}

// safeCollect runs a collector, turning a panic into an error: a bug in
// one collector must not take the job runner down.
func safeCollect(ctx context.Context, c Collector, t *Target) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("collector panicked: %v", p)
		}
	}()
	return c.Collect(ctx, t)
}

// services returns the active services, or those named.
func (s *Service) services(ctx context.Context, only []string) ([]*paved.Service, error) {
	if len(only) > 0 {
		out := make([]*paved.Service, 0, len(only))
		for _, n := range only {
			svc, err := s.Store.FindService(ctx, n)
			if err != nil {
				return nil, err
			}
			out = append(out, svc)
		}
		return out, nil
	}
	var out []*paved.Service
	for off := 0; ; off += paved.MaxLimit {
		page, total, err := s.Store.FindServices(ctx, paved.ServiceFilter{Page: paved.Page{Offset: off, Limit: paved.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || off+len(page) >= total {
			return out, nil
		}
	}
}

// Jobs are the periodic jobs of the configured collectors: one per
// collector, each with its own interval and timeout, run alone so that a
// slow provider never delays another collector or the other jobs.
func (s *Service) Jobs() []notify.Job {
	return LiveJobs(func() *Service { return s }, nil)
}

// LiveJobs are the periodic jobs of the collectors cur() configures now,
// each run by the Service in force at the time (paved serve swaps it at a
// reload), so that a collector's credentials and settings follow the
// config. The set of jobs and their intervals are fixed when the runner
// starts: a collector a reload removes skips its runs (logged on log), one
// it adds waits for a restart.
func LiveJobs(cur func() *Service, log *slog.Logger) []notify.Job {
	first := cur()
	if first == nil || first.Config == nil {
		return nil
	}
	if log == nil {
		log = first.log()
	}
	var out []notify.Job
	for _, raw := range first.Config.Collectors {
		c := raw.Normalized()
		name := c.Name
		out = append(out, notify.Job{
			Name:  JobName(name),
			Every: time.Duration(c.Interval),
			// The run's own timeout bounds the calls; the margin lets it
			// record what it observed.
			Timeout: time.Duration(c.Timeout) + time.Minute,
			Alone:   true,
			Run: func(ctx context.Context) error {
				s := cur()
				if _, ok := s.Config.Collector(name); !ok {
					log.Warn("collector no longer configured: restart paved serve to stop its job", "collector", name)
					return nil
				}
				_, err := s.Collect(ctx, name)
				return err
			},
		})
	}
	return out
}

// JobName is the job runner's name for a collector's periodic run.
func JobName(collector string) string { return "facts." + collector }

// List returns a service's facts, expired ones included, optionally of one
// source.
func (s *Service) List(ctx context.Context, service, source string) ([]*paved.Fact, error) {
	if _, err := s.Store.FindService(ctx, service); err != nil {
		return nil, err
	}
	return s.Store.FindFacts(ctx, paved.FactFilter{Service: service, Source: source})
}

// Push is what a pipeline reports: facts of kinds no collector defines.
type Push struct {
	Facts map[string]any `json:"facts"`
	// ObservedAt is when the pipeline saw it (default now; never in the
	// future). ExpiresIn is how long it counts (default facts.push_ttl).
	ObservedAt *time.Time `json:"observed_at,omitempty"`
	ExpiresIn  string     `json:"expires_in,omitempty"`
	Version    string     `json:"version,omitempty"`
}

// Push records pushed facts for a service. Keys of the collectors' kinds
// (github.*, kube.* ...) and of configured collectors' names are refused:
// a pipeline with a team's token must not vouch for what paved observes
// itself.
func (s *Service) Push(ctx context.Context, service string, p *Push) ([]*paved.FactEvent, error) {
	if p == nil || len(p.Facts) == 0 {
		return nil, paved.FieldErrorf(paved.EINVALID, "facts", "push at least one fact: {\"facts\": {\"backup.last_restore_test\": \"2026-03-01T02:00:00Z\"}}")
	}
	reserved := map[string]bool{}
	for _, k := range Kinds {
		reserved[KeyPrefix(k)] = true
	}
	if s.Config != nil {
		for _, c := range s.Config.Collectors {
			reserved[c.Name] = true
		}
	}
	keys := make([]string, 0, len(p.Facts))
	for k := range p.Facts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := paved.ValidateFactKey("facts."+k, k); err != nil {
			return nil, err
		}
		if kind := paved.FactKind(k); reserved[kind] {
			return nil, paved.FieldErrorf(paved.EFORBIDDEN, "facts."+k, "%s.* facts are observed by paved's %s collector and cannot be pushed: push facts of your own kind, such as backup.last_restore_test", kind, kind)
		}
	}
	now := s.now()
	at := now
	if p.ObservedAt != nil {
		if p.ObservedAt.After(now.Add(5 * time.Minute)) {
			return nil, paved.FieldErrorf(paved.EINVALID, "observed_at", "observed_at %s is in the future", p.ObservedAt.UTC().Format(time.RFC3339))
		}
		at = p.ObservedAt.UTC()
	}
	ttl := s.Config.PushTTLOrDefault()
	if p.ExpiresIn != "" {
		var d notify.Duration
		if err := d.UnmarshalText([]byte(p.ExpiresIn)); err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, "expires_in", "%s", paved.ErrorMessage(err))
		}
		if time.Duration(d) > maxTTL {
			return nil, paved.FieldErrorf(paved.EINVALID, "expires_in", "expires_in is at most 365d")
		}
		ttl = time.Duration(d)
	}
	if !at.Add(ttl).After(now) {
		return nil, paved.FieldErrorf(paved.EINVALID, "expires_in", "the facts would have expired already (observed %s, counting for %s)", at.Format(time.RFC3339), ttl)
	}
	return s.Store.RecordFacts(ctx, []*paved.FactObservation{{Service: service, Source: paved.FactSourcePush, Version: p.Version,
		ObservedAt: at, ExpiresAt: at.Add(ttl), Facts: p.Facts}})
}

// Health is every configured collector's latest run, and the runs of
// collectors no longer configured.
func (s *Service) Health(ctx context.Context) ([]*paved.CollectorRun, error) {
	runs, err := s.Store.FindCollectorRuns(ctx)
	if err != nil {
		return nil, err
	}
	by := map[string]*paved.CollectorRun{}
	for _, r := range runs {
		by[r.Collector] = r
	}
	out := []*paved.CollectorRun{}
	if s.Config != nil {
		for _, c := range s.Config.Collectors {
			if r := by[c.Name]; r != nil {
				out = append(out, r)
				delete(by, c.Name)
				continue
			}
			out = append(out, &paved.CollectorRun{Collector: c.Name, Kind: c.Normalized().Kind})
		}
	}
	for _, r := range runs {
		if by[r.Collector] != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// Drift compares a service's current cluster facts with its latest
// checked manifests.
func (s *Service) Drift(ctx context.Context, service string) (*DriftReport, error) {
	fs, err := s.List(ctx, service, "")
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.LatestCheckResources(ctx, service)
	if err != nil {
		return nil, err
	}
	return DetectDrift(service, fs, rs, s.now()), nil
}

// DriftAll reports drift for every service that has cluster facts.
func (s *Service) DriftAll(ctx context.Context) ([]*DriftReport, error) {
	fs, err := s.Store.FindFacts(ctx, paved.FactFilter{KeyPrefix: WorkloadsKey})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range fs {
		if !slices.Contains(names, f.Service) {
			names = append(names, f.Service)
		}
	}
	out := []*DriftReport{}
	for _, n := range names {
		r, err := s.Drift(ctx, n)
		if err != nil {
			return nil, err
		}
		if len(r.Items) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}
