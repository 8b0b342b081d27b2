// Package iac reads infrastructure-as-code changes — Terraform plan JSON
// (terraform show -json PLANFILE) and Kubernetes manifests — and turns them
// into normalised paved.IaCResource values for the guard rails.
//
// Inputs are recognised by content, not by file extension, because CI
// pipelines name files freely (plan.out.json, tfplan, manifests.txt) and
// because the most helpful error for a wrong input ("this is a Terraform
// state file, not a plan") needs to look inside anyway.
//
// Every expected failure is a *paved.Error with code EINVALID whose Field
// names the file and, where known, line:column.
package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/paved-dev/paved"
)

// Kind says what a document is.
type Kind string

const (
	KindTerraformPlan Kind = "terraform-plan"
	KindKubernetes    Kind = "kubernetes"
	// KindDocument is any other YAML or JSON document, read only when
	// Options.AcceptOther asks for it: conftest-style policies may judge
	// CI workflows, compose files or configuration, which have no
	// resources for the built-in guard rails.
	KindDocument Kind = "document"
)

// Document is one document of an input: a whole Terraform plan, or one
// YAML document (or JSON value) of a manifest file. A Kubernetes List
// is one document with one resource per item.
type Document struct {
	Input string `json:"input"` // the file name as given ("-" for stdin)
	Kind  Kind   `json:"kind"`
	Index int    `json:"index"` // position within a multi-document file, 0-based, counting skipped empty documents
	Line  int    `json:"line"`  // first line of the document, 1-based

	// TerraformVersion is the version of Terraform that wrote a plan.
	TerraformVersion string `json:"terraform_version,omitempty"`
	// FormatVersion is the plan's format_version.
	FormatVersion string `json:"format_version,omitempty"`
	// Incomplete is set for a plan with "complete": false: Terraform
	// deferred some changes to a later plan, and they are not in this one.
	Incomplete bool `json:"incomplete,omitempty"`

	Resources []*paved.IaCResource `json:"resources"`

	// Raw is the document as generic JSON-compatible Go values
	// (map[string]any, []any, string, float64, json.Number, bool, nil): the
	// input that conftest-style user policies see. It is computed on first
	// call and cached, because it costs memory on huge plans and is only
	// needed when user policies run. Values marked sensitive in a plan are
	// masked with paved.SensitiveValue here too.
	Raw func() (any, error) `json:"-"`
}

// DefaultMaxFileBytes is the default limit on one input file.
const DefaultMaxFileBytes int64 = 256 << 20

// Options tune reading.
type Options struct {
	// MaxFileBytes refuses larger files; 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
	// SourceDir is the Terraform configuration directory the plan was made
	// from; when set, Terraform resources get File and Line of their .tf
	// declaration.
	SourceDir string
	// AcceptOther turns a well-formed YAML or JSON document that is neither
	// a plan nor a manifest, and that paved cannot name (a CI workflow, a
	// compose file, a CloudFormation template), into a KindDocument (no
	// resources, its value as Raw) instead of an error, document by
	// document, as conftest reads any file. What paved recognises as the
	// wrong input for a check (a Terraform state, configuration or schema
	// instead of a plan, a kustomization or Helm chart instead of
	// manifests, a Backstage catalog entity) stays refused: the input
	// checks do not depend on which rules run.
	AcceptOther bool
	// DropRaw says no caller will ask a plan for Document.Raw (no
	// conftest-style policies run), so the plan's text need not be kept for
	// it: on a large plan that is the largest single allocation.
	DropRaw bool
	// DropBefore leaves IaCResource.Before empty: for callers (the built-in
	// guard rails) that judge the desired state only. On plans of
	// unchanged resources the prior values are half of what is kept. A
	// deleted resource then has no tags either (only its prior values
	// held them).
	DropBefore bool
	// BeforeForChanges keeps prior values only for resources the plan
	// updates, replaces or deletes: for a no-op (most of a large plan) they
	// equal the planned values, and a created object has none. For callers
	// that price or judge changes (the cost estimate).
	BeforeForChanges bool
	// Attributes, when set, returns the top-level attribute names of a
	// plan resource's values (before, after, after_unknown) that the caller
	// will read; the others are skipped while decoding, never built. The
	// reader always keeps those it reads itself (tags, labels, region,
	// location, zone). A nil result keeps everything. It is called once per
	// plan, after the plan's text has been scanned and before its changes
	// are decoded, so a caller may work the answer out meanwhile: paved
	// check compiles its rules while the plan is scanned.
	Attributes func() map[string]bool
	// Stdin is read for the input name "-"; nil means os.Stdin.
	Stdin io.Reader
	// OnSkip, when set, is told about each file met while walking a folder
	// that is not a Terraform plan or Kubernetes manifest (with the reason);
	// the walk goes on. Without it such a file is an error, as it is when
	// named directly.
	OnSkip func(file, reason string)
}

func (o Options) maxBytes() int64 {
	if o.MaxFileBytes <= 0 {
		return DefaultMaxFileBytes
	}
	return o.MaxFileBytes
}

// Stdin is read for the input name "-"; tests replace it.
var stdin io.Reader = os.Stdin

// ReadPaths reads files, folders and "-" (standard input). Folders are walked
// recursively for *.json, *.yaml and *.yml files, skipping folders whose name
// starts with a dot (.git, .terraform); files within a folder are read in
// lexical order so that results are stable. A file named explicitly is read
// whatever its extension.
func ReadPaths(paths []string, opt Options) ([]*Document, error) {
	r, err := newReader(opt)
	if err != nil {
		return nil, err
	}
	var docs []*Document
	for _, p := range paths {
		if p == "-" {
			in := opt.Stdin
			if in == nil {
				in = stdin
			}
			data, err := readLimited(in, "-", opt.maxBytes())
			if err != nil {
				return nil, err
			}
			ds, err := r.read("-", data)
			if err != nil {
				return nil, err
			}
			docs = append(docs, ds...)
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fileError(p, err)
		}
		if !fi.IsDir() {
			ds, err := r.readFile(p, fi)
			if err != nil {
				return nil, err
			}
			docs = append(docs, ds...)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fileError(path, err)
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if wantedExt(d.Name()) && d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				return nil, fileError(f, err)
			}
			ds, err := r.readFile(f, fi)
			if err != nil && opt.OnSkip != nil && IsUnsupported(err) {
				opt.OnSkip(f, paved.ErrorMessage(err))
				continue
			}
			if err != nil {
				return nil, err
			}
			docs = append(docs, ds...)
		}
	}
	return docs, nil
}

func wantedExt(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// Read reads one input already in memory, recognising its kind by content.
// name is used in messages and as Document.Input.
func Read(name string, data []byte, opt Options) ([]*Document, error) {
	r, err := newReader(opt)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > opt.maxBytes() {
		return nil, tooLarge(name, opt.maxBytes())
	}
	return r.read(name, data)
}

// reader carries what is shared between the files of one ReadPaths call:
// the source index is built once.
type reader struct {
	opt Options
	src *SourceIndex
}

func newReader(opt Options) (*reader, error) {
	r := &reader{opt: opt}
	if opt.SourceDir != "" {
		idx, err := LocateSources(opt.SourceDir)
		if err != nil {
			return nil, err
		}
		r.src = idx
	}
	return r, nil
}

func (r *reader) readFile(path string, fi os.FileInfo) ([]*Document, error) {
	if fi.Size() > r.opt.maxBytes() {
		return nil, tooLarge(path, r.opt.maxBytes())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	defer f.Close()
	data, err := readSized(f, path, fi.Size(), r.opt.maxBytes())
	if err != nil {
		return nil, err
	}
	return r.read(path, data)
}

// readSized reads a file whose size is known in one allocation (io.ReadAll
// would grow and copy its buffer a dozen times for a large plan), still
// refusing more than max bytes if the file grows while it is read.
func readSized(rd io.Reader, name string, size, max int64) ([]byte, error) {
	if size <= 0 || size > max {
		return readLimited(rd, name, max)
	}
	buf := make([]byte, size+1) // one spare byte detects a file that grew
	n, err := io.ReadFull(rd, buf)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return buf[:n], nil // the file shrank: what is there is the input
	case err != nil:
		return nil, fileError(name, err)
	}
	// The file is larger than it was: read the rest under the limit.
	rest, err := io.ReadAll(io.LimitReader(rd, max-int64(n)+1))
	if err != nil {
		return nil, fileError(name, err)
	}
	if int64(n+len(rest)) > max {
		return nil, tooLarge(name, max)
	}
	return append(buf[:n], rest...), nil
}

// readLimited reads at most max bytes and fails clearly past that, so that a
// pipe or a growing file cannot exhaust memory.
func readLimited(rd io.Reader, name string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(rd, max+1))
	if err != nil {
		return nil, fileError(name, err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge(name, max)
	}
	return data, nil
}

func (r *reader) read(name string, data []byte) ([]*Document, error) {
	text, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	var docs []*Document
	if isJSON(text) {
		docs, err = readJSON(name, text, r.opt)
	} else {
		docs, err = readYAML(name, text, r.opt)
	}
	if err != nil {
		return nil, err
	}
	if r.src != nil {
		for _, d := range docs {
			if d.Kind != KindTerraformPlan {
				continue
			}
			for _, res := range d.Resources {
				if f, line, ok := r.src.Locate(res.Address); ok {
					res.File, res.Line = f, line
				}
			}
		}
	}
	return docs, nil
}

// isJSON reports whether the text starts, after white space, like a JSON
// object or array. Such text is read with the JSON decoder, whose errors carry
// a column, although YAML would accept most of it too.
func isJSON(text []byte) bool {
	t := bytes.TrimLeft(text, " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

func tooLarge(name string, max int64) error {
	return paved.FieldErrorf(paved.EINVALID, name, "file is larger than the limit of %s (%d bytes): raise the maximum file size if this input is genuine", humanBytes(max), max)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// fileError turns an operating-system error into a message naming the file.
func fileError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return paved.FieldErrorf(paved.EINVALID, name, "no such file or folder")
	case errors.Is(err, fs.ErrPermission):
		return paved.FieldErrorf(paved.EINVALID, name, "permission denied")
	}
	var pe *paved.Error
	if errors.As(err, &pe) {
		return err
	}
	return paved.FieldErrorf(paved.EINVALID, name, "cannot read: %v", paved.UnwrapPathError(err))
}

// lazyRaw caches the result of a costly decode for Document.Raw.
func lazyRaw(f func() (any, error)) func() (any, error) {
	var once sync.Once
	var v any
	var err error
	return func() (any, error) {
		once.Do(func() { v, err = f() })
		return v, err
	}
}

// position converts a byte offset in text into a 1-based line and a 1-based
// column counted in characters, as editors show them.
func position(text []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(text)) {
		off = int64(len(text))
	}
	prefix := text[:off]
	line = bytes.Count(prefix, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(prefix, '\n') + 1
	col = len([]rune(string(prefix[start:]))) + 1
	return line, col
}

func at(name string, line, col int) string {
	if col > 0 {
		return fmt.Sprintf("%s:%d:%d", name, line, col)
	}
	return fmt.Sprintf("%s:%d", name, line)
}

// jsonError explains a decoding error of encoding/json with file:line:col.
func jsonError(name string, text []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if se.Offset >= int64(len(bytes.TrimRight(text, " \t\r\n"))) || strings.Contains(se.Error(), "unexpected end") {
			l, c := position(text, int64(len(bytes.TrimRight(text, " \t\r\n"))))
			return paved.FieldErrorf(paved.EINVALID, at(name, l, c), "invalid JSON: unexpected end of input: the file looks truncated")
		}
		// Offset points just past the offending byte.
		l, c := position(text, se.Offset-1)
		return paved.FieldErrorf(paved.EINVALID, at(name, l, c), "invalid JSON: %s", se.Error())
	case errors.As(err, &te):
		l, c := position(text, te.Offset-1)
		field := te.Field
		if field == "" {
			field = "value"
		}
		return paved.FieldErrorf(paved.EINVALID, at(name, l, c), "%s: expected %s, found a JSON %s", field, jsonTypeName(te.Type.String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		l, c := position(text, int64(len(text)))
		return paved.FieldErrorf(paved.EINVALID, at(name, l, c), "invalid JSON: unexpected end of input: the file looks truncated")
	}
	var pe *paved.Error
	if errors.As(err, &pe) {
		return err
	}
	return paved.FieldErrorf(paved.EINVALID, name, "invalid JSON: %v", err)
}

func jsonTypeName(goType string) string {
	switch {
	case goType == "string" || strings.HasSuffix(goType, "Mode") || strings.HasSuffix(goType, "Action") || strings.HasSuffix(goType, "Reason"):
		return "a string"
	case strings.HasPrefix(goType, "[]"), strings.HasSuffix(goType, "Actions"):
		return "an array"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "*"), strings.HasPrefix(goType, "struct"), strings.HasPrefix(goType, "iac."), strings.HasPrefix(goType, "tfjson."):
		return "an object"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
		return "a number"
	}
	return goType
}
