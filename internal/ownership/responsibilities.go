package ownership

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	paved "github.com/paved-dev/paved"
)

// TableConcerns are the concerns every shared-responsibility table
// covers, in the order tables show them. They are concern ids of the
// ownership map, so that a team-covered row has an owner.
var TableConcerns = []string{
	"high-availability",
	"disaster-recovery",
	"backups",
	"point-in-time-restore",
	"encryption-at-rest",
	"encryption-in-transit",
	"patching-managed-services",
	"scaling",
	"service-monitoring",
}

// concernLabels are the short column names of the tables.
var concernLabels = map[string]string{
	"high-availability":         "high availability",
	"disaster-recovery":         "disaster recovery",
	"backups":                   "backups",
	"point-in-time-restore":     "point-in-time restore",
	"encryption-at-rest":        "encryption at rest",
	"encryption-in-transit":     "encryption in transit",
	"patching-managed-services": "patching",
	"scaling":                   "scaling",
	"service-monitoring":        "monitoring",
}

// ConcernLabel is the short name of a table concern ("patching" for
// patching-managed-services); the id itself for other concerns.
func ConcernLabel(id string) string {
	if l, ok := concernLabels[id]; ok {
		return l
	}
	return id
}

// Table is the shared-responsibility table of one managed resource type.
type Table struct {
	Type     string `json:"type" yaml:"type"` // Terraform resource type
	Title    string `json:"title" yaml:"title"`
	Provider string `json:"provider" yaml:"provider"` // aws, google
	Rows     []*Row `json:"rows" yaml:"rows"`
}

// Row says who covers one concern for the table's type.
type Row struct {
	Concern   string         `json:"concern" yaml:"concern"`
	CoveredBy paved.Coverage `json:"covered_by" yaml:"covered_by"`
	// EnabledWhen is the condition, on the resource's planned attributes,
	// under which the vendor covers the concern (vendor-once-enabled only).
	EnabledWhen string `json:"enabled_when,omitempty" yaml:"enabled_when"`
	// Detail, when set, says what the plan shows ("{backup_retention_period}
	// days"): each {path} becomes the attribute's planned value.
	Detail string `json:"detail,omitempty" yaml:"detail"`
	Note   string `json:"note" yaml:"note"`
	Source string `json:"source" yaml:"source"`

	cond *Cond
}

// Row returns the row of a concern, or nil.
func (t *Table) Row(concern string) *Row {
	if t == nil {
		return nil
	}
	for _, r := range t.Rows {
		if r.Concern == concern {
			return r
		}
	}
	return nil
}

// Cond returns the parsed EnabledWhen (nil when there is none).
func (r *Row) Cond() *Cond { return r.cond }

var (
	tablesOnce sync.Once
	tables     []*Table
	tablesErr  error
)

// Tables returns the embedded shared-responsibility tables, in the order
// of the file (AWS, then Google Cloud). They are shared: do not modify.
func Tables() ([]*Table, error) {
	tablesOnce.Do(func() {
		data, err := embedded.ReadFile("responsibilities.yaml")
		if err != nil {
			tablesErr = err
			return
		}
		tables, tablesErr = parseTables(data)
	})
	return tables, tablesErr
}

// TableFor returns the table of a resource type, or nil.
func TableFor(typ string) *Table {
	ts, err := Tables()
	if err != nil {
		return nil
	}
	for _, t := range ts {
		if t.Type == typ {
			return t
		}
	}
	return nil
}

// TableTypes lists the resource types that have a table.
func TableTypes() []string {
	ts, _ := Tables()
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Type
	}
	return out
}

// AttributeKeys returns the top-level attribute names the tables'
// conditions and details read, so that a caller that limits what a plan
// reader keeps can keep these.
func AttributeKeys() map[string]bool {
	out := map[string]bool{}
	ts, _ := Tables()
	for _, t := range ts {
		for _, r := range t.Rows {
			for _, p := range r.cond.Paths() {
				out[strings.SplitN(p, ".", 2)[0]] = true
			}
			for _, p := range detailPaths(r.Detail) {
				out[strings.SplitN(p, ".", 2)[0]] = true
			}
		}
	}
	return out
}

// parseTables reads and checks the embedded tables: every type once,
// every table concern once per type, a known coverage, a condition exactly
// for vendor-once-enabled rows that parses, detail paths that are
// attribute paths, and an https source on every row.
func parseTables(data []byte) ([]*Table, error) {
	var doc struct {
		Version int      `yaml:"version"`
		Types   []*Table `yaml:"types"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("responsibilities.yaml: %w", err)
	}
	if doc.Version != 1 {
		return nil, fmt.Errorf("responsibilities.yaml: version %d, want 1", doc.Version)
	}
	seen := map[string]bool{}
	for _, t := range doc.Types {
		if t.Type == "" || t.Title == "" || (t.Provider != "aws" && t.Provider != "google") {
			return nil, fmt.Errorf("responsibilities.yaml: type %q needs a type, a title and provider aws or google", t.Type)
		}
		if seen[t.Type] {
			return nil, fmt.Errorf("responsibilities.yaml: type %s appears twice", t.Type)
		}
		seen[t.Type] = true
		var concerns []string
		for _, r := range t.Rows {
			if err := checkRow(r); err != nil {
				return nil, fmt.Errorf("responsibilities.yaml: %s, %s: %w", t.Type, r.Concern, err)
			}
			if slices.Contains(concerns, r.Concern) {
				return nil, fmt.Errorf("responsibilities.yaml: %s: concern %s appears twice", t.Type, r.Concern)
			}
			concerns = append(concerns, r.Concern)
		}
		if !slices.Equal(concerns, TableConcerns) {
			return nil, fmt.Errorf("responsibilities.yaml: %s: rows %v, want exactly %v in that order", t.Type, concerns, TableConcerns)
		}
	}
	return doc.Types, nil
}

func checkRow(r *Row) error {
	if !slices.Contains(TableConcerns, r.Concern) {
		return fmt.Errorf("unknown concern (want one of %s)", strings.Join(TableConcerns, ", "))
	}
	if !r.CoveredBy.Valid() {
		return fmt.Errorf("covered_by %q: want vendor, vendor-once-enabled, team or not-applicable", r.CoveredBy)
	}
	if (r.CoveredBy == paved.CoverVendorOnceEnabled) != (r.EnabledWhen != "") {
		return fmt.Errorf("enabled_when is for vendor-once-enabled rows, and they need one")
	}
	if r.EnabledWhen != "" {
		c, err := ParseCond(r.EnabledWhen)
		if err != nil {
			return fmt.Errorf("enabled_when %q: %w", r.EnabledWhen, err)
		}
		r.cond = c
	}
	for _, p := range detailPaths(r.Detail) {
		for _, part := range strings.Split(p, ".") {
			if !attrRE.MatchString(part) {
				return fmt.Errorf("detail names {%s}, which is not an attribute path", p)
			}
		}
	}
	if strings.TrimSpace(r.Note) == "" {
		return fmt.Errorf("no note: say what the vendor does and what is left")
	}
	u, err := url.Parse(r.Source)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("source %q is not an https link to the provider's documentation", r.Source)
	}
	return nil
}

// detailPaths returns the {path} placeholders of a detail.
func detailPaths(d string) []string {
	var out []string
	for {
		i := strings.IndexByte(d, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(d[i:], '}')
		if j < 0 {
			return out
		}
		out = append(out, d[i+1:i+j])
		d = d[i+j+1:]
	}
}
