-- The revocation register as it comes down the tree: the certificates revoked by other sites,
-- received in the replies of the parent (its own revocations and those of every site it knows),
-- so that a revoked certificate reads RÉVOQUÉE at every installation that verifies. A bundle
-- only adds to it: nothing received ever removes a revocation. The certificates this site
-- issued keep their revocation in their own row (0003).
CREATE TABLE certificate_revocations (
    site          TEXT NOT NULL,
    number        TEXT NOT NULL,
    revoked_on    TEXT NOT NULL,
    revoked_by    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    received_from TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    PRIMARY KEY (site, number)
);
