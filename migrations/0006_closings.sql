-- Closed years: the bilan of a year as it stood when the year was closed, broken down by office
-- and signed with the site's key. Later changes to that year's data show as differences against
-- it, never silently. A year is closed once.
CREATE TABLE year_closings (
    year      INTEGER PRIMARY KEY,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    -- The figures as JSON (the bilan's own serialisation) and their SHA-256, hex.
    figures   TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    -- Hex Ed25519 signature over "DAFTAR-CLOTURE1|<year>|<sha256>", and the signer's fingerprint.
    signature TEXT NOT NULL,
    signer    TEXT NOT NULL
);
