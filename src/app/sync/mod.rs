//! Sync at the core: the installation's public identity and enrollment, writing a bundle for
//! the parent (or a reply for a supervised site), and reading bundles with every check of
//! DESIGN §5 before anything is decrypted, then applying all of it or none.

mod apply;
mod export;
pub use export::{ParentExport, SlipTo};
mod identity;
mod import;
mod keyring;
mod rows;
mod status;
mod stick;

pub(crate) use apply::subtree_of;
pub use identity::IdentityFile;
pub use stick::{CHUNK, write_stream_to_stick, write_to_stick};

use std::path::{Path, PathBuf};

use crate::app::AppError;
use crate::store::sync::{self as sync_store};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Applied: how many rows, how many conflicts queued, and bundles that were waiting and
    /// could now be applied too.
    Applied {
        /// Sender.
        sender: String,
        /// Rows applied.
        rows: usize,
        /// Rows queued as conflicts.
        conflicts: usize,
        /// Bundles set aside earlier and applied now.
        released: usize,
        /// A warning (the sender's history does not continue what was seen).
        alarm: Option<String>,
        /// What the delegation decided about this site's people and reference lists (a
        /// transfer, a duplicate reviewed, a new checklist), one French line each.
        notices: Vec<String>,
        /// What changed in the keyring (a site learnt, new keys, a revocation), one French
        /// line each.
        keyring: Vec<String>,
    },
    /// Nothing new: already imported or superseded.
    NothingNew {
        /// Why.
        why: String,
    },
    /// A gap: set aside until the missing range arrives.
    SetAside {
        /// The missing range.
        missing: (i64, i64),
    },
}

impl std::fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportOutcome::Applied { sender, rows, conflicts, released, alarm, notices, keyring } => {
                write!(f, "Paquet de {sender} importé : {rows} enregistrement(s) appliqué(s)")?;
                if *conflicts > 0 {
                    write!(f, ", {conflicts} mis en file de conflits (écran Synchronisation)")?;
                }
                if *released > 0 {
                    write!(f, ", {released} paquet(s) en attente appliqué(s) à la suite")?;
                }
                write!(f, ".")?;
                if let Some(alarm) = alarm {
                    write!(f, " ALERTE : {alarm}")?;
                }
                for change in keyring {
                    write!(f, " Trousseau de clés : {change}.")?;
                }
                for notice in notices.iter().take(10) {
                    write!(f, " {notice}.")?;
                }
                if notices.len() > 10 {
                    write!(f, " Et {} autre(s) avis de la délégation (fiches des bénéficiaires).", notices.len() - 10)?;
                }
                Ok(())
            }
            ImportOutcome::NothingNew { why } => write!(f, "Rien de nouveau : {why}"),
            ImportOutcome::SetAside { missing: (from, to) } => write!(
                f,
                "Paquet mis de côté : il manque les modifications {}..{to} (un paquet précédent n'est pas arrivé). \
                 Il sera appliqué dès que le paquet manquant sera importé.",
                from + 1
            ),
        }
    }
}

/// What happened to one file of an import.
#[derive(Debug)]
pub struct ImportLine {
    /// The file.
    pub file: String,
    /// What happened.
    pub result: Result<ImportOutcome, AppError>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The file on the stick (the first, when the export was cut into several).
    pub path: PathBuf,
    /// Its sequence number.
    pub sequence: u64,
    /// The change numbers carried: (from, to].
    pub range: (i64, i64),
    /// Rows carried, in every file.
    pub rows: usize,
    /// SHA-256 of the (first) file, hex.
    pub hash: String,
    /// The recipient's code.
    pub recipient: String,
    /// When it was written (RFC 3339).
    pub written_at: String,
    /// Rows carried per table (French name, count), in every file.
    pub by_table: Vec<(String, usize)>,
    /// The dossiers transmitted to the commission that it carries: number, applicant id.
    pub transmitted: Vec<(String, String)>,
    /// The files that follow the first, in the order they are to be read: (path, sequence,
    /// SHA-256) — when the changes pass what one bundle carries ([`RECORDS_PER_BUNDLE`]).
    pub more: Vec<(PathBuf, u64, String)>,
}

impl ExportReport {
    /// The report of the parts written so far, `next` included.
    fn chain(so_far: Option<ExportReport>, next: ExportReport) -> ExportReport {
        match so_far {
            None => next,
            Some(first) => first.followed_by(next),
        }
    }

    /// This report, with `next`'s file after its own.
    fn followed_by(mut self, next: ExportReport) -> ExportReport {
        self.more.push((next.path, next.sequence, next.hash));
        self.more.extend(next.more);
        self.range.1 = next.range.1;
        self.rows += next.rows;
        for (table, n) in next.by_table {
            match self.by_table.iter_mut().find(|(t, _)| *t == table) {
                Some((_, m)) => *m += n,
                None => self.by_table.push((table, n)),
            }
        }
        self.transmitted.extend(next.transmitted);
        self
    }

    /// Every file written, in the order they are to be read.
    pub fn files(&self) -> Vec<&Path> {
        std::iter::once(self.path.as_path()).chain(self.more.iter().map(|(p, _, _)| p.as_path())).collect()
    }
}

/// The most rows one bundle carries: a larger export is cut into several, applied in order, so
/// that memory stays bounded at both ends whatever the size of the register (the import of one
/// such bundle, with its widened page cache, peaks under 500 MB: docs/PERFORMANCE.md).
pub const RECORDS_PER_BUNDLE: usize = 75_000;

/// The sync state shown on the dashboard and the sync screen.
#[derive(Debug, Clone, Default)]
pub struct SyncStatus {
    /// The parent, if pinned.
    pub parent: Option<String>,
    /// Changes written and not acknowledged by the parent.
    pub unacknowledged: i64,
    /// The last bundle written for the parent: when, where.
    pub last_sent: Option<(String, String)>,
    /// The last reply read from the parent: when.
    pub last_reply: Option<String>,
    /// Per supervised site: code, watermark, last bundle applied at.
    pub children: Vec<(String, i64, Option<String>)>,
    /// Bundles waiting for a missing range, per sender.
    pub waiting: Vec<(String, i64)>,
    /// Open conflicts counted by the site that sent them and by table.
    pub conflict_counts: Vec<ConflictCount>,
    /// The first page of the open conflicts, oldest first.
    pub conflicts: ConflictPage,
    /// The sites whose keys are revoked here: who revoked them, when, why.
    pub revoked: Vec<RevokedSite>,
}

/// How many open conflicts one site's bundles left about one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictCount {
    /// The site that sent the rows.
    pub sender: String,
    /// The table (its name in the database).
    pub table: String,
    /// How many.
    pub count: i64,
}

/// Which open conflicts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConflictFilter {
    /// Sent by this site only.
    pub site: Option<String>,
    /// About this table only.
    pub table: Option<String>,
    /// The page, from 0.
    pub page: usize,
}

/// One page of open conflicts.
#[derive(Debug, Clone, Default)]
pub struct ConflictPage {
    /// How many conflicts match, on every page.
    pub total: usize,
    /// The page shown, from 0.
    pub page: usize,
    /// The conflicts of this page, oldest first, with the number `resolve-conflict` takes.
    pub items: Vec<sync_store::Conflict>,
}

/// Conflicts per page.
pub const CONFLICTS_PER_PAGE: usize = 50;

/// A site whose key is revoked here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevokedSite {
    /// The site.
    pub site: String,
    /// The site that revoked it, when the revocation came signed.
    pub by: Option<String>,
    /// When.
    pub at: String,
    /// Why.
    pub reason: String,
}

/// The most conflicts one bundle may queue; beyond, it is refused whole (docs/SECURITY.md).
pub const MAX_CONFLICTS_PER_BUNDLE: usize = 1_000;

/// Setting: this site asked its parent for a resync and waits for the reply.
const RESYNC_PENDING: &str = "sync.resync_pending";
/// Setting prefix: a supervised site (code follows) asked for a resync.
const RESYNC_ASKED: &str = "sync.resync_asked:";

/// Setting prefix: the digest of the identities last sent to the parent (code follows).
const SITES_SENT: &str = "sync.sites_sent:";

/// Setting: the statement of this site's last key rotation, sent until the parent has it.
const ROTATION: &str = "sync.rotation";
/// Setting: the statement of this site's last key rotation, kept: every reply carries it.
const LAST_ROTATION: &str = "sync.rotation.last";
/// Setting: every rotation statement of this site, oldest first (a JSON list): replies carry
/// the chain, so that a supervised site that missed one follows it.
const ROTATIONS: &str = "sync.rotations";

/// A refusal: what happened and what to do, in French.
fn refuse(message: impl Into<String>) -> AppError {
    AppError::Refused(crate::domain::role::Refusal(message.into()))
}
