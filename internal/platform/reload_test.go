package platform

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestReloaderSwapsValidAndKeepsPrevious(t *testing.T) {
	dir := copyDir(t, "testdata/config")
	first, err := Load(dir, Options{})
	must(t, err)
	r := NewReloader(dir, first, Options{}, nil)
	var applied atomic.Int32
	r.Prepare = func(s *Snapshot) (func(), error) {
		if s.Config.Organisation.Name == "Refused by Prepare" {
			return nil, errors.New("the web server cannot use it")
		}
		return func() { applied.Add(1) }, nil
	}
	// Unchanged: nothing happens.
	if ok, err := r.Reload(false); ok || err != nil {
		t.Fatalf("unchanged directory: %v %v", ok, err)
	}
	// A valid change is swapped in.
	writeFile(t, dir, "paved.yaml", strings.Replace(readFile(t, dir, "paved.yaml"), "Example Corp", "Example Two", 1))
	if ok, err := r.Reload(false); !ok || err != nil {
		t.Fatalf("valid change: %v %v", ok, err)
	}
	if r.Current().Config.Organisation.Name != "Example Two" || applied.Load() != 1 || r.Status().Reloads != 1 {
		t.Fatalf("after a valid change: %s, applied %d, %+v", r.Current().Config.Organisation.Name, applied.Load(), r.Status())
	}
	good := r.Current()
	// An invalid change is refused; the previous snapshot stays.
	writeFile(t, dir, "policies/broken.rego", "package paved.rules.broken\n\ndeny contains f if {\n")
	ok, err := r.Reload(false)
	if ok || err == nil || r.Current() != good {
		t.Fatalf("invalid change: %v %v", ok, err)
	}
	st := r.Status()
	if st.Errors != 1 || !strings.Contains(st.Error, "broken.rego") || st.ErrorAt == nil || st.ErrorVersion == "" || st.Version != good.Version.String() {
		t.Fatalf("status after a refused config = %+v", st)
	}
	// The same invalid content is not reported again on every turn.
	if _, err := r.Reload(false); err != nil || r.Status().Errors != 1 {
		t.Fatalf("unchanged invalid directory: %v, %+v", err, r.Status())
	}
	// Reverting clears the error without a reload.
	removeFile(t, dir, "policies/broken.rego")
	if ok, err := r.Reload(false); ok || err != nil || r.Status().Error != "" || r.Current() != good {
		t.Fatalf("after the revert: %v %v %+v", ok, err, r.Status())
	}
	// A config Prepare refuses is refused as a whole.
	writeFile(t, dir, "paved.yaml", strings.Replace(readFile(t, dir, "paved.yaml"), "Example Two", "Refused by Prepare", 1))
	if ok, err := r.Reload(false); ok || err == nil || r.Current() != good || applied.Load() != 1 {
		t.Fatalf("refused by Prepare: %v %v", ok, err)
	}
}

// TestReloaderReadersDuringSwaps reads the snapshot while it is swapped
// back and forth: each reader sees one whole snapshot (run with -race).
func TestReloaderReadersDuringSwaps(t *testing.T) {
	dir := copyDir(t, "testdata/config")
	first, err := Load(dir, Options{})
	must(t, err)
	r := NewReloader(dir, first, Options{}, nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int32
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := r.Current()
				// A snapshot's parts belong together: the organisation
				// names the policy it was loaded with.
				_, custom := s.Rule("require-owner-tag")
				if (s.Config.Organisation.Name == "Example Corp") != custom {
					bad.Add(1)
				}
				_ = r.Status()
			}
		}()
	}
	orig := readFile(t, dir, "paved.yaml")
	for i := 0; i < 4; i++ {
		// Another organisation without the custom policy, then back.
		writeFile(t, dir, "paved.yaml", "organisation:\n  name: Other\n")
		removeFile(t, dir, "policies/require_owner_tag.rego")
		removeFile(t, dir, "policies/require_owner_tag_test.rego")
		removeFile(t, dir, "templates/questionnaire.yaml")
		if ok, err := r.Reload(false); !ok || err != nil {
			t.Fatalf("swap %d: %v %v", i, ok, err)
		}
		back := copyDir(t, "testdata/config")
		for _, f := range []string{"policies/require_owner_tag.rego", "policies/require_owner_tag_test.rego", "templates/questionnaire.yaml"} {
			writeFile(t, dir, f, readFile(t, back, f))
		}
		writeFile(t, dir, "paved.yaml", orig)
		if ok, err := r.Reload(false); !ok || err != nil {
			t.Fatalf("swap back %d: %v %v", i, ok, err)
		}
	}
	close(stop)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d reads saw a half-applied config", bad.Load())
	}
}
