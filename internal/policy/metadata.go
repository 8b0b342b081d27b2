package policy

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	paved "github.com/paved-dev/paved"
)

// Rule scopes: a resource-scoped rule judges resources one at a time and
// sees a chunk of them; a plan-scoped rule compares resources and sees all
// of one input.
const (
	scopeResource = "resource"
	scopePlan     = "plan"
)

// ruleInfo is what the engine knows about one paved-style rule.
type ruleInfo struct {
	rule     paved.Rule
	pkg      string // package name below paved.rules
	scope    string
	defaults map[string]any // normalised parameter defaults
	pass     string         // examples
	fail     string
	sets     []string // result sets the package defines: deny, warn
	file     string   // source file (for custom rules: Finding.Policy)
	// typeSet holds resource_types for the per-chunk rule selection.
	typeSet map[string]bool
	// allTypes is set by resource_types: ["*"]: a rule that judges every
	// resource on its own (tags, regions, providers). It runs per chunk, in
	// parallel, like any resource-scoped rule.
	allTypes bool
	// contextTypes (custom.context_types) are the types of account-wide
	// settings a resource-scoped rule reads beside what it judges
	// (aws_ebs_encryption_by_default): every chunk it runs in gets the
	// input's resources of these types in input.by_type.
	contextTypes []string
}

var ruleIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// knownCustomKeys are the keys of the METADATA custom block; anything else
// is a typo that would silently drop documentation, so it is an error.
var knownCustomKeys = map[string]bool{
	"id": true, "severity": true, "category": true, "security": true, "remediation": true,
	"resource_types": true, "scope": true, "parameters": true, "examples": true,
	"enforce_from": true, "owner": true, "context_types": true,
	// checkov and trivy name the counterpart checks of other scanners (an
	// empty list: none); documentation only, read by gendocs and
	// bench/checkov-diff.sh.
	"checkov": true, "trivy": true,
}

// counterpartPatterns are the id shapes of the scanners custom.checkov and
// custom.trivy name: CKV_AWS_79, CKV2_K8S_6; AWS-0028, KSV-0110.
var counterpartPatterns = map[string]*regexp.Regexp{
	"checkov": regexp.MustCompile(`^CKV2?_[A-Z0-9]+_[0-9]+$`),
	"trivy":   regexp.MustCompile(`^[A-Z]+-[0-9]{4,5}$`),
}

// parseRuleMetadata reads the package-scope METADATA annotation of a rule
// package. pkg is the package name below paved.rules.
func parseRuleMetadata(pkg string, a *ast.Annotations, file string) (*ruleInfo, error) {
	where := file
	if a.Location != nil {
		where = fmt.Sprintf("%s:%d", a.Location.File, a.Location.Row)
	}
	fail := func(format string, args ...any) error {
		return paved.FieldErrorf(paved.EINVALID, where, "rule package paved.rules.%s: METADATA %s", pkg, fmt.Sprintf(format, args...))
	}
	c := a.Custom
	if c == nil {
		return nil, fail("has no custom: block (want custom.id, custom.severity, ...)")
	}
	for _, k := range sortedKeys(c) {
		if !knownCustomKeys[k] {
			return nil, fail("custom.%s is not a known key (known: %s)", k, strings.Join(sortedKeys(knownCustomKeys), ", "))
		}
	}
	str := func(key string) (string, error) {
		v, ok := c[key]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fail("custom.%s: want a string, got %s", key, jsonType(v))
		}
		return strings.TrimSpace(s), nil
	}
	ri := &ruleInfo{pkg: pkg, file: file, defaults: map[string]any{}, typeSet: map[string]bool{}}
	r := &ri.rule
	r.Title = strings.TrimSpace(a.Title)
	r.Description = strings.TrimSpace(a.Description)
	var err error
	if r.ID, err = str("id"); err != nil {
		return nil, err
	}
	if r.ID == "" {
		return nil, fail("has no custom.id")
	}
	if !ruleIDPattern.MatchString(r.ID) {
		return nil, fail("custom.id %q: want lower-case words joined by '-'", r.ID)
	}
	if want := strings.ReplaceAll(r.ID, "-", "_"); want != pkg {
		return nil, fail("custom.id %q belongs in package paved.rules.%s", r.ID, want)
	}
	if r.Title == "" {
		return nil, fail("has no title")
	}
	sev, err := str("severity")
	if err != nil {
		return nil, err
	}
	switch paved.Severity(sev) {
	case paved.SeverityDeny, paved.SeverityWarn:
		r.Severity = paved.Severity(sev)
	default:
		return nil, fail("custom.severity: want deny or warn, got %q", sev)
	}
	if r.Category, err = str("category"); err != nil {
		return nil, err
	}
	if r.Remediation, err = str("remediation"); err != nil {
		return nil, err
	}
	if r.Owner, err = str("owner"); err != nil {
		return nil, err
	}
	if r.EnforceFrom, err = str("enforce_from"); err != nil {
		return nil, err
	}
	if r.EnforceFrom != "" {
		if _, err := time.Parse(dateLayout, r.EnforceFrom); err != nil {
			return nil, fail("custom.enforce_from: want a date YYYY-MM-DD, got %q", r.EnforceFrom)
		}
	}
	if v, ok := c["security"]; ok && v != nil {
		b, ok := v.(bool)
		if !ok {
			return nil, fail("custom.security: want true or false, got %s", jsonType(v))
		}
		r.Security = b
	}
	for _, key := range []string{"checkov", "trivy"} {
		v, ok := c[key]
		if !ok || v == nil {
			continue
		}
		l, ok := v.([]any)
		if !ok {
			return nil, fail("custom.%s: want a list of check ids ([] for none), got %s", key, jsonType(v))
		}
		for i, e := range l {
			if s, ok := e.(string); !ok || !counterpartPatterns[key].MatchString(s) {
				return nil, fail("custom.%s[%d]: want a check id such as %s, got %s", key, i, map[string]string{"checkov": "CKV_AWS_79", "trivy": "AWS-0028"}[key], compactJSON(e))
			}
		}
	}
	if ri.scope, err = str("scope"); err != nil {
		return nil, err
	}
	switch ri.scope {
	case "":
		ri.scope = scopeResource
	case scopeResource, scopePlan:
	default:
		return nil, fail("custom.scope: want resource or plan, got %q", ri.scope)
	}
	if v, ok := c["resource_types"]; ok && v != nil {
		l, ok := v.([]any)
		if !ok {
			return nil, fail("custom.resource_types: want a list of resource types, got %s", jsonType(v))
		}
		for i, e := range l {
			s, ok := e.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return nil, fail("custom.resource_types[%d]: want a resource type, got %s", i, compactJSON(e))
			}
			if s == "*" {
				ri.allTypes = true
			}
			if !ri.typeSet[s] {
				ri.typeSet[s] = true
				r.Types = append(r.Types, s)
			}
		}
	}
	if v, ok := c["context_types"]; ok && v != nil {
		l, ok := v.([]any)
		if !ok {
			return nil, fail("custom.context_types: want a list of resource types, got %s", jsonType(v))
		}
		for i, e := range l {
			s, ok := e.(string)
			if !ok || strings.TrimSpace(s) == "" || s == "*" {
				return nil, fail("custom.context_types[%d]: want a resource type, got %s", i, compactJSON(e))
			}
			ri.contextTypes = append(ri.contextTypes, s)
		}
	}
	if ri.scope == scopeResource && len(r.Types) == 0 {
		return nil, fail("custom.resource_types: a resource-scoped rule must list the resource types it judges")
	}
	if v, ok := c["parameters"]; ok && v != nil {
		ps, ok := v.(map[string]any)
		if !ok {
			return nil, fail("custom.parameters: want a mapping of parameter name to {default, description}, got %s", jsonType(v))
		}
		for _, name := range sortedKeys(ps) {
			p, ok := ps[name].(map[string]any)
			if !ok {
				return nil, fail("custom.parameters.%s: want {default: ..., description: ...}, got %s", name, jsonType(ps[name]))
			}
			def, ok := p["default"]
			if !ok {
				return nil, fail("custom.parameters.%s has no default", name)
			}
			for k := range p {
				if k != "default" && k != "description" {
					return nil, fail("custom.parameters.%s.%s is not a known key (known: default, description)", name, k)
				}
			}
			nd, err := normalise(def, 0)
			if err != nil {
				return nil, fail("custom.parameters.%s.default: %v", name, err)
			}
			desc, _ := p["description"].(string)
			ri.defaults[name] = nd
			r.Parameters = append(r.Parameters, paved.RuleParam{Name: name, Description: strings.TrimSpace(desc), Default: nd})
		}
	}
	if v, ok := c["examples"]; ok && v != nil {
		ex, ok := v.(map[string]any)
		if !ok {
			return nil, fail("custom.examples: want {pass: ..., fail: ...}, got %s", jsonType(v))
		}
		for k, e := range ex {
			s, ok := e.(string)
			if !ok || (k != "pass" && k != "fail") {
				return nil, fail("custom.examples.%s: want pass or fail with a string", k)
			}
			if k == "pass" {
				ri.pass = s
			} else {
				ri.fail = s
			}
		}
	}
	sort.Strings(r.Types)
	return ri, nil
}
