package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
)

// writeTree creates files under a temporary folder and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// chdir moves into dir for the test, so that names are relative as a
// user would type them.
func chdir(t *testing.T, dir string) {
	t.Helper()
	t.Chdir(dir)
}

func names(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}

func TestCollect(t *testing.T) {
	loc := func(targets ...string) string {
		return doc("Location", "loc", "type: file", "targets: ["+strings.Join(targets, ", ")+"]")
	}
	tests := []struct {
		name  string
		files map[string]string
		paths []string
		want  []string
	}{
		{
			name:  "a folder, recursively, yaml and yml only, hidden folders left out",
			files: map[string]string{"cat/a.yaml": "", "cat/sub/b.YML": "", "cat/readme.md": "", "cat/.github/workflows/ci.yml": "", "cat/sub/.hidden/c.yaml": ""},
			paths: []string{"cat"},
			want:  []string{"cat/a.yaml", "cat/sub/b.YML"},
		},
		{
			name:  "a file named explicitly is read whatever its extension, once",
			files: map[string]string{"entities.txt": "", "a.yaml": ""},
			paths: []string{"entities.txt", "./a.yaml", "a.yaml"},
			want:  []string{"entities.txt", "a.yaml"},
		},
		{
			name: "Location targets are followed relative to their file, with globs and **",
			files: map[string]string{
				"all.yaml":                     loc("./org/teams.yaml", "./services/*/catalog-info.yaml", "./deep/**/*.yaml", "https://example.com/x.yaml", "/etc/passwd", "./missing.yaml"),
				"org/teams.yaml":               loc("../all.yaml", "./teams.yaml"), // cycles end
				"services/a/catalog-info.yaml": "",
				"services/b/catalog-info.yaml": "",
				"services/b/other.yaml":        "",
				"deep/x.yaml":                  "",
				"deep/1/2/y.yaml":              "",
				"deep/.git/z.yaml":             "",
				"unrelated.yaml":               "",
			},
			paths: []string{"all.yaml"},
			want:  []string{"all.yaml", "org/teams.yaml", "services/a/catalog-info.yaml", "services/b/catalog-info.yaml", "deep/1/2/y.yaml", "deep/x.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chdir(t, writeTree(t, tt.files))
			files, err := Collect(tt.paths, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got := names(files); !slices.Equal(got, tt.want) {
				t.Errorf("files = %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestCollectSymlinks(t *testing.T) {
	dir := writeTree(t, map[string]string{"real/a.yaml": doc("User", "u")})
	chdir(t, dir)
	if err := os.MkdirAll("cat", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "real", "a.yaml"), filepath.Join("cat", "linked.yaml")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	files, err := Collect([]string{"cat"}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := names(files); !slices.Equal(got, []string{"cat/linked.yaml"}) {
		t.Errorf("files = %v", got)
	}
}

func TestCollectErrors(t *testing.T) {
	chdir(t, writeTree(t, map[string]string{"big.yaml": strings.Repeat("# padding\n", 20), "ok.yaml": ""}))
	opt := DefaultOptions()
	opt.MaxFileBytes = 100
	tests := []struct {
		paths []string
		code  string
		msg   string
	}{
		{[]string{"ok.yaml", "nope.yaml"}, paved.ENOTFOUND, "nope.yaml: no such file or folder"},
		{[]string{"big.yaml"}, paved.ETOOLARGE, "big.yaml: the file is larger than the limit of 100 bytes for one catalog file (MaxFileBytes): split it, or raise the limit"},
		{[]string{"."}, paved.ETOOLARGE, "big.yaml: the file is larger than the limit of 100 bytes"},
	}
	for _, tt := range tests {
		_, err := Collect(tt.paths, opt)
		var pe *paved.Error
		if !errors.As(err, &pe) || pe.Code != tt.code || !strings.HasPrefix(pe.Error(), tt.msg) {
			t.Errorf("Collect(%v) = %v; want %s %q", tt.paths, err, tt.code, tt.msg)
		}
	}
}

func TestCollectStdin(t *testing.T) {
	opt := DefaultOptions()
	opt.Stdin = strings.NewReader(doc("Group", "from-stdin", "type: team"))
	r, err := Load([]string{"-"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Entities) != 1 || r.Entities[0].Name != "from-stdin" || r.Entities[0].Source() != "stdin:1" {
		t.Errorf("entities = %+v", r.Entities)
	}
}

// TestLoadEqualsLoadFiles: the CLI path (Load from disk) and the API path
// (Collect on the client, LoadFiles on the server) give the same plan.
func TestLoadEqualsLoadFiles(t *testing.T) {
	a, err := Load([]string{"testdata/sample/all.yaml"}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	files, err := Collect([]string{"testdata/sample/all.yaml"}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	// The files travel as JSON; order and names are all LoadFiles gets.
	b := LoadFiles(files, DefaultOptions())
	pa, pb := Plan(nil, a, DefaultOptions()), Plan(nil, b, DefaultOptions())
	if !reflect.DeepEqual(pa, pb) {
		t.Error("Load and Collect+LoadFiles planned differently")
	}
	// Without the files a Location names, LoadFiles reports its targets.
	c := LoadFiles(files[:1], DefaultOptions())
	pc := Plan(nil, c, DefaultOptions())
	e := entry(t, pc, "Location", "./org.yaml")
	if e.Outcome != paved.OutcomeSkipped || e.Reason != "target not followed: ./org.yaml (testdata/sample/org.yaml) is not among the files read: check the path" {
		t.Errorf("entry = %+v", e)
	}
}

// TestReadQuirks covers bytes that editors and tools produce.
func TestReadQuirks(t *testing.T) {
	group := doc("Group", "team-q", "type: team")
	tests := []struct {
		name  string
		data  string
		names []string
		lines []int
	}{
		{"BOM", "\uFEFF" + group, []string{"team-q"}, []int{1}},
		{"Windows line endings", strings.ReplaceAll("# c\n"+group+"---\n"+doc("User", "u"), "\n", "\r\n"), []string{"team-q", "u"}, []int{2, 9}},
		{"separators at start and end, empty and comment-only documents", "---\n---\n# nothing\n---\n" + group + "---\n", []string{"team-q"}, []int{5}},
		{"only comments", "# a file with no entities\n", nil, nil},
		{"empty file", "", nil, nil},
		{"document end markers", group + "...\n---\n" + doc("User", "u") + "...\n", []string{"team-q", "u"}, []int{1, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := LoadFiles([]File{{Name: "q.yaml", Data: []byte(tt.data)}}, DefaultOptions())
			var gotNames []string
			var gotLines []int
			for _, e := range r.Entities {
				if e.Outcome != "" {
					t.Errorf("%s: %s %s", e.Source(), e.Outcome, e.Reason)
				}
				gotNames = append(gotNames, e.Name)
				gotLines = append(gotLines, e.Line)
			}
			if !slices.Equal(gotNames, tt.names) || !slices.Equal(gotLines, tt.lines) {
				t.Errorf("got %v at %v, want %v at %v", gotNames, gotLines, tt.names, tt.lines)
			}
		})
	}
}

func TestLoadFilesProblems(t *testing.T) {
	opt := DefaultOptions()
	opt.MaxFileBytes = 100
	r := LoadFiles([]File{
		{Name: "a.yaml", Data: []byte(doc("User", "u"))},
		{Name: "./a.yaml", Data: []byte(doc("User", "v"))},
		{Name: "big.yaml", Data: []byte(strings.Repeat("#", 101))},
		{Name: "bad.yaml", Data: []byte("a: b\n  c: d\n")},
	}, opt)
	got := Plan(nil, r, opt).Entries
	want := []paved.ImportEntry{
		{Kind: "User", Name: "u", Source: "a.yaml:1", Outcome: paved.OutcomeCreated},
		{Kind: "File", Name: "a.yaml", Source: "a.yaml", Outcome: paved.OutcomeInvalid, Reason: "the file was given twice; it is read once"},
		{Kind: "File", Name: "big.yaml", Source: "big.yaml", Outcome: paved.OutcomeInvalid, Reason: "the file is larger than the limit of 100 bytes for one catalog file (MaxFileBytes): split it, or raise the limit"},
		{Kind: "File", Name: "bad.yaml", Source: "bad.yaml:2", Outcome: paved.OutcomeInvalid, Reason: "malformed YAML, nothing in this file was imported: mapping values are not allowed in this context"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseRef(t *testing.T) {
	tests := []struct {
		in             string
		kind, ns, name string
		err            string
	}{
		{"team-a", "", "", "team-a", ""},
		{"group:team-a", "group", "", "team-a", ""},
		{"Group:default/Team-A", "group", "default", "Team-A", ""},
		{"  user:ns/jane.doe ", "user", "ns", "jane.doe", ""},
		{"", "", "", "", "spec.owner (f:1): the reference is empty"},
		{"group:", "group", "", "", "spec.owner (f:1): name is required"},
		{"group:team a", "group", "", "team a", `name "team a" is not valid`},
		{"a/b/c", "", "a", "b/c", `name "b/c" is not valid`},
	}
	for _, tt := range tests {
		r, err := parseRef(tt.in, "spec.owner", "f:1")
		if r.Kind != tt.kind || r.Namespace != tt.ns || r.Name != tt.name {
			t.Errorf("parseRef(%q) = %+v", tt.in, r)
		}
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("parseRef(%q) error = %v, want %q", tt.in, err, tt.err)
		}
		if err != nil && paved.ErrorCode(err) != paved.EINVALID {
			t.Errorf("parseRef(%q) code = %s", tt.in, paved.ErrorCode(err))
		}
	}
}

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"a/*/catalog-info.yaml", "a/b/catalog-info.yaml", true},
		{"a/*/catalog-info.yaml", "a/b/c/catalog-info.yaml", false},
		{"a/**/catalog-info.yaml", "a/catalog-info.yaml", true},
		{"a/**/catalog-info.yaml", "a/b/c/catalog-info.yaml", true},
		{"a/**", "a/b/c", true},
		{"**/*.yaml", "x.yaml", true},
		{"a/[b-c]?.yaml", "a/bx.yaml", true},
		{"a/[", "a/[", false}, // a malformed pattern matches nothing
		{"a/*.yaml", "b/x.yaml", false},
		{strings.Repeat("**/", 200) + "x", strings.Repeat("a/", 200) + "y", false},
	}
	for _, tt := range tests {
		if got := matchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v", tt.pattern, tt.name, got)
		}
	}
}
