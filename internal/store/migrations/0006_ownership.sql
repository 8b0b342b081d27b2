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
    concern     {{name}} NOT NULL PRIMARY KEY,
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
