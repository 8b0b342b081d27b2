package paved

import "context"

// Store is everything paved persists. internal/store implements it for
// SQLite and PostgreSQL; the same conformance suite tests both.
type Store interface {
	CatalogStore
	TokenStore
	SessionStore
	AuditStore
	LaunchStore
	ExceptionStore
	ReclassificationStore
	OwnershipStore
	NotificationStore
	CostStore
	CampaignStore
	FactStore
	IdentityStore
	ScorecardStore
	// Ping reports whether the database answers (used by /readyz).
	Ping(ctx context.Context) error
	Close() error
}
