package iac

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/paved-dev/paved"
)

func TestReadSized(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		size, max int64
		want      string
		code      string
	}{
		{"exact", "abcdef", 6, 100, "abcdef", ""},
		{"shrank", "abc", 6, 100, "abc", ""},
		{"grew", "abcdefgh", 6, 100, "abcdefgh", ""},
		{"grew past the limit", strings.Repeat("x", 200), 6, 100, "", "limit of 100 bytes"},
		{"unknown size", "abc", 0, 100, "abc", ""},
		{"stat says more than there is", "abc", 1000, 100, "abc", ""},
	}
	for _, tt := range tests {
		got, err := readSized(bytes.NewReader([]byte(tt.data)), "f", tt.size, tt.max)
		if tt.code != "" {
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tt.code) {
				t.Errorf("%s: err %v, want an error saying %q", tt.name, err, tt.code)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

// DropBefore skips the prior values while decoding; everything else must
// come out exactly as without it (but the tags of a deleted resource, which
// only its prior values hold).
func TestDropBeforeKeepsTheRest(t *testing.T) {
	for _, f := range []string{"testdata/plan/aws.json", "../../bench/testdata/service-stack.plan.json"} {
		full, err := ReadPaths([]string{f}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		slim, err := ReadPaths([]string{f}, Options{DropBefore: true})
		if err != nil {
			t.Fatal(err)
		}
		withBefore := 0
		for i, r := range full[0].Resources {
			if r.Before != nil {
				withBefore++
			}
			s := *slim[0].Resources[i]
			if s.Before != nil {
				t.Fatalf("%s: %s kept its prior values", f, s.Address)
			}
			want := *r
			want.Before = nil
			if r.After == nil {
				want.Tags = s.Tags // a deleted resource's tags come from its prior values
			}
			if !reflect.DeepEqual(want, s) {
				t.Fatalf("%s: %s differs with DropBefore:\n%+v\n%+v", f, r.Address, want, s)
			}
		}
		if withBefore == 0 {
			t.Fatalf("%s: no resource has prior values: the test checks nothing", f)
		}
	}
}

func TestYAML11Booleans(t *testing.T) {
	docs, err := Read("m.yaml", []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {quoted: \"yes\"}\nspec:\n  containers:\n  - name: c\n    securityContext: {readOnlyRootFilesystem: yes, allowPrivilegeEscalation: Off, runAsNonRoot: \"on\"}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := docs[0].Resources[0].After["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["securityContext"].(map[string]any)
	if sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false || sc["runAsNonRoot"] != "on" {
		t.Fatalf("securityContext = %#v: plain yes/Off are YAML 1.1 booleans, quoted \"on\" stays a string", sc)
	}
	labels := docs[0].Resources[0].After["metadata"].(map[string]any)["labels"].(map[string]any)
	if labels["quoted"] != "yes" {
		t.Fatalf("a quoted \"yes\" must stay a string: %#v", labels)
	}
}

func TestErroredAndIncompletePlans(t *testing.T) {
	plan := func(extra string) []byte {
		return []byte(`{"format_version":"1.2","terraform_version":"1.10.0",` + extra + `"resource_changes":[{"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"before":null,"after":{"name":"q"},"after_unknown":{}}}]}`)
	}
	_, err := Read("errored.json", plan(`"errored":true,`), Options{})
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "errored") || !strings.HasPrefix(err.Error(), "errored.json:1:") {
		t.Fatalf("errored plan: %v", err)
	}
	docs, err := Read("partial.json", plan(`"errored":false,"complete":false,`), Options{})
	if err != nil || !docs[0].Incomplete || len(docs[0].Resources) != 1 {
		t.Fatalf("incomplete plan: %+v %v", docs, err)
	}
	docs, err = Read("whole.json", plan(`"complete":true,`), Options{})
	if err != nil || docs[0].Incomplete {
		t.Fatalf("complete plan: %+v %v", docs, err)
	}
}

func TestAcceptOther(t *testing.T) {
	workflow := []byte("name: ci\non:\n  push: {branches: [main]}\njobs:\n  test: {runs-on: ubuntu-latest}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
	if _, err := Read("ci.yml", workflow, Options{}); !IsUnsupported(err) {
		t.Fatalf("without AcceptOther a workflow is not an input: %v", err)
	}
	docs, err := Read("ci.yml", workflow, Options{AcceptOther: true})
	if err != nil || len(docs) != 2 {
		t.Fatalf("docs %+v err %v", docs, err)
	}
	if docs[0].Kind != KindDocument || len(docs[0].Resources) != 0 || docs[1].Kind != KindKubernetes || len(docs[1].Resources) != 1 {
		t.Fatalf("kinds %s/%d and %s/%d", docs[0].Kind, len(docs[0].Resources), docs[1].Kind, len(docs[1].Resources))
	}
	raw, _ := docs[0].Raw()
	if _, ok := raw.(map[string]any)["true"]; !ok {
		t.Fatalf("the unquoted key on: is the boolean key \"true\" as sigs.k8s.io/yaml reads it: %#v", raw)
	}
	compose := []byte(`{"services": {"web": {"image": "nginx:latest"}}}`)
	docs, err = Read("compose.json", compose, Options{AcceptOther: true})
	if err != nil || len(docs) != 1 || docs[0].Kind != KindDocument {
		t.Fatalf("compose.json: %+v %v", docs, err)
	}
	// A broken file stays an error.
	if _, err := Read("bad.yml", []byte("a: [unclosed\n"), Options{AcceptOther: true}); err == nil || IsUnsupported(err) {
		t.Fatalf("broken YAML: %v", err)
	}
}

// TestRefusalsDoNotDependOnPolicies: what paved recognises as the wrong
// input for a check (a state file instead of a plan, a kustomization
// instead of its output, a Backstage catalog file ...) is refused with the
// same message whether or not conftest-style policies run (AcceptOther);
// only documents paved cannot name become KindDocuments for them.
func TestRefusalsDoNotDependOnPolicies(t *testing.T) {
	state, err := os.ReadFile("../../cmd/paved/testdata/check/state.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file, text, want string
	}{
		{"state", "state.json", string(state), "Terraform state file"},
		{"legacy state", "terraform.tfstate.json", `{"version": 4, "lineage": "x", "resources": []}`, "Terraform state file"},
		{"empty state", "empty.json", `{"format_version": "1.0"}`, "neither resource_changes nor planned_values"},
		{"schema", "schema.json", `{"format_version": "1.0", "provider_schemas": {}}`, "provider schema"},
		{"tf.json", "main.tf.json", `{"resource": {"aws_s3_bucket": {"b": {}}}}`, "configuration in JSON"},
		{"plan in YAML", "plan.yaml", "format_version: '1.2'\nresource_changes: []\n", "must be JSON"},
		{"kustomization", "kustomization.yaml", "resources: [deploy.yaml]\nnamespace: web\n", "kustomization"},
		{"kustomization kind", "k.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n", "kustomization"},
		{"chart", "Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n", "Helm Chart.yaml"},
		{"backstage component", "catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\nspec: {type: service, owner: team-a, lifecycle: production}\n", "Backstage catalog entity (kind Component)"},
		{"backstage in a manifest stream", "mixed.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n", "Backstage catalog entity (kind Group)"},
		{"backstage JSON", "entity.json", `{"apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "a"}}`, "Backstage catalog entity (kind API)"},
		{"scaffolder template", "template.yaml", "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: t}\n", "Backstage catalog entity (kind Template)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, accept := range []bool{false, true} {
				docs, err := Read(c.file, []byte(c.text), Options{AcceptOther: accept})
				if err == nil {
					t.Fatalf("AcceptOther=%v: read as %d documents (first %s), want a refusal", accept, len(docs), docs[0].Kind)
				}
				if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), c.file+":") {
					t.Errorf("AcceptOther=%v: %v, want %q naming %s", accept, err, c.want, c.file)
				}
			}
		})
	}
	// Documents paved cannot name are the conftest-style policies' to judge.
	for name, text := range map[string]string{
		"ci.yml":          "name: ci\non: [push]\njobs: {}\n",
		"compose.yaml":    "services:\n  web: {image: nginx}\n",
		"cfn.yaml":        "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
		"values.json":     `{"replicaCount": 2}`,
		"helm-values.yml": "image: {tag: \"{{ .Values.tag }}\"}\n",
	} {
		if _, err := Read(name, []byte(text), Options{}); !IsUnsupported(err) {
			t.Errorf("%s without AcceptOther: %v, want refused as not a plan or manifest", name, err)
		}
		docs, err := Read(name, []byte(text), Options{AcceptOther: true})
		if err != nil || len(docs) != 1 || docs[0].Kind != KindDocument {
			t.Errorf("%s with AcceptOther: %+v %v, want one KindDocument", name, docs, err)
		}
	}
}

// TestEmptyDocumentsAsConftestSeesThem: for conftest-style policies the
// empty documents of a YAML file are null documents where conftest's
// splitting at "\n---\n" makes them (and nowhere else).
func TestEmptyDocumentsAsConftestSeesThem(t *testing.T) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	cases := []struct {
		name, text string
		want       string // one letter per document: n null, k Kubernetes, d other
		lines      []int
	}{
		{"comment-only first document", "# rendered by helm\n---\n" + cm, "nk", []int{1, 3}},
		{"trailing separator", cm + "---\n", "kn", []int{1, 5}},
		{"CRLF", strings.ReplaceAll("# c\n---\n"+cm+"---\n"+cm, "\n", "\r\n"), "nkk", []int{1, 3, 7}},
		{"explicit null", cm + "---\n~\n---\n" + cm, "knk", []int{1, 5, 7}},
		{"empty file", "# nothing here\n", "n", []int{1}},
		{"leading marker is no document", "---\n" + cm + "---\n" + cm, "kk", []int{2, 6}},
		{"workflow and manifest", "on: push\n---\n" + cm, "dk", []int{1, 3}},
		{"marker with text does not split for conftest", cm + "--- # two\n" + cm, "kk", []int{1, 5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			docs, err := Read("f.yaml", []byte(c.text), Options{AcceptOther: true})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			var lines []int
			for _, d := range docs {
				raw, _ := d.Raw()
				switch {
				case raw == nil:
					got += "n"
				case d.Kind == KindKubernetes:
					got += "k"
				default:
					got += "d"
				}
				lines = append(lines, d.Line)
			}
			if got != c.want || !reflect.DeepEqual(lines, c.lines) {
				t.Errorf("documents %q at lines %v, want %q at %v", got, lines, c.want, c.lines)
			}
			// The built-in rules never see them.
			if plain, err := Read("f.yaml", []byte(c.text), Options{}); err == nil {
				for _, d := range plain {
					if raw, _ := d.Raw(); raw == nil {
						t.Errorf("without AcceptOther an empty document was kept at line %d", d.Line)
					}
				}
			}
		})
	}
}
