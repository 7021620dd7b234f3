//! The bilan: one pass over the register that says, for each dossier, funding line and
//! disbursement, which indicators it adds to (the registry is `domain::indicators`). The same
//! pass adds the figures up and lists the dossiers behind one figure, so a figure and its
//! drill-down cannot disagree.

use std::collections::HashMap;

use chrono::{Datelike as _, NaiveDate};
use rusqlite::{Connection, params};
use uuid::Uuid;

use super::StoreError;
use super::records::all;
use crate::domain::dossier::Status;
use crate::domain::funding::Programme;
use crate::domain::indicators::{Bilan, Breakdown, Tally, UNKNOWN_GROUP, kind_detail, source_detail, status_detail};
use crate::domain::project::ProjectKind;

/// One thing counted: `value` added to the indicator `key`, in `group` when broken down, because
/// of `dossier` (its number and office; none for an envelope's amount).
#[derive(Debug, Clone, Copy)]
pub struct Contribution<'a> {
    /// The indicator.
    pub key: &'a str,
    /// Its group (office, province or region) when the bilan is broken down.
    pub group: Option<&'a str>,
    /// What it adds.
    pub value: i64,
    /// The dossier behind it: its number and its office.
    pub dossier: Option<(&'a str, &'a str)>,
}

/// A dossier behind a figure, with what it adds to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillLine {
    /// The dossier's number.
    pub dossier: String,
    /// Its office.
    pub office: String,
    /// What it adds (a count, jobs, or centimes).
    pub value: i64,
}

/// The bilan of `from..=to`, broken down `by` when asked.
pub fn bilan(conn: &Connection, from: NaiveDate, to: NaiveDate, by: Option<Breakdown>) -> Result<Bilan, StoreError> {
    let mut tally = Tally::default();
    pass(conn, from, to, by, &mut |c| tally.add(c.key, c.group, c.value))?;
    Ok(tally.finish(from, to, by))
}

/// The dossiers behind the figure `key` (in `group`, when given), in number order.
pub fn drill_down(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<Breakdown>,
    key: &str,
    group: Option<&str>,
) -> Result<Vec<DrillLine>, StoreError> {
    let mut lines: HashMap<(String, String), i64> = HashMap::new();
    pass(conn, from, to, by, &mut |c| {
        if let Some((number, office)) = c.dossier.filter(|_| c.key == key && (group.is_none() || c.group == group)) {
            *lines.entry((number.to_owned(), office.to_owned())).or_insert(0) += c.value;
        }
    })?;
    let mut out: Vec<DrillLine> =
        lines.into_iter().map(|((dossier, office), value)| DrillLine { dossier, office, value }).collect();
    out.sort_by(|a, b| a.dossier.cmp(&b.dossier));
    Ok(out)
}

/// Where a row falls when broken down.
struct Grouping {
    by: Option<Breakdown>,
    regions: HashMap<String, String>,
}

impl Grouping {
    fn new(conn: &Connection, by: Option<Breakdown>) -> Result<Grouping, StoreError> {
        let mut regions = HashMap::new();
        if by == Some(Breakdown::Region) {
            let mut stmt = conn.prepare("SELECT code, region_code FROM ref_provinces")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                regions.insert(r.get(0)?, r.get(1)?);
            }
        }
        Ok(Grouping { by, regions })
    }

    fn group<'a>(&'a self, office: &'a str, province: Option<&'a str>) -> Option<&'a str> {
        Some(match self.by? {
            Breakdown::Office => office,
            Breakdown::Province => province.unwrap_or(UNKNOWN_GROUP),
            Breakdown::Region => province.and_then(|p| self.regions.get(p)).map_or(UNKNOWN_GROUP, String::as_str),
        })
    }
}

/// A text column as borrowed from the row (`None` for NULL).
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r str>, StoreError> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| {
        StoreError::from(rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    })
}

fn uuid_key(raw: Option<String>) -> Option<u128> {
    raw.and_then(|s| Uuid::parse_str(&s).ok()).map(|u| u.as_u128())
}

/// Walks the register once and says what counts where.
fn pass(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<Breakdown>,
    sink: &mut dyn FnMut(Contribution<'_>),
) -> Result<(), StoreError> {
    super::facts::refresh(conn)?;
    let grouping = Grouping::new(conn, by)?;
    let (f, t) = (from.to_string(), to.to_string());
    dossiers(conn, &f, &t, &grouping, sink)?;
    money(conn, from, to, &f, &t, &grouping, sink)?;
    Ok(())
}

/// The jobs seen at each project's last visit on or before `to`.
fn verified_jobs(conn: &Connection, to: &str) -> Result<HashMap<u128, (String, i64, i64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT project_id, visited_on, jobs_total, jobs_family FROM visits
         WHERE deleted_at IS NULL AND visited_on <= ?1",
    )?;
    let mut rows = stmt.query([to])?;
    let mut last: HashMap<u128, (String, i64, i64)> = HashMap::new();
    while let Some(r) = rows.next()? {
        let Some(project) = uuid_key(r.get(0)?) else { continue };
        let on: String = r.get(1)?;
        let seen = (on, r.get::<_, Option<i64>>(2)?.unwrap_or(0), r.get::<_, Option<i64>>(3)?.unwrap_or(0));
        match last.get(&project) {
            Some((held, ..)) if *held >= seen.0 => {}
            _ => {
                last.insert(project, seen);
            }
        }
    }
    Ok(last)
}

/// Dossier counts, projects financed, jobs, beneficiaries, statuses.
fn dossiers(
    conn: &Connection,
    from: &str,
    to: &str,
    grouping: &Grouping,
    sink: &mut dyn FnMut(Contribution<'_>),
) -> Result<(), StoreError> {
    let verified = verified_jobs(conn, to)?;
    let mut stmt = conn.prepare(
        "SELECT number, owner, kind, deposited_on, status, province, amo, project_id, jobs_total, jobs_family,
                first_paid, approved, decided_on, project_first, person_first
         FROM bilan_facts",
    )?;
    let mut rows = stmt.query([])?;
    let kinds: HashMap<&str, String> = ProjectKind::ALL.iter().map(|k| (k.code(), kind_detail(*k))).collect();
    let statuses: HashMap<&str, String> = Status::ALL.iter().map(|s| (s.code(), status_detail(*s))).collect();
    let mut key = String::new();
    let in_period = |date: Option<&str>| date.is_some_and(|d| (from..=to).contains(&d));
    while let Some(r) = rows.next()? {
        let (number, office) = (text(r, 0)?.unwrap_or_default(), text(r, 1)?.unwrap_or_default());
        let Some(kind) = kinds.get(text(r, 2)?.unwrap_or_default()) else { continue };
        let group = grouping.group(office, text(r, 5)?);
        let mut add = |family: &str, detail: &str, value: i64| {
            key.clear();
            key.push_str(family);
            key.push('.');
            key.push_str(detail);
            sink(Contribution { key: &key, group, value, dossier: Some((number, office)) });
        };
        if in_period(text(r, 3)?) {
            add("dossiers_deposes", kind, 1);
            add("dossiers_deposes", "total", 1);
        }
        let approved: Option<bool> = r.get(11)?;
        if in_period(text(r, 12)?) {
            let family = if approved == Some(true) { "dossiers_approuves" } else { "dossiers_rejetes" };
            add(family, kind, 1);
            add(family, "total", 1);
        }
        // At a delegation, the office's row says *transmis* until the decision reaches it.
        let status = match (text(r, 4)?, approved) {
            (Some("transmis"), Some(true)) => Some("approuve"),
            (Some("transmis"), Some(false)) => Some("rejete"),
            (status, _) => status,
        };
        if let Some(detail) = status.and_then(|s| statuses.get(s)) {
            add("dossiers_statut", detail, 1);
        }
        let Some(first) = text(r, 10)?.filter(|d| *d <= to) else { continue };
        // A project, and a beneficiary, count once: at their earliest paid dossier.
        if r.get(13)? {
            let this_period = first >= from;
            for family in ["projets_finances_cumul"].into_iter().chain(this_period.then_some("projets_finances")) {
                add(family, kind, 1);
                add(family, "total", 1);
            }
            for family in ["emplois_prevus_cumul"].into_iter().chain(this_period.then_some("emplois_prevus")) {
                add(family, "total", r.get(8)?);
                add(family, "famille", r.get(9)?);
            }
            if let Some((_, total, family)) = uuid_key(r.get(7)?).and_then(|p| verified.get(&p)) {
                add("emplois_constates_cumul", "total", *total);
                add("emplois_constates_cumul", "famille", *family);
            }
        }
        if r.get(14)? {
            add("beneficiaires_finances_cumul", "total", 1);
            if r.get(6)? {
                add("amo_couverts_cumul", "total", 1);
            }
        }
    }
    Ok(())
}

/// Dirhams committed and paid by source, and the programmes' envelopes.
fn money(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    f: &str,
    t: &str,
    grouping: &Grouping,
    sink: &mut dyn FnMut(Contribution<'_>),
) -> Result<(), StoreError> {
    let years = from.year()..=to.year();
    // Each envelope of the period's budget years: its amount, and the lines it pays.
    let mut envelopes = Vec::new();
    for programme in all::<Programme>(conn)? {
        for envelope in programme.value.envelopes.iter().filter(|e| years.contains(&e.year)) {
            let prefix = format!("enveloppes.{}.{}", programme.value.code, envelope.year);
            let amount = format!("{prefix}.montant");
            sink(Contribution { key: &amount, group: None, value: envelope.amount.centimes(), dossier: None });
            envelopes.push((programme.value.clone(), envelope.year, format!("{prefix}.engage")));
        }
    }
    let mut committed = conn.prepare(
        "SELECT f.number, f.owner, f.province, l.source_kind, l.programme_code, l.committed_centimes, l.year
         FROM funding_lines l JOIN bilan_facts f ON f.dossier_id = l.dossier_id
         WHERE l.deleted_at IS NULL AND l.year BETWEEN ?1 AND ?2",
    )?;
    let mut rows = committed.query(params![from.year(), to.year()])?;
    while let Some(r) = rows.next()? {
        let (number, office, province, kind, programme): (String, String, Option<String>, String, Option<String>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let (value, year): (i64, i32) = (r.get(5)?, r.get(6)?);
        let group = grouping.group(&office, province.as_deref());
        let dossier = Some((number.as_str(), office.as_str()));
        let source = format!("dh_engages.{}", source_detail(&kind, programme.as_deref()));
        for key in [source.as_str(), "dh_engages.total"] {
            sink(Contribution { key, group, value, dossier });
        }
        for (_, _, engaged) in envelopes.iter().filter(|(p, y, _)| *y == year && p.counts(&kind, programme.as_deref()))
        {
            sink(Contribution { key: engaged, group, value, dossier });
        }
    }
    let mut paid = conn.prepare(
        "SELECT f.number, f.owner, f.province, l.source_kind, l.programme_code, p.amount_centimes
         FROM disbursements p
         JOIN funding_lines l ON l.id = p.funding_line_id AND l.deleted_at IS NULL
         JOIN bilan_facts f ON f.dossier_id = p.dossier_id
         WHERE p.deleted_at IS NULL AND p.paid_on BETWEEN ?1 AND ?2",
    )?;
    let mut rows = paid.query(params![f, t])?;
    while let Some(r) = rows.next()? {
        let (number, office, province, kind, programme): (String, String, Option<String>, String, Option<String>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        let value: i64 = r.get(5)?;
        let group = grouping.group(&office, province.as_deref());
        let dossier = Some((number.as_str(), office.as_str()));
        let source = format!("dh_decaisses.{}", source_detail(&kind, programme.as_deref()));
        for key in [source.as_str(), "dh_decaisses.total"] {
            sink(Contribution { key, group, value, dossier });
        }
    }
    Ok(())
}
