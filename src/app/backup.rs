//! Backups: a consistent copy of the database (`VACUUM INTO`), encrypted with age to the site's
//! own key and, when it has one, its parent's, so a dead disk with a forgotten password can still
//! be recovered through the delegation. The header carries the accounts' password-wrapped keys:
//! a restore needs no live database, only a login and password that held the keys.
//!
//! Everything streams: the copy is read, encrypted, sealed, written and read back piece by piece
//! ([`crate::app::CHUNK`]), and a restore checks and decrypts the same way, so memory stays
//! bounded whatever the size of the register.
//!
//! ```text
//! offset  size  content
//! 0       8     magic "DAFTARBK"
//! 8       4     header length H, big-endian
//! 12      H     header, UTF-8 JSON (see BackupHeader; "format": 2)
//! 12+H    …     the database file, encrypted with age (binary format) to the recipients listed
//! end-32  32    HMAC-SHA256 seal of (H as 8 bytes big-endian, the header, the ciphertext)
//! ```
//!
//! Format 1 (before Daftar 0.2) had no trailer: its seal is the header's `mac` field, over the
//! header without it. Both restore.

use std::io::{BufReader, Read, Seek as _, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{AppError, CHUNK, Core, Session, check_store, io_error, write_stream_to_stick};
use crate::identity::{SiteSecrets, WrappedKeys};
use crate::store::Store;
use crate::store::audit::timestamp;
use crate::store::site as site_store;
use crate::store::sync as sync_store;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const MAGIC: &[u8; 8] = b"DAFTARBK";
/// The format this program writes: the seal in a trailer, computed as the bytes pass.
const FORMAT: u32 = 2;
/// The length of the seal (HMAC-SHA256).
const SEAL: u64 = 32;
/// The largest header accepted.
const MAX_HEADER: usize = 1 << 20;
/// Automatic backups kept in the database's `sauvegardes/` folder.
pub const KEPT: usize = 10;
/// The file name's extension.
pub const EXTENSION: &str = "daftar-sauvegarde";

/// What a backup says about itself, in clear.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupHeader {
    /// The file's format: 2 since Daftar 0.2 (absent: 1, whose header is sealed without it).
    #[serde(default = "format_1", skip_serializing_if = "is_format_1")]
    pub format: u32,
    /// The site's code.
    pub site: String,
    /// The site's name.
    pub name: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// The schema version of the copy.
    pub schema: i64,
    /// Who can decrypt it: the site, and its parent when pinned (codes).
    pub recipients: Vec<String>,
    /// The keys, wrapped for each account that holds them (Argon2id + ChaCha20-Poly1305).
    pub wraps: Vec<(String, WrappedKeys)>,
    /// Format 1 only: HMAC-SHA256 (hex) of this header (without it) and the ciphertext, under the
    /// site's backup key (see [`crate::identity::SiteSecrets::backup_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
}

fn format_1() -> u32 {
    1
}

fn is_format_1(format: &u32) -> bool {
    *format == 1
}

/// Where the site keeps its backup key, for the accounts that do not hold the keys (a clerk's
/// session makes the daily backup too). Anyone who reads it can read the database anyway.
const BACKUP_KEY: &str = "backup.key";

/// Records the backup key of `secrets` for the accounts without keys (at set-up, at each login
/// that opens the keys, at a rotation).
pub(crate) fn remember_backup_key(conn: &rusqlite::Connection, secrets: &SiteSecrets) -> Result<(), AppError> {
    let key = hex::encode(*secrets.backup_key());
    if site_store::setting(conn, BACKUP_KEY)?.as_deref() != Some(key.as_str()) {
        site_store::set_setting(conn, BACKUP_KEY, &key)?;
    }
    Ok(())
}

/// The seal of `header` (its `mac` left out) as it starts, before the ciphertext passes.
fn seal_start(key: &[u8], header: &BackupHeader) -> Result<Hmac<Sha256>, AppError> {
    let unsigned =
        serde_json::to_vec(&BackupHeader { mac: None, ..header.clone() }).map_err(|e| AppError::Rule(e.to_string()))?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|e| AppError::Rule(e.to_string()))?;
    mac.update(&(unsigned.len() as u64).to_be_bytes());
    mac.update(&unsigned);
    Ok(mac)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// The site restored.
    pub site: String,
    /// When the backup was made.
    pub made_at: String,
    /// Where the replaced database was kept (none when there was none).
    pub replaced: Option<PathBuf>,
    /// Whether the site reports to a delegation (it should then ask for a resync).
    pub has_parent: bool,
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::Refused(crate::domain::role::Refusal(message.into()))
}

fn not_a_backup() -> AppError {
    refused("Ce fichier n'est pas une sauvegarde Daftar (ou il est tronqué).")
}

/// Reads a backup's header from its first bytes; returns it with the offset where its
/// ciphertext starts.
fn read_header(input: &mut impl Read) -> Result<(BackupHeader, u64), AppError> {
    let mut start = [0u8; 12];
    input.read_exact(&mut start).map_err(|_| not_a_backup())?;
    if &start[..8] != MAGIC {
        return Err(not_a_backup());
    }
    let len = u32::from_be_bytes([start[8], start[9], start[10], start[11]]) as usize;
    if len > MAX_HEADER {
        return Err(not_a_backup());
    }
    let mut json = vec![0u8; len];
    input.read_exact(&mut json).map_err(|_| not_a_backup())?;
    let header: BackupHeader = serde_json::from_slice(&json).map_err(|_| not_a_backup())?;
    if header.format == 0 {
        return Err(not_a_backup());
    }
    if header.format > FORMAT {
        return Err(refused(format!(
            "Cette sauvegarde a été faite par une version plus récente de Daftar (format {}) : mettez Daftar à jour puis recommencez ; rien n'a été remplacé.",
            header.format
        )));
    }
    Ok((header, 12 + len as u64))
}

/// Splits a backup held in memory into its header and ciphertext (the seal left out).
pub fn read_backup(bytes: &[u8]) -> Result<(BackupHeader, &[u8]), AppError> {
    let (header, start) = read_header(&mut &bytes[..])?;
    let start = usize::try_from(start).map_err(|_| not_a_backup())?;
    let end = match header.format {
        1 => bytes.len(),
        _ => bytes.len().checked_sub(SEAL as usize).filter(|end| *end >= start).ok_or_else(not_a_backup)?,
    };
    Ok((header, &bytes[start..end]))
}

/// The stage a backup is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupStage {
    /// The consistent copy of the database.
    Copy,
    /// The copy encrypted and sealed into the backup file.
    Encrypt,
    /// The file read back and compared.
    Verify,
}

impl BackupStage {
    /// What the screen says of it.
    pub fn label_fr(self) -> &'static str {
        match self {
            BackupStage::Copy => "copie de la base",
            BackupStage::Encrypt => "chiffrement",
            BackupStage::Verify => "vérification",
        }
    }
}

/// Where a backup stands: its stage, the bytes done and expected in it, since when it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackupProgress {
    /// The stage.
    pub stage: BackupStage,
    /// Bytes done in this stage.
    pub done: u64,
    /// Bytes this stage has to do (the database's size for the copy and the encryption).
    pub total: u64,
    /// Time since the backup started.
    pub elapsed: Duration,
}

impl BackupProgress {
    /// The share of the whole backup done, from 0 to 1 (the three stages weigh alike).
    pub fn fraction(&self) -> f32 {
        let stage = match self.stage {
            BackupStage::Copy => 0.0,
            BackupStage::Encrypt => 1.0,
            BackupStage::Verify => 2.0,
        };
        let within = if self.total == 0 { 0.0 } else { (self.done as f64 / self.total as f64).min(1.0) };
        ((stage + within) / 3.0) as f32
    }

    /// The time left, as far as the pace so far tells.
    pub fn remaining(&self) -> Option<Duration> {
        let fraction = f64::from(self.fraction());
        (fraction > 0.02).then(|| self.elapsed.mul_f64((1.0 - fraction) / fraction))
    }
}

/// What a backup needs from the session and the database, gathered on the core's thread so that
/// the backup itself can run on its own, with its own connection.
pub struct BackupPlan {
    site: String,
    name: String,
    recipients: Vec<(String, String)>,
    wraps: Vec<(String, WrappedKeys)>,
    key: Zeroizing<Vec<u8>>,
    db: Option<PathBuf>,
    journal: Option<PathBuf>,
}

impl std::fmt::Debug for BackupPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupPlan").field("site", &self.site).field("db", &self.db).finish_non_exhaustive()
    }
}

impl BackupPlan {
    /// Writes the backup into `dir` (created if needed) from `conn` (the database's own
    /// connection, or a read-only one of its own on another thread); returns its path.
    /// `progress` follows it. `now` names the file and dates the header.
    pub fn write(
        &self,
        conn: &rusqlite::Connection,
        dir: &Path,
        now: chrono::DateTime<chrono::Utc>,
        progress: &(dyn Fn(BackupProgress) + Sync),
    ) -> Result<PathBuf, AppError> {
        let started = Instant::now();
        let report = |stage, done, total| progress(BackupProgress { stage, done, total, elapsed: started.elapsed() });
        let size = self.db.as_deref().and_then(|db| std::fs::metadata(db).ok()).map_or(0, |m| m.len());
        // A consistent copy, whatever else is happening, read back and removed. It is made on
        // this PC, next to the database: nothing unencrypted ever reaches the stick.
        let scratch = self.db.as_deref().and_then(Path::parent).map_or_else(std::env::temp_dir, Path::to_path_buf);
        let copy = scratch.join(format!(".copie-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&copy);
        // Claimed while it exists: a start of the program beside this one leaves it alone.
        let _claim = crate::app::leftovers::Claim::new(&copy).map_err(|e| io_error(&e))?;
        let result = (|| {
            report(BackupStage::Copy, 0, size);
            copy_watched(conn, &copy, &|done| report(BackupStage::Copy, done, size))?;
            crate::crash_points::reached();
            let plain_len = std::fs::metadata(&copy).map_err(|e| io_error(&e))?.len();
            self.encrypt_copy(&copy, plain_len, dir, now, &report)
        })();
        let _ = std::fs::remove_file(&copy);
        for side in ["-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{side}", copy.display()));
        }
        result
    }

    /// Encrypts and seals the plain copy into the backup file, piece by piece.
    fn encrypt_copy(
        &self,
        copy: &Path,
        plain_len: u64,
        dir: &Path,
        now: chrono::DateTime<chrono::Utc>,
        report: &dyn Fn(BackupStage, u64, u64),
    ) -> Result<PathBuf, AppError> {
        let header = BackupHeader {
            format: FORMAT,
            site: self.site.clone(),
            name: self.name.clone(),
            created_at: timestamp(now),
            schema: crate::store::SCHEMA_VERSION,
            recipients: self.recipients.iter().map(|(code, _)| code.clone()).collect(),
            wraps: self.wraps.clone(),
            mac: None,
        };
        let json = serde_json::to_vec(&header).map_err(|e| AppError::Rule(e.to_string()))?;
        if json.len() > MAX_HEADER {
            return Err(AppError::Rule(
                "La sauvegarde ne peut pas être écrite : trop de comptes détiennent les clés (en-tête trop long). Désactivez les comptes inutiles.".into(),
            ));
        }
        let parsed: Vec<age::x25519::Recipient> = self.recipients.iter().filter_map(|(_, r)| r.parse().ok()).collect();
        let name = format!("{}-sauvegarde-{}.{EXTENSION}", self.site, now.format("%Y%m%d-%H%M%S%.3f"));
        let produce = |out: &mut dyn Write| -> Result<(), AppError> {
            out.write_all(MAGIC).map_err(|e| io_error(&e))?;
            out.write_all(&(json.len() as u32).to_be_bytes()).map_err(|e| io_error(&e))?;
            out.write_all(&json).map_err(|e| io_error(&e))?;
            let mut sealed = Sealing { inner: out, mac: seal_start(&self.key, &header)? };
            let encryptor = age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| AppError::Rule(format!("Chiffrement impossible : {e}")))?;
            let mut writer = encryptor.wrap_output(&mut sealed).map_err(|e| io_error(&e))?;
            let mut input = std::fs::File::open(copy).map_err(|e| io_error(&e))?;
            let mut buffer = vec![0u8; CHUNK];
            let mut done = 0u64;
            loop {
                let n = input.read(&mut buffer).map_err(|e| io_error(&e))?;
                if n == 0 {
                    break;
                }
                writer.write_all(&buffer[..n]).map_err(|e| io_error(&e))?;
                crate::crash_points::reached();
                done += n as u64;
                report(BackupStage::Encrypt, done, plain_len);
            }
            writer.finish().map_err(|e| io_error(&e))?;
            let tag = sealed.mac.finalize().into_bytes();
            out.write_all(&tag).map_err(|e| io_error(&e))
        };
        write_stream_to_stick(dir, &name, self.journal.as_deref(), produce, &mut |done, total| {
            report(BackupStage::Verify, done, total);
        })
    }
}

/// A writer that feeds what passes through it to the seal.
struct Sealing<'a> {
    inner: &'a mut dyn Write,
    mac: Hmac<Sha256>,
}

impl Write for Sealing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.mac.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that feeds what passes through it to a seal.
struct Resealing<'a, R> {
    inner: R,
    mac: &'a mut Hmac<Sha256>,
}

impl<R: Read> Read for Resealing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.mac.update(&buf[..n]);
        Ok(n)
    }
}

/// `VACUUM INTO copy`, its progress read from the copy's size as it grows.
fn copy_watched(conn: &rusqlite::Connection, copy: &Path, progress: &(dyn Fn(u64) + Sync)) -> Result<(), AppError> {
    let finished = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(meta) = std::fs::metadata(copy) {
                    progress(meta.len());
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        });
        let copied = conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()]);
        finished.store(true, std::sync::atomic::Ordering::Relaxed);
        copied.map(|_| ()).map_err(AppError::from)
    })
}

impl Core {
    /// What a backup of this database needs, for `session` (whose keys, or the backup key the
    /// site keeps for accounts without keys, seal it).
    pub fn backup_plan(&self, session: &Session) -> Result<BackupPlan, AppError> {
        session.require(crate::domain::role::Action::ViewRegister)?;
        let conn = self.store.conn();
        let site = self.site()?;
        let (_, own) =
            site_store::current_keys(conn)?.ok_or_else(|| AppError::Rule("Ce site n'a pas de clés.".into()))?;
        let mut recipients = vec![(site.code.to_string(), own.age_recipient)];
        if let Some(parent) = site.parent.as_ref().and_then(|p| sync_store::peer(conn, p.as_str()).ok().flatten()) {
            recipients.push((parent.code, parent.keys.age_recipient));
        }
        let key = match session.secrets() {
            Some(secrets) => Zeroizing::new(secrets.backup_key().to_vec()),
            None => Zeroizing::new(site_store::setting(conn, BACKUP_KEY)?.and_then(|k| hex::decode(k).ok()).ok_or_else(
                || {
                    AppError::Rule(
                        "La sauvegarde ne peut pas être authentifiée : qu'un compte qui détient les clés (chef ou administrateur) se connecte une fois, puis recommencez.".into(),
                    )
                },
            )?),
        };
        Ok(BackupPlan {
            site: site.code.to_string(),
            name: site.name.clone(),
            recipients,
            wraps: site_store::current_wraps(conn)?,
            key,
            db: self.store.path().map(Path::to_path_buf),
            journal: self.stick_journal(),
        })
    }

    /// Writes an encrypted backup of the database into `dir` (created if needed); returns its path.
    /// The copy is read through a connection of its own with SQLite's small default page cache
    /// (memory stays that of the pieces in flight); a database in memory is copied through its
    /// own connection.
    pub fn backup(&self, session: &Session, dir: &Path) -> Result<PathBuf, AppError> {
        let plan = self.backup_plan(session)?;
        let now = self.clock.now_utc();
        match self.store.path() {
            Some(db) => plan.write(Store::open_read_only(db)?.conn(), dir, now, &|_| {}),
            None => plan.write(self.store.conn(), dir, now, &|_| {}),
        }
    }

    /// The automatic backups of this database, newest first.
    pub fn backups(&self) -> Vec<PathBuf> {
        self.store.path().map(backups_of).unwrap_or_default()
    }

    /// Where the automatic backups go (`sauvegardes/` next to the database; none in memory),
    /// when one is due: none made for a day, or `force`.
    pub fn backup_due(&self, force: bool) -> Option<PathBuf> {
        let dir = self.store.path().and_then(Path::parent).map(|d| d.join("sauvegardes"))?;
        let fresh = self
            .backups()
            .first()
            .and_then(|newest| newest.metadata().ok()?.modified().ok())
            .is_some_and(|at| at.elapsed().is_ok_and(|age| age < Duration::from_secs(24 * 3600)));
        (force || !fresh).then_some(dir)
    }

    /// The daily backup (or, with `force`, one now): into `sauvegardes/` next to the database,
    /// the [`KEPT`] newest kept. `None` when none was due.
    pub fn auto_backup(&self, session: &Session, force: bool) -> Result<Option<PathBuf>, AppError> {
        let Some(dir) = self.backup_due(force) else { return Ok(None) };
        let path = self.backup(session, &dir)?;
        prune_backups(&dir);
        Ok(Some(path))
    }
}

/// Keeps the [`KEPT`] newest automatic backups in `dir`.
pub fn prune_backups(dir: &Path) {
    for old in backups_in(dir).iter().skip(KEPT) {
        let _ = std::fs::remove_file(old);
    }
}

/// The automatic backups of the database at `db` (its `sauvegardes/` folder), newest first.
pub fn backups_of(db: &Path) -> Vec<PathBuf> {
    db.parent().map(|d| backups_in(&d.join("sauvegardes"))).unwrap_or_default()
}

/// The backups in `dir`, newest first (their names carry the time they were made).
fn backups_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == EXTENSION)).collect()
        })
        .unwrap_or_default();
    found.sort_unstable_by(|a, b| b.cmp(a));
    found
}

/// Feeds `len` bytes of `input` from where it stands to `each`, piece by piece.
fn each_piece(input: &mut impl Read, len: u64, each: &mut dyn FnMut(&[u8])) -> Result<(), AppError> {
    let mut buffer = vec![0u8; CHUNK];
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left.min(CHUNK as u64)).unwrap_or(CHUNK);
        input.read_exact(&mut buffer[..want]).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => not_a_backup(),
            _ => AppError::Rule(format!("Lecture de la sauvegarde impossible : {}.", super::io_message(&e))),
        })?;
        each(&buffer[..want]);
        left -= want as u64;
    }
    Ok(())
}

/// Restores the backup file `backup` over the database at `db`, for the account `login` whose
/// password opens the keys in the backup's header. Checks the seal, then decrypts piece by piece
/// into a copy that is checked (integrity, audit chain, site) before replacing anything, and
/// keeps the replaced file next to it. Works when the live database is unreadable; when it is
/// readable, it must be the same site. Memory stays bounded whatever the size.
pub fn restore(db: &Path, backup: &Path, login: &str, password: &str) -> Result<RestoreReport, AppError> {
    // Never under a running window.
    let _lock = InstanceLock::acquire(db)?;
    restore_held(db, backup, login, password)
}

impl Core {
    /// [`restore`] from the window, which holds the database's lock: the database is closed, the
    /// backup restored over it (or not, and then it is as it was), and opened again. Log in after.
    pub fn restore_from(&mut self, backup: &Path, login: &str, password: &str) -> Result<RestoreReport, AppError> {
        let db = self
            .store
            .path()
            .map(Path::to_path_buf)
            .ok_or_else(|| AppError::Rule("Une base en mémoire ne se restaure pas.".into()))?;
        // Closed while the file is replaced.
        drop(std::mem::replace(&mut self.store, Store::open_in_memory()?));
        let restored = restore_held(&db, backup, login, password);
        self.store = Store::open(&db, false).map_err(|e| {
            AppError::Rule(format!("La base n'a pas pu être rouverte ({e}) : fermez Daftar et relancez-le."))
        })?;
        self.refresh_reference()?;
        restored
    }
}

/// [`restore`], by a process that holds the database's lock.
fn restore_held(db: &Path, backup: &Path, login: &str, password: &str) -> Result<RestoreReport, AppError> {
    let unreadable =
        |e: std::io::Error| AppError::Rule(format!("Lecture de la sauvegarde impossible : {}.", super::io_message(&e)));
    let mut file = std::fs::File::open(backup).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    let (header, start) = read_header(&mut BufReader::new(&mut file))?;
    let cipher_len = match header.format {
        1 => len.checked_sub(start),
        _ => len.checked_sub(start + SEAL),
    }
    .ok_or_else(not_a_backup)?;
    let wrapped =
        header.wraps.iter().find(|(who, _)| who.eq_ignore_ascii_case(login.trim())).map(|(_, w)| w).ok_or_else(
            || refused(format!("Le compte « {} » ne détient pas les clés dans cette sauvegarde.", login.trim())),
        )?;
    let secrets = wrapped.unwrap(login.trim(), password)?;
    // Made by this site (encrypting to its public key proves nothing), and not altered since:
    // the seal is checked over the whole file before anything is decrypted.
    let mut mac = seal_start(secrets.backup_key().as_ref(), &header)?;
    file.seek(SeekFrom::Start(start)).map_err(unreadable)?;
    let mut input = BufReader::with_capacity(CHUNK, &mut file);
    each_piece(&mut input, cipher_len, &mut |piece| mac.update(piece))?;
    let expected = match header.format {
        1 => header.mac.as_deref().and_then(|m| hex::decode(m).ok()),
        _ => {
            let mut tag = vec![0u8; SEAL as usize];
            input.read_exact(&mut tag).map_err(|_| not_a_backup())?;
            Some(tag)
        }
    };
    drop(input);
    if expected.as_deref().is_none_or(|tag| mac.verify_slice(tag).is_err()) {
        return Err(refused(
            "Cette sauvegarde n'est pas authentique (modifiée, fabriquée ailleurs, ou faite par une version de Daftar sans authentification) : rien n'a été remplacé.",
        ));
    }
    // The live file, when it reads, must be this site's: read only (nothing migrated or written).
    if let Ok(live) = Store::open_read_only(db)
        && let Ok(Some(site)) = site_store::get(live.conn())
        && site.code.as_str() != header.site
    {
        return Err(refused(format!(
            "Cette sauvegarde est celle de {}, pas de {} : rien n'a été remplacé.",
            header.site, site.code
        )));
    }
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // Under the lock: any earlier candidate is what a restore cut short left.
    crate::app::leftovers::clean(db);
    let candidate = dir.join(format!(".restauration-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&candidate);
    let _claim = crate::app::leftovers::Claim::new(&candidate).map_err(|e| io_error(&e))?;
    let decrypted = (|| -> Result<(), AppError> {
        file.seek(SeekFrom::Start(start)).map_err(unreadable)?;
        // The bytes decrypted are sealed again as they pass: a file that changed since its seal
        // was checked (a stick that answers twice differently) restores nothing.
        let mut again = seal_start(secrets.backup_key().as_ref(), &header)?;
        let ciphertext =
            BufReader::with_capacity(CHUNK, Resealing { inner: (&mut file).take(cipher_len), mac: &mut again });
        let damaged =
            || refused("La sauvegarde ne se déchiffre pas : elle est abîmée ou n'est pas chiffrée pour ce site.");
        let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|_| damaged())?;
        let mut plain =
            decryptor.decrypt(std::iter::once(secrets.age_identity() as &dyn age::Identity)).map_err(|_| damaged())?;
        let out =
            std::fs::OpenOptions::new().write(true).create_new(true).open(&candidate).map_err(|e| io_error(&e))?;
        let mut out = std::io::BufWriter::with_capacity(CHUNK, out);
        std::io::copy(&mut plain, &mut out).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => damaged(),
            _ => io_error(&e),
        })?;
        // The decryption read to the end of the ciphertext (a byte left unread leaves the seal
        // short, and refuses the file).
        drop(plain);
        if expected.as_deref().is_none_or(|tag| again.verify_slice(tag).is_err()) {
            return Err(refused(
                "La sauvegarde a changé pendant sa lecture : rien n'a été remplacé. Recopiez-la et recommencez.",
            ));
        }
        out.flush().map_err(|e| io_error(&e))?;
        crate::crash_points::reached();
        out.get_ref().sync_all().map_err(|e| io_error(&e))
    })();
    let checked = decrypted.and_then(|()| {
        // Brought to this program's schema (a backup made by an earlier version), then checked
        // through a read-only connection with SQLite's small default cache.
        drop(Store::open(&candidate, false)?);
        let store = Store::open_read_only(&candidate)?;
        let report = check_store(&store)?;
        if !report.is_sound() {
            return Err(refused(
                "La copie contenue dans la sauvegarde ne passe pas la vérification : elle n'est pas restaurée.",
            ));
        }
        let site =
            site_store::get(store.conn())?.ok_or_else(|| refused("La sauvegarde ne contient pas de site installé."))?;
        if site.code.as_str() != header.site {
            return Err(refused("L'en-tête de la sauvegarde ne correspond pas à son contenu."));
        }
        Ok((site.code.to_string(), site.parent.is_some()))
    });
    let (site, has_parent) = match checked {
        Ok(found) => found,
        Err(e) => {
            for side in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{side}", candidate.display()));
            }
            return Err(e);
        }
    };
    // The replaced file is kept as a copy, and the restored one takes its name in one rename: at
    // no moment is there no database (a start then would begin a new office).
    let replaced = if db.exists() {
        let kept = db.with_extension(format!("remplacee-{}.sqlite", chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f")));
        let set_aside = |e: std::io::Error| {
            AppError::Rule(format!(
                "La base actuelle n'a pas pu être mise de côté : {}. Rien n'a été remplacé.",
                super::io_message(&e)
            ))
        };
        // The kept copy (and its journal, which holds what the file does not yet) reaches the disk
        // before anything of the live file is touched.
        let keep = |from: &Path, to: &Path| -> std::io::Result<()> {
            std::fs::copy(from, to)?;
            std::fs::File::open(to)?.sync_all()
        };
        keep(db, &kept).map_err(set_aside)?;
        let wal = PathBuf::from(format!("{}-wal", db.display()));
        if wal.exists() {
            keep(&wal, &PathBuf::from(format!("{}-wal", kept.display()))).map_err(set_aside)?;
        }
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
        // The old journal must not be replayed onto the restored file.
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", db.display()));
            if side.exists() {
                std::fs::remove_file(&side).map_err(set_aside)?;
            }
        }
        crate::crash_points::reached();
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&candidate, db)
        .map_err(|e| AppError::Rule(format!("La restauration n'a pas pu se terminer : {}.", super::io_message(&e))))?;
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(RestoreReport { site, made_at: header.created_at, replaced, has_parent })
}

/// The database's lock: one copy of the program works on a database at a time (a second
/// window, or a restore while the window is open, is refused politely). Released when dropped or
/// when the process ends, however it ends.
#[derive(Debug)]
pub struct InstanceLock {
    _file: std::fs::File,
}

impl InstanceLock {
    /// Takes the lock of the database at `db` (the file `<db>.verrou` next to it).
    pub fn acquire(db: &Path) -> Result<InstanceLock, AppError> {
        let path = PathBuf::from(format!("{}.verrou", db.display()));
        if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(dir);
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| AppError::Rule(format!("Verrou de la base impossible ({}) : {e}", path.display())))?;
        match crate::platform::try_lock_exclusive(&file) {
            Ok(true) => Ok(InstanceLock { _file: file }),
            Ok(false) => Err(AppError::Rule(
                "Daftar est déjà ouvert sur cette base (une autre fenêtre, ou une autre session de ce PC) : \
                 utilisez-la, ou fermez-la avant de recommencer."
                    .into(),
            )),
            Err(e) => Err(AppError::Rule(format!("Verrou de la base impossible ({}) : {e}", path.display()))),
        }
    }
}
