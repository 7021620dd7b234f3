//! Reading the register: search as you type, paged lists, duplicate candidates, counts.
//! Nothing here loads a whole table: lists are pages, counts stop at a cap.

use rusqlite::{Connection, params};
use uuid::Uuid;

use super::StoreError;
use super::records::{ROW_COLUMNS, Row, all, find, read_row};
use crate::domain::Money;
use crate::domain::applicant::Applicant;
use crate::domain::dossier::Dossier;
use crate::domain::funding::{CommittedSum, EnvelopeUse, Programme, envelope_use};
use crate::domain::money::group_thousands_fr;
use crate::domain::names::search_tokens;

/// Beyond this many hits a search says "more than" instead of counting.
pub const COUNT_CAP: i64 = 1_000;

/// How many rows matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitCount {
    /// Exactly this many.
    Exactly(i64),
    /// More than [`COUNT_CAP`].
    MoreThan(i64),
}

impl std::fmt::Display for HitCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HitCount::Exactly(0) => f.write_str("aucun résultat"),
            HitCount::Exactly(1) => f.write_str("1 résultat"),
            HitCount::Exactly(n) => write!(f, "{n} résultats"),
            HitCount::MoreThan(n) => write!(f, "plus de {} résultats", group_thousands_fr(*n)),
        }
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows of the page.
    pub rows: Vec<T>,
    /// How many rows match in all.
    pub total: HitCount,
}

/// An applicant as lists show it, read from the row's label without decoding its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicantLine {
    /// The row's id.
    pub id: Uuid,
    /// The office that registered the applicant.
    pub owner: String,
    /// CIN.
    pub cin: String,
    /// Family and given names, Latin script.
    pub name: String,
    /// Given and family names, Arabic script.
    pub name_ar: String,
    /// Date of birth.
    pub birth_date: Option<chrono::NaiveDate>,
}

/// A row as lists show it: built from its id, owner and the fields of its `label`.
trait LabelLine: Sized {
    /// The table the lines come from.
    const TABLE: &'static str;
    /// Builds the line; `fields` yields the label's tab-separated fields (empty when missing).
    fn from_label(id: Uuid, owner: String, fields: &mut dyn Iterator<Item = String>) -> Self;
}

impl LabelLine for ApplicantLine {
    const TABLE: &'static str = "applicants";
    fn from_label(id: Uuid, owner: String, fields: &mut dyn Iterator<Item = String>) -> Self {
        let mut next = || fields.next().unwrap_or_default();
        ApplicantLine { id, owner, cin: next(), name: next(), name_ar: next(), birth_date: next().parse().ok() }
    }
}

/// Reads rows selected as `id, owner, label`.
fn label_lines<T: LabelLine>(mut rows: rusqlite::Rows<'_>) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt { table: T::TABLE, message: e.to_string() })?;
        let label: String = r.get(2)?;
        let mut fields = label.split('\t').map(|f| f.trim().to_owned());
        out.push(T::from_label(id, r.get(1)?, &mut fields));
    }
    Ok(out)
}

/// One alphabetical page of a table's live rows, as lines.
fn label_page<T: LabelLine>(
    conn: &Connection,
    owners: Option<&[String]>,
    page: u32,
    page_size: u32,
) -> Result<Page<T>, StoreError> {
    let table = T::TABLE;
    let offset = i64::from(page) * i64::from(page_size);
    let page_of = |filter: &str| {
        format!(
            "SELECT id, owner, label FROM {table} WHERE rid IN (
                 SELECT rid FROM {table} WHERE deleted_at IS NULL {filter} ORDER BY sort_key, rid LIMIT ?1 OFFSET ?2)
             ORDER BY sort_key, rid"
        )
    };
    let (total, rows) = match owners {
        None => {
            let mut stmt = conn.prepare_cached(&page_of(""))?;
            (live_count(conn, table)?, label_lines(stmt.query(params![page_size, offset])?)?)
        }
        // One office: its page and its count straight from the index, in list order.
        Some([office]) => {
            let count = format!("SELECT count(*) FROM {table} WHERE deleted_at IS NULL AND owner = ?1");
            let total = conn.prepare_cached(&count)?.query_row([office], |r| r.get(0))?;
            let mut stmt = conn.prepare_cached(&page_of("AND owner = ?3"))?;
            (total, label_lines(stmt.query(params![page_size, offset, office])?)?)
        }
        Some(owners) => {
            let owners = owners_json(owners)?;
            let within = "owner IN (SELECT value FROM json_each(?1))";
            let count = format!("SELECT count(*) FROM {table} WHERE deleted_at IS NULL AND {within}");
            let total = conn.prepare_cached(&count)?.query_row([&owners], |r| r.get(0))?;
            let mut stmt = conn.prepare_cached(&page_of("AND owner IN (SELECT value FROM json_each(?3))"))?;
            (total, label_lines(stmt.query(params![page_size, offset, owners])?)?)
        }
    };
    Ok(Page { rows, total: HitCount::Exactly(total) })
}

fn owners_json(owners: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(owners).map_err(|e| StoreError::Corrupt { table: "applicants", message: e.to_string() })
}

/// The FTS5 query for what a clerk typed: every word of two characters or more, as a prefix,
/// must match. `None` when nothing searchable was typed (a single letter matches a third of the
/// register and would cost seconds on a large one: the list stays as it is until the second).
pub fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> =
        search_tokens(typed).filter(|w| w.chars().count() >= 2).map(|w| format!("\"{w}\"*")).collect();
    (!words.is_empty()).then(|| words.join(" "))
}

fn collect<T: super::records::Record>(mut rows: rusqlite::Rows<'_>) -> Result<Vec<Row<T>>, StoreError> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_row(r)?);
    }
    Ok(out)
}

/// Searches applicants by name (either script, accents and diacritics ignored, prefixes),
/// CIN or phone, newest first; or, when a date alone is typed (`12/04/1975`), those born that
/// day, in alphabetical order. `page` counts from 0.
pub fn search_applicants(
    conn: &Connection,
    typed: &str,
    owners: Option<&[String]>,
    page: u32,
    page_size: u32,
) -> Result<Page<ApplicantLine>, StoreError> {
    if let Some(born) = typed_date(typed) {
        return born_on_page(conn, born, owners, page, page_size);
    }
    let Some(query) = fts_query(typed) else {
        return label_page(conn, owners, page, page_size);
    };
    // One pass over the index: the newest matches up to the cap (or up to the page asked for,
    // when it lies beyond), which gives both the count and the page.
    let offset = i64::from(page) * i64::from(page_size);
    let wanted = (offset + i64::from(page_size)).max(COUNT_CAP + 1);
    let rowids: Vec<i64> = match owners {
        None => newest_matches(conn, "applicants_fts", &query, wanted)?,
        Some(owners) => conn
            .prepare_cached(
                "SELECT f.rowid FROM applicants_fts f JOIN applicants a ON a.rid = f.rowid
                 WHERE applicants_fts MATCH ?1 AND a.owner IN (SELECT value FROM json_each(?3))
                 ORDER BY f.rowid DESC LIMIT ?2",
            )?
            .query_map(params![query, wanted, owners_json(owners)?], |r| r.get(0))?
            .collect::<Result<_, _>>()?,
    };
    let found = i64::try_from(rowids.len()).unwrap_or(i64::MAX);
    let total = if found > COUNT_CAP { HitCount::MoreThan(COUNT_CAP) } else { HitCount::Exactly(found) };
    Ok(Page { rows: lines_of_page(conn, &rowids, offset, page_size)?, total })
}

/// The lines of one page of `rids` (newest first), from `offset`.
fn lines_of_page<T: LabelLine>(
    conn: &Connection,
    rids: &[i64],
    offset: i64,
    page_size: u32,
) -> Result<Vec<T>, StoreError> {
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(rids.len());
    let end = start.saturating_add(page_size as usize).min(rids.len());
    let page = serde_json::to_string(&rids[start..end])
        .map_err(|e| StoreError::Corrupt { table: T::TABLE, message: e.to_string() })?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, owner, label FROM {} WHERE rid IN (SELECT value FROM json_each(?1)) ORDER BY rid DESC",
        T::TABLE
    ))?;
    label_lines(stmt.query([page])?)
}

/// The rowids of the newest `wanted` rows the search index `fts` matches to `query`.
fn newest_matches(conn: &Connection, fts: &str, query: &str, wanted: i64) -> Result<Vec<i64>, StoreError> {
    let sql = format!("SELECT rowid FROM {fts} WHERE {fts} MATCH ?1 ORDER BY rowid DESC LIMIT ?2");
    Ok(conn.prepare_cached(&sql)?.query_map(params![query, wanted], |r| r.get(0))?.collect::<Result<_, _>>()?)
}

/// A date typed alone, with its separators (`12/04/1975`, `12-04-1975`, `1975-04-12`): not a
/// phone number or a CIN, which have none.
fn typed_date(typed: &str) -> Option<chrono::NaiveDate> {
    let typed = typed.trim();
    let separated = typed.contains(['/', '-', '.']) && typed.chars().all(|c| c.is_ascii_digit() || "/-.".contains(c));
    separated.then(|| crate::domain::dates::parse_date_fr(typed).ok()).flatten()
}

/// One alphabetical page of the live applicants born on `born` (of `owners`, when given), from
/// the birth date's index.
fn born_on_page(
    conn: &Connection,
    born: chrono::NaiveDate,
    owners: Option<&[String]>,
    page: u32,
    page_size: u32,
) -> Result<Page<ApplicantLine>, StoreError> {
    let within =
        "deleted_at IS NULL AND birth_date = ?1 AND (?2 IS NULL OR owner IN (SELECT value FROM json_each(?2)))";
    let owners = owners.map(owners_json).transpose()?;
    let born = born.format("%Y-%m-%d").to_string();
    let total = conn
        .prepare_cached(&format!("SELECT count(*) FROM applicants WHERE {within}"))?
        .query_row(params![born, owners], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, owner, label FROM applicants WHERE {within} ORDER BY sort_key, rid LIMIT ?3 OFFSET ?4"
    ))?;
    let offset = i64::from(page) * i64::from(page_size);
    let rows = label_lines(stmt.query(params![born, owners, page_size, offset])?)?;
    Ok(Page { rows, total: HitCount::Exactly(total) })
}

/// One page of the applicant list, in alphabetical order.
pub fn list_applicants(conn: &Connection, page: u32, page_size: u32) -> Result<Page<ApplicantLine>, StoreError> {
    label_page(conn, None, page, page_size)
}

/// The number of live rows of a business table, kept by the write path.
pub fn live_count(conn: &Connection, table: &str) -> Result<i64, StoreError> {
    Ok(conn.prepare_cached("SELECT live FROM live_counts WHERE table_name = ?1")?.query_row([table], |r| r.get(0))?)
}

/// A project as lists show it, read from its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectLine {
    /// The row's id.
    pub id: Uuid,
    /// The office that registered it.
    pub owner: String,
    /// Name.
    pub name: String,
    /// Kind, in French.
    pub kind: String,
    /// Commune.
    pub commune: String,
}

impl LabelLine for ProjectLine {
    const TABLE: &'static str = "projects";
    fn from_label(id: Uuid, owner: String, fields: &mut dyn Iterator<Item = String>) -> Self {
        let mut next = || fields.next().unwrap_or_default();
        ProjectLine { id, owner, name: next(), kind: next(), commune: next() }
    }
}

/// One page of the project list, in alphabetical order.
pub fn list_projects(conn: &Connection, page: u32, page_size: u32) -> Result<Page<ProjectLine>, StoreError> {
    label_page(conn, None, page, page_size)
}

/// Searches projects by their name or commune, or by their promoter's name or CIN (as the
/// applicants' search reads them), newest first; nothing searchable typed lists them all in
/// alphabetical order. `page` counts from 0.
pub fn search_projects(
    conn: &Connection,
    typed: &str,
    page: u32,
    page_size: u32,
) -> Result<Page<ProjectLine>, StoreError> {
    let Some(query) = fts_query(typed) else {
        return label_page(conn, None, page, page_size);
    };
    let offset = i64::from(page) * i64::from(page_size);
    let wanted = (offset + i64::from(page_size)).max(COUNT_CAP + 1);
    // Both indexes read up to the cap, newest first; the promoters' projects from their index.
    // When either index had more, the count is only a floor.
    let capped = |n: usize| i64::try_from(n).unwrap_or(i64::MAX) >= wanted;
    let named = newest_matches(conn, "projects_fts", &query, wanted)?;
    let promoters = newest_matches(conn, "applicants_fts", &query, wanted)?;
    let promoters_json = serde_json::to_string(&promoters)
        .map_err(|e| StoreError::Corrupt { table: "applicants_fts", message: e.to_string() })?;
    let carried: Vec<i64> = conn
        .prepare_cached(
            "SELECT p.rid FROM projects p INDEXED BY projects_promoter
             WHERE p.promoter_id IN (SELECT a.id FROM applicants a WHERE a.rid IN (SELECT value FROM json_each(?1)))
               AND p.deleted_at IS NULL",
        )?
        .query_map([promoters_json], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let more = capped(named.len()) || capped(promoters.len());
    let mut rids: Vec<i64> = named.into_iter().chain(carried).collect();
    rids.sort_unstable_by(|a, b| b.cmp(a));
    rids.dedup();
    let found = i64::try_from(rids.len()).unwrap_or(i64::MAX);
    let total =
        if more || found > COUNT_CAP { HitCount::MoreThan(found.min(COUNT_CAP)) } else { HitCount::Exactly(found) };
    Ok(Page { rows: lines_of_page(conn, &rids, offset, page_size)?, total })
}

/// Live applicants with this CIN, at any site.
pub fn applicants_with_cin(conn: &Connection, cin: &str) -> Result<Vec<Row<Applicant>>, StoreError> {
    find(conn, "cin = ?1", cin)
}

/// Live applicants born on this date (ISO `YYYY-MM-DD`), at any site.
pub fn applicants_born_on(conn: &Connection, iso_date: &str) -> Result<Vec<Row<Applicant>>, StoreError> {
    find(conn, "birth_date = ?1", iso_date)
}

/// The dossier with this number.
pub fn dossier_by_number(conn: &Connection, number: &str) -> Result<Option<Row<Dossier>>, StoreError> {
    Ok(find::<Dossier>(conn, "number = ?1", &number.trim().to_uppercase())?.into_iter().next())
}

/// Dossiers whose number starts with `prefix` (as typed), by number, at most `limit`.
pub fn dossiers_by_number_prefix(conn: &Connection, prefix: &str, limit: u32) -> Result<Vec<Row<Dossier>>, StoreError> {
    let prefix = prefix.trim().to_uppercase();
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM dossiers WHERE number >= ?1 AND number < ?1 || char(1114111) AND deleted_at IS NULL ORDER BY number LIMIT ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    collect(stmt.query(params![prefix, limit])?)
}

/// The live dossiers of an applicant.
pub fn dossiers_of_applicant(conn: &Connection, applicant_id: Uuid) -> Result<Vec<Row<Dossier>>, StoreError> {
    find(conn, "applicant_id = ?1", &applicant_id.to_string())
}

/// Counts for `daftar stats` and the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Live card holders.
    pub card_holders: i64,
    /// Live applicants.
    pub applicants: i64,
    /// Live projects by kind code.
    pub projects_by_kind: Vec<(String, i64)>,
    /// Live dossiers by status code.
    pub dossiers_by_status: Vec<(String, i64)>,
    /// Planned jobs (total, family) over live projects.
    pub jobs_planned: (i64, i64),
    /// Committed centimes by source kind.
    pub committed_by_source: Vec<(String, i64)>,
    /// Disbursed centimes by source kind.
    pub disbursed_by_source: Vec<(String, i64)>,
    /// Committed amounts by budget year, source and convention.
    pub committed_by_year: Vec<CommittedSum>,
    /// Consumption of every programme's yearly envelopes.
    pub envelopes: Vec<EnvelopeUse>,
    /// Live follow-up visits.
    pub visits: i64,
    /// Live programmes.
    pub programmes: i64,
    /// Changes of this site and the sites below it not yet acknowledged by the parent.
    pub outbox: i64,
    /// Audit entries.
    pub audit_entries: i64,
    /// Sync conflicts waiting for a person.
    pub open_conflicts: i64,
    /// Bundles set aside until a missing one arrives.
    pub bundles_waiting: i64,
}

fn pairs(conn: &Connection, sql: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt
        .query_map([], |r| Ok((r.get::<_, Option<String>>(0)?.unwrap_or_default(), r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

fn count(conn: &Connection, sql: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

/// Sums the live funding lines by budget year, source and convention.
fn committed_by_year(conn: &Connection, year: Option<i32>) -> Result<Vec<CommittedSum>, StoreError> {
    let only = if year.is_some() { "AND year = ?1" } else { "AND ?1 IS NULL" };
    let mut stmt = conn.prepare(&format!(
        "SELECT year, source_kind, programme_code, sum(committed_centimes), count(*)
         FROM funding_lines INDEXED BY funding_lines_period
         WHERE deleted_at IS NULL {only} GROUP BY year, source_kind, programme_code"
    ))?;
    let sums = stmt
        .query_map([year], |r| {
            Ok(CommittedSum {
                year: r.get(0)?,
                source_kind: r.get(1)?,
                programme_code: r.get(2)?,
                committed: Money::from_centimes(r.get(3)?).unwrap_or(Money::ZERO),
                lines: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(sums)
}

/// The consumption of every programme's envelopes, from `sums` (see [`committed_by_year`]).
fn envelopes_from(conn: &Connection, sums: &[CommittedSum]) -> Result<Vec<EnvelopeUse>, StoreError> {
    let programmes: Vec<Programme> = all::<Programme>(conn)?.into_iter().map(|r| r.value).collect();
    Ok(envelope_use(&programmes, sums))
}

/// The consumption of every programme's yearly envelopes.
pub fn envelopes(conn: &Connection) -> Result<Vec<EnvelopeUse>, StoreError> {
    envelopes_from(conn, &committed_by_year(conn, None)?)
}

/// The consumption of every programme's envelope of `year` (its funding lines only).
pub fn envelopes_of_year(conn: &Connection, year: i32) -> Result<Vec<EnvelopeUse>, StoreError> {
    let mut uses = envelopes_from(conn, &committed_by_year(conn, Some(year))?)?;
    uses.retain(|u| u.envelope.year == year);
    Ok(uses)
}

/// Reads the counts.
pub fn stats(conn: &Connection) -> Result<Stats, StoreError> {
    let committed_by_year = committed_by_year(conn, None)?;
    Ok(Stats {
        envelopes: envelopes_from(conn, &committed_by_year)?,
        committed_by_year,
        card_holders: live_count(conn, "card_holders")?,
        applicants: live_count(conn, "applicants")?,
        projects_by_kind: pairs(
            conn,
            "SELECT kind, count(*) FROM projects WHERE deleted_at IS NULL GROUP BY kind ORDER BY kind",
        )?,
        dossiers_by_status: pairs(
            conn,
            "SELECT status, count(*) FROM dossiers WHERE deleted_at IS NULL GROUP BY status ORDER BY status",
        )?,
        jobs_planned: conn.query_row(
            "SELECT coalesce(sum(jobs_total), 0), coalesce(sum(jobs_family), 0) FROM projects WHERE deleted_at IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?,
        committed_by_source: pairs(
            conn,
            "SELECT source_kind, sum(committed_centimes) FROM funding_lines WHERE deleted_at IS NULL GROUP BY source_kind ORDER BY source_kind",
        )?,
        disbursed_by_source: pairs(
            conn,
            "SELECT l.source_kind, sum(p.paid) FROM (
                 SELECT funding_line_id, sum(amount_centimes) AS paid FROM disbursements
                 WHERE deleted_at IS NULL GROUP BY funding_line_id) p
             JOIN funding_lines AS l INDEXED BY funding_lines_source_code ON l.id = p.funding_line_id AND l.deleted_at IS NULL
             GROUP BY l.source_kind ORDER BY l.source_kind",
        )?,
        visits: live_count(conn, "visits")?,
        programmes: live_count(conn, "programmes")?,
        // Filled by the application, which knows the tree (see `today::undelivered`).
        outbox: 0,
        audit_entries: count(conn, "SELECT coalesce(max(seq), 0) FROM audit_log")?,
        open_conflicts: count(conn, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL")?,
        bundles_waiting: count(conn, "SELECT count(*) FROM bundles_in WHERE waiting IS NOT NULL")?,
    })
}

/// Runs SQLite's own integrity check; returns its complaints (empty when sound).
pub fn integrity_problems(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let lines = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(lines.into_iter().filter(|l| l != "ok").collect())
}

/// Calls `visit` with every live applicant, in birth-date order (one pass over the index: the
/// people born on one day come together).
pub fn for_each_applicant_by_birth_date(
    conn: &Connection,
    mut visit: impl FnMut(Row<Applicant>) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM applicants INDEXED BY applicants_birth_date
         WHERE birth_date IS NOT NULL AND deleted_at IS NULL ORDER BY birth_date"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        visit(read_row(r)?)?;
    }
    Ok(())
}

/// The pairs of live applicants of different offices with the same CIN (smaller id first).
pub fn same_cin_across_offices(conn: &Connection) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT a.id, b.id FROM applicants a JOIN applicants b INDEXED BY applicants_cin
             ON b.cin = a.cin AND b.id > a.id AND b.owner <> a.owner AND b.deleted_at IS NULL
         WHERE a.deleted_at IS NULL AND a.cin IN (SELECT cin FROM applicants GROUP BY cin HAVING count(*) > 1)",
    )?;
    let pairs = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for pair in pairs {
        let (a, b) = pair?;
        let parse = |s: &str| {
            Uuid::parse_str(s).map_err(|e| StoreError::Corrupt { table: "applicants", message: e.to_string() })
        };
        out.push((parse(&a)?, parse(&b)?));
    }
    Ok(out)
}
