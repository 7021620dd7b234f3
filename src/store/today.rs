//! The counts behind today's work (the dashboard's first lines and `daftar todo`): how many rows
//! wait in each state and since when, read from the worklist (its group counts, its index on the
//! day of the last move, its received pieces) and the sync tables.

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::StoreError;
use crate::domain::dossier::Status;
use crate::domain::project::ProjectKind;

/// How many, and the oldest date among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waiting {
    /// How many.
    pub count: u64,
    /// The oldest (the day they entered the state; for a file, the day it was written).
    pub since: Option<NaiveDate>,
}

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
}

/// The live dossiers in `status`, and the oldest day one of them entered it (its last move; its
/// deposit for one that never moved): the worklist's group counts and the first entry of its
/// index on the day of the last move (the worklist brought up to date first, by the caller).
pub fn dossiers_in(conn: &Connection, status: Status) -> Result<Waiting, StoreError> {
    let rank = status as i64;
    let (count, since): (i64, Option<String>) = conn.query_row(
        "SELECT (SELECT coalesce(sum(n), 0) FROM worklist_groups WHERE status_rank = ?1),
                (SELECT moved_on FROM worklist WHERE status_rank = ?1 ORDER BY moved_on LIMIT 1)",
        [rank],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Waiting { count: count.max(0) as u64, since: date(since) })
}

/// The live dossiers deposited or in instruction that lack one of the pieces their kind
/// requires (`required`: each kind with its required codes), and the oldest deposit among them;
/// read from the worklist's rows of those two statuses (brought up to date first, by the caller).
pub fn missing_pieces(conn: &Connection, required: &[(ProjectKind, Vec<String>)]) -> Result<Waiting, StoreError> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS today_required (kind TEXT, code TEXT, PRIMARY KEY (kind, code));
         DELETE FROM temp.today_required;",
    )?;
    for (kind, codes) in required {
        for code in codes {
            conn.execute(
                "INSERT OR IGNORE INTO temp.today_required (kind, code) VALUES (?1, ?2)",
                params![kind.code(), code],
            )?;
        }
    }
    let (count, since): (i64, Option<String>) = conn.query_row(
        "SELECT count(*), min(w.deposited_on) FROM worklist w
         WHERE w.status_rank IN (?1, ?2)
           AND EXISTS (SELECT 1 FROM temp.today_required r
                       WHERE r.kind = w.kind AND instr(w.pieces, ' ' || r.code || ' ') = 0)",
        [Status::Depose as i64, Status::EnInstruction as i64],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Waiting { count: count.max(0) as u64, since: date(since) })
}

/// The conflicts not yet settled, and the day the oldest arrived.
pub fn open_conflicts(conn: &Connection) -> Result<Waiting, StoreError> {
    let (count, since): (i64, Option<String>) =
        conn.query_row("SELECT count(*), min(at) FROM conflicts WHERE resolved_at IS NULL", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(Waiting { count: count.max(0) as u64, since: date(since) })
}

/// The supervised sites (not revoked) and the day each last sent a bundle (`None`: never).
pub fn children_last_heard(conn: &Connection) -> Result<Vec<(String, Option<NaiveDate>)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT p.code, i.last_at FROM peers p LEFT JOIN sync_in i ON i.sender = p.code
         WHERE p.relation = 'child' AND p.revoked_at IS NULL ORDER BY p.code",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
    rows.map(|row| row.map(|(code, at)| (code, date(at))).map_err(StoreError::from)).collect()
}

/// The day this site last wrote a bundle for `parent` (`None`: never).
pub fn last_sent(conn: &Connection, parent: &str) -> Result<Option<NaiveDate>, StoreError> {
    let at: Option<String> = conn
        .query_row("SELECT last_sent_at FROM sync_out WHERE recipient = ?1", [parent], |r| r.get(0))
        .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;
    Ok(date(at))
}
