package platform

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestHashIsStable(t *testing.T) {
	a := t.TempDir()
	writeFile(t, a, "paved.yaml", "organisation:\n  name: X\n")
	writeFile(t, a, "policies/a.rego", "package a\n")
	writeFile(t, a, "templates/checklist.yaml", "kind: checklist\n")
	h1, err := HashDir(a)
	must(t, err)

	// Same files written in another order, with CRLF line endings, and
	// with hidden files and folders beside them: the same hash.
	b := t.TempDir()
	writeFile(t, b, "templates/checklist.yaml", "kind: checklist\r\n")
	writeFile(t, b, "policies/a.rego", "package a\r\n")
	writeFile(t, b, "paved.yaml", "organisation:\r\n  name: X\r\n")
	writeFile(t, b, ".git/HEAD", "ref: refs/heads/main\n")
	writeFile(t, b, ".github/workflows/ci.yaml", "on: push\n")
	writeFile(t, b, "policies/.hidden.rego", "package hidden\n")
	h2, err := HashDir(b)
	must(t, err)
	if h1 != h2 {
		t.Fatalf("hash differs for the same content: %s %s", h1, h2)
	}
	// Any change of content or path changes it.
	for _, change := range []func(dir string){
		func(d string) { writeFile(t, d, "paved.yaml", "organisation:\n  name: Y\n") },
		func(d string) { writeFile(t, d, "policies/b.rego", "package a\n") },
		func(d string) {
			must(t, os.Rename(filepath.Join(d, "policies/a.rego"), filepath.Join(d, "policies/c.rego")))
		},
		func(d string) { writeFile(t, d, "README.md", "") },
	} {
		d := copyDir(t, a)
		change(d)
		h, err := HashDir(d)
		must(t, err)
		if h == h1 {
			t.Fatal("a change did not change the hash")
		}
	}
	// The version string keeps 16 hex digits and the commit's 12.
	v := Version{Hash: h1, Commit: strings.Repeat("ab", 20)}
	if s := v.String(); s != h1[:16]+"@abababababab" || VersionHash(s) != h1[:16] || !SameVersion(s, h1[:16]) || SameVersion("", "") {
		t.Fatalf("version string %q", s)
	}
	if (Version{}).String() != BuiltinVersion {
		t.Fatal("the empty version is not builtin")
	}
}

func TestHashFollowsConfigMapLinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links")
	}
	plain := t.TempDir()
	writeFile(t, plain, "paved.yaml", "organisation:\n  name: X\n")
	writeFile(t, plain, "ownership.yaml", "version: 1\n")
	want, err := HashDir(plain)
	must(t, err)
	// A ConfigMap volume: visible links into ..data, a link to the
	// timestamped folder.
	cm := t.TempDir()
	writeFile(t, cm, "..2030_01_01/paved.yaml", "organisation:\n  name: X\n")
	writeFile(t, cm, "..2030_01_01/ownership.yaml", "version: 1\n")
	must(t, os.Symlink("..2030_01_01", filepath.Join(cm, "..data")))
	must(t, os.Symlink("..data/paved.yaml", filepath.Join(cm, "paved.yaml")))
	must(t, os.Symlink("..data/ownership.yaml", filepath.Join(cm, "ownership.yaml")))
	got, err := HashDir(cm)
	must(t, err)
	if got != want {
		t.Fatalf("ConfigMap layout hashes %s, plain folder %s", got, want)
	}
	// A link loop is an error, not a hang.
	loop := t.TempDir()
	must(t, os.Symlink(".", filepath.Join(loop, "again")))
	if _, err := HashDir(loop); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Fatalf("link loop: %v", err)
	}
}

func TestGitCommitWithoutGit(t *testing.T) {
	sha := strings.Repeat("1234567890", 4)
	other := strings.Repeat("abcdef0123", 4)
	cases := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"loose ref", map[string]string{".git/HEAD": "ref: refs/heads/main\n", ".git/refs/heads/main": sha + "\n"}, sha},
		{"packed ref", map[string]string{".git/HEAD": "ref: refs/heads/main\n", ".git/packed-refs": "# pack-refs with: peeled\n" + other + " refs/heads/dev\n" + sha + " refs/heads/main\n^" + other + "\n"}, sha},
		{"detached", map[string]string{".git/HEAD": sha + "\n"}, sha},
		{"worktree", map[string]string{".git": "gitdir: ../main/.git/worktrees/wt\n", "../main/.git/worktrees/wt/HEAD": "ref: refs/heads/feature\n",
			"../main/.git/worktrees/wt/commondir": "../..\n", "../main/.git/refs/heads/feature": sha + "\n"}, sha},
		{"no ref", map[string]string{".git/HEAD": "ref: refs/heads/none\n"}, ""},
		{"a ref that climbs out", map[string]string{".git/HEAD": "ref: refs/../../../etc/passwd\n"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			repo := filepath.Join(root, "repo")
			for name, body := range c.files {
				writeFile(t, repo, name, body)
			}
			writeFile(t, repo, "platform/paved.yaml", "organisation:\n  name: X\n")
			if got := readGitCommit(filepath.Join(repo, "platform")); got != c.want {
				t.Fatalf("commit = %q, want %q", got, c.want)
			}
		})
	}
}

func TestReadDirLimits(t *testing.T) {
	d := t.TempDir()
	for i := 0; i <= MaxFiles; i++ {
		writeFile(t, d, "many/f"+strconv.Itoa(i), "x")
	}
	if _, err := ReadDir(d); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("too many files: %v", err)
	}
}
