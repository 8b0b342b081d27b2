package iac

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
)

func TestFolderWalkSkipsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {}\n")
	write("values.yaml", "replicaCount: 2\nimage: {repository: web}\n")
	write("kustomization.yaml", "resources: [deploy.yaml]\nnamespace: shop\n")

	var skipped []string
	docs, err := ReadPaths([]string{dir}, Options{OnSkip: func(file, reason string) {
		skipped = append(skipped, filepath.Base(file)+": "+reason)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Resources[0].Address != "Deployment/shop/web" {
		t.Fatalf("docs = %+v", docs)
	}
	if len(skipped) != 2 || !strings.Contains(strings.Join(skipped, "\n"), "kustomize") {
		t.Fatalf("skipped = %q", skipped)
	}

	// Without OnSkip, and for a file named directly, it stays an error.
	if _, err := ReadPaths([]string{dir}, Options{}); paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("walk without OnSkip: %v", err)
	}
	_, err = ReadPaths([]string{filepath.Join(dir, "values.yaml")}, Options{OnSkip: func(string, string) { t.Error("a named file must not be skipped") }})
	if !IsUnsupported(err) {
		t.Fatalf("named values.yaml: %v", err)
	}
	// A broken manifest in a folder is never skipped.
	write("broken.yaml", "apiVersion: v1\nkind: [unclosed\n")
	if _, err := ReadPaths([]string{dir}, Options{OnSkip: func(string, string) {}}); err == nil || IsUnsupported(err) {
		t.Fatalf("broken YAML: %v", err)
	}
}

func TestStdinOption(t *testing.T) {
	docs, err := ReadPaths([]string{"-"}, Options{Stdin: strings.NewReader("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")})
	if err != nil || len(docs) != 1 || docs[0].Input != "-" {
		t.Fatalf("docs %+v err %v", docs, err)
	}
}

// Raw decodes the plan's members in parallel; the result must be the plan
// as encoding/json reads it, with the sensitive values masked.
func TestRawMatchesEncodingJSON(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "plan", "aws.json"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Read("aws.json", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := docs[0].Raw()
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	maskPlan(want)
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Fatalf("Raw differs from encoding/json:\n%s\n%s", gb[:200], wb[:200])
	}
}
