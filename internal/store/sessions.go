package store

import (
	"context"
	"fmt"
	"strings"

	paved "github.com/paved-dev/paved"
)

// Sessions are sign-ins, not catalog changes: they write no audit events.

// CreateSession stores s (Hash and CSRF set by the caller) and fills its ID
// and CreatedAt. The token must be the user's own and active. Expired
// sessions of every user are swept on the way, so the table does not grow
// with sign-ins forever.
func (db *DB) CreateSession(ctx context.Context, s *paved.Session) error {
	if s == nil {
		return paved.Errorf(paved.EINVALID, "no session given")
	}
	switch {
	case strings.TrimSpace(s.Hash) == "":
		return paved.FieldErrorf(paved.EINVALID, "hash", "session hash is required")
	case s.User == "":
		return paved.FieldErrorf(paved.EINVALID, "user", "the session's user is required")
	case s.TokenID <= 0:
		return paved.FieldErrorf(paved.EINVALID, "token_id", "the session's token is required")
	case s.ExpiresAt.IsZero():
		return paved.FieldErrorf(paved.EINVALID, "expires_at", "the session's expiry is required")
	}
	v := *s
	err := db.write(ctx, func(w *wtx) error {
		userID, err := userRef(ctx, w.runner, "user", v.User)
		if err != nil {
			return err
		}
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
		if _, err := w.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", formatTime(w.now)); err != nil {
			return fmt.Errorf("sweep expired sessions: %w", err)
		}
		v.CreatedAt = w.now
		v.ExpiresAt = v.ExpiresAt.UTC()
		err = w.queryRow(ctx, `INSERT INTO sessions (hash, user_id, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			v.Hash, userID, v.TokenID, v.CSRF, formatTime(v.CreatedAt), formatTime(v.ExpiresAt)).Scan(&v.ID)
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

// AuthenticateSession finds the unexpired session with this hash whose token
// is still active, and its active user with teams and roles.
func (db *DB) AuthenticateSession(ctx context.Context, hash string) (*paved.User, *paved.Session, error) {
	if hash == "" {
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "no session")
	}
	var s paved.Session
	var u paved.User
	t, err := scanToken(db.reader().queryRow(ctx, "SELECT "+tokenCols+
		", u.id, u.display_name, u.email, u.created_at, u.updated_at, u.retired_at, x.id, x.hash, x.csrf, x.created_at, x.expires_at"+
		" FROM sessions x JOIN tokens k ON k.id = x.token_id JOIN users u ON u.id = x.user_id WHERE x.hash = ?", hash),
		&u.ID, &u.DisplayName, &u.Email, scanTime(&u.CreatedAt), scanTime(&u.UpdatedAt), scanTimePtr(&u.RetiredAt),
		&s.ID, &s.Hash, &s.CSRF, scanTime(&s.CreatedAt), scanTime(&s.ExpiresAt))
	if errNoRows(err) {
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "unknown session: sign in again")
	} else if err != nil {
		return nil, nil, fmt.Errorf("store: authenticate session: %w", err)
	}
	u.Name, s.User, s.TokenID = t.User, t.User, t.ID
	now := db.now().UTC()
	if !now.Before(s.ExpiresAt) {
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "the session has expired: sign in again")
	}
	if err := checkCredentials(t, &u, now); err != nil {
		return nil, nil, err
	}
	if err := db.fillActiveUser(ctx, &u); err != nil {
		return nil, nil, err
	}
	// A portal visit is a use of the token it signed in with.
	if err := db.touchToken(ctx, t, now); err != nil {
		return nil, nil, err
	}
	return &u, &s, nil
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
