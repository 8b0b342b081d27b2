-- 0006: placeholder (helper 7, ownership); replaced by the real schema.
CREATE TABLE IF NOT EXISTS _placeholder_0006 (id INTEGER);
