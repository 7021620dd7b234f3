//! The audit log: who did what, when, with the content before and after, in a hash chain.
//!
//! Each entry's hash covers the previous entry's hash and the hash of its content, not the
//! content itself: retention rules can erase an entry's personal content (an audited act)
//! and the chain still verifies. `daftar check` recomputes the whole chain and also compares
//! every business row with the hash its last audit entry recorded, so a row edited behind
//! Daftar's back is found.
//!
//! Rows received new from another site (a bundle brings a hundred thousand of them on a
//! delegation's first import) have no entry each: one *receipt* ([`RECEIPT`]) lists them, by
//! table, with their hashes; `check` compares a row with its last entry or receipt, whichever
//! came last. Their history of writes is the owner's, in the owner's chain.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};
use sha2::{Digest as _, Sha256};

use super::StoreError;
use super::records::Table;

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The hash before the first entry.
pub const GENESIS: Hash = [0; 32];

/// The action of a receipt: the entry vouching for rows received new (module documentation).
pub const RECEIPT: &str = "records.receive";

/// The content of the receipt of `rows` (table, id, hash): `{"rows": {"<table>": [["<id>",
/// "<hex hash>"], …], …}}`, written by hand (ids and hex digits need no escaping; serde took
/// five times as long on a bundle).
pub(crate) fn receipt_content(rows: Vec<(Table, uuid::Uuid, Hash)>) -> String {
    let mut by_table = std::collections::BTreeMap::<&str, Vec<(uuid::Uuid, Hash)>>::new();
    for (table, id, hash) in rows {
        by_table.entry(table.name()).or_default().push((id, hash));
    }
    let mut json = String::with_capacity(16 + by_table.values().map(|rows| rows.len() * 106 + 24).sum::<usize>());
    json.push_str("{\"rows\":{");
    for (t, (table, rows)) in by_table.into_iter().enumerate() {
        json.push_str(if t == 0 { "\"" } else { ",\"" });
        json.push_str(table);
        json.push_str("\":[");
        for (r, (id, hash)) in rows.iter().enumerate() {
            let mut hex = [0; 64];
            // 32 bytes always fit 64 hex digits.
            let _ = hex::encode_to_slice(hash, &mut hex);
            json.push_str(if r == 0 { "[\"" } else { ",[\"" });
            json.push_str(id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()));
            json.push_str("\",\"");
            json.push_str(std::str::from_utf8(&hex).unwrap_or_default());
            json.push_str("\"]");
        }
        json.push(']');
    }
    json.push_str("}}");
    json
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// One entry to append.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: a login, or `système`.
    pub actor: &'a str,
    /// What: `applicant.create`, `dossier.move`, `user.add`, …
    pub action: &'a str,
    /// The table of the row written, if any.
    pub table: Option<&'a str>,
    /// The row written, if any.
    pub row_id: Option<&'a str>,
    /// The hash of the row as written (see [`row_hash`]).
    pub row_hash: Option<Hash>,
    /// The content (JSON: before, after, reason…), kept apart and erasable.
    pub content: &'a str,
}

/// The hash of one entry: the previous entry's hash, the sequence number, `at`, actor, action,
/// table, row id, then the row and content hashes.
fn entry_hash(prev: &Hash, seq: i64, texts: [&str; 5], row_hash: Option<&Hash>, content_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    for part in texts {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    h.update(row_hash.unwrap_or(&GENESIS));
    h.update(content_hash);
    h.finalize().into()
}

/// The timestamp format of the store (UTC, RFC 3339, microseconds).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The hash that identifies a business row's state: its version, tombstone and content.
pub fn row_hash(version: i64, deleted_at: Option<&str>, data: &str) -> Hash {
    let mut h = Sha256::new();
    h.update(version.to_be_bytes());
    h.update(deleted_at.unwrap_or("").as_bytes());
    h.update([0x1f]);
    h.update(data.as_bytes());
    h.finalize().into()
}

fn read_hash(value: Option<Vec<u8>>) -> Option<Hash> {
    value.and_then(|v| Hash::try_from(v.as_slice()).ok())
}

/// Appends an entry at the end of the chain; returns its sequence number.
pub fn append(conn: &Connection, e: &Entry<'_>) -> Result<i64, StoreError> {
    Ok(append_after(conn, e, head(conn)?)?.0)
}

/// The statement that appends an entry (its parameters are bound by [`append_with`]).
pub(crate) const INSERT: &str =
    "INSERT INTO audit_log (seq, at, actor, action, table_name, row_id, row_hash, content_hash, entry_hash, content)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Appends an entry after the known head `(seq, hash)` of the chain; returns the new head.
pub fn append_after(conn: &Connection, e: &Entry<'_>, head: (i64, Hash)) -> Result<(i64, Hash), StoreError> {
    append_with(&mut *conn.prepare_cached(INSERT)?, e, head)
}

/// [`append_after`] through `insert`, the statement [`INSERT`] already prepared.
pub(crate) fn append_with(
    insert: &mut rusqlite::Statement<'_>,
    e: &Entry<'_>,
    (last_seq, prev): (i64, Hash),
) -> Result<(i64, Hash), StoreError> {
    let seq = last_seq + 1;
    let at = timestamp(e.at);
    let content_hash = sha256(e.content.as_bytes());
    let texts = [at.as_str(), e.actor, e.action, e.table.unwrap_or(""), e.row_id.unwrap_or("")];
    let hash = entry_hash(&prev, seq, texts, e.row_hash.as_ref(), &content_hash);
    insert.execute(params![
        seq,
        at,
        e.actor,
        e.action,
        e.table,
        e.row_id,
        e.row_hash.as_ref().map(|h| h.as_slice()),
        content_hash.as_slice(),
        hash.as_slice(),
        e.content
    ])?;
    Ok((seq, hash))
}

/// The audited acts on one row, oldest first: when, who, what (`applicant.update`, …).
pub fn history_of(conn: &Connection, row_id: &str) -> Result<Vec<(String, String, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, action FROM (
             SELECT seq, at, actor, action FROM audit_log WHERE row_id = ?1
             UNION ALL
             SELECT seq, at, actor, action FROM audit_log
             WHERE action = ?2 AND instr(content, json_quote(?1)) > 0)
         ORDER BY seq",
    )?;
    let rows =
        stmt.query_map([row_id, RECEIPT], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The failed logins typed as `login` after `since` (a timestamp): how many, and the last
/// one's time.
pub fn failed_logins_since(conn: &Connection, login: &str, since: &str) -> Result<(i64, Option<String>), StoreError> {
    Ok(conn.query_row(
        "SELECT count(*), max(at) FROM audit_log
         WHERE action = 'user.login_failed' AND at > ?2 AND json_extract(content, '$.login') = ?1",
        rusqlite::params![login, since],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The last entry's number and hash: the head of the chain (sync bundles will carry it).
pub fn head(conn: &Connection) -> Result<(i64, Hash), StoreError> {
    let last = conn
        .prepare_cached("SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .optional()?;
    match last {
        None => Ok((0, GENESIS)),
        Some((seq, hash)) => read_hash(Some(hash))
            .map(|h| (seq, h))
            .ok_or(StoreError::Corrupt { table: "audit_log", message: format!("empreinte de l'entrée {seq}") }),
    }
}

/// Erases the content of entry `seq` (retention rules), keeping its hash; the erasure itself is
/// a new audited entry.
pub fn erase_content(
    conn: &Connection,
    seq: i64,
    reason: &str,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<(), StoreError> {
    let changed = conn.execute(
        "UPDATE audit_log SET content = NULL, erased_at = ?2, erase_reason = ?3 WHERE seq = ?1 AND content IS NOT NULL",
        params![seq, timestamp(at), reason],
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!("Entrée d'audit {seq} (ou déjà effacée)")));
    }
    let content = serde_json::json!({ "erased_seq": seq, "reason": reason }).to_string();
    append(
        conn,
        &Entry { at, actor, action: "audit.erase", table: None, row_id: None, row_hash: None, content: &content },
    )?;
    Ok(())
}

/// Erases the content of every entry about the row `row_id` (what it was before each write:
/// retention rules, once the row is anonymised), keeping their hashes: the chain still
/// verifies. Returns how many entries were erased; the caller audits the erasure as one act.
pub fn erase_row_contents(
    conn: &Connection,
    row_id: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    erase_contents_where(conn, "row_id = ?1", row_id, reason, at)
}

/// How many entries about the rows `row_ids` still hold content.
pub fn contents_about(conn: &Connection, row_ids: &[String]) -> Result<i64, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT count(*) FROM audit_log WHERE row_id = ?1 AND content IS NOT NULL")?;
    let mut total = 0;
    for id in row_ids {
        total += stmt.query_row([id], |r| r.get::<_, i64>(0))?;
    }
    Ok(total)
}

/// Erases the content of every entry whose JSON content holds the string `value` whole (a CIN
/// quoted by an act that names no row: a duplicate accepted despite it, say) — never a mere
/// substring, so that a short CIN does not erase other people's history. Returns how many were
/// erased.
pub fn erase_contents_quoting(
    conn: &Connection,
    value: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    erase_contents_where(conn, "instr(content, json_quote(?1)) > 0", value, reason, at)
}

/// Erases the content of the entries that `condition` (on `?1` = `value`) selects.
fn erase_contents_where(
    conn: &Connection,
    condition: &str,
    value: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let sql = format!(
        "UPDATE audit_log SET content = NULL, erased_at = ?2, erase_reason = ?3 WHERE content IS NOT NULL AND {condition}"
    );
    Ok(conn.prepare_cached(&sql)?.execute(params![value, timestamp(at), reason])?)
}

/// A problem found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainProblem {
    /// The first entry (or row) concerned.
    pub seq: i64,
    /// What is wrong, in French.
    pub message: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: i64,
    /// Entries whose content was erased (still verified through their hash).
    pub erased: i64,
    /// Business rows compared with their last audit entry.
    pub rows: i64,
    /// Problems, first ones first (empty: the chain holds).
    pub problems: Vec<ChainProblem>,
}

/// Recomputes the whole chain, the content hashes, and every business row's hash against its
/// last audit entry.
pub fn verify(conn: &Connection) -> Result<ChainReport, StoreError> {
    let mut report = ChainReport::default();
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, table_name, row_id, row_hash, content_hash, entry_hash, content
         FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS;
    let mut expected_seq = 1;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let at: String = r.get(1)?;
        let actor: String = r.get(2)?;
        let action: String = r.get(3)?;
        let table: Option<String> = r.get(4)?;
        let row_id: Option<String> = r.get(5)?;
        let row_hash = read_hash(r.get(6)?);
        let content_hash = read_hash(r.get(7)?).unwrap_or(GENESIS);
        let stored_hash = read_hash(r.get(8)?).unwrap_or(GENESIS);
        let content: Option<String> = r.get(9)?;
        report.entries += 1;
        let problem = |message: String| ChainProblem { seq, message };
        if seq != expected_seq {
            report.problems.push(problem(format!("entrée {expected_seq} manquante (la suivante est {seq})")));
        }
        expected_seq = seq + 1;
        let texts = [at.as_str(), &actor, &action, table.as_deref().unwrap_or(""), row_id.as_deref().unwrap_or("")];
        if entry_hash(&prev, seq, texts, row_hash.as_ref(), &content_hash) != stored_hash {
            report.problems.push(problem(format!("l'entrée {seq} a été modifiée ou ne suit pas la précédente")));
        }
        match content {
            Some(content) if sha256(content.as_bytes()) != content_hash => {
                report.problems.push(problem(format!("le contenu de l'entrée {seq} a été modifié")));
            }
            Some(_) => {}
            None => report.erased += 1,
        }
        prev = stored_hash;
    }
    drop(rows);
    let mut unreadable = conn.prepare(
        "SELECT seq FROM audit_log WHERE action = ?1 AND content IS NOT NULL AND NOT json_valid(content) ORDER BY seq",
    )?;
    for seq in unreadable.query_map([RECEIPT], |r| r.get::<_, i64>(0))? {
        let seq = seq?;
        report.problems.push(ChainProblem { seq, message: format!("le reçu de l'entrée {seq} est illisible") });
    }
    for table in Table::ALL {
        verify_rows(conn, table, &mut report)?;
    }
    Ok(report)
}

/// Compares every row of `table` with its last audit entry, or, for a row received new and not
/// written since (no entry of its own), with the hash its receipt lists. SQLite reads the
/// receipts (`json_each`), so that a delegation's millions of received rows are checked without
/// holding their hashes in memory.
fn verify_rows(conn: &Connection, table: Table, report: &mut ChainReport) -> Result<(), StoreError> {
    let name = table.name();
    let changed = |seq: i64, id: &str| ChainProblem {
        seq,
        message: format!(
            "la ligne {id} de la table {name} ne correspond pas au journal d'audit (modifiée hors de Daftar ?)"
        ),
    };
    // Rows with entries of their own: the last one has the last word (a receipt always comes
    // before the entries about the rows it brought).
    let mut own = conn.prepare(&format!(
        "SELECT t.id, t.version, t.deleted_at, t.data, a.seq, a.row_hash, t.rid
         FROM {name} t
         LEFT JOIN audit_log a ON a.seq = (SELECT max(b.seq) FROM audit_log b WHERE b.row_id = t.id)"
    ))?;
    let mut rows = own.query([])?;
    let mut received = 0;
    while let Some(r) = rows.next()? {
        report.rows += 1;
        if r.get::<_, Option<i64>>(4)?.is_none() {
            received += 1;
            continue;
        }
        let (version, deleted_at, data): (i64, Option<String>, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
        if read_hash(r.get(5)?) != Some(row_hash(version, deleted_at.as_deref(), &data)) {
            report.problems.push(changed(r.get(6)?, &r.get::<_, String>(0)?));
        }
    }
    // Rows received new: the hash of the latest receipt naming them.
    let mut vouched = conn.prepare(&format!(
        "SELECT v.id, v.hash, v.seq, t.version, t.deleted_at, t.data, t.rid
         FROM (SELECT j.value ->> 0 AS id, j.value ->> 1 AS hash, max(a.seq) AS seq
               FROM audit_log a, json_each(a.content, '$.rows.{name}') j
               WHERE a.action = ?1 AND json_valid(a.content)
               GROUP BY id) v
         LEFT JOIN {name} t ON t.id = v.id
         WHERE NOT EXISTS (SELECT 1 FROM audit_log b WHERE b.row_id = v.id)"
    ))?;
    let mut rows = vouched.query([RECEIPT])?;
    let mut found = 0;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let Some(rid) = r.get::<_, Option<i64>>(6)? else {
            let seq = r.get(2)?;
            let message = format!("la ligne {id} de la table {name}, attestée par le reçu {seq}, a disparu");
            report.problems.push(ChainProblem { seq, message });
            continue;
        };
        found += 1;
        let mut hash = GENESIS;
        let listed = hex::decode_to_slice(r.get::<_, String>(1)?, &mut hash).is_ok();
        let (version, deleted_at, data): (i64, Option<String>, String) = (r.get(3)?, r.get(4)?, r.get(5)?);
        if !listed || hash != row_hash(version, deleted_at.as_deref(), &data) {
            report.problems.push(changed(rid, &id));
        }
    }
    if found < received {
        // Rows with neither entry nor receipt (added behind Daftar's back): named one by one.
        let mut orphans = conn.prepare(&format!(
            "SELECT t.id, t.rid FROM {name} t
             WHERE NOT EXISTS (SELECT 1 FROM audit_log b WHERE b.row_id = t.id)
               AND t.id NOT IN (SELECT j.value ->> 0 FROM audit_log a, json_each(a.content, '$.rows.{name}') j
                                WHERE a.action = ?1 AND json_valid(a.content))"
        ))?;
        let mut rows = orphans.query([RECEIPT])?;
        while let Some(r) = rows.next()? {
            report.problems.push(changed(r.get(1)?, &r.get::<_, String>(0)?));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_reads_back_as_written() {
        let id = |n: u128| uuid::Uuid::from_u128(n);
        let rows = vec![
            (Table::Applicants, id(7), [0xab; 32]),
            (Table::CardHolders, id(3), [0x01; 32]),
            (Table::Applicants, id(9), [0xff; 32]),
        ];
        let content = receipt_content(rows);
        type Rows = std::collections::BTreeMap<String, Vec<(uuid::Uuid, String)>>;
        let read: std::collections::BTreeMap<String, Rows> =
            serde_json::from_str(&content).unwrap_or_else(|e| panic!("{e}: {content}"));
        let hex = |b: u8| hex::encode([b; 32]);
        let expected = [
            ("applicants".to_string(), vec![(id(7), hex(0xab)), (id(9), hex(0xff))]),
            ("card_holders".to_string(), vec![(id(3), hex(0x01))]),
        ];
        assert_eq!(read["rows"], expected.into_iter().collect::<Rows>());
        assert_eq!(receipt_content(vec![]), r#"{"rows":{}}"#);
    }
}
