-- Daftar schema, version 1. Append-only: never edit once released; add 0002_… instead.

CREATE TABLE site (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    level         TEXT NOT NULL,
    province_code TEXT,
    region_code   TEXT,
    parent_code   TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Reference lists (assets/reference), reloaded when their version changes.
CREATE TABLE ref_versions (
    list      TEXT PRIMARY KEY,
    version   TEXT NOT NULL,
    loaded_at TEXT NOT NULL
);
CREATE TABLE ref_regions (
    code    TEXT PRIMARY KEY,
    name_fr TEXT NOT NULL,
    name_ar TEXT NOT NULL
);
CREATE TABLE ref_provinces (
    code        TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES ref_regions (code),
    name_fr     TEXT NOT NULL,
    name_ar     TEXT NOT NULL,
    prefecture  INTEGER NOT NULL
);
CREATE TABLE ref_checklist (
    kind     TEXT NOT NULL,
    code     TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    label_ar TEXT NOT NULL,
    required INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (kind, code)
);
CREATE TABLE ref_funding_sources (
    code      TEXT PRIMARY KEY,
    label_fr  TEXT NOT NULL,
    label_ar  TEXT NOT NULL,
    detail_fr TEXT NOT NULL
);

-- Accounts of this installation (never leave it).
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled_at   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- The installation's keys: public halves here, secret halves only wrapped per signing account.
CREATE TABLE site_keys (
    id            INTEGER PRIMARY KEY,
    ed25519       TEXT NOT NULL,
    age_recipient TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    retired_at    TEXT
);
CREATE TABLE key_wraps (
    user_id TEXT NOT NULL REFERENCES users (id),
    key_id  INTEGER NOT NULL REFERENCES site_keys (id),
    wrapped TEXT NOT NULL,
    PRIMARY KEY (user_id, key_id)
);

-- Number sequences (dossier numbers per year, …): never reissued.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

-- Business tables. Every row: a UUIDv7 id, its owner site, a version bumped by the owner on
-- each write, timestamps, a tombstone instead of deletion, and its content as JSON in `data`.
-- Query columns are generated from `data`, so a row travels and is audited as one value.

CREATE TABLE card_holders (
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
    card_number   TEXT GENERATED ALWAYS AS (json_extract(data, '$.card_number')) VIRTUAL
);
CREATE INDEX card_holders_number ON card_holders (card_number);

CREATE TABLE applicants (
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
    cin           TEXT GENERATED ALWAYS AS (json_extract(data, '$.cin')) VIRTUAL,
    birth_date    TEXT GENERATED ALWAYS AS (json_extract(data, '$.birth_date')) VIRTUAL
);
CREATE INDEX applicants_cin ON applicants (cin);
CREATE INDEX applicants_birth_date ON applicants (birth_date);
CREATE INDEX applicants_list ON applicants (deleted_at, sort_key);

-- Search over applicants: folded names in both scripts, CIN, phone. Rowid = applicants.rid.
-- Queries are words and word prefixes only, so positions are not stored (detail = none).
CREATE VIRTUAL TABLE applicants_fts USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3',
    detail = none
);

CREATE TABLE projects (
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
    kind          TEXT GENERATED ALWAYS AS (json_extract(data, '$.kind')) VIRTUAL,
    promoter_id   TEXT GENERATED ALWAYS AS (json_extract(data, '$.promoter_id')) VIRTUAL,
    jobs_total    INTEGER GENERATED ALWAYS AS (json_extract(data, '$.jobs_planned.total')) VIRTUAL,
    jobs_family   INTEGER GENERATED ALWAYS AS (json_extract(data, '$.jobs_planned.family')) VIRTUAL
);
CREATE INDEX projects_promoter ON projects (promoter_id);
CREATE INDEX projects_list ON projects (deleted_at, sort_key);
-- Covers the dashboard's counts by kind and sums of planned jobs without reading the rows.
CREATE INDEX projects_figures ON projects (deleted_at, kind, jobs_total, jobs_family);

CREATE TABLE dossiers (
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
    number        TEXT GENERATED ALWAYS AS (json_extract(data, '$.number')) VIRTUAL,
    status        TEXT GENERATED ALWAYS AS (json_extract(data, '$.status')) VIRTUAL,
    project_id    TEXT GENERATED ALWAYS AS (json_extract(data, '$.project_id')) VIRTUAL,
    applicant_id  TEXT GENERATED ALWAYS AS (json_extract(data, '$.applicant_id')) VIRTUAL
);
CREATE UNIQUE INDEX dossiers_number ON dossiers (number);
CREATE INDEX dossiers_project ON dossiers (project_id);
CREATE INDEX dossiers_applicant ON dossiers (applicant_id);
CREATE INDEX dossiers_status ON dossiers (deleted_at, status);

CREATE TABLE decisions (
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
    dossier_id    TEXT GENERATED ALWAYS AS (json_extract(data, '$.dossier_id')) VIRTUAL
);
CREATE INDEX decisions_dossier ON decisions (dossier_id);

CREATE TABLE funding_lines (
    rid              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    owner            TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    delete_reason    TEXT,
    sort_key         TEXT NOT NULL,
    label            TEXT NOT NULL,
    data             TEXT NOT NULL,
    dossier_id       TEXT GENERATED ALWAYS AS (json_extract(data, '$.dossier_id')) VIRTUAL,
    source_kind      TEXT GENERATED ALWAYS AS (json_extract(data, '$.source.kind')) VIRTUAL,
    committed_centimes INTEGER GENERATED ALWAYS AS (json_extract(data, '$.committed')) VIRTUAL,
    year             INTEGER GENERATED ALWAYS AS (json_extract(data, '$.year')) VIRTUAL
);
CREATE INDEX funding_lines_dossier ON funding_lines (dossier_id);
CREATE INDEX funding_lines_figures ON funding_lines (deleted_at, source_kind, committed_centimes);
CREATE INDEX funding_lines_source ON funding_lines (id, source_kind, deleted_at);

CREATE TABLE disbursements (
    rid              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    owner            TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT,
    delete_reason    TEXT,
    sort_key         TEXT NOT NULL,
    label            TEXT NOT NULL,
    data             TEXT NOT NULL,
    funding_line_id  TEXT GENERATED ALWAYS AS (json_extract(data, '$.funding_line_id')) VIRTUAL,
    dossier_id       TEXT GENERATED ALWAYS AS (json_extract(data, '$.dossier_id')) VIRTUAL,
    amount_centimes  INTEGER GENERATED ALWAYS AS (json_extract(data, '$.amount')) VIRTUAL
);
CREATE INDEX disbursements_line ON disbursements (funding_line_id);
CREATE INDEX disbursements_dossier ON disbursements (dossier_id);
CREATE INDEX disbursements_figures ON disbursements (deleted_at, funding_line_id, amount_centimes);

CREATE TABLE programmes (
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
    code          TEXT GENERATED ALWAYS AS (json_extract(data, '$.code')) VIRTUAL
);
CREATE INDEX programmes_code ON programmes (code);

CREATE TABLE visits (
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
    project_id    TEXT GENERATED ALWAYS AS (json_extract(data, '$.project_id')) VIRTUAL
);
CREATE INDEX visits_project ON visits (project_id);

-- The change log that sync bundles carry: one line per business write, numbered for ever. A
-- bundle carries the rows named in its range as they stand when it is written (a later version
-- supersedes an earlier one), so the line itself holds no copy of the row.
CREATE TABLE outbox (
    change_no  INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    owner      TEXT NOT NULL,
    version    INTEGER NOT NULL
);

-- Live (not deleted) rows per business table, kept by the write path (not by triggers: a
-- trigger makes every insert open a statement journal, which flushes the search index each
-- time): lists show totals without counting a million rows.
CREATE TABLE live_counts (
    table_name TEXT PRIMARY KEY,
    live       INTEGER NOT NULL
);

-- The audit log: a hash chain over entries. Hashes are 32-byte SHA-256 blobs; each entry_hash
-- covers the previous entry's. The personal content of an entry is kept apart from what the
-- hash covers (only its hash is chained), so retention rules can erase it (content = NULL,
-- erased_at, erase_reason) without breaking the chain.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    table_name   TEXT,
    row_id       TEXT,
    row_hash     BLOB,
    content_hash BLOB NOT NULL,
    entry_hash   BLOB NOT NULL,
    content      TEXT,
    erased_at    TEXT,
    erase_reason TEXT
);
CREATE INDEX audit_log_row ON audit_log (row_id, seq) WHERE row_id IS NOT NULL;

INSERT INTO live_counts (table_name, live) VALUES
    ('card_holders', 0),
    ('applicants', 0),
    ('projects', 0),
    ('dossiers', 0),
    ('decisions', 0),
    ('funding_lines', 0),
    ('disbursements', 0),
    ('programmes', 0),
    ('visits', 0);
