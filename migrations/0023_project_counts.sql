-- The projects created, counted by office, province (or, without one, promoter), kind and year
-- of creation: what the annual report's figures of projects read for whole years, in a few
-- thousand rows instead of a million. Kept by triggers, so that every write path (the window,
-- CSV imports, history, bundles, restores, retention) keeps it right; never sent.
CREATE TABLE project_counts (
    owner       TEXT NOT NULL,
    province    TEXT NOT NULL,          -- '' for a project without one
    promoter    TEXT NOT NULL,          -- its promoter's id when it has no province, else ''
    kind        TEXT NOT NULL,
    year        INTEGER NOT NULL,       -- of its creation date (else of its registration)
    n           INTEGER NOT NULL,
    jobs_total  INTEGER NOT NULL,
    jobs_family INTEGER NOT NULL,
    PRIMARY KEY (owner, province, promoter, kind, year)
) WITHOUT ROWID;

INSERT INTO project_counts
SELECT owner, coalesce(province, ''), CASE WHEN province IS NULL THEN coalesce(promoter_id, '') ELSE '' END, kind,
       CAST(substr(created_on, 1, 4) AS INTEGER), count(*), coalesce(sum(jobs_total), 0), coalesce(sum(jobs_family), 0)
FROM projects WHERE deleted_at IS NULL AND kind IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER project_counts_insert AFTER INSERT ON projects
WHEN NEW.deleted_at IS NULL AND NEW.kind IS NOT NULL BEGIN
    INSERT INTO project_counts VALUES (
        NEW.owner, coalesce(NEW.province, ''),
        CASE WHEN NEW.province IS NULL THEN coalesce(NEW.promoter_id, '') ELSE '' END, NEW.kind,
        CAST(substr(NEW.created_on, 1, 4) AS INTEGER), 1, coalesce(NEW.jobs_total, 0), coalesce(NEW.jobs_family, 0))
    ON CONFLICT DO UPDATE SET n = n + 1, jobs_total = jobs_total + excluded.jobs_total,
        jobs_family = jobs_family + excluded.jobs_family;
END;

-- An update takes the old state out and puts the new one in (a tombstone only takes out).
CREATE TRIGGER project_counts_update_out AFTER UPDATE ON projects
WHEN OLD.deleted_at IS NULL AND OLD.kind IS NOT NULL BEGIN
    UPDATE project_counts SET n = n - 1, jobs_total = jobs_total - coalesce(OLD.jobs_total, 0),
        jobs_family = jobs_family - coalesce(OLD.jobs_family, 0)
    WHERE owner = OLD.owner AND province = coalesce(OLD.province, '')
      AND promoter = CASE WHEN OLD.province IS NULL THEN coalesce(OLD.promoter_id, '') ELSE '' END
      AND kind = OLD.kind AND year = CAST(substr(OLD.created_on, 1, 4) AS INTEGER);
END;
CREATE TRIGGER project_counts_update_in AFTER UPDATE ON projects
WHEN NEW.deleted_at IS NULL AND NEW.kind IS NOT NULL BEGIN
    INSERT INTO project_counts VALUES (
        NEW.owner, coalesce(NEW.province, ''),
        CASE WHEN NEW.province IS NULL THEN coalesce(NEW.promoter_id, '') ELSE '' END, NEW.kind,
        CAST(substr(NEW.created_on, 1, 4) AS INTEGER), 1, coalesce(NEW.jobs_total, 0), coalesce(NEW.jobs_family, 0))
    ON CONFLICT DO UPDATE SET n = n + 1, jobs_total = jobs_total + excluded.jobs_total,
        jobs_family = jobs_family + excluded.jobs_family;
END;
CREATE TRIGGER project_counts_delete AFTER DELETE ON projects
WHEN OLD.deleted_at IS NULL AND OLD.kind IS NOT NULL BEGIN
    UPDATE project_counts SET n = n - 1, jobs_total = jobs_total - coalesce(OLD.jobs_total, 0),
        jobs_family = jobs_family - coalesce(OLD.jobs_family, 0)
    WHERE owner = OLD.owner AND province = coalesce(OLD.province, '')
      AND promoter = CASE WHEN OLD.province IS NULL THEN coalesce(OLD.promoter_id, '') ELSE '' END
      AND kind = OLD.kind AND year = CAST(substr(OLD.created_on, 1, 4) AS INTEGER);
END;
