-- The required-documents checklist of a project kind, as a delegation (or the centre) publishes
-- it: a business row like the programmes, which reaches the offices in replies. The row's
-- version orders the publications, so an office never goes back to an older list; without one,
-- the list shipped with Daftar (ref_checklist) applies.
CREATE TABLE checklists (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    owner         TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    delete_reason TEXT,
    sort_key      TEXT NOT NULL,
    label         TEXT NOT NULL,
    data          TEXT NOT NULL,
    kind          TEXT GENERATED ALWAYS AS (json_extract(data, '$.kind')) VIRTUAL
);
CREATE INDEX checklists_kind ON checklists (kind, deleted_at);

INSERT INTO live_counts (table_name, live) VALUES ('checklists', 0);
