package platform

import (
	"strings"
	"testing"

	"github.com/paved-dev/paved/internal/policy"
)

// TestLoadOptions: what a caller may leave out or add (paved check loads
// the directory without the price book, the webhooks or the key, and with
// its own policies compiled in).
func TestLoadOptions(t *testing.T) {
	// NoPrices does not read pricebook.yaml at all.
	dir := copyDir(t, "testdata/config")
	writeFile(t, dir, PricesFile, "discounts:\n  - service: ec2\n    percent: 150\n")
	if _, err := Load(dir, Options{}); err == nil || !strings.Contains(err.Error(), "pricebook.yaml") {
		t.Fatalf("a broken pricebook.yaml: %v", err)
	}
	s, err := Load(dir, Options{NoPrices: true})
	must(t, err)
	if s.Prices != nil {
		t.Error("NoPrices read the price book")
	}

	// NoTargets resolves the key but not the webhooks (whose secrets are
	// not set here).
	dir = copyDir(t, "testdata/config")
	writeFile(t, dir, ConfigFile, readFile(t, dir, ConfigFile)+"\nnotifications:\n  webhooks:\n    - name: ops\n      url: https://hooks.example.com/ops\n      secret_env: OPS_SECRET\n")
	sec := &Secrets{Getenv: func(string) string { return "" }, ReadFile: func(string) ([]byte, error) { return nil, nil }}
	if _, err := Load(dir, Options{Secrets: sec}); err == nil || !strings.Contains(err.Error(), "OPS_SECRET") {
		t.Fatalf("webhooks without their secret: %v", err)
	}
	s, err = Load(dir, Options{Secrets: sec, NoTargets: true})
	must(t, err)
	if len(s.Targets) != 0 {
		t.Errorf("NoTargets resolved %d targets", len(s.Targets))
	}

	// Policy adds to the engine's options; without the built-in library
	// the templates' evidence rules (built-in ones) are not looked up.
	s, err = Load("", Options{Policy: func(o *policy.Options) { o.NoBuiltin, o.DocBase = true, "https://docs.example.com/" }})
	must(t, err)
	if o := s.PolicyOptions(); !o.NoBuiltin || o.DocBase != "https://docs.example.com/" {
		t.Errorf("policy options %+v", o)
	}
	if _, ok := s.Rule("db-memory-ceiling"); ok {
		t.Error("the built-in library is in an engine without it")
	}
	s, err = Load("testdata/config", Options{Policy: func(o *policy.Options) { o.DataPaths = []string{"../policy/rego/data"} }})
	must(t, err)
	if o := s.PolicyOptions(); len(o.PolicyDirs) != 1 || len(o.DataPaths) != 1 || len(s.PolicyDirs) != 1 {
		t.Errorf("policy options %+v", o)
	}
}
