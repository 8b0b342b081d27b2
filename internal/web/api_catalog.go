package web

import (
	"bytes"
	"net/http"
	"strconv"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
	"github.com/paved-dev/paved/internal/catalog"
)

// maxImportBytes bounds the body of a catalog import: a whole organisation's
// catalog-info.yaml files, inlined as JSON strings.
const maxImportBytes = 32 << 20

// importFiles validates the request and turns it into the catalog reader's
// input.
func importFiles(req api.ImportRequest) ([]catalog.File, error) {
	if len(req.Files) == 0 {
		return nil, paved.FieldErrorf(paved.EINVALID, "files", "no files to import: send at least one {\"name\", \"content\"}")
	}
	files := make([]catalog.File, len(req.Files))
	for i, f := range req.Files {
		if f.Name == "" {
			return nil, paved.FieldErrorf(paved.EINVALID, "files["+strconv.Itoa(i)+"].name", "file name is required: it names the file in every reported problem")
		}
		files[i] = catalog.File{Name: f.Name, Data: []byte(f.Content)}
	}
	return files, nil
}

// importResult reports a plan with every outcome counted, zeros included,
// so that clients can read counts.created without checking for absence.
func importResult(p *paved.ImportPlan, dryRun bool) api.ImportResult {
	res := api.ImportResult{DryRun: dryRun, Counts: map[paved.Outcome]int{}, Entries: p.Entries}
	for _, o := range []paved.Outcome{paved.OutcomeCreated, paved.OutcomeUpdated, paved.OutcomeUnchanged, paved.OutcomeSkipped, paved.OutcomeInvalid} {
		res.Counts[o] = 0
	}
	for o, n := range p.Counts() {
		res.Counts[o] = n
	}
	if res.Entries == nil {
		res.Entries = []paved.ImportEntry{}
	}
	return res
}

// importCatalog plans an import against the current catalog and, unless
// dry_run, applies it in one transaction. Invalid entities are reported and
// left out; the valid rest is written. Dangling references are warnings in
// the entries; with strict they are errors.
func (s *Server) importCatalog(w http.ResponseWriter, r *http.Request) error {
	dryRun, err := parseBool(r.URL.Query(), "dry_run")
	if err != nil {
		return err
	}
	strict, err := parseBool(r.URL.Query(), "strict")
	if err != nil {
		return err
	}
	opt := s.app.Catalog
	opt.Strict = strict
	var req api.ImportRequest
	if err := decodeJSON(w, r, maxImportBytes, &req); err != nil {
		return err
	}
	files, err := importFiles(req)
	if err != nil {
		return err
	}
	read := catalog.LoadFiles(files, opt)
	cur, err := s.store.Catalog(r.Context())
	if err != nil {
		return err
	}
	plan := catalog.Plan(cur, read, opt)
	if !dryRun {
		if err := s.store.ApplyImport(r.Context(), plan); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, importResult(plan, dryRun))
	return nil
}

// exportCatalog writes the whole catalog as Backstage YAML that imports
// back to the same catalog.
func (s *Server) exportCatalog(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.store.Catalog(r.Context())
	if err != nil {
		return err
	}
	// Render whole before sending, so that a failure is still a problem
	// response rather than a truncated file.
	var buf bytes.Buffer
	if err := catalog.Export(&buf, cat); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("Content-Disposition", `attachment; filename="catalog-info.yaml"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}
