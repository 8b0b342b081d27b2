package platform

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	paved "github.com/paved-dev/paved"
)

// A bundle (paved.ConfigBundle) is a config directory sent over the wire:
// a map of slash-separated relative paths to file contents, as JSON
// ({"files": {"paved.yaml": "...", "policies/x.rego": "..."}}) or as a
// .tar.gz of the directory. The server loads it into a temporary
// directory to analyse a proposed config (POST /api/v1/config/impact).

// MaxBundleBytes bounds a bundle's files (and its compressed or JSON form).
const MaxBundleBytes = 8 << 20

// maxPathLen bounds one path in a bundle.
const maxPathLen = 512

// MaxPolicyFileBytes bounds one policy (.rego) file of a bundle. Parsing
// Rego takes a few hundred times the source's size in memory (a 3.2 MB
// file took about 1 GB); the built-in library's largest file is 22 KiB, so
// a quarter of a MiB is generous for a hand-written policy and keeps the
// parse of a proposal well under 100 MiB.
const MaxPolicyFileBytes = 256 << 10

// maxUnpackedBytes bounds what a .tar.gz bundle unpacks to, headers,
// padding, folders and the hidden files left out included.
const maxUnpackedBytes = 4 * MaxBundleBytes

// BundleFromDir reads a config directory into a bundle, with the commit.
func BundleFromDir(dir string) (*paved.ConfigBundle, error) {
	files, err := ReadDir(dir)
	if err != nil {
		return nil, err
	}
	b := &paved.ConfigBundle{Files: map[string]string{}, Commit: GitCommit(dir)}
	total := 0
	for _, f := range files {
		total += len(f.Data)
		if total > MaxBundleBytes {
			return nil, paved.FieldErrorf(paved.ETOOLARGE, dir, "the config directory holds more than %d MiB: a bundle is at most that", MaxBundleBytes>>20)
		}
		b.Files[f.Path] = string(f.Data)
	}
	return b, nil
}

// ParseBundleJSON reads a JSON bundle.
func ParseBundleJSON(data []byte) (*paved.ConfigBundle, error) {
	var b paved.ConfigBundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "body", "not a config bundle: want {\"files\": {\"paved.yaml\": \"...\", ...}}: %v", err)
	}
	if dec.More() {
		return nil, paved.FieldErrorf(paved.EINVALID, "body", "more than one JSON value")
	}
	if err := checkBundle(&b); err != nil {
		return nil, err
	}
	return &b, nil
}

// ReadBundleTarGz reads a .tar.gz of a config directory. Only regular
// files count; hidden files and folders are left out as ReadDir leaves
// them out; links, devices and paths that leave the directory are errors.
func ReadBundleTarGz(r io.Reader) (*paved.ConfigBundle, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, paved.FieldErrorf(paved.EINVALID, "body", "not a .tar.gz: %v", err)
	}
	defer zr.Close()
	// A plain io.LimitReader would end the archive quietly at the cap: when
	// the cap falls on a header boundary, tar sees a clean end and every
	// entry after it (a policy hidden behind padding) would be left out of
	// the analysis. capReader fails instead.
	cr := &capReader{r: zr, left: maxUnpackedBytes}
	tr := tar.NewReader(cr)
	b := &paved.ConfigBundle{Files: map[string]string{}}
	total := 0
	for {
		h, err := tr.Next()
		if cr.over {
			return nil, paved.FieldErrorf(paved.ETOOLARGE, "body", "the archive unpacks to more than %d MiB", maxUnpackedBytes>>20)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, "body", "not a valid .tar.gz: %v", err)
		}
		name, err := tarEntryName(h.Name)
		if err != nil {
			return nil, err
		}
		switch h.Typeflag {
		case tar.TypeDir, tar.TypeXGlobalHeader, tar.TypeXHeader:
			continue
		case tar.TypeReg:
		default:
			return nil, paved.FieldErrorf(paved.EINVALID, h.Name, "only regular files may be in a config bundle (no links or devices)")
		}
		if hidden(name) {
			continue
		}
		if h.Size > MaxBundleBytes || total+int(h.Size) > MaxBundleBytes {
			return nil, paved.FieldErrorf(paved.ETOOLARGE, h.Name, "the bundle's files are larger than %d MiB", MaxBundleBytes>>20)
		}
		data, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if cr.over {
			return nil, paved.FieldErrorf(paved.ETOOLARGE, "body", "the archive unpacks to more than %d MiB", maxUnpackedBytes>>20)
		}
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, h.Name, "cannot read: %v", err)
		}
		total += len(data)
		if _, dup := b.Files[name]; dup {
			return nil, paved.FieldErrorf(paved.EINVALID, h.Name, "the file is in the archive twice")
		}
		b.Files[name] = string(data)
		if len(b.Files) > MaxFiles {
			return nil, paved.FieldErrorf(paved.ETOOLARGE, "body", "more than %d files", MaxFiles)
		}
	}
	if err := checkBundle(b); err != nil {
		return nil, err
	}
	return b, nil
}

// tarEntryName is the bundle path of an archive entry: "./" prefixes and
// a trailing "/" (folders) are dropped; a name that is absolute or climbs
// out of the directory is an error, never rewritten into one that does
// not (the file would be analysed under another name than it was sent).
func tarEntryName(n string) (string, error) {
	name := strings.TrimSuffix(n, "/")
	for strings.HasPrefix(name, "./") {
		name = name[2:]
	}
	if name == "" || name == "." {
		return ".", nil
	}
	if strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name ||
		name == ".." || strings.HasPrefix(name, "../") {
		return "", paved.FieldErrorf(paved.EINVALID, n, "an archive entry's name must be relative and stay inside the directory (no leading '/', no '..')")
	}
	return name, nil
}

// capReader reads at most left bytes of r and then fails, remembering
// that it did (over), rather than ending as if r had ended.
type capReader struct {
	r    io.Reader
	left int64
	over bool
}

var errUnpackedCap = errors.New("the archive unpacks to more than the limit")

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a stream that ends exactly at the cap
		// from one that goes on.
		var one [1]byte
		n, err := io.ReadFull(c.r, one[:])
		if n > 0 {
			c.over = true
			return 0, errUnpackedCap
		}
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

func hidden(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// checkBundle validates the paths and sizes of a bundle.
func checkBundle(b *paved.ConfigBundle) error {
	if len(b.Files) == 0 {
		return paved.FieldErrorf(paved.EINVALID, "files", "the bundle has no files: send at least paved.yaml")
	}
	if len(b.Files) > MaxFiles {
		return paved.FieldErrorf(paved.ETOOLARGE, "files", "%d files: a bundle holds at most %d", len(b.Files), MaxFiles)
	}
	if _, ok := b.Files[ConfigFile]; !ok {
		return paved.FieldErrorf(paved.EINVALID, "files", "the bundle has no %s at its top: send the config directory's files with paths relative to it", ConfigFile)
	}
	if b.Commit != "" && !shaRE.MatchString(b.Commit) {
		return paved.FieldErrorf(paved.EINVALID, "commit", "commit %q is not a full git commit id (40 or 64 hex digits)", b.Commit)
	}
	total := 0
	for p, data := range b.Files {
		total += len(data)
		if err := checkBundlePath(p); err != nil {
			return err
		}
		if strings.HasSuffix(p, ".rego") && len(data) > MaxPolicyFileBytes {
			return paved.FieldErrorf(paved.ETOOLARGE, "files."+p, "the policy file takes %d bytes: a policy file in a bundle is at most %d KiB", len(data), MaxPolicyFileBytes>>10)
		}
	}
	if total > MaxBundleBytes {
		return paved.FieldErrorf(paved.ETOOLARGE, "files", "the files take %d bytes: at most %d", total, MaxBundleBytes)
	}
	return nil
}

func checkBundlePath(p string) error {
	field := "files." + p
	switch {
	case p == "" || len(p) > maxPathLen || !utf8.ValidString(p):
		return paved.FieldErrorf(paved.EINVALID, field, "a path must be 1 to %d bytes of UTF-8", maxPathLen)
	case strings.ContainsAny(p, "\\\x00:") || strings.HasPrefix(p, "/"):
		return paved.FieldErrorf(paved.EINVALID, field, "a path is relative, with forward slashes, and without ':' or '\\'")
	case path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return paved.FieldErrorf(paved.EINVALID, field, "a path must be clean and stay inside the directory (no '..', '.', '//' or trailing '/')")
	case hidden(p):
		return paved.FieldErrorf(paved.EINVALID, field, "hidden files and folders are not part of a config directory")
	case strings.Count(p, "/") > maxDepth:
		return paved.FieldErrorf(paved.EINVALID, field, "folders nested more than %d deep", maxDepth)
	}
	return nil
}

// BundleVersion is the bundle's version: the same content hash as the
// directory it came from.
func BundleVersion(b *paved.ConfigBundle) Version {
	return Version{Hash: HashFiles(bundleFiles(b)), Commit: b.Commit}
}

func bundleFiles(b *paved.ConfigBundle) []File {
	out := make([]File, 0, len(b.Files))
	for p, d := range b.Files {
		out = append(out, File{Path: p, Data: normalise([]byte(d))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// unsafeBuiltins are the Rego functions a proposed config sent to a
// server may not call: they reach out of the evaluation (the network, the
// server's environment).
var unsafeBuiltins = map[string]bool{
	"http.send": true, "net.lookup_ip_addr": true, "opa.runtime": true,
}

// expandingBuiltins are the Rego functions whose result's size is set by
// a number or a product of their arguments rather than bounded by them:
// net.cidr_expand("10.0.0.0/4") is 2^28 strings, numbers.range(1, 1e10)
// ten billion numbers, replace(s, "a", t) len(s) x len(t) bytes. One call
// is a single allocation that no timeout interrupts, so a proposed config
// that calls them could take the server down; the server refuses such a
// proposal (paved policy impact analyses it on a copy of the database).
var expandingBuiltins = map[string]bool{
	"net.cidr_expand": true, "numbers.range": true, "numbers.range_step": true,
	"replace": true, "strings.replace_n": true, "regex.replace": true,
	"strings.render_template": true,
}

// maxFormatWidth bounds the width and precision of a sprintf verb in a
// proposed policy ("%999999d" is a megabyte per call).
const maxFormatWidth = 999

var formatWidthRE = regexp.MustCompile(`%[-+# 0]*(\*|[0-9]{4,})|%[-+# 0]*[0-9]*\.(\*|[0-9]{4,})`)

// CheckSafePolicies refuses policies that call a function reaching out of
// the evaluation, or one whose result can be made arbitrarily large. The
// server evaluates a proposed config sent by a CI job; it must not be able
// to make the server fetch URLs, read its environment or run out of
// memory. The error names file:line.
func CheckSafePolicies(b *paved.ConfigBundle) error {
	paths := make([]string, 0, len(b.Files))
	for p := range b.Files {
		if strings.HasSuffix(p, ".rego") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		if len(b.Files[p]) > MaxPolicyFileBytes {
			return paved.FieldErrorf(paved.ETOOLARGE, "files."+p, "the policy file takes %d bytes: a policy file in a bundle is at most %d KiB", len(b.Files[p]), MaxPolicyFileBytes>>10)
		}
		m, err := ast.ParseModuleWithOpts(p, b.Files[p], ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			// Whatever syntax the engine might accept is checked too.
			if m, err = ast.ParseModuleWithOpts(p, b.Files[p], ast.ParserOptions{RegoVersion: ast.RegoV0}); err != nil {
				continue // the engine reports syntax errors with their place
			}
		}
		var bad *ast.Term
		var why string
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if bad != nil {
				return true
			}
			name := ""
			switch v := t.Value.(type) {
			case ast.Call:
				if len(v) > 0 {
					name = v[0].String()
				}
				if name == "sprintf" && len(v) > 1 {
					if f, ok := v[1].Value.(ast.String); !ok || formatWidthRE.MatchString(string(f)) {
						bad, why = t, fmt.Sprintf("sprintf's format must be a string literal with widths and precisions under %d in a proposed config", maxFormatWidth+1)
						return true
					}
				}
			case ast.Ref:
				name = v.String()
			}
			switch {
			case unsafeBuiltins[name]:
				bad, why = t, "the policy calls a function that reaches outside the evaluation (http.send, net.lookup_ip_addr or opa.runtime): the server does not evaluate such policies in a proposed config"
			case expandingBuiltins[name]:
				bad, why = t, fmt.Sprintf("the policy calls %s, whose result's size is set by its arguments (%s): the server does not evaluate such policies in a proposed config; run paved policy impact on a copy of the database instead", name, strings.Join(sortedNames(expandingBuiltins), ", "))
			}
			return bad != nil
		})
		if bad != nil {
			where := p
			if bad.Location != nil {
				where = fmt.Sprintf("%s:%d", p, bad.Location.Row)
			}
			return paved.FieldErrorf(paved.EUNPROCESSABLE, where, "%s", why)
		}
	}
	return nil
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LoadBundle writes the bundle into a temporary directory and loads it as
// a snapshot (without secrets: a proposed config is analysed, not served).
// The directory is removed before LoadBundle returns; error locations name
// the bundle's paths.
func LoadBundle(b *paved.ConfigBundle, o Options) (*Snapshot, error) {
	if err := checkBundle(b); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "paved-bundle-")
	if err != nil {
		return nil, fmt.Errorf("bundle: temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, f := range bundleFiles(b) {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o600); err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
	}
	o.Secrets = nil
	s, err := Load(tmp, o)
	if err != nil {
		return nil, stripDir(err, tmp)
	}
	s.Dir = ""
	s.Version.Commit = b.Commit
	return s, nil
}

// stripDir removes the temporary directory from an error's location and
// message, so that it names the bundle's own paths.
func stripDir(err error, dir string) error {
	var pe *paved.Error
	if !errors.As(err, &pe) {
		return err
	}
	prefix := dir + string(filepath.Separator)
	clean := func(s string) string {
		s = strings.ReplaceAll(s, prefix, "")
		s = strings.ReplaceAll(s, filepath.ToSlash(prefix), "")
		return strings.ReplaceAll(s, dir, ".")
	}
	return &paved.Error{Code: pe.Code, Field: clean(pe.Field), Message: clean(pe.Message)}
}
