package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite testdata/openapi.json from the route table")

type openAPIDoc struct {
	OpenAPI    string                           `json:"openapi"`
	Paths      map[string]map[string]openAPIOp  `json:"paths"`
	Components struct{ Schemas map[string]any } `json:"components"`
}

type openAPIOp struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	Responses map[string]any `json:"responses"`
}

// TestOpenAPIMatchesRoutes walks the registered API routes and the served
// document and fails if either has a route the other lacks.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newAPIEnv(t)
	rec := e.as("viewer", "GET", "/api/v1/openapi.json", "")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	doc := decode[openAPIDoc](t, rec)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}

	inDoc := map[string]bool{}
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			inDoc[strings.ToUpper(method)+" "+path] = true
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, op.OperationID)
			}
			ids[op.OperationID] = true
			if op.Responses["401"] == nil {
				t.Errorf("%s %s: no 401 response documented", method, path)
			}
			var pathParams []string
			for _, p := range op.Parameters {
				if p.In == "path" {
					pathParams = append(pathParams, p.Name)
				}
			}
			var want []string
			for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
				want = append(want, m[1])
			}
			if !slices.Equal(pathParams, want) {
				t.Errorf("%s %s: path parameters %v, want %v", method, path, pathParams, want)
			}
			// The documented route is really served: without a token it
			// must ask for one (401), not be unknown (404/405); the CI
			// token exchange, whose token is its body, refuses an empty
			// body (400).
			target := strings.NewReplacer("{name}", "x", "{id}", "1").Replace(path)
			want401 := 401
			if path == "/api/v1/auth/ci-token" {
				want401 = 400
			}
			if got := e.do(strings.ToUpper(method), target, "", "").Code; got != want401 {
				t.Errorf("documented %s %s answers %d without a token, want %d", strings.ToUpper(method), path, got, want401)
			}
		}
	}
	for _, rt := range e.srv.docRoutes() {
		if !inDoc[rt.Pattern] {
			t.Errorf("route %s is not in the OpenAPI document", rt.Pattern)
		}
		delete(inDoc, rt.Pattern)
	}
	for p := range inDoc {
		t.Errorf("the OpenAPI document has %s, which is not a route", p)
	}
	for p := range apiDocs {
		if !slices.ContainsFunc(e.srv.docRoutes(), func(r route) bool { return r.Pattern == p }) {
			t.Errorf("apiDocs documents %s, which is not a route", p)
		}
	}

	// Every $ref points at a schema that exists.
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(rec.Body.String(), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling $ref to %s", m[1])
		}
	}
}

// TestOpenAPIGolden keeps a reviewed copy of the document: an API change
// shows up as a diff of testdata/openapi.json. Regenerate with
// go test ./internal/web -run TestOpenAPIGolden -update-openapi.
func TestOpenAPIGolden(t *testing.T) {
	got, err := buildOpenAPI((&Server{}).docRoutes(), "golden")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "openapi.json")
	if *updateOpenAPI {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-openapi to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the OpenAPI document differs from %s; review and run with -update-openapi", golden)
	}
	if !json.Valid(want) {
		t.Fatal("golden document is not JSON")
	}
}

func TestQueryParamsDeclared(t *testing.T) {
	// Every list route takes paging; routes without docs take nothing.
	for _, p := range []string{"GET /api/v1/services", "GET /api/v1/teams", "GET /api/v1/users", "GET /api/v1/audit"} {
		q := queryParamsOf(p)
		if !slices.Contains(q, "offset") || !slices.Contains(q, "limit") {
			t.Errorf("%s: no paging parameters: %v", p, q)
		}
	}
	if q := queryParamsOf("GET /nowhere"); len(q) != 0 {
		t.Errorf("undocumented route has parameters %v", q)
	}
}
