// Package api declares the bodies of paved's REST API (/api/v1) that are
// not domain types: requests, small answers, the list envelope and the
// problem+json error. The server (internal/web) decodes and encodes them,
// the client (internal/client) encodes and decodes the very same types, and
// the OpenAPI document is derived from them by reflection, so the three
// cannot drift. Answers that are domain results (a service, a launch
// status, an impact report) are sent as the domain types themselves.
//
// The package imports only the root package: a program that talks to a
// server needs neither the store nor the policy engine.
package api

import (
	"time"

	paved "github.com/paved-dev/paved"
)

// List is the envelope of every paged list.
type List[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// NewList is the page p of items out of total. A nil items becomes an
// empty list: clients iterate "items" and should never meet null.
func NewList[T any](items []T, total int, p paved.Page) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total, Offset: p.Offset, Limit: p.Limit}
}

// Problem is an RFC 9457 problem details object with paved's extension
// members: code, the stable error code clients switch on, and field, the
// offending input when known.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
}

// AuditVerification is the answer of GET /api/v1/audit/verify.
type AuditVerification struct {
	OK       bool                 `json:"ok"`
	Events   int                  `json:"events"`
	Problems []paved.ChainProblem `json:"problems"`
	// Head is the last event of the log as read; Known the highest head
	// the server wrote or verified, which the log must still reach (zero
	// when it knows none: a local verification, a fresh start).
	Head  paved.AuditHead `json:"head"`
	Known paved.AuditHead `json:"known"`
}

// TokenRequest is the body of POST /api/v1/tokens.
type TokenRequest struct {
	User          string `json:"user,omitempty"` // default: the caller
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days,omitempty"` // omitted: never expires
	// Scope limits the token: "read", or "checks:SERVICE[,SERVICE...]"
	// (paved.ParseTokenScope); omitted: the user's full rights. A token
	// made with a scoped token is at most as wide as it.
	Scope string `json:"scope,omitempty"`
}

// CITokenRequest is the JSON body of POST /api/v1/auth/ci-token (the CI
// token exchange; internal/identity parses it, and the RFC 8693 form).
type CITokenRequest struct {
	// Token is the CI job's OpenID Connect ID token.
	Token string `json:"token"`
	// Services narrows the token to these services (all built from the
	// job's repository); omitted: all of them.
	Services []string `json:"services,omitempty"`
}

// CITokenAnswer is what a client reads of the CI token exchange's answer
// (internal/identity.ExchangeResponse, which also carries RFC 8693's
// field names).
type CITokenAnswer struct {
	Token      string    `json:"token"`
	ExpiresAt  time.Time `json:"expires_at"`
	Services   []string  `json:"services"`
	RecordedAs string    `json:"recorded_as"`
}

// TokenCreated is the answer to a token creation: the only time the
// secret is shown.
type TokenCreated struct {
	Token  *paved.Token `json:"token"`
	Secret string       `json:"secret"`
}

// ImportRequest is the body of POST /api/v1/catalog/import: the catalog
// files, as the CLI read them.
type ImportRequest struct {
	Files []ImportFile `json:"files"`
}

// ImportFile is one catalog file of an import.
type ImportFile struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// ImportResult is the outcome of an import, planned (DryRun) or applied.
type ImportResult struct {
	DryRun  bool                  `json:"dry_run"`
	Counts  map[paved.Outcome]int `json:"counts"`
	Entries []paved.ImportEntry   `json:"entries"`
}

// ConfigStatusResponse is the answer of GET /api/v1/config. Dir and the
// refused config's error are for admins only.
type ConfigStatusResponse struct {
	paved.ConfigStatus
	// Rules counts the guard rails in force; Campaigns those with an
	// enforce_from date.
	Rules     int `json:"rules"`
	Campaigns int `json:"campaigns"`
}

// OwnershipEditRequest is the body of PUT /api/v1/ownership/concerns/{concern}.
type OwnershipEditRequest struct {
	Owner       string   `json:"owner"` // "" leaves the concern without an owner (the gap report lists it)
	Accountable string   `json:"accountable,omitempty"`
	Consulted   []string `json:"consulted,omitempty"`
	Informed    []string `json:"informed,omitempty"`
	Reason      string   `json:"reason,omitempty"` // recorded with the edit and in the audit log
}
