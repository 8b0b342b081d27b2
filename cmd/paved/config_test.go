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

	paved "github.com/paved-dev/paved"
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

func configStatus(t *testing.T, s *server) (int, paved.ConfigStatus) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/config", nil)
	req.Header.Set("Authorization", "Bearer "+testBootstrap)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st paved.ConfigStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, st
}

// waitFor polls the server's config status until ok says so.
func waitFor(t *testing.T, s *server, what string, ok func(paved.ConfigStatus) bool) paved.ConfigStatus {
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
			waitFor(t, s, "version "+want, func(st paved.ConfigStatus) bool { return st.Version == want && st.Error == "" })
			// The campaigns follow the config in force (its rule names
			// its organisation).
		}
		inForce := dirVersion(t, cm.dir)
		cm.set(bad)
		st := waitFor(t, s, "the refused config", func(st paved.ConfigStatus) bool { return st.Error != "" })
		if st.Version != inForce || !strings.Contains(st.Error, "paved.yaml:4") || !strings.Contains(st.Error, "rulez") {
			t.Fatalf("after an invalid config: %+v (want %s still in force and the error with its line)", st, inForce)
		}
	}
	cm.set(orgConfig("Gamma"))
	want := dirVersion(t, cm.dir)
	final := waitFor(t, s, "the last config", func(st paved.ConfigStatus) bool { return st.Version == want && st.Error == "" })
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

// TestConfigCLI: paved config validate and version on a directory, paved
// check recording the version with the config's own policies, and paved
// policy impact through a server and on the local database.
func TestConfigCLI(t *testing.T) {
	dir := t.TempDir()
	e := env{"PAVED_DATABASE": filepath.Join(dir, "paved.db"), "PAVED_BOOTSTRAP_TOKEN": testBootstrap}
	must(t, e, "team", "create", "shop", "--kind", "product")
	must(t, e, "user", "create", "ann", "--role", "developer", "--team", "shop")
	must(t, e, "user", "create", "rita", "--role", "reviewer", "--team", "shop")
	must(t, e, "service", "create", "checkout-api", "--owner", "shop", "--tier", "1", "--data-class", "confidential")

	cur := filepath.Join(dir, "current")
	writeTestFile(t, filepath.Join(cur, "paved.yaml"), "organisation:\n  name: Shop\nspend:\n  budgets:\n    - team: shop\n      amount: 100\n")
	writeTestFile(t, filepath.Join(cur, "policies/rotation.rego"), "# METADATA\n# title: Databases name their rotation\n# custom:\n#   id: db-rotation-tag\n#   severity: warn\n#   resource_types: [aws_db_instance]\n"+
		"package paved.rules.db_rotation_tag\n\nimport data.paved.lib\n\nwarn contains f if {\n\tsome r in lib.candidates([\"aws_db_instance\"])\n\tnot r.tags.rotation\n\tlib.judged(r)\n\tf := lib.finding(r, \"no rotation tag\", \"tags\", null)\n}\n")

	// validate: valid, with the catalog of the local database named by
	// PAVED_DATABASE; then with a typo, in every format.
	out := must(t, e, "config", "validate", cur)
	if !strings.Contains(out, "references  ok") || !strings.Contains(out, ": valid") || !strings.Contains(out, "1 of them custom") {
		t.Errorf("validate:\n%s", out)
	}
	noDB := env{}
	if out := must(t, noDB, "config", "validate", cur); !strings.Contains(out, "references  skipped") || !strings.Contains(out, "not checked: the teams") {
		t.Errorf("validate without a database:\n%s", out)
	}
	bad := filepath.Join(dir, "bad")
	writeTestFile(t, filepath.Join(bad, "paved.yaml"), "organisation:\n  name: Shop\nspend:\n  budgets:\n    - team: shpo\n      amount: 100\nguardrails:\n  rulez: {}\n")
	r := cli(t, e, "config", "validate", bad)
	if r.code != 2 || !strings.Contains(r.out, "ERROR "+bad+`/paved.yaml:8: unknown key "rulez"`) {
		t.Errorf("validate a typo: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	r = cli(t, e, "config", "validate", "-o", "github", bad)
	if r.code != 2 || !strings.Contains(r.out, "::error file="+bad+"/paved.yaml,line=8,title=paved config validate%3A paved.yaml::unknown key") {
		t.Errorf("validate -o github: exit %d\n%s", r.code, r.out)
	}
	var rep platform.Report
	r = cli(t, e, "config", "validate", "-o", "json", bad)
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil || rep.Valid || r.code != 2 {
		t.Errorf("validate -o json: %v %+v", err, rep)
	}
	expect(t, 2, "want text, json or github", e, "config", "validate", "-o", "xml", cur)
	// A team the catalog lacks is found once the paved.yaml parses.
	writeTestFile(t, filepath.Join(bad, "paved.yaml"), "organisation:\n  name: Shop\nspend:\n  budgets:\n    - team: shpo\n      amount: 100\n")
	if r := cli(t, e, "config", "validate", bad); r.code != 2 || !strings.Contains(r.out, `/paved.yaml:5: a budget names team "shpo", which is not in the catalog (paved team list): did you mean "shop"?`) {
		t.Errorf("validate a team reference: exit %d\n%s", r.code, r.out)
	}
	if v := strings.TrimSpace(must(t, e, "config", "version", cur)); v != dirVersion(t, cur) {
		t.Errorf("config version = %q, want %q", v, dirVersion(t, cur))
	}

	// A check through a server: the config's policies run, its version is recorded.
	annTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "ann"))
	ritaTok := strings.TrimSpace(must(t, e, "token", "create", "--user", "rita"))
	srv := startServer(t, e, "--config", cur)
	ce := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", annTok, "PAVED_CONFIG", cur)
	r = cli(t, ce, "check", "--service", "checkout-api", "testdata/check/bigdb.json")
	if r.code != 1 || !strings.Contains(r.out, "WARN db-rotation-tag") || !strings.Contains(r.errOut, "recorded check #1") {
		t.Fatalf("check with the config's policies: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	code, body := srv.get(t, "/api/v1/services/checkout-api/launch", annTok)
	if code != 200 || !strings.Contains(string(body), `"config_version":"`+dirVersion(t, cur)+`"`) {
		t.Fatalf("the recorded check's config version: %d %s", code, grepLines(string(body), "config_version"))
	}

	// The proposal: a bigger memory ceiling, the rotation tag required.
	proposed := filepath.Join(dir, "proposed")
	writeTestFile(t, filepath.Join(proposed, "paved.yaml"), "organisation:\n  name: Shop\nguardrails:\n  rules:\n    db-memory-ceiling:\n      params: {max_memory_gib: 8192}\n    db-rotation-tag:\n      severity: deny\n")
	writeTestFile(t, filepath.Join(proposed, "policies/rotation.rego"), readTestFile(t, filepath.Join(cur, "policies/rotation.rego")))
	se := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", annTok)
	expect(t, 1, "needs the reviewer, architect, security or admin role", se, "policy", "impact", "--config", proposed)
	re := e.with("PAVED_SERVER", srv.url, "PAVED_TOKEN", ritaTok)
	md := must(t, re, "policy", "impact", "--config", proposed, "-o", "markdown")
	for _, want := range []string{"### paved policy impact", "<details><summary><b>shop</b>: 1 newly blocking, 1 disappear, 1 change</summary>",
		"| gone | `db-memory-ceiling` | `aws_db_instance.orders` |", "| changed | `db-rotation-tag` |", "`db-rotation-tag` severity warn -&gt; deny"} {
		if !strings.Contains(md, want) {
			t.Errorf("impact markdown lacks %q:\n%s", want, md)
		}
	}
	r = cli(t, re, "policy", "impact", "--config", proposed, "--fail-on-deny")
	if r.code != 1 || !strings.Contains(r.errOut, "1 findings would start to block") {
		t.Errorf("--fail-on-deny: exit %d %s", r.code, r.errOut)
	}
	// An invalid proposal is refused before it is sent, with its line.
	writeTestFile(t, filepath.Join(bad, "paved.yaml"), "organisation:\n  name: Shop\nguardrails:\n  rulez: {}\n")
	expect(t, 2, bad+"/paved.yaml:4", re, "policy", "impact", "--config", filepath.Join(bad, "paved.yaml"))
	srv.stop(t)

	// Locally, against --current: the same findings.
	var local paved.ImpactReport
	out = must(t, e, "policy", "impact", "--config", proposed, "--current", cur, "-o", "json")
	if err := json.Unmarshal([]byte(out), &local); err != nil || local.Summary.NewDeny != 1 || local.Summary.Disappear != 1 || local.Current != dirVersion(t, cur) {
		t.Errorf("local impact: %v %+v", err, local.Summary)
	}
	if out := must(t, e, "policy", "impact", "--config", proposed, "--current", cur); !strings.Contains(out, "Team shop: 1 newly blocking, 1 disappear, 1 change") {
		t.Errorf("local impact text:\n%s", out)
	}
	expect(t, 2, "name the proposed config directory with --config", e, "policy", "impact")
	expect(t, 2, "does not exist", env{"PAVED_DATABASE": filepath.Join(dir, "none.db")}, "policy", "impact", "--config", proposed, "--current", cur)
}

func readTestFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
