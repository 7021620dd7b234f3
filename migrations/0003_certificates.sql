-- The certificate register: every attestation issued, its content hash, reprints, revocation.
CREATE TABLE certificates (
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
    applicant_id  TEXT GENERATED ALWAYS AS (json_extract(data, '$.applicant_id')) VIRTUAL,
    dossier_id    TEXT GENERATED ALWAYS AS (json_extract(data, '$.dossier_id')) VIRTUAL
);
CREATE UNIQUE INDEX certificates_number ON certificates (number);
CREATE INDEX certificates_applicant ON certificates (applicant_id);
CREATE INDEX certificates_dossier ON certificates (dossier_id);
INSERT INTO live_counts (table_name, live) VALUES ('certificates', 0);
