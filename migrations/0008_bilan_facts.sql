-- The bilan's facts: one narrow row per live dossier with what the indicators need (its office,
-- kind, dates, status, the beneficiary's province and AMO cover, the project's planned jobs, the
-- first payment, the commission's decision), so that a delegation's bilan reads one table
-- instead of joining five and parsing their JSON. A cache kept up to date from the outbox:
-- `bilan_facts_mark` holds the last change folded in (-1: never built; rebuilt whole whenever
-- it cannot be brought up to date line by line).
CREATE TABLE bilan_facts (
    dossier_rid  INTEGER PRIMARY KEY,
    dossier_id   TEXT NOT NULL,
    number       TEXT NOT NULL,
    owner        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    deposited_on TEXT,
    status       TEXT,
    province     TEXT,
    amo          INTEGER NOT NULL,
    applicant_id TEXT,
    project_id   TEXT,
    jobs_total   INTEGER NOT NULL,
    jobs_family  INTEGER NOT NULL,
    first_paid   TEXT,
    approved     INTEGER,
    decided_on   TEXT,
    -- 1 when this dossier is the earliest paid of its project (of its beneficiary): a project,
    -- and a beneficiary, count once, at their first financing.
    project_first INTEGER NOT NULL DEFAULT 0,
    person_first  INTEGER NOT NULL DEFAULT 0
);
-- Money rows find their dossier's office and province in the index alone.
CREATE INDEX bilan_facts_dossier ON bilan_facts (dossier_id, number, owner, province);
CREATE INDEX bilan_facts_project ON bilan_facts (project_id, first_paid, number);
CREATE INDEX bilan_facts_person ON bilan_facts (applicant_id, first_paid, number);
CREATE TABLE bilan_facts_mark (id INTEGER PRIMARY KEY CHECK (id = 1), change_no INTEGER NOT NULL);
INSERT INTO bilan_facts_mark (id, change_no) VALUES (1, -1);

-- A period's money and the facts' inputs, read from indexes rather than from each row's JSON.
ALTER TABLE disbursements ADD COLUMN paid_on TEXT GENERATED ALWAYS AS (json_extract(data, '$.paid_on')) VIRTUAL;
CREATE INDEX disbursements_period ON disbursements (deleted_at, paid_on, dossier_id, funding_line_id, amount_centimes);
-- These three replace indexes they start with: fewer indexes to keep up on each imported row.
DROP INDEX disbursements_dossier;
CREATE INDEX disbursements_first ON disbursements (dossier_id, deleted_at, paid_on);
DROP INDEX funding_lines_envelopes;
CREATE INDEX funding_lines_period
    ON funding_lines (deleted_at, year, source_kind, programme_code, committed_centimes, dossier_id);
DROP INDEX funding_lines_source;
CREATE INDEX funding_lines_source_code ON funding_lines (id, deleted_at, source_kind, programme_code);
ALTER TABLE decisions ADD COLUMN approved INTEGER GENERATED ALWAYS AS (json_extract(data, '$.approved')) VIRTUAL;
ALTER TABLE decisions ADD COLUMN decided_on TEXT GENERATED ALWAYS AS (json_extract(data, '$.decided_on')) VIRTUAL;
DROP INDEX decisions_dossier;
CREATE INDEX decisions_live ON decisions (dossier_id, deleted_at, rid, approved, decided_on);
ALTER TABLE visits ADD COLUMN visited_on TEXT GENERATED ALWAYS AS (json_extract(data, '$.visited_on')) VIRTUAL;
ALTER TABLE visits ADD COLUMN jobs_total INTEGER GENERATED ALWAYS AS (json_extract(data, '$.jobs_verified.total')) VIRTUAL;
ALTER TABLE visits ADD COLUMN jobs_family INTEGER GENERATED ALWAYS AS (json_extract(data, '$.jobs_verified.family')) VIRTUAL;
CREATE INDEX visits_jobs ON visits (deleted_at, visited_on, project_id, jobs_total, jobs_family);
