package platform

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	paved "github.com/paved-dev/paved"
)

// unreadable is lastSeen while the directory cannot be read.
const unreadable = "unreadable"

// DefaultPoll is how often a Reloader looks at its directory.
const DefaultPoll = 3 * time.Second

// Reloader keeps the newest valid snapshot of a config directory. Readers
// call Current (one atomic load); Reload loads the directory when its
// content hash changed, and swaps the new snapshot in only when every part
// is valid and Prepare accepted it. An invalid config is logged, counted
// and kept in Status until it is fixed; the previous snapshot stays in
// force.
type Reloader struct {
	dir  string
	opts Options
	log  *slog.Logger
	// Prepare, when set, readies everything derived from a new snapshot
	// (the web server's handler, the webhook targets) without applying it,
	// and returns the function that applies it. An error refuses the
	// snapshot. The apply functions run right after the snapshot is
	// swapped in, under the reload lock.
	Prepare func(*Snapshot) (apply func(), err error)

	cur    atomic.Pointer[Snapshot]
	status atomic.Pointer[paved.ConfigStatus]

	mu       sync.Mutex // serialises reloads
	lastSeen string     // the hash last looked at, valid or not
	kick     chan struct{}
}

// NewReloader watches dir, starting from the snapshot first (loaded by the
// caller with the same options).
func NewReloader(dir string, first *Snapshot, o Options, log *slog.Logger) *Reloader {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{dir: dir, opts: o, log: log, kick: make(chan struct{}, 1)}
	r.cur.Store(first)
	r.lastSeen = first.Version.Hash
	st := statusOf(dir, first)
	r.status.Store(&st)
	return r
}

func statusOf(dir string, s *Snapshot) paved.ConfigStatus {
	return paved.ConfigStatus{Dir: dir, Version: s.Version.String(), Hash: s.Version.Hash, Commit: s.Version.Commit, LoadedAt: s.LoadedAt}
}

// Current is the snapshot in force.
func (r *Reloader) Current() *Snapshot { return r.cur.Load() }

// Status is a copy of the reloader's status.
func (r *Reloader) Status() paved.ConfigStatus { return *r.status.Load() }

// Trigger asks the watch loop to reload now (SIGHUP), even when the
// content hash looks unchanged.
func (r *Reloader) Trigger() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Watch polls the directory every poll (never when 0: then only Trigger
// reloads) until ctx ends, and reloads at once on Trigger.
func (r *Reloader) Watch(ctx context.Context, poll time.Duration) {
	if r.dir == "" {
		return
	}
	var tick <-chan time.Time
	if poll > 0 {
		t := time.NewTicker(poll)
		defer t.Stop()
		tick = t.C
	}
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-tick:
		case <-r.kick:
			force = true
		}
		_, _ = r.Reload(force)
	}
}

// Reload loads the directory when its content changed since it was last
// looked at (or always, with force) and swaps a valid config in. It
// reports whether a new snapshot is in force, and the error that refused
// the directory's config.
func (r *Reloader) Reload(force bool) (bool, error) {
	if r.dir == "" {
		return false, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	hash, err := HashDir(r.dir)
	if err != nil {
		// An unreadable directory is reported once, not on every turn.
		if r.lastSeen == unreadable && !force {
			return false, err
		}
		r.lastSeen = unreadable
		return false, r.refuse("", err)
	}
	if !force && hash == r.lastSeen {
		return false, nil
	}
	r.lastSeen = hash
	cur := r.cur.Load()
	if hash == cur.Version.Hash && !force {
		// Back to the config in force (an invalid edit was reverted).
		r.clearError(cur)
		return false, nil
	}
	next, err := Load(r.dir, r.opts)
	if err != nil {
		if paved.ErrorCode(err) == paved.ECONFLICT {
			// Changed while read (a ConfigMap swap, an editor saving):
			// look again on the next turn.
			r.lastSeen = ""
			return false, nil
		}
		return false, r.refuse(hash, err)
	}
	if next.Version.Hash == cur.Version.Hash && next.Version.Commit == cur.Version.Commit {
		r.clearError(cur)
		return false, nil
	}
	var apply func()
	if r.Prepare != nil {
		if apply, err = r.Prepare(next); err != nil {
			return false, r.refuse(hash, err)
		}
	}
	r.cur.Store(next)
	if apply != nil {
		apply()
	}
	prev := r.status.Load()
	st := statusOf(r.dir, next)
	st.Reloads, st.Errors = prev.Reloads+1, prev.Errors
	r.status.Store(&st)
	r.log.Info("platform config reloaded", "dir", r.dir, "version", next.Version.String(), "previous", cur.Version.String())
	return true, nil
}

// refuse records a config that failed to load; the previous one stays.
func (r *Reloader) refuse(hash string, err error) error {
	prev := r.status.Load()
	st := *prev
	st.Errors++
	st.Error = paved.ErrorMessage(err)
	if paved.ErrorCode(err) == paved.EINTERNAL {
		st.Error = err.Error()
	}
	st.ErrorVersion = ""
	if hash != "" {
		st.ErrorVersion = Version{Hash: hash}.Short()
	}
	now := time.Now().UTC()
	st.ErrorAt = &now
	r.status.Store(&st)
	r.log.Error("platform config refused: the previous config stays in force", "dir", r.dir,
		"error", st.Error, "refused_version", st.ErrorVersion, "in_force", st.Version)
	return fmt.Errorf("platform config %s refused: %w", r.dir, err)
}

func (r *Reloader) clearError(cur *Snapshot) {
	prev := r.status.Load()
	if prev.Error == "" {
		return
	}
	st := *prev
	st.Error, st.ErrorVersion, st.ErrorAt = "", "", nil
	r.status.Store(&st)
	r.log.Info("platform config back to the version in force", "dir", r.dir, "version", cur.Version.String())
}
