package iac

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/paved-dev/paved"
)

func jsonUnmarshalString(q []byte, s *string) error { return json.Unmarshal(q, s) }

// Messages for inputs that are recognised but not supported. They say what
// the input is and what to run instead, because the usual cause is a CI step
// that points paved at the wrong file.
const (
	msgState         = "this is a Terraform state file, not a plan: run terraform show -json PLANFILE"
	msgTFConfig      = "this is a Terraform configuration in JSON (.tf.json), not a plan: run terraform plan -out=PLANFILE and terraform show -json PLANFILE"
	msgCloudForm     = "this is an AWS CloudFormation template: CloudFormation is not supported yet"
	msgKustomization = "this is a kustomization file, not Kubernetes manifests: run kustomize build first (or kubectl kustomize) and check its output"
	msgHelm          = "this looks like an unrendered Helm template: render it with helm template first"
	msgSchema        = "this is Terraform provider schema output (terraform providers schema -json), not a plan: run terraform show -json PLANFILE"
	msgBackstage     = "this is a Backstage catalog entity (%s), not a Kubernetes manifest: import it with paved catalog import"
	msgEmptyTF       = "a JSON document with format_version but neither resource_changes nor planned_values: "
	msgYAMLPlan      = "a Terraform plan must be JSON, as terraform show -json writes it: "
	msgUnknown       = "not a Terraform plan or Kubernetes manifest: expected a Terraform plan in JSON (terraform show -json PLANFILE, with format_version and resource_changes) or Kubernetes objects with apiVersion and kind"
)

// tfConfigKeys are the top-level block types of a .tf.json file.
var tfConfigKeys = map[string]bool{
	"resource": true, "data": true, "provider": true, "terraform": true, "variable": true,
	"module": true, "output": true, "locals": true, "check": true, "import": true,
	"moved": true, "removed": true, "ephemeral": true, "//": true,
}

// classifyJSONObject names what a top-level JSON object is from its keys.
// It returns "plan", "kubernetes" or an error message for anything else.
func classifyJSONObject(text []byte, tv *topValue) (string, string) {
	has := tv.has
	switch {
	case has("format_version") && (has("resource_changes") || has("planned_values")):
		return "plan", ""
	case has("format_version") && has("values"):
		return "", msgState
	case has("version") && has("lineage"):
		return "", msgState
	case has("format_version") && has("provider_schemas"):
		return "", msgSchema
	case has("AWSTemplateFormatVersion"):
		return "", msgCloudForm
	case has("apiVersion") && has("kind"):
		return "kubernetes", ""
	}
	if sp, ok := tv.get("Resources"); ok && looksCloudFormation(text[sp.start:sp.end]) {
		return "", msgCloudForm
	}
	if len(tv.keys) > 0 {
		config, other := 0, 0
		for _, k := range tv.keys {
			if tfConfigKeys[k.key] {
				config++
			} else {
				other++
			}
		}
		if other == 0 && (has("resource") || has("provider") || has("module") || has("terraform") || has("data")) {
			return "", msgTFConfig
		}
	}
	if has("resources") && (has("bases") || has("patchesStrategicMerge") || has("namePrefix") || has("images") || has("configMapGenerator")) {
		return "", msgKustomization
	}
	if has("format_version") {
		return "", msgEmptyTF + msgUnknown
	}
	return "", msgUnknown
}

// looksCloudFormation reports whether a Resources object has a Type AWS::...
func looksCloudFormation(raw []byte) bool {
	var res map[string]struct {
		Type any `json:"Type"`
	}
	if json.Unmarshal(raw, &res) != nil {
		return false
	}
	for _, r := range res {
		if s, ok := r.Type.(string); ok && (strings.HasPrefix(s, "AWS::") || strings.HasPrefix(s, "Custom::")) {
			return true
		}
	}
	return false
}

// classifyMap does the same for a decoded YAML or JSON mapping.
func classifyMap(m map[string]any) string {
	has := func(k string) bool { _, ok := m[k]; return ok }
	switch {
	case has("format_version") && (has("resource_changes") || has("planned_values")):
		return msgYAMLPlan + msgUnknown
	case has("format_version") && has("values"), has("version") && has("lineage"):
		return msgState
	case has("AWSTemplateFormatVersion"):
		return msgCloudForm
	}
	if r, ok := m["Resources"].(map[string]any); ok {
		for _, v := range r {
			if vm, ok := v.(map[string]any); ok {
				if s, ok := vm["Type"].(string); ok && (strings.HasPrefix(s, "AWS::") || strings.HasPrefix(s, "Custom::")) {
					return msgCloudForm
				}
			}
		}
	}
	if k, _ := m["kind"].(string); k == "Kustomization" || k == "Component" && strings.HasPrefix(str(m["apiVersion"]), "kustomize.config.k8s.io") {
		return msgKustomization
	}
	if av := str(m["apiVersion"]); isBackstage(av) {
		what := "kind " + str(m["kind"])
		if str(m["kind"]) == "" {
			what = "apiVersion " + av
		}
		return fmt.Sprintf(msgBackstage, what)
	}
	if has("apiVersion") && has("kind") {
		return ""
	}
	if has("resources") || has("bases") || has("patchesStrategicMerge") || has("patches") && has("namePrefix") {
		if has("resources") && (has("namespace") || has("namePrefix") || has("commonLabels") || has("images") || has("patches") || has("bases") || has("configMapGenerator") || has("secretGenerator") || has("labels") || len(m) == 1) {
			return msgKustomization
		}
	}
	if has("apiVersion") && str(m["apiVersion"]) == "v2" && has("name") && has("version") {
		return "this is a Helm Chart.yaml: render the chart with helm template first"
	}
	config, other := 0, 0
	for k := range m {
		if tfConfigKeys[k] {
			config++
		} else {
			other++
		}
	}
	if other == 0 && config > 0 && (has("resource") || has("provider") || has("module") || has("terraform") || has("data")) {
		return msgTFConfig
	}
	if has("kind") && !has("apiVersion") {
		return "a Kubernetes object needs apiVersion as well as kind: " + msgUnknown
	}
	if has("apiVersion") && !has("kind") {
		return "a Kubernetes object needs kind as well as apiVersion: " + msgUnknown
	}
	return msgUnknown
}

// isBackstage reports whether an apiVersion is one of Backstage's
// (backstage.io/v1alpha1, scaffolder.backstage.io/v1beta3 ...): a
// catalog-info.yaml has apiVersion and kind like a Kubernetes object, and
// without this check it would pass as one resource that no rule judges.
func isBackstage(apiVersion string) bool {
	group, _, ok := strings.Cut(strings.ToLower(apiVersion), "/")
	return ok && (group == "backstage.io" || strings.HasSuffix(group, ".backstage.io"))
}

// otherDocument reports whether a refusal message (of classifyJSONObject or
// classifyMap) is about a document paved cannot name (a CI workflow, a
// compose file, a CloudFormation template, any other YAML or JSON) rather
// than one it recognises as the wrong input for a check (a Terraform state,
// configuration or schema instead of a plan, a plan in YAML, a
// kustomization or an unrendered Helm chart instead of manifests, a
// Backstage catalog entity). Only the former may be read as a
// KindDocument for conftest-style policies (Options.AcceptOther): the
// latter are refused whatever rules run, because a check that passes a
// state file with 0 resources is a check that passes a plan it never saw.
func otherDocument(msg string) bool {
	if strings.HasPrefix(msg, msgEmptyTF) || strings.HasPrefix(msg, msgYAMLPlan) {
		return false // Terraform's output, just not a plan
	}
	return msg == msgCloudForm || strings.HasSuffix(msg, msgUnknown)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// unsupportedError is an input that is well-formed but not something paved
// checks (a state file, CloudFormation, a kustomization, any other YAML).
// Named on the command line it is an error; met while walking a folder it
// is skipped with its reason (see Options.OnSkip), because repositories
// keep CI workflows, Helm values and compose files beside manifests.
type unsupportedError struct {
	err *paved.Error
	// other is set for a document paved cannot name (otherDocument), which
	// Options.AcceptOther reads as a KindDocument.
	other bool
}

func (e unsupportedError) Error() string { return e.err.Error() }
func (e unsupportedError) Unwrap() error { return e.err }

func notSupported(field, msg string) error {
	return unsupportedError{err: paved.FieldErrorf(paved.EINVALID, field, "%s", msg), other: otherDocument(msg)}
}

// isOther reports whether err refuses a document that Options.AcceptOther
// turns into a KindDocument.
func isOther(err error) bool {
	var u unsupportedError
	return errors.As(err, &u) && u.other
}

// IsUnsupported reports whether err says an input is not a Terraform plan
// or Kubernetes manifest (as opposed to a broken or unreadable one).
func IsUnsupported(err error) bool {
	var u unsupportedError
	return errors.As(err, &u)
}
