-- What today's work reads, kept in the worklist row by its refresh: the day the dossier entered
-- its status (its last move; its deposit when it never moved) and the codes of the pieces
-- received (' cin demande '). The oldest of a status is then the first entry of an index, and the
-- dossiers lacking a piece are found without reading any dossier's JSON.
ALTER TABLE worklist ADD COLUMN moved_on TEXT NOT NULL DEFAULT '';
ALTER TABLE worklist ADD COLUMN pieces TEXT NOT NULL DEFAULT '';
UPDATE worklist SET (moved_on, pieces) = (
    SELECT coalesce(json_extract(d.data, '$.history[#-1].on'), json_extract(d.data, '$.deposited_on')),
           coalesce((SELECT ' ' || group_concat(json_extract(j.value, '$.code'), ' ') || ' '
                     FROM json_each(d.data, '$.documents') j), '')
    FROM dossiers d WHERE d.rid = worklist.rid);
CREATE INDEX worklist_moved ON worklist (status_rank, moved_on);
