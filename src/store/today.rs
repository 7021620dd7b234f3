//! The counts behind today's work (the dashboard's first lines and `daftar todo`): how many rows
//! wait in each state and since when, read from the worklist (its group counts, its index on the
//! day of the last move, its received pieces) and the sync tables.

use chrono::NaiveDate;
use rusqlite::Connection;

use super::StoreError;
use crate::domain::dossier::Status;

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

/// The changes after `acknowledged` (what the parent confirmed holding) about rows owned in
/// `owners` (this site's subtree: what the next bundle up carries): how many, and the day of
/// the oldest.
pub fn undelivered(conn: &Connection, acknowledged: i64, owners: &[String]) -> Result<Waiting, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT owner, at FROM outbox WHERE change_no > ?1 ORDER BY change_no")?;
    let mut rows = stmt.query([acknowledged])?;
    let mut waiting = Waiting::default();
    while let Some(r) = rows.next()? {
        let owner = r.get_ref(0)?.as_str().unwrap_or_default();
        if owners.iter().any(|o| o == owner) {
            if waiting.count == 0 {
                waiting.since = date(r.get(1)?);
            }
            waiting.count += 1;
        }
    }
    Ok(waiting)
}

/// The bundles set aside until the range before them arrives, and the day the oldest was read.
pub fn set_aside(conn: &Connection) -> Result<Waiting, StoreError> {
    let (count, since): (i64, Option<String>) =
        conn.query_row("SELECT count(*), min(read_at) FROM bundles_in WHERE waiting IS NOT NULL", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(Waiting { count: count.max(0) as u64, since: date(since) })
}

/// How many reviews of possible duplicates were recorded since `at` (a timestamp).
pub fn reviews_since(conn: &Connection, at: &str) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM duplicate_reviews WHERE created_at >= ?1 AND deleted_at IS NULL",
        [at],
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u64)
}
