package store

import (
	"context"
	"strconv"
	"testing"

	paved "github.com/paved-dev/paved"
)

// Writes as the paved of an older schema made them, for the fixtures that
// fill such a schema where today's method needs a later column (0010's
// tokens.scope and parent_id, checks.recorded_by, the rebuilt sessions):
// the same rows and audit events, in that schema's SQL.

// oldCreateToken is CreateToken on the tokens table of 0001.
func oldCreateToken(t *testing.T, u *upgradeEnv, tok *paved.Token) {
	t.Helper()
	must(t, u.db.write(u.ctx, func(w *wtx) error {
		uid, err := userRef(u.ctx, w.runner, "user", tok.User)
		if err != nil {
			return err
		}
		tok.CreatedAt = w.now
		if err := w.queryRow(u.ctx, `INSERT INTO tokens (user_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			uid, tok.Name, tok.Prefix, tok.Hash, formatTime(tok.CreatedAt), formatTimePtr(tok.ExpiresAt)).Scan(&tok.ID); err != nil {
			return err
		}
		w.audit("token.create", "token", strconv.FormatInt(tok.ID, 10), createDiff(tok))
		return nil
	}))
}

// oldRevokeToken is RevokeToken of 0001 (tokens had no children).
func oldRevokeToken(t *testing.T, u *upgradeEnv, tok *paved.Token) {
	t.Helper()
	must(t, u.db.write(u.ctx, func(w *wtx) error {
		old := *tok
		now := w.now
		tok.RevokedAt = &now
		if _, err := w.exec(u.ctx, "UPDATE tokens SET revoked_at = ? WHERE id = ?", formatTime(now), tok.ID); err != nil {
			return err
		}
		if _, err := w.exec(u.ctx, "DELETE FROM sessions WHERE token_id = ?", tok.ID); err != nil {
			return err
		}
		w.audit("token.revoke", "token", strconv.FormatInt(tok.ID, 10), paved.Diff(&old, tok))
		return nil
	}))
}

// oldRetireUser is RetireUser of 0001 for a user without tokens.
func oldRetireUser(t *testing.T, u *upgradeEnv, name string) {
	t.Helper()
	must(t, u.db.write(u.ctx, func(w *wtx) error {
		old, err := findUser(u.ctx, w.runner, name, true)
		if err != nil {
			return err
		}
		v := *old
		now := w.now
		v.RetiredAt, v.UpdatedAt = &now, now
		if _, err := w.exec(u.ctx, "UPDATE users SET retired_at = ?, updated_at = ? WHERE id = ?", formatTime(now), formatTime(now), v.ID); err != nil {
			return err
		}
		w.audit("user.retire", "user", v.Name, paved.Diff(old, &v))
		var n int64
		if err := w.queryRow(u.ctx, "SELECT COUNT(*) FROM tokens WHERE user_id = ?", v.ID).Scan(&n); err != nil || n > 0 {
			t.Fatalf("oldRetireUser retires users without tokens only (%d tokens, %v)", n, err)
		}
		_, err = w.exec(u.ctx, "DELETE FROM sessions WHERE user_id = ?", v.ID)
		return err
	}))
}

// oldCreateSession is CreateSession on the sessions table of 0001.
func oldCreateSession(t *testing.T, u *upgradeEnv, s *paved.Session) {
	t.Helper()
	must(t, u.db.write(u.ctx, func(w *wtx) error {
		uid, err := userRef(u.ctx, w.runner, "user", s.User)
		if err != nil {
			return err
		}
		s.CreatedAt = w.now
		return w.queryRow(u.ctx, `INSERT INTO sessions (hash, user_id, token_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			s.Hash, uid, s.TokenID, s.CSRF, formatTime(s.CreatedAt), formatTime(s.ExpiresAt.UTC())).Scan(&s.ID)
	}))
}

// oldRecordCheck is RecordCheck on the checks table of 0002 (with 0006's
// check resources when c has resources).
func oldRecordCheck(t *testing.T, u *upgradeEnv, ctx context.Context, c *paved.CheckRecord) {
	t.Helper()
	must(t, u.db.write(ctx, func(w *wtx) error {
		sid, err := lockService(ctx, w, c.Service)
		if err != nil {
			return err
		}
		if c.Actor == "" {
			c.Actor = w.actor
		}
		c.At = w.now
		normCheck(c)
		deny, warn := paved.Summarize(c.Findings)
		findings, err := marshalJSON(c.Findings, "[]")
		if err != nil {
			return err
		}
		types, err := marshalJSON(c.ResourceTypes, "{}")
		if err != nil {
			return err
		}
		if err := w.queryRow(ctx, `INSERT INTO checks (service_id, actor, at, commit_sha, branch, pull_request, run_url,
			config_version, resource_types, rules, findings, deny_count, warn_count)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sid, c.Actor, formatTime(c.At), c.Commit, c.Branch, c.PullRequest, c.RunURL, c.ConfigVersion,
			types, toJSON(c.Rules), findings, deny, warn).Scan(&c.ID); err != nil {
			return err
		}
		if c.Resources != nil {
			if err := w.replaceCheckResources(ctx, sid, c.ID, c.Resources, c.ResourcesOmitted); err != nil {
				return err
			}
		}
		w.audit("check.record", "check", strconv.FormatInt(c.ID, 10), created(map[string]any{
			"service": c.Service, "commit": c.Commit, "deny": deny, "warn": warn}))
		return nil
	}))
	c.Resources = nil
	c.RecordedBy = c.Actor // how today's paved reads a check without a recorder
}
