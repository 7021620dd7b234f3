-- Sync: the sites this installation knows (its parent, the sites it supervises and, through
-- keyrings, their subtrees), what it sent and received, bundles set aside, conflicts, the log.
CREATE TABLE peers (
    code          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    level         TEXT NOT NULL,
    relation      TEXT NOT NULL CHECK (relation IN ('parent', 'child', 'known')),
    -- The site that supervises it (children of our children, learnt from forwarded identities).
    supervisor    TEXT,
    ed25519       TEXT NOT NULL,
    age_recipient TEXT NOT NULL,
    enrolled_at   TEXT NOT NULL,
    revoked_at    TEXT,
    revoke_reason TEXT
);

-- What a sender's bundles brought: the highest change applied (the watermark), the last
-- sequence number seen, and the head of its audit chain as its last bundle stated it.
CREATE TABLE sync_in (
    sender        TEXT PRIMARY KEY,
    watermark     INTEGER NOT NULL DEFAULT 0,
    last_sequence INTEGER NOT NULL DEFAULT 0,
    audit_seq     INTEGER,
    audit_head    TEXT,
    last_at       TEXT
);

-- What this site sent to a recipient: the next sequence number and what it acknowledged.
CREATE TABLE sync_out (
    recipient     TEXT PRIMARY KEY,
    next_sequence INTEGER NOT NULL DEFAULT 1,
    acknowledged  INTEGER NOT NULL DEFAULT 0,
    last_sent_at  TEXT,
    last_file     TEXT
);

-- Every bundle read: its hash (two different bundles may not share a sequence number), what
-- happened to it, and the file itself while it waits for a missing range.
CREATE TABLE bundles_in (
    sender      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sequence    INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    from_change INTEGER NOT NULL,
    to_change   INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    read_at     TEXT NOT NULL,
    waiting     BLOB,
    PRIMARY KEY (sender, kind, sequence)
);

-- Incoming rows that were not applied: owned outside the sender's subtree, or a CIN another
-- office already registered. Resolved by a person; every resolution is audited.
CREATE TABLE conflicts (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    sender      TEXT NOT NULL,
    table_name  TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    owner       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    record      TEXT NOT NULL,
    resolved_at TEXT,
    resolution  TEXT
);
CREATE INDEX conflicts_open ON conflicts (resolved_at);

-- One line per file read, whatever happened (the only trace a refused bundle leaves).
CREATE TABLE import_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    file    TEXT NOT NULL,
    sender  TEXT,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL
);
