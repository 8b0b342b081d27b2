package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	paved "github.com/paved-dev/paved"
)

const tokenCols = `k.id, u.name, k.name, k.prefix, k.hash, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.scope, k.parent_id`

const tokenFrom = ` FROM tokens k JOIN users u ON u.id = k.user_id`

// lastUsedEvery is how stale last_used_at may get: Authenticate writes it at
// most this often per token, so the hot path reads without writing.
const lastUsedEvery = time.Minute

func scanToken(r rowScanner, extra ...any) (*paved.Token, error) {
	var t paved.Token
	var scope string
	var parent sql.NullInt64
	dest := []any{&t.ID, &t.User, &t.Name, &t.Prefix, &t.Hash, scanTime(&t.CreatedAt),
		scanTimePtr(&t.ExpiresAt), scanTimePtr(&t.RevokedAt), scanTimePtr(&t.LastUsedAt), &scope, &parent}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	var err error
	if t.Scope, err = parseScope(scope); err != nil {
		return nil, fmt.Errorf("token %d: %w", t.ID, err)
	}
	t.ParentID = parent.Int64
	return &t, nil
}

// CreateToken stores t (its Hash set by the caller) and fills its ID and
// CreatedAt. The audit event names the token by id and prefix; the hash is
// never in the log. A token with ParentID is checked against its parent in
// the same transaction (insertToken). A CI scope is only ever given by the
// CI token exchange (CreateCIToken).
func (db *DB) CreateToken(ctx context.Context, t *paved.Token) error {
	if t == nil {
		return paved.Errorf(paved.EINVALID, "no token given")
	}
	switch {
	case strings.TrimSpace(t.Hash) == "":
		return paved.FieldErrorf(paved.EINVALID, "hash", "token hash is required")
	case t.User == "":
		return paved.FieldErrorf(paved.EINVALID, "user", "the token's user is required")
	case len(t.Name) > 200:
		return paved.FieldErrorf(paved.EINVALID, "name", "token name is %d characters long: at most 200 are allowed", len(t.Name))
	case t.Scope != nil && t.Scope.CI != "":
		return paved.FieldErrorf(paved.EINVALID, "scope", "a CI identity is given only by the CI token exchange")
	case t.ParentID < 0:
		return paved.FieldErrorf(paved.EINVALID, "parent_id", "parent token %d does not exist", t.ParentID)
	}
	v := *t
	v.RevokedAt, v.LastUsedAt = nil, nil
	err := db.write(ctx, func(w *wtx) error { return insertToken(ctx, w, &v) })
	if err != nil {
		return fmt.Errorf("store: create token for %q: %w", t.User, err)
	}
	*t = v
	return nil
}

// insertToken writes a checked new token and its audit event inside w.
func insertToken(ctx context.Context, w *wtx, v *paved.Token) error {
	userID, err := userRef(ctx, w.runner, "user", v.User)
	if err != nil {
		return err
	}
	return insertTokenFor(ctx, w, userID, v)
}

// insertTokenFor writes a token of the user with this id, with its scope
// and parent, and its audit event. A child token (ParentID set) is bound
// to its parent here (issue 15 §2): the parent must be active, its scope
// no narrower than the child's, and the child's expiry is brought forward
// to the parent's. The parent's row is locked on PostgreSQL so that a
// revocation running at the same moment either sees this child or makes
// this insert fail the parent's check.
func insertTokenFor(ctx context.Context, w *wtx, userID int64, v *paved.Token) error {
	if v.ParentID > 0 {
		p, err := scanToken(w.queryRow(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE k.id = ?"+w.forUpdate("k"), v.ParentID))
		if errNoRows(err) {
			return paved.FieldErrorf(paved.EUNPROCESSABLE, "parent_id", "parent token %d does not exist", v.ParentID)
		} else if err != nil {
			return fmt.Errorf("read parent token %d: %w", v.ParentID, err)
		}
		if !p.Active(w.now) {
			return paved.Errorf(paved.EUNAUTHORIZED, "the token this request signed in with is revoked or expired")
		}
		if !p.Scope.Narrows(v.Scope) {
			return paved.FieldErrorf(paved.EFORBIDDEN, "scope", "a token made with a token scoped %q may have no wider scope than its parent (asked: %q)", p.Scope.String(), scopeLabel(v.Scope))
		}
		if p.ExpiresAt != nil && (v.ExpiresAt == nil || v.ExpiresAt.After(*p.ExpiresAt)) {
			exp := *p.ExpiresAt
			v.ExpiresAt = &exp
		}
	}
	scope, err := scopeJSON(v.Scope)
	if err != nil {
		return err
	}
	var parent any
	if v.ParentID > 0 {
		parent = v.ParentID
	}
	v.CreatedAt = w.now
	err = w.queryRow(ctx, `INSERT INTO tokens (user_id, name, prefix, hash, created_at, expires_at, scope, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		userID, v.Name, v.Prefix, v.Hash, formatTime(v.CreatedAt), formatTimePtr(v.ExpiresAt), scope, parent).Scan(&v.ID)
	if isUniqueViolation(err) {
		return paved.FieldErrorf(paved.ECONFLICT, "hash", "a token with this hash already exists")
	} else if err != nil {
		return err
	}
	w.audit("token.create", "token", strconv.FormatInt(v.ID, 10), createDiff(v))
	return nil
}

// scopeLabel names a scope in messages ("full" for none).
func scopeLabel(s *paved.TokenScope) string {
	if s == nil {
		return "full"
	}
	return s.String()
}

// userRef resolves an active user that another object refers to.
func userRef(ctx context.Context, r runner, field, name string) (int64, error) {
	var id int64
	var retired sql.NullString
	err := r.queryRow(ctx, "SELECT id, retired_at FROM users WHERE name = ?", name).Scan(&id, &retired)
	if errNoRows(err) {
		return 0, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "user %q does not exist", name)
	} else if err != nil {
		return 0, fmt.Errorf("look up user %q: %w", name, err)
	}
	if retired.Valid {
		return 0, paved.FieldErrorf(paved.EUNPROCESSABLE, field, "user %q is retired", name)
	}
	return id, nil
}

// Authenticate finds the active token with this hash and its active user
// (with teams and roles), and records the use at most once a minute.
func (db *DB) Authenticate(ctx context.Context, hash string) (*paved.User, *paved.Token, error) {
	if hash == "" {
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "no token given")
	}
	r := db.reader()
	var u paved.User
	t, err := scanToken(r.queryRow(ctx, "SELECT "+tokenCols+", u.id, u.display_name, u.email, u.created_at, u.updated_at, u.retired_at"+tokenFrom+" WHERE k.hash = ?", hash),
		&u.ID, &u.DisplayName, &u.Email, scanTime(&u.CreatedAt), scanTime(&u.UpdatedAt), scanTimePtr(&u.RetiredAt))
	if errNoRows(err) {
		return nil, nil, paved.Errorf(paved.EUNAUTHORIZED, "unknown token")
	} else if err != nil {
		return nil, nil, fmt.Errorf("store: authenticate: %w", err)
	}
	u.Name = t.User
	now := db.now().UTC()
	if err := checkCredentials(t, &u, now); err != nil {
		return nil, nil, err
	}
	if err := db.fillActiveUser(ctx, &u); err != nil {
		return nil, nil, err
	}
	if err := db.touchToken(ctx, t, now); err != nil {
		return nil, nil, err
	}
	// The credential's limits travel with the user into paved.Authorize.
	u.Scope, u.TokenID = t.Scope, t.ID
	return &u, t, nil
}

// checkCredentials is the rule shared by token and session sign-in.
func checkCredentials(t *paved.Token, u *paved.User, now time.Time) error {
	switch {
	case t.RevokedAt != nil:
		return paved.Errorf(paved.EUNAUTHORIZED, "token %s... was revoked", t.Prefix)
	case !t.Active(now):
		return paved.Errorf(paved.EUNAUTHORIZED, "token %s... has expired", t.Prefix)
	case u.RetiredAt != nil:
		return paved.Errorf(paved.EUNAUTHORIZED, "user %q is retired", u.Name)
	}
	return nil
}

func (db *DB) fillActiveUser(ctx context.Context, u *paved.User) error {
	u.Roles, u.Teams = []paved.Role{}, []string{}
	if err := fillUsers(ctx, db.reader(), []*paved.User{u}, false); err != nil {
		return fmt.Errorf("store: authenticate %q: %w", u.Name, err)
	}
	return nil
}

// touchToken records a use of t when the recorded one is a minute old or
// more (on SQLite, only when no other write is in progress). The condition is repeated in SQL so that replicas racing on the
// same token write once.
func (db *DB) touchToken(ctx context.Context, t *paved.Token, now time.Time) error {
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < lastUsedEvery {
		return nil
	}
	if db.engine == EngineSQLite {
		// Best effort: while another writer (an import, say) holds the
		// lock, skip recording rather than make the request wait; a later
		// request records the use.
		if !db.wmu.TryLock() {
			return nil
		}
		defer db.wmu.Unlock()
	}
	cutoff := formatTime(now.Add(-lastUsedEvery))
	if _, err := db.reader().exec(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)",
		formatTime(now), t.ID, cutoff); err != nil {
		return fmt.Errorf("store: record token use: %w", err)
	}
	t.LastUsedAt = &now
	return nil
}

// FindTokens returns the user's tokens, revoked ones included, oldest first.
func (db *DB) FindTokens(ctx context.Context, user string) ([]*paved.Token, error) {
	r := db.reader()
	var id int64
	if err := r.queryRow(ctx, "SELECT id FROM users WHERE name = ?", user).Scan(&id); errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "user %q does not exist", user)
	} else if err != nil {
		return nil, fmt.Errorf("store: find tokens of %q: %w", user, err)
	}
	rows, err := r.query(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE k.user_id = ? ORDER BY k.id", id)
	if err != nil {
		return nil, fmt.Errorf("store: find tokens of %q: %w", user, err)
	}
	defer rows.Close()
	out := []*paved.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: find tokens of %q: %w", user, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find tokens of %q: %w", user, err)
	}
	return out, nil
}

// FindToken returns the token with this id.
func (db *DB) FindToken(ctx context.Context, id int64) (*paved.Token, error) {
	t, err := findToken(ctx, db.reader(), id)
	if err != nil {
		return nil, fmt.Errorf("store: find token: %w", err)
	}
	return t, nil
}

func findToken(ctx context.Context, r runner, id int64) (*paved.Token, error) {
	t, err := scanToken(r.queryRow(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE k.id = ?", id))
	if errNoRows(err) {
		return nil, paved.Errorf(paved.ENOTFOUND, "token %d does not exist", id)
	} else if err != nil {
		return nil, err
	}
	return t, nil
}

// RevokeToken revokes the token and ends the sessions signed in with it.
// Revoking a revoked token does nothing.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	err := db.write(ctx, func(w *wtx) error {
		if _, err := findToken(ctx, w.runner, id); err != nil {
			return err
		}
		return revokeTokens(ctx, w, "id = ?", id)
	})
	if err != nil {
		return fmt.Errorf("store: revoke token %d: %w", id, err)
	}
	return nil
}

// revokeTokens revokes the unrevoked tokens matching cond and, with them,
// every unrevoked token made from one of them, down the generations
// (issue 15 §2: a child does not outlive its parent); it ends their
// sessions and audits each revocation. Each token is revoked once, so the
// walk ends even on a malformed chain.
func revokeTokens(ctx context.Context, w *wtx, cond string, args ...any) error {
	toks, err := unrevokedTokens(ctx, w, "k."+cond, args...)
	if err != nil {
		return err
	}
	for len(toks) > 0 {
		old := toks[0]
		toks = toks[1:]
		v := *old
		now := w.now
		v.RevokedAt = &now
		res, err := w.exec(ctx, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", formatTime(now), v.ID)
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", v.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("revoke token %d: %w", v.ID, err)
		} else if n == 0 {
			continue // listed twice (its parent's walk reached it first)
		}
		if _, err := w.exec(ctx, "DELETE FROM sessions WHERE token_id = ?", v.ID); err != nil {
			return fmt.Errorf("end sessions of token %d: %w", v.ID, err)
		}
		w.audit("token.revoke", "token", strconv.FormatInt(v.ID, 10), paved.Diff(old, &v))
		children, err := unrevokedTokens(ctx, w, "k.parent_id = ?", v.ID)
		if err != nil {
			return err
		}
		toks = append(toks, children...)
	}
	return nil
}

// unrevokedTokens lists the unrevoked tokens matching cond, oldest first.
func unrevokedTokens(ctx context.Context, w *wtx, cond string, args ...any) ([]*paved.Token, error) {
	rows, err := w.query(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE k.revoked_at IS NULL AND "+cond+" ORDER BY k.id", args...)
	if err != nil {
		return nil, fmt.Errorf("find tokens to revoke: %w", err)
	}
	defer rows.Close()
	var toks []*paved.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("find tokens to revoke: %w", err)
		}
		toks = append(toks, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find tokens to revoke: %w", err)
	}
	return toks, nil
}

// Bootstrap creates the first user and its token in one transaction, and
// only if the database has no user at all: a crash between the two can no
// longer leave an admin without a token (which a restart would not repair,
// since the database then has a user). It reports whether it created them;
// false, with no error, when a user exists (another replica may have
// bootstrapped the same database at the same moment).
func (db *DB) Bootstrap(ctx context.Context, u *paved.User, t *paved.Token) (bool, error) {
	if err := u.Validate(); err != nil {
		return false, err
	}
	if t == nil || strings.TrimSpace(t.Hash) == "" || t.User != u.Name {
		return false, paved.Errorf(paved.EINVALID, "bootstrap needs a token with a hash for user %q", u.Name)
	}
	uv, tv := *u, *t
	uv.RetiredAt, tv.RevokedAt, tv.LastUsedAt = nil, nil, nil
	created := false
	err := db.write(ctx, func(w *wtx) error {
		var n int64
		if err := w.queryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if err := insertUser(ctx, w, &uv); err != nil {
			return err
		}
		if err := insertToken(ctx, w, &tv); err != nil {
			return err
		}
		created = true
		return nil
	})
	if paved.ErrorCode(err) == paved.ECONFLICT {
		return false, nil // a concurrent bootstrap won; its admin stands
	}
	if err != nil {
		return false, fmt.Errorf("store: bootstrap: %w", err)
	}
	if created {
		*u, *t = uv, tv
	}
	return created, nil
}
