package platform

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

func tarGz(t testing.TB, files map[string]string, extra ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range extra {
		must(t, tw.WriteHeader(h))
	}
	for name, body := range files {
		must(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(body))
		must(t, err)
	}
	must(t, tw.Close())
	must(t, zw.Close())
	return buf.Bytes()
}

func TestBundleRoundTrip(t *testing.T) {
	dir := copyDir(t, "testdata/config")
	v, err := DirVersion(dir)
	must(t, err)
	b, err := BundleFromDir(dir)
	must(t, err)
	if BundleVersion(b).Hash != v.Hash {
		t.Fatal("a bundle's hash differs from its directory's")
	}
	js, err := json.Marshal(b)
	must(t, err)
	back, err := ParseBundleJSON(js)
	must(t, err)
	s, err := LoadBundle(back, Options{})
	must(t, err)
	if s.Version.Hash != v.Hash || s.Config.Organisation.Name != "Example Corp" || s.Dir != "" {
		t.Fatalf("loaded bundle: %+v %+v", s.Version, s.Config.Organisation)
	}
	if _, ok := s.Rule("require-owner-tag"); !ok {
		t.Fatal("the bundle's policy was not loaded")
	}
	// The same directory as a .tar.gz, with folders, a ./ prefix and a
	// hidden file.
	files := map[string]string{".github/ci.yaml": "x"}
	for p, d := range b.Files {
		files["./"+p] = d
	}
	tb, err := ReadBundleTarGz(bytes.NewReader(tarGz(t, files, &tar.Header{Name: "policies/", Typeflag: tar.TypeDir, Mode: 0o755})))
	must(t, err)
	if BundleVersion(tb).Hash != v.Hash {
		t.Fatalf("tar.gz bundle files: %v", len(tb.Files))
	}
}

func TestBundleErrors(t *testing.T) {
	cfg := "organisation:\n  name: X\n"
	cases := []struct {
		name string
		json string
		want string
	}{
		{"no files", `{"files":{}}`, "no files"},
		{"no paved.yaml", `{"files":{"policies/a.rego":"package a"}}`, "no paved.yaml"},
		{"climbs out", `{"files":{"paved.yaml":"x","../etc/passwd":"x"}}`, "must be clean"},
		{"absolute", `{"files":{"paved.yaml":"x","/etc/passwd":"x"}}`, "relative"},
		{"backslash", `{"files":{"paved.yaml":"x","a\\b":"x"}}`, "relative"},
		{"hidden", `{"files":{"paved.yaml":"x",".git/config":"x"}}`, "hidden"},
		{"unknown key", `{"files":{"paved.yaml":"x"},"extra":1}`, "not a config bundle"},
		{"bad commit", `{"files":{"paved.yaml":"x"},"commit":"main"}`, "not a full git commit"},
		{"two values", `{"files":{"paved.yaml":"x"}} {}`, "more than one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseBundleJSON([]byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	// Links and oversized archives are refused.
	_, err := ReadBundleTarGz(bytes.NewReader(tarGz(t, map[string]string{"paved.yaml": cfg}, &tar.Header{Name: "evil", Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink})))
	if err == nil || !strings.Contains(err.Error(), "regular files") {
		t.Fatalf("symlink in archive: %v", err)
	}
	big := strings.Repeat("x", MaxBundleBytes+1)
	if _, err := ReadBundleTarGz(bytes.NewReader(tarGz(t, map[string]string{"paved.yaml": cfg, "big": big}))); paved.ErrorCode(err) != paved.ETOOLARGE {
		t.Fatalf("oversized archive: %v", err)
	}
	if _, err := ReadBundleTarGz(strings.NewReader("not gzip")); err == nil {
		t.Fatal("garbage accepted")
	}
	// An invalid config names the bundle's paths, not the temporary folder.
	b := &paved.ConfigBundle{Files: map[string]string{"paved.yaml": cfg + "guardrails:\n  rulez: {}\n"}}
	_, err = LoadBundle(b, Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "paved.yaml:4") {
		t.Fatalf("bundle error = %v", err)
	}
}

func TestBundleRefusesUnsafePolicies(t *testing.T) {
	for _, call := range []string{`http.send({"method": "get", "url": "http://169.254.169.254/"})`, `opa.runtime()`, `net.lookup_ip_addr("example.com")`} {
		b := &paved.ConfigBundle{Files: map[string]string{"paved.yaml": "organisation:\n  name: X\n",
			"policies/x.rego": "package main\n\ndeny contains msg if {\n\tx := " + call + "\n\tmsg := sprintf(\"%v\", [x])\n}\n"}}
		err := CheckSafePolicies(b)
		if paved.ErrorCode(err) != paved.EUNPROCESSABLE || !strings.Contains(err.Error(), "policies/x.rego:4") {
			t.Fatalf("%s: %v", call, err)
		}
	}
	ok := &paved.ConfigBundle{Files: map[string]string{"paved.yaml": "x", "policies/ok.rego": ownerTagRule}}
	must(t, CheckSafePolicies(ok))
}

func FuzzParseBundleJSON(f *testing.F) {
	f.Add([]byte(`{"files":{"paved.yaml":"organisation:\n  name: X\n"}}`))
	f.Add([]byte(`{"files":{"paved.yaml":"x","policies/a.rego":"package a"},"commit":"` + strings.Repeat("a", 40) + `"}`))
	f.Add([]byte(`{"files":{"../x":"y"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundleJSON(data)
		if err != nil {
			return
		}
		for p := range b.Files {
			if checkBundlePath(p) != nil {
				t.Fatalf("accepted path %q", p)
			}
		}
		_ = BundleVersion(b)
		_ = CheckSafePolicies(b)
	})
}

func FuzzReadBundleTarGz(f *testing.F) {
	f.Add(tarGz(f, map[string]string{"paved.yaml": "organisation:\n  name: X\n"}))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBundleTarGz(bytes.NewReader(data))
		if err != nil {
			return
		}
		for p := range b.Files {
			if checkBundlePath(p) != nil {
				t.Fatalf("accepted path %q", p)
			}
		}
	})
}

func FuzzVersionString(f *testing.F) {
	f.Add("3f2a9c0d1e2b4a5c@1a2b3c4d5e6f")
	f.Add("builtin")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		h := VersionHash(s)
		if strings.Contains(h, "@") {
			t.Fatalf("hash part %q of %q", h, s)
		}
		if SameVersion(s, s) != (h != "") {
			t.Fatalf("SameVersion(%q, itself)", s)
		}
	})
}

// TestBundleRefusesExpandingBuiltins: a proposed policy that calls a
// function whose result's size its arguments set (one call, one
// allocation no timeout interrupts) is refused naming file:line, before
// anything compiles or evaluates it; so is an oversized policy file.
func TestBundleRefusesExpandingBuiltins(t *testing.T) {
	for _, c := range []struct{ rego, want string }{
		{`x := net.cidr_expand("10.0.0.0/4")`, "net.cidr_expand"},
		{`x := numbers.range(1, 10000000000)`, "numbers.range"},
		{`x := numbers.range_step(1, 10000000000, 1)`, "numbers.range_step"},
		{`x := replace("aaaa", "a", "bbbb")`, "replace"},
		{`x := strings.replace_n({"a": "bbbb"}, "aaaa")`, "strings.replace_n"},
		{`x := regex.replace("aaaa", "a", "bbbb")`, "regex.replace"},
		{`x := strings.render_template("{{.a}}", {"a": 1})`, "strings.render_template"},
		{`x := sprintf("%0999999d", [1])`, "sprintf"},
		{`x := sprintf("%*d", [999999, 1])`, "sprintf"},
		{`x := sprintf("%.99999f", [1])`, "sprintf"},
		{`f := "%d"` + "\n\tx := sprintf(f, [1])", "sprintf"},
	} {
		src := "package main\n\ndeny contains msg if {\n\t" + c.rego + "\n\tmsg := sprintf(\"%v\", [x])\n}\n"
		b := &paved.ConfigBundle{Files: map[string]string{"paved.yaml": "organisation:\n  name: X\n", "policies/x.rego": src}}
		err := CheckSafePolicies(b)
		if paved.ErrorCode(err) != paved.EUNPROCESSABLE || !strings.Contains(err.Error(), "policies/x.rego:") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.rego, err)
		}
	}
	// Rego v0 syntax is checked too.
	v0 := &paved.ConfigBundle{Files: map[string]string{"paved.yaml": "x", "policies/x.rego": "package main\n\ndeny[msg] {\n\tx := numbers.range(1, 10000000000)\n\tmsg := sprintf(\"%v\", [x])\n}\n"}}
	if err := CheckSafePolicies(v0); err == nil || !strings.Contains(err.Error(), "policies/x.rego:4") {
		t.Errorf("v0: %v", err)
	}
	// Widths up to three digits are fine.
	fine := &paved.ConfigBundle{Files: map[string]string{"paved.yaml": "x", "policies/x.rego": "package main\n\ndeny contains msg if {\n\tmsg := sprintf(\"%-20s %5.2f %v\", [\"a\", 1, 2])\n}\n"}}
	must(t, CheckSafePolicies(fine))

	big := &paved.ConfigBundle{Files: map[string]string{"paved.yaml": "x", "policies/big.rego": "package main\n#" + strings.Repeat("x", MaxPolicyFileBytes)}}
	if err := CheckSafePolicies(big); paved.ErrorCode(err) != paved.ETOOLARGE || !strings.Contains(err.Error(), "files.policies/big.rego") {
		t.Errorf("big policy: %v", err)
	}
	js, err := json.Marshal(big)
	must(t, err)
	if _, err := ParseBundleJSON(js); paved.ErrorCode(err) != paved.ETOOLARGE || !strings.Contains(err.Error(), "policies/big.rego") {
		t.Errorf("big policy in JSON: %v", err)
	}
}

// TestBundleTarRefusals: an archive that unpacks past the cap is refused
// even when the cap falls exactly on a header boundary (a policy behind
// the padding would otherwise be left out unseen), and names that are
// absolute or climb out are refused rather than rewritten.
func TestBundleTarRefusals(t *testing.T) {
	cfg := "organisation:\n  name: X\n"
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	must(t, tw.WriteHeader(&tar.Header{Name: "paved.yaml", Mode: 0o644, Size: int64(len(cfg)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}))
	_, err := tw.Write([]byte(cfg))
	must(t, err)
	// paved.yaml: a header and one block; the hidden padding: a header
	// and the rest, so that the next header starts exactly at the cap.
	padSize := int64(maxUnpackedBytes - 3*512)
	must(t, tw.WriteHeader(&tar.Header{Name: ".pad", Mode: 0o644, Size: padSize, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}))
	_, err = io.CopyN(tw, zeroReader{}, padSize)
	must(t, err)
	evil := "package main\n\ndeny contains \"x\" if { true }\n"
	must(t, tw.WriteHeader(&tar.Header{Name: "policies/evil.rego", Mode: 0o644, Size: int64(len(evil)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}))
	_, err = tw.Write([]byte(evil))
	must(t, err)
	must(t, tw.Close())
	must(t, zw.Close())
	b, err := ReadBundleTarGz(bytes.NewReader(buf.Bytes()))
	if paved.ErrorCode(err) != paved.ETOOLARGE {
		t.Fatalf("archive past the cap on a header boundary: err %v, bundle %v", err, b != nil)
	}

	for _, name := range []string{"../policies/x.rego", "/policies/x.rego", "policies/../../x.rego", "a//b.rego"} {
		_, err := ReadBundleTarGz(bytes.NewReader(tarGz(t, map[string]string{"paved.yaml": cfg, name: "package x\n"})))
		if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// "./" prefixes, as tar -C dir . writes them, are fine.
	b, err = ReadBundleTarGz(bytes.NewReader(tarGz(t, map[string]string{"./paved.yaml": cfg}, &tar.Header{Name: "./", Typeflag: tar.TypeDir, Mode: 0o755})))
	must(t, err)
	if _, ok := b.Files["paved.yaml"]; !ok {
		t.Fatalf("files = %v", b.Files)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
