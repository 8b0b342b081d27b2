package platform

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
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
