//! The figures of a bilan for a period, each with the date that decides whether it counts
//! (definitions in `docs/indicators.md`).

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::StoreError;
use super::search::envelopes;
use crate::domain::funding::EnvelopeUse;

/// The bilan's figures for `from..=to`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BilanFigures {
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted.
    pub to: NaiveDate,
    /// Dossiers deposited in the period, by project kind code.
    pub deposited: Vec<(String, i64)>,
    /// Projects financed in the period (first disbursement in it), by kind code.
    pub financed: Vec<(String, i64)>,
    /// Projects financed since the start of the register until `to`, by kind code.
    pub financed_to_date: Vec<(String, i64)>,
    /// Planned jobs of the projects financed in the period: total, for the family.
    pub jobs_financed: (i64, i64),
    /// Planned jobs of the projects financed until `to`: total, for the family.
    pub jobs_to_date: (i64, i64),
    /// Centimes committed on budget years of the period, by source kind.
    pub committed: Vec<(String, i64)>,
    /// Centimes paid in the period, by source kind.
    pub disbursed: Vec<(String, i64)>,
    /// Live dossiers by status code, today.
    pub status_now: Vec<(String, i64)>,
    /// Envelopes of the period's budget years.
    pub envelopes: Vec<EnvelopeUse>,
}

fn pairs(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt
        .query_map(args, |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// Dossiers with their first disbursement date (SQL fragment).
const FIRST_PAYMENT: &str =
    "SELECT d.id, json_extract(d.data, '$.kind') AS kind, d.project_id, min(json_extract(p.data, '$.paid_on')) AS first
     FROM disbursements p JOIN dossiers d ON d.id = p.dossier_id AND d.deleted_at IS NULL
     WHERE p.deleted_at IS NULL GROUP BY d.id";

fn jobs(conn: &Connection, condition: &str, from: &str, to: &str) -> Result<(i64, i64), StoreError> {
    let sql = format!(
        "SELECT coalesce(sum(pr.jobs_total), 0), coalesce(sum(pr.jobs_family), 0)
         FROM ({FIRST_PAYMENT}) f JOIN projects pr ON pr.id = f.project_id AND pr.deleted_at IS NULL WHERE {condition}"
    );
    Ok(conn.query_row(&sql, params![from, to], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Reads the bilan of `from..=to`.
pub fn bilan(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<BilanFigures, StoreError> {
    use chrono::Datelike as _;
    let (f, t) = (from.to_string(), to.to_string());
    let in_period = "f.first BETWEEN ?1 AND ?2";
    let to_date = "f.first <= ?2";
    let by_kind = |condition: &str| -> Result<Vec<(String, i64)>, StoreError> {
        pairs(
            conn,
            &format!(
                "SELECT f.kind, count(*) FROM ({FIRST_PAYMENT}) f WHERE {condition} GROUP BY f.kind ORDER BY f.kind"
            ),
            params![f, t],
        )
    };
    let years = from.year()..=to.year();
    Ok(BilanFigures {
        from,
        to,
        deposited: pairs(
            conn,
            "SELECT json_extract(data, '$.kind'), count(*) FROM dossiers
             WHERE deleted_at IS NULL AND json_extract(data, '$.deposited_on') BETWEEN ?1 AND ?2
             GROUP BY 1 ORDER BY 1",
            params![f, t],
        )?,
        financed: by_kind(in_period)?,
        financed_to_date: by_kind(to_date)?,
        jobs_financed: jobs(conn, in_period, &f, &t)?,
        jobs_to_date: jobs(conn, to_date, &f, &t)?,
        committed: pairs(
            conn,
            "SELECT source_kind, sum(committed_centimes) FROM funding_lines
             WHERE deleted_at IS NULL AND year BETWEEN ?1 AND ?2 GROUP BY source_kind ORDER BY source_kind",
            params![from.year(), to.year()],
        )?,
        disbursed: pairs(
            conn,
            "SELECT l.source_kind, sum(p.amount_centimes) FROM disbursements p
             JOIN funding_lines l ON l.id = p.funding_line_id AND l.deleted_at IS NULL
             WHERE p.deleted_at IS NULL AND json_extract(p.data, '$.paid_on') BETWEEN ?1 AND ?2
             GROUP BY l.source_kind ORDER BY l.source_kind",
            params![f, t],
        )?,
        status_now: pairs(
            conn,
            "SELECT status, count(*) FROM dossiers WHERE deleted_at IS NULL GROUP BY status ORDER BY status",
            [],
        )?,
        envelopes: envelopes(conn)?.into_iter().filter(|u| years.contains(&u.envelope.year)).collect(),
    })
}
