// Package catalog reads Backstage catalog files (catalog-info.yaml) into
// paved's catalog and writes paved's catalog back out as Backstage YAML.
// It parses and plans only: Plan compares what was read with the current
// catalog and says what an import would create, update or leave alone;
// the store writes the plan. Nothing here touches a database.
package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	paved "github.com/paved-dev/paved"
)

// File is one catalog file: its name as given (or relative to the file
// whose Location named it) and its bytes. The CLI sends Collect's files to
// the server, which loads them with LoadFiles: both see the same names.
type File struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Read is what LoadFiles found: every document of every file, in input
// order, including those that were skipped or invalid, and one entity of
// kind "File" for each file that could not be parsed.
type Read struct {
	Entities []*Entity
}

// Load reads catalog files and folders from disk; it is Collect followed
// by LoadFiles.
func Load(paths []string, opt Options) (*Read, error) {
	files, err := Collect(paths, opt)
	if err != nil {
		return nil, err
	}
	return LoadFiles(files, opt), nil
}

// Collect reads the named files, the *.yaml and *.yml files under the named
// folders (recursively, leaving out hidden folders such as .git and
// .github, whose YAML is not catalog), "-" as stdin, and then the files
// that Location entities in them point to by relative path, each file
// once. A path that cannot be read or a file over opt.MaxFileBytes is an
// error: the user named it, so importing without it would mislead. A
// Location target that does not exist is not an error here: LoadFiles
// reports it as a skipped target, the same way for the CLI and the API.
func Collect(paths []string, opt Options) ([]File, error) {
	o := opt.normalized()
	c := &collector{opt: o, seen: map[string]bool{}}
	for _, p := range paths {
		if p == "-" {
			in := o.Stdin
			if in == nil {
				in = os.Stdin
			}
			if err := c.addReader("stdin", in); err != nil {
				return nil, err
			}
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, paved.FieldErrorf(paved.ENOTFOUND, p, "no such file or folder")
			}
			return nil, paved.FieldErrorf(paved.EINVALID, p, "cannot read: %v", paved.UnwrapPathError(err))
		}
		if !fi.IsDir() {
			if err := c.addFile(p); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return paved.FieldErrorf(paved.EINVALID, fp, "cannot read: %v", paved.UnwrapPathError(err))
			}
			if d.IsDir() {
				if fp != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if isYAMLName(d.Name()) && isFile(fp, d) {
				return c.addFile(fp)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Follow Locations breadth first; c.files grows as targets are added,
	// and c.seen makes a cycle of Locations end.
	for i := 0; i < len(c.files); i++ {
		if err := c.follow(c.files[i]); err != nil {
			return nil, err
		}
	}
	return c.files, nil
}

// isFile reports whether a walked entry is a regular file or a symbolic
// link to one (catalogs assembled from links are common in monorepos).
func isFile(fp string, d fs.DirEntry) bool {
	if d.Type().IsRegular() {
		return true
	}
	if d.Type()&fs.ModeSymlink != 0 {
		fi, err := os.Stat(fp)
		return err == nil && fi.Mode().IsRegular()
	}
	return false
}

func isYAMLName(n string) bool {
	ext := strings.ToLower(filepath.Ext(n))
	return ext == ".yaml" || ext == ".yml"
}

// unwrapPath drops the path from an *fs.PathError: the caller names it.

type collector struct {
	opt   Options
	seen  map[string]bool
	files []File
}

func (c *collector) addFile(fp string) error {
	name := cleanName(fp)
	if c.seen[name] {
		return nil
	}
	f, err := os.Open(fp)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return paved.FieldErrorf(paved.ENOTFOUND, name, "no such file")
		}
		return paved.FieldErrorf(paved.EINVALID, name, "cannot read: %v", paved.UnwrapPathError(err))
	}
	defer f.Close()
	return c.addReader(name, f)
}

func (c *collector) addReader(name string, r io.Reader) error {
	c.seen[name] = true
	data, err := io.ReadAll(io.LimitReader(r, c.opt.MaxFileBytes+1))
	if err != nil {
		return paved.FieldErrorf(paved.EINVALID, name, "cannot read: %v", paved.UnwrapPathError(err))
	}
	if int64(len(data)) > c.opt.MaxFileBytes {
		return tooLarge(name, c.opt.MaxFileBytes)
	}
	c.files = append(c.files, File{Name: name, Data: data})
	return nil
}

func tooLarge(name string, limit int64) *paved.Error {
	return paved.FieldErrorf(paved.ETOOLARGE, name, "the file is larger than the limit of %d bytes for one catalog file (MaxFileBytes): split it, or raise the limit", limit)
}

// follow adds the files that the Locations in f point to.
func (c *collector) follow(f File) error {
	// Most files hold no Location; skip parsing them a second time.
	if !bytes.Contains(f.Data, []byte("ocation")) {
		return nil
	}
	docs, err := parseDocuments(f.Data)
	if err != nil {
		return nil // LoadFiles reports the malformed file
	}
	for _, doc := range docs {
		e := decodeDocument(f.Name, doc, &c.opt)
		if e.Kind != kindLocation || e.Outcome != "" {
			continue
		}
		for _, t := range e.targets {
			if targetSkipReason(e, t.Value) != "" {
				continue
			}
			pattern := path.Join(path.Dir(f.Name), filepath.ToSlash(t.Value))
			if !hasMeta(pattern) {
				if fi, err := os.Stat(filepath.FromSlash(pattern)); err == nil && fi.Mode().IsRegular() {
					if err := c.addFile(filepath.FromSlash(pattern)); err != nil {
						return err
					}
				}
				continue
			}
			if err := c.addGlob(pattern); err != nil {
				return err
			}
		}
	}
	return nil
}

// addGlob walks the folder before the first wildcard and adds the regular
// files that match pattern (with ** for any number of folders).
func (c *collector) addGlob(pattern string) error {
	segs := strings.Split(pattern, "/")
	i := 0
	for i < len(segs) && !hasMeta(segs[i]) {
		i++
	}
	base := strings.Join(segs[:i], "/")
	if base == "" {
		base = "."
		if strings.HasPrefix(pattern, "/") {
			base = "/"
		}
	}
	var matches []string
	err := filepath.WalkDir(filepath.FromSlash(base), func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable or missing folder just matches nothing
		}
		if d.IsDir() && fp != filepath.FromSlash(base) && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir // as for folders: .git and .github hold no catalog
		}
		if isFile(fp, d) && matchGlob(pattern, cleanName(fp)) {
			matches = append(matches, fp)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range matches {
		if err := c.addFile(m); err != nil {
			return err
		}
	}
	return nil
}

// cleanName is the form file names are compared in: slash-separated and
// cleaned, so that "./a/../b.yaml" and "b.yaml" are the same file.
func cleanName(n string) string {
	if n == "" {
		return "unnamed"
	}
	return path.Clean(filepath.ToSlash(n))
}

func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// matchGlob matches a slash-separated name against a pattern whose
// segments follow path.Match, plus "**" for zero or more whole segments
// (as Backstage's file locations allow). It runs in time proportional to
// segments(pattern) x segments(name), whatever the input.
func matchGlob(pattern, name string) bool {
	ps, ns := strings.Split(pattern, "/"), strings.Split(name, "/")
	// ok[j] reports whether ps[:i] matches ns[:j] for the current i.
	ok := make([]bool, len(ns)+1)
	ok[0] = true
	for _, p := range ps {
		next := make([]bool, len(ns)+1)
		if p == "**" {
			seen := false
			for j := 0; j <= len(ns); j++ {
				seen = seen || ok[j]
				next[j] = seen
			}
		} else {
			for j := 1; j <= len(ns); j++ {
				if ok[j-1] {
					m, err := path.Match(p, ns[j-1])
					next[j] = err == nil && m
				}
			}
		}
		ok = next
	}
	return ok[len(ns)]
}

// targetSkipReason says why a Location target is not followed, or "".
func targetSkipReason(loc *Entity, t string) string {
	lt := strings.ToLower(t)
	switch typ := strings.ToLower(loc.locType); {
	case typ != "" && typ != "file" && typ != "url":
		return fmt.Sprintf("a Location of type %q is read by a Backstage provider; paved imports files (type file or url with a relative path)", loc.locType)
	case strings.HasPrefix(lt, "http://") || strings.HasPrefix(lt, "https://") || strings.Contains(t, "://"):
		return "paved imports files, not URLs: fetch the file and import it"
	case path.IsAbs(filepath.ToSlash(t)) || filepath.IsAbs(t) || (len(t) > 2 && t[1] == ':' && (t[2] == '\\' || t[2] == '/')):
		return "an absolute path: paved follows only paths relative to the Location's file; name the file in the import instead"
	}
	return ""
}

// LoadFiles parses catalog files. It never fails as a whole: a file that
// cannot be parsed becomes one invalid entity of kind "File" naming
// file:line, and the other files load. Location targets resolve among the
// given file names only (it never reads the disk), so the server can load
// what a client collected.
func LoadFiles(files []File, opt Options) *Read {
	o := opt.normalized()
	r := &Read{}
	names := make(map[string]bool, len(files))
	for _, f := range files {
		name := cleanName(f.Name)
		if names[name] {
			r.Entities = append(r.Entities, fileEntity(name, 0, "the file was given twice; it is read once"))
			continue
		}
		names[name] = true
		if int64(len(f.Data)) > o.MaxFileBytes {
			r.Entities = append(r.Entities, fileEntity(name, 0, tooLarge(name, o.MaxFileBytes).Message))
			continue
		}
		docs, err := parseDocuments(f.Data)
		if err != nil {
			if why := skeletonFileReason(f.Data); why != "" {
				r.Entities = append(r.Entities, &Entity{Kind: kindFile, Name: name, File: name, Outcome: paved.OutcomeSkipped, Reason: why})
				continue
			}
			var pe *parseError
			if errors.As(err, &pe) {
				what := "malformed YAML"
				if pe.Limit {
					what = "refused"
				}
				r.Entities = append(r.Entities, fileEntity(name, pe.Line, what+", nothing in this file was imported: "+pe.Msg))
			} else {
				r.Entities = append(r.Entities, fileEntity(name, 0, "malformed YAML, nothing in this file was imported: "+err.Error()))
			}
			continue
		}
		for _, doc := range docs {
			r.Entities = append(r.Entities, decodeDocument(name, doc, &o))
		}
	}
	r.resolveLocations(names)
	return r
}

func fileEntity(name string, line int, reason string) *Entity {
	return &Entity{Kind: kindFile, Name: name, File: name, Line: line, Outcome: paved.OutcomeInvalid, Reason: reason}
}

// resolveLocations settles each Location: it is reported as skipped (paved
// stores no locations) naming the files it led to, and each target that
// could not be followed gets its own skipped entry with the reason, placed
// right after the Location.
func (r *Read) resolveLocations(names map[string]bool) {
	var sorted []string
	out := make([]*Entity, 0, len(r.Entities))
	for _, e := range r.Entities {
		out = append(out, e)
		if e.Kind != kindLocation || e.Outcome != "" {
			continue
		}
		if sorted == nil {
			sorted = make([]string, 0, len(names))
			for n := range names {
				sorted = append(sorted, n)
			}
			sort.Strings(sorted)
		}
		var read []string
		for _, t := range e.targets {
			reason := targetSkipReason(e, t.Value)
			if reason == "" {
				p := path.Join(path.Dir(e.File), filepath.ToSlash(t.Value))
				var found []string
				if hasMeta(p) {
					for _, n := range sorted {
						if matchGlob(p, n) {
							found = append(found, n)
						}
					}
				} else if names[p] {
					found = []string{p}
				}
				if len(found) == 0 {
					reason = fmt.Sprintf("%s (%s) is not among the files read: check the path", t.Value, p)
				}
				read = append(read, found...)
			}
			if reason != "" {
				out = append(out, &Entity{Kind: kindLocation, Name: t.Value, File: e.File, Line: t.Line, Outcome: paved.OutcomeSkipped, Reason: "target not followed: " + reason})
			}
		}
		e.Outcome = paved.OutcomeSkipped
		if len(read) > 0 {
			e.Reason = "paved stores no locations; it read the files this one points to: " + strings.Join(read, ", ")
		} else {
			e.Reason = "paved stores no locations, and none of this one's targets could be followed"
		}
	}
	r.Entities = out
}
