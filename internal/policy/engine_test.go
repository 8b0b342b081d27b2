package policy

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"

	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/iac"
	"github.com/paved-dev/paved/internal/testutil"
)

func newTestEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	if opts.Library == nil {
		opts.Library = testLibraryFS()
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	}
	if opts.DocBase == "" {
		opts.DocBase = "./"
	}
	e, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func tfDoc(input string, rs ...*paved.IaCResource) *iac.Document {
	for _, r := range rs {
		r.Source = "terraform"
		if r.Action == "" {
			r.Action = "create"
			r.Actions = []string{"create"}
		}
	}
	return &iac.Document{Input: input, Kind: iac.KindTerraformPlan, Line: 1, Resources: rs}
}

func k8sDoc(input string, index, line int, r *paved.IaCResource) *iac.Document {
	r.Source = "kubernetes"
	r.Action, r.Actions = "apply", []string{"apply"}
	return &iac.Document{Input: input, Kind: iac.KindKubernetes, Index: index, Line: line, Resources: []*paved.IaCResource{r}}
}

func db(addr, class string, tags map[string]string) *paved.IaCResource {
	return &paved.IaCResource{Address: addr, Type: "aws_db_instance", Name: addr[strings.LastIndex(addr, ".")+1:],
		After: map[string]any{"instance_class": class}, Tags: tags}
}

func ebs(addr string, encrypted any) *paved.IaCResource {
	after := map[string]any{"size": json.Number("100")}
	if encrypted != nil {
		after["encrypted"] = encrypted
	}
	return &paved.IaCResource{Address: addr, Type: "aws_ebs_volume", After: after, Tags: map[string]string{"team": "a"}}
}

func deployment(ns, name string, labels map[string]any) *paved.IaCResource {
	return &paved.IaCResource{Address: "Deployment/" + ns + "/" + name, Type: "Deployment", Name: name,
		After: map[string]any{"metadata": map[string]any{"name": name, "namespace": ns},
			"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"labels": labels}}}}}
}

func pdb(ns, name string, sel map[string]any) *paved.IaCResource {
	return &paved.IaCResource{Address: "PodDisruptionBudget/" + ns + "/" + name, Type: "PodDisruptionBudget", Name: name,
		After: map[string]any{"metadata": map[string]any{"name": name, "namespace": ns},
			"spec": map[string]any{"selector": map[string]any{"matchLabels": sel}}}}
}

func TestRulesMetadata(t *testing.T) {
	e := newTestEngine(t, Options{})
	var ids []string
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
	}
	if got, want := strings.Join(ids, ","), "test-db-memory,test-ebs-encrypted,test-pdb,test-required-tags"; got != want {
		t.Fatalf("rules = %s, want %s", got, want)
	}
	r, ok := e.Rule("test-db-memory")
	if !ok {
		t.Fatal("test-db-memory not found")
	}
	if r.Title != "Database memory stays below a ceiling" || r.Severity != paved.SeverityDeny || r.Category != "sizing" ||
		!r.Builtin || r.DocURL != "./docs/guardrails.md#test-db-memory" || len(r.Parameters) != 1 ||
		r.Parameters[0].Name != "max_gib" || r.Parameters[0].Default != json.Number("512") ||
		strings.Join(r.Types, ",") != "aws_db_instance" || r.Remediation == "" || r.Description == "" {
		t.Errorf("metadata = %+v", r)
	}
	if r, _ := e.Rule("test-ebs-encrypted"); !r.Security || r.EnforceFrom != "2030-01-01" {
		t.Errorf("test-ebs-encrypted = %+v", r)
	}
	if _, ok := e.Rule("nope"); ok {
		t.Error("unknown rule found")
	}
}

func TestCheckGolden(t *testing.T) {
	e := newTestEngine(t, Options{ChunkSize: 2, Config: Config{Rules: map[string]RuleConfig{
		"test-required-tags": {Params: map[string]any{"keys": []any{"team", "cost-center"}}},
	}}})
	docs := []*iac.Document{
		tfDoc("plans/b.json",
			db("aws_db_instance.big", "db.x2g.16xlarge", map[string]string{"team": "a", "cost-center": "1"}),
			db("module.x.aws_db_instance.ok", "db.r6g.large", map[string]string{"team": "a", "cost-center": "1"}),
			db("aws_db_instance.edge", "db.r6g.16xlarge", nil), // exactly the ceiling: passes sizing
			ebs("aws_ebs_volume.plain", nil),
			ebs("aws_ebs_volume.enc", true),
		),
		tfDoc("plans/a.json", db("aws_db_instance.big", "db.x2g.16xlarge", map[string]string{"team": "a", "cost-center": "1"})),
		k8sDoc("k8s/app.yaml", 0, 1, deployment("shop", "web", map[string]any{"app": "web"})),
		k8sDoc("k8s/app.yaml", 1, 20, deployment("shop", "api", map[string]any{"app": "api"})),
		k8sDoc("k8s/pdb.yaml", 0, 1, pdb("shop", "web", map[string]any{"app": "web"})),
	}
	fs, err := e.Check(context.Background(), docs, paved.ServiceContext{Name: "shop", Tier: 1, Phase: paved.PhaseProduction})
	if err != nil {
		t.Fatal(err)
	}
	testutil.GoldenJSON(t, "testdata/golden/check.json", fs)
}

func testLibraryFS() fs.FS { return os.DirFS("testdata/library") }

// TestNoBuiltinKeepsTheLibrary: --no-builtin leaves the built-in rules out,
// not their helpers; a custom rule that imports data.paved.lib compiles and
// runs alone.
func TestNoBuiltinKeepsTheLibrary(t *testing.T) {
	e := newTestEngine(t, Options{NoBuiltin: true, Library: Library(), PolicyDirs: []string{"testdata/regotest/uses-lib"}})
	if ids := e.Rules(); len(ids) != 1 || ids[0].ID != "bucket-owner" {
		t.Fatalf("rules = %+v, want only the custom one", ids)
	}
	bucket := &paved.IaCResource{Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", Name: "logs", Mode: "managed", After: map[string]any{"tags": map[string]any{}}}
	fs, err := e.Check(context.Background(), []*iac.Document{tfDoc("plan.json", bucket)}, paved.ServiceContext{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Rule != "bucket-owner" || fs[0].Resource != "aws_s3_bucket.logs" {
		t.Fatalf("findings = %+v", fs)
	}
}
