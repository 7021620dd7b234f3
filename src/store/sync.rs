//! What sync keeps in the database: the sites known (parent, supervised sites), watermarks and
//! sequence numbers, bundles read, conflicts, the import log, and the rows a bundle carries.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::StoreError;
use super::records::{ROW_COLUMNS, RowMeta, Table, read_meta};
use crate::domain::transfer::MovedRow;
use crate::identity::PublicKeys;
use crate::sync::envelope::Rotation;
use crate::sync::keyring::{SiteEnrollment, SiteRevocation};
use crate::sync::payload::{RevokedCertificate, WireRecord};

/// How a known site stands to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The site this one reports to.
    Parent,
    /// A site this one supervises.
    Child,
    /// A site further down, known through a forwarded identity.
    Known,
}

impl Relation {
    fn code(self) -> &'static str {
        match self {
            Relation::Parent => "parent",
            Relation::Child => "child",
            Relation::Known => "known",
        }
    }

    fn parse(code: &str) -> Relation {
        match code {
            "parent" => Relation::Parent,
            "child" => Relation::Child,
            _ => Relation::Known,
        }
    }
}

/// A site this installation knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its level code.
    pub level: String,
    /// How it stands to us.
    pub relation: Relation,
    /// The site that supervises it, when known.
    pub supervisor: Option<String>,
    /// Its keys.
    pub keys: PublicKeys,
    /// When it was enrolled.
    pub enrolled_at: String,
    /// When its key was revoked, and why.
    pub revoked: Option<(String, String)>,
    /// The revocation as its author signed it (none for revocations made before statements).
    pub revocation: Option<SiteRevocation>,
    /// Its latest enrollment as the site that enrolled it signed it (none before statements).
    pub enrollment: Option<SiteEnrollment>,
}

fn read_peer(r: &rusqlite::Row<'_>) -> Result<Peer, rusqlite::Error> {
    let revoked_at: Option<String> = r.get(8)?;
    let reason: Option<String> = r.get(9)?;
    let revocation: Option<String> = r.get(10)?;
    let enrollment: Option<String> = r.get(11)?;
    Ok(Peer {
        code: r.get(0)?,
        name: r.get(1)?,
        level: r.get(2)?,
        relation: Relation::parse(&r.get::<_, String>(3)?),
        supervisor: r.get(4)?,
        keys: PublicKeys { ed25519: r.get(5)?, age_recipient: r.get(6)? },
        enrolled_at: r.get(7)?,
        revoked: revoked_at.map(|at| (at, reason.unwrap_or_default())),
        revocation: revocation.and_then(|json| serde_json::from_str(&json).ok()),
        enrollment: enrollment.and_then(|json| serde_json::from_str(&json).ok()),
    })
}

const PEER_COLUMNS: &str = "code, name, level, relation, supervisor, ed25519, age_recipient, enrolled_at, revoked_at, revoke_reason, revocation, enrollment";

/// Forgets what the resolved conflicts about the row `row_id` kept of the records that arrived
/// (retention rules: the row is anonymised); the conflicts themselves stay, with their resolution.
pub fn forget_conflicts_about(conn: &Connection, row_id: &str) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE conflicts SET record = 'null' WHERE row_id = ?1 AND resolved_at IS NOT NULL")?
        .execute([row_id])?;
    Ok(())
}

/// A known site by code.
pub fn peer(conn: &Connection, code: &str) -> Result<Option<Peer>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {PEER_COLUMNS} FROM peers WHERE code = ?1"), [code], read_peer).optional()?)
}

/// Every known site, by code.
pub fn peers(conn: &Connection) -> Result<Vec<Peer>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {PEER_COLUMNS} FROM peers ORDER BY code"))?;
    let out = stmt.query_map([], read_peer)?.collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt { table: "peers", message: e.to_string() })
}

/// Records (or replaces) a known site with fresh keys: its revocation lifted, its retired keys
/// forgotten (what it signed before is vouched for no more).
pub fn put_peer(conn: &Connection, peer: &Peer) -> Result<(), StoreError> {
    let enrollment = peer.enrollment.as_ref().map(json).transpose()?;
    conn.execute(
        "INSERT INTO peers (code, name, level, relation, supervisor, ed25519, age_recipient, enrolled_at, enrollment)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, relation = excluded.relation,
             supervisor = excluded.supervisor, ed25519 = excluded.ed25519, age_recipient = excluded.age_recipient,
             enrolled_at = excluded.enrolled_at, revoked_at = NULL, revoke_reason = NULL, revocation = NULL,
             enrollment = excluded.enrollment",
        params![
            peer.code,
            peer.name,
            peer.level,
            peer.relation.code(),
            peer.supervisor,
            peer.keys.ed25519,
            peer.keys.age_recipient,
            peer.enrolled_at,
            enrollment
        ],
    )?;
    conn.execute("DELETE FROM retired_keys WHERE code = ?1", [&peer.code])?;
    Ok(())
}

/// A known site enrolled again by the site that enrolled it: its new keys, the statement, its
/// revocation lifted, its retired keys forgotten.
pub fn reenroll_peer(conn: &Connection, enrollment: &SiteEnrollment, at: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE peers SET ed25519 = ?2, age_recipient = ?3, enrolled_at = ?4, enrollment = ?5,
             revoked_at = NULL, revoke_reason = NULL, revocation = NULL
         WHERE code = ?1",
        params![enrollment.site, enrollment.keys.ed25519, enrollment.keys.age_recipient, at, json(enrollment)?],
    )?;
    conn.execute("DELETE FROM retired_keys WHERE code = ?1", [&enrollment.site])?;
    Ok(())
}

/// A site's previous signing keys, oldest first (certificates it signed before a rotation still
/// verify).
pub fn retired_keys(conn: &Connection, code: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT ed25519 FROM retired_keys WHERE code = ?1 ORDER BY rowid")?;
    let keys = stmt.query_map([code], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(keys)
}

/// The statements of a site's key rotations held here, oldest first (those made before
/// statements were kept are missing).
pub fn rotations(conn: &Connection, code: &str) -> Result<Vec<Rotation>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT statement FROM retired_keys WHERE code = ?1 AND statement IS NOT NULL ORDER BY rowid",
    )?;
    let texts = stmt.query_map([code], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(texts.iter().filter_map(|json| serde_json::from_str(json).ok()).collect())
}

/// Adopts a site's new keys; the previous signing key is kept for its old certificates only,
/// with the statement that retired it when there is one.
pub fn rotate_peer(
    conn: &Connection,
    code: &str,
    keys: &PublicKeys,
    statement: Option<&Rotation>,
) -> Result<(), StoreError> {
    let statement = statement.map(json).transpose()?;
    conn.execute(
        "INSERT INTO retired_keys (code, ed25519, statement) SELECT code, ed25519, ?2 FROM peers WHERE code = ?1
         ON CONFLICT (code, ed25519) DO UPDATE SET statement = coalesce(retired_keys.statement, excluded.statement)",
        params![code, statement],
    )?;
    conn.execute(
        "UPDATE peers SET ed25519 = ?2, age_recipient = ?3 WHERE code = ?1",
        params![code, keys.ed25519, keys.age_recipient],
    )?;
    Ok(())
}

/// Keeps a site's previous signing key learnt from a keyring, for the certificates it signed
/// before a rotation, with the statement that retired it when one came.
pub fn remember_retired_key(
    conn: &Connection,
    code: &str,
    old: &str,
    statement: Option<&Rotation>,
) -> Result<(), StoreError> {
    let statement = statement.map(json).transpose()?;
    conn.execute(
        "INSERT INTO retired_keys (code, ed25519, statement) VALUES (?1, ?2, ?3)
         ON CONFLICT (code, ed25519) DO UPDATE SET statement = coalesce(retired_keys.statement, excluded.statement)",
        params![code, old, statement],
    )?;
    Ok(())
}

/// Marks a known site's key revoked with the statement its author signed; `false` when no such
/// site is known.
pub fn revoke_peer(conn: &Connection, revocation: &SiteRevocation) -> Result<bool, StoreError> {
    let statement = json(revocation)?;
    Ok(conn.execute(
        "UPDATE peers SET revoked_at = ?2, revoke_reason = ?3, revocation = ?4 WHERE code = ?1",
        params![revocation.site, revocation.at, revocation.reason, statement],
    )? == 1)
}

/// What we hold from a sender.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incoming {
    /// The highest change of the sender applied here.
    pub watermark: i64,
    /// The last sequence number applied.
    pub last_sequence: u64,
    /// The sender's audit head as its last applied bundle stated it.
    pub audit_head: Option<(i64, String)>,
    /// When its last bundle was applied.
    pub last_at: Option<String>,
}

/// The state of what `sender` sent us.
pub fn incoming(conn: &Connection, sender: &str) -> Result<Incoming, StoreError> {
    Ok(conn
        .query_row(
            "SELECT watermark, last_sequence, audit_seq, audit_head, last_at FROM sync_in WHERE sender = ?1",
            [sender],
            |r| {
                let seq: Option<i64> = r.get(2)?;
                let head: Option<String> = r.get(3)?;
                Ok(Incoming {
                    watermark: r.get(0)?,
                    last_sequence: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
                    audit_head: seq.zip(head),
                    last_at: r.get(4)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

/// Records what a bundle from `sender` brought.
pub fn set_incoming(conn: &Connection, sender: &str, state: &Incoming) -> Result<(), StoreError> {
    let (seq, head) = state.audit_head.clone().unzip();
    conn.execute(
        "INSERT INTO sync_in (sender, watermark, last_sequence, audit_seq, audit_head, last_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (sender) DO UPDATE SET watermark = excluded.watermark, last_sequence = excluded.last_sequence,
             audit_seq = excluded.audit_seq, audit_head = excluded.audit_head, last_at = excluded.last_at",
        params![sender, state.watermark, state.last_sequence as i64, seq, head, state.last_at],
    )?;
    Ok(())
}

/// What we sent a recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// The sequence number of the next bundle.
    pub next_sequence: u64,
    /// The highest change the recipient acknowledged.
    pub acknowledged: i64,
    /// When the last bundle was written, and where.
    pub last_sent: Option<(String, String)>,
    /// The highest change a bundle for the recipient carried.
    pub sent_to: i64,
}

/// The state of what we sent `recipient`.
pub fn outgoing(conn: &Connection, recipient: &str) -> Result<Outgoing, StoreError> {
    Ok(conn
        .query_row(
            "SELECT next_sequence, acknowledged, last_sent_at, last_file, sent_to FROM sync_out WHERE recipient = ?1",
            [recipient],
            |r| {
                let at: Option<String> = r.get(2)?;
                let file: Option<String> = r.get(3)?;
                Ok(Outgoing {
                    next_sequence: r.get::<_, i64>(0)?.try_into().unwrap_or(1),
                    acknowledged: r.get(1)?,
                    last_sent: at.zip(file),
                    sent_to: r.get(4)?,
                })
            },
        )
        .optional()?
        .unwrap_or(Outgoing { next_sequence: 1, acknowledged: 0, last_sent: None, sent_to: 0 }))
}

/// Records a bundle written for `recipient`, carrying changes up to `sent_to`.
pub fn record_sent(
    conn: &Connection,
    recipient: &str,
    sequence: u64,
    sent_to: i64,
    at: &str,
    file: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_out (recipient, next_sequence, sent_to, last_sent_at, last_file) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (recipient) DO UPDATE SET next_sequence = excluded.next_sequence,
             sent_to = max(sent_to, excluded.sent_to), last_sent_at = excluded.last_sent_at, last_file = excluded.last_file",
        params![recipient, sequence as i64 + 1, sent_to, at, file],
    )?;
    Ok(())
}

/// Records an acknowledgement from `recipient` (never going back).
pub fn record_ack(conn: &Connection, recipient: &str, watermark: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO sync_out (recipient, acknowledged) VALUES (?1, ?2)
         ON CONFLICT (recipient) DO UPDATE SET acknowledged = max(acknowledged, excluded.acknowledged)",
        params![recipient, watermark],
    )?;
    Ok(())
}

/// Moves the outbox lines never sent to `recipient` above `watermark` when they sit at or below
/// it — this site's numbering went back (a restore, a new PC) and the parent already holds
/// changes under those numbers — keeping their order.
pub fn renumber_unsent_above(conn: &Connection, recipient: &str, watermark: i64) -> Result<(), StoreError> {
    let sent_to: i64 = conn
        .query_row("SELECT sent_to FROM sync_out WHERE recipient = ?1", [recipient], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let lowest: Option<i64> =
        conn.query_row("SELECT min(change_no) FROM outbox WHERE change_no > ?1", [sent_to], |r| r.get(0))?;
    let Some(lowest) = lowest.filter(|low| *low <= watermark) else { return Ok(()) };
    let shift = watermark - lowest + 1;
    // Highest first: no number is taken twice on the way.
    let mut stmt = conn.prepare("SELECT change_no FROM outbox WHERE change_no > ?1 ORDER BY change_no DESC")?;
    let numbers = stmt.query_map([sent_to], |r| r.get::<_, i64>(0))?.collect::<Result<Vec<_>, _>>()?;
    for number in numbers {
        conn.execute("UPDATE outbox SET change_no = ?2 WHERE change_no = ?1", params![number, number + shift])?;
    }
    conn.execute(
        "UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(change_no), 0) FROM outbox)) WHERE name = 'outbox'",
        [],
    )?;
    Ok(())
}

/// The highest sequence number read from `sender`'s changes, whatever became of it.
pub fn highest_sequence_seen(conn: &Connection, sender: &str) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(
        "SELECT coalesce(max(sequence), 0) FROM bundles_in WHERE sender = ?1 AND kind = 'changes'",
        [sender],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Removes the outbox lines every site this one exchanges with (its parent, the sites it
/// supervises, revoked ones aside) has acknowledged. A site with no parent keeps them all: the
/// day it enrolls one, its first bundle carries everything.
pub fn prune_acknowledged(conn: &Connection) -> Result<usize, StoreError> {
    let has_parent: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM peers WHERE relation = 'parent')", [], |r| r.get(0))?;
    let held_by_all: i64 = conn.query_row(
        "SELECT coalesce(min(coalesce(o.acknowledged, 0)), 0) FROM peers p
         LEFT JOIN sync_out o ON o.recipient = p.code
         WHERE p.relation IN ('parent', 'child') AND p.revoked_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    let oldest: Option<i64> = conn.query_row("SELECT min(change_no) FROM outbox", [], |r| r.get(0))?;
    if !has_parent || oldest.is_none_or(|oldest| oldest > held_by_all) {
        return Ok(0);
    }
    // The bilan's facts and the worklist learn from these lines what changed: they take it in first.
    super::facts::refresh(conn)?;
    super::worklist::refresh(conn)?;
    Ok(conn.execute("DELETE FROM outbox WHERE change_no <= ?1", [held_by_all])?)
}

/// The highest change number written so far (0 for none), pruned lines included.
pub fn last_change(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT max(coalesce((SELECT max(change_no) FROM outbox), 0),
                    coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0))",
        [],
        |r| r.get(0),
    )?)
}

/// The rows named by the outbox lines of (from, to], as they stand now, that `keep` selects by
/// table and owner.
pub fn changed_rows(
    conn: &Connection,
    from: i64,
    to: i64,
    keep: impl Fn(Table, &str) -> bool,
) -> Result<Vec<WireRecord>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT table_name, row_id, owner FROM outbox WHERE change_no > ?1 AND change_no <= ?2
         GROUP BY table_name, row_id ORDER BY min(change_no)",
    )?;
    let mut keys = stmt.query(params![from, to])?;
    let mut out = Vec::new();
    while let Some(key) = keys.next()? {
        let Some(table) = Table::from_name(&key.get::<_, String>(0)?) else { continue };
        if !keep(table, &key.get::<_, String>(2)?) {
            continue;
        }
        let sql = format!("SELECT {ROW_COLUMNS} FROM {} WHERE id = ?1", table.name());
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([key.get::<_, String>(1)?])?;
        if let Some(row) = rows.next()? {
            out.push(wire_record(table, row)?);
        }
    }
    Ok(out)
}

/// What a parent publishes down to the sites it supervises: its decisions, adjournments and the
/// funding lines they grant, its programmes and checklists, the transfers and duplicate reviews about their applicants —
/// with those it received from above.
pub const PUBLISHED: [Table; 8] = [
    Table::Decisions,
    Table::Adjournments,
    Table::FundingLines,
    Table::Programmes,
    Table::Checklists,
    Table::CommissionReasons,
    Table::Transfers,
    Table::DuplicateReviews,
];

/// The published rows (see [`PUBLISHED`]) a site whose subtree is `subtree` should hold: those
/// owned outside it, the decisions and funding lines only for its own dossiers, transfers from
/// or to it, reviews of its applicants. `changes` limits them to the outbox lines of (from, to];
/// `None` gives every such row (a resync).
pub fn published_for(
    conn: &Connection,
    subtree: &[String],
    changes: Option<(i64, i64)>,
) -> Result<Vec<WireRecord>, StoreError> {
    // An office's own programmes and checklists (defined while it stood alone) stay its own.
    let offices: Vec<String> = conn
        .prepare_cached("SELECT code FROM peers WHERE level = 'bureau'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let outside = |table: Table, owner: &str| {
        PUBLISHED.contains(&table) && !subtree.iter().any(|c| c == owner) && !offices.iter().any(|c| c == owner)
    };
    let mut dossier_owner =
        conn.prepare_cached("SELECT owner FROM dossiers WHERE id = json_extract(?1, '$.dossier_id')")?;
    let mut applicant_owners = conn.prepare_cached(
        "SELECT owner FROM applicants WHERE id IN (json_extract(?1, '$.first'), json_extract(?1, '$.second'))",
    )?;
    let mut concerns = |record: &WireRecord| -> Result<bool, StoreError> {
        let data = record.data.get();
        Ok(match Table::from_name(&record.table) {
            Some(Table::Programmes | Table::Checklists | Table::CommissionReasons) => true,
            Some(Table::Transfers) => {
                let offices: serde_json::Value = serde_json::from_str(data)
                    .map_err(|e| StoreError::Corrupt { table: "transfers", message: e.to_string() })?;
                ["from_office", "to_office"]
                    .iter()
                    .any(|k| offices[k].as_str().is_some_and(|o| subtree.iter().any(|c| c == o)))
            }
            Some(Table::DuplicateReviews) => {
                let owners = applicant_owners.query_map([data], |r| r.get::<_, String>(0))?;
                owners.collect::<Result<Vec<_>, _>>()?.iter().any(|o| subtree.contains(o))
            }
            _ => {
                let owner: Option<String> = dossier_owner.query_row([data], |r| r.get(0)).optional()?;
                owner.is_some_and(|o| subtree.contains(&o))
            }
        })
    };
    let mut out = Vec::new();
    match changes {
        Some((from, to)) => {
            for record in changed_rows(conn, from, to, outside)? {
                if concerns(&record)? {
                    out.push(record);
                }
            }
        }
        // Every publication there is (a resync): filtered as it is read, so that a delegation's
        // whole register of decisions is never held at once.
        None => {
            for table in PUBLISHED {
                let sql = format!("SELECT {ROW_COLUMNS} FROM {} ORDER BY rid", table.name());
                let mut stmt = conn.prepare(&sql)?;
                let mut found = stmt.query([])?;
                while let Some(row) = found.next()? {
                    let record = wire_record(table, row)?;
                    if outside(table, &record.owner) && concerns(&record)? {
                        out.push(record);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The rows named in `moved`, as they stand here, that one of `owners` now holds (what a
/// transfer gives an office, sent to it with the transfer).
pub fn moved_rows(conn: &Connection, moved: &[MovedRow], owners: &[String]) -> Result<Vec<WireRecord>, StoreError> {
    let mut out = Vec::new();
    for m in moved {
        let Some(table) = Table::from_name(&m.table) else { continue };
        let sql = format!("SELECT {ROW_COLUMNS} FROM {} WHERE id = ?1", table.name());
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([m.id.to_string()])?;
        if let Some(row) = rows.next()? {
            let record = wire_record(table, row)?;
            if owners.contains(&record.owner) {
                out.push(record);
            }
        }
    }
    Ok(out)
}

/// Where a paged read of the rows of some owners stands: the table (by its place in
/// [`Table::ALL`]) and the last `rid` read in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCursor {
    table: usize,
    rid: i64,
}

/// The next rows owned by one of `owners`, as they stand (what a resync sends back to an
/// office), at most `limit`, table after table in `rid` order, from `cursor` (moved on). Empty
/// once every row is read.
pub fn rows_owned_by(
    conn: &Connection,
    owners: &[String],
    cursor: &mut RowCursor,
    limit: usize,
) -> Result<Vec<WireRecord>, StoreError> {
    let mut out = Vec::new();
    let owners_json =
        serde_json::to_string(owners).map_err(|e| StoreError::Corrupt { table: "peers", message: e.to_string() })?;
    while let Some(table) = Table::ALL.get(cursor.table) {
        let sql = format!(
            "SELECT {ROW_COLUMNS}, rid FROM {} WHERE rid > ?1 AND owner IN (SELECT value FROM json_each(?2)) ORDER BY rid LIMIT ?3",
            table.name()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let want = limit - out.len();
        let mut rows = stmt.query(params![cursor.rid, owners_json, i64::try_from(want).unwrap_or(i64::MAX)])?;
        let mut read = 0;
        while let Some(row) = rows.next()? {
            out.push(wire_record(*table, row)?);
            cursor.rid = row.get(8)?;
            read += 1;
        }
        if out.len() >= limit {
            break;
        }
        if read < want {
            *cursor = RowCursor { table: cursor.table + 1, rid: 0 };
        }
    }
    Ok(out)
}

/// Where to cut the changes (from, to] of the owners `keep` selects, so that each part carries
/// at most `max_rows` rows: the end of each part, the last being `to`. One pass over the outbox,
/// holding at most `max_rows` row keys.
pub fn change_cuts(
    conn: &Connection,
    from: i64,
    to: i64,
    max_rows: usize,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT change_no, table_name, row_id, owner FROM outbox WHERE change_no > ?1 AND change_no <= ?2 ORDER BY change_no",
    )?;
    let mut lines = stmt.query(params![from, to])?;
    let mut cuts = Vec::new();
    let mut part: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    let mut last = from;
    while let Some(line) = lines.next()? {
        let change: i64 = line.get(0)?;
        if keep(&line.get::<_, String>(3)?) {
            let key = (line.get::<_, String>(1)?, line.get::<_, String>(2)?);
            if !part.contains(&key) && part.len() >= max_rows {
                cuts.push(last);
                part.clear();
            }
            part.insert(key);
        }
        last = change;
    }
    cuts.push(to);
    Ok(cuts)
}

/// A row selected with [`ROW_COLUMNS`] as it travels.
fn wire_record(table: Table, r: &rusqlite::Row<'_>) -> Result<WireRecord, StoreError> {
    let meta = read_meta(r)?;
    let data = serde_json::value::RawValue::from_string(r.get(7)?)
        .map_err(|e| StoreError::Corrupt { table: table.name(), message: e.to_string() })?;
    Ok(WireRecord {
        table: table.name().to_owned(),
        id: meta.id,
        owner: meta.owner,
        version: meta.version,
        created_at: meta.created_at,
        updated_at: meta.updated_at,
        deleted_at: meta.deleted_at,
        delete_reason: meta.delete_reason,
        data,
    })
}

/// The bookkeeping of a row as it arrived.
pub fn meta_of(r: &WireRecord) -> RowMeta {
    RowMeta {
        id: r.id,
        owner: r.owner.clone(),
        version: r.version,
        created_at: r.created_at.clone(),
        updated_at: r.updated_at.clone(),
        deleted_at: r.deleted_at.clone(),
        delete_reason: r.delete_reason.clone(),
    }
}

/// After a restore: the numbers this site gives next (changes, bundles, dossiers,
/// certificates) continue above everything the parent says was already issued.
pub fn continue_numbers_above(
    conn: &Connection,
    site: &str,
    parent: &str,
    watermark: i64,
    last_sequence: u64,
) -> Result<(), StoreError> {
    let outbox_seq: i64 =
        conn.query_row("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), -1)", [], |r| {
            r.get(0)
        })?;
    if outbox_seq < 0 {
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?1)", [watermark])?;
    } else {
        conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?1) WHERE name = 'outbox'", [watermark])?;
    }
    conn.execute(
        "INSERT INTO sync_out (recipient, next_sequence, acknowledged) VALUES (?1, ?2, ?3)
         ON CONFLICT (recipient) DO UPDATE SET next_sequence = max(next_sequence, excluded.next_sequence),
             acknowledged = max(acknowledged, excluded.acknowledged)",
        params![parent, last_sequence as i64 + 1, watermark],
    )?;
    // Dossier numbers `SITE-YEAR-NNNNN` and certificate numbers `SITE-ATT-YEAR-NNNNN`.
    for (table, counter, prefix) in
        [("dossiers", "dossier", format!("{site}-")), ("certificates", "certificate", format!("{site}-ATT-"))]
    {
        let sql = format!(
            "INSERT INTO counters (name, value)
             SELECT '{counter}:' || substr(number, length(?1) + 1, 4), max(CAST(substr(number, length(?1) + 6) AS INTEGER))
             FROM {table} WHERE owner = ?2 AND substr(number, 1, length(?1)) = ?1
               AND substr(number, length(?1) + 1, 4) GLOB '[0-9][0-9][0-9][0-9]'
             GROUP BY 1
             ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)"
        );
        conn.execute(&sql, params![prefix, site])?;
    }
    Ok(())
}

/// A bundle already read from `sender`: its hash and outcome.
pub fn bundle_seen(
    conn: &Connection,
    sender: &str,
    kind: &str,
    sequence: u64,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT hash, outcome FROM bundles_in WHERE sender = ?1 AND kind = ?2 AND sequence = ?3",
            params![sender, kind, sequence as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Records a bundle read (`waiting`: the file, kept while a range is missing).
#[allow(clippy::too_many_arguments)]
pub fn record_bundle(
    conn: &Connection,
    sender: &str,
    kind: &str,
    sequence: u64,
    hash: &str,
    range: (i64, i64),
    outcome: &str,
    at: &str,
    waiting: Option<&[u8]>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO bundles_in (sender, kind, sequence, hash, from_change, to_change, outcome, read_at, waiting)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (sender, kind, sequence) DO UPDATE SET outcome = excluded.outcome, read_at = excluded.read_at,
             waiting = excluded.waiting",
        params![sender, kind, sequence as i64, hash, range.0, range.1, outcome, at, waiting],
    )?;
    Ok(())
}

/// The bundles set aside from `sender` that can now be applied (their range starts at or below
/// `watermark`), oldest first.
pub fn waiting_bundles(conn: &Connection, sender: &str, watermark: i64) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT waiting FROM bundles_in WHERE sender = ?1 AND waiting IS NOT NULL AND from_change <= ?2 ORDER BY from_change",
    )?;
    let out = stmt.query_map(params![sender, watermark], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// The site that already registered the live applicant with `cin`, when it is another row
/// (`id`) owned by another site than `owner`: an arriving applicant it would duplicate.
pub fn cin_held_elsewhere(conn: &Connection, cin: &str, id: &str, owner: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT owner FROM applicants WHERE cin = ?1 AND id <> ?2 AND deleted_at IS NULL AND owner <> ?3 LIMIT 1",
        )?
        .query_row(params![cin, id, owner], |r| r.get(0))
        .optional()?)
}

/// Drops the kept copy of a set-aside bundle (read, or found unreadable): it is not tried again.
pub fn drop_waiting(conn: &Connection, sender: &str, hash: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE bundles_in SET waiting = NULL WHERE sender = ?1 AND hash = ?2", [sender, hash])?;
    Ok(())
}

/// Forgets every bundle read from `sender` (re-enrolled with new keys: a new series begins).
pub fn forget_bundles_from(conn: &Connection, sender: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM bundles_in WHERE sender = ?1", [sender])?;
    Ok(())
}

/// How many bundles wait for a missing range, per sender.
pub fn waiting_counts(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT sender, count(*) FROM bundles_in WHERE waiting IS NOT NULL GROUP BY sender ORDER BY sender")?;
    let out = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// Queues a row that was not applied.
pub fn queue_conflict(
    conn: &Connection,
    at: &str,
    sender: &str,
    record: &WireRecord,
    reason: &str,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(record)
        .map_err(|e| StoreError::Corrupt { table: "conflicts", message: e.to_string() })?;
    conn.execute(
        "INSERT INTO conflicts (at, sender, table_name, row_id, owner, reason, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![at, sender, record.table, record.id.to_string(), record.owner, reason, json],
    )?;
    Ok(())
}

/// An unresolved conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Its number.
    pub id: i64,
    /// When it was queued.
    pub at: String,
    /// Who sent the row.
    pub sender: String,
    /// The table.
    pub table: String,
    /// The row.
    pub row_id: String,
    /// Its owner.
    pub owner: String,
    /// Why it was not applied.
    pub reason: String,
}

/// Open conflicts counted by sender and table: (sender, table, count), by sender then table.
pub fn open_conflict_counts(conn: &Connection) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT sender, table_name, count(*) FROM conflicts WHERE resolved_at IS NULL
         GROUP BY sender, table_name ORDER BY sender, table_name",
    )?;
    let out = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// One page of the open conflicts sent by `sender` about `table` (each when given), oldest
/// first, and how many there are in all.
pub fn open_conflicts(
    conn: &Connection,
    sender: Option<&str>,
    table: Option<&str>,
    offset: usize,
    limit: usize,
) -> Result<(usize, Vec<Conflict>), StoreError> {
    const WHERE: &str = "resolved_at IS NULL AND (?1 IS NULL OR sender = ?1) AND (?2 IS NULL OR table_name = ?2)";
    let total: i64 =
        conn.query_row(&format!("SELECT count(*) FROM conflicts WHERE {WHERE}"), params![sender, table], |r| r.get(0))?;
    let mut stmt = conn.prepare(&format!(
        "SELECT id, at, sender, table_name, row_id, owner, reason FROM conflicts WHERE {WHERE} ORDER BY id LIMIT ?3 OFFSET ?4"
    ))?;
    let page = stmt
        .query_map(
            params![sender, table, i64::try_from(limit).unwrap_or(i64::MAX), i64::try_from(offset).unwrap_or(i64::MAX)],
            |r| {
                Ok(Conflict {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    sender: r.get(2)?,
                    table: r.get(3)?,
                    row_id: r.get(4)?,
                    owner: r.get(5)?,
                    reason: r.get(6)?,
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((usize::try_from(total).unwrap_or(0), page))
}

/// A conflict's stored record and whether it is still open.
pub fn conflict_record(conn: &Connection, id: i64) -> Result<Option<(String, bool)>, StoreError> {
    Ok(conn
        .query_row("SELECT record, resolved_at IS NULL FROM conflicts WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// Marks a conflict resolved.
pub fn resolve_conflict(conn: &Connection, id: i64, at: &str, resolution: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE conflicts SET resolved_at = ?2, resolution = ?3 WHERE id = ?1", params![id, at, resolution])?;
    Ok(())
}

/// Writes a line of the import log.
pub fn log_import(
    conn: &Connection,
    at: &str,
    file: &str,
    sender: Option<&str>,
    outcome: &str,
    message: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO import_log (at, file, sender, outcome, message) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, file, sender, outcome, message],
    )?;
    Ok(())
}

/// The site that issued the certificate numbered `number` (`SITE-ATT-YEAR-NNNNN`).
pub fn issuer_of(number: &str) -> Option<&str> {
    number.rfind("-ATT-").map(|at| &number[..at]).filter(|site| !site.is_empty())
}

/// Every certificate revoked that this site knows, by issuer and number: those of its register
/// (its own and those its subtree sent up), then those its parent's replies brought.
pub fn revoked_certificates(conn: &Connection) -> Result<Vec<RevokedCertificate>, StoreError> {
    let mut out = std::collections::BTreeMap::new();
    let mut held = conn.prepare(
        "SELECT number, json_extract(data, '$.revoked.on'), json_extract(data, '$.revoked.by'),
                json_extract(data, '$.revoked.reason')
         FROM certificates WHERE deleted_at IS NULL AND json_extract(data, '$.revoked') IS NOT NULL",
    )?;
    let mut received = conn
        .prepare("SELECT number, revoked_on, revoked_by, reason FROM certificate_revocations ORDER BY site, number")?;
    for statement in [&mut held, &mut received] {
        let rows = statement.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        for row in rows {
            let (number, on, by, reason) = row?;
            let Some(site) = issuer_of(&number).map(str::to_owned) else { continue };
            let on = on.parse().map_err(|_| StoreError::Corrupt {
                table: "certificates",
                message: format!("date de révocation illisible ({number})"),
            })?;
            out.entry((site.clone(), number.clone())).or_insert(RevokedCertificate { number, site, on, by, reason });
        }
    }
    Ok(out.into_values().collect())
}

/// Records a revocation received from `from`; `false` when it was already known (a bundle never
/// changes nor removes one).
pub fn record_revocation(
    conn: &Connection,
    revoked: &RevokedCertificate,
    from: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let added = conn.execute(
        "INSERT OR IGNORE INTO certificate_revocations
             (site, number, revoked_on, revoked_by, reason, received_from, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![revoked.site, revoked.number, revoked.on.to_string(), revoked.by, revoked.reason, from, at],
    )?;
    Ok(added > 0)
}

/// The revocation of the certificate `number` of `site` that a reply brought, if any.
pub fn received_revocation(
    conn: &Connection,
    site: &str,
    number: &str,
) -> Result<Option<RevokedCertificate>, StoreError> {
    let row = conn
        .query_row(
            "SELECT revoked_on, revoked_by, reason FROM certificate_revocations WHERE site = ?1 AND number = ?2",
            [site, number],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
        )
        .optional()?;
    Ok(row.and_then(|(on, by, reason)| {
        Some(RevokedCertificate { number: number.to_owned(), site: site.to_owned(), on: on.parse().ok()?, by, reason })
    }))
}

/// Whether this site's register holds the certificate `number` revoked.
pub fn revoked_certificates_held(conn: &Connection, number: &str) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM certificates WHERE number = ?1 AND json_extract(data, '$.revoked') IS NOT NULL",
            [number],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
