-- What today's work reads of the dossiers from their transmission on, kept in the worklist row by
-- its refresh like the pieces of 0018: whether the commission's decision is recorded here (at a
-- delegation, the office's row stays *transmis* until the office applies the reply), what was
-- paid (centimes), the first and last payment days, the last follow-up visit of the project and
-- whether a certificate (not revoked) was issued. The lines that read them scan small partial
-- indexes.
ALTER TABLE worklist ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE worklist ADD COLUMN first_paid TEXT NOT NULL DEFAULT '';
ALTER TABLE worklist ADD COLUMN last_paid TEXT NOT NULL DEFAULT '';
ALTER TABLE worklist ADD COLUMN visited_on TEXT NOT NULL DEFAULT '';
ALTER TABLE worklist ADD COLUMN certified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE worklist ADD COLUMN decided INTEGER NOT NULL DEFAULT 0;
UPDATE worklist SET decided = 1 WHERE status <> 'transmis' OR EXISTS (
    SELECT 1 FROM decisions x WHERE x.dossier_id = worklist.dossier_id AND x.deleted_at IS NULL);
UPDATE worklist SET (paid, first_paid, last_paid) = (
    SELECT coalesce(sum(x.amount_centimes), 0), coalesce(min(json_extract(x.data, '$.paid_on')), ''),
           coalesce(max(json_extract(x.data, '$.paid_on')), '')
    FROM disbursements x WHERE x.dossier_id = worklist.dossier_id AND +x.deleted_at IS NULL)
WHERE status IN ('finance', 'cloture');
UPDATE worklist SET visited_on = coalesce((
    SELECT max(json_extract(v.data, '$.visited_on')) FROM visits v
    WHERE v.project_id = worklist.project_id AND +v.deleted_at IS NULL), '')
WHERE status IN ('finance', 'cloture');
UPDATE worklist SET certified = EXISTS (
    SELECT 1 FROM certificates c WHERE c.dossier_id = worklist.dossier_id AND +c.deleted_at IS NULL
    AND json_extract(c.data, '$.revoked') IS NULL)
WHERE status IN ('finance', 'cloture');
-- The financed dossiers with what the follow-up lines compare (a scan of this index answers them).
CREATE INDEX worklist_financed ON worklist (first_paid, last_paid, visited_on, paid, granted, certified)
WHERE status_rank = 6;
-- The transmitted dossiers whose decision is still to take.
CREATE INDEX worklist_undecided ON worklist (moved_on) WHERE status_rank = 3 AND decided = 0;
-- The dossiers to instruct with their pieces (the missing-pieces line scans it).
CREATE INDEX worklist_to_instruct ON worklist (kind, deposited_on, pieces) WHERE status_rank IN (0, 1);
