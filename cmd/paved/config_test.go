package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paved-dev/paved/internal/platform"
)

const testBootstrap = "pvd_test_bootstrap_token_0123456789abcdef"

// configMapDir lays a config directory out the way a Kubernetes ConfigMap
// volume does: the visible files are links into ..data, itself a link to
// a timestamped folder; an update writes a new folder and swaps ..data.
type configMapDir struct {
	t   *testing.T
	dir string
	n   int
}

func newConfigMapDir(t *testing.T) *configMapDir {
	return &configMapDir{t: t, dir: t.TempDir()}
}

// set swaps in a new version of the files (name -> content).
func (c *configMapDir) set(files map[string]string) {
	c.t.Helper()
	c.n++
	ts := fmt.Sprintf("..2030_01_01_00_00_%02d.%d", c.n, c.n)
	for name, body := range files {
		p := filepath.Join(c.dir, ts, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			c.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			c.t.Fatal(err)
		}
	}
	tmp := filepath.Join(c.dir, "..data_tmp")
	os.Remove(tmp)
	if err := os.Symlink(ts, tmp); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(c.dir, "..data")); err != nil {
		c.t.Fatal(err)
	}
	for name := range files {
		top := strings.SplitN(name, "/", 2)[0]
		link := filepath.Join(c.dir, top)
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join("..data", top), link); err != nil {
			c.t.Fatal(err)
		}
	}
}

func orgConfig(name string) map[string]string {
	return map[string]string{
		"paved.yaml": "organisation:\n  name: " + name + "\nguardrails:\n  rules:\n    db-memory-ceiling:\n      enforce_from: \"2031-01-01\"\n",
		"policies/owner_tag.rego": "# METADATA\n# title: Owner tag\n# custom:\n#   id: owner-tag-" + strings.ToLower(name) +
			"\n#   severity: warn\n#   resource_types: [aws_s3_bucket]\npackage paved.rules.owner_tag_" + strings.ToLower(name) +
			"\n\nimport data.paved.lib\n\nwarn contains f if {\n\tsome r in lib.candidates([\"aws_s3_bucket\"])\n\tnot r.tags.owner\n\tlib.judged(r)\n\tf := lib.finding(r, \"no owner tag\", \"tags\", null)\n}\n",
	}
}

func configStatus(t *testing.T, s *server) (int, platform.Status) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/config", nil)
	req.Header.Set("Authorization", "Bearer "+testBootstrap)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st platform.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, st
}

// waitFor polls the server's config status until ok says so.
func waitFor(t *testing.T, s *server, what string, ok func(platform.Status) bool) platform.Status {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, st := configStatus(t, s)
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: status %+v\n%s", what, st, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func dirVersion(t *testing.T, dir string) string {
	t.Helper()
	v, err := platform.DirVersion(dir)
	if err != nil {
		t.Fatal(err)
	}
	return v.String()
}

// TestServeReloadsUnderLoad swaps the platform config back and forth
// (ConfigMap-style link swaps, an invalid config in between) while clients
// keep sending requests: every request succeeds, a valid config is in
// force as soon as the directory holds it, an invalid one is refused with
// the previous one kept, counted in /metrics and shown in the status.
func TestServeReloadsUnderLoad(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links")
	}
	cm := newConfigMapDir(t)
	cm.set(orgConfig("Alpha"))
	e := env{"PAVED_DATABASE": filepath.Join(t.TempDir(), "paved.db"), "PAVED_BOOTSTRAP_TOKEN": testBootstrap}
	s := startServer(t, e, "--config", cm.dir, "--reload-every", "10ms")
	_, st := configStatus(t, s)
	if st.Version != dirVersion(t, cm.dir) || st.Dir != cm.dir {
		t.Fatalf("status at start = %+v, want version %s", st, dirVersion(t, cm.dir))
	}

	// The load: clients reading the API, the portal's sign-in page,
	// the campaigns and the health checks, until the swaps are done.
	var (
		stop     atomic.Bool
		requests atomic.Int64
		failures atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
	)
	paths := []string{"/api/v1/config", "/api/v1/services", "/api/v1/campaigns", "/signin", "/healthz", "/api/v1/openapi.json"}
	client := &http.Client{Timeout: 30 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; !stop.Load(); i++ {
				req, _ := http.NewRequest(http.MethodGet, s.url+paths[i%len(paths)], nil)
				req.Header.Set("Authorization", "Bearer "+testBootstrap)
				resp, err := client.Do(req)
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: %d", req.URL.Path, resp.StatusCode))
				}
			}
		}(w)
	}

	bad := orgConfig("Alpha")
	bad["paved.yaml"] = "organisation:\n  name: Broken\nguardrails:\n  rulez: {}\n"
	for round := 0; round < 3; round++ {
		for _, name := range []string{"Beta", "Alpha"} {
			cm.set(orgConfig(name))
			want := dirVersion(t, cm.dir)
			waitFor(t, s, "version "+want, func(st platform.Status) bool { return st.Version == want && st.Error == "" })
			// The campaigns follow the config in force (its rule names
			// its organisation).
		}
		inForce := dirVersion(t, cm.dir)
		cm.set(bad)
		st := waitFor(t, s, "the refused config", func(st platform.Status) bool { return st.Error != "" })
		if st.Version != inForce || !strings.Contains(st.Error, "paved.yaml:4") || !strings.Contains(st.Error, "rulez") {
			t.Fatalf("after an invalid config: %+v (want %s still in force and the error with its line)", st, inForce)
		}
	}
	cm.set(orgConfig("Gamma"))
	want := dirVersion(t, cm.dir)
	final := waitFor(t, s, "the last config", func(st platform.Status) bool { return st.Version == want && st.Error == "" })
	stop.Store(true)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of %d requests failed during the swaps; first: %v", failures.Load(), requests.Load(), firstErr.Load())
	}
	if requests.Load() < 50 {
		t.Fatalf("only %d requests ran: the load did not overlap the swaps", requests.Load())
	}
	if final.Reloads < 7 || final.Errors < 3 {
		t.Fatalf("status = %+v: want at least 7 reloads and 3 refused configs", final)
	}
	code, body := s.get(t, "/metrics", "")
	m := string(body)
	if code != 200 || !strings.Contains(m, "paved_config_reload_errors_total") ||
		!strings.Contains(m, `paved_config_version{commit="",hash="`+platform.VersionHash(want)+`"} 1`) {
		t.Fatalf("metrics lack the config: %d\n%s", code, grepLines(m, "paved_config"))
	}
	// The new config is the one in use: the portal names the organisation.
	code, body = s.get(t, "/signin", "")
	if code != 200 || !strings.Contains(string(body), "Gamma") {
		t.Fatalf("the sign-in page does not name the reloaded organisation: %d", code)
	}
	code, body = s.get(t, "/api/v1/campaigns", testBootstrap)
	if code != 200 || !strings.Contains(string(body), `"config_version":"`+want+`"`) {
		t.Fatalf("campaigns not evaluated under the reloaded config: %d %s", code, body)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func writeTestFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
