-- The annual report counts the projects created — funded or not, history included — by their
-- creation date (else the day they were registered), kind, office and province, with their
-- planned jobs: read from one covering index rather than from each project's JSON.
ALTER TABLE projects ADD COLUMN created_on TEXT GENERATED ALWAYS AS
    (coalesce(json_extract(data, '$.created_on'), substr(created_at, 1, 10))) VIRTUAL;
ALTER TABLE projects ADD COLUMN province TEXT GENERATED ALWAYS AS (json_extract(data, '$.province_code')) VIRTUAL;
CREATE INDEX projects_created
    ON projects (deleted_at, created_on, kind, jobs_total, jobs_family, owner, province, id, promoter_id);
