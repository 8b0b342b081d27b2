package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

// Sessions are sign-ins, not catalog changes: they write no audit events.

// sessionTouchEvery is how stale last_seen_at may get: the idle timeout is
// measured from it, so a minute's slack shortens no session noticeably.
const sessionTouchEvery = time.Minute

// CreateSession stores a session: signed in with a token (TokenID
// set: the user's own active token), or through single sign-on (TokenID
// 0, Method oidc). Expired sessions are swept on the way.
func (db *DB) CreateSession(ctx context.Context, s *paved.Session) error {
	switch {
	case s == nil:
		return paved.Errorf(paved.EINVALID, "no session given")
	case strings.TrimSpace(s.Hash) == "":
		return paved.FieldErrorf(paved.EINVALID, "hash", "session hash is required")
	case s.User == "":
		return paved.FieldErrorf(paved.EINVALID, "user", "the session's user is required")
	case s.ExpiresAt.IsZero():
		return paved.FieldErrorf(paved.EINVALID, "expires_at", "the session's expiry is required")
	case s.IdleTimeout < 0:
		return paved.FieldErrorf(paved.EINVALID, "idle_timeout", "the idle timeout is negative")
	}
	v := *s
	switch {
	case v.TokenID > 0 && (v.Method == "" || v.Method == paved.SigninToken):
		v.Method = paved.SigninToken
	case v.TokenID == 0 && v.Method == paved.SigninOIDC:
	default:
		return paved.FieldErrorf(paved.EINVALID, "method", "a session signs in with a token (token_id set) or through single sign-on (method oidc, no token)")
	}
	err := db.write(ctx, func(w *wtx) error {
		userID, err := userRef(ctx, w.runner, "user", v.User)
		if err != nil {
			return err
		}
		var token any
		if v.TokenID > 0 {
			t, err := findToken(ctx, w.runner, v.TokenID)
			if paved.ErrorCode(err) == paved.ENOTFOUND {
				return paved.FieldErrorf(paved.EUNPROCESSABLE, "token_id", "token %d does not exist", v.TokenID)
			} else if err != nil {
				return err
			}
			if t.User != v.User {
				return paved.FieldErrorf(paved.EUNPROCESSABLE, "token_id", "token %d belongs to another user", v.TokenID)
			}
			if !t.Active(w.now) {
				return paved.FieldErrorf(paved.EUNPROCESSABLE, "token_id", "token %d is revoked or expired", v.TokenID)
			}
			if t.Scope != nil && t.Scope.CI != "" {
				// A CI token acts as a pipeline, not a person: the portal
				// is for people.
				return paved.FieldErrorf(paved.EFORBIDDEN, "token_id", "a CI token does not sign in to the portal")
			}
			token = v.TokenID
		}
		if _, err := w.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", formatTime(w.now)); err != nil {
			return fmt.Errorf("sweep expired sessions: %w", err)
		}
		v.CreatedAt, v.LastSeenAt = w.now, w.now
		v.ExpiresAt = v.ExpiresAt.UTC()
		err = w.queryRow(ctx, `INSERT INTO sessions (hash, user_id, token_id, method, csrf, created_at, expires_at, idle_seconds, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			v.Hash, userID, token, v.Method, v.CSRF, formatTime(v.CreatedAt), formatTime(v.ExpiresAt),
			int64(v.IdleTimeout/time.Second), formatTime(v.LastSeenAt)).Scan(&v.ID)
		if isUniqueViolation(err) {
			return paved.FieldErrorf(paved.ECONFLICT, "hash", "a session with this hash already exists")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: create session for %q: %w", s.User, err)
	}
	*s = v
	return nil
}

// AuthenticateSession finds the session with this hash: unexpired,
// not idle past its timeout, its token (if it has one) active, its user
// active. It records the request as the session's last at most once a
// minute.
func (db *DB) AuthenticateSession(ctx context.Context, hash string) (*paved.User, *paved.Session, error) {
	if hash == "" {
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "no session")
	}
	var s paved.Session
	var u paved.User
	var tokenID sql.NullInt64
	var idle int64
	var lastSeen string
	err := db.reader().queryRow(ctx, "SELECT u.id, u.name, u.display_name, u.email, u.created_at, u.updated_at, u.retired_at,"+
		" x.id, x.hash, x.token_id, x.method, x.csrf, x.created_at, x.expires_at, x.idle_seconds, x.last_seen_at"+
		" FROM sessions x JOIN users u ON u.id = x.user_id WHERE x.hash = ?", hash).
		Scan(&u.ID, &u.Name, &u.DisplayName, &u.Email, scanTime(&u.CreatedAt), scanTime(&u.UpdatedAt), scanTimePtr(&u.RetiredAt),
			&s.ID, &s.Hash, &tokenID, &s.Method, &s.CSRF, scanTime(&s.CreatedAt), scanTime(&s.ExpiresAt), &idle, &lastSeen)
	if errNoRows(err) {
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "unknown session: sign in again")
	} else if err != nil {
		return nil, nil, fmt.Errorf("store: authenticate session: %w", err)
	}
	s.User, s.TokenID, s.IdleTimeout = u.Name, tokenID.Int64, time.Duration(idle)*time.Second
	if lastSeen != "" {
		if s.LastSeenAt, err = parseTime(lastSeen); err != nil {
			return nil, nil, fmt.Errorf("store: authenticate session: %w", err)
		}
	}
	now := db.now().UTC()
	switch {
	case !now.Before(s.ExpiresAt):
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "the session has expired: sign in again")
	case s.IdleExpired(now):
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "the session was idle too long: sign in again")
	case u.RetiredAt != nil:
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "user %q is retired", u.Name)
	}
	var tok *paved.Token
	if tokenID.Valid {
		if tok, err = findToken(ctx, db.reader(), tokenID.Int64); err != nil {
			return nil, nil, fmt.Errorf("store: authenticate session: %w", err)
		}
		if err := checkCredentials(tok, &u, now); err != nil {
			return nil, nil, err
		}
	}
	if err := db.fillActiveUser(ctx, &u); err != nil {
		return nil, nil, err
	}
	if tok != nil {
		// A portal visit is a use of the token it signed in with, and the
		// session can do no more than that token.
		if err := db.touchToken(ctx, tok, now); err != nil {
			return nil, nil, err
		}
		u.Scope, u.TokenID = tok.Scope, tok.ID
	}
	if err := db.touchSession(ctx, &s, now); err != nil {
		return nil, nil, err
	}
	return &u, &s, nil
}

// touchSession records a request on the session when the recorded one is
// a minute old or more; like touchToken, best effort on SQLite while
// another write holds the lock.
func (db *DB) touchSession(ctx context.Context, s *paved.Session, now time.Time) error {
	if !s.LastSeenAt.IsZero() && now.Sub(s.LastSeenAt) < sessionTouchEvery {
		return nil
	}
	if db.engine == EngineSQLite {
		if !db.wmu.TryLock() {
			return nil
		}
		defer db.wmu.Unlock()
	}
	if _, err := db.reader().exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ? AND (last_seen_at = '' OR last_seen_at <= ?)",
		formatTime(now), s.ID, formatTime(now.Add(-sessionTouchEvery))); err != nil {
		return fmt.Errorf("store: record session use: %w", err)
	}
	s.LastSeenAt = now
	return nil
}

// DeleteSession ends the session with this hash. Ending a session that is
// already gone is not an error: signing out must always succeed.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	if db.engine == EngineSQLite {
		db.wmu.Lock()
		defer db.wmu.Unlock()
	}
	if _, err := db.reader().exec(ctx, "DELETE FROM sessions WHERE hash = ?", hash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}
