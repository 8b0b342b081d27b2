package platform

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Version identifies one state of a platform config directory: the content
// hash of every file in it, and the git commit when the directory is (in) a
// git checkout. The hash alone decides whether two configs are the same:
// the same files give the same hash on any machine, in any checkout, with
// either line ending.
type Version struct {
	// Hash is the hex SHA-256 of the directory's files (HashDir).
	Hash string `json:"hash"`
	// Commit is the checked-out git commit, "" when there is none or it
	// could not be read.
	Commit string `json:"commit,omitempty"`
}

// BuiltinVersion is the version string of the built-in defaults: paved run
// with no platform config directory.
const BuiltinVersion = "builtin"

// hashLen and commitLen are how much of the hash and the commit a version
// string keeps: 64 bits tell configs apart, 12 hex digits name a commit
// the way git abbreviates it.
const (
	hashLen   = 16
	commitLen = 12
)

// String is the version as recorded with a check and shown in the portal:
// "3f2a9c0d1e2b4a5c", or "3f2a9c0d1e2b4a5c@1a2b3c4d5e6f" with the commit;
// BuiltinVersion for the defaults.
func (v Version) String() string {
	if v.Hash == "" {
		return BuiltinVersion
	}
	s := v.Hash
	if len(s) > hashLen {
		s = s[:hashLen]
	}
	if v.Commit != "" {
		c := v.Commit
		if len(c) > commitLen {
			c = c[:commitLen]
		}
		s += "@" + c
	}
	return s
}

// Short is the hash part of the version string.
func (v Version) Short() string { return VersionHash(v.String()) }

// VersionHash returns the content part of a version string (what comes
// before "@"): two checks evaluated against the same files have the same
// one, whatever commit they came from.
func VersionHash(s string) string {
	h, _, _ := strings.Cut(strings.TrimSpace(s), "@")
	return h
}

// SameVersion reports whether two version strings name the same config
// content. An empty string (a check recorded without a version) is never
// the same as anything.
func SameVersion(a, b string) bool {
	ha, hb := VersionHash(a), VersionHash(b)
	return ha != "" && ha == hb
}

// Limits on what HashDir reads: a platform config directory is a few dozen
// small files; anything far bigger is the wrong directory.
const (
	// MaxFiles bounds the files of a config directory.
	MaxFiles = 2000
	// MaxBytes bounds their total size.
	MaxBytes = 64 << 20
	// maxDepth bounds the folder nesting (and symbolic link loops).
	maxDepth = 8
)

// File is one file of a config directory: its slash-separated path
// relative to the directory, and its content with line endings normalised.
type File struct {
	Path string
	Data []byte
}

// ReadDir reads every file of a config directory, in path order: regular
// files and symbolic links to them at any depth, leaving out hidden files
// and folders (names that start with a dot: .git, .github, and the ..data
// and ..2024_* entries of a Kubernetes ConfigMap volume, whose visible
// files are links into them). Line endings are normalised to \n.
func ReadDir(dir string) ([]File, error) {
	var out []File
	total := 0
	var walk func(abs, rel string, depth int) error
	walk = func(abs, rel string, depth int) error {
		if depth > maxDepth {
			return paved.FieldErrorf(paved.EINVALID, abs, "folders nested more than %d deep (or a symbolic link loop): a platform config directory is shallow", maxDepth)
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			return paved.FieldErrorf(paved.EINVALID, abs, "cannot read the folder: %v", paved.UnwrapPathError(err))
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p := filepath.Join(abs, name)
			r := name
			if rel != "" {
				r = rel + "/" + name
			}
			fi, err := os.Stat(p) // follows links (ConfigMap volumes are links)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue // a dangling link, or removed while we read
				}
				return paved.FieldErrorf(paved.EINVALID, p, "cannot read: %v", paved.UnwrapPathError(err))
			}
			switch {
			case fi.IsDir():
				if err := walk(p, r, depth+1); err != nil {
					return err
				}
			case fi.Mode().IsRegular():
				if len(out) >= MaxFiles {
					return paved.FieldErrorf(paved.ETOOLARGE, dir, "more than %d files: is this the platform config directory?", MaxFiles)
				}
				if total+int(fi.Size()) > MaxBytes {
					return paved.FieldErrorf(paved.ETOOLARGE, dir, "more than %d MiB of files: is this the platform config directory?", MaxBytes>>20)
				}
				data, err := readCapped(p, MaxBytes-total)
				if err != nil {
					return err
				}
				total += len(data)
				out = append(out, File{Path: r, Data: normalise(data)})
			}
		}
		return nil
	}
	if err := walk(dir, "", 0); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func readCapped(p string, limit int) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, p, "cannot read: %v", paved.UnwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, p, "cannot read: %v", paved.UnwrapPathError(err))
	}
	if len(data) > limit {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, p, "the config directory is larger than %d MiB", MaxBytes>>20)
	}
	return data, nil
}

// normalise turns CRLF line endings into LF, so that a checkout on Windows
// hashes like one on Linux.
func normalise(b []byte) []byte {
	if !bytes.Contains(b, []byte("\r\n")) {
		return b
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}

// HashFiles is the content hash of a set of files (sorted by path, as
// ReadDir returns them): SHA-256 over a format tag and, per file, its path
// and its normalised content, each length-prefixed.
func HashFiles(files []File) string {
	h := sha256.New()
	io.WriteString(h, "paved-config-v1\n")
	for _, f := range files {
		fmt.Fprintf(h, "%d:%s\n%d:", len(f.Path), f.Path, len(f.Data))
		h.Write(normalise(f.Data))
		io.WriteString(h, "\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

// HashDir is the content hash of a config directory (ReadDir, HashFiles).
func HashDir(dir string) (string, error) {
	files, err := ReadDir(dir)
	if err != nil {
		return "", err
	}
	return HashFiles(files), nil
}

// DirVersion is the version of a config directory: its content hash and,
// when it lies in a git checkout, the commit checked out.
func DirVersion(dir string) (Version, error) {
	h, err := HashDir(dir)
	if err != nil {
		return Version{}, err
	}
	return Version{Hash: h, Commit: GitCommit(dir)}, nil
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// GitCommit returns the commit checked out in the git repository that
// holds dir, or "". It reads .git/HEAD and the refs (loose and packed,
// worktrees and submodules included) without running git; when that fails
// and a git executable is on the PATH, it asks `git rev-parse HEAD`.
func GitCommit(dir string) string {
	if c := readGitCommit(dir); c != "" {
		return c
	}
	if _, err := exec.LookPath("git"); err != nil {
		return ""
	}
	cmd := exec.Command("git", "-C", dir, "rev-parse", "HEAD")
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	if s := strings.TrimSpace(string(out)); shaRE.MatchString(s) {
		return s
	}
	return ""
}

// readGitCommit finds the git directory above dir and resolves HEAD.
func readGitCommit(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for i := 0; i < 64; i++ {
		gd := filepath.Join(abs, ".git")
		if fi, err := os.Stat(gd); err == nil {
			if fi.Mode().IsRegular() {
				// A worktree or submodule: "gitdir: <path>".
				b, err := readSmall(gd)
				if err != nil {
					return ""
				}
				s, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
				if !ok {
					return ""
				}
				gd = strings.TrimSpace(s)
				if !filepath.IsAbs(gd) {
					gd = filepath.Join(abs, gd)
				}
			}
			return resolveHead(gd)
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return ""
		}
		abs = parent
	}
	return ""
}

func readSmall(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 64<<10))
}

// resolveHead reads HEAD of the git directory gd: a detached commit, or a
// ref looked up in gd, then in its common directory (worktrees), loose
// first and then in packed-refs.
func resolveHead(gd string) string {
	b, err := readSmall(filepath.Join(gd, "HEAD"))
	if err != nil {
		return ""
	}
	head := strings.TrimSpace(string(b))
	if shaRE.MatchString(head) {
		return head
	}
	ref, ok := strings.CutPrefix(head, "ref:")
	if !ok {
		return ""
	}
	ref = strings.TrimSpace(ref)
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
		return ""
	}
	dirs := []string{gd}
	if c, err := readSmall(filepath.Join(gd, "commondir")); err == nil {
		cd := strings.TrimSpace(string(c))
		if !filepath.IsAbs(cd) {
			cd = filepath.Join(gd, cd)
		}
		dirs = append(dirs, cd)
	}
	for _, d := range dirs {
		if b, err := readSmall(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
			if s := strings.TrimSpace(string(b)); shaRE.MatchString(s) {
				return s
			}
		}
	}
	for _, d := range dirs {
		if s := packedRef(filepath.Join(d, "packed-refs"), ref); s != "" {
			return s
		}
	}
	return ""
}

func packedRef(file, ref string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<20))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || line[0] == '^' {
			continue
		}
		sha, name, ok := strings.Cut(line, " ")
		if ok && name == ref && shaRE.MatchString(sha) {
			return sha
		}
	}
	return ""
}
