-- The commission's reasons a delegation (or an office that stands alone) adds to the bilingual
-- list shipped with Daftar: business rows published down like the checklists, so that an office
-- prints in both languages a reason its delegation defined.
CREATE TABLE commission_reasons (
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
CREATE INDEX commission_reasons_code ON commission_reasons (code);

INSERT INTO live_counts (table_name, live) VALUES ('commission_reasons', 0);
