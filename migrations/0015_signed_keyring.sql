-- Keyrings change only through statements someone signed (docs/SECURITY.md, "Who may change a
-- keyring"): a revocation keeps the statement of the site that made it, so that it travels
-- signed; a retired key keeps the rotation statement (signed by the old and the new key) that
-- retired it, so that the level above can check the new key. Revocations and rotations made
-- before this version have no statement: they stay in force here and do not travel.
ALTER TABLE peers ADD COLUMN revocation TEXT;
ALTER TABLE retired_keys ADD COLUMN statement TEXT;
