package paved

import (
	"context"
	"strings"
	"time"
)

// The path to production: a service moves playground -> green-light ->
// production. The types here are what the launch gate decides on; the
// decisions themselves are pure functions in internal/launch, the
// persistence is LaunchStore.

// TemplateKind names the two launch templates.
type TemplateKind string

const (
	// KindQuestionnaire is the one-page green-light questionnaire.
	KindQuestionnaire TemplateKind = "questionnaire"
	// KindChecklist is the operational-readiness checklist (ten areas).
	KindChecklist TemplateKind = "checklist"
)

// TemplateKinds in the order a launch meets them.
var TemplateKinds = []TemplateKind{KindQuestionnaire, KindChecklist}

func (k TemplateKind) Valid() bool { return k == KindQuestionnaire || k == KindChecklist }

// ParseTemplateKind accepts a kind name in any case.
func ParseTemplateKind(s string) (TemplateKind, error) {
	k := TemplateKind(strings.ToLower(strings.TrimSpace(s)))
	if !k.Valid() {
		return "", FieldErrorf(EINVALID, "kind", "unknown template kind %q: want questionnaire or checklist", s)
	}
	return k, nil
}

// Template is one version of a questionnaire or checklist. A version's
// content never changes once a service has pinned it: Digest (sha256 of the
// canonical JSON of Areas, Title and Description) is stored with it, and a
// different body under the same version is refused.
type Template struct {
	Kind        TemplateKind    `json:"kind"`
	Version     int             `json:"version"` // 1, 2, 3 ... increasing
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Areas       []*TemplateArea `json:"areas"`
	Digest      string          `json:"digest"`
	// Source is where the template was read from ("embedded" or a file
	// path); it is not part of the digest.
	Source string `json:"source,omitempty"`
}

// TemplateArea groups items: the questionnaire's sections, the checklist's
// ten areas.
type TemplateArea struct {
	ID          string          `json:"id"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Items       []*TemplateItem `json:"items"`
}

// AnswerForm says what kind of answer an item expects.
type AnswerForm string

const (
	FormText AnswerForm = "text" // a written answer (links allowed alongside)
	FormLink AnswerForm = "link" // at least one link (a runbook, a dashboard, a document)
)

// TemplateItem is one question or checklist item.
type TemplateItem struct {
	// ID is unique across a service's pinned questionnaire and checklist,
	// so an answer names its item without naming the template.
	ID    string `json:"id"`
	Title string `json:"title"` // the question, as the team reads it
	// Guidance teaches: why the item matters and what a good answer looks
	// like (Markdown).
	Guidance string     `json:"guidance"`
	Form     AnswerForm `json:"form"`
	// RequiredFor lists the tiers that must answer the item (or have a
	// reviewer accept n/a); other tiers may answer it.
	RequiredFor []Tier `json:"required_for"`
	// Evidence, when set, lets paved answer the item from facts it already
	// holds (catalog links, the latest guard-rail check, assessments).
	Evidence *EvidenceRule `json:"evidence,omitempty"`
}

// Required reports whether tier t must answer the item.
func (it *TemplateItem) Required(t Tier) bool {
	for _, r := range it.RequiredFor {
		if r == t {
			return true
		}
	}
	return false
}

// Items returns every item of t in order.
func (t *Template) Items() []*TemplateItem {
	var out []*TemplateItem
	for _, a := range t.Areas {
		out = append(out, a.Items...)
	}
	return out
}

// Item finds an item and its area by id.
func (t *Template) Item(id string) (*TemplateArea, *TemplateItem) {
	for _, a := range t.Areas {
		for _, it := range a.Items {
			if it.ID == id {
				return a, it
			}
		}
	}
	return nil, nil
}

// EvidenceRule names an automated check that can answer an item.
// Source is one of:
//
//	catalog-link   the service has a link of type Link.Type = Value (runbook, dashboard, on-call, repository, docs)
//	catalog-field  the service's catalog field Value is set (for example annotations key "pagerduty.com/service-id")
//	check-rules    the latest guard-rail check evaluated resources of the rules' types and none of the rules
//	               in Rules denied (for example rds-encryption-at-rest, rds-multi-az, rds-backup-retention)
//	assessment     an assessment of kind Value (security, load) is recorded
//	fact           the service's current facts satisfy the expression Value
//	               (internal/facts/expr: github.branch_protection.required_reviews >= 1)
type EvidenceRule struct {
	Source string   `json:"source"`
	Value  string   `json:"value,omitempty"`
	Rules  []string `json:"rules,omitempty"`
	// Sources, for check-rules evidence, lists who must have recorded the
	// check for it to count: ci (a CI job that exchanged its ID token),
	// person. Empty: DefaultCheckSources of the service's tier.
	Sources []CheckSource `json:"sources,omitempty"`
	// Note explains, in the item's words, what the evidence shows.
	Note string `json:"note,omitempty"`
}

// DefaultCheckSources is whose checks count as guard-rail evidence when a
// template says nothing: for tiers 1 and 2 only CI's, so that evidence of a
// business-critical service rests on a check the server knows ran in the
// pipeline (a person can post any findings); for tiers 3 and 4 anyone's.
func DefaultCheckSources(t Tier) []CheckSource {
	if t == 1 || t == 2 {
		return []CheckSource{SourceCI}
	}
	return []CheckSource{SourceCI, SourcePerson}
}

// CheckSourcesFor returns the sources whose checks count for the rule on a
// service of tier t.
func (r *EvidenceRule) CheckSourcesFor(t Tier) []CheckSource {
	if r != nil && len(r.Sources) > 0 {
		return r.Sources
	}
	return DefaultCheckSources(t)
}

// AnswerStatus is the state of an answer.
type AnswerStatus string

const (
	AnswerGiven AnswerStatus = "answered"
	AnswerNA    AnswerStatus = "n/a" // not applicable, with a reason a reviewer must accept
)

// Answer is a team's current response to one item. Every change is kept as
// an AnswerRevision.
type Answer struct {
	Service         string       `json:"service"`
	Item            string       `json:"item"`
	Kind            TemplateKind `json:"kind"`
	TemplateVersion int          `json:"template_version"`
	Status          AnswerStatus `json:"status"`
	Text            string       `json:"text,omitempty"`
	Links           []string     `json:"links,omitempty"`
	NAReason        string       `json:"na_reason,omitempty"`
	// NAAcceptedBy is the reviewer who accepted the n/a; empty while it
	// waits. A changed answer needs a new acceptance.
	NAAcceptedBy string     `json:"na_accepted_by,omitempty"`
	NAAcceptedAt *time.Time `json:"na_accepted_at,omitempty"`
	// Flag is a reviewer's request for follow-up on the item; empty when
	// none is open.
	Flag      string     `json:"flag,omitempty"`
	FlaggedBy string     `json:"flagged_by,omitempty"`
	FlaggedAt *time.Time `json:"flagged_at,omitempty"`
	Revision  int        `json:"revision"` // 1 for the first answer
	Author    string     `json:"author"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Settled reports whether the answer counts towards a gate: answered, or
// n/a with the reason accepted.
func (a *Answer) Settled() bool {
	if a == nil {
		return false
	}
	switch a.Status {
	case AnswerGiven:
		return true
	case AnswerNA:
		return a.NAAcceptedBy != ""
	}
	return false
}

// AnswerRevision is one edit of an answer, kept for the history.
type AnswerRevision struct {
	Service         string       `json:"service"`
	Item            string       `json:"item"`
	Revision        int          `json:"revision"`
	TemplateVersion int          `json:"template_version"`
	Status          AnswerStatus `json:"status"`
	Text            string       `json:"text,omitempty"`
	Links           []string     `json:"links,omitempty"`
	NAReason        string       `json:"na_reason,omitempty"`
	Author          string       `json:"author"`
	At              time.Time    `json:"at"`
}

// AnswerReview is a reviewer's action on an answer: accept its n/a reason,
// or open or close a follow-up flag. Exactly one field is set.
type AnswerReview struct {
	AcceptNA bool    `json:"accept_na,omitempty"`
	Flag     *string `json:"flag,omitempty"` // non-empty opens a flag, "" closes it
}

// Comment is one message in the dialogue on an item between the product
// team and the enablement team.
type Comment struct {
	ID      int64     `json:"id"`
	Service string    `json:"service"`
	Item    string    `json:"item"`
	Author  string    `json:"author"`
	Body    string    `json:"body"`
	At      time.Time `json:"at"`
}

// AssessmentKind is security or load.
type AssessmentKind string

const (
	AssessSecurity AssessmentKind = "security"
	AssessLoad     AssessmentKind = "load"
)

// RiskRating is the outcome of a security assessment.
type RiskRating string

const (
	RiskLow      RiskRating = "low"
	RiskMedium   RiskRating = "medium"
	RiskHigh     RiskRating = "high"
	RiskCritical RiskRating = "critical"
)

// Assessment is recorded evidence of a security assessment or a load
// profile. Only the fields of its kind are set; the newest of each kind is
// the one the gate reads, older ones are history.
type Assessment struct {
	ID      int64          `json:"id"`
	Service string         `json:"service"`
	Kind    AssessmentKind `json:"kind"`

	// Security assessment.
	ThreatModel  string     `json:"threat_model,omitempty"`   // link to the threat model
	VulnScan     string     `json:"vuln_scan,omitempty"`      // result summary, e.g. "0 critical, 2 high (accepted)"
	VulnScanLink string     `json:"vuln_scan_link,omitempty"` // link to the scan report
	RiskRating   RiskRating `json:"risk_rating,omitempty"`
	PenTest      string     `json:"pen_test,omitempty"` // link to the pen-test report (required for tiers 1-2)

	// Load profile.
	ExpectedPeakRPS float64 `json:"expected_peak_rps,omitempty"`
	TestedRPS       float64 `json:"tested_rps,omitempty"`
	P99Millis       float64 `json:"p99_ms,omitempty"` // p99 latency at the tested load

	Links      []string  `json:"links,omitempty"`
	Notes      string    `json:"notes,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Headroom is how much more than the expected peak the load test carried,
// as a fraction (0.5 = 50% headroom); 0 when not a load profile.
func (a *Assessment) Headroom() float64 {
	if a == nil || a.Kind != AssessLoad || a.ExpectedPeakRPS <= 0 {
		return 0
	}
	return a.TestedRPS/a.ExpectedPeakRPS - 1
}

// SignRole is the capacity in which someone signs a walkthrough.
type SignRole string

const (
	SignPeer      SignRole = "peer"      // an engineer who knows the domain; may be from the owning team
	SignArchitect SignRole = "architect" // holds the architect role, outside the owning team
	SignSecurity  SignRole = "security"  // holds the security role, outside the owning team
)

// SignRoles in the order they are shown.
var SignRoles = []SignRole{SignPeer, SignArchitect, SignSecurity}

// Decision is a signer's verdict.
type Decision string

const (
	DecisionApprove        Decision = "approve"
	DecisionRequestChanges Decision = "request-changes"
	DecisionVeto           Decision = "veto"
)

// WalkthroughOutcome is derived from the sign-offs, never set by hand.
type WalkthroughOutcome string

const (
	OutcomePending          WalkthroughOutcome = "pending"
	OutcomeChangesRequested WalkthroughOutcome = "changes-requested"
	OutcomeApproved         WalkthroughOutcome = "approved"
	OutcomeVetoed           WalkthroughOutcome = "vetoed"
)

// Walkthrough is the product technical walkthrough: the review before
// launch.
type Walkthrough struct {
	ID           int64       `json:"id"`
	Service      string      `json:"service"`
	ScheduledAt  time.Time   `json:"scheduled_at"`
	Participants []string    `json:"participants"` // user names
	CreatedBy    string      `json:"created_by"`
	CreatedAt    time.Time   `json:"created_at"`
	Signoffs     []*Signoff  `json:"signoffs"` // every sign-off in time order, superseded ones included
	FollowUps    []*FollowUp `json:"follow_ups"`
	Cancelled    bool        `json:"cancelled,omitempty"`
	CancelledBy  string      `json:"cancelled_by,omitempty"`
}

// Signoff is one signer's decision. A signer may sign again after asking
// for changes; the newest sign-off per signer counts.
type Signoff struct {
	ID          int64     `json:"id"`
	Walkthrough int64     `json:"walkthrough"`
	Signer      string    `json:"signer"`
	Role        SignRole  `json:"role"`
	Decision    Decision  `json:"decision"`
	Comment     string    `json:"comment,omitempty"`
	At          time.Time `json:"at"`
	// SignerRetired is set when the signer has been retired since (read
	// from the catalog, not stored with the sign-off): an active holder
	// of the same role may then take the role over (launch.CanSign), so
	// an objection carried over from a retired signer is resolved rather
	// than stuck.
	SignerRetired bool `json:"signer_retired,omitempty"`
}

// FollowUp is an action agreed at a walkthrough, with an owner and a due
// date.
type FollowUp struct {
	ID          int64      `json:"id"`
	Walkthrough int64      `json:"walkthrough"`
	Description string     `json:"description"`
	Owner       string     `json:"owner"` // user name
	Due         time.Time  `json:"due"`   // a date (midnight UTC)
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	DoneBy      string     `json:"done_by,omitempty"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
}

// PhaseChange is one move of a service between phases.
type PhaseChange struct {
	Service string    `json:"service"`
	From    Phase     `json:"from"`
	To      Phase     `json:"to"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
	Forced  bool      `json:"forced,omitempty"` // an admin moved it past a gate
	Reason  string    `json:"reason,omitempty"` // required when forced
}

// CheckRecord is one guard-rail check recorded for a service (by
// `paved check --server`): what ran and what it found, never the plan and
// never a value marked sensitive.
type CheckRecord struct {
	ID      int64  `json:"id"`
	Service string `json:"service"`
	Actor   string `json:"actor"`
	// RecordedBy says who recorded the check: a person's name, or the CI
	// identity (ci:<issuer>/<repository>@<sha>) of a job that exchanged
	// its ID token. The store sets it from the context, never from the
	// request, so that no body can claim to come from CI.
	RecordedBy    string    `json:"recorded_by,omitempty"`
	At            time.Time `json:"at"`
	Commit        string    `json:"commit,omitempty"`
	Branch        string    `json:"branch,omitempty"`
	PullRequest   string    `json:"pull_request,omitempty"` // URL
	RunURL        string    `json:"run_url,omitempty"`      // CI run URL
	ConfigVersion string    `json:"config_version,omitempty"`
	// ResourceTypes counts the evaluated resources per type.
	ResourceTypes map[string]int `json:"resource_types"`
	// Rules lists the rule ids that were evaluated.
	Rules    []string  `json:"rules"`
	Findings []Finding `json:"findings"`
	// Resources are the check's normalised resources (see CheckResource),
	// sent by `paved check --server`. The store keeps them apart, as the
	// service's latest check resources (OwnershipStore.
	// LatestCheckResources), and returns the record without them.
	// nil (left out) keeps the stored set; an empty list replaces it.
	Resources []*CheckResource `json:"resources,omitzero"`
	// ResourcesOmitted counts the resources of the check that were not
	// sent, over MaxCheckResources or MaxCheckResourcesBytes.
	ResourcesOmitted int `json:"resources_omitted,omitempty"`
}

// Launch is everything the gate and the portal need about one service's
// path to production.
type Launch struct {
	Service *Service `json:"service"`
	// Versions pins the template version per kind the service started
	// with (0: not pinned yet).
	Versions map[TemplateKind]int `json:"versions"`
	// Contact is the enablement contact (a user name), required for
	// green-light.
	Contact      string             `json:"contact,omitempty"`
	Answers      map[string]*Answer `json:"answers"`      // by item id
	Assessments  []*Assessment      `json:"assessments"`  // newest first
	Walkthroughs []*Walkthrough     `json:"walkthroughs"` // newest first
	Phases       []*PhaseChange     `json:"phases"`       // oldest first
	LatestCheck  *CheckRecord       `json:"latest_check,omitempty"`
	// Facts are the service's facts (facts.go), expired ones included:
	// fact evidence counts only the current ones.
	Facts []*Fact `json:"facts,omitempty"`
	// LatestCICheck is the newest check recorded by CI when LatestCheck
	// was recorded by a person: evidence that must come from CI reads it.
	LatestCICheck *CheckRecord `json:"latest_ci_check,omitempty"`
	// GateClass is the strictest classification the service held since it
	// entered green-light (or since an approved or forced
	// reclassification); zero before green-light. The gates read the
	// stricter of it and the service's own (launch.GateClass).
	GateClass Classification `json:"gate_class,omitzero"`
}

// LatestAssessment returns the newest assessment of kind k, or nil.
func (l *Launch) LatestAssessment(k AssessmentKind) *Assessment {
	for _, a := range l.Assessments {
		if a.Kind == k {
			return a
		}
	}
	return nil
}

// LaunchFilter selects launches for the organisation and reviewer views.
type LaunchFilter struct {
	Team   string  // owning team, "" for all
	Phases []Phase // nil: playground and green-light
	// IncludeGrandfathered adds the services that were in production
	// before paved (the launch views leave them out; the scorecards
	// score them).
	IncludeGrandfathered bool
}

// LaunchStore persists the path to production. Each method is one
// transaction that appends its audit event(s).
type LaunchStore interface {
	// SaveTemplate stores a template version so that launches pinned to
	// it keep it after the config moves on. Saving the same kind, version
	// and digest again is a no-op; another digest under a stored version
	// is ECONFLICT.
	SaveTemplate(ctx context.Context, t *Template) error
	FindTemplate(ctx context.Context, kind TemplateKind, version int) (*Template, error)
	// FindTemplates lists the stored versions of kind, newest first.
	FindTemplates(ctx context.Context, kind TemplateKind) ([]*Template, error)

	// FindLaunch loads a service's launch (ENOTFOUND for an unknown service).
	FindLaunch(ctx context.Context, service string) (*Launch, error)
	// FindLaunches loads the launches f selects, in service name order.
	FindLaunches(ctx context.Context, f LaunchFilter) ([]*Launch, error)

	// PinTemplate sets the version of kind that service uses. The version
	// must be stored.
	PinTemplate(ctx context.Context, service string, kind TemplateKind, version int) error
	// SetContact assigns the enablement contact ("" removes it).
	SetContact(ctx context.Context, service, user string) error

	// SaveAnswer writes a new revision of an answer (Revision, Author and
	// UpdatedAt are set by the store). An n/a acceptance is cleared when the
	// status, text or reason changed; a reviewer's flag stays until the
	// reviewer closes it.
	SaveAnswer(ctx context.Context, a *Answer) (*Answer, error)
	// ReviewAnswer applies a reviewer's action to the current answer.
	ReviewAnswer(ctx context.Context, service, item string, r AnswerReview) (*Answer, error)
	// AnswerHistory returns the revisions of one item ("" for every item of
	// the service), oldest first.
	AnswerHistory(ctx context.Context, service, item string) ([]*AnswerRevision, error)

	AddComment(ctx context.Context, c *Comment) error
	// FindComments returns the comments on one item ("" for all), oldest first.
	FindComments(ctx context.Context, service, item string) ([]*Comment, error)

	AddAssessment(ctx context.Context, a *Assessment) error

	// CreateWalkthrough schedules a walkthrough with the sign-offs and
	// follow-ups it carries over from the one before (w.Signoffs,
	// w.FollowUps; see launch.CarryOver). announce composes its
	// notification from the walkthrough as stored (its ID assigned) and the
	// service's owner team, inside the transaction; nil records none.
	CreateWalkthrough(ctx context.Context, w *Walkthrough, announce func(w *Walkthrough, team string) *Notification) error
	FindWalkthrough(ctx context.Context, id int64) (*Walkthrough, error)
	// CancelWalkthrough cancels a walkthrough with a reason (may be empty;
	// kept in the audit event).
	// check runs inside the transaction on the walkthrough as stored (nil:
	// none); its error aborts.
	CancelWalkthrough(ctx context.Context, id int64, reason string, check func(*Walkthrough) error) error
	// AddSignoff records a sign-off. check runs inside the transaction on
	// the walkthrough as stored, so two signers racing cannot both pass a
	// rule that only one may; its error aborts the write.
	AddSignoff(ctx context.Context, s *Signoff, check func(*Walkthrough) error) error
	AddFollowUp(ctx context.Context, f *FollowUp) error
	CompleteFollowUp(ctx context.Context, walkthrough, id int64) (*FollowUp, error)

	// ChangePhase moves a service. gate runs inside the transaction on the
	// launch as stored (nil for a forced move); its error aborts the move.
	ChangePhase(ctx context.Context, c *PhaseChange, gate func(*Launch) error) error

	// RecordCheck stores a guard-rail check; LatestCheck returns the newest
	// for a service, or nil.
	RecordCheck(ctx context.Context, c *CheckRecord) error
	LatestCheck(ctx context.Context, service string) (*CheckRecord, error)
}
