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
    id               {{id}},
    digest           TEXT NOT NULL UNIQUE,
    provider         TEXT NOT NULL,
    billing_account  TEXT NOT NULL,
    sub_account      TEXT NOT NULL DEFAULT '',
    sub_account_name TEXT NOT NULL DEFAULT '',
    tags             TEXT NOT NULL DEFAULT '{}',
    service          {{name}} NOT NULL DEFAULT '',
    team             {{name}} NOT NULL,
    env              TEXT NOT NULL DEFAULT '',
    method           TEXT NOT NULL,
    shared           TEXT NOT NULL DEFAULT '',
    untagged         INTEGER NOT NULL DEFAULT 0
);

-- One billing account's lines for one billing period. Ingesting the same
-- account and period again deletes the batch and its rows and inserts the
-- new one in the same transaction.
CREATE TABLE cost_batches (
    id              {{id}},
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
    id               {{id}},
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
    name       {{name}} NOT NULL,
    amount     BIGINT NOT NULL,
    playground INTEGER NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, name)
);

-- Alerts, de-duplicated by alert_key (rule, scope, period, threshold or
-- day). planned_by is set when someone marks the alert as planned activity.
CREATE TABLE cost_alerts (
    id             {{id}},
    alert_key      TEXT NOT NULL UNIQUE,
    rule           TEXT NOT NULL,
    scope          TEXT NOT NULL,
    name           {{name}} NOT NULL,
    team           {{name}} NOT NULL DEFAULT '',
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
