-- A rotation seals the new keys to the previous ones (age): an account that holds only the
-- previous keys opens them at its next login, and its password wraps the new ones for it.
ALTER TABLE site_keys ADD COLUMN sealed_for_previous BLOB;
