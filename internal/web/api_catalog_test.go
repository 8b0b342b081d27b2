package web

import (
	"strings"
	"testing"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/api"
)

const importTwoServices = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  title: Checkout
spec:
  type: service
  lifecycle: production
  owner: group:default/alpha
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: bad name
spec:
  type: service
  lifecycle: experimental
  owner: alpha
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: shop
spec:
  owner: alpha
`

func TestCatalogImportAPI(t *testing.T) {
	e := newAPIEnv(t)
	body := jsonImport(importTwoServices)

	// A dry run reports but writes nothing.
	rec := e.as("admin", "POST", "/api/v1/catalog/import?dry_run=true", body)
	if rec.Code != 200 {
		t.Fatalf("dry run: %d %s", rec.Code, rec.Body)
	}
	res := decode[api.ImportResult](t, rec)
	if !res.DryRun || res.Counts[paved.OutcomeCreated] != 1 || res.Counts[paved.OutcomeInvalid] != 1 || res.Counts[paved.OutcomeSkipped] != 1 {
		t.Fatalf("dry run result: %+v", res)
	}
	if _, ok := res.Counts[paved.OutcomeUpdated]; !ok {
		t.Error("counts leave out zero outcomes")
	}
	for _, en := range res.Entries {
		if en.Outcome == paved.OutcomeInvalid && !strings.HasPrefix(en.Source, "catalog-info.yaml:") {
			t.Errorf("invalid entry without file:line: %+v", en)
		}
	}
	wantProblem(t, e.as("viewer", "GET", "/api/v1/services/checkout", ""), 404, "not_found")

	// The real import writes the valid entity and leaves out the invalid one.
	res = decode[api.ImportResult](t, e.as("admin", "POST", "/api/v1/catalog/import", body))
	if res.DryRun || res.Counts[paved.OutcomeCreated] != 1 {
		t.Fatalf("import result: %+v", res)
	}
	svc := decode[paved.Service](t, e.as("viewer", "GET", "/api/v1/services/checkout", ""))
	if svc.Owner != "alpha" || svc.Phase != paved.PhaseProduction || svc.Title != "Checkout" {
		t.Fatalf("imported service: %+v", svc)
	}
	// Importing again changes nothing.
	res = decode[api.ImportResult](t, e.as("admin", "POST", "/api/v1/catalog/import", body))
	if res.Counts[paved.OutcomeUnchanged] != 1 || res.Counts[paved.OutcomeCreated] != 0 {
		t.Fatalf("re-import: %+v", res.Counts)
	}

	p := wantProblem(t, e.as("admin", "POST", "/api/v1/catalog/import", `{"files":[]}`), 400, "invalid")
	if p.Field != "files" {
		t.Errorf("field %q", p.Field)
	}
	p = wantProblem(t, e.as("admin", "POST", "/api/v1/catalog/import", `{"files":[{"content":"x"}]}`), 400, "invalid")
	if p.Field != "files[0].name" {
		t.Errorf("field %q", p.Field)
	}
	p = wantProblem(t, e.as("admin", "POST", "/api/v1/catalog/import?dry_run=maybe", body), 400, "invalid")
	if p.Field != "dry_run" {
		t.Errorf("field %q", p.Field)
	}

	// Export is YAML that names what was imported.
	rec = e.as("viewer", "GET", "/api/v1/catalog/export", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/yaml" {
		t.Fatalf("export: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{"kind: Component", "name: checkout", "name: svc-alpha", "kind: Group"} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("export lacks %q", want)
		}
	}
	// ... and imports back unchanged.
	res = decode[api.ImportResult](t, e.as("admin", "POST", "/api/v1/catalog/import?dry_run=true", jsonImport(rec.Body.String())))
	if res.Counts[paved.OutcomeCreated] != 0 || res.Counts[paved.OutcomeUpdated] != 0 || res.Counts[paved.OutcomeInvalid] != 0 {
		t.Fatalf("export does not import back unchanged: %+v %+v", res.Counts, res.Entries)
	}
}
