-- Keyrings change only through statements someone signed (docs/SECURITY.md, "Who may change a
-- keyring"): a revocation keeps the statement of the site that made it, and an enrollment the
-- statement of the site that enrolled (a site enrolled again after a lost key gets new keys at the
-- levels above only through it), so that both travel signed; a retired key keeps the rotation
-- statement (signed by the old and the new key) that retired it, so that the level above can
-- check the new key. What was made before this version has no statement: it stays in force here
-- and does not travel.
ALTER TABLE peers ADD COLUMN revocation TEXT;
ALTER TABLE peers ADD COLUMN enrollment TEXT;
ALTER TABLE retired_keys ADD COLUMN statement TEXT;
