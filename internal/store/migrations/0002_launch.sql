-- 0002: the path to production (issue 4): stored template versions, each
-- service's launch (pinned versions, enablement contact), answers and their
-- revisions, comments, assessments, walkthroughs with sign-offs and
-- follow-ups, the phase history, and recorded guard-rail checks.
--
-- Same conventions as 0001: {{id}} / {{name}} placeholders, times as
-- fixed-width UTC text, JSON as text, booleans as 0/1. Who did something
-- (author, recorded_by, created_by, actor ...) is the actor's name as text,
-- like audit_events.actor, because an actor need not be a user ("system",
-- a CI token's user); people a write names as input (contact, signer,
-- follow-up owner) are foreign keys to users.

-- One row per stored template version. body is the template as JSON
-- (title, description, areas); digest covers exactly that, so a version
-- never changes once stored.
CREATE TABLE launch_templates (
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    digest     TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);

-- A service's launch, created on its first launch write: the enablement
-- contact. The pinned versions are in launch_pins.
CREATE TABLE launches (
    service_id BIGINT NOT NULL PRIMARY KEY REFERENCES services (id),
    contact_id BIGINT REFERENCES users (id),
    updated_at TEXT NOT NULL
);
CREATE INDEX launches_contact ON launches (contact_id);

-- The template version per kind that a service uses.
CREATE TABLE launch_pins (
    service_id BIGINT NOT NULL REFERENCES services (id),
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    pinned_at  TEXT NOT NULL,
    PRIMARY KEY (service_id, kind),
    FOREIGN KEY (kind, version) REFERENCES launch_templates (kind, version)
);

-- The current answer per item; every edit is also in answer_revisions.
CREATE TABLE answers (
    service_id       BIGINT NOT NULL REFERENCES services (id),
    item             {{name}} NOT NULL,
    kind             TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    status           TEXT NOT NULL,
    answer_text      TEXT NOT NULL DEFAULT '',
    links            TEXT NOT NULL DEFAULT '[]',
    na_reason        TEXT NOT NULL DEFAULT '',
    na_accepted_by   TEXT NOT NULL DEFAULT '',
    na_accepted_at   TEXT,
    flag             TEXT NOT NULL DEFAULT '',
    flagged_by       TEXT NOT NULL DEFAULT '',
    flagged_at       TEXT,
    revision         INTEGER NOT NULL,
    author           TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (service_id, item)
);

CREATE TABLE answer_revisions (
    service_id       BIGINT NOT NULL REFERENCES services (id),
    item             {{name}} NOT NULL,
    revision         INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    status           TEXT NOT NULL,
    answer_text      TEXT NOT NULL DEFAULT '',
    links            TEXT NOT NULL DEFAULT '[]',
    na_reason        TEXT NOT NULL DEFAULT '',
    author           TEXT NOT NULL,
    at               TEXT NOT NULL,
    PRIMARY KEY (service_id, item, revision)
);
-- A service's whole history in time order (readiness over time).
CREATE INDEX answer_revisions_service_at ON answer_revisions (service_id, at);

CREATE TABLE comments (
    id         {{id}},
    service_id BIGINT NOT NULL REFERENCES services (id),
    item       {{name}} NOT NULL,
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX comments_service_item ON comments (service_id, item, id);

-- A security assessment or a load profile; only the columns of its kind
-- are set.
CREATE TABLE assessments (
    id                {{id}},
    service_id        BIGINT NOT NULL REFERENCES services (id),
    kind              TEXT NOT NULL,
    threat_model      TEXT NOT NULL DEFAULT '',
    vuln_scan         TEXT NOT NULL DEFAULT '',
    vuln_scan_link    TEXT NOT NULL DEFAULT '',
    risk_rating       TEXT NOT NULL DEFAULT '',
    pen_test          TEXT NOT NULL DEFAULT '',
    expected_peak_rps DOUBLE PRECISION NOT NULL DEFAULT 0,
    tested_rps        DOUBLE PRECISION NOT NULL DEFAULT 0,
    p99_ms            DOUBLE PRECISION NOT NULL DEFAULT 0,
    links             TEXT NOT NULL DEFAULT '[]',
    notes             TEXT NOT NULL DEFAULT '',
    recorded_by       TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);
CREATE INDEX assessments_service ON assessments (service_id, recorded_at, id);

CREATE TABLE walkthroughs (
    id           {{id}},
    service_id   BIGINT NOT NULL REFERENCES services (id),
    scheduled_at TEXT NOT NULL,
    participants TEXT NOT NULL DEFAULT '[]',
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    cancelled    INTEGER NOT NULL DEFAULT 0,
    cancelled_by TEXT NOT NULL DEFAULT '',
    cancelled_at TEXT
);
CREATE INDEX walkthroughs_service ON walkthroughs (service_id, created_at, id);

CREATE TABLE signoffs (
    id             {{id}},
    walkthrough_id BIGINT NOT NULL REFERENCES walkthroughs (id),
    signer_id      BIGINT NOT NULL REFERENCES users (id),
    role           TEXT NOT NULL,
    decision       TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    at             TEXT NOT NULL
);
CREATE INDEX signoffs_walkthrough ON signoffs (walkthrough_id, id);
CREATE INDEX signoffs_signer ON signoffs (signer_id);

CREATE TABLE follow_ups (
    id             {{id}},
    walkthrough_id BIGINT NOT NULL REFERENCES walkthroughs (id),
    description    TEXT NOT NULL,
    owner_id       BIGINT NOT NULL REFERENCES users (id),
    due            TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    done_by        TEXT NOT NULL DEFAULT '',
    done_at        TEXT
);
CREATE INDEX follow_ups_walkthrough ON follow_ups (walkthrough_id, id);
CREATE INDEX follow_ups_owner ON follow_ups (owner_id);

CREATE TABLE phase_changes (
    id         {{id}},
    service_id BIGINT NOT NULL REFERENCES services (id),
    from_phase TEXT NOT NULL,
    to_phase   TEXT NOT NULL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    forced     INTEGER NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX phase_changes_service ON phase_changes (service_id, id);

-- A guard-rail check recorded by `paved check --server`: what ran and what
-- it found (findings as given, values marked sensitive already masked),
-- never the plan itself.
CREATE TABLE checks (
    id             {{id}},
    service_id     BIGINT NOT NULL REFERENCES services (id),
    actor          TEXT NOT NULL,
    at             TEXT NOT NULL,
    commit_sha     TEXT NOT NULL DEFAULT '',
    branch         TEXT NOT NULL DEFAULT '',
    pull_request   TEXT NOT NULL DEFAULT '',
    run_url        TEXT NOT NULL DEFAULT '',
    config_version TEXT NOT NULL DEFAULT '',
    resource_types TEXT NOT NULL DEFAULT '{}',
    rules          TEXT NOT NULL DEFAULT '[]',
    findings       TEXT NOT NULL DEFAULT '[]',
    deny_count     INTEGER NOT NULL DEFAULT 0,
    warn_count     INTEGER NOT NULL DEFAULT 0
);
-- The newest check per service.
CREATE INDEX checks_service_at ON checks (service_id, at, id);
