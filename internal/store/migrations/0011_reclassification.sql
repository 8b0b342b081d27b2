-- 0011: reclassification (issue 15 §1). Lowering a service's tier or data
-- class once its launch is under way is a request an architect or security
-- engineer outside the owning team decides; the gates of a launch read the
-- strictest classification the service held since green-light.
--
-- Same conventions as 0001: {{id}} / {{name}} placeholders, times as
-- fixed-width UTC text. Who did something is the actor's name as text.

-- One row per request (or admin's forced lowering). from_* is the
-- classification when asked, to_* the one asked for; team is the owner
-- team when asked (its members never decide).
CREATE TABLE reclassifications (
    id              {{id}},
    service_id      BIGINT NOT NULL REFERENCES services (id),
    team            {{name}} NOT NULL,
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
