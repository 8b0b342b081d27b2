package paved

import "time"

// The platform config as the faces see it: its status, a proposed config
// sent over the wire, and what a proposed config would change
// (docs/config-as-code.md). internal/platform loads, validates and
// evaluates configs; these are the plain results it hands out, so that
// what shows them (the API client, the CLI's output) needs no policy
// engine.

// ConfigStatus is the platform config in force and the last config the
// server refused.
type ConfigStatus struct {
	// Dir is the config directory ("" for the built-in defaults).
	Dir string `json:"dir,omitempty"`
	// Version and LoadedAt are those of the config in force.
	Version  string    `json:"version"`
	Hash     string    `json:"hash,omitempty"`
	Commit   string    `json:"commit,omitempty"`
	LoadedAt time.Time `json:"loaded_at"`
	// Reloads counts the configs swapped in since start.
	Reloads uint64 `json:"reloads"`
	// Errors counts the configs refused since start.
	Errors uint64 `json:"errors"`
	// Error is set while the directory holds a config that was refused:
	// the message (with file:line), the refused content's version and
	// when it was refused. It clears when a valid config is swapped in, or
	// the directory returns to the config in force.
	Error        string     `json:"error,omitempty"`
	ErrorVersion string     `json:"error_version,omitempty"`
	ErrorAt      *time.Time `json:"error_at,omitempty"`
}

// ConfigBundle is a proposed config directory sent over the wire: a map of
// slash-separated relative paths to file contents, as JSON
// ({"files": {"paved.yaml": "...", "policies/x.rego": "..."}}) or as a
// .tar.gz of the directory (internal/platform reads, checks and loads it).
type ConfigBundle struct {
	// Files maps relative paths to contents.
	Files map[string]string `json:"files"`
	// Commit is the git commit the files came from, when the sender knows
	// it (informational: the content hash decides).
	Commit string `json:"commit,omitempty"`
}

// ImpactReport says what a proposed platform config would change for the
// services whose latest checks the server keeps.
type ImpactReport struct {
	Current     string    `json:"current"`  // version string of the config in force
	Proposed    string    `json:"proposed"` // of the proposed one
	GeneratedAt time.Time `json:"generated_at"`
	// Services counts the services evaluated; WithoutCheck those with no
	// recorded resources (nothing to evaluate).
	Services     int           `json:"services"`
	WithoutCheck int           `json:"without_check"`
	Rules        []RuleChange  `json:"rule_changes"`
	Summary      ImpactSummary `json:"summary"`
	// Teams lists the teams with a change, by name.
	Teams []*TeamImpact `json:"teams"`
	// Notes say what the analysis cannot see.
	Notes []string `json:"notes,omitempty"`
}

// ImpactSummary counts the changes.
type ImpactSummary struct {
	Appear    int `json:"appear"`
	Disappear int `json:"disappear"`
	Change    int `json:"change"`
	// NewDeny counts the deny findings that appear, or that a change turns
	// into deny: what would start to block.
	NewDeny int `json:"new_deny"`
	// Unnecessary counts the pending and approved exceptions that the
	// proposed config would make unnecessary.
	Unnecessary int `json:"unnecessary_exceptions"`
	// Services counts the services with a change.
	Services int `json:"services"`
}

// TeamImpact is one team's changes.
type TeamImpact struct {
	Team     string           `json:"team"`
	Summary  ImpactSummary    `json:"summary"`
	Services []*ServiceImpact `json:"services"`
}

// ServiceImpact is one service's changes.
type ServiceImpact struct {
	Service   string          `json:"service"`
	Team      string          `json:"team"`
	CheckID   int64           `json:"check_id"`
	CheckedAt time.Time       `json:"checked_at"`
	Omitted   int             `json:"omitted,omitempty"` // resources the check did not record
	Changes   []FindingChange `json:"changes"`
	// Exceptions lists the pending and approved exceptions whose finding
	// the proposed config would no longer deny.
	Exceptions []ExceptionImpact `json:"exceptions"`
}

// ExceptionImpact is an exception the proposed config makes unnecessary.
type ExceptionImpact struct {
	ID       int64           `json:"id"`
	Status   ExceptionStatus `json:"status"` // pending or approved
	Rule     string          `json:"rule"`
	Resource string          `json:"resource"`
	Link     string          `json:"link"`
	// Why says what becomes of the finding: gone, a warning, another value.
	Why string `json:"why"`
}

// RuleChange is a difference between the rules of two configs: a rule
// added or removed, switched on or off, or with another severity or
// enforcement date.
type RuleChange struct {
	Rule   string `json:"rule"`
	Title  string `json:"title,omitempty"`
	Change string `json:"change"` // added, removed, enabled, disabled, severity, enforce_from
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// Finding changes between two evaluations of the same resources
// (FindingChange.Change).
const (
	FindingAppears    = "appear"    // only under the proposed config
	FindingDisappears = "disappear" // only under the current config
	FindingChanges    = "change"    // under both, with another severity or message
)

// FindingChange is one finding that appears, disappears or changes.
type FindingChange struct {
	Change       string       `json:"change"`
	Rule         string       `json:"rule"`
	Resource     string       `json:"resource"`
	ResourceType string       `json:"resource_type,omitempty"`
	Path         string       `json:"path,omitempty"`
	Before       *FindingSide `json:"before,omitempty"` // nil for appear
	After        *FindingSide `json:"after,omitempty"`  // nil for disappear
}

// FindingSide is a finding as one of the two configs reports it.
type FindingSide struct {
	Severity    Severity `json:"severity"`
	Message     string   `json:"message"`
	EnforceFrom string   `json:"enforce_from,omitempty"`
	Fingerprint string   `json:"fingerprint"`
}
