//! The SQLite file: opening, migrations, and the modules that read and write it (DESIGN §4).
//!
//! One database file per installation, WAL journal, `synchronous=FULL` (office PCs lose power),
//! foreign keys on. The schema moves forward through append-only migrations tracked in
//! `PRAGMA user_version`; a copy of the file is made before migrating an existing database, and
//! a database from a newer program is refused. Uses [`crate::domain`]; never egui or printpdf.

pub mod audit;
pub mod closings;
pub mod facts;
pub mod records;
pub mod reference;
pub mod report;
pub mod search;
pub mod site;
pub mod sync;
pub mod today;
pub mod transfers;
pub mod worklist;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

/// Identifies a Daftar file in its SQLite header (`PRAGMA application_id`): "DFTR".
pub const APPLICATION_ID: i32 = 0x4446_5452;

/// The migrations, in order. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_envelopes.sql"),
    include_str!("../../migrations/0003_certificates.sql"),
    include_str!("../../migrations/0004_sync.sql"),
    include_str!("../../migrations/0005_rotation.sql"),
    include_str!("../../migrations/0006_closings.sql"),
    include_str!("../../migrations/0007_login_failures.sql"),
    include_str!("../../migrations/0008_bilan_facts.sql"),
    include_str!("../../migrations/0009_office_lists.sql"),
    include_str!("../../migrations/0010_retired_keys.sql"),
    include_str!("../../migrations/0011_key_handover.sql"),
    include_str!("../../migrations/0012_transfers_reviews.sql"),
    include_str!("../../migrations/0013_checklists.sql"),
    include_str!("../../migrations/0014_bilan_money.sql"),
    include_str!("../../migrations/0015_signed_keyring.sql"),
    include_str!("../../migrations/0016_worklist.sql"),
    include_str!("../../migrations/0017_worklist_from_outbox.sql"),
    include_str!("../../migrations/0018_worklist_today.sql"),
    include_str!("../../migrations/0019_worklist_follow_up.sql"),
    include_str!("../../migrations/0020_certificate_revocations.sql"),
    include_str!("../../migrations/0021_commission_sessions.sql"),
    include_str!("../../migrations/0022_projects_created.sql"),
    include_str!("../../migrations/0023_project_counts.sql"),
    include_str!("../../migrations/0024_commission_reasons.sql"),
    include_str!("../../migrations/0025_projects_search.sql"),
];

/// What the program adds to a migration, in its transaction, after its SQL: the version it
/// brings the file to, and the step.
fn after_migration(conn: &Connection, version: i64) -> Result<(), StoreError> {
    match version {
        25 => records::fill_search_index::<crate::domain::project::Project>(conn),
        _ => Ok(()),
    }
}

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The format of the records bundles carry: the schema version at which a record's shape last
/// changed in a way older programs cannot read (a new optional field is not such a change). A
/// bundle says it in its header; a program reads every bundle whose format is not above its own
/// schema, so offices and delegations need not update the same week.
pub const RECORD_FORMAT: i64 = 14;

/// The tables that came with a later format, and that format: a bundle carrying none of their
/// rows keeps [`RECORD_FORMAT`], so that an office not yet updated still reads its replies.
const LATER_TABLES: [(&str, i64); 3] = [("commission_sessions", 21), ("adjournments", 21), ("commission_reasons", 24)];

/// The format of a bundle that carries rows of `tables` (see [`RECORD_FORMAT`]).
pub fn record_format<'a>(tables: impl IntoIterator<Item = &'a str>) -> i64 {
    tables.into_iter().fold(RECORD_FORMAT, |format, table| {
        LATER_TABLES.iter().find(|(name, _)| *name == table).map_or(format, |(_, later)| format.max(*later))
    })
}

/// What can go wrong with the database. Messages are for users, in French.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file was written by a newer Daftar.
    #[error(
        "Cette base a été créée par une version plus récente de Daftar (schéma {found}, ce programme connaît le schéma {known}). Installez la dernière version de Daftar ; la base n'a pas été modifiée."
    )]
    NewerSchema {
        /// Version found in the file.
        found: i64,
        /// Version this program knows.
        known: i64,
    },
    /// The file is not a Daftar database.
    #[error("Le fichier {0} n'est pas une base Daftar. Vérifiez le chemin donné à --db ; rien n'a été modifié.")]
    NotDaftar(PathBuf),
    /// The file does not exist where an existing database was expected.
    #[error(
        "Aucune base Daftar à l'emplacement {0}. Créez-la avec « daftar init » (ou « daftar demo »), ou indiquez le bon fichier avec --db."
    )]
    Missing(PathBuf),
    /// The database was not set up yet.
    #[error("Cette base n'est pas encore installée : lancez « daftar init » (ou « daftar demo »).")]
    NotInitialised,
    /// The database is already set up.
    #[error("Cette base est déjà installée (site {0}) : « daftar init » ne s'utilise qu'une fois.")]
    AlreadyInitialised(String),
    /// Copying the file before a migration failed.
    #[error(
        "Impossible de copier la base avant sa mise à jour ({0}) : libérez de la place sur le disque puis relancez Daftar. La base n'a pas été modifiée."
    )]
    BackupBeforeMigration(String),
    /// A record is missing.
    #[error("{0} introuvable.")]
    NotFound(String),
    /// A record belongs to another site.
    #[error("Cet enregistrement appartient au site {owner} : seul ce site peut le modifier.")]
    NotOwner {
        /// The owner site.
        owner: String,
    },
    /// A record was deleted.
    #[error("Cet enregistrement a été supprimé ({0}).")]
    Deleted(String),
    /// A stored row cannot be read back.
    #[error("Un enregistrement de la table {table} est illisible ({message}) : {CHECK_WORDS} en donnera le détail.")]
    Corrupt {
        /// Table.
        table: &'static str,
        /// Detail.
        message: String,
    },
    /// Free text that breaks its rules (length, control or direction characters).
    #[error("{table} : {message} Rien n'a été enregistré.")]
    Text {
        /// The table, in French.
        table: &'static str,
        /// What is wrong, naming the field.
        message: String,
    },
    /// Any other SQLite error, said in French with what to do.
    #[error("{}", sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
}

/// Runs `work` inside the savepoint `name` (within the caller's transaction, or as its own):
/// everything it wrote stays only if it succeeds.
pub(crate) fn in_savepoint<T>(
    conn: &Connection,
    name: &str,
    work: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch(&format!("SAVEPOINT {name}"))?;
    let done = work();
    match done {
        Ok(_) => conn.execute_batch(&format!("RELEASE {name}"))?,
        Err(_) => conn.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?,
    }
    done
}

/// The integrity check, named in words for the window (it runs at each log-in); the command
/// line adds the command that runs it.
pub const CHECK_WORDS: &str = "la vérification complète de la base, faite à chaque connexion,";

/// What a person is told of a SQLite error: what happened and what to do, in French (the
/// disk full, a damaged file, a file held by another program…).
pub fn sqlite_message(e: &rusqlite::Error) -> String {
    use rusqlite::ErrorCode as Code;
    const RESTORE: &str = "N'enregistrez plus rien et restaurez la dernière sauvegarde : à l'écran de connexion, « Restaurer une sauvegarde… » (les sauvegardes automatiques sont dans le dossier « sauvegardes » à côté de la base ; essayez la plus récente d'abord). Sans sauvegarde, demandez à la délégation une resynchronisation.";
    let code = e.sqlite_error_code();
    match code {
        Some(Code::DiskFull) => {
            "Le disque est plein : rien n'a été enregistré. Libérez de la place (vider la corbeille, déplacer d'anciens fichiers) puis recommencez.".to_owned()
        }
        Some(Code::DatabaseCorrupt | Code::NotADatabase) => {
            format!("La base de données est endommagée ; {CHECK_WORDS} en donnera le détail. {RESTORE}")
        }
        Some(Code::DatabaseBusy | Code::DatabaseLocked) => {
            "La base est occupée par un autre programme (une autre fenêtre de Daftar, une sauvegarde en cours) : rien n'a été enregistré. Attendez quelques secondes puis recommencez.".to_owned()
        }
        Some(Code::ReadOnly) => {
            "La base est en lecture seule (droits du fichier, disque ou clé protégé en écriture) : rien n'a été enregistré. Vérifiez les droits du dossier de la base.".to_owned()
        }
        Some(Code::SystemIoFailure) => {
            format!("Le disque n'a pas pu lire ou écrire la base (disque défaillant, clé retirée ?) : rien n'a été enregistré. Vérifiez le disque puis recommencez ; si l'erreur revient, {CHECK_WORDS} dira si la base est atteinte.")
        }
        Some(Code::CannotOpen | Code::PermissionDenied) => {
            "Impossible d'ouvrir le fichier de la base (dossier absent ou droits insuffisants) : vérifiez le chemin (--db) et les droits du dossier.".to_owned()
        }
        Some(Code::OutOfMemory) => {
            "La mémoire manque : rien n'a été enregistré. Fermez d'autres programmes puis recommencez.".to_owned()
        }
        _ => format!(
            "Erreur de la base de données ({}) : rien n'a été enregistré. Recommencez ; si l'erreur revient, demandez {CHECK_WORDS} et envoyez le journal de diagnostic à votre délégation.",
            e.sqlite_error().map_or_else(|| e.to_string(), |s| format!("code {} : {e}", s.extended_code))
        ),
    }
}

/// An open database.
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The page cache of a connection, in KiB.
const CACHE_KIB: i64 = 65_536;

/// The page size of a new file, in bytes. Rows of 0.5–1 KB and their half-dozen indexes fill
/// 16 KB pages: a bulk write splits, walks and logs a quarter of the pages SQLite's 4 KB default
/// would (the import of 112,000 records writes its log 0.3 s faster). An existing file keeps
/// the size it was created with.
const PAGE_SIZE: i64 = 16_384;

fn configure(conn: &Connection) -> Result<(), StoreError> {
    // Only takes effect on a file without tables yet, before it switches to WAL.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted content is overwritten where that costs no extra write (retention switches it
    // fully on while it anonymises).
    conn.pragma_update(None, "secure_delete", "FAST")?;
    // 64 MB of page cache: large indexes stay in memory during batch writes and searches.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

impl Store {
    /// Opens the database at `path`, creating it when `create` is true and it does not exist,
    /// and brings its schema up to date (copying the file first when it already held data).
    pub fn open(path: &Path, create: bool) -> Result<Store, StoreError> {
        Store::open_with(path, create, MIGRATIONS)
    }

    /// The schema versions the file at `path` would be migrated from and to when opened, if
    /// it holds data from an older version of the program (`None`: nothing to migrate, or no
    /// such file). The window says so before a long migration.
    pub fn migration_ahead(path: &Path) -> Option<(i64, i64)> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        let version = schema_version(&conn).ok()?;
        (version > 0 && version < SCHEMA_VERSION).then_some((version, SCHEMA_VERSION))
    }

    fn open_with(path: &Path, create: bool, migrations: &[&str]) -> Result<Store, StoreError> {
        let known = migrations.len() as i64;
        if !path.exists() && !create {
            return Err(StoreError::Missing(path.to_owned()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::BackupBeforeMigration(e.to_string()))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        let app_id: i32 = conn
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(|_| StoreError::NotDaftar(path.to_owned()))?;
        let version = schema_version(&conn)?;
        if app_id != APPLICATION_ID && (app_id != 0 || version != 0 || has_tables(&conn)?) {
            return Err(StoreError::NotDaftar(path.to_owned()));
        }
        if version > known {
            return Err(StoreError::NewerSchema { found: version, known });
        }
        configure(&conn)?;
        let mut conn = conn;
        crate::crash_points::watch(&mut conn)?;
        let mut store = Store { conn, path: Some(path.to_owned()) };
        if version > 0 && version < known {
            store.copy_before_migration(version)?;
        }
        store.apply(migrations)?;
        Ok(store)
    }

    /// Opens an existing database read-only, beside the connection that writes: for checks that
    /// run on another thread (WAL lets readers and the writer work at once).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        let mut conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // A backup's copy is read through such a connection: its steps are crash points too.
        crate::crash_points::watch(&mut conn)?;
        Ok(Store { conn, path: Some(path.to_owned()) })
    }

    /// A fresh database in memory, for tests.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        configure(&conn)?;
        let mut store = Store { conn, path: None };
        store.apply(MIGRATIONS)?;
        Ok(store)
    }

    /// Gives the page cache `factor` times its usual room (1 restores it), for a batch that
    /// touches every index of every table (a large sync bundle).
    pub fn widen_cache(&self, factor: i64) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "cache_size", -CACHE_KIB * factor.max(1))?;
        Ok(())
    }

    /// The file, when the database is on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The connection, for reads. Writes go through [`Store::transaction`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write scope: a transaction, or a savepoint nested in the batch that
    /// [`Store::begin_batch`] opened. Dropped without commit, it rolls back.
    pub fn transaction(&mut self) -> Result<rusqlite::Savepoint<'_>, StoreError> {
        Ok(self.conn.savepoint()?)
    }

    /// Opens a batch: every write until [`Store::end_batch`] commits or rolls back together
    /// (all-or-nothing imports). Takes the write lock at once.
    pub fn begin_batch(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    /// Closes the batch opened by [`Store::begin_batch`]: commits when `keep`, else rolls back.
    pub fn end_batch(&mut self, keep: bool) -> Result<(), StoreError> {
        self.conn.execute_batch(if keep { "COMMIT" } else { "ROLLBACK" })?;
        Ok(())
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema_version(&self.conn)
    }

    fn copy_before_migration(&self, from_version: i64) -> Result<(), StoreError> {
        let Some(path) = &self.path else { return Ok(()) };
        let copy = migration_copy_path(path, from_version);
        if copy.exists() {
            return Ok(());
        }
        // Through a temporary name: a copy cut short (a power cut) is never taken for a whole one.
        let partial = PathBuf::from(format!("{}.partial", copy.display()));
        let _ = std::fs::remove_file(&partial);
        let failed = |e: &dyn std::fmt::Display| StoreError::BackupBeforeMigration(e.to_string());
        self.conn.execute("VACUUM INTO ?1", [partial.to_string_lossy()]).map_err(|e| failed(&e))?;
        std::fs::rename(&partial, &copy).map_err(|e| failed(&e))?;
        crate::crash_points::reached();
        Ok(())
    }

    /// Applies the migrations the file lacks, each in its own transaction. Running it again is
    /// a no-op.
    pub fn migrate(&mut self) -> Result<(), StoreError> {
        self.apply(MIGRATIONS)
    }

    fn apply(&mut self, migrations: &[&str]) -> Result<(), StoreError> {
        let current = schema_version(&self.conn)?;
        for (index, sql) in migrations.iter().enumerate().skip(usize::try_from(current).unwrap_or(usize::MAX)) {
            let tx = self.transaction()?;
            tx.execute_batch(sql)?;
            after_migration(&tx, index as i64 + 1)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }
}

/// Where the copy made before migrating a file from `from_version` goes.
pub fn migration_copy_path(db: &Path, from_version: i64) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".avant-migration-schema-{from_version}"));
    db.with_file_name(name)
}

fn has_tables(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get::<_, i64>(0))? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_errors_are_told_in_french_with_what_to_do() {
        let error = |code| rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
        let full = StoreError::Sqlite(error(rusqlite::ffi::SQLITE_FULL)).to_string();
        assert!(full.contains("disque est plein") && full.contains("Libérez de la place"), "{full}");
        let corrupt = StoreError::Sqlite(error(rusqlite::ffi::SQLITE_CORRUPT)).to_string();
        assert!(corrupt.contains("endommagée") && corrupt.contains("Restaurer une sauvegarde"), "{corrupt}");
        assert!(!corrupt.contains("daftar "), "the window's words name no command: {corrupt}");
        let other = StoreError::Sqlite(error(rusqlite::ffi::SQLITE_MISMATCH)).to_string();
        assert!(
            other.starts_with("Erreur de la base de données (code 20 ") && other.contains("Recommencez"),
            "{other}"
        );
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut store = Store::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.schema_version().ok(), Some(SCHEMA_VERSION));
        store.migrate().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.schema_version().ok(), Some(SCHEMA_VERSION));
    }

    #[test]
    fn a_migration_ahead_is_known_before_opening() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("d.sqlite");
        assert_eq!(Store::migration_ahead(&path), None, "no file yet");
        drop(Store::open_with(&path, true, &MIGRATIONS[..8]).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(Store::migration_ahead(&path), Some((8, SCHEMA_VERSION)));
        drop(Store::open(&path, false).unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(Store::migration_ahead(&path), None);
    }

    #[test]
    fn pragmas_are_set_on_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(&dir.path().join("d.sqlite"), true).unwrap_or_else(|e| panic!("{e}"));
        let mode: String = store.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap_or_default();
        let sync: i64 = store.conn().pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap_or_default();
        let fk: i64 = store.conn().pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap_or_default();
        let page: i64 = store.conn().pragma_query_value(None, "page_size", |r| r.get(0)).unwrap_or_default();
        assert_eq!((mode.as_str(), sync, fk, page), ("wal", 2, 1, PAGE_SIZE));
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("d.sqlite");
        drop(Store::open(&path, true).unwrap_or_else(|e| panic!("{e}")));
        let conn = Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5).unwrap_or_else(|e| panic!("{e}"));
        drop(conn);
        let err = Store::open(&path, false).unwrap_err();
        assert!(err.to_string().contains("version plus récente"), "{err}");
        let conn = Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).ok(),
            Some(SCHEMA_VERSION + 5)
        );
    }

    #[test]
    fn an_older_schema_is_copied_then_migrated() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("d.sqlite");
        let v1 = "CREATE TABLE marker (x); INSERT INTO marker VALUES (1);";
        let v2 = "UPDATE marker SET x = 2;";
        drop(Store::open_with(&path, true, &[v1]).unwrap_or_else(|e| panic!("{e}")));
        let store = Store::open_with(&path, false, &[v1, v2]).unwrap_or_else(|e| panic!("{e}"));
        let now: i64 = store.conn().query_row("SELECT x FROM marker", [], |r| r.get(0)).unwrap_or_default();
        assert_eq!((now, store.schema_version().ok()), (2, Some(2)));
        let copy = Connection::open(migration_copy_path(&path, 1)).unwrap_or_else(|e| panic!("{e}"));
        let before: i64 = copy.query_row("SELECT x FROM marker", [], |r| r.get(0)).unwrap_or_default();
        assert_eq!(before, 1, "the copy holds the file as it was before migrating");
        // A failing migration leaves the file at its previous version.
        drop(store);
        assert!(Store::open_with(&path, false, &[v1, v2, "THIS IS NOT SQL"]).is_err());
        let again = Store::open_with(&path, false, &[v1, v2]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.schema_version().ok(), Some(2));
    }

    #[test]
    fn copy_path_is_next_to_the_file() {
        let p = migration_copy_path(Path::new("/data/daftar.sqlite"), 3);
        assert_eq!(p, Path::new("/data/daftar.sqlite.avant-migration-schema-3"));
    }

    #[test]
    fn a_foreign_file_is_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("autre.sqlite");
        let conn = Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("CREATE TABLE t (x)").unwrap_or_else(|e| panic!("{e}"));
        drop(conn);
        assert!(matches!(Store::open(&path, false), Err(StoreError::NotDaftar(_))));
        let text = dir.path().join("texte.sqlite");
        std::fs::write(&text, "ceci n'est pas une base").unwrap_or_else(|e| panic!("{e}"));
        assert!(Store::open(&text, false).is_err());
        assert!(matches!(Store::open(&dir.path().join("absent.sqlite"), false), Err(StoreError::Missing(_))));
    }
}
