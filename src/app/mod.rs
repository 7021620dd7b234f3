//! The application core: one face-independent API over the store, used by the command line
//! and the GUI alike (DESIGN §3).
//!
//! A [`Core`] owns the database, the clock and the random source. Users open a [`Session`] by
//! logging in; every action takes the session, checks the role's permission
//! ([`crate::domain::role::permits`]), validates its input, and applies its writes in one
//! transaction (row, outbox and audit together).

mod backup;
mod certificates;
mod closings;
mod commission;
mod documents;
mod dossiers;
mod duplicates;
pub mod free_text;
pub mod leftovers;
mod programmes;
mod progress;
mod register;
pub mod retention;
mod reviews;
mod settings;
mod sync;
mod today;
mod transfers;
mod users;
mod views;

pub mod csv_import;
pub mod demo;
pub mod spreadsheet;

use std::path::Path;

use uuid::Uuid;

pub use crate::store::worklist::{FollowUp, WorklistLine, WorklistPage, WorklistQuery, WorklistSort};
pub use backup::{
    BackupHeader, BackupPlan, BackupProgress, BackupStage, EXTENSION as BACKUP_EXTENSION, InstanceLock,
    KEPT as BACKUP_KEPT, RestoreReport, prune_backups, read_backup, restore,
};
pub use certificates::{CertificateSubject, issuer_of};
pub use closings::ClosedYear;
pub use commission::{AgendaFilter, AgendaLine, SessionTally, Verdict};
pub use documents::{Document, copy_document, make_folder, save_in_folder, save_new};
pub use dossiers::{DossierEdit, DossierRights, DossierView, Move};
pub use duplicates::{DuplicateCandidate, DuplicateReason};
pub use programmes::ChecklistView;
pub use progress::{Progress, ProgressSink};
pub use register::CardRef;
pub use reviews::CrossOfficePair;
pub use sync::{
    CHUNK, CONFLICTS_PER_PAGE, ConflictCount, ConflictFilter, ConflictPage, ExportReport, IdentityFile, ImportLine,
    ImportOutcome, MAX_CONFLICTS_PER_BUNDLE, ParentExport, RECORDS_PER_BUNDLE, RevokedSite, SlipTo, SyncStatus,
    write_stream_to_stick, write_to_stick,
};
pub use today::{ENVELOPE_PERCENT, Opens, Thresholds, TodoItem};
pub use users::{InstallSetup, LOCKOUT_MINUTES, MAX_FAILED_LOGINS};
pub use views::{ApplicantDetail, ProgrammesView, ProjectDetail};

/// What screens and commands read: the core's view types, re-exported so that faces need not
/// name the storage layer.
pub use crate::store::records::{Row, RowMeta, Table};
pub use crate::store::report::DrillLine;
pub use crate::store::search::{ApplicantLine, HitCount, Page, ProjectLine, Stats};
pub use crate::store::site::UserRow;
pub use crate::store::sync::{Peer, Relation};

use crate::clock::{Clock, Entropy, OsEntropy, SystemClock};
use crate::domain::FieldErrors;
use crate::domain::role::{Action, Refusal, Role, permits};
use crate::domain::site::Site;
use crate::identity::{IdentityError, KdfParams, SiteSecrets};
use crate::store::records::Writer;
use crate::store::{Store, StoreError};

/// Why an action did not happen. Every message is French and says what to do; when an action
/// fails, nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The user's role does not allow it here.
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The input has problems, field by field.
    #[error("Saisie incorrecte : {0}")]
    Invalid(#[from] FieldErrors),
    /// Possible duplicates were found: show them, save only with a reason.
    #[error("Doublon possible : {} déjà enregistré(s) avec la même CIN ou un nom proche et la même date de naissance ({}). Vérifiez ; pour enregistrer quand même, donnez un motif.", .0.len(), .0.iter().map(|c| c.summary()).collect::<Vec<_>>().join(" ; "))]
    Duplicate(Vec<DuplicateCandidate>),
    /// A CSV file was refused: every problem, by line and column. Nothing was imported.
    #[error("Fichier refusé, rien n'a été importé. Corrigez ces lignes puis recommencez :\n{}", .0.join("\n"))]
    CsvRejected(Vec<String>),
    /// A commission's decisions were refused: every problem, by dossier (or line). Nothing was
    /// recorded.
    #[error("Rien n'a été enregistré. Corrigez ces points puis recommencez :\n{}", .0.join("\n"))]
    SessionRejected(Vec<String>),
    /// A business rule forbids it (workflow, amounts…).
    #[error("{0}")]
    Rule(String),
    /// Passwords and keys.
    #[error("{0}")]
    Identity(#[from] IdentityError),
    /// The database.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// What a person is told of an operating-system error on a file, in French, with what to do.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as Kind;
    match e.kind() {
        Kind::StorageFull | Kind::QuotaExceeded => {
            "le disque (ou la clé) est plein : libérez de la place ou prenez une autre clé, puis recommencez".into()
        }
        Kind::PermissionDenied => {
            "accès refusé : vérifiez les droits sur ce dossier (ou choisissez-en un autre)".into()
        }
        Kind::ReadOnlyFilesystem => {
            "le disque ou la clé est protégé en écriture : retirez la protection ou prenez une autre clé".into()
        }
        Kind::NotFound => "fichier ou dossier introuvable : vérifiez le chemin, la clé est peut-être retirée".into(),
        Kind::AlreadyExists => "un fichier du même nom existe déjà : rien n'a été remplacé".into(),
        Kind::FileTooLarge => {
            "le fichier est trop grand pour ce disque (clé au format FAT32 ?) : prenez une clé au format exFAT ou NTFS"
                .into()
        }
        Kind::UnexpectedEof => "le fichier est tronqué : recopiez-le".into(),
        _ => format!("erreur du disque ({e}) : vérifiez le disque ou la clé puis recommencez"),
    }
}

/// An operating-system error on a file, as an [`AppError`] told in French.
pub fn io_error(e: &std::io::Error) -> AppError {
    AppError::Rule(format!("Lecture ou écriture impossible : {}.", io_message(e)))
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Store(StoreError::Sqlite(e))
    }
}

/// A logged-in user.
#[derive(Debug)]
pub struct Session {
    /// The account's id.
    pub user_id: String,
    /// The login (what the audit log records).
    pub login: String,
    /// The account's full name.
    pub full_name: String,
    /// The role.
    pub role: Role,
    /// The installation, as it was at login.
    pub site: Site,
    /// The installation's keys, opened with the password, for accounts that hold them.
    secrets: Option<SiteSecrets>,
}

impl Session {
    /// Checks that this user may do `action` here.
    pub fn require(&self, action: Action) -> Result<(), Refusal> {
        permits(self.role, action, &self.site)
    }

    /// The installation's keys, when this account holds them.
    pub fn secrets(&self) -> Option<&SiteSecrets> {
        self.secrets.as_ref()
    }
}

/// Appends an audit entry for an act that writes no business row (settings, sync, keys).
pub(crate) fn audit_act(
    conn: &rusqlite::Connection,
    now: chrono::DateTime<chrono::Utc>,
    actor: &str,
    action: &str,
    content: &str,
) -> Result<(), AppError> {
    let entry =
        crate::store::audit::Entry { at: now, actor, action, table: None, row_id: None, row_hash: None, content };
    crate::store::audit::append(conn, &entry)?;
    Ok(())
}

/// Makes UUIDv7 ids from the injected clock and random source.
pub struct IdMaker<'a> {
    millis: u64,
    entropy: &'a mut dyn Entropy,
}

impl IdMaker<'_> {
    /// A new id.
    pub fn new_id(&mut self) -> Uuid {
        let mut random = [0u8; 10];
        self.entropy.fill(&mut random);
        uuid::Builder::from_unix_timestamp_millis(self.millis, &random).into_uuid()
    }
}

/// The application core.
pub struct Core {
    store: Store,
    clock: Box<dyn Clock>,
    entropy: Box<dyn Entropy>,
    kdf: KdfParams,
    /// The most rows one bundle carries ([`RECORDS_PER_BUNDLE`]; tests lower it).
    bundle_rows: usize,
    /// Where long work (imports, exports, spreadsheets) reports its stages.
    progress: progress::Reporter,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").field("store", &self.store).finish_non_exhaustive()
    }
}

impl Core {
    /// A core over `store` with injected time, randomness and password-hashing cost.
    pub fn new(store: Store, clock: Box<dyn Clock>, entropy: Box<dyn Entropy>, kdf: KdfParams) -> Core {
        Core { store, clock, entropy, kdf, bundle_rows: RECORDS_PER_BUNDLE, progress: progress::Reporter::default() }
    }

    /// Opens (or, with `create`, creates) the database at `path` with the real clock and random
    /// source and the product's password cost.
    pub fn open(path: &Path, create: bool) -> Result<Core, AppError> {
        // What a kill left of an earlier run goes first (plain copies hold every CIN).
        leftovers::clean(path);
        let mut core =
            Core::new(Store::open(path, create)?, Box::new(SystemClock), Box::new(OsEntropy), KdfParams::PRODUCTION);
        core.refresh_reference()?;
        Ok(core)
    }

    /// Sets the most rows one bundle carries (a larger export is cut into several): tests use a
    /// small number to see a register cut without writing a hundred thousand rows.
    pub fn limit_bundle_rows(&mut self, rows: usize) {
        self.bundle_rows = rows.max(1);
    }

    /// The format versions the database at `path` goes from and to when it is next opened by
    /// this program (`None`: nothing to migrate): the window says so before a long migration.
    pub fn migration_ahead(path: &Path) -> Option<(i64, i64)> {
        Store::migration_ahead(path)
    }

    /// Sends the stages and counts of long work (a stick imported or exported, a spreadsheet
    /// read) to `sink`, as they happen.
    pub fn report_progress_to(&mut self, sink: ProgressSink) {
        self.progress = progress::Reporter::to(sink);
    }

    /// The list of files being written on sticks, next to the database (none in memory).
    pub(crate) fn stick_journal(&self) -> Option<std::path::PathBuf> {
        self.store.path().map(leftovers::journal_of)
    }

    /// Reloads the shipped reference lists into a set-up database when this program ships a
    /// newer version of them (a no-op otherwise).
    pub fn refresh_reference(&mut self) -> Result<(), AppError> {
        if crate::store::site::get(self.store.conn())?.is_none() {
            return Ok(());
        }
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        if crate::store::reference::load(&tx, crate::reference::Reference::shipped(), now)? {
            tx.commit()?;
        }
        Ok(())
    }

    /// The store, for read-only queries by the core's own modules and tests.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// True when the database holds no installation yet (first start).
    pub fn needs_setup(&self) -> Result<bool, AppError> {
        Ok(crate::store::site::get(self.store.conn())?.is_none())
    }

    /// The installation, once set up.
    pub fn site(&self) -> Result<Site, AppError> {
        crate::store::site::get(self.store.conn())?.ok_or(AppError::Store(StoreError::NotInitialised))
    }

    /// Runs `apply` in one transaction with a writer stamped with the session's site, login and
    /// the current time; commits only if it succeeds.
    fn write<R>(
        &mut self,
        session: &Session,
        apply: impl FnOnce(&Writer<'_>, &mut IdMaker<'_>) -> Result<R, AppError>,
    ) -> Result<R, AppError> {
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        let writer = Writer::new(&tx, session.site.code.as_str(), &session.login, now);
        let mut ids =
            IdMaker { millis: u64::try_from(now.timestamp_millis()).unwrap_or(0), entropy: self.entropy.as_mut() };
        let result = apply(&writer, &mut ids)?;
        writer.finish()?;
        tx.commit()?;
        Ok(result)
    }

    /// Integrity check of the file and verification of the whole audit chain.
    pub fn check(&self, session: &Session) -> Result<CheckReport, AppError> {
        session.require(Action::CheckIntegrity)?;
        Ok(check_store(&self.store)?)
    }

    /// A reader for the long reads (dashboard figures, integrity check), to use on another thread
    /// with its own read-only connection, once `session` may do `action`. `None` for a database
    /// in memory (read through the core instead).
    pub fn background_reader(&self, session: &Session, action: Action) -> Result<Option<BackgroundReader>, AppError> {
        session.require(action)?;
        Ok(self.store.path().map(|path| BackgroundReader { path: path.to_owned() }))
    }

    /// Counts of the register.
    pub fn stats(&self, session: &Session) -> Result<Stats, AppError> {
        session.require(Action::ViewRegister)?;
        stats_of(self.store.conn())
    }
}

/// The register's counts, with the changes still to carry to the parent: those of this site and
/// the sites below it (not what came down, nor what a transfer gave another office), none
/// without a parent.
fn stats_of(conn: &rusqlite::Connection) -> Result<Stats, AppError> {
    let mut stats = crate::store::search::stats(conn)?;
    stats.outbox = match crate::store::site::get(conn)? {
        Some(site) => match &site.parent {
            Some(parent) => {
                let acknowledged = crate::store::sync::outgoing(conn, parent.as_str())?.acknowledged;
                let owners = sync::subtree_of(conn, site.code.as_str())?;
                crate::store::today::undelivered(conn, acknowledged, &owners)?.count as i64
            }
            None => 0,
        },
        None => 0,
    };
    Ok(stats)
}

/// Long reads that run away from the core's connection, so that searches and writes go on.
#[derive(Debug, Clone)]
pub struct BackgroundReader {
    path: std::path::PathBuf,
}

impl BackgroundReader {
    /// The full integrity check.
    pub fn check(&self) -> Result<CheckReport, AppError> {
        Ok(check_store(&Store::open_read_only(&self.path)?)?)
    }

    /// The automatic backups of the database, newest first.
    pub fn backups(&self) -> Vec<std::path::PathBuf> {
        backup::backups_of(&self.path)
    }

    /// Writes the backup `plan` into `dir` through a read-only connection of its own, so that
    /// searches and edits go on meanwhile; `progress` follows it.
    pub fn backup(
        &self,
        plan: &BackupPlan,
        dir: &Path,
        now: chrono::DateTime<chrono::Utc>,
        progress: &(dyn Fn(BackupProgress) + Sync),
    ) -> Result<std::path::PathBuf, AppError> {
        plan.write(Store::open_read_only(&self.path)?.conn(), dir, now, progress)
    }

    /// The register's counts.
    pub fn stats(&self) -> Result<Stats, AppError> {
        stats_of(Store::open_read_only(&self.path)?.conn())
    }

    /// Today's work of someone with `role` at `site`, on `today` (see [`Core::today`]).
    pub fn today(&self, role: Role, site: &Site, today: chrono::NaiveDate) -> Result<Vec<TodoItem>, AppError> {
        let store = Store::open_read_only(&self.path)?;
        let backups = self.backups();
        today::work_of(store.conn(), &|action| permits(role, action, site).is_ok(), today, Some(&backups))
    }
}

/// What `daftar check` found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// SQLite's integrity check complaints.
    pub integrity: Vec<String>,
    /// The audit chain's verification.
    pub chain: crate::store::audit::ChainReport,
    /// Stored rows whose free text breaks the rules (written before them): to correct before
    /// the next export, which refuses to carry them.
    pub text: Vec<crate::store::records::TextProblem>,
    /// The site checked (its code), which corrects its own rows.
    pub site: String,
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_sound(&self) -> bool {
        self.integrity.is_empty() && self.chain.problems.is_empty()
    }
}

/// Checks a store without a session (used at start-up and by tests).
pub fn check_store(store: &Store) -> Result<CheckReport, StoreError> {
    Ok(CheckReport {
        integrity: crate::store::search::integrity_problems(store.conn())?,
        chain: crate::store::audit::verify(store.conn())?,
        text: crate::store::records::text_problems(store.conn())?,
        site: crate::store::site::get(store.conn())?.map(|s| s.code.to_string()).unwrap_or_default(),
    })
}
