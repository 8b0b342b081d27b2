package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	paved "github.com/paved-dev/paved"
)

// Identity: single sign-on flows and bindings, CI tokens, scoped tokens
// and sessions without a token (migration 0010).

// flowSweepAfter keeps expired sign-in flows this long before sweeping
// them, so that a late callback is told "expired" rather than "unknown"
// only by its own check; the sweep bounds the table either way.
const flowSweepAfter = time.Hour

// CreateSignInFlow stores f (Hash set by the caller) and sweeps flows that
// expired long ago. Flows are sign-in plumbing, not changes: no audit event.
func (db *DB) CreateSignInFlow(ctx context.Context, f *paved.SignInFlow) error {
	switch {
	case f == nil:
		return paved.Errorf(paved.EINVALID, "no sign-in flow given")
	case strings.TrimSpace(f.Hash) == "" || f.State == "" || f.Nonce == "" || f.Verifier == "":
		return paved.Errorf(paved.EINVALID, "a sign-in flow needs its hash, state, nonce and verifier")
	case f.ExpiresAt.IsZero():
		return paved.Errorf(paved.EINVALID, "a sign-in flow needs an expiry")
	case len(f.Next) > 2048 || len(f.State)+len(f.Nonce)+len(f.Verifier) > 1024:
		return paved.Errorf(paved.EINVALID, "sign-in flow fields are too long")
	}
	if db.engine == EngineSQLite {
		db.wmu.Lock()
		defer db.wmu.Unlock()
	}
	now := db.now().UTC()
	r := db.reader()
	if _, err := r.exec(ctx, "DELETE FROM signin_flows WHERE expires_at <= ?", formatTime(now.Add(-flowSweepAfter))); err != nil {
		return fmt.Errorf("store: sweep sign-in flows: %w", err)
	}
	next := f.Next
	if next == "" {
		next = "/"
	}
	_, err := r.exec(ctx, "INSERT INTO signin_flows (hash, state, nonce, verifier, next, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		f.Hash, f.State, f.Nonce, f.Verifier, next, formatTime(now), formatTime(f.ExpiresAt))
	if isUniqueViolation(err) {
		return paved.Errorf(paved.ECONFLICT, "a sign-in flow with this hash already exists")
	} else if err != nil {
		return fmt.Errorf("store: create sign-in flow: %w", err)
	}
	f.CreatedAt = now
	return nil
}

// TakeSignInFlow returns the unexpired flow with this hash and deletes it:
// of two callbacks with the same cookie (a replay, or a double click), one
// gets the flow, the other EUNAUTHORIZED. The DELETE decides, so this
// holds across replicas.
func (db *DB) TakeSignInFlow(ctx context.Context, hash string) (*paved.SignInFlow, error) {
	if hash == "" {
		return nil, paved.Errorf(paved.EUNAUTHORIZED, "no sign-in in progress")
	}
	if db.engine == EngineSQLite {
		db.wmu.Lock()
		defer db.wmu.Unlock()
	}
	var f paved.SignInFlow
	err := db.reader().queryRow(ctx, "DELETE FROM signin_flows WHERE hash = ? RETURNING hash, state, nonce, verifier, next, created_at, expires_at", hash).
		Scan(&f.Hash, &f.State, &f.Nonce, &f.Verifier, &f.Next, scanTime(&f.CreatedAt), scanTime(&f.ExpiresAt))
	if errNoRows(err) {
		return nil, paved.Errorf(paved.EUNAUTHORIZED, "no sign-in in progress (it was used already)")
	} else if err != nil {
		return nil, fmt.Errorf("store: take sign-in flow: %w", err)
	}
	if !db.now().UTC().Before(f.ExpiresAt) {
		return nil, paved.Errorf(paved.EUNAUTHORIZED, "the sign-in expired: start again")
	}
	return &f, nil
}

// maxExternalID bounds an issuer or subject: OpenID Connect says a subject is
// at most 255 ASCII characters; issuers are URLs.
const maxExternalID = 1000

func validExternal(in *paved.ExternalSignIn) error {
	switch {
	case in == nil:
		return paved.Errorf(paved.EINVALID, "no sign-in given")
	case in.Issuer == "" || in.Subject == "" || len(in.Issuer) > maxExternalID || len(in.Subject) > maxExternalID ||
		strings.ContainsFunc(in.Issuer+in.Subject, unicode.IsControl):
		return paved.Errorf(paved.EINVALID, "the sign-in's issuer and subject are required (at most %d bytes, no control characters)", maxExternalID)
	case len(in.DisplayName) > 1024 || len(in.Email) > 1024:
		return paved.Errorf(paved.EINVALID, "the sign-in's name or email is too long")
	case len(in.Groups) > 1000 || len(in.Teams) > 1000:
		return paved.Errorf(paved.EINVALID, "the sign-in lists too many groups or teams")
	}
	if err := paved.ValidateName("username", in.Username); err != nil {
		return err
	}
	for i, r := range in.Roles {
		if !r.Valid() {
			return paved.FieldErrorf(paved.EINVALID, "roles["+strconv.Itoa(i)+"]", "unknown role %q", r)
		}
	}
	return nil
}

// ExternalSignIn signs a person in through the identity provider, in one
// transaction: it finds the user bound to the issuer's subject, or binds
// the user of that name (refused when that user is bound to another
// subject at the same issuer, or retired), or creates the user; it keeps
// the display name and email in step with the provider; and it applies the
// group rules' grants: teams and roles granted now are added, those the
// rules granted at the previous sign-in and no longer grant are taken
// away, and memberships from elsewhere (an admin, a catalog import) are
// left alone; so are roles, unless in.RolesFromRules makes the rules
// their only source. Every change is audited with the actor
// "sso:<issuer>", so the log says the mapping made it.
func (db *DB) ExternalSignIn(ctx context.Context, in *paved.ExternalSignIn) (*paved.SignInResult, error) {
	if err := validExternal(in); err != nil {
		return nil, err
	}
	res, err := db.externalSignIn(ctx, in)
	if paved.ErrorCode(err) == paved.ECONFLICT {
		// Two first sign-ins of one person at once (two tabs, two
		// replicas): the loser's insert collided with the winner's, which
		// has committed; the second attempt finds the binding.
		res, err = db.externalSignIn(ctx, in)
	}
	return res, err
}

func (db *DB) externalSignIn(ctx context.Context, in *paved.ExternalSignIn) (*paved.SignInResult, error) {
	var res paved.SignInResult
	err := db.write(ctx, func(w *wtx) error {
		w.actor = "sso:" + in.Issuer
		id, err := findIdentity(ctx, w.runner, in.Issuer, in.Subject)
		if err != nil {
			return err
		}
		var user *paved.User
		if id != nil {
			var name string
			if err := w.queryRow(ctx, "SELECT name FROM users WHERE id = ?", id.userID).Scan(&name); err != nil {
				return fmt.Errorf("read bound user: %w", err)
			}
			if user, err = findUser(ctx, w.runner, name, true); err != nil {
				return err
			}
		} else {
			user, err = findUser(ctx, w.runner, in.Username, true)
			switch {
			case paved.ErrorCode(err) == paved.ENOTFOUND:
				user = &paved.User{Name: in.Username, DisplayName: in.DisplayName, Email: in.Email}
				if err := insertUser(ctx, w, user); err != nil {
					return err
				}
				res.Created = true
			case err != nil:
				return err
			case user.Name == paved.CIUser:
				return paved.Errorf(paved.EUNAUTHORIZED, "%s is the service account of CI tokens: no person signs in as it", paved.CIUser)
			default:
				var other string
				err := w.queryRow(ctx, "SELECT subject FROM user_identities WHERE user_id = ? AND issuer = ?", user.ID, in.Issuer).Scan(&other)
				if err == nil {
					return paved.Errorf(paved.EUNAUTHORIZED, "user %q is already bound to another account at %s: an admin must retire or rename one of them", user.Name, in.Issuer)
				} else if !errNoRows(err) {
					return fmt.Errorf("read identities of %q: %w", user.Name, err)
				}
				// An existing user is someone's: bind it only when the
				// configuration trusts the username claim, or the provider
				// vouches for the address the user already has.
				sameEmail := in.EmailVerified && in.Email != "" && strings.EqualFold(strings.TrimSpace(user.Email), in.Email)
				if !in.LinkByUsername && !sameEmail {
					return paved.Errorf(paved.EUNAUTHORIZED, "a paved user %q exists already and is not bound to your account at %s, whose verified email is not the user's: an admin sets the user's email, or server.oidc.link_by_username (docs/sso.md)", user.Name, in.Issuer)
				}
			}
			id = &identityRow{userID: user.ID, created: w.now, new: true}
		}
		if user.RetiredAt != nil {
			return paved.Errorf(paved.EUNAUTHORIZED, "user %q is retired: ask an admin", user.Name)
		}

		// Profile and grants, as one update of the user.
		old := *user
		v := *user
		if in.DisplayName != "" {
			v.DisplayName = in.DisplayName
		}
		if in.Email != "" {
			v.Email = in.Email
		}
		grantTeams, skipped, err := activeTeams(ctx, w.runner, in.Teams)
		if err != nil {
			return err
		}
		res.Skipped = skipped
		grantRoles := sortRoles(in.Roles)
		v.Teams = applyGrants(old.Teams, id.teams, grantTeams)
		if in.RolesFromRules {
			v.Roles = grantRoles
		} else {
			v.Roles = sortRoles(applyGrants(old.Roles, id.roles, grantRoles))
		}
		normUser(&v)
		diff := paved.Diff(&old, &v)
		if len(diff) > 0 {
			v.UpdatedAt = w.now
			if _, err := w.exec(ctx, "UPDATE users SET display_name = ?, email = ?, updated_at = ? WHERE id = ?",
				v.DisplayName, v.Email, formatTime(v.UpdatedAt), v.ID); err != nil {
				return err
			}
			if _, ok := diff["roles"]; ok {
				if err := writeRoles(ctx, w.runner, v.ID, v.Roles, true); err != nil {
					return err
				}
			}
			if _, ok := diff["teams"]; ok {
				teamIDs, err := resolveTeams(ctx, w.runner, v.Teams, old.Teams)
				if err != nil {
					return err
				}
				if err := writeMemberships(ctx, w.runner, v.ID, teamIDs, true); err != nil {
					return err
				}
			}
			w.audit("user.update", "user", v.Name, diff)
		}

		groups := slices.Clone(in.Groups)
		sort.Strings(groups)
		ident := &paved.ExternalIdentity{User: v.Name, Issuer: in.Issuer, Subject: in.Subject, Groups: nonNil(slices.Compact(groups)),
			GrantedTeams: nonNil(grantTeams), GrantedRoles: nonNil(grantRoles), Matched: in.Matched, CreatedAt: id.created,
			LastSigninAt: w.now, SkippedGrants: skipped}
		if id.new {
			_, err = w.exec(ctx, `INSERT INTO user_identities (user_id, issuer, subject, groups, granted_teams, granted_roles, matched, created_at, last_signin_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, in.Issuer, in.Subject, toJSON(ident.Groups), toJSON(ident.GrantedTeams),
				toJSON(ident.GrantedRoles), boolInt(in.Matched), formatTime(w.now), formatTime(w.now))
			if isUniqueViolation(err) {
				return paved.Errorf(paved.ECONFLICT, "a concurrent sign-in bound this account: sign in again")
			} else if err != nil {
				return fmt.Errorf("bind identity: %w", err)
			}
			w.audit("user.bind", "user", v.Name, map[string]paved.Change{
				"issuer":  {To: mustJSON(in.Issuer)},
				"subject": {To: mustJSON(in.Subject)},
			})
		} else {
			if _, err := w.exec(ctx, `UPDATE user_identities SET groups = ?, granted_teams = ?, granted_roles = ?, matched = ?, last_signin_at = ?
				WHERE issuer = ? AND subject = ?`, toJSON(ident.Groups), toJSON(ident.GrantedTeams), toJSON(ident.GrantedRoles),
				boolInt(in.Matched), formatTime(w.now), in.Issuer, in.Subject); err != nil {
				return fmt.Errorf("update identity: %w", err)
			}
		}
		res.User, res.Identity = &v, ident
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: sign in %q from %s: %w", in.Username, in.Issuer, err)
	}
	return &res, nil
}

// identityRow is a user_identities row as ExternalSignIn needs it.
type identityRow struct {
	userID  int64
	teams   []string
	roles   []paved.Role
	created time.Time
	new     bool
}

func findIdentity(ctx context.Context, r runner, issuer, subject string) (*identityRow, error) {
	var id identityRow
	err := r.queryRow(ctx, "SELECT user_id, granted_teams, granted_roles, created_at FROM user_identities WHERE issuer = ? AND subject = ?"+r.forUpdate("user_identities"),
		issuer, subject).Scan(&id.userID, scanJSON(&id.teams), scanJSON(&id.roles), scanTime(&id.created))
	if errNoRows(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read identity: %w", err)
	}
	return &id, nil
}

// activeTeams keeps the names of teams that exist and are not retired, in
// order; the others are reported as skipped grants.
func activeTeams(ctx context.Context, r runner, names []string) ([]string, []string, error) {
	var ok, skipped []string
	for _, n := range names {
		if slices.Contains(ok, n) {
			continue
		}
		var retired sql.NullString
		err := r.queryRow(ctx, "SELECT retired_at FROM teams WHERE name = ?", n).Scan(&retired)
		switch {
		case errNoRows(err):
			skipped = append(skipped, fmt.Sprintf("team %s does not exist", n))
		case err != nil:
			return nil, nil, fmt.Errorf("look up team %q: %w", n, err)
		case retired.Valid:
			skipped = append(skipped, fmt.Sprintf("team %s is retired", n))
		default:
			ok = append(ok, n)
		}
	}
	sort.Strings(ok)
	return ok, skipped, nil
}

// applyGrants returns have without what was granted before and is not
// granted now, plus what is granted now.
func applyGrants[T comparable](have, before, now []T) []T {
	var out []T
	for _, v := range have {
		if slices.Contains(before, v) && !slices.Contains(now, v) {
			continue
		}
		out = append(out, v)
	}
	for _, v := range now {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return nonNil(out)
}

// FindUnmappedSignIns lists the active users whose last sign-in through
// the identity provider matched no group rule, most recent first: they
// read like viewers, and an admin decides whether the rules miss a group.
func (db *DB) FindUnmappedSignIns(ctx context.Context, p paved.Page) ([]*paved.ExternalIdentity, int, error) {
	const from = " FROM user_identities i JOIN users u ON u.id = i.user_id WHERE i.matched = 0 AND u.retired_at IS NULL"
	r := db.reader()
	var total int
	if err := r.queryRow(ctx, "SELECT COUNT(*)"+from).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count unmapped sign-ins: %w", err)
	}
	p = p.Normalize()
	out := []*paved.ExternalIdentity{}
	if total == 0 || p.Offset >= total {
		return out, total, nil
	}
	rows, err := r.query(ctx, "SELECT u.name, i.issuer, i.subject, i.groups, i.granted_teams, i.granted_roles, i.matched, i.created_at, i.last_signin_at"+
		from+" ORDER BY i.last_signin_at DESC, u.name LIMIT ? OFFSET ?", p.Limit, p.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find unmapped sign-ins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e paved.ExternalIdentity
		var matched int
		if err := rows.Scan(&e.User, &e.Issuer, &e.Subject, scanJSON(&e.Groups), scanJSON(&e.GrantedTeams), scanJSON(&e.GrantedRoles),
			&matched, scanTime(&e.CreatedAt), scanTime(&e.LastSigninAt)); err != nil {
			return nil, 0, fmt.Errorf("store: find unmapped sign-ins: %w", err)
		}
		e.Matched = matched != 0
		e.Groups, e.GrantedTeams, e.GrantedRoles = nonNil(e.Groups), nonNil(e.GrantedTeams), nonNil(e.GrantedRoles)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: find unmapped sign-ins: %w", err)
	}
	return out, total, nil
}

// ciTokenKeep is how long an expired CI token stays before CreateCIToken
// deletes it: one is made per CI job, so the table would otherwise grow
// with every pipeline run. Their creation stays in the audit log.
const ciTokenKeep = 24 * time.Hour

// CreateCIToken stores a token of paved.CIUser (creating that service
// account on first use, without roles or teams) with its CI scope, and
// deletes CI tokens that expired a day ago or more. The token must have a
// CI scope and an expiry: a CI token never lives open-ended.
func (db *DB) CreateCIToken(ctx context.Context, t *paved.Token) error {
	switch {
	case t == nil:
		return paved.Errorf(paved.EINVALID, "no token given")
	case strings.TrimSpace(t.Hash) == "":
		return paved.FieldErrorf(paved.EINVALID, "hash", "token hash is required")
	case t.Scope == nil || t.Scope.CI == "":
		return paved.FieldErrorf(paved.EINVALID, "scope", "a CI token needs a scope with its CI identity")
	case t.ExpiresAt == nil:
		return paved.FieldErrorf(paved.EINVALID, "expires_at", "a CI token needs an expiry")
	}
	if err := t.Scope.Validate(); err != nil {
		return err
	}
	v := *t
	v.User = paved.CIUser
	v.RevokedAt, v.LastUsedAt = nil, nil
	err := db.write(ctx, func(w *wtx) error {
		var uid int64
		var retired sql.NullString
		err := w.queryRow(ctx, "SELECT id, retired_at FROM users WHERE name = ?", paved.CIUser).Scan(&uid, &retired)
		switch {
		case errNoRows(err):
			u := &paved.User{Name: paved.CIUser, DisplayName: "CI jobs (ID token exchange)"}
			if err := insertUser(ctx, w, u); err != nil {
				return err
			}
			uid = u.ID
		case err != nil:
			return fmt.Errorf("look up %s: %w", paved.CIUser, err)
		case retired.Valid:
			return paved.Errorf(paved.EFORBIDDEN, "CI tokens are switched off: the service account %s is retired", paved.CIUser)
		}
		if _, err := w.exec(ctx, `DELETE FROM tokens WHERE user_id = ? AND expires_at IS NOT NULL AND expires_at <= ?
			AND NOT EXISTS (SELECT 1 FROM sessions x WHERE x.token_id = tokens.id)
			AND NOT EXISTS (SELECT 1 FROM tokens c WHERE c.parent_id = tokens.id)`, uid, formatTime(w.now.Add(-ciTokenKeep))); err != nil {
			return fmt.Errorf("sweep expired CI tokens: %w", err)
		}
		return insertTokenFor(ctx, w, uid, &v)
	})
	if err != nil {
		return fmt.Errorf("store: create CI token: %w", err)
	}
	*t = v
	return nil
}

// scopeJSON is the stored form of a scope: "" for none.
func scopeJSON(s *paved.TokenScope) (string, error) {
	if s == nil {
		return "", nil
	}
	if err := s.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode scope: %w", err)
	}
	return string(b), nil
}

// parseScope reads a stored scope.
func parseScope(s string) (*paved.TokenScope, error) {
	if s == "" {
		return nil, nil
	}
	var v paved.TokenScope
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("stored token scope is invalid: %w", err)
	}
	return &v, nil
}
