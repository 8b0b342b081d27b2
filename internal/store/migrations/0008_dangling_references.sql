-- 0008: dangling catalog references (issue 14). Real Backstage catalogs
-- name owners and parents that no entity in them defines; Backstage keeps
-- such a relation dangling. paved keeps it too: the referenced team exists
-- as a placeholder row (the name and namespace as written, no members), so
-- services.owner_id and teams.parent_id stay NOT NULL foreign keys and every
-- query that joins them is unchanged. Importing the Group later turns the
-- placeholder into the team (placeholder = 0).
--
-- Same conventions as 0001: booleans are integers 0/1.

ALTER TABLE teams ADD COLUMN placeholder INTEGER NOT NULL DEFAULT 0;
