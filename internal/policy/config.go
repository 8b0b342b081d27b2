package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/suggest"
)

// Config is the guard-rail section of paved.yaml (`guardrails:`). It tunes
// the built-in and custom paved-style rules; it never adds rules.
//
//	guardrails:
//	  disabled: [k8s-probes]
//	  rules:
//	    aws-db-max-memory:
//	      params: {max_gib: 256}
//	      tiers: {"1": {max_gib: 1024}}
//	      phases: {playground: {max_gib: 64}}
//	      severity: warn
//	      enforce_from: "2026-09-01"
type Config struct {
	Rules    map[string]RuleConfig `yaml:"rules" json:"rules,omitempty"`
	Disabled []string              `yaml:"disabled" json:"disabled,omitempty"`
}

// RuleConfig tunes one rule. Parameter values are overlaid in this order:
// the rule's metadata default, Params, Tiers[service tier], Phases[service
// phase]; the most specific wins.
type RuleConfig struct {
	Params map[string]any `yaml:"params" json:"params,omitempty"`
	// Tiers is keyed "1".."4".
	Tiers map[string]map[string]any `yaml:"tiers" json:"tiers,omitempty"`
	// Phases is keyed by phase: playground, green-light, production, retired.
	Phases map[string]map[string]any `yaml:"phases" json:"phases,omitempty"`
	// Severity overrides the rule's severity for every finding (deny|warn).
	Severity paved.Severity `yaml:"severity" json:"severity,omitempty"`
	Disabled bool           `yaml:"disabled" json:"disabled,omitempty"`
	// EnforceFrom (YYYY-MM-DD) rolls a deny rule out gently: until that day
	// its findings are warnings that say when they start to block.
	EnforceFrom string `yaml:"enforce_from" json:"enforce_from,omitempty"`
	// Owner is the team that owns the rule (shown by --explain).
	Owner string `yaml:"owner" json:"owner,omitempty"`
}

const dateLayout = "2006-01-02"

// validateConfig checks cfg against the known rules and returns the
// normalised parameter values (JSON-compatible Go values) so that the
// overlay never sees YAML-specific types. Every error names the offending
// key as a dotted path below guardrails.
func validateConfig(cfg Config, rules map[string]*ruleInfo) (Config, error) {
	out := Config{Rules: map[string]RuleConfig{}, Disabled: append([]string(nil), cfg.Disabled...)}
	for i, id := range cfg.Disabled {
		if _, ok := rules[id]; !ok {
			return out, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("guardrails.disabled[%d]", i),
				"unknown rule %q%s", id, didYouMean(id, rules))
		}
	}
	ids := make([]string, 0, len(cfg.Rules))
	for id := range cfg.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		rc := cfg.Rules[id]
		field := "guardrails.rules." + id
		ri, ok := rules[id]
		if !ok {
			return out, paved.FieldErrorf(paved.EINVALID, field, "unknown rule %q%s", id, didYouMean(id, rules))
		}
		n := RuleConfig{Severity: rc.Severity, Disabled: rc.Disabled, EnforceFrom: rc.EnforceFrom, Owner: rc.Owner}
		switch rc.Severity {
		case "", paved.SeverityDeny, paved.SeverityWarn:
		default:
			return out, paved.FieldErrorf(paved.EINVALID, field+".severity", "want deny or warn, got %q", rc.Severity)
		}
		if rc.EnforceFrom != "" {
			if _, err := time.Parse(dateLayout, rc.EnforceFrom); err != nil {
				return out, paved.FieldErrorf(paved.EINVALID, field+".enforce_from", "want a date YYYY-MM-DD, got %q", rc.EnforceFrom)
			}
		}
		var err error
		if n.Params, err = validateParams(rc.Params, ri, field+".params"); err != nil {
			return out, err
		}
		if len(rc.Tiers) > 0 {
			n.Tiers = map[string]map[string]any{}
			for _, k := range sortedKeys(rc.Tiers) {
				t, perr := paved.ParseTier(k)
				if perr != nil || !t.Valid() {
					return out, paved.FieldErrorf(paved.EINVALID, field+".tiers."+k, "want a tier 1, 2, 3 or 4, got %q", k)
				}
				key := strconv.Itoa(int(t))
				if _, dup := n.Tiers[key]; dup {
					return out, paved.FieldErrorf(paved.EINVALID, field+".tiers."+k, "tier %s is configured twice", key)
				}
				if n.Tiers[key], err = validateParams(rc.Tiers[k], ri, field+".tiers."+k); err != nil {
					return out, err
				}
			}
		}
		if len(rc.Phases) > 0 {
			n.Phases = map[string]map[string]any{}
			for _, k := range sortedKeys(rc.Phases) {
				p, perr := paved.ParsePhase(k)
				if perr != nil {
					return out, paved.FieldErrorf(paved.EINVALID, field+".phases."+k, "want a phase (playground, green-light, production, retired), got %q", k)
				}
				if _, dup := n.Phases[string(p)]; dup {
					return out, paved.FieldErrorf(paved.EINVALID, field+".phases."+k, "phase %s is configured twice", p)
				}
				if n.Phases[string(p)], err = validateParams(rc.Phases[k], ri, field+".phases."+k); err != nil {
					return out, err
				}
			}
		}
		out.Rules[id] = n
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// validateParams checks names and types of configured parameter values
// against the rule's defaults and returns them normalised.
func validateParams(ps map[string]any, ri *ruleInfo, field string) (map[string]any, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(ps))
	for _, name := range sortedKeys(ps) {
		f := field + "." + name
		def, ok := ri.defaults[name]
		if !ok {
			known := sortedKeys(ri.defaults)
			if len(known) == 0 {
				return nil, paved.FieldErrorf(paved.EINVALID, f, "rule %s has no parameters", ri.rule.ID)
			}
			return nil, paved.FieldErrorf(paved.EINVALID, f, "rule %s has no parameter %q (it has: %s)", ri.rule.ID, name, strings.Join(known, ", "))
		}
		v, err := normalise(ps[name], 0)
		if err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, f, "%v", err)
		}
		if err := sameType(def, v); err != nil {
			return nil, paved.FieldErrorf(paved.EINVALID, f, "rule %s parameter %s: %v", ri.rule.ID, name, err)
		}
		out[name] = v
	}
	return out, nil
}

// maxParamDepth bounds nesting of parameter values: a guard-rail parameter
// is a number, a list of strings, at most a small object.
const maxParamDepth = 32

// normalise turns decoded YAML or JSON into the JSON data model (string,
// float64/json.Number, bool, nil, []any, map[string]any), so that values
// from any decoder compare and convert the same way.
func normalise(v any, depth int) (any, error) {
	if depth > maxParamDepth {
		return nil, fmt.Errorf("nested more than %d levels deep", maxParamDepth)
	}
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("want a finite number, got %v", x)
		}
		return x, nil
	case float32:
		return normalise(float64(x), depth)
	case int:
		return json.Number(strconv.FormatInt(int64(x), 10)), nil
	case int8, int16, int32, int64:
		return json.Number(strconv.FormatInt(reflect.ValueOf(x).Int(), 10)), nil
	case uint, uint8, uint16, uint32, uint64:
		return json.Number(strconv.FormatUint(reflect.ValueOf(x).Uint(), 10)), nil
	case time.Time:
		// YAML reads an unquoted 2026-01-01 as a timestamp; Rego has no
		// time type, so keep the text the user wrote.
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(dateLayout), nil
		}
		return x.Format(time.RFC3339Nano), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normalise(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normalise(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("object keys must be strings, got %v", k)
			}
			n, err := normalise(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[ks] = n
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// jsonType names the JSON type of a normalised value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "bool"
	case float64, json.Number:
		return "number"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sameType accepts v where def is expected: the same JSON type; for a list
// default whose elements share one type, elements of that type. A null
// default accepts anything (the rule declared no type).
func sameType(def, v any) error {
	dt, vt := jsonType(def), jsonType(v)
	if dt == "null" {
		return nil
	}
	if dt != vt {
		return fmt.Errorf("want a %s (like the default %s), got a %s %s", dt, compactJSON(def), vt, compactJSON(v))
	}
	if dl, ok := def.([]any); ok && len(dl) > 0 {
		et := jsonType(dl[0])
		for _, e := range dl[1:] {
			if jsonType(e) != et {
				return nil // a mixed default list constrains nothing
			}
		}
		for i, e := range v.([]any) {
			if jsonType(e) != et {
				return fmt.Errorf("want a list of %ss, item %d is a %s %s", et, i, jsonType(e), compactJSON(e))
			}
		}
	}
	return nil
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

// didYouMean proposes the closest known rule id for a typo.
func didYouMean(id string, rules map[string]*ruleInfo) string {
	if best := suggest.Closest(id, sortedKeys(rules), 3); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// Params returns the effective parameters of rule id for a service: the
// metadata defaults overlaid by the configured params, then the tier's, then
// the phase's. It is what data.paved.params.<pkg> holds during a check.
func (e *Engine) Params(id string, svc paved.ServiceContext) (map[string]any, bool) {
	ri, ok := e.rules[id]
	if !ok {
		return nil, false
	}
	return overlay(ri, e.cfg.Rules[id], svc), true
}

// overlay computes effective parameters; a plain function so the order of
// precedence is table-tested.
func overlay(ri *ruleInfo, rc RuleConfig, svc paved.ServiceContext) map[string]any {
	out := make(map[string]any, len(ri.defaults))
	for k, v := range ri.defaults {
		out[k] = v
	}
	for k, v := range rc.Params {
		out[k] = v
	}
	if svc.Tier.Valid() {
		for k, v := range rc.Tiers[strconv.Itoa(int(svc.Tier))] {
			out[k] = v
		}
	}
	if svc.Phase != "" {
		for k, v := range rc.Phases[string(svc.Phase)] {
			out[k] = v
		}
	}
	return out
}
