// Package scorecard decides where every service stands on the platform's
// scorecards: it reads scorecards/*.yaml (strictly, with file:line
// errors), selects the services a scorecard applies to, evaluates its
// rules over what paved knows of a service (launch item states, facts, the
// latest recorded check, exceptions, the catalog, the budget), computes
// the level reached and what is missing for the next one, and composes the
// scorecard.regressed notification. Service applies all of it for every
// face and for the daily job. docs/scorecards.md is the user guide.
package scorecard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/facts/expr"
	"github.com/paved-dev/paved/internal/yamlnode"
)

// Bounds of one scorecard file: a real one is a few KiB.
const (
	MaxFileBytes = 256 << 10
	maxNodes     = 20_000
	MaxRules     = 200
	MaxLevels    = 10
)

var idRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$`)

// Card is a parsed scorecard with what its rules need compiled: the fact
// expressions, the combinations, each rule's level index.
type Card struct {
	*paved.Scorecard
	// Source is the file it came from ("" for an embedded default: then
	// Default is set).
	Source  string
	Default bool
	// Lines holds the line of each rule ("rule:ID") and of the file's id.
	Lines map[string]int

	rules []*rule
}

type rule struct {
	*paved.ScorecardRule
	level int
	fact  *expr.Expr
	comb  boolNode
	index int
}

// Parse reads one scorecard file. file names it in errors (file:line).
// Every error is a *paved.Error (EINVALID, or ETOOLARGE).
func Parse(file string, data []byte) (c *Card, err error) {
	if file == "" {
		file = "scorecard"
	}
	if len(data) > MaxFileBytes {
		return nil, paved.FieldErrorf(paved.ETOOLARGE, file, "the scorecard is larger than %d bytes: a real one is a few KiB; is this the right file?", MaxFileBytes)
	}
	// The YAML parser is third-party code fed files from a config repo: a
	// panic in it must become an error naming the file.
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, paved.FieldErrorf(paved.EINVALID, file, "the YAML parser failed on this file (%v): check its syntax", r)
		}
	}()
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, emptyFile(file)
		}
		return nil, syntaxError(file, err)
	}
	var second yaml.Node
	if err := dec.Decode(&second); err == nil {
		return nil, paved.FieldErrorf(paved.EINVALID, fmt.Sprintf("%s:%d", file, max(second.Line, 1)),
			"a second YAML document (after ---): a scorecard file holds exactly one scorecard")
	} else if !errors.Is(err, io.EOF) {
		return nil, syntaxError(file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, emptyFile(file)
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, emptyFile(file)
	}
	p := &parser{Reader: yamlnode.Reader{File: file, MaxNodes: maxNodes, Doc: "scorecard", In: "scorecards"}}
	c, err = p.card(root)
	if err != nil {
		return nil, err
	}
	c.Source = file
	return c, nil
}

func emptyFile(file string) error {
	return paved.FieldErrorf(paved.EINVALID, file+":1", "the file is empty: expected a scorecard with id, title, levels and rules (see docs/scorecards.md)")
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

func syntaxError(file string, err error) error {
	msg := err.Error()
	line := "1"
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line = m[1]
		}
		msg = msg[len(m[0]):]
	}
	return paved.FieldErrorf(paved.EINVALID, file+":"+line, "not valid YAML: %s", msg)
}

type parser struct {
	yamlnode.Reader
}

// str reads an optional string field.
func (p *parser) str(f map[string]yamlnode.Entry, key, what string) (string, error) {
	e, ok := f[key]
	if !ok {
		return "", nil
	}
	if e.Val.Kind != yaml.ScalarNode || e.Val.Tag == "!!null" {
		return "", p.Errorf(e.Val, "%s %s is %s: expected text", what, key, yamlnode.Describe(e.Val))
	}
	return strings.TrimSpace(e.Val.Value), nil
}

func (p *parser) required(parent *yaml.Node, f map[string]yamlnode.Entry, key, what, expected string) (string, error) {
	s, err := p.str(f, key, what)
	if err != nil {
		return "", err
	}
	if s == "" {
		n := parent
		if e, ok := f[key]; ok {
			n = e.Val
		}
		return "", p.Errorf(n, "%s has no %s: expected %s", what, key, expected)
	}
	return s, nil
}

func (p *parser) checkID(n *yaml.Node, what, id string) error {
	if !idRE.MatchString(id) {
		return p.Errorf(n, "%s id %q is not valid: expected lower-case letters, digits and dashes, at most 64 characters (such as production-readiness)", what, id)
	}
	return nil
}

// strings reads a list of scalars (a single scalar is a list of one).
func (p *parser) list(e yamlnode.Entry, what string) ([]*yaml.Node, error) {
	if e.Val.Kind == yaml.ScalarNode && e.Val.Tag != "!!null" {
		return []*yaml.Node{e.Val}, nil
	}
	if e.Val.Kind != yaml.SequenceNode {
		return nil, p.Errorf(e.Val, "%s is %s: expected a list", what, yamlnode.Describe(e.Val))
	}
	out := make([]*yaml.Node, 0, len(e.Val.Content))
	for _, c := range e.Val.Content {
		c, err := p.Resolve(c)
		if err != nil {
			return nil, err
		}
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
			return nil, p.Errorf(c, "%s lists %s: expected plain values", what, yamlnode.Describe(c))
		}
		out = append(out, c)
	}
	return out, nil
}

func (p *parser) card(root *yaml.Node) (*Card, error) {
	f, err := p.Fields(root, "a scorecard", "id", "title", "description", "applies_to", "levels", "rules")
	if err != nil {
		return nil, err
	}
	sc := &paved.Scorecard{}
	c := &Card{Scorecard: sc, Lines: map[string]int{}}
	if sc.ID, err = p.required(root, f, "id", "the scorecard", "an id such as production-readiness"); err != nil {
		return nil, err
	}
	if err := p.checkID(f["id"].Val, "the scorecard", sc.ID); err != nil {
		return nil, err
	}
	c.Lines["id"] = f["id"].Val.Line
	if sc.Title, err = p.required(root, f, "title", "the scorecard", "a title such as Production readiness"); err != nil {
		return nil, err
	}
	if sc.Description, err = p.str(f, "description", "the scorecard"); err != nil {
		return nil, err
	}
	if e, ok := f["applies_to"]; ok {
		if sc.Selector, err = p.selector(e.Val); err != nil {
			return nil, err
		}
	}
	e, ok := f["levels"]
	if !ok {
		return nil, p.Errorf(root, "the scorecard has no levels: expected a list such as [bronze, silver, gold], lowest first")
	}
	if sc.Levels, err = p.levels(e); err != nil {
		return nil, err
	}
	e, ok = f["rules"]
	if !ok || e.Val.Kind != yaml.SequenceNode || len(e.Val.Content) == 0 {
		n := root
		if ok {
			n = e.Val
		}
		return nil, p.Errorf(n, "the scorecard has no rules: expected a list of rules, each with id, title, level and what it checks")
	}
	if len(e.Val.Content) > MaxRules {
		return nil, p.Errorf(e.Val, "the scorecard has %d rules: at most %d; split it into several scorecards", len(e.Val.Content), MaxRules)
	}
	ids := map[string]int{}
	for _, n := range e.Val.Content {
		n, err := p.Resolve(n)
		if err != nil {
			return nil, err
		}
		r, err := p.rule(n, c, ids)
		if err != nil {
			return nil, err
		}
		r.index = len(c.rules)
		ids[r.ID] = r.index
		c.Lines["rule:"+r.ID] = n.Line
		c.rules = append(c.rules, r)
		sc.Rules = append(sc.Rules, r.ScorecardRule)
	}
	for i, l := range sc.Levels {
		if !slices.ContainsFunc(c.rules, func(r *rule) bool { return r.level == i }) {
			return nil, p.Errorf(e.Val, "level %q has no rule: every level needs at least one rule of its own, or it is reached for free", l.ID)
		}
	}
	return c, nil
}

func (p *parser) selector(n *yaml.Node) (paved.ScorecardSelector, error) {
	var s paved.ScorecardSelector
	f, err := p.Fields(n, "applies_to", "tiers", "phases", "data_classes", "team_kinds", "tags")
	if err != nil {
		return s, err
	}
	if e, ok := f["tiers"]; ok {
		vals, err := p.list(e, "applies_to.tiers")
		if err != nil {
			return s, err
		}
		for _, v := range vals {
			t, err := paved.ParseTier(v.Value)
			if err != nil {
				return s, p.Errorf(v, "applies_to.tiers: %s", paved.ErrorMessage(err))
			}
			s.Tiers = append(s.Tiers, t)
		}
	}
	if e, ok := f["phases"]; ok {
		vals, err := p.list(e, "applies_to.phases")
		if err != nil {
			return s, err
		}
		for _, v := range vals {
			ph, err := paved.ParsePhase(v.Value)
			if err != nil {
				return s, p.Errorf(v, "applies_to.phases: %s", paved.ErrorMessage(err))
			}
			s.Phases = append(s.Phases, ph)
		}
	}
	if e, ok := f["data_classes"]; ok {
		vals, err := p.list(e, "applies_to.data_classes")
		if err != nil {
			return s, err
		}
		for _, v := range vals {
			d, err := paved.ParseDataClass(v.Value)
			if err != nil {
				return s, p.Errorf(v, "applies_to.data_classes: %s", paved.ErrorMessage(err))
			}
			s.DataClasses = append(s.DataClasses, d)
		}
	}
	if e, ok := f["team_kinds"]; ok {
		vals, err := p.list(e, "applies_to.team_kinds")
		if err != nil {
			return s, err
		}
		for _, v := range vals {
			k, err := paved.ParseTeamKind(v.Value)
			if err != nil {
				return s, p.Errorf(v, "applies_to.team_kinds: %s", paved.ErrorMessage(err))
			}
			s.TeamKinds = append(s.TeamKinds, k)
		}
	}
	if e, ok := f["tags"]; ok {
		vals, err := p.list(e, "applies_to.tags")
		if err != nil {
			return s, err
		}
		for _, v := range vals {
			if strings.TrimSpace(v.Value) == "" {
				return s, p.Errorf(v, "applies_to.tags lists an empty tag")
			}
			s.Tags = append(s.Tags, strings.TrimSpace(v.Value))
		}
	}
	return s, nil
}

func (p *parser) levels(e yamlnode.Entry) ([]paved.ScorecardLevel, error) {
	if e.Val.Kind != yaml.SequenceNode || len(e.Val.Content) == 0 {
		return nil, p.Errorf(e.Val, "levels is %s: expected a list such as [bronze, silver, gold], lowest first", yamlnode.Describe(e.Val))
	}
	if len(e.Val.Content) > MaxLevels {
		return nil, p.Errorf(e.Val, "%d levels: at most %d", len(e.Val.Content), MaxLevels)
	}
	var out []paved.ScorecardLevel
	for _, n := range e.Val.Content {
		n, err := p.Resolve(n)
		if err != nil {
			return nil, err
		}
		var l paved.ScorecardLevel
		switch n.Kind {
		case yaml.ScalarNode:
			l.ID = strings.TrimSpace(n.Value)
		case yaml.MappingNode:
			f, err := p.Fields(n, "a level", "id", "title")
			if err != nil {
				return nil, err
			}
			if l.ID, err = p.required(n, f, "id", "a level", "an id such as silver"); err != nil {
				return nil, err
			}
			if l.Title, err = p.str(f, "title", "level "+l.ID); err != nil {
				return nil, err
			}
		default:
			return nil, p.Errorf(n, "levels lists %s: expected an id such as silver, or a mapping of id and title", yamlnode.Describe(n))
		}
		if err := p.checkID(n, "the level", l.ID); err != nil {
			return nil, err
		}
		if l.Title == "" {
			l.Title = strings.ToUpper(l.ID[:1]) + strings.ReplaceAll(l.ID[1:], "-", " ")
		}
		if slices.ContainsFunc(out, func(o paved.ScorecardLevel) bool { return o.ID == l.ID }) {
			return nil, p.Errorf(n, "level %q is listed twice", l.ID)
		}
		out = append(out, l)
	}
	return out, nil
}

// ruleKeys are the keys that say what a rule checks, one per kind.
var ruleKeys = []struct {
	key  string
	kind paved.ScorecardRuleKind
}{
	{"item", paved.RuleKindItem},
	{"fact", paved.RuleKindFact},
	{"guardrail", paved.RuleKindGuardRail},
	{"exceptions", paved.RuleKindExceptions},
	{"catalog", paved.RuleKindCatalog},
	{"budget", paved.RuleKindBudget},
	{"expr", paved.RuleKindExpr},
}

func (p *parser) rule(n *yaml.Node, c *Card, ids map[string]int) (*rule, error) {
	f, err := p.Fields(n, "a rule", "id", "title", "level", "guidance",
		"item", "states", "fact", "guardrail", "exceptions", "catalog", "equals", "budget", "expr")
	if err != nil {
		return nil, err
	}
	r := &rule{ScorecardRule: &paved.ScorecardRule{}}
	if r.ID, err = p.required(n, f, "id", "a rule", "an id such as encryption-at-rest"); err != nil {
		return nil, err
	}
	if err := p.checkID(f["id"].Val, "the rule", r.ID); err != nil {
		return nil, err
	}
	if prev, ok := ids[r.ID]; ok {
		return nil, p.Errorf(f["id"].Val, "rule %q appears twice (first at line %d): rule ids are unique in a scorecard", r.ID, c.Lines["rule:"+c.rules[prev].ID])
	}
	what := "rule " + r.ID
	if r.Title, err = p.required(n, f, "title", what, "a title that says what passes"); err != nil {
		return nil, err
	}
	if r.Guidance, err = p.str(f, "guidance", what); err != nil {
		return nil, err
	}
	level, err := p.required(n, f, "level", what, "one of the scorecard's levels")
	if err != nil {
		return nil, err
	}
	r.level = slices.IndexFunc(c.Levels, func(l paved.ScorecardLevel) bool { return l.ID == level })
	if r.level < 0 {
		ls := make([]string, len(c.Levels))
		for i, l := range c.Levels {
			ls[i] = l.ID
		}
		return nil, p.Errorf(f["level"].Val, "%s: unknown level %q: expected one of %s", what, level, strings.Join(ls, ", "))
	}
	r.Level = level
	var kindKey string
	for _, k := range ruleKeys {
		if _, ok := f[k.key]; ok {
			if kindKey != "" {
				return nil, p.Errorf(f[k.key].Key, "%s has both %s and %s: a rule checks one thing (combine rules with expr)", what, kindKey, k.key)
			}
			kindKey, r.Kind = k.key, k.kind
		}
	}
	if kindKey == "" {
		return nil, p.Errorf(n, "%s says nothing to check: expected one of item, fact, guardrail, exceptions, catalog, budget, expr", what)
	}
	for key, kind := range map[string]string{"states": "item", "equals": "catalog"} {
		if e, ok := f[key]; ok && kindKey != kind {
			return nil, p.Errorf(e.Key, "%s: %s is for %s rules, not %s", what, key, kind, kindKey)
		}
	}
	e := f[kindKey]
	switch r.Kind {
	case paved.RuleKindItem:
		if r.Item, err = p.required(n, f, "item", what, "a checklist or questionnaire item id"); err != nil {
			return nil, err
		}
		if s, ok := f["states"]; ok {
			vals, err := p.list(s, what+" states")
			if err != nil {
				return nil, err
			}
			for _, v := range vals {
				if !slices.Contains(ItemStates, v.Value) {
					return nil, p.Errorf(v, "%s: unknown item state %q: expected some of %s", what, v.Value, strings.Join(ItemStates, ", "))
				}
				r.ItemStates = append(r.ItemStates, v.Value)
			}
		}
	case paved.RuleKindFact:
		if r.Fact, err = p.required(n, f, "fact", what, "a comparison of facts such as github.branch_protection.required_reviews >= 2"); err != nil {
			return nil, err
		}
		if r.fact, err = expr.Parse(r.Fact); err != nil {
			return nil, p.Errorf(e.Val, "%s fact: %s", what, paved.ErrorMessage(err))
		}
	case paved.RuleKindGuardRail:
		if r.GuardRail, err = p.required(n, f, "guardrail", what, "a guard-rail rule id such as aws-rds-encryption"); err != nil {
			return nil, err
		}
	case paved.RuleKindExceptions:
		ef, err := p.Fields(e.Val, what+" exceptions", "max", "max_age")
		if err != nil {
			return nil, err
		}
		if len(ef) == 0 {
			return nil, p.Errorf(e.Val, "%s exceptions: expected max (a count) and/or max_age (such as 90d)", what)
		}
		if m, ok := ef["max"]; ok {
			v, verr := strconv.Atoi(m.Val.Value)
			if m.Val.Kind != yaml.ScalarNode || m.Val.Tag != "!!int" || verr != nil || v < 0 {
				return nil, p.Errorf(m.Val, "%s exceptions max is %s: expected a count, 0 or more", what, yamlnode.Describe(m.Val))
			}
			r.MaxCount = v
		} else {
			r.MaxCount = -1
		}
		if a, ok := ef["max_age"]; ok {
			if a.Val.Kind != yaml.ScalarNode {
				return nil, p.Errorf(a.Val, "%s exceptions max_age is %s: expected days such as 90d", what, yamlnode.Describe(a.Val))
			}
			d, err := paved.ParseDays(a.Val.Value)
			if err != nil {
				return nil, p.Errorf(a.Val, "%s exceptions max_age: %s", what, paved.ErrorMessage(err))
			}
			r.MaxAge = d
		}
	case paved.RuleKindCatalog:
		if r.Field, err = p.required(n, f, "catalog", what, "a catalog field such as description, links.runbook or annotations.pagerduty.com/service-id"); err != nil {
			return nil, err
		}
		if err := checkField(r.Field); err != nil {
			return nil, p.Errorf(e.Val, "%s catalog: %s", what, err)
		}
		if r.Equals, err = p.str(f, "equals", what); err != nil {
			return nil, err
		}
	case paved.RuleKindBudget:
		r.Threshold = 100
		switch {
		case e.Val.Kind == yaml.ScalarNode && e.Val.Tag == "!!bool" && e.Val.Value == "true":
		case e.Val.Kind == yaml.MappingNode:
			bf, err := p.Fields(e.Val, what+" budget", "threshold")
			if err != nil {
				return nil, err
			}
			if t, ok := bf["threshold"]; ok {
				v, verr := strconv.Atoi(t.Val.Value)
				if t.Val.Kind != yaml.ScalarNode || t.Val.Tag != "!!int" || verr != nil || v < 1 || v > 1000 {
					return nil, p.Errorf(t.Val, "%s budget threshold is %s: expected a percentage of the budget such as 100", what, yamlnode.Describe(t.Val))
				}
				r.Threshold = v
			}
		default:
			return nil, p.Errorf(e.Val, "%s budget is %s: expected true, or a mapping with threshold (percent of the budget, default 100)", what, yamlnode.Describe(e.Val))
		}
	case paved.RuleKindExpr:
		if r.Expr, err = p.required(n, f, "expr", what, "other rules combined such as encryption and (paging or on-call)"); err != nil {
			return nil, err
		}
		if r.comb, err = parseBool(r.Expr, ids); err != nil {
			return nil, p.Errorf(e.Val, "%s expr: %v", what, err)
		}
	}
	return r, nil
}
