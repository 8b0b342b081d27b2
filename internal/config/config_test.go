package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestBadFiles reads every file under testdata/bad and checks the error
// message against its golden file: each must fail, with a *paved.Error
// naming the file and line.
func TestBadFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/bad/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			start := time.Now()
			c, err := Load(f)
			if err == nil {
				t.Fatalf("Load succeeded: %+v", c)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v: a hostile file must fail fast", d)
			}
			var pe *paved.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *paved.Error: %v", err, err)
			}
			if !strings.HasPrefix(pe.Field, f) {
				t.Errorf("field %q does not name the file %s", pe.Field, f)
			}
			testutil.Golden(t, strings.TrimSuffix(f, ".yaml")+".err", []byte(err.Error()+"\n"))
		})
	}
}

// TestGoodFiles decodes every file under testdata/good and compares the
// resulting catalog options and server settings with a golden JSON file.
func TestGoodFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/good/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no good files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			// Only the options this package sets: the catalog package may
			// add fields of its own without breaking these files.
			opt := c.CatalogOptions()
			out := struct {
				Organisation Organisation
				Server       Server
				Guardrails   any `json:",omitempty"`
				Catalog      any
			}{c.Organisation, c.Server, guardrailsOrNil(c), struct {
				Lifecycles       map[string]paved.Phase
				DefaultTier      paved.Tier
				DefaultDataClass paved.DataClass
				DefaultUserRoles []paved.Role
			}{opt.Lifecycles, opt.DefaultTier, opt.DefaultDataClass, opt.DefaultUserRoles}}
			b, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, strings.TrimSuffix(f, ".yaml")+".json", append(b, '\n'))
		})
	}
}

func TestDefaults(t *testing.T) {
	for _, path := range []string{"", "testdata/good/comments-only.yaml"} {
		c, err := Load(path)
		if err != nil {
			t.Fatalf("Load(%q): %v", path, err)
		}
		if c.Server.Addr != DefaultAddr || c.Server.Database != DefaultDatabase ||
			c.Server.MaxBodyBytes != DefaultMaxBodyBytes || !c.Server.SecureCookies ||
			c.Organisation.Name != DefaultOrganisation {
			t.Errorf("Load(%q) = %+v, want the defaults", path, c.Server)
		}
		opt := c.CatalogOptions()
		if opt.Lifecycles["experimental"] != paved.PhasePlayground || opt.DefaultTier != paved.DefaultTier {
			t.Errorf("Load(%q) catalog options = %+v", path, opt)
		}
		if c.IsSet("server.addr") {
			t.Errorf("Load(%q): server.addr reported as set", path)
		}
	}
}

func TestLoadDirectoryAndMissing(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("organisation:\n  name: Dir Corp\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Organisation.Name != "Dir Corp" || c.Source != filepath.Join(dir, FileName) {
		t.Errorf("Load(dir) = %q from %q", c.Organisation.Name, c.Source)
	}
	if !c.IsSet("organisation.name") || c.Where("organisation.name") != filepath.Join(dir, FileName)+":2" {
		t.Errorf("Where(organisation.name) = %q", c.Where("organisation.name"))
	}

	tests := []struct {
		path, want string
	}{
		{filepath.Join(dir, "nope.yaml"), "does not exist"},
		{t.TempDir(), "config directory has no paved.yaml"},
	}
	for _, tt := range tests {
		_, err := Load(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) || paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("Load(%s) = %v, want an invalid error containing %q", tt.path, err, tt.want)
		}
	}
}

func TestTooLarge(t *testing.T) {
	data := []byte("# " + strings.Repeat("x", MaxFileBytes) + "\n")
	_, err := Parse("big.yaml", data)
	if paved.ErrorCode(err) != paved.ETOOLARGE {
		t.Fatalf("Parse(big) = %v, want too_large", err)
	}
}

func TestEnvPrecedence(t *testing.T) {
	c, err := Load("testdata/good/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	env := FromEnv(func(k string) string {
		return map[string]string{EnvAddr: "localhost:7000", EnvDatabase: "env.db", EnvToken: "pvd_x"}[k]
	})
	if env.Token != "pvd_x" || env.Server != "" {
		t.Errorf("FromEnv = %+v", env)
	}
	if err := c.ApplyEnv(env); err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "localhost:7000" || c.Server.Database != "env.db" {
		t.Errorf("env did not win over the file: %+v", c.Server)
	}
	if c.Where("server.addr") != EnvAddr {
		t.Errorf("Where(server.addr) = %q, want %s", c.Where("server.addr"), EnvAddr)
	}
	// Values the environment does not set keep the file's.
	if c.Server.MaxBodyBytes != 4<<20 || c.Organisation.Name != "Acme Corp" {
		t.Errorf("file values lost: %+v", c)
	}
	err = c.ApplyEnv(Env{Addr: "no-port"})
	if err == nil || !strings.HasPrefix(err.Error(), "PAVED_ADDR: ") {
		t.Errorf("ApplyEnv(bad addr) = %v, want an error naming PAVED_ADDR", err)
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
		err  bool
	}{
		{"1048576", 1 << 20, false},
		{"512KiB", 512 << 10, false},
		{"1MiB", 1 << 20, false},
		{"1 mib", 1 << 20, false},
		{"2GiB", 2 << 30, false},
		{"1KB", 1000, false},
		{"3MB", 3_000_000, false},
		{"10B", 10, false},
		{"0", 0, false},
		{"-1", 0, true},
		{"1.5MiB", 0, true},
		{"MiB", 0, true},
		{"lots", 0, true},
		{"9223372036854775807GiB", 0, true},
	}
	for _, tt := range tests {
		var b ByteSize
		err := b.UnmarshalText([]byte(tt.in))
		if (err != nil) != tt.err || (err == nil && b != tt.want) {
			t.Errorf("UnmarshalText(%q) = %d, %v; want %d, error %v", tt.in, b, err, tt.want, tt.err)
		}
	}
	for _, tt := range []struct {
		in   ByteSize
		want string
	}{{1 << 20, "1MiB"}, {3 << 30, "3GiB"}, {2048, "2KiB"}, {1000, "1000"}, {0, "0"}} {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestValidateAddr(t *testing.T) {
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{":8080", true}, {"localhost:8080", true}, {"[::1]:0", true}, {"0.0.0.0:65535", true},
		{"8080", false}, {"localhost", false}, {":http", false}, {":70000", false}, {"", false},
	} {
		if err := ValidateAddr("addr", tt.addr); (err == nil) != tt.ok {
			t.Errorf("ValidateAddr(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the reader: it must never panic, every
// failure must be a *paved.Error that names a location, and anything it
// accepts must pass validation.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		files, _ := filepath.Glob(dir + "/*.yaml")
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("server: {addr: ':1', max_body_bytes: 1}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pe *paved.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *paved.Error: %v", err, err)
			}
			if !strings.HasPrefix(pe.Field, "fuzz.yaml") && !strings.Contains(pe.Field, ".") {
				t.Fatalf("error does not name where: %q", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config fails validation: %v", err)
		}
		_ = c.CatalogOptions()
	})
}

// guardrailsOrNil keeps golden files of configs without a guardrails
// section unchanged.
func guardrailsOrNil(c *Config) any {
	if len(c.Guardrails.Rules) == 0 && len(c.Guardrails.Disabled) == 0 {
		return nil
	}
	return c.Guardrails
}

func TestTemplatesDir(t *testing.T) {
	if got := Default().TemplatesDir(); got != "" {
		t.Errorf("defaults: TemplatesDir = %q, want \"\" (embedded templates)", got)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("organisation:\n  name: Acme\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{dir, filepath.Join(dir, FileName)} {
		c, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.TemplatesDir(), filepath.Join(dir, TemplatesDirName); got != want {
			t.Errorf("Load(%s).TemplatesDir() = %q, want %q", path, got, want)
		}
	}
}

// TestSpendVisibility: spend.visibility decodes to the setting
// paved.AuthorizeSpend applies; unset is organisation-wide reading.
func TestSpendVisibility(t *testing.T) {
	for body, want := range map[string]paved.SpendVisibility{
		"spend:\n  visibility: team\n":         paved.SpendTeam,
		"spend:\n  visibility: organisation\n": paved.SpendOrganisation,
		"spend:\n  accounts: {}\n":             "",
	} {
		f := filepath.Join(t.TempDir(), "paved.yaml")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(f)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if c.Spend.Visibility != want {
			t.Errorf("%q: visibility %q, want %q", body, c.Spend.Visibility, want)
		}
	}
}
