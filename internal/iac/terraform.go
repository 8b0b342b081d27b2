package iac

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"strconv"
	"strings"
	"sync"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/paved-dev/paved"
)

// The parts of a plan's configuration that normalisation needs. The module
// tree is decoded into this slim shape instead of tfjson.ConfigModule because
// tfjson decodes every expression of every resource two or three times
// (tfjson.Expression tries an array first); on a 10k-resource plan that would
// cost more than the resource changes themselves. Provider configurations,
// which are few, use the tfjson types.
type planConfig struct {
	ProviderConfigs map[string]*tfjson.ProviderConfig `json:"provider_config"`
	RootModule      *configModule                     `json:"root_module"`
}

type configModule struct {
	Resources   []configResource      `json:"resources"`
	ModuleCalls map[string]moduleCall `json:"module_calls"`
	Variables   configVariables       `json:"variables"`
}

// moduleCall is a module block: the module's configuration and the inputs
// the call passes to it.
type moduleCall struct {
	Expressions configBlock   `json:"expressions"`
	Module      *configModule `json:"module"`
}

type configResource struct {
	Address           string      `json:"address"`
	ProviderConfigKey string      `json:"provider_config_key"`
	Expressions       configBlock `json:"expressions"`
}

// planContext answers, for one resource, which provider configuration it
// uses: for its default tags and region.
type planContext struct {
	providers map[string]*tfjson.ProviderConfig
	keys      map[string]string // "module.a.module.b|aws_x.y" -> provider_config_key
	// configs holds what each resource's configuration sets, in the form of
	// IaCResource.Config (see planconfig.go), by the same key; hasConfig
	// says the plan had a configuration at all.
	configs   map[string]map[string]any
	hasConfig bool
	variables map[string]*tfjson.PlanVariable
	// dropBefore leaves IaCResource.Before empty (Options.DropBefore);
	// beforeForChanges keeps it only for changed objects.
	dropBefore, beforeForChanges bool
	// keep names the attributes to decode (Options.Attributes plus
	// readerAttributes); nil keeps all.
	keep map[string]bool
}

// index records each resource of a module (and of the modules it calls)
// under "module path|address": its provider configuration and what its
// configuration sets, following module inputs through scope.
func (pc *planContext) index(prefix string, m *configModule, scope *moduleScope, depth int) {
	if m == nil || depth > 100 {
		return
	}
	scope.vars = m.Variables
	for _, r := range m.Resources {
		key := prefix + "|" + r.Address
		pc.keys[key] = r.ProviderConfigKey
		pc.configs[key] = pc.configValue(r.Expressions, scope, true)
	}
	for name, call := range m.ModuleCalls {
		p := "module." + name
		if prefix != "" {
			p = prefix + "." + p
		}
		pc.index(p, call.Module, &moduleScope{parent: scope, call: call.Expressions}, depth+1)
	}
}

// noConfig is the Config of a resource whose configuration sets nothing the
// plan does not show (shared: Config is never modified).
var noConfig = map[string]any{}

// shownConfig keeps the entries of a resource's configuration for the
// attributes whose value the plan does not show: known only after apply
// (after_unknown), or masked as sensitive. For every other attribute the
// planned value says all a rule needs, and leaving those entries out keeps
// the resources small (most attributes of most resources are known).
func shownConfig(cfg map[string]any, unknownV, sens any) map[string]any {
	if cfg == nil || unknownV == true || sens == true {
		return cfg // nothing, or all of it, is hidden
	}
	unknown, _ := unknownV.(map[string]any)
	sensitive, _ := sens.(map[string]any)
	n := 0
	for k := range cfg {
		if marked(unknown[k], 0) || marked(sensitive[k], 0) {
			n++
		}
	}
	switch n {
	case 0:
		return noConfig
	case len(cfg):
		return cfg
	}
	out := make(map[string]any, n)
	for k, v := range cfg {
		if marked(unknown[k], 0) || marked(sensitive[k], 0) {
			out[k] = v
		}
	}
	return out
}

// marked reports whether an after_unknown or after_sensitive structure has
// a true leaf: Terraform writes {} and [] for known (or not sensitive)
// collections.
func marked(v any, depth int) bool {
	switch x := v.(type) {
	case bool:
		return x
	case map[string]any:
		for _, e := range x {
			if depth < maxJSONDepth && marked(e, depth+1) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if depth < maxJSONDepth && marked(e, depth+1) {
				return true
			}
		}
	}
	return false
}

// configFor returns what the configuration of the resource at addr sets:
// nil when the plan has no configuration for it (no configuration block,
// or an object that is no longer configured), so that a rule cannot tell
// an unset attribute from an unknown one.
func (pc *planContext) configFor(addr tfAddress) map[string]any {
	if !pc.hasConfig {
		return nil
	}
	return pc.configs[addr.configPath()+"|"+addr.relAddress()]
}

// providerFor finds the provider configuration of a resource. Terraform
// writes the key of a resource in a child module either as the root key
// ("aws", "aws.west": Terraform 1.1 and later resolve inherited providers)
// or as "module.x:aws" (older versions, and providers declared in the
// module). An unresolved "module.x:aws" falls back to the parent modules'
// configuration, which is where Terraform inherits it from.
func (pc *planContext) providerFor(addr tfAddress, providerName string) *tfjson.ProviderConfig {
	if len(pc.providers) == 0 {
		return nil
	}
	key, ok := pc.keys[addr.configPath()+"|"+addr.relAddress()]
	if !ok {
		key = shortProvider(providerName)
		if p := addr.configPath(); p != "" {
			key = p + ":" + key
		}
	}
	for {
		if p := pc.providers[key]; p != nil {
			return p
		}
		mod, prov, found := strings.Cut(key, ":")
		if !found {
			return nil
		}
		// Drop the innermost module call: "module.a.module.b" -> "module.a".
		if i := strings.LastIndex(mod, ".module."); i >= 0 {
			key = mod[:i] + ":" + prov
		} else {
			key = prov
		}
	}
}

// constant returns an expression's constant value; a plain reference to a
// root variable (region = var.region) is resolved from the plan's variables
// when the provider is configured in the root module.
func (pc *planContext) constant(p *tfjson.ProviderConfig, e *tfjson.Expression) (any, bool) {
	if e == nil || e.ExpressionData == nil {
		return nil, false
	}
	if e.ConstantValue != nil && e.ConstantValue != tfjson.UnknownConstantValue {
		return e.ConstantValue, true
	}
	if len(e.References) == 1 && strings.HasPrefix(e.References[0], "var.") && p.ModuleAddress == "" {
		if v := pc.variables[strings.TrimPrefix(e.References[0], "var.")]; v != nil && v.Value != nil {
			return v.Value, true
		}
	}
	return nil, false
}

func (pc *planContext) region(p *tfjson.ProviderConfig) string {
	if p == nil {
		return ""
	}
	v, _ := pc.constant(p, p.Expressions["region"])
	s, _ := v.(string)
	return s
}

// defaultTags reads default_tags { tags = {...} } (aws) or default_labels
// (google) of a provider configuration. known is false when the provider
// sets them with an expression the plan does not resolve (local.tags, a
// module output): then the tags the resources get are not in the plan.
func (pc *planContext) defaultTags(p *tfjson.ProviderConfig) (tags map[string]any, known bool) {
	if p == nil {
		return nil, true
	}
	if e := p.Expressions["default_tags"]; e != nil && e.ExpressionData != nil {
		for _, blk := range e.NestedBlocks {
			te := blk["tags"]
			if te == nil || te.ExpressionData == nil {
				continue
			}
			if v, ok := pc.constant(p, te); ok {
				m, _ := v.(map[string]any)
				return m, true
			}
			if len(te.References) > 0 {
				return nil, false
			}
		}
	}
	if e := p.Expressions["default_labels"]; e != nil && e.ExpressionData != nil {
		if v, ok := pc.constant(p, e); ok {
			m, _ := v.(map[string]any)
			return m, true
		}
		if len(e.References) > 0 {
			return nil, false
		}
	}
	return nil, true
}

// shortProvider turns registry.terraform.io/hashicorp/aws (or the
// provider["registry.terraform.io/hashicorp/aws"].west form, or plain "aws"
// of format 0.1) into aws.
func shortProvider(name string) string {
	if strings.HasPrefix(name, "provider[") {
		if i := strings.LastIndexByte(name, ']'); i > 0 {
			name = name[len("provider["):i]
		}
		name = strings.Trim(name, `"`)
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, '.'); i >= 0 && !strings.Contains(name, "/") {
		name = name[:i] // an alias: aws.west
	}
	return name
}

// readPlan normalises one plan object.
func readPlan(name string, text []byte, tv *topValue, opt Options) (*Document, error) {
	dropRaw := opt.DropRaw
	line, _ := position(text, int64(tv.start))
	doc := &Document{Input: name, Kind: KindTerraformPlan, Line: line, Resources: []*paved.IaCResource{}}

	sp, _ := tv.get("format_version")
	var fv string
	if err := decodeSpan(name, text, sp, "format_version", &fv); err != nil {
		return nil, err
	}
	// The same check as tfjson.Plan.UnmarshalJSON, so that paved accepts
	// exactly the formats the library was written for.
	if err := (&tfjson.Plan{FormatVersion: fv}).Validate(); err != nil {
		l, c := position(text, int64(sp.start))
		return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "unsupported plan format_version %q: paved reads format 0.x and 1.x, as written by terraform show -json of Terraform 0.12 and later", fv)
	}
	doc.FormatVersion = fv
	if sp, ok := tv.get("terraform_version"); ok {
		var v any
		if err := decodeSpan(name, text, sp, "terraform_version", &v); err != nil {
			return nil, err
		}
		doc.TerraformVersion, _ = v.(string)
	}
	// An errored plan (terraform plan failed part-way) lists only some of
	// the changes: judging it would pass what was never planned. Terraform
	// itself refuses to apply it.
	if sp, ok := tv.get("errored"); ok {
		var errored any
		if err := decodeSpan(name, text, sp, "errored", &errored); err != nil {
			return nil, err
		}
		if errored == true {
			l, c := position(text, int64(sp.start))
			return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "this plan is errored (terraform plan failed part-way), so it does not hold every change: fix the plan, then check it")
		}
	}
	// complete: false (Terraform 1.10+, deferred changes): what is here is
	// checked; the caller says that the rest is not.
	if sp, ok := tv.get("complete"); ok {
		var complete any
		if err := decodeSpan(name, text, sp, "complete", &complete); err != nil {
			return nil, err
		}
		doc.Incomplete = complete == false
	}

	pc := &planContext{keys: map[string]string{}, dropBefore: opt.DropBefore, beforeForChanges: opt.BeforeForChanges}
	if opt.Attributes != nil {
		if keep := opt.Attributes(); keep != nil {
			pc.keep = make(map[string]bool, len(keep)+len(readerAttributes))
			for k := range keep {
				pc.keep[k] = true
			}
			for _, k := range readerAttributes {
				pc.keep[k] = true
			}
		}
	}
	// The variables first: the configuration's module inputs lead to them.
	if sp, ok := tv.get("variables"); ok {
		if err := decodeSpan(name, text, sp, "variables", &pc.variables); err != nil {
			return nil, err
		}
	}
	if sp, ok := tv.get("configuration"); ok {
		cfg, err := fastConfigKeep(text[sp.start:sp.end], pc.keep)
		if err != nil {
			// Something unexpected: encoding/json says what and where.
			cfg = &planConfig{}
			if err := decodeSpan(name, text, sp, "configuration", cfg); err != nil {
				return nil, err
			}
		}
		pc.providers = cfg.ProviderConfigs
		pc.configs = map[string]map[string]any{}
		pc.hasConfig = cfg.RootModule != nil
		pc.index("", cfg.RootModule, &moduleScope{}, 0)
	}

	// resource_drift holds changes made outside Terraform; it is not part of
	// what this plan will do, so it is not read (only validated by the scan).
	res, err := readChanges(name, text, tv, pc)
	if err != nil {
		return nil, err
	}
	doc.Resources = res
	if dropRaw {
		doc.Raw = func() (any, error) {
			return nil, fmt.Errorf("iac: %s: the plan's raw JSON was not kept (Options.DropRaw)", name)
		}
		return doc, nil
	}
	doc.Raw = lazyRaw(func() (any, error) {
		v, err := decodePlanParallel(text, tv)
		if err != nil {
			return nil, jsonError(name, text, err)
		}
		maskPlan(v)
		return v, nil
	})
	return doc, nil
}

// readChanges decodes and normalises resource_changes. The elements are
// decoded in parallel, one chunk per core, with fastDecoder: on a
// 10k-resource plan this is most of the work of paved check before the
// policies run.
func readChanges(name string, text []byte, tv *topValue, pc *planContext) ([]*paved.IaCResource, error) {
	sp, ok := tv.get("resource_changes")
	if !ok {
		return []*paved.IaCResource{}, nil
	}
	if text[sp.start] == 'n' {
		return []*paved.IaCResource{}, nil // null
	}
	if text[sp.start] != '[' {
		l, c := position(text, int64(sp.start))
		return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "resource_changes: expected an array, found %s", jsonKindName(text[sp.start]))
	}
	elems := tv.elems
	out := make([]*paved.IaCResource, len(elems))
	errs := make([]error, len(elems))
	work := func(lo, hi int) {
		fd := newFastDecoder()
		fd.skipBefore = pc.dropBefore
		fd.beforeForChanges = pc.beforeForChanges
		fd.keep = pc.keep
		for i := lo; i < hi; i++ {
			out[i], errs[i] = readChange(name, text, elems[i], i, pc, fd)
			if errs[i] != nil {
				return
			}
		}
	}
	workers := runtime.GOMAXPROCS(0)
	if len(elems) < 512 || workers < 2 {
		work(0, len(elems))
	} else {
		var wg sync.WaitGroup
		chunk := (len(elems) + workers - 1) / workers
		for lo := 0; lo < len(elems); lo += chunk {
			hi := min(lo+chunk, len(elems))
			wg.Add(1)
			go func() {
				defer wg.Done()
				work(lo, hi)
			}()
		}
		wg.Wait()
	}
	res := out[:0]
	for i, r := range out {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if r != nil {
			res = append(res, r)
		}
	}
	return res, nil
}

func readChange(name string, text []byte, sp span, i int, pc *planContext, fd *fastDecoder) (*paved.IaCResource, error) {
	raw := text[sp.start:sp.end]
	if string(raw) == "null" {
		return nil, nil
	}
	rcv, ok := fastChange(fd, raw)
	if !ok {
		// A value of the wrong type somewhere: let encoding/json find it,
		// for a message with line and column.
		var strict changeRecord
		err := json.Unmarshal(raw, &strict)
		if err == nil {
			l, c := position(text, int64(sp.start))
			return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "resource_changes[%d]: expected an object", i)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			l, c := position(text, int64(sp.start)+te.Offset-1)
			field := fmt.Sprintf("resource_changes[%d]", i)
			if te.Field != "" {
				field += "." + te.Field
			}
			return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "%s: expected %s, found a JSON %s", field, jsonTypeName(te.Type.String()), te.Value)
		}
		l, c := position(text, int64(sp.start))
		return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "resource_changes[%d]: %v", i, err)
	}
	rc := rcv.tfjson()
	res, err := normaliseChange(rc, pc)
	if err != nil {
		l, c := position(text, int64(sp.start))
		return nil, paved.FieldErrorf(paved.EINVALID, at(name, l, c), "resource_changes[%d] (%s): %v", i, rc.Address, err)
	}
	if pc.dropBefore {
		res.Before = nil
	}
	return res, nil
}

// changeRecord mirrors tfjson.ResourceChange; it is what the fast decoder
// fills (and encoding/json, to explain a type error), converted to the
// tfjson types right after decoding.
type changeRecord struct {
	Address         string              `json:"address"`
	PreviousAddress string              `json:"previous_address"`
	ModuleAddress   string              `json:"module_address"`
	Mode            tfjson.ResourceMode `json:"mode"`
	Type            string              `json:"type"`
	Name            string              `json:"name"`
	Index           any                 `json:"index"`
	ProviderName    string              `json:"provider_name"`
	DeposedKey      string              `json:"deposed"`
	ActionReason    tfjson.ActionReason `json:"action_reason"`
	Change          *changeFields       `json:"change"`

	changeFields changeFields // storage for Change when decoded by fastChange
}

type changeFields struct {
	Actions         tfjson.Actions    `json:"actions"`
	Before          any               `json:"before"`
	After           any               `json:"after"`
	AfterUnknown    any               `json:"after_unknown"`
	BeforeSensitive any               `json:"before_sensitive"`
	AfterSensitive  any               `json:"after_sensitive"`
	Importing       *tfjson.Importing `json:"importing"`
	GeneratedConfig string            `json:"generated_config"`
	ReplacePaths    []any             `json:"replace_paths"`
	BeforeIdentity  any               `json:"before_identity"`
	AfterIdentity   any               `json:"after_identity"`
}

func (r *changeRecord) tfjson() *tfjson.ResourceChange {
	rc := &tfjson.ResourceChange{
		Address: r.Address, PreviousAddress: r.PreviousAddress, ModuleAddress: r.ModuleAddress,
		Mode: r.Mode, Type: r.Type, Name: r.Name, Index: r.Index, ProviderName: r.ProviderName,
		DeposedKey: r.DeposedKey, ActionReason: r.ActionReason,
	}
	if c := r.Change; c != nil {
		rc.Change = &tfjson.Change{
			Actions: c.Actions, Before: c.Before, After: c.After, AfterUnknown: c.AfterUnknown,
			BeforeSensitive: c.BeforeSensitive, AfterSensitive: c.AfterSensitive,
			Importing: c.Importing, GeneratedConfig: c.GeneratedConfig, ReplacePaths: c.ReplacePaths,
			BeforeIdentity: c.BeforeIdentity, AfterIdentity: c.AfterIdentity,
		}
	}
	return rc
}

// fastChange decodes one resource change with the fast decoder; ok is false
// when a field has the wrong type (or the decoder failed), and the caller
// then explains the error with encoding/json.
func fastChange(fd *fastDecoder, raw []byte) (rc *changeRecord, ok bool) {
	defer func() {
		if recover() != nil {
			rc, ok = nil, false
		}
	}()
	m, isObj := fd.decode(raw).(map[string]any)
	if !isObj {
		return nil, false
	}
	rc = &changeRecord{}
	strs := []struct {
		key string
		dst *string
	}{
		{"address", &rc.Address}, {"previous_address", &rc.PreviousAddress},
		{"module_address", &rc.ModuleAddress}, {"type", &rc.Type}, {"name", &rc.Name},
		{"provider_name", &rc.ProviderName}, {"deposed", &rc.DeposedKey},
	}
	for _, f := range strs {
		switch v := m[f.key].(type) {
		case nil:
		case string:
			*f.dst = v
		default:
			return nil, false
		}
	}
	for key, dst := range map[string]*string{"mode": (*string)(&rc.Mode), "action_reason": (*string)(&rc.ActionReason)} {
		switch v := m[key].(type) {
		case nil:
		case string:
			*dst = v
		default:
			return nil, false
		}
	}
	rc.Index = m["index"]
	switch ch := m["change"].(type) {
	case nil:
	case map[string]any:
		c := &rc.changeFields
		switch acts := ch["actions"].(type) {
		case nil:
		case []any:
			c.Actions = make(tfjson.Actions, len(acts))
			for j, a := range acts {
				s, isStr := a.(string)
				if !isStr {
					return nil, false
				}
				c.Actions[j] = tfjson.Action(s)
			}
		default:
			return nil, false
		}
		c.Before, c.After, c.AfterUnknown = ch["before"], ch["after"], ch["after_unknown"]
		c.BeforeSensitive, c.AfterSensitive = ch["before_sensitive"], ch["after_sensitive"]
		c.BeforeIdentity, c.AfterIdentity = ch["before_identity"], ch["after_identity"]
		switch rp := ch["replace_paths"].(type) {
		case nil:
		case []any:
			c.ReplacePaths = rp
		default:
			return nil, false
		}
		switch g := ch["generated_config"].(type) {
		case nil:
		case string:
			c.GeneratedConfig = g
		default:
			return nil, false
		}
		if imp, isMap := ch["importing"].(map[string]any); isMap {
			id, _ := imp["id"].(string)
			unknown, _ := imp["unknown"].(bool)
			c.Importing = &tfjson.Importing{ID: id, Unknown: unknown, Identity: imp["identity"]}
		}
		rc.Change = c
	default:
		return nil, false
	}
	return rc, true
}

func jsonKindName(k byte) string {
	switch k {
	case '"':
		return "a string"
	case '0', '-', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a value"
}

// decodeSpan decodes one top-level value, placing errors in the whole text.
func decodeSpan(name string, text []byte, sp span, field string, v any) error {
	err := json.Unmarshal(text[sp.start:sp.end], v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		l, c := position(text, int64(sp.start)+te.Offset-1)
		f := field
		if te.Field != "" {
			f = field + "." + te.Field
		}
		return paved.FieldErrorf(paved.EINVALID, at(name, l, c), "%s: expected %s, found a JSON %s", f, jsonTypeName(te.Type.String()), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		l, c := position(text, int64(sp.start)+se.Offset-1)
		return paved.FieldErrorf(paved.EINVALID, at(name, l, c), "invalid JSON in %s: %s", field, se.Error())
	}
	// tfjson's own UnmarshalJSON methods return plain errors.
	l, c := position(text, int64(sp.start))
	return paved.FieldErrorf(paved.EINVALID, at(name, l, c), "%s: %v", field, err)
}

// readerAttributes are the attributes normaliseChange itself reads (tags,
// labels and where the resource lives): always decoded.
var readerAttributes = []string{"tags", "tags_all", "labels", "effective_labels", "region", "location", "zone"}

func normaliseChange(rc *tfjson.ResourceChange, pc *planContext) (*paved.IaCResource, error) {
	ch := rc.Change
	if ch == nil {
		return nil, fmt.Errorf("change is missing")
	}
	actions := make([]string, len(ch.Actions))
	for i, a := range ch.Actions {
		actions[i] = string(a)
	}
	before, err := objectValue(ch.Before, "change.before")
	if err != nil {
		return nil, err
	}
	after, err := objectValue(ch.After, "change.after")
	if err != nil {
		return nil, err
	}
	unknown, err := objectValue(ch.AfterUnknown, "change.after_unknown")
	if err != nil {
		return nil, err
	}
	// Masking comes first: nothing below, and nothing that sees the
	// resource later, may read a sensitive value.
	maskObject(before, ch.BeforeSensitive)
	maskObject(after, ch.AfterSensitive)

	addr := parseAddress(rc.Address)
	if rc.ModuleAddress != "" {
		addr.Modules = modulePath(rc.ModuleAddress)
	}
	if rc.Type != "" {
		addr.Type, addr.Name = rc.Type, rc.Name
		addr.Mode = "managed"
		if rc.Mode == tfjson.DataResourceMode {
			addr.Mode = "data"
		}
	}
	prov := pc.providerFor(addr, rc.ProviderName)
	address := rc.Address
	if rc.DeposedKey != "" {
		// A deposed object (left over from a create_before_destroy
		// replacement) shares its address with the current object, which
		// the plan usually lists too. Terraform names it "ADDR (deposed
		// object KEY)" in its own output; so does paved, so that findings
		// about the two objects, and the action shown with them, do not
		// mix.
		address = rc.Address + deposedMarker + rc.DeposedKey + ")"
	}
	res := &paved.IaCResource{
		Address:         address,
		Type:            rc.Type,
		Name:            rc.Name,
		Source:          "terraform",
		Provider:        shortProvider(rc.ProviderName),
		ProviderAddress: rc.ProviderName,
		Mode:            string(rc.Mode),
		Module:          rc.ModuleAddress,
		Actions:         actions,
		Action:          paved.ActionSummary(actions),
		Before:          before,
		After:           after,
		AfterUnknown:    unknown,
	}
	state := after
	if state == nil {
		state = before // a delete: its tags are still those of the object
	}
	res.Config = shownConfig(pc.configFor(addr), ch.AfterUnknown, ch.AfterSensitive)
	defaults, known := pc.defaultTags(prov)
	res.Tags = effectiveTags(state, unknown, defaults, res.Provider)
	if !known && res.Config != nil {
		// tags_all merges the resource's tags with the provider's
		// default_tags; when the plan shows it unknown and the defaults
		// are an expression it does not resolve, the effective tags are
		// known only after apply.
		for _, all := range []string{"tags_all", "effective_labels"} {
			if unknown[all] == true {
				res.Config = maps.Clone(res.Config)
				res.Config[all] = cfgComputed
			}
		}
	}
	if r, ok := after["region"].(string); ok && r != "" && r != paved.SensitiveValue {
		// AWS provider 6 configures the region per resource.
		res.Region = r
	} else if r := googleLocation(after, res.Provider); r != "" {
		res.Region = r
	} else {
		res.Region = pc.region(prov)
	}
	return res, nil
}

// googleLocation is where a Google resource lives when it says so itself:
// buckets and GKE clusters have a location ("ASIA-EAST1", "EU",
// "asia-east1-a"), instances and disks a zone. The provider's region is only
// the default for resources that set neither, so it must not override them.
// Zones are reduced to their region; locations are lower-cased as regions
// are ("EU" stays a multi-region, "eu").
func googleLocation(after map[string]any, provider string) string {
	if provider != "google" && provider != "google-beta" {
		return ""
	}
	for _, key := range []string{"location", "zone"} {
		v, _ := after[key].(string)
		if v == "" || v == paved.SensitiveValue {
			continue
		}
		v = strings.ToLower(v)
		// A zone is its region plus "-a", "-b", ...
		if i := strings.LastIndexByte(v, '-'); i > 0 && len(v)-i == 2 && strings.Count(v, "-") == 2 {
			v = v[:i]
		}
		return v
	}
	return ""
}

func objectValue(v any, field string) (map[string]any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	case bool:
		// after_unknown is false (not an object) for a fully known value.
		if strings.HasSuffix(field, "unknown") {
			if v {
				return map[string]any{}, nil
			}
			return nil, nil
		}
	}
	return nil, fmt.Errorf("%s: expected an object, found %s", field, describe(v))
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// maskObject replaces the sensitive values of an object in place; sens is
// the matching *_sensitive structure (true for a sensitive value, objects and
// arrays mirroring the value otherwise). A wholly sensitive object has each
// attribute masked, so that its shape stays an object.
func maskObject(obj map[string]any, sens any) {
	if obj == nil {
		return
	}
	if b, ok := sens.(bool); ok && b {
		for k, v := range obj {
			if v != nil {
				obj[k] = paved.SensitiveValue
			}
		}
		return
	}
	if sm, ok := sens.(map[string]any); ok {
		for k, s := range sm {
			if v, ok := obj[k]; ok {
				obj[k] = maskValue(v, s, 0)
			}
		}
	}
}

// maskValue returns v with its sensitive parts replaced. A sensitive null
// stays null: there is nothing to hide, and "(sensitive)" would wrongly tell
// a rule that the attribute is set.
func maskValue(v, sens any, depth int) any {
	if v == nil || depth > maxJSONDepth {
		return v
	}
	switch s := sens.(type) {
	case bool:
		if s {
			return paved.SensitiveValue
		}
	case map[string]any:
		if m, ok := v.(map[string]any); ok {
			for k, ss := range s {
				if vv, ok := m[k]; ok {
					m[k] = maskValue(vv, ss, depth+1)
				}
			}
		}
	case []any:
		if l, ok := v.([]any); ok {
			for i := range min(len(s), len(l)) {
				l[i] = maskValue(l[i], s[i], depth+1)
			}
		}
	}
	return v
}

// effectiveTags computes the tags a resource will carry: tags_all when the
// plan knows it (the provider has merged default_tags already), else tags
// merged over the provider's default tags. Resources without a tags
// attribute get no default tags: the provider does not tag them either.
// Google's labels work the same way (effective_labels, default_labels).
func effectiveTags(state, unknown, defaults map[string]any, provider string) map[string]string {
	if state == nil {
		return nil
	}
	all, tags := "tags_all", "tags"
	// On Google resources "tags" is absent or, on compute instances and
	// templates, a list of network tags (firewall targets), not labels.
	if _, isMap := state[tags].(map[string]any); !isMap && unknown[tags] != true && (provider == "google" || provider == "google-beta") {
		all, tags = "effective_labels", "labels"
	}
	if m, ok := state[all].(map[string]any); ok && unknown[all] != true {
		return stringifyTags(m)
	}
	_, hasTags := state[tags]
	_, hasAll := state[all]
	if !hasTags && !hasAll && unknown[tags] == nil && unknown[all] == nil {
		return nil
	}
	own, _ := state[tags].(map[string]any)
	out := map[string]string{}
	for k, v := range stringifyTags(defaults) {
		out[k] = v
	}
	for k, v := range stringifyTags(own) {
		out[k] = v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func stringifyTags(m map[string]any) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch v := v.(type) {
		case nil:
			// Terraform drops tags whose value is null.
		case string:
			out[k] = v
		case bool:
			out[k] = strconv.FormatBool(v)
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case json.Number:
			out[k] = v.String()
		default:
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out
}

// maskPlan masks the sensitive values of a whole plan decoded as generic
// values, for Document.Raw: resource changes, drift, deferred changes,
// output changes, planned values, prior state and sensitive variables.
func maskPlan(v any) {
	plan, ok := v.(map[string]any)
	if !ok {
		return
	}
	maskChange := func(c any) {
		ch, ok := c.(map[string]any)
		if !ok {
			return
		}
		for _, pair := range [][2]string{{"before", "before_sensitive"}, {"after", "after_sensitive"}} {
			if val, ok := ch[pair[0]]; ok {
				if m, ok := val.(map[string]any); ok {
					maskObject(m, ch[pair[1]])
				} else {
					ch[pair[0]] = maskValue(val, ch[pair[1]], 0)
				}
			}
		}
	}
	for _, key := range []string{"resource_changes", "resource_drift"} {
		list, _ := plan[key].([]any)
		for _, rc := range list {
			if m, ok := rc.(map[string]any); ok {
				maskChange(m["change"])
			}
		}
	}
	if list, ok := plan["deferred_changes"].([]any); ok {
		for _, d := range list {
			if m, ok := d.(map[string]any); ok {
				if rc, ok := m["resource_change"].(map[string]any); ok {
					maskChange(rc["change"])
				}
			}
		}
	}
	if oc, ok := plan["output_changes"].(map[string]any); ok {
		for _, c := range oc {
			maskChange(c)
		}
	}
	maskState(plan["planned_values"], 0)
	if ps, ok := plan["prior_state"].(map[string]any); ok {
		maskState(ps["values"], 0)
	}
	// Variables declared sensitive in the root module.
	if vars, ok := plan["variables"].(map[string]any); ok {
		cfg, _ := plan["configuration"].(map[string]any)
		root, _ := cfg["root_module"].(map[string]any)
		decl, _ := root["variables"].(map[string]any)
		for name, d := range decl {
			dm, _ := d.(map[string]any)
			if dm["sensitive"] == true {
				if vm, ok := vars[name].(map[string]any); ok && vm["value"] != nil {
					vm["value"] = paved.SensitiveValue
				}
			}
		}
	}
}

// maskState masks a state values object (planned_values, prior_state.values):
// each resource's values by its sensitive_values, and sensitive outputs.
func maskState(v any, depth int) {
	sv, ok := v.(map[string]any)
	if !ok || depth > 100 {
		return
	}
	if outs, ok := sv["outputs"].(map[string]any); ok {
		for _, o := range outs {
			if om, ok := o.(map[string]any); ok && om["sensitive"] == true && om["value"] != nil {
				om["value"] = paved.SensitiveValue
			}
		}
	}
	var walk func(mod any, depth int)
	walk = func(mod any, depth int) {
		m, ok := mod.(map[string]any)
		if !ok || depth > 100 {
			return
		}
		rs, _ := m["resources"].([]any)
		for _, r := range rs {
			if rm, ok := r.(map[string]any); ok {
				if vals, ok := rm["values"].(map[string]any); ok {
					maskObject(vals, rm["sensitive_values"])
				}
			}
		}
		cms, _ := m["child_modules"].([]any)
		for _, cm := range cms {
			walk(cm, depth+1)
		}
	}
	walk(sv["root_module"], 0)
}

// decodePlanParallel decodes a whole plan for Document.Raw, its top-level
// members (resource_changes, planned_values, prior_state, configuration
// ...) on every core: the scan already knows where each one is, and on a
// large plan this decode is on the critical path of user policies.
func decodePlanParallel(text []byte, tv *topValue) (any, error) {
	if tv.kind != '{' || len(tv.keys) < 2 || runtime.GOMAXPROCS(0) < 2 {
		return decodeValidated(text[tv.start:tv.end])
	}
	vals := make([]any, len(tv.keys))
	errs := make([]error, len(tv.keys))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, sp := range tv.keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			vals[i], errs[i] = decodeValidated(text[sp.start:sp.end])
		}()
	}
	wg.Wait()
	m := make(map[string]any, len(tv.keys))
	for i, sp := range tv.keys { // in order: the last duplicate key wins, as in encoding/json
		if errs[i] != nil {
			return nil, errs[i]
		}
		m[sp.key] = vals[i]
	}
	return m, nil
}
