package paved

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
)

// Token is an API token. The secret is shown once on creation; only its
// SHA-256 hash is stored (tokens are 256 random bits, so a fast hash is
// enough: there is nothing to brute-force).
type Token struct {
	ID         int64      `json:"id"`
	User       string     `json:"user"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // the first characters, to recognise a token in lists
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// Scope limits the token (TokenScope); nil: the user's full rights.
	Scope *TokenScope `json:"scope,omitempty"`
	// ParentID is the token this one was created with (0: none: a portal
	// session signed in through single sign-on, the local CLI, bootstrap).
	// A child expires no later than its parent, is revoked with it, and
	// has no wider scope (issue 15 §2).
	ParentID int64 `json:"parent_id,omitempty"`
}

// TokenPrefix starts every paved token, so that secret scanners can find
// leaked ones.
const TokenPrefix = "pvd_"

// NewTokenSecret returns a fresh random token secret.
func NewTokenSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// HashToken returns the stored form of a token secret.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// DisplayPrefix is the part of a secret that may be shown in lists.
func DisplayPrefix(secret string) string {
	if len(secret) > 12 {
		return secret[:12]
	}
	return secret
}

// Active reports whether the token can authenticate at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// TokenStore persists tokens. CreateToken stores t (Hash set by the caller)
// and fills its ID.
//
// A token with ParentID set is the parent's child: CreateToken refuses it
// when the parent is not active or its scope is wider than the parent's,
// and brings its expiry forward to the parent's; RevokeToken revokes the
// token's children with it, and theirs.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	// Authenticate finds the active token with this hash and its user,
	// records its use, and fails with EUNAUTHORIZED otherwise.
	Authenticate(ctx context.Context, hash string) (*User, *Token, error)
	FindTokens(ctx context.Context, user string) ([]*Token, error)
	RevokeToken(ctx context.Context, id int64) error
	FindToken(ctx context.Context, id int64) (*Token, error)
}

type actorKey struct{}

// Actor is who performs a change: a signed-in user, or the system itself
// (bootstrap, demo seeding, a local CLI run) named by Name.
type Actor struct {
	User *User
	Name string
}

// WithActor returns a context that carries the actor for audit events.
func WithActor(ctx context.Context, a Actor) context.Context {
	if a.Name == "" && a.User != nil {
		// A CI token acts as its CI identity, so that the audit log
		// names the repository and commit, not the service account.
		a.Name = RecorderOf(a)
		if a.Name == "" {
			a.Name = a.User.Name
		}
	}
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor; "system" when there is none.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Name: "system"}
}

// UserFrom returns the signed-in user of the context, or nil.
func UserFrom(ctx context.Context) *User { return ActorFrom(ctx).User }

// Session is a portal sign-in. The cookie holds a random secret; the store
// keeps its hash. A session signed in with a token is bound to it, so
// revoking the token ends the session too; one signed in through the
// organisation's identity provider (Method "oidc") has no token and ends
// when it expires, at sign-out, or when its user is retired.
type Session struct {
	ID      int64
	Hash    string
	User    string
	TokenID int64 // 0 for a single sign-on session
	// Method is how the user signed in: SigninToken or SigninOIDC.
	Method    string
	CSRF      string // per-session secret that every portal form echoes
	CreatedAt time.Time
	// ExpiresAt is the absolute end; IdleTimeout (0: none) ends the session
	// earlier when no request came for that long since LastSeenAt.
	ExpiresAt   time.Time
	IdleTimeout time.Duration
	LastSeenAt  time.Time
}

// Sign-in methods of a Session.
const (
	SigninToken = "token"
	SigninOIDC  = "oidc"
)

// IdleExpired reports whether the session has been idle past its idle
// timeout at now.
func (s *Session) IdleExpired(now time.Time) bool {
	if s.IdleTimeout <= 0 {
		return false
	}
	last := s.LastSeenAt
	if last.IsZero() {
		last = s.CreatedAt
	}
	return !now.Before(last.Add(s.IdleTimeout))
}

// SessionStore persists portal sessions.
type SessionStore interface {
	// CreateSession stores a session signed in with a token (TokenID: the
	// user's own active token, not a CI token) or through single sign-on
	// (Method SigninOIDC, no token).
	CreateSession(ctx context.Context, s *Session) error
	// AuthenticateSession finds the session with this hash, unexpired and
	// not idle past its timeout, whose token (if any) is still active, and
	// its user, carrying the token's scope; EUNAUTHORIZED otherwise.
	AuthenticateSession(ctx context.Context, hash string) (*User, *Session, error)
	DeleteSession(ctx context.Context, hash string) error
}

// MaxTokenDays bounds token lifetimes to ten years; a longer one is a typo.
const MaxTokenDays = 3650

// NewToken checks a token request and returns the token to store (hash and
// display prefix set) with its secret, which exists nowhere else. days is
// the lifetime, 0 for a token that does not expire; daysField names the
// input it came from, for the error. The CLI and the API both issue tokens
// through this one rule.
func NewToken(user, name string, days int, now time.Time, daysField string) (*Token, string, error) {
	if err := ValidateName("user", user); err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return nil, "", FieldErrorf(EINVALID, "name", "token name is required: say what the token is for (e.g. \"ci\")")
	case len(name) > 100:
		return nil, "", FieldErrorf(EINVALID, "name", "token name is %d bytes long: at most 100 are allowed", len(name))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return nil, "", FieldErrorf(EINVALID, "name", "token name must not contain control characters")
	case days < 0 || days > MaxTokenDays:
		return nil, "", FieldErrorf(EINVALID, daysField, "%s %d is out of range: want 1 to %d days, or none for a token that does not expire", daysField, days, MaxTokenDays)
	}
	secret := NewTokenSecret()
	t := &Token{User: user, Name: name, Prefix: DisplayPrefix(secret), Hash: HashToken(secret), CreatedAt: now.UTC()}
	if days > 0 {
		exp := t.CreatedAt.Add(time.Duration(days) * 24 * time.Hour)
		t.ExpiresAt = &exp
	}
	return t, secret, nil
}
