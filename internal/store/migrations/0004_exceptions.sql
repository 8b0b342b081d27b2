-- 0004: exceptions (issue 5): sign-offs that let one deny finding through,
-- their comment threads, and the server's signing key for the offline
-- export.
--
-- Same conventions as 0001: the id and name placeholders, times as
-- fixed-width UTC text, JSON as text, booleans as 0/1. Who did something
-- (requested_by, decided_by, author) is the actor's name as text, like
-- audit_events.actor.

-- One row per request. The binding (service, rule, resource, fingerprint)
-- is what an approval covers; resource_type, path, value and message are
-- the finding as the reviewer saw it (value is JSON and never a value a
-- plan marks sensitive). status is pending, approved, rejected or revoked;
-- expired is derived from expires_at. team is the requesting team (the
-- service's owner when it was requested).
CREATE TABLE exceptions (
    id                 {{id}},
    service_id         BIGINT NOT NULL REFERENCES services (id),
    team               {{name}} NOT NULL,
    rule               TEXT NOT NULL,
    resource           TEXT NOT NULL,
    fingerprint        TEXT NOT NULL,
    resource_type      TEXT NOT NULL DEFAULT '',
    path               TEXT NOT NULL DEFAULT '',
    value              TEXT NOT NULL DEFAULT 'null',
    message            TEXT NOT NULL DEFAULT '',
    policy             TEXT NOT NULL DEFAULT '',
    security           INTEGER NOT NULL DEFAULT 0,
    check_id           BIGINT NOT NULL REFERENCES checks (id),
    reason             TEXT NOT NULL,
    status             TEXT NOT NULL,
    requested_by       TEXT NOT NULL,
    requested_at       TEXT NOT NULL,
    expires_at         TEXT NOT NULL,
    decided_by         TEXT NOT NULL DEFAULT '',
    decided_at         TEXT,
    decision_reason    TEXT NOT NULL DEFAULT '',
    conditions         TEXT NOT NULL DEFAULT '',
    revoked_by         TEXT NOT NULL DEFAULT '',
    revoked_at         TEXT,
    revoke_reason      TEXT NOT NULL DEFAULT '',
    expiring_notice_at TEXT
);
-- Coverage and the idempotent request look a binding up.
CREATE INDEX exceptions_binding ON exceptions (service_id, rule, resource, fingerprint);
-- The reviewers' queue and the expiring job.
CREATE INDEX exceptions_status ON exceptions (status, expires_at, id);
CREATE INDEX exceptions_check ON exceptions (check_id);

-- The thread on a request: questions and answers, oldest first.
CREATE TABLE exception_comments (
    id           {{id}},
    exception_id BIGINT NOT NULL REFERENCES exceptions (id),
    author       TEXT NOT NULL,
    body         TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX exception_comments_exception ON exception_comments (exception_id, id);

-- Keys the server signs with. name "exceptions" holds the Ed25519 key of
-- the offline exceptions export: private_key is the base64 of the 64-byte
-- private key, public_key the base64 of the 32-byte public key.
CREATE TABLE signing_keys (
    name        TEXT NOT NULL PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_key TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
