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
-- 0002: the path to production (issue 4): stored template versions, each
-- service's launch (pinned versions, enablement contact), answers and their
-- revisions, comments, assessments, walkthroughs with sign-offs and
-- follow-ups, the phase history, and recorded guard-rail checks.
--
-- Same conventions as 0001: INTEGER PRIMARY KEY / TEXT placeholders, times as
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
    item             TEXT NOT NULL,
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
    item             TEXT NOT NULL,
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
    id         INTEGER PRIMARY KEY,
    service_id BIGINT NOT NULL REFERENCES services (id),
    item       TEXT NOT NULL,
    author     TEXT NOT NULL,
    body       TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX comments_service_item ON comments (service_id, item, id);

-- A security assessment or a load profile; only the columns of its kind
-- are set.
CREATE TABLE assessments (
    id                INTEGER PRIMARY KEY,
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
    id           INTEGER PRIMARY KEY,
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
    id             INTEGER PRIMARY KEY,
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
    id             INTEGER PRIMARY KEY,
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
    id         INTEGER PRIMARY KEY,
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
    id             INTEGER PRIMARY KEY,
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
-- 0003: notifications and background work (issue 5): the outbox that store
-- writes fill in the same transaction as their change, the deliveries the
-- job runner fans each notification out to (one per matching webhook
-- target), the log of every delivery attempt, and the periodic jobs that
-- exactly one replica runs at a time.
--
-- Same conventions as 0001: auto-assigned ids, times as fixed-width UTC
-- text, JSON as text. A lease is an owner (the runner's random id) and a
-- time until which no other runner may claim the row; a runner that dies
-- mid-way simply lets its lease run out.

-- The outbox. fanned_out_at is NULL until a runner has created the
-- notification's deliveries for the targets configured at that moment.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    service       TEXT NOT NULL DEFAULT '',
    team          TEXT NOT NULL DEFAULT '',
    link          TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL DEFAULT '{}',
    actor         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    fanned_out_at TEXT
);
CREATE INDEX notifications_pending ON notifications (id) WHERE fanned_out_at IS NULL;
CREATE INDEX notifications_kind ON notifications (kind, id);

-- One delivery per (notification, target). status is pending (waiting for
-- next_attempt_at, or leased until lease_until), delivered or failed (gave
-- up after the maximum number of attempts). The id is the idempotency key
-- sent to the receiver.
CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    notification_id  BIGINT NOT NULL REFERENCES notifications (id),
    target           TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      TEXT,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    finished_at      TEXT,
    UNIQUE (notification_id, target)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_status ON deliveries (status, id);

-- The delivery log: every attempt with its outcome.
CREATE TABLE delivery_attempts (
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
    attempt     INTEGER NOT NULL,
    runner      TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, attempt)
);

-- Periodic jobs by name: the runner claims a job whose next_run_at has come
-- and whose lease has run out, runs it, and schedules the next run.
CREATE TABLE jobs (
    name             TEXT NOT NULL PRIMARY KEY,
    next_run_at      TEXT NOT NULL,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      TEXT,
    runs             BIGINT NOT NULL DEFAULT 0,
    last_started_at  TEXT,
    last_finished_at TEXT,
    last_error       TEXT NOT NULL DEFAULT ''
);
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
    id                 INTEGER PRIMARY KEY,
    service_id         BIGINT NOT NULL REFERENCES services (id),
    team               TEXT NOT NULL,
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
    id           INTEGER PRIMARY KEY,
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
-- 0005: spend (issue 6): billing lines from FOCUS exports, allocated to
-- services and teams, their daily and hourly roll-ups, budgets set through
-- the API, and the alerts the budget, forecast, spike and burn-rate rules
-- raise.
--
-- Same conventions as 0001: the id and name placeholders, JSON as text,
-- booleans as 0/1. Amounts are exact: BIGINT counts of nano-units (10^-9 of
-- the billing currency, paved.Money), which both engines SUM exactly.
-- Days are 'YYYY-MM-DD' and hours 'YYYY-MM-DDTHH' text in UTC: they sort
-- and compare as text like the instants do.

-- A key is what allocation decides on: provider, accounts and tags. Lines
-- point at their key, so re-allocating after the rules change updates keys,
-- never lines. digest covers provider, accounts and tags.
CREATE TABLE cost_keys (
    id               INTEGER PRIMARY KEY,
    digest           TEXT NOT NULL UNIQUE,
    provider         TEXT NOT NULL,
    billing_account  TEXT NOT NULL,
    sub_account      TEXT NOT NULL DEFAULT '',
    sub_account_name TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '{}',
    service          TEXT NOT NULL DEFAULT '',
    team             TEXT NOT NULL,
    env              TEXT NOT NULL DEFAULT '',
    method           TEXT NOT NULL,
    shared           TEXT NOT NULL DEFAULT '',
    untagged         INTEGER NOT NULL DEFAULT 0
);

-- One billing account's lines for one billing period. Ingesting the same
-- account and period again deletes the batch and its rows and inserts the
-- new one in the same transaction.
CREATE TABLE cost_batches (
    id              INTEGER PRIMARY KEY,
    billing_account TEXT NOT NULL,
    period          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    lines           BIGINT NOT NULL,
    cost            BIGINT NOT NULL,
    billed          BIGINT NOT NULL,
    effective       BIGINT NOT NULL,
    cost_columns    TEXT NOT NULL DEFAULT '{}',
    ingested_by     TEXT NOT NULL,
    ingested_at     TEXT NOT NULL,
    UNIQUE (billing_account, period)
);
CREATE INDEX cost_batches_period ON cost_batches (period);

-- What a line is for: its charge category and class, the provider's
-- service, service category and region. A month has few of these and
-- millions of lines, so lines point at them.
CREATE TABLE cost_skus (
    id               INTEGER PRIMARY KEY,
    category         TEXT NOT NULL,
    class            TEXT NOT NULL DEFAULT '',
    service_name     TEXT NOT NULL DEFAULT '',
    service_category TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    UNIQUE (category, class, service_name, service_category, region)
);

-- The billing lines. A month of an organisation is millions of lines,
-- written in one transaction, so a line is kept narrow: no foreign keys
-- (the store writes batch_id, key_id and sku_id from rows it has just
-- written), one index, and its charge period as Unix seconds rather than
-- text (the daily and hourly roll-ups are where times are read).
CREATE TABLE cost_lines (
    batch_id     BIGINT NOT NULL,
    key_id       BIGINT NOT NULL,
    sku_id       BIGINT NOT NULL,
    charge_start BIGINT NOT NULL,
    charge_end   BIGINT NOT NULL,
    resource_id  TEXT NOT NULL DEFAULT '',
    billed       BIGINT NOT NULL,
    effective    BIGINT NOT NULL
);
CREATE INDEX cost_lines_batch ON cost_lines (batch_id);

-- Daily roll-up per key and charge category, with the cost column chosen
-- per provider (EffectiveCost, or BilledCost where the provider's
-- EffectiveCost was empty or zero). Reports, charts, budgets and the spike
-- rule read this.
CREATE TABLE cost_daily (
    batch_id BIGINT NOT NULL REFERENCES cost_batches (id),
    key_id   BIGINT NOT NULL REFERENCES cost_keys (id),
    day      TEXT NOT NULL,
    category TEXT NOT NULL,
    cost     BIGINT NOT NULL,
    lines    BIGINT NOT NULL,
    PRIMARY KEY (batch_id, key_id, day, category)
);
CREATE INDEX cost_daily_day ON cost_daily (day);
CREATE INDEX cost_daily_key ON cost_daily (key_id);

-- Hourly usage cost per account, for the burn-rate rule.
CREATE TABLE cost_hourly (
    batch_id BIGINT NOT NULL REFERENCES cost_batches (id),
    account  TEXT NOT NULL,
    hour     TEXT NOT NULL,
    cost     BIGINT NOT NULL,
    PRIMARY KEY (batch_id, account, hour)
);
CREATE INDEX cost_hourly_account ON cost_hourly (account, hour);

-- Budgets set through the API or CLI; paved.yaml's budgets are read from
-- the config and shown beside these (a stored budget wins for its scope).
CREATE TABLE cost_budgets (
    scope      TEXT NOT NULL,
    name       TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    playground INTEGER NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, name)
);

-- Alerts, de-duplicated by alert_key (rule, scope, period, threshold or
-- day). planned_by is set when someone marks the alert as planned activity.
CREATE TABLE cost_alerts (
    id             INTEGER PRIMARY KEY,
    alert_key      TEXT NOT NULL UNIQUE,
    rule           TEXT NOT NULL,
    scope          TEXT NOT NULL,
    name           TEXT NOT NULL,
    team           TEXT NOT NULL DEFAULT '',
    period         TEXT NOT NULL,
    day            TEXT,
    threshold      INTEGER NOT NULL DEFAULT 0,
    amount         BIGINT NOT NULL,
    limit_amount   BIGINT NOT NULL,
    currency       TEXT NOT NULL DEFAULT '',
    message        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    planned_by     TEXT NOT NULL DEFAULT '',
    planned_at     TEXT,
    planned_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cost_alerts_period ON cost_alerts (period, created_at);
-- 0006: the ownership map (issue 7): admin edits laid over the platform
-- config's ownership.yaml, and the resources of each service's latest
-- recorded check (also read by the impact analysis of issue 8).
--
-- Same conventions as 0001: times as fixed-width UTC text, JSON as text.

-- One row per concern an admin has reassigned. The effective map is the
-- config file with each of these concerns' owner and RACI teams replaced.
-- Team references are kept as written (a catalog team name, a team kind,
-- or product-team), because they are resolved against the catalog when
-- the map is read, like the file's own references.
CREATE TABLE ownership_edits (
    concern     TEXT NOT NULL PRIMARY KEY,
    owner       TEXT NOT NULL DEFAULT '',
    accountable TEXT NOT NULL DEFAULT '',
    consulted   TEXT NOT NULL DEFAULT '[]',
    informed    TEXT NOT NULL DEFAULT '[]',
    reason      TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The normalised resources of a service's latest check that carried any,
-- replaced by the next one. body is the JSON list of paved.CheckResource,
-- gzip-compressed and base64-encoded (portable text on both engines);
-- resources and omitted are counts, so that listings need not decode it.
CREATE TABLE check_resources (
    service_id  BIGINT NOT NULL PRIMARY KEY REFERENCES services (id),
    check_id    BIGINT NOT NULL REFERENCES checks (id),
    at          TEXT NOT NULL,
    resources   INTEGER NOT NULL,
    omitted     INTEGER NOT NULL DEFAULT 0,
    body        TEXT NOT NULL
);
-- 0007: campaigns (issue 8). A campaign is a deny rule with an
-- enforce_from date; paved serve records its daily progress and the
-- announcements it sent to the owners of affected services.
--
-- Same conventions as 0001: times as fixed-width UTC text, JSON as text.

-- One row per campaign rule and UTC day: how many services (and resources)
-- would fail the rule that day, of how many evaluated, and the failing
-- services per team as a JSON object. The day's last run replaces it.
CREATE TABLE campaign_days (
    rule          TEXT NOT NULL,
    day           TEXT NOT NULL,
    enforce_from  TEXT NOT NULL,
    failing       INTEGER NOT NULL,
    resources     INTEGER NOT NULL,
    checked       INTEGER NOT NULL,
    teams         TEXT NOT NULL DEFAULT '{}',
    recorded_at   TEXT NOT NULL,
    PRIMARY KEY (rule, day)
);

-- One row per announcement sent: a campaign tells each affected service's
-- owners once when it starts and once two weeks before enforcement. The
-- primary key makes the announcement happen exactly once, across replicas
-- and reruns; the notification is written in the same transaction.
CREATE TABLE campaign_notices (
    rule            TEXT NOT NULL,
    enforce_from    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    service         TEXT NOT NULL,
    notification_id BIGINT NOT NULL,
    sent_at         TEXT NOT NULL,
    PRIMARY KEY (rule, enforce_from, kind, service)
);
-- 0008: dangling catalog references (issue 14). Real Backstage catalogs
-- name owners and parents that no entity in them defines; Backstage keeps
-- such a relation dangling. paved keeps it too: the referenced team exists
-- as a placeholder row (the name and namespace as written, no members), so
-- services.owner_id and teams.parent_id stay NOT NULL foreign keys and every
-- query that joins them is unchanged. Importing the Group later turns the
-- placeholder into the team (placeholder = 0).
--
-- Same conventions as 0001: booleans are integers 0/1.

ALTER TABLE teams ADD COLUMN placeholder INTEGER NOT NULL DEFAULT 0;
-- 0009: facts (issue 17). What collectors (GitHub, GitLab, PagerDuty,
-- Opsgenie, Kubernetes) and pushes observed of each service: the current
-- value of every fact, the history of its changes, each collector's
-- health, and the catalog files found in the organisation.
--
-- Same conventions as 0001: times as fixed-width UTC text, JSON as text.

-- The current value of each (service, source, key). A new observation of
-- the same value moves observed_at and expires_at only; a new value is a
-- row in fact_events too.
CREATE TABLE facts (
    service_id  BIGINT NOT NULL REFERENCES services (id),
    source      TEXT NOT NULL,
    fact_key    TEXT NOT NULL,
    fact_value  TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    observed_at TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (service_id, fact_key, source)
);
-- Scorecards and reports read one key across every service.
CREATE INDEX facts_key ON facts (fact_key, service_id);

-- Every change of a fact: first seen, a new value, removed. Append-only.
CREATE TABLE fact_events (
    id          INTEGER PRIMARY KEY,
    service_id  BIGINT NOT NULL REFERENCES services (id),
    source      TEXT NOT NULL,
    fact_key    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    fact_value  TEXT,
    previous    TEXT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    version     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fact_events_service ON fact_events (service_id, id);

-- One row per collector: its latest run and its last success, whichever
-- replica ran it.
CREATE TABLE collector_runs (
    collector            TEXT NOT NULL PRIMARY KEY,
    kind                 TEXT NOT NULL,
    started_at           TEXT NOT NULL,
    finished_at          TEXT NOT NULL,
    services             INTEGER NOT NULL,
    failed               INTEGER NOT NULL,
    facts                INTEGER NOT NULL,
    changes              INTEGER NOT NULL,
    error                TEXT NOT NULL DEFAULT '',
    last_success_at      TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

-- catalog-info.yaml files a collector found in the organisation's
-- repositories; each run replaces its collector's set.
CREATE TABLE catalog_discoveries (
    collector  TEXT NOT NULL,
    repository TEXT NOT NULL,
    path       TEXT NOT NULL,
    url        TEXT NOT NULL,
    sha        TEXT NOT NULL DEFAULT '',
    content    TEXT NOT NULL DEFAULT '',
    found_at   TEXT NOT NULL,
    PRIMARY KEY (collector, repository, path)
);
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
    id           INTEGER PRIMARY KEY,
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
-- 0011: reclassification (issue 15 §1). Lowering a service's tier or data
-- class once its launch is under way is a request an architect or security
-- engineer outside the owning team decides; the gates of a launch read the
-- strictest classification the service held since green-light.
--
-- Same conventions as 0001: INTEGER PRIMARY KEY / TEXT placeholders, times as
-- fixed-width UTC text. Who did something is the actor's name as text.

-- One row per request (or admin's forced lowering). from_* is the
-- classification when asked, to_* the one asked for; team is the owner
-- team when asked (its members never decide).
CREATE TABLE reclassifications (
    id              INTEGER PRIMARY KEY,
    service_id      BIGINT NOT NULL REFERENCES services (id),
    team            TEXT NOT NULL,
    from_tier       INTEGER NOT NULL,
    from_data_class TEXT NOT NULL,
    to_tier         INTEGER NOT NULL,
    to_data_class   TEXT NOT NULL,
    reason          TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    requested_at    TEXT NOT NULL,
    status          TEXT NOT NULL,
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      TEXT,
    comment         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reclassifications_service ON reclassifications (service_id, requested_at, id);
-- At most one pending request per service: two racing requests cannot
-- both wait.
CREATE UNIQUE INDEX reclassifications_pending ON reclassifications (service_id) WHERE status = 'pending';

-- The classification the gates read for a service past playground: the
-- strictest it held since it entered green-light, reset by an approved or
-- forced reclassification. The store keeps it on every write that changes
-- the classification of a service past playground, whichever face wrote
-- it (from the classification before the write, so the row needs no
-- writing when the service enters green-light). A service without a row
-- is read as it is.
CREATE TABLE service_gate_class (
    service_id  BIGINT NOT NULL PRIMARY KEY REFERENCES services (id),
    tier        INTEGER NOT NULL,
    data_class  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- 0012: scorecards (issue 18). History keeps a row only when a service's
-- standing on a scorecard changes (its level, score, failing rules or
-- owning team): the row's day is the day the standing began, and it holds
-- until the next row of the same service and scorecard. Trends read the
-- last row at or before each day. Most standings hold for weeks, so a year
-- of ten thousand services on five scorecards is the first day's 50,000
-- rows plus the changes (docs/performance.md has the measured size at the
-- churn assumed there). The score is in per mille, an integer on both
-- engines; failing holds the rule ids joined by spaces (ids have none),
-- read with the row and never queried into.
--
-- scorecard_current is each service's latest standing per scorecard: the
-- day it was last evaluated (day, evaluated_at) and the day the standing
-- began (since, the day of its history row). The views and the daily
-- comparison read it without scanning history.
-- scorecard_notices holds the rules announced as regressed: at most one
-- scorecard.regressed per service, scorecard and rule until the rule
-- passes again, which deletes the row.
--
-- Services and teams are named, not referenced by id: history outlives a
-- renamed or retired service, like campaign_notices.

CREATE TABLE scorecard_results (
    service      TEXT NOT NULL,
    scorecard    TEXT NOT NULL,
    day          TEXT NOT NULL,
    team         TEXT NOT NULL,
    level        TEXT NOT NULL,
    score        INTEGER NOT NULL,
    failing      TEXT NOT NULL,
    PRIMARY KEY (service, scorecard, day)
);

CREATE TABLE scorecard_current (
    service      TEXT NOT NULL,
    scorecard    TEXT NOT NULL,
    day          TEXT NOT NULL,
    since        TEXT NOT NULL,
    team         TEXT NOT NULL,
    level        TEXT NOT NULL,
    score        INTEGER NOT NULL,
    failing      TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    PRIMARY KEY (service, scorecard)
);

CREATE TABLE scorecard_notices (
    service         TEXT NOT NULL,
    scorecard       TEXT NOT NULL,
    rule            TEXT NOT NULL,
    notification_id BIGINT NOT NULL DEFAULT 0,
    sent_at         TEXT NOT NULL,
    PRIMARY KEY (service, scorecard, rule)
);
