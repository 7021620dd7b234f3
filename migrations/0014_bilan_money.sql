-- The bilan's money facts, beside `bilan_facts`: one narrow row per live funding line (`paid` 0:
-- committed, its budget `year`) and per live disbursement of a live funding line (`paid` 1, its
-- `paid_on`) of a dossier in `bilan_facts`, with that dossier's `dossier_rid` and the line's
-- source. A bilan then reads the money of a million dossiers without joining, parsing ids or
-- looking dossiers up by id. A cache like `bilan_facts`, kept up to date with it (src/store/
-- facts.rs); filled here from the dossier facts already built, so that a large delegation does
-- not rebuild both at its first bilan after the update.
CREATE TABLE bilan_money (
    dossier_rid INTEGER NOT NULL,
    paid        INTEGER NOT NULL,
    source_kind TEXT,
    programme   TEXT,
    amount      INTEGER NOT NULL,
    year        INTEGER,
    paid_on     TEXT
);
CREATE INDEX bilan_money_dossier ON bilan_money (dossier_rid);
INSERT INTO bilan_money (dossier_rid, paid, source_kind, programme, amount, year, paid_on)
SELECT f.dossier_rid, 0, l.source_kind, l.programme_code, l.committed_centimes, l.year, NULL
FROM bilan_facts f JOIN funding_lines l ON l.dossier_id = f.dossier_id AND l.deleted_at IS NULL
UNION ALL
SELECT f.dossier_rid, 1, l.source_kind, l.programme_code, p.amount_centimes, NULL, p.paid_on
FROM bilan_facts f JOIN disbursements p ON p.dossier_id = f.dossier_id AND p.deleted_at IS NULL
     JOIN funding_lines l ON l.id = p.funding_line_id AND l.deleted_at IS NULL;
