// Package platform loads a platform config directory as one whole: paved.yaml,
// policies/ (custom Rego), templates/ (questionnaire and checklist),
// ownership.yaml and pricebook.yaml become one immutable Snapshot with a
// Version (the content hash of the directory, and the git commit when there
// is one). Validate checks a directory without running anything and lists
// every problem with file:line; a Reloader keeps a running server on the
// newest valid snapshot, swapping it in with one pointer store, so that a
// request sees either the old config or the new one, never half of each.
//
// docs/config-as-code.md is the user guide.
package platform

import (
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/exception"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/notify"
	"github.com/paved-dev/paved/internal/ownership"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/scorecard"
)

// Snapshot is everything paved derives from one platform config directory.
// It is immutable once loaded: a new config is a new Snapshot, and nothing
// may change the values it holds.
type Snapshot struct {
	// Dir is the config directory; "" for the built-in defaults.
	Dir string
	// Version identifies the directory's content.
	Version Version
	// Config is paved.yaml (with the environment and flags applied by
	// Options.Adjust).
	Config *config.Config
	// Engine holds the built-in guard rails and the custom policies of
	// policies/, tuned by paved.yaml's guardrails section. It is nil for
	// a snapshot loaded with Options.DeferEngine: Compiled compiles it.
	Engine *policy.Engine
	// Templates are templates/ over the embedded questionnaire and
	// checklist.
	Templates *launch.Library
	// Scorecards are scorecards/*.yaml, or the embedded defaults when
	// the folder does not exist.
	Scorecards *scorecard.Set
	// Ownership is ownership.yaml, or the embedded default map.
	Ownership *ownership.Map
	// Prices is the embedded price book with pricebook.yaml over it; nil
	// with Options.NoPrices.
	Prices *cost.PriceBook
	// Targets are the webhooks with their secrets, and ExceptionKey the
	// key of exceptions.key_file; both only with Options.Secrets (Targets
	// not with Options.NoTargets).
	Targets      []*notify.Target
	ExceptionKey ed25519.PrivateKey
	// PolicyDirs are the config's folders of custom policies (policies/
	// when it holds any .rego file); Options.Policy may add others.
	PolicyDirs []string
	// LoadedAt is when the snapshot was loaded.
	LoadedAt time.Time

	// policy are the options Engine was compiled with (PolicyOptions).
	policy policy.Options
	// compile compiles the engine of a snapshot loaded with
	// Options.DeferEngine, once.
	compile func() (*policy.Engine, error)
}

// Compiled returns the engine: Engine, or for a snapshot loaded with
// Options.DeferEngine the engine compiled on the first call (with the
// error of that compile on every call).
func (s *Snapshot) Compiled() (*policy.Engine, error) {
	if s.Engine != nil || s.compile == nil {
		return s.Engine, nil
	}
	return s.compile()
}

// PolicyOptions are the options the snapshot's engine was compiled with
// (with Options.Policy's additions).
func (s *Snapshot) PolicyOptions() policy.Options { return s.policy }

// Rule returns a guard rail's metadata (exception.Service.Rules); none
// when the rules do not compile.
func (s *Snapshot) Rule(id string) (paved.Rule, bool) {
	if s == nil {
		return paved.Rule{}, false
	}
	e, err := s.Compiled()
	if err != nil || e == nil {
		return paved.Rule{}, false
	}
	return e.Rule(id)
}

// Options tune Load.
type Options struct {
	// Adjust applies what is not in the files (the PAVED_* environment,
	// command-line flags) to a freshly parsed paved.yaml; nil: nothing.
	Adjust func(*config.Config) error
	// Now is the engine's clock for enforce_from; nil: time.Now.
	Now func() time.Time
	// Secrets, when set, resolves the webhooks' URLs and secrets and reads
	// the exception signing key; nil leaves both out (validation in CI,
	// impact analysis), which then need not be available.
	Secrets *Secrets
	// NoTargets leaves the webhooks out even with Secrets: the CLI signs
	// exports with the key but delivers no webhooks, so their secrets need
	// not be set where it runs.
	NoTargets bool
	// NoPrices leaves the price book out (Snapshot.Prices is nil): paved
	// check --no-cost prices nothing, so a pricebook.yaml it cannot read
	// must not stop it.
	NoPrices bool
	// DeferEngine compiles the rules on first use (Snapshot.Compiled)
	// instead of in Load, for the CLI's commands, most of which evaluate
	// no rule. A policy that does not compile then fails on first use,
	// and the templates' evidence rules are not looked up (paved config
	// validate and paved serve check both).
	DeferEngine bool
	// Policy, when set, adds to the options the engine is compiled with:
	// paved check's --policy folders, --data, namespaces, --no-builtin and
	// print() output, so that its rules compile once. The snapshot is then
	// that check's, not the config's alone. Without the built-in library
	// the templates' evidence rules (built-in ones) are not looked up;
	// paved config validate and paved serve still check them.
	Policy func(*policy.Options)
}

// Secrets are where webhook secrets and URLs come from.
type Secrets struct {
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
}

// Folder and file names of a platform config directory.
const (
	PoliciesDir   = config.PoliciesDirName
	TemplatesDir  = config.TemplatesDirName
	ScorecardsDir = scorecard.DirName
	OwnershipFile = ownership.FileName
	PricesFile    = cost.OverrideFileName
	ConfigFile    = config.FileName
)

// ResolveDir turns a --config value (a directory, or the paved.yaml in
// it) into the config directory.
func ResolveDir(path string) string {
	if path == "" {
		return ""
	}
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() {
		return filepath.Dir(path)
	}
	return path
}

// Load reads the config directory dir ("" for the built-in defaults) into a
// snapshot. Every part must be valid: the first error is returned (with
// file:line where there is one) and nothing of the directory is used.
// When the directory changes while it is read, Load reports ECONFLICT; a
// caller that polls tries again on its next turn.
func Load(dir string, o Options) (*Snapshot, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	if dir == "" {
		cfg := config.Default()
		if o.Adjust != nil {
			if err := o.Adjust(cfg); err != nil {
				return nil, err
			}
		}
		return build("", Version{}, cfg, o, now)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, paved.FieldErrorf(paved.EINVALID, dir, "the config directory does not exist: give the folder that holds paved.yaml")
		}
		return nil, paved.FieldErrorf(paved.EINVALID, dir, "cannot read the config directory: %v", paved.UnwrapPathError(err))
	}
	if !fi.IsDir() {
		dir = filepath.Dir(dir)
	}
	before, err := HashDir(dir)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(dir)
	if err != nil {
		return nil, err
	}
	if o.Adjust != nil {
		if err := o.Adjust(cfg); err != nil {
			return nil, err
		}
	}
	s, err := build(dir, Version{Hash: before}, cfg, o, now)
	if err != nil {
		return nil, err
	}
	after, err := HashDir(dir)
	if err != nil {
		return nil, err
	}
	if after != before {
		return nil, paved.FieldErrorf(paved.ECONFLICT, dir, "the config directory changed while it was read: read it again")
	}
	s.Version.Commit = GitCommit(dir)
	return s, nil
}

// build derives everything from a parsed paved.yaml and the folders next
// to it.
func build(dir string, v Version, cfg *config.Config, o Options, now func() time.Time) (*Snapshot, error) {
	s := &Snapshot{Dir: dir, Version: v, Config: cfg, LoadedAt: now()}
	var err error
	s.PolicyDirs, err = PolicyDirs(dir)
	if err != nil {
		return nil, err
	}
	s.policy = policy.Options{Config: cfg.Guardrails, PolicyDirs: s.PolicyDirs, Now: now}
	if o.Policy != nil {
		o.Policy(&s.policy)
	}
	if o.DeferEngine {
		s.compile = sync.OnceValues(func() (*policy.Engine, error) {
			e, err := policy.New(s.policy)
			if err != nil {
				return nil, locateConfig(cfg, err)
			}
			return e, nil
		})
	} else if s.Engine, err = policy.New(s.policy); err != nil {
		return nil, locateConfig(cfg, err)
	}
	tdir := ""
	if dir != "" {
		tdir = filepath.Join(dir, TemplatesDir)
	}
	if s.Templates, err = launch.LoadLibrary(tdir); err != nil {
		return nil, templateHint(err)
	}
	// Evidence must name rules that exist, or the item never fills in.
	// (An engine without the built-in library cannot tell.)
	if s.Engine != nil && !s.policy.NoBuiltin {
		if ps := templateRuleRefs(s.Templates, s.Engine); len(ps) > 0 {
			p := ps[0]
			return nil, paved.FieldErrorf(paved.EINVALID, p.Where(), "%s", p.Message)
		}
	}
	sdir := ""
	if dir != "" {
		sdir = filepath.Join(dir, ScorecardsDir)
	}
	if s.Scorecards, err = scorecard.Load(sdir); err != nil {
		return nil, err
	}
	if err := s.Scorecards.CheckItems(TemplateItems(s.Templates)); err != nil {
		return nil, err
	}
	if s.Engine != nil && !s.policy.NoBuiltin {
		if ps := scorecardRuleRefs(s.Scorecards, s.Engine); len(ps) > 0 {
			p := ps[0]
			return nil, paved.FieldErrorf(paved.EINVALID, p.Where(), "%s", p.Message)
		}
	}
	ofile := ""
	if dir != "" {
		ofile = filepath.Join(dir, OwnershipFile)
	}
	if s.Ownership, err = ownership.Load(ofile); err != nil {
		return nil, err
	}
	if !o.NoPrices {
		if s.Prices, err = cost.Embedded(); err != nil {
			return nil, err
		}
		if dir != "" {
			ov, err := cost.LoadOverrides(dir)
			if err != nil {
				return nil, err
			}
			s.Prices = s.Prices.WithOverrides(ov)
		}
	}
	if o.Secrets != nil {
		if !o.NoTargets {
			if s.Targets, err = cfg.Notifications.Targets(o.Secrets.Getenv, o.Secrets.ReadFile); err != nil {
				return nil, err
			}
		}
		if f := cfg.ExceptionKeyFile(); f != "" {
			if s.ExceptionKey, err = exception.LoadPrivateKey(f); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

// templateHint explains the one reference to an area a template author
// may try: an item naming its area, which the format expresses by nesting.
func templateHint(err error) error {
	var pe *paved.Error
	if errors.As(err, &pe) && strings.Contains(pe.Message, `unknown key "area" in an item`) {
		return &paved.Error{Code: pe.Code, Field: pe.Field, Message: pe.Message +
			"; an item belongs to the area it is listed under: move it into the items of that area (areas: - id: ... items: ...)"}
	}
	return err
}

// PolicyDirs returns the policies/ folder of the config directory dir when
// it holds a policy (.rego, not a test): the custom policies a snapshot of
// dir runs.
func PolicyDirs(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	pd := filepath.Join(dir, PoliciesDir)
	fi, err := os.Stat(pd)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, pd, "cannot read the policies folder: %v", paved.UnwrapPathError(err))
	}
	if !fi.IsDir() {
		return nil, paved.FieldErrorf(paved.EINVALID, pd, "policies must be a folder of .rego files, not a file")
	}
	ok, err := HasPolicies(pd)
	if err != nil || !ok {
		return nil, err
	}
	return []string{pd}, nil
}

// HasPolicies reports whether the folder holds a .rego file that is not a
// test (*_test.rego), outside hidden folders.
func HasPolicies(dir string) (bool, error) {
	found := false
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return paved.FieldErrorf(paved.EINVALID, p, "cannot read: %v", paved.UnwrapPathError(err))
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".rego") && !strings.HasSuffix(d.Name(), "_test.rego") {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found, err
}

// locateConfig points an error about a paved.yaml key path (the policy
// engine names guardrails.rules.<id>.params.<name>) at the file and line
// the key was read from, trying ever shorter prefixes of the path.
func locateConfig(cfg *config.Config, err error) error {
	var pe *paved.Error
	if !errors.As(err, &pe) || pe.Field == "" || !strings.HasPrefix(pe.Field, "guardrails.") {
		return err
	}
	p := pe.Field
	for p != "" {
		if w := cfg.Where(p); w != p {
			return &paved.Error{Code: pe.Code, Field: w, Message: pe.Field + ": " + pe.Message}
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	if cfg.Source != "" {
		return &paved.Error{Code: pe.Code, Field: cfg.Source, Message: pe.Field + ": " + pe.Message}
	}
	return err
}

// RuleIDs returns the ids of the engine's rules, sorted.
func (s *Snapshot) RuleIDs() []string {
	if s == nil {
		return nil
	}
	e, err := s.Compiled()
	if err != nil || e == nil {
		return nil
	}
	var out []string
	for _, r := range e.Rules() {
		out = append(out, r.ID)
	}
	sort.Strings(out)
	return out
}
