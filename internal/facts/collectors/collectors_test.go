package collectors

import (
	"slices"
	"testing"

	"github.com/paved-dev/paved/internal/facts"
)

// TestFactories: every kind paved.yaml accepts has a collector, except
// kubernetes until it is written; no factory is registered under a kind
// the config would refuse; each builds from a token in the environment.
func TestFactories(t *testing.T) {
	fs := Factories()
	for _, k := range facts.Kinds {
		if _, ok := fs[k]; !ok && k != facts.KindKubernetes {
			t.Errorf("kind %s has no collector", k)
		}
	}
	for k, f := range fs {
		if !slices.Contains(facts.Kinds, k) {
			t.Errorf("collector %s is not a kind paved.yaml accepts", k)
		}
		c := facts.CollectorConfig{Name: k, TokenEnv: "TOKEN"}.Normalized()
		if col, err := f(c, facts.Deps{Getenv: func(string) string { return "t0ken" }}); err != nil || col == nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}
