package client

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoPolicyEngine keeps the API client light: it carries requests and
// answers (internal/api, the root domain types), never the policy engine.
// A client that imports internal/platform or internal/policy drags OPA (and
// its compiler, WebAssembly runtime and YAML stack) into every program that
// only wants to talk to a server.
func TestNoPolicyEngine(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH: cannot list the client's dependencies")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %v", deps)
	}
	var bad []string
	for _, d := range deps {
		for _, banned := range []string{"github.com/open-policy-agent/", "github.com/paved-dev/paved/internal/policy", "github.com/paved-dev/paved/internal/platform"} {
			if strings.HasPrefix(d, banned) {
				bad = append(bad, d)
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("internal/client depends on %d packages of the policy engine, among them %s: move the types it needs to internal/api or the root package",
			len(bad), strings.Join(bad[:min(len(bad), 5)], ", "))
	}
}
