package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/platform"
)

// paved check and the platform config directory: the directory's
// policies/ folder runs in every check, as if given with --policy (its
// paved-style rules like the built-in ones, its other packages as
// conftest namespaces), and a recorded check carries the directory's
// version, so that the server can tell a check made with another config.

// withConfigPolicies adds the config directory's policies/ to the
// --policy folders, when it holds a policy.
func withConfigPolicies(cfg *config.Config, policies []string) ([]string, error) {
	pd := cfg.PoliciesDir()
	if pd == "" {
		return policies, nil
	}
	if fi, err := os.Stat(pd); err != nil || !fi.IsDir() {
		return policies, nil // no policies/ folder: nothing to add
	}
	ok, err := platform.HasPolicies(pd)
	if err != nil {
		return nil, err
	}
	if !ok {
		return policies, nil
	}
	for _, p := range policies {
		if filepath.Clean(p) == filepath.Clean(pd) {
			return policies, nil
		}
	}
	return append(append([]string(nil), policies...), pd), nil
}

// checkConfigVersion is the version of the platform config the check is
// evaluated with: the directory's content hash and commit, or "builtin"
// without one. A directory that cannot be hashed leaves it empty (the
// server then says it cannot tell).
func (a *app) checkConfigVersion(cfg *config.Config) string {
	if cfg.Source == "" {
		return platform.BuiltinVersion
	}
	v, err := platform.DirVersion(filepath.Dir(cfg.Source))
	if err != nil {
		fmt.Fprintf(a.stderr, "paved: the config version is not recorded: %v\n", err)
		return ""
	}
	return v.String()
}
