// Package launch holds the path to production: the questionnaire and
// checklist templates (embedded defaults, overridable from the platform
// config), the pure gate, sign-off and readiness rules, the walkthrough
// packet, and Service, the one place the CLI and the web server go through
// to read and change a launch.
package launch

import (
	"context"
	"io"
	"sync"
	"time"

	paved "github.com/paved-dev/paved"
)

// ---- Templates ----------------------------------------------------------

// Library is the set of template versions configured now: the embedded
// defaults, replaced per kind by the platform config's templates/ folder.
// Older versions that services pinned live in the store (LaunchStore.
// SaveTemplate), not here.
type Library struct {
	current map[paved.TemplateKind]*paved.Template
	// lines holds, per kind, the line of each area ("area:ID") and item
	// ("item:ID") in its file, for errors that span both templates.
	lines map[paved.TemplateKind]map[string]int
}

// ItemChange is one difference between two template versions.
type ItemChange struct {
	Item   string `json:"item"`
	Area   string `json:"area"`
	Change string `json:"change"` // added, removed, changed (title, guidance, required tiers, evidence)
	Detail string `json:"detail"` // what changed, in words ("now required for tier 3")
}

// ---- Computed views -------------------------------------------------------

// Evidence is what an automated check found for an item, with its source
// and age; it is computed on every read, so it follows the facts.
type Evidence struct {
	Source    string    `json:"source"`    // "catalog link runbook", "check #12 (commit abc123)", "security assessment #3"
	Satisfied bool      `json:"satisfied"` // the facts answer the item
	Detail    string    `json:"detail"`    // what was found or what is missing
	AsOf      time.Time `json:"as_of"`     // when the underlying fact last changed
}

// ItemState is where one item stands.
type ItemState string

const (
	StateSettled   ItemState = "settled"    // answered, or n/a accepted
	StateEvidenced ItemState = "evidenced"  // no answer, but automatic evidence satisfies it
	StateNAPending ItemState = "na-pending" // n/a waiting for a reviewer
	StateMissing   ItemState = "missing"    // no answer and no evidence
)

// ItemStatus is one item of a service's pinned template with its answer.
type ItemStatus struct {
	Kind     paved.TemplateKind  `json:"kind"`
	Area     string              `json:"area"`
	Item     *paved.TemplateItem `json:"item"`
	Required bool                `json:"required"` // for the service's tier
	State    ItemState           `json:"state"`
	Answer   *paved.Answer       `json:"answer,omitempty"`
	Evidence *Evidence           `json:"evidence,omitempty"`
	Flagged  bool                `json:"flagged"`
	Comments int                 `json:"comments"`
}

// AreaStatus is the progress of one area.
type AreaStatus struct {
	Kind     paved.TemplateKind `json:"kind"`
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Required int                `json:"required"` // required items
	Done     int                `json:"done"`     // required items settled or evidenced
	Score    float64            `json:"score"`    // Done/Required, 1 when nothing is required
	Items    []*ItemStatus      `json:"items"`
}

// Gap is one thing missing before a gate opens, said so that the team
// knows what to do.
type Gap struct {
	Kind    string `json:"kind"`           // item, na-review, contact, assessment, walkthrough, follow-up
	Item    string `json:"item,omitempty"` // the item id for item gaps
	Message string `json:"message"`
}

// Gate is the result of checking a move to To.
type Gate struct {
	From paved.Phase `json:"from"`
	To   paved.Phase `json:"to"`
	Gaps []Gap       `json:"gaps"`
}

// Open reports whether nothing is missing.
func (g *Gate) Open() bool { return g != nil && len(g.Gaps) == 0 }

// WalkthroughStatus is a walkthrough with what its sign-offs add up to.
type WalkthroughStatus struct {
	*paved.Walkthrough
	Required    []paved.SignRole                  `json:"required"`
	Current     map[paved.SignRole]*paved.Signoff `json:"current"` // newest sign-off per role
	Outcome     paved.WalkthroughOutcome          `json:"outcome"`
	VetoAllowed bool                              `json:"veto_allowed"`
}

// Score is readiness as a fraction of the required items settled.
type Score struct {
	Overall float64            `json:"overall"`
	Areas   map[string]float64 `json:"areas"` // by area id
}

// ReadinessPoint is the score at one moment, replayed from the answer
// history.
type ReadinessPoint struct {
	At    time.Time `json:"at"`
	Score Score     `json:"score"`
}

// Status is a service's launch as the team and its reviewers see it.
type Status struct {
	Service *paved.Service `json:"service"`
	// GateClass is the classification the gates read (GateClass): the
	// service's own unless it was lowered since green-light without an
	// approved reclassification.
	GateClass     paved.Classification                   `json:"gate_class"`
	Grandfathered bool                                   `json:"grandfathered"`
	Contact       string                                 `json:"contact,omitempty"`
	Templates     map[paved.TemplateKind]*paved.Template `json:"-"`
	Versions      map[paved.TemplateKind]int             `json:"versions"`
	// Upgrades names the newer configured version per kind, if any.
	Upgrades    map[paved.TemplateKind]int `json:"upgrades,omitempty"`
	Areas       []*AreaStatus              `json:"areas"` // questionnaire areas, then checklist areas
	Score       Score                      `json:"score"`
	Next        *Gate                      `json:"next_gate,omitempty"` // nil in production, retired, or grandfathered
	NextStep    string                     `json:"next_step"`           // one sentence: the most useful thing to do now
	Security    *paved.Assessment          `json:"security_assessment,omitempty"`
	Load        *paved.Assessment          `json:"load_profile,omitempty"`
	Walkthrough *WalkthroughStatus         `json:"walkthrough,omitempty"` // the newest, not cancelled
	Phases      []*paved.PhaseChange       `json:"phases"`
	LatestCheck *paved.CheckRecord         `json:"latest_check,omitempty"`
	// Considerations are the concerns the service's own resources raise
	// (considerations.go); they inform, they do not gate.
	Considerations []*Consideration `json:"considerations,omitempty"`
}

// Blocked is one service in the organisation view: what stands between it
// and its next phase.
type Blocked struct {
	Service string      `json:"service"`
	Team    string      `json:"team"`
	Tier    paved.Tier  `json:"tier"`
	Phase   paved.Phase `json:"phase"`
	Score   float64     `json:"score"`
	Next    *Gate       `json:"next_gate"`
}

// Inbox is what waits for one reviewer.
type Inbox struct {
	Signoffs  []*WalkthroughStatus `json:"signoffs"`   // walkthroughs they may sign and have not
	NAReviews []*ItemRef           `json:"na_reviews"` // n/a answers waiting for acceptance (as contact, or any for reviewers)
	Flagged   []*ItemRef           `json:"flagged"`    // items they flagged that are still open
	Contact   []string             `json:"contact"`    // services they are the enablement contact for, not yet in production
}

// ItemRef points at one item of one service.
type ItemRef struct {
	Service string `json:"service"`
	Item    string `json:"item"`
	Title   string `json:"title"`
	Note    string `json:"note,omitempty"`
}

// AnswerInput is what a team submits for one item.
type AnswerInput struct {
	Status   paved.AnswerStatus `json:"status"` // answered (default) or n/a
	Text     string             `json:"text,omitempty"`
	Links    []string           `json:"links,omitempty"`
	NAReason string             `json:"na_reason,omitempty"`
	// TemplateVersion, when set, must match the version the service is
	// pinned to: a client that rendered an older template is told so
	// instead of answering a question that changed.
	TemplateVersion int `json:"template_version,omitempty"`
}

// Upgrade is the difference between a service's pinned template and the
// configured one, and whether it was applied.
type Upgrade struct {
	Kind    paved.TemplateKind `json:"kind"`
	From    int                `json:"from"`
	To      int                `json:"to"`
	Changes []ItemChange       `json:"changes"`
	Applied bool               `json:"applied"`
}

// Packet is the walkthrough packet: what reviewers read before they sign.
// `paved launch packet SERVICE` renders it as Markdown or as a printable
// HTML page.
type Packet struct {
	Status   *Status                     `json:"status"`
	Comments map[string][]*paved.Comment `json:"comments"` // by item id, oldest first
	History  map[string]*HistorySummary  `json:"history"`  // by item id
	// Findings are the latest guard-rail check's findings grouped by
	// severity: deny, then warn, then exception.
	Findings    []*FindingGroup     `json:"findings"`
	Assessments []*paved.Assessment `json:"assessments"` // newest first, superseded ones included
	Gaps        []Gap               `json:"gaps"`        // the open gaps of the next gate
	GeneratedAt time.Time           `json:"generated_at"`
}

// HistorySummary sums up the edits of one answer.
type HistorySummary struct {
	Revisions int       `json:"revisions"`
	First     time.Time `json:"first"`   // the first answer
	Last      time.Time `json:"last"`    // the latest change
	Authors   []string  `json:"authors"` // in order of their first edit
}

// FindingGroup is the findings of one severity.
type FindingGroup struct {
	Severity paved.Severity  `json:"severity"`
	Findings []paved.Finding `json:"findings"`
}

// ---- Service --------------------------------------------------------------

// Store is what Service needs from persistence.
type Store interface {
	paved.CatalogStore
	paved.LaunchStore
	paved.ReclassificationStore
}

// Service runs launch operations for the CLI's local backend and the web
// server alike. Authorisation by role happens before (paved.Authorize at
// the edge); Service applies the domain rules that depend on the data: the
// gates, who may sign in which role, template versions. The acting user is
// paved.UserFrom(ctx).
type Service struct {
	Store   Store
	Library *Library // nil: the embedded defaults
	Now     func() time.Time
	// Considerations, when set, adds the concerns the service's own
	// resources raise to its status (considerations.go).
	Considerations ConsiderationsFunc
	// Facts, when set, returns a service's facts for fact evidence
	// (facts.go); when nil, a Store that can FindFacts is asked.
	Facts FactsFunc

	mu    sync.Mutex
	cache map[tplKey]*paved.Template // stored template versions, which never change
}

var (
	_ = context.Background
	_ io.Writer
)
