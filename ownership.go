package paved

import (
	"context"
	"time"
)

// The ownership map: who owns each operational concern (base images,
// patching, certificates, backups, on-call ...), and, for managed cloud
// services, what the vendor covers. The map itself (layers, concerns,
// owners) and the shared-responsibility tables live in internal/ownership;
// the types here are what the store keeps and what the launch checklist
// and the portal show.

// ProductTeam is the owner reference that means "the team that owns the
// service": a concern owned by the product team is owned, for each
// service, by that service's owner team.
const ProductTeam = "product-team"

// OwnershipEdit is an admin's assignment of one concern, stored in the
// database and laid over the platform config's ownership.yaml: the
// effective map is the file with each edited concern's owner and RACI
// teams replaced by its edit.
type OwnershipEdit struct {
	Concern string `json:"concern"`
	// Owner is responsible (R): one team reference, or "" for a concern
	// deliberately left without an owner (the gap report lists it).
	Owner string `json:"owner"`
	// Accountable (A) is the team answerable for the outcome when it is
	// not the owner; Consulted (C) and Informed (I) are team references.
	Accountable string    `json:"accountable,omitempty"`
	Consulted   []string  `json:"consulted"`
	Informed    []string  `json:"informed"`
	Reason      string    `json:"reason,omitempty"`
	UpdatedBy   string    `json:"updated_by"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// CheckResource is one resource of a recorded check, kept so that paved
// can work out what the service's own resources ask of its team: the
// normalised address, type and action, the planned attribute values
// (After, with every value the plan marks sensitive already replaced by
// SensitiveValue by the reader), the effective tags and the region. Never
// prior values, never the plan.
type CheckResource struct {
	Address string            `json:"address"`
	Type    string            `json:"type"`
	Action  string            `json:"action,omitempty"`
	After   map[string]any    `json:"after,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Region  string            `json:"region,omitempty"`
	// Trimmed is set when After was too large to keep whole: only its
	// scalar top-level values were kept.
	Trimmed bool `json:"trimmed,omitempty"`
}

// MaskSecrets replaces the values of a Kubernetes Secret's data and
// stringData by SensitiveValue: a manifest holds them in clear (base64 is
// no protection), and no plan reader marks them. Terraform plans mark their
// own sensitive values; other resources are left alone.
func (r *CheckResource) MaskSecrets() {
	if r == nil || r.Type != "Secret" || r.After == nil {
		return
	}
	for _, k := range []string{"data", "stringData"} {
		m, ok := r.After[k].(map[string]any)
		if !ok {
			if r.After[k] != nil {
				r.After[k] = SensitiveValue
			}
			continue
		}
		masked := make(map[string]any, len(m))
		for key := range m {
			masked[key] = SensitiveValue
		}
		r.After[k] = masked
	}
}

// Limits on the resources recorded with one check. A check of a larger
// plan records the first MaxCheckResources resources (in address order)
// and counts the rest in CheckRecord.ResourcesOmitted.
const (
	MaxCheckResources = 5000
	// MaxCheckResourceBytes bounds one resource's After as JSON; a larger
	// one keeps its scalar top-level values only (Trimmed).
	MaxCheckResourceBytes = 64 << 10
	// MaxCheckResourcesBytes bounds all recorded resources as JSON.
	MaxCheckResourcesBytes = 8 << 20
)

// CheckResources is the set of resources of a service's latest recorded
// check (replaced by each new check that carries resources).
type CheckResources struct {
	Service   string           `json:"service"`
	CheckID   int64            `json:"check_id"`
	At        time.Time        `json:"at"`
	Resources []*CheckResource `json:"resources"`
	// Omitted counts resources the check had but did not record (over
	// MaxCheckResources or MaxCheckResourcesBytes).
	Omitted int `json:"omitted,omitempty"`
}

// Coverage says who covers a concern for one managed resource type.
type Coverage string

const (
	// CoverVendor: the cloud vendor covers it, always.
	CoverVendor Coverage = "vendor"
	// CoverVendorOnceEnabled: the vendor covers it once the team switches
	// it on (an attribute and a condition say how).
	CoverVendorOnceEnabled Coverage = "vendor-once-enabled"
	// CoverTeam: the vendor does not cover it; a team must.
	CoverTeam Coverage = "team"
	// CoverNotApplicable: the concern does not arise for the type (a
	// topic stores nothing to back up).
	CoverNotApplicable Coverage = "not-applicable"
)

// Coverages in the order they are documented.
var Coverages = []Coverage{CoverVendor, CoverVendorOnceEnabled, CoverTeam, CoverNotApplicable}

// Valid reports whether c is one of Coverages.
func (c Coverage) Valid() bool {
	for _, v := range Coverages {
		if c == v {
			return true
		}
	}
	return false
}

// ConsiderationState is what the service's plan shows for a consideration.
type ConsiderationState string

const (
	// StateVendor: the vendor covers the concern; nothing to do.
	StateVendor ConsiderationState = "vendor"
	// StateEnabled: the vendor covers it once enabled, and the plan
	// enables it.
	StateEnabled ConsiderationState = "enabled"
	// StateNotEnabled: the vendor would cover it once enabled, and the
	// plan does not enable it.
	StateNotEnabled ConsiderationState = "not-enabled"
	// StateUnknown: the plan does not say (the value is known only after
	// apply, or was not recorded).
	StateUnknown ConsiderationState = "unknown"
	// StateTeam: a team must handle the concern; the plan cannot show it.
	StateTeam ConsiderationState = "team"
)

// Consideration is one operational concern that one of a service's own
// resources raises, with who covers it and what the latest recorded check
// shows ("RDS backups: vendor once backup_retention_period > 0; here
// enabled, 7 days").
type Consideration struct {
	Resource     string `json:"resource"` // address
	ResourceType string `json:"resource_type"`
	// TypeTitle names the managed service ("Amazon RDS DB instance").
	TypeTitle    string   `json:"type_title"`
	Concern      string   `json:"concern"` // concern id of the ownership map
	ConcernTitle string   `json:"concern_title"`
	Coverage     Coverage `json:"coverage"`
	// Condition is the enabling condition of a vendor-once-enabled row
	// (backup_retention_period > 0).
	Condition string             `json:"condition,omitempty"`
	State     ConsiderationState `json:"state"`
	// Detail says what the plan shows, in words ("enabled, 7 days";
	// "not enabled: storage_encrypted is false").
	Detail string `json:"detail,omitempty"`
	// Note is the table's explanation of the row.
	Note string `json:"note,omitempty"`
	// Owner is the team that must handle or switch on the concern
	// (product-team resolved to the service's owner); "" when the
	// ownership map names no owner.
	Owner  string    `json:"owner,omitempty"`
	Source string    `json:"source"` // the provider documentation the row was written from
	Check  int64     `json:"check,omitempty"`
	AsOf   time.Time `json:"as_of,omitzero"`
}

// NeedsAction reports whether the team has something to do: switch the
// concern on, or handle it itself.
func (c *Consideration) NeedsAction() bool {
	return c != nil && (c.State == StateNotEnabled || c.State == StateTeam || c.State == StateUnknown)
}

// OwnershipStore persists the admin edits of the ownership map and the
// resources of each service's latest check. Each write is one transaction
// that appends its audit event.
type OwnershipStore interface {
	// FindOwnershipEdits returns every admin edit, by concern id.
	FindOwnershipEdits(ctx context.Context) ([]*OwnershipEdit, error)
	// SaveOwnershipEdit stores e, replacing an earlier edit of the same
	// concern; UpdatedBy and UpdatedAt are set by the store.
	SaveOwnershipEdit(ctx context.Context, e *OwnershipEdit) error
	// DeleteOwnershipEdit removes the edit of a concern, so that the
	// config file's assignment applies again (ENOTFOUND when there is none).
	DeleteOwnershipEdit(ctx context.Context, concern string) error
	// LatestCheckResources returns the resources of the service's latest
	// check that carried any, or nil (ENOTFOUND for an unknown service).
	LatestCheckResources(ctx context.Context, service string) (*CheckResources, error)
}
