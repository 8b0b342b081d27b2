package api

// Exceptions. Requests and their results are exception.RequestInput and
// exception.RequestResult; the rest are root types.

// ApproveRequest is the body of POST /api/v1/exceptions/{id}/approve.
type ApproveRequest struct {
	// Expires is a duration such as 30d or a date (YYYY-MM-DD); empty: the
	// expiry the team asked for. Never beyond the configured maximum.
	Expires    string `json:"expires,omitempty"`
	Conditions string `json:"conditions,omitempty"`
}

// ReasonRequest is the body of POST /api/v1/exceptions/{id}/reject and
// .../revoke.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// PublicKeyResponse is the answer of GET /api/v1/exceptions/key.
type PublicKeyResponse struct {
	// PublicKey is what paved check --trust takes: ed25519:BASE64.
	PublicKey string `json:"public_key"`
	KeyID     string `json:"key_id"`
}
