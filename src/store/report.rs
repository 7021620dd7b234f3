//! The bilan: one pass over the register that says, for each dossier, funding line and
//! disbursement, which indicators it adds to (the registry is `domain::indicators`). The same
//! pass adds the figures up and lists the dossiers behind one figure, so a figure and its
//! drill-down cannot disagree.
//!
//! A delegation's bilan walks a million dossiers: indicator keys and groups are numbered once per
//! pass, so counting is indexing, not hashing a string per contribution; dossiers come from the
//! facts table (`store::facts`), money rows from covering indexes.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::path::PathBuf;

use chrono::{Datelike as _, NaiveDate};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _, params};
use uuid::Uuid;

use super::StoreError;
use super::records::all;
use crate::domain::dossier::Status;
use crate::domain::funding::Programme;
use crate::domain::indicators::{
    Bilan, Breakdown, Fnv, Tally, UNKNOWN_GROUP, kind_detail, source_detail, status_detail,
};
use crate::domain::project::ProjectKind;

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
    let mut pass = Pass::new(conn, from, to, by, false)?;
    let sums = pass.sums()?;
    let mut tally = Tally::default();
    for (key, (total, groups)) in sums.iter().enumerate() {
        let name = pass.keys.name(key);
        tally.add(name, None, *total);
        for (group, value) in groups.iter().enumerate() {
            tally.add_to_group_only(name, pass.groups.name(group), *value);
        }
    }
    Ok(tally.finish(from, to, by))
}

/// The bilan of `from..=to` broken down by office and by province, from one pass (the annual
/// report prints both): each group of the pass is an office and a province, which either
/// breakdown adds up.
pub fn bilans_by_office_and_province(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Bilan, Bilan), StoreError> {
    let mut pass = Pass::new(conn, from, to, None, false)?;
    pass.grouping = Grouping::both(conn)?;
    let sums = pass.sums()?;
    let (mut by_office, mut by_province) = (Tally::default(), Tally::default());
    for (key, (total, groups)) in sums.iter().enumerate() {
        let name = pass.keys.name(key);
        by_office.add(name, None, *total);
        by_province.add(name, None, *total);
        for (group, value) in groups.iter().enumerate() {
            let (office, province) = pass.groups.name(group).split_once(BOTH).unwrap_or((UNKNOWN_GROUP, UNKNOWN_GROUP));
            by_office.add_to_group_only(name, office, *value);
            by_province.add_to_group_only(name, province, *value);
        }
    }
    Ok((by_office.finish(from, to, Some(Breakdown::Office)), by_province.finish(from, to, Some(Breakdown::Province))))
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
    let mut pass = Pass::new(conn, from, to, by, true)?;
    let wanted = (pass.keys.id(key), group.map(|g| pass.groups.id(g)));
    let mut values: HashMap<usize, i64> = HashMap::new();
    pass.run(&mut |c| {
        if let Some(dossier) = c.dossier.filter(|_| c.key == wanted.0 && (wanted.1.is_none() || c.group == wanted.1)) {
            *values.entry(dossier).or_insert(0) += c.value;
        }
    })?;
    let mut out: Vec<DrillLine> = values
        .into_iter()
        .map(|(i, value)| {
            let (dossier, office) = pass.names[i].clone();
            DrillLine { dossier, office, value }
        })
        .collect();
    out.sort_by(|a, b| a.dossier.cmp(&b.dossier));
    Ok(out)
}

/// One thing counted: `value` added to indicator `key` (numbered by the pass), in `group` when
/// broken down, because of the dossier numbered `dossier` by the pass (none: an envelope).
#[derive(Debug, Clone, Copy)]
struct Counted {
    key: usize,
    group: Option<usize>,
    value: i64,
    dossier: Option<usize>,
    /// Whether it adds to the figure's total: a co-funded dossier broken down by source counts
    /// in each of its sources' groups, once in the total.
    in_total: bool,
}

/// Names numbered in the order they are met.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, usize, BuildHasherDefault<Fnv>>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, name: &str) -> usize {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }

    fn name(&self, id: usize) -> &str {
        self.names.get(id).map_or("", String::as_str)
    }
}

/// Where a row falls when broken down.
struct Grouping {
    by: Option<Breakdown>,
    regions: HashMap<String, String>,
    /// By office and province at once (`by` is then the province): the group is
    /// `OFFICE` [`BOTH`] `PROVINCE`, which either breakdown adds up from.
    both: bool,
}

/// Between the office and the province of a group when counting by both at once.
const BOTH: char = '\u{1f}';

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
        Ok(Grouping { by, regions, both: false })
    }

    /// Counting by office and by province in one pass.
    fn both(conn: &Connection) -> Result<Grouping, StoreError> {
        Ok(Grouping { both: true, ..Grouping::new(conn, Some(Breakdown::Province))? })
    }

    fn group<'a>(&'a self, office: &'a str, province: Option<&'a str>) -> Option<std::borrow::Cow<'a, str>> {
        if self.both {
            return Some(format!("{office}{BOTH}{}", province.unwrap_or(UNKNOWN_GROUP)).into());
        }
        Some(
            match self.by? {
                Breakdown::Office => office,
                Breakdown::Province => province.unwrap_or(UNKNOWN_GROUP),
                Breakdown::Region => province.and_then(|p| self.regions.get(p)).map_or(UNKNOWN_GROUP, String::as_str),
                // A dossier's groups are its sources, met with its money (see `Pass::per_source`).
                Breakdown::Source => return None,
            }
            .into(),
        )
    }
}

/// A text column as borrowed from the row (`None` for NULL).
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r str>, StoreError> {
    r.get_ref(i)?.as_str_or_null().map_err(|e| not_text(i, e))
}

/// No dossier at this row number.
const NONE: u32 = u32::MAX;

/// A text column's bytes (`None` for NULL): codes and ISO dates compare as bytes, without the
/// UTF-8 check a `&str` costs on each of a million rows.
fn bytes<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r [u8]>, StoreError> {
    r.get_ref(i)?.as_bytes_or_null().map_err(|e| not_text(i, e))
}

/// Column `i` did not hold text.
fn not_text(i: usize, e: rusqlite::types::FromSqlError) -> StoreError {
    StoreError::from(rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

fn uuid_key(raw: Option<&[u8]>) -> Option<u128> {
    raw.and_then(|s| Uuid::try_parse_ascii(s).ok()).map(|u| u.as_u128())
}

/// The indicator numbers a dossier of one project kind adds to.
struct KindKeys {
    deposited: [usize; 2],
    approved: [usize; 2],
    rejected: [usize; 2],
    financed: [usize; 2],
    financed_to_date: [usize; 2],
}

/// One walk over the register for a period.
struct Pass<'c> {
    conn: &'c Connection,
    from: NaiveDate,
    to: NaiveDate,
    grouping: Grouping,
    keys: Interner,
    groups: Interner,
    /// Each live dossier's number in the pass, by its row number (`NONE` for none): money rows
    /// find their dossier here.
    index_of: Vec<u32>,
    /// Each dossier's group, when broken down.
    group_of: Vec<Option<usize>>,
    /// Each dossier's project kind (its place in `ProjectKind::ALL`).
    kind_of: Vec<u8>,
    /// Broken down by source: each dossier's sources (their group numbers), by its row number
    /// until the pass meets it, then by its number in the pass.
    sources_by_rid: HashMap<i64, Vec<usize>>,
    sources_of: Vec<Vec<usize>>,
    /// The financed projects counted (their id, and the dossier that counted them): the jobs
    /// seen at their visits are added once the visits are read.
    financed_projects: Vec<(u128, usize)>,
    /// Each dossier's number and office, when listing the dossiers behind a figure.
    names: Vec<(String, String)>,
    drilling: bool,
}

impl<'c> Pass<'c> {
    fn new(
        conn: &'c Connection,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Breakdown>,
        drilling: bool,
    ) -> Result<Pass<'c>, StoreError> {
        super::facts::refresh(conn)?;
        Ok(Pass {
            conn,
            from,
            to,
            grouping: Grouping::new(conn, by)?,
            keys: Interner::default(),
            groups: Interner::default(),
            index_of: Vec::new(),
            group_of: Vec::new(),
            kind_of: Vec::new(),
            sources_by_rid: HashMap::new(),
            sources_of: Vec::new(),
            financed_projects: Vec::new(),
            names: Vec::new(),
            drilling,
        })
    }

    /// Runs the pass and adds everything up: per indicator, its total, then per group.
    fn sums(&mut self) -> Result<Vec<(i64, Vec<i64>)>, StoreError> {
        let mut sums: Vec<(i64, Vec<i64>)> = Vec::new();
        self.run(&mut |c| {
            if sums.len() <= c.key {
                sums.resize_with(c.key + 1, Default::default);
            }
            let (total, groups) = &mut sums[c.key];
            if c.in_total {
                *total = total.saturating_add(c.value);
            }
            if let Some(g) = c.group {
                if groups.len() <= g {
                    groups.resize(g + 1, 0);
                }
                groups[g] = groups[g].saturating_add(c.value);
            }
        })?;
        Ok(sums)
    }

    /// The pass's number of the dossier at row `rid`, if it counted it.
    fn dossier_at(&self, rid: i64) -> Option<usize> {
        let slot = *self.index_of.get(usize::try_from(rid).ok()?)?;
        (slot != NONE).then_some(slot as usize)
    }

    /// Counts the dossiers, then the money. The money rows are read on a second connection
    /// while the dossiers are counted, when the file allows it (a database on disk, read outside
    /// a transaction, so that both connections see the same state).
    fn run(&mut self, sink: &mut dyn FnMut(Counted)) -> Result<(), StoreError> {
        let (from, to, by) = (self.from, self.to, self.grouping.by);
        let file = self.conn.path().filter(|p| !p.is_empty() && self.conn.is_autocommit()).map(PathBuf::from);
        std::thread::scope(|scope| {
            let reading = file.map(|path| {
                scope.spawn(move || {
                    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                    SideReads::read(&Connection::open_with_flags(path, flags)?, from, to, by)
                })
            });
            if by == Some(Breakdown::Source) {
                self.read_sources()?;
            }
            self.dossiers(sink)?;
            let side = match reading {
                Some(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
                None => SideReads::read(self.conn, from, to, by)?,
            };
            self.jobs_seen(sink, &side.verified);
            self.projects_created(sink, &side.projects)?;
            self.money(sink, &side.money)
        })
    }

    /// Broken down by source: each dossier's sources, from its funding lines (any year).
    fn read_sources(&mut self) -> Result<(), StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT dossier_rid, source_kind, programme FROM bilan_money WHERE paid = 0")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let group = self.groups.id(&source_detail(text(r, 1)?.unwrap_or_default(), text(r, 2)?));
            let sources = self.sources_by_rid.entry(r.get(0)?).or_default();
            if !sources.contains(&group) {
                sources.push(group);
            }
        }
        Ok(())
    }

    /// Broken down by source: the dossier `index`'s `value` of `key` in each of its sources'
    /// groups, not in the total (it counts there once).
    fn per_source(&self, sink: &mut dyn FnMut(Counted), index: usize, key: usize, value: i64) {
        for &group in self.sources_of.get(index).into_iter().flatten() {
            sink(Counted { key, group: Some(group), value, dossier: Some(index), in_total: false });
        }
    }

    /// The jobs seen at the last visit of each financed project counted.
    fn jobs_seen(&mut self, sink: &mut dyn FnMut(Counted), verified: &VerifiedJobs) {
        let (total_key, family_key) =
            (self.keys.id("emplois_constates_cumul.total"), self.keys.id("emplois_constates_cumul.famille"));
        for (project, index) in &self.financed_projects {
            if let Some((_, total, family)) = verified.get(project) {
                let (group, dossier) = (self.group_of[*index], Some(*index));
                sink(Counted { key: total_key, group, value: *total, dossier, in_total: true });
                sink(Counted { key: family_key, group, value: *family, dossier, in_total: true });
                self.per_source(sink, *index, total_key, *total);
                self.per_source(sink, *index, family_key, *family);
            }
        }
    }

    fn pair(&mut self, family: &str, detail: &str) -> [usize; 2] {
        [self.keys.id(&format!("{family}.{detail}")), self.keys.id(&format!("{family}.total"))]
    }

    /// Dossier counts, projects financed, jobs, beneficiaries, statuses.
    fn dossiers(&mut self, sink: &mut dyn FnMut(Counted)) -> Result<(), StoreError> {
        let (from, to) = (self.from.to_string(), self.to.to_string());
        let kinds: Vec<(&str, KindKeys)> = ProjectKind::ALL
            .iter()
            .map(|k| {
                let detail = kind_detail(*k);
                let keys = KindKeys {
                    deposited: self.pair("dossiers_deposes", &detail),
                    approved: self.pair("dossiers_approuves", &detail),
                    rejected: self.pair("dossiers_rejetes", &detail),
                    financed: self.pair("projets_finances", &detail),
                    financed_to_date: self.pair("projets_finances_cumul", &detail),
                };
                (k.code(), keys)
            })
            .collect();
        let statuses: Vec<(&str, usize)> = Status::ALL
            .iter()
            .map(|s| (s.code(), self.keys.id(&format!("dossiers_statut.{}", status_detail(*s)))))
            .collect();
        let jobs = |pass: &mut Pass<'_>, family: &str| {
            (pass.keys.id(&format!("{family}.total")), pass.keys.id(&format!("{family}.famille")))
        };
        let planned = jobs(self, "emplois_prevus");
        let planned_to_date = jobs(self, "emplois_prevus_cumul");
        let people = self.keys.id("beneficiaires_finances_cumul.total");
        let covered = self.keys.id("amo_couverts_cumul.total");
        // Broken down by source, the families a source decides count under each of a dossier's.
        let by_source = self.grouping.by == Some(Breakdown::Source);
        let source_keys: Vec<usize> = if by_source {
            kinds
                .iter()
                .flat_map(|(_, k)| k.approved.iter().chain(&k.financed).chain(&k.financed_to_date).copied())
                .chain([planned.0, planned.1, planned_to_date.0, planned_to_date.1, people, covered])
                .collect()
        } else {
            Vec::new()
        };
        let mut stmt = self.conn.prepare(
            "SELECT dossier_rid, number, owner, kind, deposited_on, status, province, amo, project_id, jobs_total,
                    jobs_family, first_paid, approved, decided_on, project_first, person_first
             FROM bilan_facts",
        )?;
        let last: Option<i64> = self.conn.query_row("SELECT max(dossier_rid) FROM bilan_facts", [], |r| r.get(0))?;
        self.index_of = vec![NONE; usize::try_from(last.unwrap_or(0)).unwrap_or(0) + 1];
        let mut rows = stmt.query([])?;
        let (from, to) = (from.as_bytes(), to.as_bytes());
        let in_period = |date: Option<&[u8]>| date.is_some_and(|d| (from..=to).contains(&d));
        // The last office and province met, and their group: rows come office by office.
        let mut last_group: Option<(Vec<u8>, Vec<u8>, Option<usize>)> = None;
        while let Some(r) = rows.next()? {
            let Some(slot) = usize::try_from(r.get::<_, i64>(0)?).ok().filter(|rid| *rid < self.index_of.len()) else {
                continue;
            };
            let kind_code = bytes(r, 3)?;
            let Some(kind_at) = kinds.iter().position(|(code, _)| Some(code.as_bytes()) == kind_code) else { continue };
            let kind = &kinds[kind_at].1;
            self.kind_of.push(u8::try_from(kind_at).unwrap_or(0));
            let index = self.group_of.len();
            self.index_of[slot] = u32::try_from(index).unwrap_or(NONE);
            let group = if self.grouping.by.is_none() {
                None
            } else {
                let (office, province) = (bytes(r, 2)?.unwrap_or_default(), bytes(r, 6)?.unwrap_or_default());
                match &last_group {
                    Some((o, p, g)) if o == office && p == province => *g,
                    _ => {
                        let (office_text, province_text) = (text(r, 2)?.unwrap_or_default(), text(r, 6)?);
                        let g = self.grouping.group(office_text, province_text).map(|g| self.groups.id(&g));
                        last_group = Some((office.to_vec(), province.to_vec(), g));
                        g
                    }
                }
            };
            self.group_of.push(group);
            if self.drilling {
                let (number, office) = (text(r, 1)?.unwrap_or_default(), text(r, 2)?.unwrap_or_default());
                self.names.push((number.to_owned(), office.to_owned()));
            }
            let sources = if by_source {
                let found = self.sources_by_rid.remove(&(slot as i64)).unwrap_or_default();
                self.sources_of.push(found.clone());
                found
            } else {
                Vec::new()
            };
            let mut add = |key: usize, value: i64| {
                sink(Counted { key, group, value, dossier: Some(index), in_total: true });
                if source_keys.contains(&key) {
                    for &source in &sources {
                        sink(Counted { key, group: Some(source), value, dossier: Some(index), in_total: false });
                    }
                }
            };
            if in_period(bytes(r, 4)?) {
                kind.deposited.iter().for_each(|key| add(*key, 1));
            }
            let approved: Option<bool> = r.get(12)?;
            if in_period(bytes(r, 13)?) {
                let keys = if approved == Some(true) { kind.approved } else { kind.rejected };
                keys.iter().for_each(|key| add(*key, 1));
            }
            // At a delegation, the office's row says *transmis* until the decision reaches it.
            let status = match (bytes(r, 5)?, approved) {
                (Some(b"transmis"), Some(true)) => Some(&b"approuve"[..]),
                (Some(b"transmis"), Some(false)) => Some(&b"rejete"[..]),
                (status, _) => status,
            };
            if let Some((_, key)) = statuses.iter().find(|(code, _)| Some(code.as_bytes()) == status) {
                add(*key, 1);
            }
            let Some(first) = bytes(r, 11)?.filter(|d| *d <= to) else { continue };
            // A project, and a beneficiary, count once: at their earliest paid dossier.
            if r.get(14)? {
                let (total, family): (i64, i64) = (r.get(9)?, r.get(10)?);
                kind.financed_to_date.iter().for_each(|key| add(*key, 1));
                add(planned_to_date.0, total);
                add(planned_to_date.1, family);
                if first >= from {
                    kind.financed.iter().for_each(|key| add(*key, 1));
                    add(planned.0, total);
                    add(planned.1, family);
                }
                if let Some(project) = uuid_key(bytes(r, 8)?) {
                    self.financed_projects.push((project, index));
                }
            }
            if r.get(15)? {
                add(people, 1);
                if r.get(7)? {
                    add(covered, 1);
                }
            }
        }
        Ok(())
    }

    /// Dirhams committed and paid by source, and the programmes' envelopes.
    fn money(&mut self, sink: &mut dyn FnMut(Counted), money: &MoneyRows) -> Result<(), StoreError> {
        let years = self.from.year()..=self.to.year();
        // Each envelope of the period's budget years: its amount, and the lines it pays.
        let mut envelopes = Vec::new();
        for programme in all::<Programme>(self.conn)? {
            for envelope in programme.value.envelopes.iter().filter(|e| years.contains(&e.year)) {
                let prefix = format!("enveloppes.{}.{}", programme.value.code, envelope.year);
                let amount = self.keys.id(&format!("{prefix}.montant"));
                let engaged = self.keys.id(&format!("{prefix}.engage"));
                sink(Counted {
                    key: amount,
                    group: None,
                    value: envelope.amount.centimes(),
                    dossier: None,
                    in_total: true,
                });
                envelopes.push((programme.value.clone(), envelope.year, engaged));
            }
        }
        // Each source's key in each family, named when first met.
        let (mut committed_keys, mut paid_keys) = (vec![None; money.sources.len()], vec![None; money.sources.len()]);
        let (committed_total, paid_total) = (self.keys.id("dh_engages.total"), self.keys.id("dh_decaisses.total"));
        // Per (source, project kind): the dirhams' key and the dossiers' key, named when first met.
        let mut typed_keys: HashMap<(usize, u8), (usize, usize)> = HashMap::new();
        // Each dossier of the period with each of its sources (a dossier counts once per source).
        let mut funded: Vec<(usize, usize)> = Vec::with_capacity(money.committed.len());
        // Broken down by source, money falls in its own source's group (and adds up).
        let own_source: Vec<Option<usize>> = money
            .sources
            .iter()
            .map(|(kind, programme)| {
                (self.grouping.by == Some(Breakdown::Source))
                    .then(|| self.groups.id(&source_detail(kind, programme.as_deref())))
            })
            .collect();
        let group_of = |pass: &Pass<'_>, index: usize, source: usize| own_source[source].or(pass.group_of[index]);
        for row in &money.committed {
            let Some(index) = self.dossier_at(row.rid) else { continue };
            let (group, dossier, value) = (group_of(self, index, row.source), Some(index), row.amount);
            let (kind, programme) = &money.sources[row.source];
            let source = *committed_keys[row.source]
                .get_or_insert_with(|| self.source_key("dh_engages", kind, programme.as_deref()));
            let project_kind = self.kind_of[index];
            let (typed_money, _) = *typed_keys
                .entry((row.source, project_kind))
                .or_insert_with(|| self.typed_keys(kind, programme.as_deref(), project_kind));
            for key in [source, committed_total, typed_money] {
                sink(Counted { key, group, value, dossier, in_total: true });
            }
            funded.push((index, row.source));
            for (_, _, engaged) in
                envelopes.iter().filter(|(p, y, _)| *y == row.year && p.counts(kind, programme.as_deref()))
            {
                sink(Counted { key: *engaged, group, value, dossier, in_total: true });
            }
        }
        self.funded_by_source(sink, funded, money, &typed_keys, &own_source);
        for row in &money.paid {
            let Some(index) = self.dossier_at(row.rid) else { continue };
            let (group, dossier, value) = (group_of(self, index, row.source), Some(index), row.amount);
            let (kind, programme) = &money.sources[row.source];
            let source = *paid_keys[row.source]
                .get_or_insert_with(|| self.source_key("dh_decaisses", kind, programme.as_deref()));
            for key in [source, paid_total] {
                sink(Counted { key, group, value, dossier, in_total: true });
            }
        }
        Ok(())
    }

    /// The keys of a source's dirhams and dossiers for one project kind
    /// (`dh_engages_type.indh.pme`, `dossiers_finances_type.indh.pme`).
    fn typed_keys(&mut self, kind: &str, programme: Option<&str>, project_kind: u8) -> (usize, usize) {
        let detail =
            format!("{}.{}", source_detail(kind, programme), kind_detail(ProjectKind::ALL[usize::from(project_kind)]));
        (self.keys.id(&format!("dh_engages_type.{detail}")), self.keys.id(&format!("dossiers_finances_type.{detail}")))
    }

    /// The dossiers funded in the period by each source (once per source), by source and kind,
    /// and those funded by two sources or more: `funded` holds each (dossier, source) of a
    /// committed line.
    fn funded_by_source(
        &mut self,
        sink: &mut dyn FnMut(Counted),
        mut funded: Vec<(usize, usize)>,
        money: &MoneyRows,
        typed_keys: &HashMap<(usize, u8), (usize, usize)>,
        own_source: &[Option<usize>],
    ) {
        funded.sort_unstable();
        funded.dedup();
        let by_source: Vec<usize> = money
            .sources
            .iter()
            .map(|(kind, programme)| self.source_key("dossiers_finances_source", kind, programme.as_deref()))
            .collect();
        let total = self.keys.id("dossiers_finances_source.total");
        let cofunded: Vec<[usize; 2]> =
            ProjectKind::ALL.iter().map(|k| self.pair("dossiers_cofinances", &kind_detail(*k))).collect();
        let mut at = 0;
        while at < funded.len() {
            let index = funded[at].0;
            let sources = funded[at..].iter().take_while(|(i, _)| *i == index).count();
            let (group, dossier) = (self.group_of[index], Some(index));
            let project_kind = self.kind_of[index];
            let funded_by = &funded[at..at + sources];
            // By source, a dossier counts in each of its sources' groups, once in the totals.
            let mut add = |key: usize, own: Option<usize>| {
                sink(Counted { key, group: own.or(group), value: 1, dossier, in_total: true });
                if own.is_none() {
                    for &(_, source) in funded_by {
                        if let Some(g) = own_source[source] {
                            sink(Counted { key, group: Some(g), value: 1, dossier, in_total: false });
                        }
                    }
                }
            };
            for &(_, source) in funded_by {
                add(by_source[source], own_source[source]);
                if let Some((_, typed)) = typed_keys.get(&(source, project_kind)) {
                    add(*typed, own_source[source]);
                }
            }
            add(total, None);
            if sources >= 2 {
                cofunded[usize::from(project_kind)].iter().for_each(|key| add(*key, None));
            }
            at += sources;
        }
    }

    /// Projects created in the period and to its end, funded or not, by kind, with their planned
    /// jobs: `projects` holds them counted by group, kind and whether created in the period.
    fn projects_created(&mut self, sink: &mut dyn FnMut(Counted), projects: &[ProjectCount]) -> Result<(), StoreError> {
        let kinds: Vec<([usize; 2], [usize; 2])> = ProjectKind::ALL
            .iter()
            .map(|k| {
                let detail = kind_detail(*k);
                (self.pair("projets_crees", &detail), self.pair("projets_crees_cumul", &detail))
            })
            .collect();
        let jobs = |pass: &mut Pass<'_>, family: &str| {
            [pass.keys.id(&format!("{family}.total")), pass.keys.id(&format!("{family}.famille"))]
        };
        let (planned, planned_to_date) =
            (jobs(self, "emplois_projets_crees"), jobs(self, "emplois_projets_crees_cumul"));
        // A project without a province is in its promoter's (read once per promoter: projects
        // are given one at registration, so few need it).
        let mut promoters: HashMap<&str, Option<String>> = HashMap::new();
        let mut residence =
            self.conn.prepare_cached("SELECT json_extract(data, '$.province_code') FROM applicants WHERE id = ?1")?;
        for p in projects {
            let province = match (&p.province, &p.promoter) {
                (None, Some(promoter)) => match promoters.get(promoter.as_str()) {
                    Some(found) => found.clone(),
                    None => {
                        let found: Option<String> = residence.query_row([promoter], |r| r.get(0)).optional()?.flatten();
                        promoters.insert(promoter, found.clone());
                        found
                    }
                },
                (province, _) => province.clone(),
            };
            let group = self.grouping.group(&p.owner, province.as_deref()).map(|g| self.groups.id(&g));
            let mut add = |key: usize, value: i64| sink(Counted { key, group, value, dossier: None, in_total: true });
            let (flow, stock) = kinds[usize::from(p.kind)];
            stock.iter().for_each(|key| add(*key, p.count));
            add(planned_to_date[0], p.jobs.0);
            add(planned_to_date[1], p.jobs.1);
            if p.in_period {
                flow.iter().for_each(|key| add(*key, p.count));
                add(planned[0], p.jobs.0);
                add(planned[1], p.jobs.1);
            }
        }
        Ok(())
    }

    /// The indicator key of a funding source in `family` (`dh_engages.indh`…).
    fn source_key(&mut self, family: &str, kind: &str, programme: Option<&str>) -> usize {
        self.keys.id(&format!("{family}.{}", source_detail(kind, programme)))
    }
}

/// The jobs seen at each project's last visit on or before the period's end, by project id.
type VerifiedJobs = HashMap<u128, (String, i64, i64)>;

/// What the bilan reads besides the dossier facts (see [`Pass::run`]).
struct SideReads {
    money: MoneyRows,
    verified: VerifiedJobs,
    projects: Vec<ProjectCount>,
}

/// Live projects created by the end of the period, counted together when they share their
/// office, province (or, without one, promoter), kind and whether created in the period.
struct ProjectCount {
    owner: String,
    province: Option<String>,
    /// Set only for projects without a province, when the breakdown needs one.
    promoter: Option<String>,
    /// Its place in `ProjectKind::ALL`.
    kind: u8,
    in_period: bool,
    count: i64,
    /// Planned jobs, of which for the resistance family.
    jobs: (i64, i64),
}

/// The live projects created on or before `to`, counted by SQL over migration 0022's covering
/// index in its order (office, province, kind), before the period and within it — and, when the
/// breakdown is by place, those without a province by promoter.
fn projects_created_by(
    conn: &Connection,
    from: &str,
    to: &str,
    by: Option<Breakdown>,
) -> Result<Vec<ProjectCount>, StoreError> {
    let by_place = matches!(by, Some(Breakdown::Province | Breakdown::Region));
    if let Some(years) = whole_years(from, to) {
        return projects_by_year(conn, years, by_place);
    }
    let counted = "count(*), coalesce(sum(jobs_total), 0), coalesce(sum(jobs_family), 0)";
    let mut out = Vec::new();
    let mut read = |sql: &str, range: [&str; 2], in_period: bool| -> Result<(), StoreError> {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query(range)?;
        while let Some(r) = rows.next()? {
            let kind_code = bytes(r, 3)?;
            let Some(kind) = ProjectKind::ALL.iter().position(|k| Some(k.code().as_bytes()) == kind_code) else {
                continue;
            };
            out.push(ProjectCount {
                owner: r.get(0)?,
                province: r.get(1)?,
                promoter: r.get(2)?,
                kind: u8::try_from(kind).unwrap_or(0),
                in_period,
                count: r.get(4)?,
                jobs: (r.get(5)?, r.get(6)?),
            });
        }
        Ok(())
    };
    // Without a breakdown by place, a project's province does not matter: grouped as it is.
    let placed = if by_place { "AND province IS NOT NULL" } else { "" };
    for (range, in_period) in [(["", from], false), ([from, to], true)] {
        let upper = if in_period { "<=" } else { "<" };
        read(
            &format!(
                "SELECT owner, province, NULL, kind, {counted} FROM projects INDEXED BY projects_created
                 WHERE deleted_at IS NULL {placed} AND created_on >= ?1 AND created_on {upper} ?2
                 GROUP BY owner, province, kind"
            ),
            range,
            in_period,
        )?;
        if by_place {
            read(
                &format!(
                    "SELECT owner, NULL, promoter_id, kind, {counted} FROM projects INDEXED BY projects_created
                     WHERE deleted_at IS NULL AND province IS NULL AND created_on >= ?1 AND created_on {upper} ?2
                     GROUP BY owner, promoter_id, kind"
                ),
                range,
                in_period,
            )?;
        }
    }
    Ok(out)
}

/// The years `from..=to` covers, when it is whole years (1 January to 31 December).
fn whole_years(from: &str, to: &str) -> Option<(i32, i32)> {
    let (from, to): (NaiveDate, NaiveDate) = (from.parse().ok()?, to.parse().ok()?);
    (from.ordinal() == 1 && to.month() == 12 && to.day() == 31).then(|| (from.year(), to.year()))
}

/// [`projects_created_by`] for whole years, from the counts kept by year (migration 0023): a few
/// thousand rows whatever the register's size.
fn projects_by_year(
    conn: &Connection,
    (first, last): (i32, i32),
    by_place: bool,
) -> Result<Vec<ProjectCount>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT owner, nullif(province, ''), CASE WHEN ?3 THEN nullif(promoter, '') END, kind, year >= ?1,
                sum(n), sum(jobs_total), sum(jobs_family)
         FROM project_counts WHERE year <= ?2 AND n <> 0
         GROUP BY 1, 2, 3, 4, 5",
    )?;
    let mut rows = stmt.query(params![first, last, by_place])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let kind_code = bytes(r, 3)?;
        let Some(kind) = ProjectKind::ALL.iter().position(|k| Some(k.code().as_bytes()) == kind_code) else { continue };
        out.push(ProjectCount {
            owner: r.get(0)?,
            province: r.get(1)?,
            promoter: r.get(2)?,
            kind: u8::try_from(kind).unwrap_or(0),
            in_period: r.get(4)?,
            count: r.get(5)?,
            jobs: (r.get(6)?, r.get(7)?),
        });
    }
    Ok(out)
}

impl SideReads {
    fn read(conn: &Connection, from: NaiveDate, to: NaiveDate, by: Option<Breakdown>) -> Result<SideReads, StoreError> {
        Ok(SideReads {
            money: MoneyRows::read(conn, from, to)?,
            verified: verified_jobs(conn, &to.to_string())?,
            projects: projects_created_by(conn, &from.to_string(), &to.to_string(), by)?,
        })
    }
}

/// One money row of the period: its dossier's row number, its source (numbered in
/// [`MoneyRows::sources`]), the amount in centimes and, for a committed line, its budget year.
struct MoneyRow {
    rid: i64,
    source: usize,
    amount: i64,
    year: i32,
}

/// The period's committed lines and payments, read in one go (see [`Pass::run`]).
#[derive(Default)]
struct MoneyRows {
    committed: Vec<MoneyRow>,
    paid: Vec<MoneyRow>,
    /// The sources met: kind and programme code.
    sources: Vec<(String, Option<String>)>,
}

impl MoneyRows {
    fn read(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<MoneyRows, StoreError> {
        let mut out = MoneyRows::default();
        let mut stmt = conn.prepare(
            "SELECT dossier_rid, source_kind, programme, amount, year FROM bilan_money
             WHERE paid = 0 AND year BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from.year(), to.year()])?;
        while let Some(r) = rows.next()? {
            let source = out.source(text(r, 1)?.unwrap_or_default(), text(r, 2)?);
            out.committed.push(MoneyRow { rid: r.get(0)?, source, amount: r.get(3)?, year: r.get(4)? });
        }
        let mut stmt = conn.prepare(
            "SELECT dossier_rid, source_kind, programme, amount FROM bilan_money
             WHERE paid = 1 AND paid_on BETWEEN ?1 AND ?2",
        )?;
        let mut rows = stmt.query(params![from.to_string(), to.to_string()])?;
        while let Some(r) = rows.next()? {
            let source = out.source(text(r, 1)?.unwrap_or_default(), text(r, 2)?);
            out.paid.push(MoneyRow { rid: r.get(0)?, source, amount: r.get(3)?, year: 0 });
        }
        Ok(out)
    }

    /// The number of a source, met before or now (few sources, many lines).
    fn source(&mut self, kind: &str, programme: Option<&str>) -> usize {
        if let Some(i) = self.sources.iter().position(|(k, p)| k == kind && p.as_deref() == programme) {
            return i;
        }
        self.sources.push((kind.to_owned(), programme.map(str::to_owned)));
        self.sources.len() - 1
    }
}

/// The jobs seen at each project's last visit on or before `to`.
fn verified_jobs(conn: &Connection, to: &str) -> Result<VerifiedJobs, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT project_id, visited_on, jobs_total, jobs_family FROM visits
         WHERE deleted_at IS NULL AND visited_on <= ?1",
    )?;
    let mut rows = stmt.query([to])?;
    let mut last = VerifiedJobs::new();
    while let Some(r) = rows.next()? {
        let Some(project) = uuid_key(bytes(r, 0)?) else { continue };
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
