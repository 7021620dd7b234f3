-- Key rotation: a site's previous signing key, kept only so that the certificates it signed
-- before the rotation still verify (it signs no bundle any more).
ALTER TABLE peers ADD COLUMN retired_ed25519 TEXT;
-- Restores: the last change number a bundle for this recipient carried; changes above it were
-- never sent.
ALTER TABLE sync_out ADD COLUMN sent_to INTEGER NOT NULL DEFAULT 0;
