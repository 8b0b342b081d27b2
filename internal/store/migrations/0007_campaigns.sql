-- 0007: campaigns (issue 8). A campaign is a deny rule with an
-- enforce_from date; paved serve records its daily progress and the
-- announcements it sent to the owners of affected services.
--
-- Same conventions as 0001: times as fixed-width UTC text, JSON as text.

-- One row per campaign rule and UTC day: how many services (and resources)
-- would fail the rule that day, of how many evaluated, and the failing
-- services per team as a JSON object. The day's last run replaces it.
CREATE TABLE campaign_days (
    rule          {{name}} NOT NULL,
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
    rule            {{name}} NOT NULL,
    enforce_from    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    service         {{name}} NOT NULL,
    notification_id BIGINT NOT NULL,
    sent_at         TEXT NOT NULL,
    PRIMARY KEY (rule, enforce_from, kind, service)
);
