-- Key rotation: a site's previous signing key stays valid for its bundles numbered below the
-- cut-over its rotation statement names.
ALTER TABLE peers ADD COLUMN retired_ed25519 TEXT;
ALTER TABLE peers ADD COLUMN retired_before INTEGER;
