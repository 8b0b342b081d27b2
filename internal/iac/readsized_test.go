package iac

import (
	"bytes"
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
