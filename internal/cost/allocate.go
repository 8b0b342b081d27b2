package cost

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/paved-dev/paved"
)

// Allocation: where a billing line goes. A line's key (provider, accounts,
// tags) decides its service and team:
//
//  1. a shared-cost rule (a tag value or an account) marks it shared: the
//     reports split it across teams or services;
//  2. the service is the value of the first service tag key (service, app
//     ...), matched against the catalog case-insensitively;
//  3. the team is the value of the first team tag key (team, owner ...);
//     else the owner of the tagged service in the catalog; else the team
//     the sub-account or billing account maps to in paved.yaml; else
//     "unallocated".
//
// Tag keys match case-insensitively after trimming and after dropping a
// configured provider prefix ("user:").

// AllocationConfig is the allocation part of paved.yaml's spend section.
type AllocationConfig struct {
	// Tag keys, in order of preference, with their aliases.
	ServiceKeys []string `yaml:"service"`
	TeamKeys    []string `yaml:"team"`
	EnvKeys     []string `yaml:"env"`
	// StripPrefixes are dropped from tag keys before matching ("user:" is
	// how AWS marks user-defined cost allocation tags).
	StripPrefixes []string `yaml:"strip_prefixes"`
}

// Default tag keys.
var (
	DefaultServiceKeys   = []string{"service", "app", "application", "component"}
	DefaultTeamKeys      = []string{"team", "owner"}
	DefaultEnvKeys       = []string{"env", "environment"}
	DefaultStripPrefixes = []string{"user:"}
)

// Split says how a shared cost is divided.
type Split string

const (
	SplitProportional Split = "proportional" // in proportion to each recipient's direct cost
	SplitEven         Split = "even"         // in equal parts
)

// SharedRule marks lines as a shared cost: by a tag value ("key=value")
// or by an account (billing or sub-account id).
type SharedRule struct {
	Name    string `yaml:"name"`
	Tag     string `yaml:"tag"`     // "cost-center=platform"
	Account string `yaml:"account"` // a billing or sub-account id
	Split   Split  `yaml:"split"`   // proportional (default) or even
}

// Match reports whether the key falls under the rule.
func (r *SharedRule) match(k *paved.CostKey, tags map[string]string) bool {
	if r.Account != "" && (k.SubAccountID == r.Account || k.BillingAccountID == r.Account) {
		return true
	}
	if r.Tag != "" {
		key, val, _ := strings.Cut(r.Tag, "=")
		v, ok := tags[normKey(key)]
		return ok && strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(val))
	}
	return false
}

// CatalogEntry is what allocation needs to know of a catalog service.
type CatalogEntry struct {
	Name  string
	Owner string
	Phase paved.Phase
}

// Allocator places keys. It is built once per ingest (or report) from the
// config and a catalog snapshot, and is not safe for concurrent use.
type Allocator struct {
	service, team, env []string
	strip              []string
	accounts           map[string]string
	shared             []SharedRule
	services           map[string]CatalogEntry // lower-case name
	teams              map[string]string       // lower-case name -> name
}

// NewAllocator builds an allocator from the allocation config, the account
// mapping, the shared-cost rules and a catalog snapshot (any may be empty).
func NewAllocator(cfg AllocationConfig, cat *AllocationCatalog) *Allocator {
	a := &Allocator{
		service:  normKeys(cfg.ServiceKeys, DefaultServiceKeys),
		team:     normKeys(cfg.TeamKeys, DefaultTeamKeys),
		env:      normKeys(cfg.EnvKeys, DefaultEnvKeys),
		strip:    cfg.StripPrefixes,
		services: map[string]CatalogEntry{},
		teams:    map[string]string{},
		accounts: map[string]string{},
	}
	if cfg.StripPrefixes == nil {
		a.strip = DefaultStripPrefixes
	}
	if cat != nil {
		for _, s := range cat.Services {
			a.services[strings.ToLower(s.Name)] = s
		}
		for _, t := range cat.Teams {
			a.teams[strings.ToLower(t)] = t
		}
		for acc, team := range cat.Accounts {
			a.accounts[strings.TrimSpace(acc)] = team
		}
		a.shared = cat.Shared
	}
	return a
}

// AllocationCatalog is the data allocation matches against: the catalog's
// services and teams, the account -> team mapping and the shared rules.
type AllocationCatalog struct {
	Services []CatalogEntry
	Teams    []string
	Accounts map[string]string
	Shared   []SharedRule
}

func normKeys(keys, def []string) []string {
	if len(keys) == 0 {
		keys = def
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k = normKey(k); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func normKey(k string) string { return strings.ToLower(strings.TrimSpace(k)) }

// normTags lower-cases and trims the keys and drops configured prefixes.
// When two keys collide, the one that sorts first wins, so the result does
// not depend on map order.
func (a *Allocator) normTags(tags map[string]string) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]string, len(tags))
	for _, k := range keys {
		n := normKey(k)
		for _, p := range a.strip {
			if p != "" && len(n) > len(p) && strings.HasPrefix(n, strings.ToLower(p)) {
				n = strings.TrimSpace(n[len(p):])
				break
			}
		}
		if _, dup := out[n]; !dup && n != "" {
			out[n] = tags[k]
		}
	}
	return out
}

func first(tags map[string]string, keys []string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(tags[k]); v != "" {
			return v
		}
	}
	return ""
}

// Allocate sets k's Service, Team, Env, Method, Shared and Untagged.
func (a *Allocator) Allocate(k *paved.CostKey) {
	tags := a.normTags(k.Tags)
	k.Service, k.Team, k.Env, k.Shared = "", "", "", ""
	svc := first(tags, a.service)
	team := first(tags, a.team)
	k.Env = first(tags, a.env)
	k.Untagged = svc == "" && team == ""
	if svc != "" {
		// A catalog service keeps its catalog spelling; any other value is
		// lower-cased, so that "Recs" and "recs" are one service.
		if e, ok := a.services[strings.ToLower(svc)]; ok {
			svc = e.Name
		} else {
			svc = strings.ToLower(svc)
		}
		k.Service = clipName(svc)
	}
	for i := range a.shared {
		if a.shared[i].match(k, tags) {
			k.Team, k.Method, k.Shared = "", paved.AllocShared, a.shared[i].Name
			return
		}
	}
	switch {
	case team != "":
		if t, ok := a.teams[strings.ToLower(team)]; ok {
			team = t
		} else {
			team = strings.ToLower(team)
		}
		k.Team, k.Method = clipName(team), paved.AllocTag
	case k.Service != "" && a.services[strings.ToLower(k.Service)].Owner != "":
		k.Team, k.Method = a.services[strings.ToLower(k.Service)].Owner, paved.AllocCatalog
	case k.SubAccountID != "" && a.accounts[k.SubAccountID] != "":
		k.Team, k.Method = a.accounts[k.SubAccountID], paved.AllocAccount
	case a.accounts[k.BillingAccountID] != "":
		k.Team, k.Method = a.accounts[k.BillingAccountID], paved.AllocAccount
	default:
		k.Team, k.Method = paved.Unallocated, paved.AllocNone
	}
}

func clipName(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// ValidateShared checks the shared-cost rules of paved.yaml.
func ValidateShared(rules []SharedRule, where func(string) string) error {
	if where == nil {
		where = func(p string) string { return p }
	}
	names := map[string]bool{}
	for i, r := range rules {
		path := fmt.Sprintf("spend.shared[%d]", i)
		at := locate(where, path, "name", "tag", "account", "split")(path)
		if strings.TrimSpace(r.Name) == "" {
			return paved.FieldErrorf(paved.EINVALID, at, "a shared-cost rule needs a name (it is shown in reports)")
		}
		if names[r.Name] {
			return paved.FieldErrorf(paved.EINVALID, at, "shared-cost rule %q is defined twice", r.Name)
		}
		names[r.Name] = true
		if (r.Tag == "") == (r.Account == "") {
			return paved.FieldErrorf(paved.EINVALID, at, "shared-cost rule %q: give either tag (key=value) or account", r.Name)
		}
		if r.Tag != "" {
			if k, v, ok := strings.Cut(r.Tag, "="); !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
				return paved.FieldErrorf(paved.EINVALID, at, "shared-cost rule %q: tag %q is not key=value", r.Name, r.Tag)
			}
		}
		switch r.Split {
		case "", SplitProportional, SplitEven:
		default:
			return paved.FieldErrorf(paved.EINVALID, at, "shared-cost rule %q: split %q: want proportional or even", r.Name, r.Split)
		}
	}
	return nil
}
