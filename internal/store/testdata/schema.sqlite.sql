-- 0001: the catalog (teams, users, services), credentials (tokens,
-- sessions) and the hash-chained audit log.
--
-- Portable SQL for SQLite and PostgreSQL. Where the engines differ the
-- migration runner substitutes (see migrate.go):
--   INTEGER PRIMARY KEY    an auto-assigned 64-bit primary key
--   TEXT  text that compares and sorts byte-wise (names are ordered the
--             same way on both engines, whatever the server's locale)
-- Times are fixed-width UTC text (paved.AuditTimeFormat): they sort as text
-- in time order and hash the same on both engines. JSON columns are text.
-- Booleans are integers 0/1.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    namespace   TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT '',
    parent_id   BIGINT REFERENCES teams (id),
    email       TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',
    links       TEXT NOT NULL DEFAULT '[]',
    annotations TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    retired_at  TEXT
);
CREATE INDEX teams_parent ON teams (parent_id);

CREATE TABLE users (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    retired_at   TEXT
);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles (role, user_id);

CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id, team_id);

CREATE TABLE services (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    namespace     TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    owner_id      BIGINT NOT NULL REFERENCES teams (id),
    type          TEXT NOT NULL DEFAULT '',
    system        TEXT NOT NULL DEFAULT '',
    lifecycle     TEXT NOT NULL DEFAULT '',
    tier          INTEGER NOT NULL,
    data_class    TEXT NOT NULL,
    phase         TEXT NOT NULL,
    grandfathered INTEGER NOT NULL DEFAULT 0,
    tags          TEXT NOT NULL DEFAULT '[]',
    links         TEXT NOT NULL DEFAULT '[]',
    annotations   TEXT NOT NULL DEFAULT '{}',
    depends_on    TEXT NOT NULL DEFAULT '[]',
    provides_apis TEXT NOT NULL DEFAULT '[]',
    consumes_apis TEXT NOT NULL DEFAULT '[]',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- The hot query: one team's services in one phase, a page in name order.
CREATE INDEX services_owner_phase_name ON services (owner_id, phase, name);
CREATE INDEX services_phase_name ON services (phase, name);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL DEFAULT '',
    hash         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    token_id   BIGINT NOT NULL REFERENCES tokens (id),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_token ON sessions (token_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE audit_events (
    seq         BIGINT NOT NULL PRIMARY KEY,
    event_time  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    changes     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_events_object ON audit_events (object_type, object_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
