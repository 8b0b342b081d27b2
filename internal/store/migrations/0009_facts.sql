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
    source      {{name}} NOT NULL,
    fact_key    {{name}} NOT NULL,
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
    id          {{id}},
    service_id  BIGINT NOT NULL REFERENCES services (id),
    source      {{name}} NOT NULL,
    fact_key    {{name}} NOT NULL,
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
    collector            {{name}} NOT NULL PRIMARY KEY,
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
    collector  {{name}} NOT NULL,
    repository {{name}} NOT NULL,
    path       {{name}} NOT NULL,
    url        TEXT NOT NULL,
    sha        TEXT NOT NULL DEFAULT '',
    content    TEXT NOT NULL DEFAULT '',
    found_at   TEXT NOT NULL,
    PRIMARY KEY (collector, repository, path)
);
