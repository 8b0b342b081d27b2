-- Identity (issue 16, and issue 15's token scopes and check recorders):
-- single sign-on sessions, users bound to an identity provider's subject,
-- CI tokens, scoped tokens, and who recorded each check.

-- A token's scope (paved.TokenScope as JSON); '' for a full token.
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT '';

-- The token a token was created with (issue 15 §2): the child expires no
-- later than its parent and is revoked with it. NULL for a token created
-- from a portal session signed in through single sign-on, by the local
-- CLI, or before this migration.
ALTER TABLE tokens ADD COLUMN parent_id BIGINT REFERENCES tokens (id);
CREATE INDEX tokens_parent ON tokens (parent_id);

-- Who recorded a check: a person's name, or ci:<issuer>/<repository>@<sha>
-- for a CI job that exchanged its ID token. '' for checks recorded before
-- this migration, which read as their actor (all were recorded by people's
-- tokens or the local CLI).
ALTER TABLE checks ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';

-- Sessions may now come without a token (single sign-on), and carry an
-- idle timeout. SQLite cannot drop NOT NULL in place, so the table is
-- rebuilt on both engines; rows are copied without their ids, which
-- nothing refers to (the browser holds the secret, the table its hash), so
-- every session survives the upgrade.
CREATE TABLE sessions_v10 (
    id           {{id}},
    hash         TEXT NOT NULL UNIQUE,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    token_id     BIGINT REFERENCES tokens (id),
    method       TEXT NOT NULL DEFAULT 'token',
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    idle_seconds BIGINT NOT NULL DEFAULT 0,
    last_seen_at TEXT NOT NULL DEFAULT ''
);
INSERT INTO sessions_v10 (hash, user_id, token_id, method, csrf, created_at, expires_at, idle_seconds, last_seen_at)
    SELECT hash, user_id, token_id, 'token', csrf, created_at, expires_at, 0, created_at FROM sessions ORDER BY id;
DROP TABLE sessions;
ALTER TABLE sessions_v10 RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_token ON sessions (token_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- A user's binding to an identity provider's subject (one per issuer),
-- with what the last sign-in brought: the groups claim, and the teams and
-- roles the group rules granted, so that the next sign-in can take back
-- exactly those the rules no longer grant (memberships and roles given by
-- an admin or a catalog import are left alone). matched is 0 when no rule
-- matched: admins list those users.
CREATE TABLE user_identities (
    user_id        BIGINT NOT NULL REFERENCES users (id),
    issuer         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    groups         TEXT NOT NULL DEFAULT '[]',
    granted_teams  TEXT NOT NULL DEFAULT '[]',
    granted_roles  TEXT NOT NULL DEFAULT '[]',
    matched        INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    last_signin_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE UNIQUE INDEX user_identities_user ON user_identities (user_id, issuer);
CREATE INDEX user_identities_unmatched ON user_identities (matched, last_signin_at);

-- Single sign-on attempts in flight: the hash of the browser's flow
-- cookie, the state, nonce and PKCE verifier. A row is deleted when the
-- callback takes it, so a callback is honoured once.
CREATE TABLE signin_flows (
    hash       TEXT NOT NULL PRIMARY KEY,
    state      TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL DEFAULT '/',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX signin_flows_expires ON signin_flows (expires_at);
