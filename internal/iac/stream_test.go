package iac

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// streamAll makes readFile stream every file, whatever its size.
func streamAll(t testing.TB) {
	t.Helper()
	old := streamMinBytes
	streamMinBytes = 0
	t.Cleanup(func() { streamMinBytes = old })
}

// readBothWays reads data as a file (streamed when it is a plan) and from
// memory (never streamed) with the same options, and fails when the two
// answers differ in any way.
func readBothWays(t testing.TB, data []byte, opt Options, mustStream bool) ([]*Document, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	streamed, serr := ReadPaths([]string{path}, opt)
	whole, werr := Read(path, data, opt)
	if (serr == nil) != (werr == nil) || (serr != nil && serr.Error() != werr.Error()) {
		t.Fatalf("streamed: %v\nwhole:    %v", serr, werr)
	}
	if serr != nil {
		return nil, serr
	}
	if len(streamed) != len(whole) {
		t.Fatalf("streamed %d documents, whole %d", len(streamed), len(whole))
	}
	// A valid plan must really have been streamed, not read again.
	if mustStream && len(whole) == 1 && whole[0].Kind == KindTerraformPlan && opt.DropRaw {
		if _, err := streamPlan(path, bytes.NewReader(data), opt); err != nil {
			t.Fatalf("a valid plan was not streamed: %v", err)
		}
	}
	for i := range streamed {
		a, b := *streamed[i], *whole[i]
		a.Raw, b.Raw = nil, nil
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("document %d differs:\nstreamed %+v\nwhole    %+v", i, a, b)
		}
	}
	return streamed, nil
}

func planFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, pat := range []string{"testdata/plan/*", "testdata/realworld/*", "testdata/tf/*", "testdata/bad/*", "../../bench/testdata/*.json"} {
		paths, _ := filepath.Glob(pat)
		for _, p := range paths {
			if fi, err := os.Stat(p); err != nil || fi.IsDir() {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[p] = b
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d fixtures found", len(out))
	}
	return out
}

// Every fixture, and every way of breaking a plan that a test could think
// of, reads the same streamed as whole.
func TestStreamMatchesWholeRead(t *testing.T) {
	streamAll(t)
	keep := func() map[string]bool { return map[string]bool{"instance_class": true, "encrypted": true} }
	opts := map[string]Options{
		"plain":      {DropRaw: true},
		"dropBefore": {DropRaw: true, DropBefore: true},
		"projected":  {DropRaw: true, DropBefore: true, Attributes: keep},
		"small":      {DropRaw: true, MaxFileBytes: 2000},
	}
	streamedPlans := 0
	for name, data := range planFixtures(t) {
		for oname, opt := range opts {
			t.Run(filepath.Base(name)+"/"+oname, func(t *testing.T) {
				docs, err := readBothWays(t, data, opt, !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}))
				if err == nil && len(docs) == 1 && docs[0].Kind == KindTerraformPlan {
					streamedPlans++
				}
			})
		}
	}
	if streamedPlans < 8 {
		t.Fatalf("only %d plan reads compared", streamedPlans)
	}

	plan, err := os.ReadFile("testdata/plan/aws.json")
	if err != nil {
		t.Fatal(err)
	}
	rc := bytes.Index(plan, []byte(`"resource_changes"`))
	broken := map[string][]byte{
		"bom":             append([]byte{0xEF, 0xBB, 0xBF}, plan...),
		"utf16":           append([]byte{0xFF, 0xFE}, plan...),
		"nul":             bytes.Replace(plan, []byte(`"create"`), []byte("\"cr\x00ate\""), 1),
		"bad utf8":        bytes.Replace(plan, []byte(`"create"`), []byte("\"cr\xffate\""), 1),
		"second value":    append(append([]byte(nil), plan...), []byte("\n{}")...),
		"trailing junk":   append(append([]byte(nil), plan...), []byte("x")...),
		"errored":         bytes.Replace(plan, []byte(`{`), []byte(`{"errored":true,`), 1),
		"incomplete":      bytes.Replace(plan, []byte(`{`), []byte(`{"complete":false,`), 1),
		"bad version":     bytes.Replace(plan, []byte(`"format_version"`), []byte(`"format_version":"9.0","x"`), 1),
		"dup changes":     bytes.Replace(plan, []byte(`{`), []byte(`{"resource_changes":[],`), 1),
		"changes null":    append(append([]byte(`{"format_version":"1.2","resource_changes":null,`), plan[1:rc]...), []byte(`"x":1}`)...),
		"changes object":  []byte(`{"format_version":"1.2","resource_changes":{}}`),
		"wrong type":      bytes.Replace(plan, []byte(`"actions":[`), []byte(`"actions":[1,`), 1),
		"null element":    bytes.Replace(plan, []byte(`"resource_changes":[`), []byte(`"resource_changes":[null,`), 1),
		"state file":      []byte(`{"format_version":"1.0","terraform_version":"1.5.0","values":{"root_module":{}}}`),
		"leading lines":   append([]byte("\n\n  \n"), plan...),
		"unicode escapes": bytes.Replace(plan, []byte(`"create"`), []byte(`"cre\u0061te"`), 1),
	}
	for _, cut := range []int{1, 10, rc, rc + 25, len(plan) / 2, len(plan) - 2} {
		broken["truncated at "+strings.Repeat("I", 1+cut%5)+string(rune('a'+cut%26))] = plan[:cut]
	}
	for name, data := range broken {
		t.Run("broken/"+name, func(t *testing.T) {
			readBothWays(t, data, Options{DropRaw: true}, name == "leading lines" || name == "unicode escapes" || name == "incomplete" || name == "null element")
		})
	}
}

// The streaming scanner's window moves under the values it scans: a tiny
// chunk size would hide bugs that 1 MiB chunks only show on big plans, so
// read through a reader that returns a few bytes at a time.
func TestStreamSmallReads(t *testing.T) {
	for _, name := range []string{"testdata/plan/aws.json", "../../bench/testdata/service-stack.plan.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []int{1, 3, 7, 64} {
			doc, err := streamPlan(name, &trickleReader{data: data, step: step}, Options{DropRaw: true})
			if err != nil {
				t.Fatalf("%s step %d: %v", name, step, err)
			}
			whole, err := Read(name, data, Options{DropRaw: true})
			if err != nil {
				t.Fatal(err)
			}
			a, b := *doc, *whole[0]
			a.Raw, b.Raw = nil, nil
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s step %d: documents differ", name, step)
			}
		}
	}
}

type trickleReader struct {
	data []byte
	step int
}

func (r *trickleReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.step)], r.data)
	r.data = r.data[n:]
	return n, nil
}

func FuzzStreamPlan(f *testing.F) {
	for _, name := range []string{"testdata/plan/aws.json", "testdata/plan/google-plan.json"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","name":"b","change":{"actions":["create"],"after":{"x":1}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		streamAll(t)
		readBothWays(t, data, Options{DropRaw: true, DropBefore: true}, false)
	})
}
