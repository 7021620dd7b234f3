-- Key rotation and restores: a site's previous signing key stays valid for its bundles numbered below the
-- cut-over its rotation statement names.
ALTER TABLE peers ADD COLUMN retired_ed25519 TEXT;
ALTER TABLE peers ADD COLUMN retired_before INTEGER;
-- The last change number a bundle for this recipient carried: changes above it were never sent.
ALTER TABLE sync_out ADD COLUMN sent_to INTEGER NOT NULL DEFAULT 0;
