package iac

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/testutil"
)

// TestGolden reads every fixture under testdata/plan and testdata/k8s and
// compares the normalised documents with testdata/golden/<dir>/<file>.json.
func TestGolden(t *testing.T) {
	for _, dir := range []string{"plan", "k8s", "realworld"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no fixtures in testdata/%s", dir)
		}
		for _, f := range files {
			t.Run(dir+"/"+filepath.Base(f), func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				docs, err := Read(filepath.ToSlash(f), data, Options{})
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				got, err := json.MarshalIndent(docs, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				testutil.Golden(t, filepath.Join("testdata", "golden", dir, filepath.Base(f)+".golden"), got)
			})
		}
	}
}

// TestGoldenErrors reads every fixture under testdata/bad and compares the
// error with testdata/golden/bad/<file>.err; every one must be EINVALID.
func TestGoldenErrors(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata/bad")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Read(filepath.ToSlash(f), data, Options{MaxFileBytes: 1 << 20})
			if err == nil {
				t.Fatal("Read succeeded, want an error")
			}
			var pe *paved.Error
			if !errors.As(err, &pe) || pe.Code != paved.EINVALID {
				t.Fatalf("error %v (%T) is not a *paved.Error with code EINVALID", err, err)
			}
			if !strings.HasPrefix(pe.Field, filepath.ToSlash(f)) {
				t.Errorf("Field %q does not name the file", pe.Field)
			}
			testutil.Golden(t, filepath.Join("testdata", "golden", "bad", filepath.Base(f)+".err"), []byte(err.Error()+"\n"))
		})
	}
}
