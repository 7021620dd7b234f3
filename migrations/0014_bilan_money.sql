-- The bilan's money facts, beside `bilan_facts`: one narrow row per live funding line (`paid` 0:
-- committed, its budget `year`) and per live disbursement of a live funding line (`paid` 1, its
-- `paid_on`) of a dossier in `bilan_facts`, with that dossier's `dossier_rid` and the line's
-- source. A bilan then reads the money of a million dossiers without joining, parsing ids or
-- looking dossiers up by id. A cache like `bilan_facts`, kept up to date with it; the mark goes
-- back to "never built" so both are built whole at the next bilan.
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
UPDATE bilan_facts_mark SET change_no = -1;
