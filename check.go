package paved

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// SensitiveValue replaces every value that a Terraform plan marks as
// sensitive, as soon as the plan is read: policies, findings, reports and
// the store only ever see this marker.
const SensitiveValue = "(sensitive)"

// IaCResource is one infrastructure object of an IaC change, normalised from a
// Terraform plan's resource_changes or from a Kubernetes manifest.
type IaCResource struct {
	// Address identifies the resource within its input: the Terraform
	// address (module.db.aws_db_instance.main["a"]) or, for Kubernetes,
	// kind/namespace/name (Deployment/shop/web; cluster-scoped: kind/name).
	Address string `json:"address"`
	// Type is the Terraform resource type (aws_db_instance) or the
	// Kubernetes kind (Deployment).
	Type string `json:"type"`
	Name string `json:"name"`
	// Source is "terraform" or "kubernetes".
	Source string `json:"source"`
	// Provider is the short provider name: aws, google, azurerm, kubernetes.
	Provider string `json:"provider,omitempty"`
	// ProviderAddress is the full source, e.g. registry.terraform.io/hashicorp/aws.
	ProviderAddress string `json:"provider_address,omitempty"`
	Mode            string `json:"mode,omitempty"`   // managed or data
	Module          string `json:"module,omitempty"` // module path, "" for the root module
	// Actions are terraform-json's action list (["create"], ["delete","create"] ...);
	// Action is its one-word summary: create, update, delete, replace, no-op,
	// read; Kubernetes manifests are "apply".
	Actions []string `json:"actions"`
	Action  string   `json:"action"`
	// Before and After are the attribute values with sensitive values
	// replaced by SensitiveValue. After is nil for a delete.
	Before map[string]any `json:"before,omitempty"`
	After  map[string]any `json:"after,omitempty"`
	// AfterUnknown marks attributes known only after apply (true leaves).
	AfterUnknown map[string]any `json:"after_unknown,omitempty"`
	// Config says which attributes the resource's configuration sets and
	// how: "constant" (a literal, also through module inputs), "variable"
	// (a root input variable) or "computed" (from other objects); nested
	// blocks are lists of such objects; unset attributes are absent. It
	// holds only the attributes whose value the plan does not show
	// (unknown or sensitive): After says the rest. Nil
	// when the input says nothing about the configuration (a plan without
	// one, a Kubernetes manifest). It tells an unset Optional+Computed
	// attribute (unknown in a plan, but the provider's default applies)
	// from one set to a value known only after apply. Shared between the
	// instances of one resource block: never modify it.
	Config map[string]any `json:"config,omitempty"`
	// Tags are the effective tags: tags_all when the plan has it, else tags
	// merged over the provider's default_tags.
	Tags map[string]string `json:"tags,omitempty"`
	// Region of the provider configuration, when the plan says.
	Region string `json:"region,omitempty"`
	// File and Line locate the declaration: the manifest document, or the
	// .tf block when a source directory was given.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Severity of a finding: deny needs a sign-off, warn is advice.
type Severity string

const (
	SeverityDeny Severity = "deny"
	SeverityWarn Severity = "warn"
	// SeverityException marks a conftest-style exception: a user policy's
	// exception rule silenced a rule for one input. It neither blocks nor
	// warns; reports list it so the silencing stays visible.
	SeverityException Severity = "exception"
)

// Finding is one guard rail broken by one resource.
type Finding struct {
	Rule         string   `json:"rule"`
	Severity     Severity `json:"severity"`
	Resource     string   `json:"resource"` // address; "" for findings about a whole input
	ResourceType string   `json:"resource_type,omitempty"`
	Action       string   `json:"action,omitempty"`
	Message      string   `json:"message"`
	// Path is the offending attribute (instance_class, spec.template.spec.containers[0].image)
	// and Value its value (never a sensitive one).
	Path        string `json:"path,omitempty"`
	Value       any    `json:"value,omitempty"`
	Remediation string `json:"remediation,omitempty"`
	DocURL      string `json:"doc_url,omitempty"`
	// Input is the file the resource came from; File/Line the declaration.
	Input string `json:"input,omitempty"`
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
	// Policy names where a user policy finding came from (file or namespace);
	// "" for the built-in library.
	Policy string `json:"policy,omitempty"`
	// EnforceFrom is set while a deny rule is still being rolled out: the
	// finding is reported as a warning until that date (YYYY-MM-DD).
	EnforceFrom string `json:"enforce_from,omitempty"`
	// Undetermined is set when the rule cannot judge the resource yet: the
	// value it is about is known only after apply (or, in a manifest, left
	// to substitution). Such a finding is always a warning.
	Undetermined bool `json:"undetermined,omitempty"`
	// Details are the extra keys of a user policy's result object (all
	// but msg), kept as conftest keeps them as metadata.
	Details     map[string]any `json:"details,omitempty"`
	Fingerprint string         `json:"fingerprint"`
}

// ComputeFingerprint binds a finding to its rule, resource and offending
// values: an exception approved for one fingerprint does not cover the same
// rule on another resource or with another value (1 TB -> 2 TB).
func (f *Finding) ComputeFingerprint() string {
	h := sha256.New()
	v, _ := json.Marshal(f.Value) // encoding/json sorts map keys: canonical enough
	for _, s := range []string{f.Rule, f.Resource, f.Path, string(v)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Summarize counts findings by severity.
func Summarize(fs []Finding) (deny, warn int) {
	for _, f := range fs {
		switch f.Severity {
		case SeverityDeny:
			deny++
		case SeverityWarn:
			warn++
		}
	}
	return deny, warn
}

// Rule describes one guard rail, built-in or custom. Its metadata comes
// from the Rego METADATA annotation of the rule's package.
type Rule struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description,omitempty"` // the rationale
	Severity    Severity    `json:"severity"`
	Category    string      `json:"category,omitempty"` // sizing, encryption, exposure, tagging, ...
	Remediation string      `json:"remediation,omitempty"`
	DocURL      string      `json:"doc_url,omitempty"`
	Owner       string      `json:"owner,omitempty"` // owning team
	Security    bool        `json:"security,omitempty"`
	EnforceFrom string      `json:"enforce_from,omitempty"`
	Types       []string    `json:"resource_types,omitempty"`
	Parameters  []RuleParam `json:"parameters,omitempty"`
	Builtin     bool        `json:"builtin"`
}

// RuleParam is one parameter of a rule with its default.
type RuleParam struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Default     any    `json:"default"`
}

// ServiceContext is what a check knows about the service it is for; the
// rules use it to pick thresholds (tier 1 needs multi-AZ, a playground may
// be smaller). Zero when the check is not tied to a service.
type ServiceContext struct {
	Name      string    `json:"name,omitempty"`
	Team      string    `json:"team,omitempty"`
	Tier      Tier      `json:"tier,omitempty"`
	Phase     Phase     `json:"phase,omitempty"`
	DataClass DataClass `json:"data_class,omitempty"`
}

// ActionSummary turns terraform-json's action list into one word.
func ActionSummary(actions []string) string {
	switch strings.Join(actions, ",") {
	case "no-op":
		return "no-op"
	case "create":
		return "create"
	case "read":
		return "read"
	case "update":
		return "update"
	case "delete":
		return "delete"
	case "delete,create", "create,delete":
		return "replace"
	case "forget":
		return "forget"
	}
	return strings.Join(actions, ",")
}
