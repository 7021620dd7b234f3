//! What a transfer moves, and moving it: the rows an office holds about one applicant change
//! owner, with an outbox line each so the figures and the sites above follow.

use rusqlite::{Connection, OptionalExtension as _, params};
use uuid::Uuid;

use super::StoreError;
use super::records::Table;
use crate::domain::transfer::MovedRow;

/// The rows `office` owns about the applicant `applicant`: the applicant, their card holder
/// (the new office needs it for its certificates; the old one keeps its copy for the rest of the
/// family, read-only), the projects they promote, the dossiers they or those projects hold, and
/// the funding lines, disbursements and visits of those.
pub fn rows_about(conn: &Connection, applicant: Uuid, office: &str) -> Result<Vec<MovedRow>, StoreError> {
    const SQL: &str = "
        WITH p AS (SELECT id FROM projects WHERE promoter_id = ?1 AND owner = ?2),
             d AS (SELECT id FROM dossiers WHERE owner = ?2
                     AND (applicant_id = ?1 OR project_id IN (SELECT id FROM p)))
        SELECT 'applicants', id FROM applicants WHERE id = ?1 AND owner = ?2
        UNION ALL SELECT 'card_holders', c.id FROM card_holders c
            WHERE c.owner = ?2 AND c.id = (SELECT json_extract(data, '$.card_holder_id') FROM applicants WHERE id = ?1)
        UNION ALL SELECT 'projects', id FROM p
        UNION ALL SELECT 'dossiers', id FROM d
        UNION ALL SELECT 'funding_lines', id FROM funding_lines WHERE owner = ?2 AND dossier_id IN (SELECT id FROM d)
        UNION ALL SELECT 'disbursements', id FROM disbursements WHERE owner = ?2 AND dossier_id IN (SELECT id FROM d)
        UNION ALL SELECT 'visits', id FROM visits WHERE owner = ?2 AND project_id IN (SELECT id FROM p)";
    let mut stmt = conn.prepare(SQL)?;
    let rows = stmt.query_map(params![applicant.to_string(), office], |r| {
        let id: String = r.get(1)?;
        Ok((r.get::<_, String>(0)?, id))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (table, id) = row?;
        let id =
            Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt { table: "transfers", message: e.to_string() })?;
        out.push(MovedRow { table, id });
    }
    Ok(out)
}

/// Gives the row `id` of `table` held here under `from` to `to`, keeping its version, and
/// notes it in the outbox. Returns whether a row moved (one held under another owner, or not
/// held, stays as it is).
pub fn reassign(conn: &Connection, table: Table, id: Uuid, from: &str, to: &str, at: &str) -> Result<bool, StoreError> {
    let sql = format!("UPDATE {} SET owner = ?3 WHERE id = ?1 AND owner = ?2 RETURNING version", table.name());
    let version: Option<i64> =
        conn.prepare_cached(&sql)?.query_row(params![id.to_string(), from, to], |r| r.get(0)).optional()?;
    let Some(version) = version else { return Ok(false) };
    conn.prepare_cached("INSERT INTO outbox (at, table_name, row_id, owner, version) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![at, table.name(), id.to_string(), to, version])?;
    Ok(true)
}

/// The office a live transfer held here gave the row `id` to (the latest one), if any.
pub fn moved_to(conn: &Connection, id: Uuid) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT json_extract(t.data, '$.to_office') FROM transfers t, json_each(t.data, '$.rows') m
             WHERE t.deleted_at IS NULL AND json_extract(m.value, '$.id') = ?1 ORDER BY t.rid DESC LIMIT 1",
        )?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?)
}
