-- The annual report counts the projects created — funded or not, history included — by their
-- creation date (else the day they were registered), kind, office and province, with their
-- planned jobs: read from one covering index rather than from each project's JSON.
ALTER TABLE projects ADD COLUMN created_on TEXT GENERATED ALWAYS AS
    (coalesce(json_extract(data, '$.created_on'), substr(created_at, 1, 10))) VIRTUAL;
ALTER TABLE projects ADD COLUMN province TEXT GENERATED ALWAYS AS (json_extract(data, '$.province_code')) VIRTUAL;
-- In the order the figures group them (office, province, kind), so that SQLite counts each
-- group as it reads, without sorting a million rows; `promoter_id` for a project without a
-- province (it is in its promoter's).
CREATE INDEX projects_created
    ON projects (deleted_at, owner, province, kind, created_on, jobs_total, jobs_family, promoter_id);
