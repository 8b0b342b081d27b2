package collectors

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paved-dev/paved/internal/facts"
)

// TestFactories: every kind paved.yaml accepts has a collector; no
// factory is registered under a kind the config would refuse; each builds
// from its credentials (a token in the environment, a kubeconfig file).
func TestFactories(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: ctx, context: {cluster: c, user: u}}]
current-context: ctx
`), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := Factories()
	for _, k := range facts.Kinds {
		if _, ok := fs[k]; !ok {
			t.Errorf("kind %s has no collector", k)
		}
	}
	for k, f := range fs {
		if !slices.Contains(facts.Kinds, k) {
			t.Errorf("collector %s is not a kind paved.yaml accepts", k)
		}
		c := facts.CollectorConfig{Name: k, Kind: k}
		if k == facts.KindKubernetes {
			c.Kubeconfig = kubeconfig
		} else {
			c.TokenEnv = "TOKEN"
		}
		c = c.Normalized()
		if col, err := f(c, facts.Deps{Getenv: func(string) string { return "t0ken" }}); err != nil || col == nil {
			t.Errorf("%s: %v", k, err)
		}
	}
}
