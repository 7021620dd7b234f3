-- The dossiers as a worklist: one row per live dossier with what the list shows, sorts and
-- filters on — its applicant's and project's names included — so that the first page of any
-- sort or filter is read from indexes, even at a delegation's million dossiers.
-- Kept by triggers: every write path (the window, CSV imports, bundles, restores, retention)
-- keeps it right without knowing it exists. Never sent: each site derives its own.
CREATE TABLE worklist (
    rid             INTEGER PRIMARY KEY,            -- the dossier's rid
    dossier_id      TEXT NOT NULL,
    applicant_id    TEXT NOT NULL,
    project_id      TEXT NOT NULL,
    owner           TEXT NOT NULL,
    number          TEXT NOT NULL,
    year            INTEGER NOT NULL,
    status          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    deposited_on    TEXT NOT NULL,
    requested       INTEGER,                        -- centimes
    granted         INTEGER,                        -- centimes: its live funding lines
    sources         TEXT NOT NULL DEFAULT '',       -- their source kinds, ' hcar indh '
    applicant_key   TEXT NOT NULL DEFAULT '',       -- the applicant's sort key and label
    applicant_label TEXT NOT NULL DEFAULT '',
    project_key     TEXT NOT NULL DEFAULT '',       -- the project's
    project_label   TEXT NOT NULL DEFAULT '',
    -- What the amount column shows: granted once decided, else asked for.
    amount          INTEGER GENERATED ALWAYS AS (coalesce(granted, requested)) VIRTUAL,
    -- The status in workflow order (the status column sorts by it).
    status_rank     INTEGER GENERATED ALWAYS AS (CASE status WHEN 'depose' THEN 0 WHEN 'en-instruction' THEN 1
                        WHEN 'complet' THEN 2 WHEN 'transmis' THEN 3 WHEN 'approuve' THEN 4 WHEN 'rejete' THEN 5
                        WHEN 'finance' THEN 6 ELSE 7 END) VIRTUAL,
    -- The number's sequence, so that `2026-1` finds `…-2026-00001`.
    sequence        INTEGER GENERATED ALWAYS AS
                        (CAST(substr(number, length(rtrim(number, '0123456789')) + 1) AS INTEGER)) VIRTUAL
);
-- A list is read per group — one (status, year, kind, funding sources) — whose rows are one
-- index range already in the order asked for: each sort has its index under that prefix.
CREATE INDEX worklist_by_number ON worklist (status_rank, year, kind, sources, number);
CREATE INDEX worklist_by_applicant ON worklist (status_rank, year, kind, sources, applicant_key);
CREATE INDEX worklist_by_project ON worklist (status_rank, year, kind, sources, project_key);
CREATE INDEX worklist_by_date ON worklist (status_rank, year, kind, sources, deposited_on);
CREATE INDEX worklist_by_amount ON worklist (status_rank, year, kind, sources, amount);
CREATE INDEX worklist_sequence ON worklist (year, sequence);
CREATE INDEX worklist_applicant ON worklist (applicant_id);
CREATE INDEX worklist_project ON worklist (project_id);
CREATE INDEX worklist_dossier ON worklist (dossier_id);
-- The groups and how many dossiers each holds (a few hundred at a delegation): a list reads the
-- non-empty groups its filters keep.
CREATE TABLE worklist_groups (
    status_rank INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    sources     TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (status_rank, year, kind, sources)
);

-- What the worklist holds of one live dossier, computed from the business tables: the triggers
-- below read it (one definition). The `+` keeps SQLite on the index by dossier whatever its
-- statistics say: the bilan's indexes start with `deleted_at` and cover every live line.
CREATE VIEW worklist_source AS
SELECT d.rid, d.id AS dossier_id, d.applicant_id, d.project_id, d.owner, d.number,
       json_extract(d.data, '$.year') AS year, d.status, json_extract(d.data, '$.kind') AS kind,
       json_extract(d.data, '$.deposited_on') AS deposited_on, json_extract(d.data, '$.requested') AS requested,
       (SELECT sum(f.committed_centimes) FROM funding_lines f WHERE f.dossier_id = d.id AND +f.deleted_at IS NULL)
           AS granted,
       coalesce((SELECT ' ' || replace(group_concat(DISTINCT f.source_kind), ',', ' ') || ' ' FROM funding_lines f
                 WHERE f.dossier_id = d.id AND +f.deleted_at IS NULL), '') AS sources,
       coalesce((SELECT a.sort_key FROM applicants a WHERE a.id = d.applicant_id), '') AS applicant_key,
       coalesce((SELECT a.label FROM applicants a WHERE a.id = d.applicant_id), '') AS applicant_label,
       coalesce((SELECT p.sort_key FROM projects p WHERE p.id = d.project_id), '') AS project_key,
       coalesce((SELECT p.label FROM projects p WHERE p.id = d.project_id), '') AS project_label
FROM dossiers d
WHERE d.deleted_at IS NULL;

CREATE TRIGGER worklist_dossier_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO worklist (rid, dossier_id, applicant_id, project_id, owner, number, year, status, kind,
                          deposited_on, requested, granted, sources, applicant_key, applicant_label,
                          project_key, project_label)
    SELECT * FROM worklist_source WHERE rid = NEW.rid;
END;

-- An update (a move, a deletion, a row received) takes the row out, then puts it back as it is
-- now when it is live.
CREATE TRIGGER worklist_dossier_update AFTER UPDATE ON dossiers BEGIN
    DELETE FROM worklist WHERE rid = OLD.rid;
    INSERT INTO worklist (rid, dossier_id, applicant_id, project_id, owner, number, year, status, kind,
                          deposited_on, requested, granted, sources, applicant_key, applicant_label,
                          project_key, project_label)
    SELECT * FROM worklist_source WHERE rid = NEW.rid;
END;

CREATE TRIGGER worklist_dossier_delete AFTER DELETE ON dossiers BEGIN
    DELETE FROM worklist WHERE rid = OLD.rid;
END;

-- A name or a project changed (or arrived after its dossier): its dossiers' lines follow.
CREATE TRIGGER worklist_applicant_insert AFTER INSERT ON applicants BEGIN
    UPDATE worklist SET applicant_key = NEW.sort_key, applicant_label = NEW.label WHERE applicant_id = NEW.id;
END;
CREATE TRIGGER worklist_applicant_update AFTER UPDATE OF sort_key, label ON applicants BEGIN
    UPDATE worklist SET applicant_key = NEW.sort_key, applicant_label = NEW.label WHERE applicant_id = NEW.id;
END;
CREATE TRIGGER worklist_project_insert AFTER INSERT ON projects BEGIN
    UPDATE worklist SET project_key = NEW.sort_key, project_label = NEW.label WHERE project_id = NEW.id;
END;
CREATE TRIGGER worklist_project_update AFTER UPDATE OF sort_key, label ON projects BEGIN
    UPDATE worklist SET project_key = NEW.sort_key, project_label = NEW.label WHERE project_id = NEW.id;
END;

-- A funding line added, changed or deleted: its dossier's amount and sources follow.
CREATE TRIGGER worklist_funding_insert AFTER INSERT ON funding_lines BEGIN
    UPDATE worklist SET (granted, sources) = (SELECT granted, sources FROM worklist_source WHERE dossier_id = NEW.dossier_id)
    WHERE dossier_id = NEW.dossier_id;
END;
CREATE TRIGGER worklist_funding_update AFTER UPDATE ON funding_lines BEGIN
    UPDATE worklist SET (granted, sources) = (SELECT granted, sources FROM worklist_source WHERE dossier_id = NEW.dossier_id)
    WHERE dossier_id = NEW.dossier_id;
END;

-- The dossiers already held, in one pass over each table (the view's lookups, row by row, take
-- several times as long on a delegation's million dossiers).
INSERT INTO worklist (rid, dossier_id, applicant_id, project_id, owner, number, year, status, kind,
                      deposited_on, requested, granted, sources, applicant_key, applicant_label,
                      project_key, project_label)
SELECT d.rid, d.id, d.applicant_id, d.project_id, d.owner, d.number, json_extract(d.data, '$.year'), d.status,
       json_extract(d.data, '$.kind'), json_extract(d.data, '$.deposited_on'), json_extract(d.data, '$.requested'),
       f.granted, coalesce(f.sources, ''),
       coalesce(a.sort_key, ''), coalesce(a.label, ''), coalesce(p.sort_key, ''), coalesce(p.label, '')
FROM dossiers d
LEFT JOIN applicants a ON a.id = d.applicant_id
LEFT JOIN projects p ON p.id = d.project_id
LEFT JOIN (SELECT dossier_id, sum(committed_centimes) AS granted,
                  ' ' || replace(group_concat(DISTINCT source_kind), ',', ' ') || ' ' AS sources
           FROM funding_lines WHERE deleted_at IS NULL GROUP BY dossier_id) f ON f.dossier_id = d.id
WHERE d.deleted_at IS NULL;

INSERT INTO worklist_groups (status_rank, year, kind, sources, n)
SELECT status_rank, year, kind, sources, count(*) FROM worklist GROUP BY 1, 2, 3, 4;

-- The groups' counts follow the rows (a statement that fires a trigger imposes its own conflict
-- policy on the trigger's statements: no OR IGNORE here, a test of existence instead).
CREATE TRIGGER worklist_group_insert AFTER INSERT ON worklist BEGIN
    INSERT INTO worklist_groups (status_rank, year, kind, sources, n)
    SELECT NEW.status_rank, NEW.year, NEW.kind, NEW.sources, 0
    WHERE NOT EXISTS (SELECT 1 FROM worklist_groups WHERE status_rank = NEW.status_rank AND year = NEW.year
                      AND kind = NEW.kind AND sources = NEW.sources);
    UPDATE worklist_groups SET n = n + 1
    WHERE status_rank = NEW.status_rank AND year = NEW.year AND kind = NEW.kind AND sources = NEW.sources;
END;
CREATE TRIGGER worklist_group_delete AFTER DELETE ON worklist BEGIN
    UPDATE worklist_groups SET n = n - 1
    WHERE status_rank = OLD.status_rank AND year = OLD.year AND kind = OLD.kind AND sources = OLD.sources;
END;
CREATE TRIGGER worklist_group_update AFTER UPDATE OF sources ON worklist BEGIN
    UPDATE worklist_groups SET n = n - 1
    WHERE status_rank = OLD.status_rank AND year = OLD.year AND kind = OLD.kind AND sources = OLD.sources;
    INSERT INTO worklist_groups (status_rank, year, kind, sources, n)
    SELECT NEW.status_rank, NEW.year, NEW.kind, NEW.sources, 0
    WHERE NOT EXISTS (SELECT 1 FROM worklist_groups WHERE status_rank = NEW.status_rank AND year = NEW.year
                      AND kind = NEW.kind AND sources = NEW.sources);
    UPDATE worklist_groups SET n = n + 1
    WHERE status_rank = NEW.status_rank AND year = NEW.year AND kind = NEW.kind AND sources = NEW.sources;
END;
