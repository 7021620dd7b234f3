//! The bilan's facts (`bilan_facts`: one narrow row per live dossier; `bilan_money`: one per
//! funding line and per payment of those dossiers), kept up to date from the outbox, so that a
//! bilan over a million dossiers reads two tables. A cache: it is brought up to date before it
//! is read and rebuilt whole when the outbox no longer says what changed.

use rusqlite::{Connection, params};

use super::StoreError;
use super::sync::last_change;

/// The facts of the dossiers whose id is in `temp.bilan_targets` (or of every dossier). Their
/// `applicant_id` is the person's: an applicant the delegation found to be the same person as
/// another (a duplicate review) counts under the other's id, so a person counts once. `+` keeps
/// SQLite from the `deleted_at` index, which read every dossier when a few had changed.
const FACTS: &str = "
    SELECT d.rid, d.id, d.number, d.owner, json_extract(d.data, '$.kind'), json_extract(d.data, '$.deposited_on'),
           d.status, json_extract(a.data, '$.province_code'), json_extract(a.data, '$.amo') IS NOT NULL,
           coalesce((SELECT min(r.first_id) FROM duplicate_reviews r
                     WHERE r.second_id = d.applicant_id AND r.deleted_at IS NULL
                       AND json_extract(r.data, '$.verdict') = 'same_person'), d.applicant_id),
           d.project_id, coalesce(pr.jobs_total, 0), coalesce(pr.jobs_family, 0),
           (SELECT min(p.paid_on) FROM disbursements p WHERE p.dossier_id = d.id AND p.deleted_at IS NULL),
           c.approved, c.decided_on, 0, 0
    FROM dossiers d
    LEFT JOIN applicants a ON a.id = d.applicant_id
    LEFT JOIN projects pr ON pr.id = d.project_id AND pr.deleted_at IS NULL
    LEFT JOIN decisions c ON c.rid = (SELECT max(rid) FROM decisions x WHERE x.dossier_id = d.id AND x.deleted_at IS NULL)
    WHERE +d.deleted_at IS NULL";

/// The money rows of the dossiers whose facts are in `bilan_facts` (`{WHERE}`: which ones). The
/// facts drive (`CROSS JOIN` keeps them the outer loop): a few thousand changed dossiers must not
/// become a scan of every funding line and payment (7 s at a million dossiers).
const MONEY: &str = "
    INSERT INTO bilan_money (dossier_rid, paid, source_kind, programme, amount, year, paid_on)
    SELECT f.dossier_rid, 0, l.source_kind, l.programme_code, l.committed_centimes, l.year, NULL
    FROM bilan_facts f CROSS JOIN funding_lines l ON l.dossier_id = f.dossier_id AND l.deleted_at IS NULL
    {WHERE}
    UNION ALL
    SELECT f.dossier_rid, 1, l.source_kind, l.programme_code, p.amount_centimes, NULL, p.paid_on
    FROM bilan_facts f CROSS JOIN disbursements p ON p.dossier_id = f.dossier_id AND p.deleted_at IS NULL
         CROSS JOIN funding_lines l ON l.id = p.funding_line_id AND l.deleted_at IS NULL
    {WHERE}";

/// The dossiers a change since `mark` may have moved: the dossier itself, those of a changed
/// beneficiary or project, those of a changed funding line, payment or decision, those of a
/// reviewed pair.
const TARGETS: &str = "
    INSERT OR IGNORE INTO temp.bilan_targets (id)
    SELECT row_id FROM outbox WHERE change_no > ?1 AND table_name = 'dossiers'
    UNION SELECT d.id FROM outbox o JOIN dossiers d ON d.applicant_id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'applicants'
    UNION SELECT d.id FROM outbox o JOIN dossiers d ON d.project_id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'projects'
    UNION SELECT x.dossier_id FROM outbox o JOIN disbursements x ON x.id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'disbursements'
    UNION SELECT x.dossier_id FROM outbox o JOIN decisions x ON x.id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'decisions'
    UNION SELECT x.dossier_id FROM outbox o JOIN funding_lines x ON x.id = o.row_id
          WHERE o.change_no > ?1 AND o.table_name = 'funding_lines'
    UNION SELECT d.id FROM outbox o JOIN duplicate_reviews r ON r.id = o.row_id
          JOIN dossiers d ON d.applicant_id IN (r.first_id, r.second_id)
          WHERE o.change_no > ?1 AND o.table_name = 'duplicate_reviews'";

/// The last change folded into the facts (-1: never built).
pub fn mark(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT change_no FROM bilan_facts_mark WHERE id = 1", [], |r| r.get(0))?)
}

/// Brings the facts up to date; returns how many dossiers were recomputed.
pub fn refresh(conn: &Connection) -> Result<usize, StoreError> {
    let mark = mark(conn)?;
    let last = last_change(conn)?;
    if mark == last {
        return Ok(0);
    }
    super::in_savepoint(conn, "bilan_facts", || fold(conn, mark, last))
}

/// Who comes first among the paid dossiers of a project, and of a beneficiary (`WHERE` to add).
const FIRSTS: &str = "
    UPDATE bilan_facts AS f SET
        project_first = f.first_paid IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM bilan_facts g WHERE g.project_id = f.project_id AND g.first_paid IS NOT NULL
              AND (g.first_paid < f.first_paid OR (g.first_paid = f.first_paid AND g.number < f.number))),
        person_first = f.first_paid IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM bilan_facts g WHERE g.applicant_id = f.applicant_id AND g.first_paid IS NOT NULL
              AND (g.first_paid < f.first_paid OR (g.first_paid = f.first_paid AND g.number < f.number)))";

/// The projects and beneficiaries of the target dossiers' facts (before and after a change).
const NEIGHBOURS: &str = "
    INSERT OR IGNORE INTO temp.bilan_neighbours (kind, id)
    SELECT 'p', project_id FROM bilan_facts WHERE dossier_id IN (SELECT id FROM temp.bilan_targets)
    UNION SELECT 'a', applicant_id FROM bilan_facts WHERE dossier_id IN (SELECT id FROM temp.bilan_targets)";

fn fold(conn: &Connection, mark: i64, last: i64) -> Result<usize, StoreError> {
    // The outbox says what changed only if it still holds every line after the mark.
    let first_held: Option<i64> =
        conn.query_row("SELECT min(change_no) FROM outbox WHERE change_no > ?1", [mark], |r| r.get(0))?;
    let whole = mark < 0 || mark > last || first_held.is_none_or(|first| first > mark + 1);
    let n = if whole {
        conn.execute_batch("DELETE FROM bilan_facts; DELETE FROM bilan_money;")?;
        let n = conn.execute(&format!("INSERT INTO bilan_facts {FACTS}"), [])?;
        conn.execute(FIRSTS, [])?;
        conn.execute(&MONEY.replace("{WHERE}", ""), [])?;
        n
    } else {
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS bilan_targets (id TEXT PRIMARY KEY);
             CREATE TEMP TABLE IF NOT EXISTS bilan_neighbours (kind TEXT, id TEXT, PRIMARY KEY (kind, id));
             DELETE FROM temp.bilan_targets; DELETE FROM temp.bilan_neighbours;",
        )?;
        conn.execute(TARGETS, [mark])?;
        conn.execute(NEIGHBOURS, [])?;
        conn.execute(
            "DELETE FROM bilan_money WHERE dossier_rid IN
                 (SELECT dossier_rid FROM bilan_facts WHERE dossier_id IN (SELECT id FROM temp.bilan_targets))",
            [],
        )?;
        conn.execute("DELETE FROM bilan_facts WHERE dossier_id IN (SELECT id FROM temp.bilan_targets)", [])?;
        let n = conn
            .execute(&format!("INSERT INTO bilan_facts {FACTS} AND d.id IN (SELECT id FROM temp.bilan_targets)"), [])?;
        conn.execute(&MONEY.replace("{WHERE}", "WHERE f.dossier_id IN (SELECT id FROM temp.bilan_targets)"), [])?;
        conn.execute(NEIGHBOURS, [])?;
        conn.execute(
            &format!(
                "{FIRSTS} WHERE f.project_id IN (SELECT id FROM temp.bilan_neighbours WHERE kind = 'p')
                     OR f.applicant_id IN (SELECT id FROM temp.bilan_neighbours WHERE kind = 'a')"
            ),
            [],
        )?;
        n
    };
    conn.execute("UPDATE bilan_facts_mark SET change_no = ?1 WHERE id = 1", params![last])?;
    Ok(n)
}
