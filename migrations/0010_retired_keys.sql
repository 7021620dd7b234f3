-- Every signing key a site has had before its current one (a site may rotate more than once):
-- certificates it signed with any of them still verify.
CREATE TABLE retired_keys (
    code    TEXT NOT NULL,
    ed25519 TEXT NOT NULL,
    PRIMARY KEY (code, ed25519)
);
INSERT INTO retired_keys (code, ed25519) SELECT code, retired_ed25519 FROM peers WHERE retired_ed25519 IS NOT NULL;
