package platform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
	"github.com/paved-dev/paved/internal/config"
	"github.com/paved-dev/paved/internal/cost"
	"github.com/paved-dev/paved/internal/identity"
	"github.com/paved-dev/paved/internal/launch"
	"github.com/paved-dev/paved/internal/ownership"
	"github.com/paved-dev/paved/internal/policy"
	"github.com/paved-dev/paved/internal/scorecard"
	"github.com/paved-dev/paved/internal/suggest"
)

// Parts of a config directory, as a validation report names them.
const (
	PartConfig     = "paved.yaml"
	PartPolicies   = "policies"
	PartTemplates  = "templates"
	PartScorecards = "scorecards"
	PartOwnership  = "ownership"
	PartPrices     = "prices"
	PartReferences = "references"
)

// Problem severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Problem is one thing wrong with a config directory.
type Problem struct {
	Part     string `json:"part"`
	Severity string `json:"severity"`
	// File and Line locate the problem (Line 0: the whole file; File ""
	// when it is about no one file).
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// Where is file:line[:column], or what there is of it.
func (p Problem) Where() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// PartResult says how one part of the directory fared.
type PartResult struct {
	Part   string `json:"part"`
	Status string `json:"status"` // ok, error, skipped
	// Detail says what was read ("41 rules, 2 custom"), or why the part
	// was skipped.
	Detail string `json:"detail,omitempty"`
}

// Report is the result of Validate.
type Report struct {
	Dir      string       `json:"dir"`
	Version  string       `json:"version,omitempty"`
	Valid    bool         `json:"valid"`
	Parts    []PartResult `json:"parts"`
	Problems []Problem    `json:"problems"`
	// NotChecked lists what could not be checked, and why (the catalog's
	// teams and services, without a database).
	NotChecked []string `json:"not_checked,omitempty"`
}

// Errors counts the problems of severity error.
func (r *Report) Errors() int {
	n := 0
	for _, p := range r.Problems {
		if p.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Catalog is what reference checks need of the catalog; nil in
// ValidateOptions when no database is at hand.
type Catalog struct {
	Teams    []*paved.Team
	Services []string
	// Source names where the catalog came from, for the report.
	Source string
}

// ValidateOptions tune Validate.
type ValidateOptions struct {
	// Catalog, when set, resolves the team and service names of the config.
	Catalog *Catalog
	// Discover checks that an OpenID issuer answers its discovery
	// document; nil: identity.Discover with a 10-second timeout. An issuer
	// that cannot be reached is a warning: it may be down for a moment,
	// or not reachable from where validate runs.
	Discover func(ctx context.Context, issuer string) error
}

var whereRE = regexp.MustCompile(`^(.*?):(\d+)(?::(\d+))?$`)

// problemOf turns an error into a problem: a *paved.Error's field is a
// file:line[:column], a file, or a key path.
func problemOf(part string, err error) Problem {
	p := Problem{Part: part, Severity: SeverityError}
	var pe *paved.Error
	if !errors.As(err, &pe) {
		p.Message = err.Error()
		return p
	}
	p.Message = pe.Message
	if m := whereRE.FindStringSubmatch(pe.Field); m != nil {
		p.File = m[1]
		p.Line, _ = strconv.Atoi(m[2])
		if m[3] != "" {
			p.Column, _ = strconv.Atoi(m[3])
		}
	} else if pe.Field != "" {
		if strings.ContainsAny(pe.Field, "/\\") || strings.HasSuffix(pe.Field, ".yaml") || strings.HasSuffix(pe.Field, ".rego") {
			p.File = pe.Field
		} else {
			p.Message = pe.Field + ": " + pe.Message
		}
	}
	return p
}

// Validate checks the whole config directory without using it: paved.yaml
// (strict YAML, types and values), the policies (they compile, their
// metadata is complete, no rule id twice), paved.yaml's guard-rail
// settings against the rules (rules named exist, parameter types, dates),
// the templates, ownership.yaml, pricebook.yaml, and the references
// between them: rules named by templates' evidence, and, with a catalog,
// the teams and services named by ownership.yaml, the spend section and
// the rules' owners. It reports every part, not only the first error.
func Validate(dir string, o ValidateOptions) *Report {
	rep := &Report{Dir: dir, Problems: []Problem{}, Parts: []PartResult{}}
	add := func(part string, err error) {
		rep.Problems = append(rep.Problems, problemOf(part, err))
	}
	part := func(name, status, detail string) {
		rep.Parts = append(rep.Parts, PartResult{Part: name, Status: status, Detail: detail})
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		msg := "the config directory does not exist: give the folder that holds paved.yaml"
		if err == nil {
			msg = "not a folder: give the folder that holds paved.yaml"
		}
		rep.Problems = append(rep.Problems, Problem{Part: PartConfig, Severity: SeverityError, File: dir, Message: msg})
		return rep
	}
	if v, err := DirVersion(dir); err != nil {
		add(PartConfig, err)
	} else {
		rep.Version = v.String()
	}

	// paved.yaml.
	cfg, err := config.Load(dir)
	if err != nil {
		add(PartConfig, err)
		part(PartConfig, "error", "")
	} else {
		part(PartConfig, "ok", "")
	}

	// The policies compile on their own, then paved.yaml's guardrails
	// section is checked against the rules they define.
	pdirs, err := PolicyDirs(dir)
	var eng *policy.Engine
	if err != nil {
		add(PartPolicies, err)
		part(PartPolicies, "error", "")
	} else if bare, err := policy.New(policy.Options{PolicyDirs: pdirs}); err != nil {
		add(PartPolicies, err)
		part(PartPolicies, "error", "")
	} else {
		custom := 0
		for _, r := range bare.Rules() {
			if !r.Builtin {
				custom++
			}
		}
		detail := fmt.Sprintf("%d rules, %d of them custom", len(bare.Rules()), custom)
		if len(pdirs) == 0 {
			detail += " (no policies/ folder)"
		}
		part(PartPolicies, "ok", detail)
		eng = bare
		if cfg != nil {
			if e2, err := policy.New(policy.Options{Config: cfg.Guardrails, PolicyDirs: pdirs}); err != nil {
				add(PartConfig, locateConfig(cfg, err))
				markError(rep, PartConfig)
			} else {
				eng = e2
			}
		}
	}

	// Templates, and the rules their evidence names.
	tdir := filepath.Join(dir, TemplatesDir)
	lib, err := launch.LoadLibrary(tdir)
	if err != nil {
		add(PartTemplates, templateHint(err))
		part(PartTemplates, "error", "")
	} else {
		n := 0
		for _, k := range paved.TemplateKinds {
			if t := lib.Current(k); t != nil && t.Source != "embedded" {
				n++
			}
		}
		part(PartTemplates, "ok", fmt.Sprintf("%d of %d templates overridden", n, len(paved.TemplateKinds)))
		if eng != nil {
			rep.Problems = append(rep.Problems, templateRuleRefs(lib, eng)...)
		}
	}

	// Scorecards, the items and the rules they name.
	if set, err := scorecard.Load(filepath.Join(dir, ScorecardsDir)); err != nil {
		add(PartScorecards, err)
		part(PartScorecards, "error", "")
	} else {
		detail := fmt.Sprintf("%d scorecards", len(set.Cards))
		if len(set.Cards) > 0 && set.Cards[0].Default {
			detail = "no scorecards/ folder: the default scorecards apply"
		}
		part(PartScorecards, "ok", detail)
		if lib != nil {
			if err := set.CheckItems(TemplateItems(lib)); err != nil {
				add(PartScorecards, err)
			}
		}
		if eng != nil {
			rep.Problems = append(rep.Problems, scorecardRuleRefs(set, eng)...)
		}
	}

	// ownership.yaml.
	ofile := filepath.Join(dir, OwnershipFile)
	m, err := ownership.Load(ofile)
	switch {
	case err != nil:
		add(PartOwnership, err)
		part(PartOwnership, "error", "")
	case m.Source == ownership.SourceEmbedded:
		part(PartOwnership, "ok", "no ownership.yaml: the embedded default map applies")
	default:
		part(PartOwnership, "ok", fmt.Sprintf("%d concerns", len(m.Concerns())))
	}

	// pricebook.yaml.
	if ov, err := cost.LoadOverrides(dir); err != nil {
		add(PartPrices, err)
		part(PartPrices, "error", "")
	} else if ov == nil {
		part(PartPrices, "ok", "no pricebook.yaml: the embedded price book applies")
	} else {
		part(PartPrices, "ok", fmt.Sprintf("%d rows, %d discounts", len(ov.Rows), len(ov.Discounts)))
	}

	// References to the catalog.
	if o.Catalog == nil {
		rep.NotChecked = append(rep.NotChecked, "the teams and services named by ownership.yaml, the spend section and the rules' owners: no database (give --database or --server to check them against the catalog)")
		part(PartReferences, "skipped", "no catalog")
	} else {
		before := len(rep.Problems)
		if m != nil && err == nil {
			ps := ownership.Validate(m, ownership.NewTeams(o.Catalog.Teams))
			if m.Source == ownership.SourceEmbedded {
				// Not a file under review: one warning, not its every line.
				if n := len(ownership.Errors(ps)); n > 0 {
					rep.Problems = append(rep.Problems, Problem{Part: PartReferences, Severity: SeverityWarning,
						Message: fmt.Sprintf("the embedded default ownership map names %d team references the catalog cannot resolve: add an ownership.yaml naming your teams (paved ownership validate lists them)", n)})
				}
			} else {
				for _, p := range ps {
					rep.Problems = append(rep.Problems, ownershipProblem(p))
				}
			}
		}
		if cfg != nil {
			rep.Problems = append(rep.Problems, catalogRefs(cfg, eng, o.Catalog)...)
		}
		status := "ok"
		for _, p := range rep.Problems[before:] {
			if p.Severity == SeverityError {
				status = "error"
			}
		}
		part(PartReferences, status, "against "+o.Catalog.Source)
	}
	rep.NotChecked = append(rep.NotChecked, "webhook URLs and secrets (url_env, secret_env, secret_file) and exceptions.key_file: read when paved serve loads the config")
	if cfg != nil {
		rep.Problems = append(rep.Problems, issuerProblems(cfg, o.Discover)...)
		if cfg.Server.OIDC.Enabled() && cfg.Server.OIDC.ClientSecretEnv != "" {
			rep.NotChecked = append(rep.NotChecked, "server.oidc.client_secret_env: read when paved serve loads the config")
		}
	}

	sortProblems(rep.Problems)
	for _, p := range rep.Problems {
		markPart(rep, p)
	}
	rep.Valid = rep.Errors() == 0
	return rep
}

func markError(rep *Report, part string) {
	for i := range rep.Parts {
		if rep.Parts[i].Part == part {
			rep.Parts[i].Status = "error"
		}
	}
}

func markPart(rep *Report, p Problem) {
	if p.Severity == SeverityError {
		markError(rep, p.Part)
	}
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

func ownershipProblem(p ownership.Problem) Problem {
	out := Problem{Part: PartReferences, Severity: SeverityError, Message: p.Message}
	if p.Severity == ownership.SeverityWarning {
		out.Severity = SeverityWarning
	}
	if m := whereRE.FindStringSubmatch(p.Where); m != nil {
		out.File = m[1]
		out.Line, _ = strconv.Atoi(m[2])
	} else {
		out.File = p.Where
	}
	return out
}

// templateRuleRefs checks that the rules named by check-rules evidence
// exist.
func templateRuleRefs(lib *launch.Library, eng *policy.Engine) []Problem {
	var out []Problem
	for _, k := range paved.TemplateKinds {
		t := lib.Current(k)
		if t == nil {
			continue
		}
		for _, a := range t.Areas {
			for _, it := range a.Items {
				if it.Evidence == nil {
					continue
				}
				for _, r := range it.Evidence.Rules {
					if _, ok := eng.Rule(r); ok {
						continue
					}
					p := Problem{Part: PartTemplates, Severity: SeverityError,
						Message: fmt.Sprintf("item %s (area %s) takes evidence from rule %s, which is neither a built-in rule nor one of policies/%s", it.ID, a.ID, r, suggestRule(r, eng))}
					if t.Source != "embedded" {
						p.File, p.Line = t.Source, yamlLine(t.Source, "rules", r)
					}
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// TemplateItems lists every questionnaire and checklist item id of lib.
func TemplateItems(lib *launch.Library) map[string]bool {
	out := map[string]bool{}
	for _, k := range paved.TemplateKinds {
		t := lib.Current(k)
		if t == nil {
			continue
		}
		for _, a := range t.Areas {
			for _, it := range a.Items {
				out[it.ID] = true
			}
		}
	}
	return out
}

// scorecardRuleRefs checks that the guard rails scorecard rules name
// exist: a rule naming no rule would fail every service forever.
func scorecardRuleRefs(set *scorecard.Set, eng *policy.Engine) []Problem {
	var out []Problem
	refs := set.GuardRails()
	ids := make([]string, 0, len(refs))
	for id := range refs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := eng.Rule(id); ok {
			continue
		}
		p := problemOf(PartScorecards, paved.FieldErrorf(paved.EINVALID, refs[id],
			"guardrail %s is neither a built-in rule nor one of policies/%s", id, suggestRule(id, eng)))
		out = append(out, p)
	}
	return out
}

func suggestRule(id string, eng *policy.Engine) string {
	var ids []string
	for _, r := range eng.Rules() {
		ids = append(ids, r.ID)
	}
	best := suggest.Closest(id, ids, 3)
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// catalogRefs checks the team and service names of paved.yaml against the
// catalog: spend account mappings and budgets, and the rules' owners.
func catalogRefs(cfg *config.Config, eng *policy.Engine, cat *Catalog) []Problem {
	teams := map[string]bool{}
	var names []string
	for _, t := range cat.Teams {
		if t != nil && t.RetiredAt == nil {
			teams[t.Name] = true
			names = append(names, t.Name)
		}
	}
	services := map[string]bool{}
	for _, s := range cat.Services {
		services[s] = true
	}
	var out []Problem
	bad := func(path, format string, args ...any) {
		p := Problem{Part: PartReferences, Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
		if m := whereRE.FindStringSubmatch(cfg.Where(path)); m != nil {
			p.File = m[1]
			p.Line, _ = strconv.Atoi(m[2])
		} else {
			p.File = cfg.Source
			p.Message = path + ": " + p.Message
		}
		out = append(out, p)
	}
	team := func(path, name, what string) {
		if name == "" || teams[name] || name == paved.ProductTeam {
			return
		}
		msg := fmt.Sprintf("%s names team %q, which is not in the catalog (paved team list)", what, name)
		if s := suggest.Closest(name, names, 2); s != "" {
			msg += fmt.Sprintf(": did you mean %q?", s)
		}
		bad(path, "%s", msg)
	}
	accs := make([]string, 0, len(cfg.Spend.Accounts))
	for a := range cfg.Spend.Accounts {
		accs = append(accs, a)
	}
	sort.Strings(accs)
	for _, a := range accs {
		team("spend.accounts."+a, cfg.Spend.Accounts[a], "account "+a)
	}
	for i, b := range cfg.Spend.Budgets {
		at := fmt.Sprintf("spend.budgets[%d]", i)
		team(at+".team", b.Team, "a budget")
		if b.Service != "" && !services[b.Service] {
			bad(at+".service", "a budget names service %q, which is not in the catalog (paved service list)", b.Service)
		}
	}
	for i, g := range cfg.Server.OIDC.Groups {
		team(fmt.Sprintf("server.oidc.groups[%d].team", i), g.Team, "group rule "+strconv.Quote(g.Group))
	}
	ids := make([]string, 0, len(cfg.Guardrails.Rules))
	for id := range cfg.Guardrails.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		team("guardrails.rules."+id+".owner", cfg.Guardrails.Rules[id].Owner, "rule "+id+"'s owner")
	}
	if eng != nil {
		for _, r := range eng.Rules() {
			if r.Builtin || r.Owner == "" || cfg.Guardrails.Rules[r.ID].Owner != "" || teams[r.Owner] {
				continue
			}
			out = append(out, Problem{Part: PartReferences, Severity: SeverityError,
				Message: fmt.Sprintf("custom rule %s names owner %q in its METADATA, which is not a team in the catalog", r.ID, r.Owner)})
		}
	}
	return out
}

// yamlLine finds the line of value inside a sequence under key in a YAML
// file (0 when it cannot).
func yamlLine(file, key, value string) int {
	data, err := os.ReadFile(file)
	if err != nil || len(data) > 1<<20 {
		return 0
	}
	var root yaml.Node
	if yaml.NewDecoder(bytes.NewReader(data)).Decode(&root) != nil {
		return 0
	}
	line := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || line != 0 || depth > 64 {
			return
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == key && v.Kind == yaml.SequenceNode {
					for _, e := range v.Content {
						if e.Kind == yaml.ScalarNode && e.Value == value {
							line = e.Line
							return
						}
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(&root, 0)
	return line
}

// issuerProblems warns about OpenID issuers (server.oidc, ci.trust) whose
// discovery document does not answer.
func issuerProblems(cfg *config.Config, discover func(context.Context, string) error) []Problem {
	if discover == nil {
		discover = func(ctx context.Context, issuer string) error {
			return identity.Discover(ctx, &http.Client{Timeout: 10 * time.Second}, issuer)
		}
	}
	type ref struct{ path, issuer, what string }
	var refs []ref
	if cfg.Server.OIDC.Enabled() {
		refs = append(refs, ref{"server.oidc.issuer", cfg.Server.OIDC.Issuer, "the sign-in provider"})
	}
	seen := map[string]bool{}
	for i, r := range cfg.CI.Trust {
		if !seen[r.Issuer] {
			seen[r.Issuer] = true
			refs = append(refs, ref{fmt.Sprintf("ci.trust[%d].issuer", i), r.Issuer, "the CI issuer"})
		}
	}
	var out []Problem
	for _, r := range refs {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err := discover(ctx, r.issuer)
		cancel()
		if err == nil {
			continue
		}
		p := Problem{Part: PartConfig, Severity: SeverityWarning,
			Message: fmt.Sprintf("%s %s cannot be reached from here (%s): paved serve will keep trying, and token sign-in still works; check the URL and the network path", r.what, r.issuer, oneLine(err.Error()))}
		if m := whereRE.FindStringSubmatch(cfg.Where(r.path)); m != nil {
			p.File = m[1]
			p.Line, _ = strconv.Atoi(m[2])
		} else {
			p.File = cfg.Source
		}
		out = append(out, p)
	}
	return out
}

// oneLine shortens an error for a report line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
