-- 0012: scorecards (issue 18). One row per service, scorecard and day
-- (the day's last evaluation wins), so history and trends are plain range
-- reads; a year of ten thousand services on five scorecards is 18 million
-- narrow rows (docs/performance.md has the measured size). The level and
-- failing rule ids are as evaluated that day; the score is in per mille,
-- an integer on both engines; failing holds the rule ids joined by
-- spaces (ids have none), read with the row and never queried into.
--
-- scorecard_current is each service's newest result per scorecard: the
-- views and the daily comparison read it without scanning history.
-- scorecard_notices holds the rules announced as regressed: at most one
-- scorecard.regressed per service, scorecard and rule until the rule
-- passes again, which deletes the row.
--
-- Services and teams are named, not referenced by id: history outlives a
-- renamed or retired service, like campaign_notices.

CREATE TABLE scorecard_results (
    service      {{name}} NOT NULL,
    scorecard    {{name}} NOT NULL,
    day          TEXT NOT NULL,
    team         {{name}} NOT NULL,
    level        TEXT NOT NULL,
    score        INTEGER NOT NULL,
    failing      TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    PRIMARY KEY (service, scorecard, day)
);

CREATE INDEX scorecard_results_day ON scorecard_results (day, scorecard);

CREATE TABLE scorecard_current (
    service      {{name}} NOT NULL,
    scorecard    {{name}} NOT NULL,
    day          TEXT NOT NULL,
    team         {{name}} NOT NULL,
    level        TEXT NOT NULL,
    score        INTEGER NOT NULL,
    failing      TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    PRIMARY KEY (service, scorecard)
);

CREATE TABLE scorecard_notices (
    service         {{name}} NOT NULL,
    scorecard       {{name}} NOT NULL,
    rule            TEXT NOT NULL,
    notification_id BIGINT NOT NULL DEFAULT 0,
    sent_at         TEXT NOT NULL,
    PRIMARY KEY (service, scorecard, rule)
);
