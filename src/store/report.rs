//! The bilan: one pass over the register that says, for each dossier, funding line and
//! disbursement, which indicators it adds to (the registry is `domain::indicators`). The same
//! pass adds the figures up and lists the dossiers behind one figure, so a figure and its
//! drill-down cannot disagree.

use std::collections::{HashMap, HashSet};

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
    let grouping = Grouping::new(conn, by)?;
    let (f, t) = (from.to_string(), to.to_string());
    dossiers(conn, &f, &t, &grouping, sink)?;
    money(conn, from, to, &f, &t, &grouping, sink)?;
    Ok(())
}

/// Dossier counts, projects financed, jobs, beneficiaries, statuses.
fn dossiers(
    conn: &Connection,
    from: &str,
    to: &str,
    grouping: &Grouping,
    sink: &mut dyn FnMut(Contribution<'_>),
) -> Result<(), StoreError> {
    // Earliest financed first: a project (or a beneficiary) counts at its first financing.
    let mut stmt = conn.prepare(
        "SELECT d.number, d.owner, json_extract(d.data, '$.kind'), json_extract(d.data, '$.deposited_on'), d.status,
                json_extract(a.data, '$.province_code'), json_extract(a.data, '$.amo') IS NOT NULL, d.applicant_id,
                d.project_id, pr.jobs_total, pr.jobs_family, fp.first, dc.approved, dc.decided_on, v.total, v.family
         FROM dossiers d
         LEFT JOIN applicants a ON a.id = d.applicant_id
         LEFT JOIN projects pr ON pr.id = d.project_id
         LEFT JOIN (SELECT dossier_id, min(json_extract(data, '$.paid_on')) AS first FROM disbursements
                    WHERE deleted_at IS NULL GROUP BY dossier_id) fp ON fp.dossier_id = d.id
         LEFT JOIN (SELECT dossier_id, json_extract(data, '$.approved') AS approved,
                           json_extract(data, '$.decided_on') AS decided_on, max(rid)
                    FROM decisions WHERE deleted_at IS NULL GROUP BY dossier_id) dc ON dc.dossier_id = d.id
         LEFT JOIN (SELECT project_id, max(json_extract(data, '$.visited_on')),
                           json_extract(data, '$.jobs_verified.total') AS total,
                           json_extract(data, '$.jobs_verified.family') AS family
                    FROM visits WHERE deleted_at IS NULL AND json_extract(data, '$.visited_on') <= ?2
                    GROUP BY project_id) v ON v.project_id = d.project_id
         WHERE d.deleted_at IS NULL
         ORDER BY fp.first IS NULL, fp.first, d.number",
    )?;
    let mut rows = stmt.query(params![from, to])?;
    let mut projects_financed: HashSet<u128> = HashSet::new();
    let mut people_financed: HashSet<u128> = HashSet::new();
    let kinds: HashMap<&str, String> = ProjectKind::ALL.iter().map(|k| (k.code(), kind_detail(*k))).collect();
    let statuses: HashMap<&str, String> = Status::ALL.iter().map(|s| (s.code(), status_detail(*s))).collect();
    let mut key = String::new();
    while let Some(r) = rows.next()? {
        let number: String = r.get(0)?;
        let office: String = r.get(1)?;
        let kind_code: String = r.get::<_, Option<String>>(2)?.unwrap_or_default();
        let Some(kind) = kinds.get(kind_code.as_str()) else { continue };
        let deposited: Option<String> = r.get(3)?;
        let mut status: String = r.get::<_, Option<String>>(4)?.unwrap_or_default();
        let province: Option<String> = r.get(5)?;
        let amo: bool = r.get(6)?;
        let applicant = uuid_key(r.get(7)?);
        let project = uuid_key(r.get(8)?);
        let planned: (i64, i64) = (r.get::<_, Option<i64>>(9)?.unwrap_or(0), r.get::<_, Option<i64>>(10)?.unwrap_or(0));
        let first_paid: Option<String> = r.get(11)?;
        let approved: Option<bool> = r.get(12)?;
        let decided_on: Option<String> = r.get(13)?;
        let verified = match r.get::<_, Option<i64>>(14)? {
            Some(total) => Some((total, r.get::<_, Option<i64>>(15)?.unwrap_or(0))),
            None => None,
        };
        let group = grouping.group(&office, province.as_deref());
        let dossier = Some((number.as_str(), office.as_str()));
        let mut add = |family: &str, detail: &str, value: i64| {
            key.clear();
            key.push_str(family);
            key.push('.');
            key.push_str(detail);
            sink(Contribution { key: &key, group, value, dossier });
        };
        let in_period = |date: &Option<String>| date.as_deref().is_some_and(|d| (from..=to).contains(&d));
        if in_period(&deposited) {
            add("dossiers_deposes", kind, 1);
            add("dossiers_deposes", "total", 1);
        }
        if in_period(&decided_on) {
            let family = if approved == Some(true) { "dossiers_approuves" } else { "dossiers_rejetes" };
            add(family, kind, 1);
            add(family, "total", 1);
        }
        // At a delegation, the office's row says *transmis* until the decision reaches it.
        if status == Status::Transmis.code() {
            match approved {
                Some(true) => status = Status::Approuve.code().to_owned(),
                Some(false) => status = Status::Rejete.code().to_owned(),
                None => {}
            }
        }
        if let Some(detail) = statuses.get(status.as_str()) {
            add("dossiers_statut", detail, 1);
        }
        let Some(first) = first_paid.filter(|d| d.as_str() <= to) else { continue };
        if project.is_none_or(|p| projects_financed.insert(p)) {
            let this_period = first.as_str() >= from;
            for family in ["projets_finances_cumul"].into_iter().chain(this_period.then_some("projets_finances")) {
                add(family, kind, 1);
                add(family, "total", 1);
            }
            for family in ["emplois_prevus_cumul"].into_iter().chain(this_period.then_some("emplois_prevus")) {
                add(family, "total", planned.0);
                add(family, "famille", planned.1);
            }
            if let Some((total, family)) = verified {
                add("emplois_constates_cumul", "total", total);
                add("emplois_constates_cumul", "famille", family);
            }
        }
        if applicant.is_none_or(|a| people_financed.insert(a)) {
            add("beneficiaires_finances_cumul", "total", 1);
            if amo {
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
        "SELECT d.number, d.owner, json_extract(a.data, '$.province_code'), l.source_kind, l.programme_code,
                l.committed_centimes, l.year
         FROM funding_lines l
         JOIN dossiers d ON d.id = l.dossier_id AND d.deleted_at IS NULL
         LEFT JOIN applicants a ON a.id = d.applicant_id
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
        "SELECT d.number, d.owner, json_extract(a.data, '$.province_code'), l.source_kind, l.programme_code,
                p.amount_centimes
         FROM disbursements p
         JOIN funding_lines l ON l.id = p.funding_line_id AND l.deleted_at IS NULL
         JOIN dossiers d ON d.id = p.dossier_id AND d.deleted_at IS NULL
         LEFT JOIN applicants a ON a.id = d.applicant_id
         WHERE p.deleted_at IS NULL AND json_extract(p.data, '$.paid_on') BETWEEN ?1 AND ?2",
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
