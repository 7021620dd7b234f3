//! Business rows: the generic write path that every record goes through.
//!
//! A write bumps the row's version, stamps it, and in the same transaction appends one line to
//! the outbox (what sync carries) and one entry to the audit chain (before/after). Only the
//! owner site writes a row; deletion is a tombstone with a reason, so it can travel.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::StoreError;
use std::cell::{Cell, RefCell, RefMut};
use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

use super::audit::{self, Entry, Hash, row_hash, timestamp};
use crate::domain::applicant::{Applicant, CardHolder};
use crate::domain::certificate::Certificate;
use crate::domain::commission::{Adjournment, CommissionReason, CommissionSession};
use crate::domain::dossier::{Checklist, Dossier};
use crate::domain::funding::{Decision, Disbursement, FundingLine, Programme};
use crate::domain::names::fold;
use crate::domain::project::Project;
use crate::domain::review::DuplicateReview;
use crate::domain::transfer::Transfer;
use crate::domain::visit::Visit;

/// The business tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// Resistance card holders.
    CardHolders,
    /// Applicants.
    Applicants,
    /// Projects.
    Projects,
    /// Dossiers.
    Dossiers,
    /// Commission decisions.
    Decisions,
    /// Funding lines.
    FundingLines,
    /// Disbursements.
    Disbursements,
    /// Programmes and conventions.
    Programmes,
    /// Follow-up visits.
    Visits,
    /// The certificate register.
    Certificates,
    /// Applicants moved from one office to another by the delegation.
    Transfers,
    /// The delegation's verdicts on possible duplicates between offices.
    DuplicateReviews,
    /// Required-documents checklists published by a delegation.
    Checklists,
    /// The commission's sessions.
    CommissionSessions,
    /// Dossiers a session put off to a later one.
    Adjournments,
    /// The commission's reasons a delegation added to the shipped list.
    CommissionReasons,
}

impl Table {
    /// Every business table.
    pub const ALL: [Table; 16] = [
        Table::CardHolders,
        Table::Applicants,
        Table::Projects,
        Table::Dossiers,
        Table::Decisions,
        Table::FundingLines,
        Table::Disbursements,
        Table::Programmes,
        Table::Visits,
        Table::Certificates,
        Table::Transfers,
        Table::DuplicateReviews,
        Table::Checklists,
        Table::CommissionSessions,
        Table::Adjournments,
        Table::CommissionReasons,
    ];

    /// The table called `name`, if it is a business table.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The SQL table name.
    pub fn name(self) -> &'static str {
        match self {
            Table::CardHolders => "card_holders",
            Table::Applicants => "applicants",
            Table::Projects => "projects",
            Table::Dossiers => "dossiers",
            Table::Decisions => "decisions",
            Table::FundingLines => "funding_lines",
            Table::Disbursements => "disbursements",
            Table::Programmes => "programmes",
            Table::Visits => "visits",
            Table::Certificates => "certificates",
            Table::Transfers => "transfers",
            Table::DuplicateReviews => "duplicate_reviews",
            Table::Checklists => "checklists",
            Table::CommissionSessions => "commission_sessions",
            Table::Adjournments => "adjournments",
            Table::CommissionReasons => "commission_reasons",
        }
    }

    /// The entity's name in audit actions (`applicant.create`).
    pub fn entity(self) -> &'static str {
        match self {
            Table::CardHolders => "card_holder",
            Table::Applicants => "applicant",
            Table::Projects => "project",
            Table::Dossiers => "dossier",
            Table::Decisions => "decision",
            Table::FundingLines => "funding_line",
            Table::Disbursements => "disbursement",
            Table::Programmes => "programme",
            Table::Visits => "visit",
            Table::Certificates => "certificate",
            Table::Transfers => "transfer",
            Table::DuplicateReviews => "duplicate_review",
            Table::Checklists => "checklist",
            Table::CommissionSessions => "commission_session",
            Table::Adjournments => "adjournment",
            Table::CommissionReasons => "commission_reason",
        }
    }

    /// The French name of one record, for messages.
    pub fn label_fr(self) -> &'static str {
        match self {
            Table::CardHolders => "Titulaire de carte",
            Table::Applicants => "Bénéficiaire",
            Table::Projects => "Projet",
            Table::Dossiers => "Dossier",
            Table::Decisions => "Décision",
            Table::FundingLines => "Ligne de financement",
            Table::Disbursements => "Décaissement",
            Table::Programmes => "Programme",
            Table::Visits => "Visite",
            Table::Certificates => "Attestation",
            Table::Transfers => "Transfert",
            Table::DuplicateReviews => "Examen de doublon",
            Table::Checklists => "Liste de pièces",
            Table::CommissionSessions => "Session de la commission",
            Table::Adjournments => "Ajournement",
            Table::CommissionReasons => "Motif de la commission",
        }
    }

    fn fts(self) -> Option<&'static str> {
        match self {
            Table::Applicants => Some("applicants_fts"),
            Table::Projects => Some("projects_fts"),
            _ => None,
        }
    }
}

/// A value stored in a business table.
pub trait Record: Serialize + DeserializeOwned + crate::domain::text::FreeText {
    /// Its table.
    const TABLE: Table;
    /// The key lists are sorted by.
    fn sort_key(&self) -> String;
    /// What a list shows of the record: tab-separated columns, read without decoding `data`.
    fn label(&self) -> String;
    /// The text the search index holds for it, if the table is searchable.
    fn search_text(&self) -> Option<String> {
        None
    }
    /// Whether the retention rules anonymised it: what the audit log kept of its earlier states
    /// is then erased, here and wherever it is received.
    fn anonymised(&self) -> bool {
        false
    }
}

impl Record for CardHolder {
    const TABLE: Table = Table::CardHolders;
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
    fn sort_key(&self) -> String {
        self.card_number.clone()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.card_number, self.name_latin, self.name_arabic)
    }
}

impl Record for Applicant {
    const TABLE: Table = Table::Applicants;
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
    /// Latin family and given names when there are some, else the Arabic ones: short keys keep
    /// the list index small.
    fn sort_key(&self) -> String {
        let latin = fold(&format!("{} {}", self.last_name, self.first_name));
        let key = if latin.trim().is_empty() {
            fold(&format!("{} {}", self.last_name_ar, self.first_name_ar))
        } else {
            latin
        };
        key.split_whitespace().collect::<Vec<_>>().join(" ")
    }
    /// CIN, Latin name, Arabic name, birth date (ISO).
    fn label(&self) -> String {
        format!("{}\t{} {}\t{}\t{}", self.cin, self.last_name, self.first_name, self.arabic_name(), self.birth_date)
    }
    fn search_text(&self) -> Option<String> {
        let mut text = fold(&format!(
            "{} {} {} {} {}",
            self.last_name, self.first_name, self.last_name_ar, self.first_name_ar, self.cin
        ));
        if let Some(phone) = &self.phone {
            let national = phone.national();
            text.push(' ');
            text.push_str(&national);
            text.push(' ');
            text.push_str(&national[1..]);
        }
        Some(text)
    }
}

impl Record for Project {
    const TABLE: Table = Table::Projects;
    fn sort_key(&self) -> String {
        fold(&self.name)
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.name, self.kind.label_fr(), self.commune)
    }
    fn search_text(&self) -> Option<String> {
        Some(fold(&format!("{} {}", self.name, self.commune)))
    }
}

/// Fills the search index of `T`'s table from its live rows (a migration that creates the
/// index calls it: the folding is the program's, not SQLite's).
pub(crate) fn fill_search_index<T: Record>(conn: &Connection) -> Result<(), StoreError> {
    let table = T::TABLE;
    let Some(fts) = table.fts() else { return Ok(()) };
    let mut read = conn.prepare(&format!("SELECT rid, data FROM {} WHERE deleted_at IS NULL", table.name()))?;
    let mut insert = conn.prepare(&format!("INSERT INTO {fts} (rowid, text) VALUES (?1, ?2)"))?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let data: String = row.get(1)?;
        let value: T = serde_json::from_str(&data).map_err(|e| corrupt(table, e))?;
        if let Some(text) = value.search_text() {
            insert.execute(params![row.get::<_, i64>(0)?, text])?;
        }
    }
    Ok(())
}

impl Record for Dossier {
    const TABLE: Table = Table::Dossiers;
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
    fn sort_key(&self) -> String {
        self.number.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}\t{}", self.number, self.kind.label_fr(), self.status.label_fr(), self.deposited_on)
    }
}

impl Record for Decision {
    const TABLE: Table = Table::Decisions;
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
    fn sort_key(&self) -> String {
        self.decided_on.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}", self.decided_on, if self.approved { "approuvé" } else { "rejeté" })
    }
}

impl Record for FundingLine {
    const TABLE: Table = Table::FundingLines;
    fn sort_key(&self) -> String {
        self.year.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.source, self.committed, self.year)
    }
}

impl Record for Disbursement {
    const TABLE: Table = Table::Disbursements;
    fn sort_key(&self) -> String {
        self.paid_on.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.tranche, self.paid_on, self.amount)
    }
}

impl Record for Programme {
    const TABLE: Table = Table::Programmes;
    fn sort_key(&self) -> String {
        self.code.clone()
    }
    fn label(&self) -> String {
        format!("{}\t{}", self.code, self.name)
    }
}

impl Record for Visit {
    const TABLE: Table = Table::Visits;
    fn sort_key(&self) -> String {
        self.visited_on.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.visited_on, self.jobs_verified.total, self.jobs_verified.family)
    }
}

impl Record for Certificate {
    const TABLE: Table = Table::Certificates;
    /// Newest first in lists: the number sorts by year then sequence.
    fn sort_key(&self) -> String {
        self.number.clone()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}\t{}", self.number, self.facts.kind.title_fr(), self.facts.name, self.facts.cin)
    }
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
}

impl Record for Transfer {
    const TABLE: Table = Table::Transfers;
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
    fn sort_key(&self) -> String {
        self.on.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.on, self.from_office, self.to_office)
    }
}

impl Record for DuplicateReview {
    const TABLE: Table = Table::DuplicateReviews;
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
    fn sort_key(&self) -> String {
        self.reviewed_on.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}", self.reviewed_on, self.verdict.label_fr())
    }
}

impl Record for Checklist {
    const TABLE: Table = Table::Checklists;
    fn sort_key(&self) -> String {
        self.kind.code().to_owned()
    }
    fn label(&self) -> String {
        format!("{}\t{}", self.kind.label_fr(), self.items.len())
    }
}

impl Record for CommissionSession {
    const TABLE: Table = Table::CommissionSessions;
    fn sort_key(&self) -> String {
        self.held_on.to_string()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.reference, self.held_on, self.place)
    }
}

impl Record for CommissionReason {
    const TABLE: Table = Table::CommissionReasons;
    fn sort_key(&self) -> String {
        self.code.clone()
    }
    fn label(&self) -> String {
        format!("{}\t{}\t{}", self.code, self.used_for, self.label_fr)
    }
}

impl Record for Adjournment {
    const TABLE: Table = Table::Adjournments;
    fn anonymised(&self) -> bool {
        self.anonymised_on.is_some()
    }
    fn sort_key(&self) -> String {
        self.on.to_string()
    }
    fn label(&self) -> String {
        format!("{}\tajourné", self.on)
    }
}

/// The bookkeeping columns of a business row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RowMeta {
    /// UUIDv7.
    pub id: Uuid,
    /// The site that created the row and alone writes it.
    pub owner: String,
    /// Bumped by the owner on each write, from 1.
    pub version: i64,
    /// Created (UTC, RFC 3339).
    pub created_at: String,
    /// Last written (UTC, RFC 3339).
    pub updated_at: String,
    /// Set when the row was deleted (tombstone).
    pub deleted_at: Option<String>,
    /// Why it was deleted.
    pub delete_reason: Option<String>,
}

/// A business row: its bookkeeping and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<T> {
    /// Bookkeeping.
    pub meta: RowMeta,
    /// The value.
    pub value: T,
}

/// A row received from another site, made ready to store: everything its write needs that does
/// not read the database (its canonical text, list keys, search text and hash), so that rows
/// can be prepared on one thread while others are written on another.
#[derive(Debug)]
pub struct Arrival {
    /// Its table.
    pub table: Table,
    /// Its bookkeeping, as the owner sent it.
    pub meta: RowMeta,
    data: String,
    sort_key: String,
    label: String,
    search_text: Option<String>,
    anonymised: bool,
    row_hash: Hash,
}

/// Refuses a value whose free text breaks its rules (`crate::domain::text`).
fn check_text<T: Record>(table: Table, value: &T) -> Result<(), StoreError> {
    match value.text_problem() {
        Some(message) => Err(StoreError::Text { table: table.label_fr(), message }),
        None => Ok(()),
    }
}

/// Refuses a change or deletion reason that breaks the rules of a note.
fn check_reason(table: Table, reason: Option<&str>) -> Result<(), StoreError> {
    use crate::domain::text;
    match reason.and_then(|r| text::problem("Motif", r, text::NOTE)) {
        Some(message) => Err(StoreError::Text { table: table.label_fr(), message }),
        None => Ok(()),
    }
}

impl Arrival {
    /// Makes `value` ready to be stored as the row `meta` describes.
    pub fn new<T: Record>(meta: RowMeta, value: &T) -> Result<Arrival, StoreError> {
        check_text(T::TABLE, value)?;
        let data = serde_json::to_string(value).map_err(|e| corrupt(T::TABLE, e))?;
        let row_hash = row_hash(meta.version, meta.deleted_at.as_deref(), &data);
        Ok(Arrival {
            table: T::TABLE,
            meta,
            data,
            sort_key: value.sort_key(),
            label: value.label(),
            search_text: value.search_text(),
            anonymised: value.anonymised(),
            row_hash,
        })
    }
}

/// Who writes, where and when: everything a write stamps on rows, outbox and audit. Made for
/// one transaction.
#[derive(Debug)]
pub struct Writer<'a> {
    /// The connection (inside a transaction).
    pub conn: &'a Connection,
    /// This installation's code: the owner of what it creates.
    pub site: &'a str,
    /// The user's login.
    pub actor: &'a str,
    /// The time of the write.
    pub now: DateTime<Utc>,
    /// The statements of its writes, prepared once for the transaction.
    statements: RefCell<HashMap<Sql, rusqlite::Statement<'a>>>,
    /// How many live rows each table (in [`Table::ALL`] order) gained or lost: written to
    /// `live_counts` once, by [`Writer::finish`].
    live_deltas: Cell<[i64; Table::ALL.len()]>,
    /// The rows received new since the last audit entry, which one receipt vouches for (see
    /// [`audit`]): written before the next entry, or by [`Writer::finish`].
    received: RefCell<Vec<(Table, Uuid, Hash)>>,
}

/// The statements a writer runs for each row it writes (a bulk import runs each of them a
/// hundred thousand times: prepared once, they are not looked up by their text every time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Sql {
    /// The held version of a row, by id.
    Held(Table),
    /// A received row, new or newer.
    Upsert(Table),
    SearchDelete(Table),
    SearchInsert(Table),
    Outbox,
    Audit,
}

impl Sql {
    fn text(self) -> String {
        match self {
            Sql::Held(table) => format!("SELECT rid, version, deleted_at, data, owner FROM {} WHERE id = ?1", table.name()),
            Sql::Upsert(table) => format!(
                "INSERT INTO {} (id, owner, version, created_at, updated_at, deleted_at, delete_reason, sort_key, label, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, created_at = excluded.created_at,
                     updated_at = excluded.updated_at, deleted_at = excluded.deleted_at,
                     delete_reason = excluded.delete_reason, sort_key = excluded.sort_key, label = excluded.label,
                     data = excluded.data",
                table.name()
            ),
            Sql::SearchDelete(table) => format!("DELETE FROM {} WHERE rowid = ?1", table.fts().unwrap_or_default()),
            Sql::SearchInsert(table) => {
                format!("INSERT INTO {} (rowid, text) VALUES (?1, ?2)", table.fts().unwrap_or_default())
            }
            Sql::Outbox => "INSERT INTO outbox (at, table_name, row_id, owner, version) VALUES (?1, ?2, ?3, ?4, ?5)".into(),
            Sql::Audit => audit::INSERT.into(),
        }
    }
}

#[derive(Serialize)]
struct AuditContent<'a> {
    before: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

fn corrupt(table: Table, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { table: table.name(), message: e.to_string() }
}

/// Reads the bookkeeping columns of a row selected with [`ROW_COLUMNS`].
pub(crate) fn read_meta(r: &rusqlite::Row<'_>) -> Result<RowMeta, rusqlite::Error> {
    let id: String = r.get(0)?;
    Ok(RowMeta {
        id: Uuid::parse_str(&id)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))?,
        owner: r.get(1)?,
        version: r.get(2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
        deleted_at: r.get(5)?,
        delete_reason: r.get(6)?,
    })
}

/// The columns [`read_meta`] expects, then `data`.
pub const ROW_COLUMNS: &str = "id, owner, version, created_at, updated_at, deleted_at, delete_reason, data";

/// Reads a row selected with [`ROW_COLUMNS`].
pub fn read_row<T: Record>(r: &rusqlite::Row<'_>) -> Result<Row<T>, StoreError> {
    let meta = read_meta(r).map_err(|e| corrupt(T::TABLE, e))?;
    let data: String = r.get(7)?;
    let value = serde_json::from_str(&data).map_err(|e| corrupt(T::TABLE, e))?;
    Ok(Row { meta, value })
}

/// Reads one row by id, tombstoned or not.
pub fn get<T: Record>(conn: &Connection, id: Uuid) -> Result<Option<Row<T>>, StoreError> {
    let sql = format!("SELECT {ROW_COLUMNS} FROM {} WHERE id = ?1", T::TABLE.name());
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([id.to_string()])?;
    match rows.next()? {
        Some(r) => Ok(Some(read_row(r)?)),
        None => Ok(None),
    }
}

/// The owner of a row, if the row is held here (without reading its content).
pub fn owner_of<T: Record>(conn: &Connection, id: Uuid) -> Result<Option<String>, StoreError> {
    let sql = format!("SELECT owner FROM {} WHERE id = ?1", T::TABLE.name());
    Ok(conn.prepare_cached(&sql)?.query_row([id.to_string()], |r| r.get(0)).optional()?)
}

/// Reads one live row by id: an error in French when it is missing or deleted.
pub fn get_live<T: Record>(conn: &Connection, id: Uuid) -> Result<Row<T>, StoreError> {
    let row = get::<T>(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("{} {id}", T::TABLE.label_fr())))?;
    if let Some(reason) = &row.meta.delete_reason {
        return Err(StoreError::Deleted(reason.clone()));
    }
    Ok(row)
}

/// Reads the live rows matching a `WHERE` clause on the table (`column = ?1`), in list order.
pub fn find<T: Record>(conn: &Connection, condition: &str, param: &str) -> Result<Vec<Row<T>>, StoreError> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM {} WHERE ({condition}) AND +deleted_at IS NULL ORDER BY +sort_key, rid",
        T::TABLE.name()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([param])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read_row(r)?);
    }
    Ok(out)
}

/// Every live row of a (small) table, in list order: programmes, reference-like tables.
pub fn all<T: Record>(conn: &Connection) -> Result<Vec<Row<T>>, StoreError> {
    find(conn, "1 = 1 OR ?1 IS NULL", "")
}

/// What breaks the free-text rules in a row of `table` stored as `data` (its JSON) with
/// `delete_reason`, if anything: the message naming the field, and what lists show of the row.
pub fn text_problem(
    table: Table,
    data: &str,
    delete_reason: Option<&str>,
) -> Result<Option<(String, String)>, StoreError> {
    use crate::domain::text;
    fn decoded<T: Record>(data: &str, reason: Option<String>) -> Result<Option<(String, String)>, StoreError> {
        let value = serde_json::from_str::<T>(data).map_err(|e| corrupt(T::TABLE, e))?;
        Ok(reason.or_else(|| value.text_problem()).map(|message| (message, value.label().replace('\t', " — "))))
    }
    let reason = delete_reason.and_then(|why| text::problem("Motif", why, text::NOTE));
    if reason.is_none() && !text::worth_a_look(data) {
        return Ok(None);
    }
    match table {
        Table::CardHolders => decoded::<CardHolder>(data, reason),
        Table::Applicants => decoded::<Applicant>(data, reason),
        Table::Projects => decoded::<Project>(data, reason),
        Table::Dossiers => decoded::<Dossier>(data, reason),
        Table::Decisions => decoded::<Decision>(data, reason),
        Table::FundingLines => decoded::<FundingLine>(data, reason),
        Table::Disbursements => decoded::<Disbursement>(data, reason),
        Table::Programmes => decoded::<Programme>(data, reason),
        Table::Visits => decoded::<Visit>(data, reason),
        Table::Certificates => decoded::<Certificate>(data, reason),
        Table::Transfers => decoded::<Transfer>(data, reason),
        Table::DuplicateReviews => decoded::<DuplicateReview>(data, reason),
        Table::Checklists => decoded::<Checklist>(data, reason),
        Table::CommissionSessions => decoded::<CommissionSession>(data, reason),
        Table::Adjournments => decoded::<Adjournment>(data, reason),
        Table::CommissionReasons => decoded::<CommissionReason>(data, reason),
    }
}

/// A stored row that breaks the free-text rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextProblem {
    /// Its table.
    pub table: Table,
    /// Its id.
    pub id: Uuid,
    /// The site that owns it (the only one that can correct it).
    pub owner: String,
    /// What lists show of it.
    pub label: String,
    /// What is wrong, naming the field.
    pub message: String,
}

/// Every stored row of every table that breaks the free-text rules (rows written before the
/// rules existed): one pass over the rows' text, decoding only those that may break a rule.
pub fn text_problems(conn: &Connection) -> Result<Vec<TextProblem>, StoreError> {
    let mut found = Vec::new();
    for table in Table::ALL {
        let mut stmt = conn.prepare(&format!("SELECT id, owner, data, delete_reason FROM {}", table.name()))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let data: String = r.get(2)?;
            let reason: Option<String> = r.get(3)?;
            if let Some((message, label)) = text_problem(table, &data, reason.as_deref())? {
                let id: String = r.get(0)?;
                found.push(TextProblem {
                    table,
                    id: Uuid::parse_str(&id).map_err(|e| corrupt(table, e))?,
                    owner: r.get(1)?,
                    label,
                    message,
                });
            }
        }
    }
    Ok(found)
}

impl<'a> Writer<'a> {
    /// A writer for one transaction on `conn`.
    pub fn new(conn: &'a Connection, site: &'a str, actor: &'a str, now: DateTime<Utc>) -> Writer<'a> {
        Writer {
            conn,
            site,
            actor,
            now,
            statements: RefCell::default(),
            live_deltas: Cell::new([0; Table::ALL.len()]),
            received: RefCell::default(),
        }
    }

    /// Writes what the writer keeps for the end of its transaction (the receipt of the rows
    /// received new, the tables' live counts) and releases its statements: call it before
    /// committing.
    pub fn finish(self) -> Result<(), StoreError> {
        self.write_receipt()?;
        for (table, delta) in Table::ALL.into_iter().zip(self.live_deltas.get()) {
            if delta != 0 {
                self.conn
                    .prepare_cached("UPDATE live_counts SET live = live + ?2 WHERE table_name = ?1")?
                    .execute(params![table.name(), delta])?;
            }
        }
        Ok(())
    }

    /// The statement `sql`, prepared at its first use in this writer's transaction.
    fn statement(&self, sql: Sql) -> Result<RefMut<'_, rusqlite::Statement<'a>>, StoreError> {
        let mut statements = self.statements.borrow_mut();
        if let Slot::Vacant(slot) = statements.entry(sql) {
            slot.insert(self.conn.prepare(&sql.text())?);
        }
        RefMut::filter_map(statements, |s| s.get_mut(&sql))
            .map_err(|_| StoreError::Corrupt { table: "statements", message: "requête préparée perdue".into() })
    }

    /// The connection it writes through (for the reads a write depends on).
    pub fn conn(&self) -> &'a Connection {
        self.conn
    }

    /// The code of the site it writes for (the owner of what it creates).
    pub fn site(&self) -> &'a str {
        self.site
    }

    /// Appends an audit entry (for acts that are not row writes: overrides, account changes).
    pub fn audit(&self, entry: &Entry<'_>) -> Result<i64, StoreError> {
        // The rows received so far are vouched for before anything written after them.
        self.write_receipt()?;
        self.append(entry)
    }

    /// Appends the receipt of the rows received new since the last entry, if any.
    fn write_receipt(&self) -> Result<(), StoreError> {
        let rows = self.received.take();
        if rows.is_empty() {
            return Ok(());
        }
        let content = audit::receipt_content(rows);
        self.append(&Entry {
            at: self.now,
            actor: self.actor,
            action: audit::RECEIPT,
            table: None,
            row_id: None,
            row_hash: None,
            content: &content,
        })?;
        Ok(())
    }

    fn append(&self, entry: &Entry<'_>) -> Result<i64, StoreError> {
        // Read each time: acts audited directly on the connection may come between two writes.
        let head = audit::head(self.conn)?;
        Ok(audit::append_with(&mut *self.statement(Sql::Audit)?, entry, head)?.0)
    }

    /// Creates a row owned by this site.
    pub fn insert<T: Record>(&self, id: Uuid, value: &T) -> Result<RowMeta, StoreError> {
        check_text(T::TABLE, value)?;
        let now = timestamp(self.now);
        let meta = RowMeta {
            id,
            owner: self.site.to_owned(),
            version: 1,
            created_at: now.clone(),
            updated_at: now,
            deleted_at: None,
            delete_reason: None,
        };
        let data = serde_json::to_string(value).map_err(|e| corrupt(T::TABLE, e))?;
        let sql = format!(
            "INSERT INTO {} (id, owner, version, created_at, updated_at, sort_key, label, data) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7)",
            T::TABLE.name()
        );
        self.conn.prepare_cached(&sql)?.execute(params![
            meta.id.to_string(),
            meta.owner,
            meta.created_at,
            meta.updated_at,
            value.sort_key(),
            value.label(),
            data
        ])?;
        let rid = self.conn.last_insert_rowid();
        self.count_live(T::TABLE, 1);
        self.index(T::TABLE, rid, value.search_text().as_deref(), false)?;
        self.log(T::TABLE, &meta, "create", row_hash(1, None, &data), None, None)?;
        Ok(meta)
    }

    /// Replaces the value of a live row owned by this site.
    pub fn update<T: Record>(&self, id: Uuid, value: &T, reason: Option<&str>) -> Result<RowMeta, StoreError> {
        check_text(T::TABLE, value)?;
        check_reason(T::TABLE, reason)?;
        let (rid, mut meta, before) = self.current::<T>(id)?;
        let data = serde_json::to_string(value).map_err(|e| corrupt(T::TABLE, e))?;
        meta.version += 1;
        meta.updated_at = timestamp(self.now);
        let sql = format!(
            "UPDATE {} SET version = ?2, updated_at = ?3, sort_key = ?4, label = ?5, data = ?6 WHERE rid = ?1",
            T::TABLE.name()
        );
        self.conn.prepare_cached(&sql)?.execute(params![
            rid,
            meta.version,
            meta.updated_at,
            value.sort_key(),
            value.label(),
            data
        ])?;
        self.index(T::TABLE, rid, value.search_text().as_deref(), true)?;
        self.log(T::TABLE, &meta, "update", row_hash(meta.version, None, &data), Some(&before), reason)?;
        Ok(meta)
    }

    /// Deletes a live row owned by this site: a tombstone with a reason, which travels.
    pub fn tombstone<T: Record>(&self, id: Uuid, reason: &str) -> Result<RowMeta, StoreError> {
        check_reason(T::TABLE, Some(reason))?;
        let (rid, mut meta, before) = self.current::<T>(id)?;
        meta.version += 1;
        meta.updated_at = timestamp(self.now);
        meta.deleted_at = Some(meta.updated_at.clone());
        meta.delete_reason = Some(reason.to_owned());
        let sql = format!(
            "UPDATE {} SET version = ?2, updated_at = ?3, deleted_at = ?3, delete_reason = ?4 WHERE rid = ?1",
            T::TABLE.name()
        );
        self.conn.prepare_cached(&sql)?.execute(params![rid, meta.version, meta.updated_at, reason])?;
        self.count_live(T::TABLE, -1);
        self.index(T::TABLE, rid, None, true)?;
        let hash = row_hash(meta.version, meta.deleted_at.as_deref(), &before);
        self.log(T::TABLE, &meta, "delete", hash, Some(&before), Some(reason))?;
        Ok(meta)
    }

    /// Stores a row another site owns, as it arrived (its owner, version and timestamps), unless
    /// the one held is as recent. Logged like any write: an outbox line, so a delegation forwards
    /// it up; an audit entry with the state it replaces, or for a new row its hash in the
    /// transaction's receipt, so `check` vouches for it. Returns whether it was applied.
    pub fn receive<T: Record>(&self, meta: &RowMeta, value: &T) -> Result<bool, StoreError> {
        self.receive_arrival(&Arrival::new(meta.clone(), value)?)
    }

    /// [`Writer::receive`] for a row already made ready (possibly on another thread).
    pub fn receive_arrival(&self, arrival: &Arrival) -> Result<bool, StoreError> {
        let Arrival { table, meta, .. } = arrival;
        let held = self
            .statement(Sql::Held(*table))?
            .query_row([meta.id.to_string()], |r| {
                Ok((
                    (r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, String>(3)?),
                    r.get::<_, String>(4)?,
                ))
            })
            .optional()?;
        // A row never changes hands by being received.
        let held = match held {
            Some((_, owner)) if owner != meta.owner => return Err(StoreError::NotOwner { owner }),
            other => other.map(|(row, _)| row),
        };
        let live = meta.deleted_at.is_none();
        if held.as_ref().is_some_and(|(_, version, _, _)| *version >= meta.version) {
            return Ok(false);
        }
        // One statement for a new row and for a newer version of a held one.
        self.statement(Sql::Upsert(*table))?.execute(params![
            meta.id.to_string(),
            meta.owner,
            meta.version,
            meta.created_at,
            meta.updated_at,
            meta.deleted_at,
            meta.delete_reason,
            arrival.sort_key,
            arrival.label,
            arrival.data
        ])?;
        let (rid, before, was_live) = match held {
            Some((rid, _, deleted_at, before)) => (rid, Some(before), deleted_at.is_none()),
            None => (self.conn.last_insert_rowid(), None, false),
        };
        self.count_live(*table, i64::from(live) - i64::from(was_live));
        self.index(*table, rid, arrival.search_text.as_deref().filter(|_| live), before.is_some())?;
        if before.is_none() {
            // A new row: its outbox line now, its hash in the receipt.
            self.outbox(*table, meta)?;
            self.received.borrow_mut().push((*table, meta.id, arrival.row_hash));
        } else {
            self.log(*table, meta, "receive", arrival.row_hash, before.as_deref(), None)?;
        }
        if arrival.anonymised {
            self.erase_history(meta.id)?;
        }
        Ok(true)
    }

    /// Erases what the audit log kept of the row's earlier states (see [`Record::anonymised`]);
    /// returns how many entries were erased.
    pub fn erase_history(&self, id: Uuid) -> Result<usize, StoreError> {
        audit::erase_row_contents(self.conn, &id.to_string(), "anonymisation (durée de conservation)", self.now)
    }

    fn current<T: Record>(&self, id: Uuid) -> Result<(i64, RowMeta, String), StoreError> {
        let sql = format!("SELECT {ROW_COLUMNS}, rid FROM {} WHERE id = ?1", T::TABLE.name());
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id.to_string()], |r| Ok((read_meta(r)?, r.get::<_, String>(7)?, r.get::<_, i64>(8)?)))
            .optional()?;
        let (meta, data, rid) = found.ok_or_else(|| StoreError::NotFound(format!("{} {id}", T::TABLE.label_fr())))?;
        if meta.owner != self.site {
            return Err(StoreError::NotOwner { owner: meta.owner });
        }
        if let Some(reason) = meta.delete_reason {
            return Err(StoreError::Deleted(reason));
        }
        Ok((rid, meta, data))
    }

    fn count_live(&self, table: Table, delta: i64) {
        let mut deltas = self.live_deltas.get();
        if let Some(i) = Table::ALL.iter().position(|t| *t == table) {
            deltas[i] += delta;
        }
        self.live_deltas.set(deltas);
    }

    /// Puts the row's search text (none: a deleted row) in its table's search index, if it has one.
    fn index(&self, table: Table, rid: i64, text: Option<&str>, replace: bool) -> Result<(), StoreError> {
        if table.fts().is_none() {
            return Ok(());
        }
        if replace {
            self.statement(Sql::SearchDelete(table))?.execute([rid])?;
        }
        if let Some(text) = text {
            self.statement(Sql::SearchInsert(table))?.execute(params![rid, text])?;
        }
        Ok(())
    }

    /// Appends the outbox line of a write (what sync carries).
    fn outbox(&self, table: Table, meta: &RowMeta) -> Result<(), StoreError> {
        self.statement(Sql::Outbox)?.execute(params![
            meta.updated_at,
            table.name(),
            meta.id.to_string(),
            meta.owner,
            meta.version
        ])?;
        Ok(())
    }

    /// Appends the outbox line and the audit entry of a write. `row_hash` is the hash of the row
    /// as it now stands; the entry's content keeps what the row was *before* the write (`null`
    /// for a creation) and the reason: the state after a write is the next entry's `before`, or
    /// the row itself for the last one. A creation thus stores no second copy of the row.
    fn log(
        &self,
        table: Table,
        meta: &RowMeta,
        verb: &str,
        row_hash: Hash,
        before: Option<&str>,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.outbox(table, meta)?;
        let before = before.map(|b| RawValue::from_string(b.to_owned()).map_err(|e| corrupt(table, e))).transpose()?;
        let content = serde_json::to_string(&AuditContent { before: before.as_deref(), reason })
            .map_err(|e| corrupt(table, e))?;
        let id = meta.id.to_string();
        let action = format!("{}.{verb}", table.entity());
        self.audit(&Entry {
            at: self.now,
            actor: self.actor,
            action: &action,
            table: Some(table.name()),
            row_id: Some(&id),
            row_hash: Some(row_hash),
            content: &content,
        })?;
        Ok(())
    }
}
