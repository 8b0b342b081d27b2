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
    service      {{name}} NOT NULL,
    scorecard    {{name}} NOT NULL,
    day          TEXT NOT NULL,
    team         {{name}} NOT NULL,
    level        TEXT NOT NULL,
    score        INTEGER NOT NULL,
    failing      TEXT NOT NULL,
    PRIMARY KEY (service, scorecard, day)
);

CREATE TABLE scorecard_current (
    service      {{name}} NOT NULL,
    scorecard    {{name}} NOT NULL,
    day          TEXT NOT NULL,
    since        TEXT NOT NULL,
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
