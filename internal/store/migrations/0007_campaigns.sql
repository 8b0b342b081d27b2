-- Issue 8: campaigns (rules with enforce_from): daily progress snapshots and the
-- notifications sent for each campaign. Placeholder until the tables land.
CREATE TABLE IF NOT EXISTS _placeholder_0007 (id INTEGER);
