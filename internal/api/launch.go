package api

import paved "github.com/paved-dev/paved"

// The path to production. Answers are launch.Status, launch.WalkthroughStatus
// and the root types.

// UpgradeRequest is the body of POST /api/v1/services/{name}/launch/upgrade.
type UpgradeRequest struct {
	Kind  paved.TemplateKind `json:"kind"`
	Apply bool               `json:"apply,omitempty"` // false: only show the differences
}

// ContactRequest is the body of PUT /api/v1/services/{name}/contact.
type ContactRequest struct {
	User string `json:"user"` // "" removes the contact
}

// ContactResponse is the answer to a contact change.
type ContactResponse struct {
	Service string `json:"service"`
	Contact string `json:"contact"`
}

// CommentRequest is the body of POST .../answers/{item}/comments and of
// POST /api/v1/exceptions/{id}/comments.
type CommentRequest struct {
	Body string `json:"body"`
}

// PhaseRequest is the body of POST /api/v1/services/{name}/phase.
type PhaseRequest struct {
	To     paved.Phase `json:"to,omitempty"`     // "" = the next phase
	Force  bool        `json:"force,omitempty"`  // move past the gate (admin)
	Reason string      `json:"reason,omitempty"` // required with force
}

// WalkthroughRequest is the body of POST /api/v1/services/{name}/walkthroughs.
type WalkthroughRequest struct {
	// ScheduledAt is RFC 3339 or "YYYY-MM-DD HH:MM" (UTC).
	ScheduledAt  string   `json:"scheduled_at"`
	Participants []string `json:"participants"`
}

// SignoffRequest is the body of POST /api/v1/walkthroughs/{id}/signoffs.
type SignoffRequest struct {
	Role     paved.SignRole `json:"role"`
	Decision paved.Decision `json:"decision"`
	Comment  string         `json:"comment,omitempty"`
}

// FollowUpRequest is the body of POST /api/v1/walkthroughs/{id}/follow-ups.
type FollowUpRequest struct {
	Description string `json:"description"`
	Owner       string `json:"owner"`
	Due         string `json:"due"` // YYYY-MM-DD
}
