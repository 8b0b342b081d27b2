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
    id            {{id}},
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
    id               {{id}},
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
