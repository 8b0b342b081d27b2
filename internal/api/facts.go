package api

import (
	"time"

	paved "github.com/paved-dev/paved"
)

// ServiceFacts is the answer of GET /api/v1/services/{name}/facts: the
// service's facts, expired ones included (each says when it expires; only
// current ones count as evidence).
type ServiceFacts struct {
	Service string        `json:"service"`
	Facts   []*paved.Fact `json:"facts"`
}

// FactPushRequest is the body of POST /api/v1/services/{name}/facts: what
// a pipeline reports of the service (a deploy, a restore test, a load
// test). Keys are lower-case dotted names of the pipeline's own kind
// (backup.last_restore_test); the collectors' kinds (github.*, kube.* ...)
// are refused.
type FactPushRequest struct {
	Facts map[string]any `json:"facts"`
	// ObservedAt is when the pipeline saw it (default now; never in the
	// future).
	ObservedAt *time.Time `json:"observed_at,omitempty"`
	// ExpiresIn is how long the facts count, such as 90d or 12h (default
	// facts.push_ttl of paved.yaml; at most 365d).
	ExpiresIn string `json:"expires_in,omitempty"`
	// Version names what produced the facts (velero/1.14).
	Version string `json:"version,omitempty"`
}

// FactPushResult is the answer to a push: the changes it made (none when
// every value was already the one stored). The facts are recorded as the
// caller's.
type FactPushResult struct {
	Service string             `json:"service"`
	Events  []*paved.FactEvent `json:"events"`
}
