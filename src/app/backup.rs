//! Backups: a consistent copy of the database (`VACUUM INTO`), encrypted with age to the site's
//! own key and, when it has one, its parent's, so a dead disk with a forgotten password can still
//! be recovered through the delegation. The header carries the accounts' password-wrapped keys:
//! a restore needs no live database, only a login and password that held the keys.
//!
//! ```text
//! offset  size  content
//! 0       8     magic "DAFTARBK"
//! 8       4     header length H, big-endian
//! 12      H     header, UTF-8 JSON (see BackupHeader)
//! 12+H    …     the database file, encrypted with age (binary format) to the recipients listed
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{AppError, Core, Session, check_store, write_to_stick};
use crate::identity::{SiteSecrets, WrappedKeys};
use crate::store::Store;
use crate::store::audit::timestamp;
use crate::store::site as site_store;
use crate::store::sync as sync_store;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const MAGIC: &[u8; 8] = b"DAFTARBK";
/// Automatic backups kept in the database's `sauvegardes/` folder.
pub const KEPT: usize = 10;
/// The file name's extension.
pub const EXTENSION: &str = "daftar-sauvegarde";

/// What a backup says about itself, in clear.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupHeader {
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
    /// HMAC-SHA256 (hex) of this header (without it) and the ciphertext, under the site's backup
    /// key (see [`crate::identity::SiteSecrets::backup_key`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
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

/// The MAC of `header` (its `mac` left out) and `ciphertext` under `key`.
fn mac(key: &[u8], header: &BackupHeader, ciphertext: &[u8]) -> Result<Hmac<Sha256>, AppError> {
    let unsigned =
        serde_json::to_vec(&BackupHeader { mac: None, ..header.clone() }).map_err(|e| AppError::Rule(e.to_string()))?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|e| AppError::Rule(e.to_string()))?;
    mac.update(&(unsigned.len() as u64).to_be_bytes());
    mac.update(&unsigned);
    mac.update(ciphertext);
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

/// Splits a backup file into its header and ciphertext.
pub fn read_backup(bytes: &[u8]) -> Result<(BackupHeader, &[u8]), AppError> {
    let not_one = || refused("Ce fichier n'est pas une sauvegarde Daftar (ou il est tronqué).");
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(not_one());
    }
    let len = u32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
    let header_bytes = bytes.get(12..12usize.saturating_add(len)).filter(|_| len <= 1 << 20).ok_or_else(not_one)?;
    let header: BackupHeader = serde_json::from_slice(header_bytes).map_err(|_| not_one())?;
    Ok((header, &bytes[12 + len..]))
}

impl Core {
    /// Writes an encrypted backup of the database into `dir` (created if needed); returns its path.
    pub fn backup(&self, session: &Session, dir: &Path) -> Result<PathBuf, AppError> {
        session.require(crate::domain::role::Action::ViewRegister)?;
        let conn = self.store.conn();
        let site = self.site()?;
        let (_, own) =
            site_store::current_keys(conn)?.ok_or_else(|| AppError::Rule("Ce site n'a pas de clés.".into()))?;
        let mut recipients = vec![(site.code.to_string(), own.age_recipient)];
        if let Some(parent) = site.parent.as_ref().and_then(|p| sync_store::peer(conn, p.as_str()).ok().flatten()) {
            recipients.push((parent.code, parent.keys.age_recipient));
        }
        // A consistent copy, whatever else is happening, read back and removed. It is made on this
        // PC, next to the database: nothing unencrypted ever reaches the stick.
        let scratch = self.store.path().and_then(Path::parent).map_or_else(std::env::temp_dir, Path::to_path_buf);
        // A copy left by a backup cut short (a power cut) is removed; one being made by another
        // copy of the program (the command line beside the window) is younger than an hour.
        remove_leftovers(&scratch, ".copie-", std::time::Duration::from_secs(3600));
        let copy = scratch.join(format!(".copie-{}.sqlite", std::process::id()));
        conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()])?;
        let plain = std::fs::read(&copy);
        let _ = std::fs::remove_file(&copy);
        let plain = plain.map_err(|e| AppError::Rule(format!("Copie de la base illisible : {e}")))?;
        let parsed: Vec<age::x25519::Recipient> = recipients.iter().filter_map(|(_, r)| r.parse().ok()).collect();
        let encryptor = age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| AppError::Rule(format!("Chiffrement impossible : {e}")))?;
        let mut ciphertext = Vec::with_capacity(plain.len() + 1024);
        let mut writer = encryptor.wrap_output(&mut ciphertext).map_err(|e| AppError::Rule(e.to_string()))?;
        std::io::Write::write_all(&mut writer, &plain)
            .and_then(|()| writer.finish().map(|_| ()))
            .map_err(|e| AppError::Rule(e.to_string()))?;
        let now = self.clock.now_utc();
        let mut header = BackupHeader {
            site: site.code.to_string(),
            name: site.name.clone(),
            created_at: timestamp(now),
            schema: crate::store::SCHEMA_VERSION,
            recipients: recipients.into_iter().map(|(code, _)| code).collect(),
            wraps: site_store::current_wraps(conn)?,
            mac: None,
        };
        let key = match session.secrets() {
            Some(secrets) => secrets.backup_key().to_vec(),
            None => site_store::setting(conn, BACKUP_KEY)?.and_then(|k| hex::decode(k).ok()).ok_or_else(|| {
                AppError::Rule(
                    "La sauvegarde ne peut pas être authentifiée : qu'un compte qui détient les clés (chef ou administrateur) se connecte une fois, puis recommencez.".into(),
                )
            })?,
        };
        header.mac = Some(hex::encode(mac(&key, &header, &ciphertext)?.finalize().into_bytes()));
        let json = serde_json::to_vec(&header).map_err(|e| AppError::Rule(e.to_string()))?;
        let mut file = Vec::with_capacity(12 + json.len() + ciphertext.len());
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&(json.len() as u32).to_be_bytes());
        file.extend_from_slice(&json);
        file.extend_from_slice(&ciphertext);
        let name = format!("{}-sauvegarde-{}.{EXTENSION}", site.code, now.format("%Y%m%d-%H%M%S%.3f"));
        write_to_stick(dir, &name, &file, self.stick_journal().as_deref())
    }

    /// The automatic backups of this database, newest first.
    pub fn backups(&self) -> Vec<PathBuf> {
        self.store.path().map(backups_of).unwrap_or_default()
    }

    /// The automatic backup into the database's `sauvegardes/` folder: made when `force`, or when
    /// the newest there is a day old; keeps the [`KEPT`] newest. `None` when none was due.
    pub fn auto_backup(&self, session: &Session, force: bool) -> Result<Option<PathBuf>, AppError> {
        let Some(dir) = self.store.path().and_then(Path::parent).map(|d| d.join("sauvegardes")) else {
            return Ok(None);
        };
        let existing = self.backups();
        let fresh = existing
            .first()
            .and_then(|newest| newest.metadata().ok()?.modified().ok())
            .is_some_and(|at| at.elapsed().is_ok_and(|age| age < std::time::Duration::from_secs(24 * 3600)));
        if fresh && !force {
            return Ok(None);
        }
        let path = self.backup(session, &dir)?;
        // With the new one, the KEPT newest stay.
        for old in existing.iter().skip(KEPT - 1) {
            let _ = std::fs::remove_file(old);
        }
        Ok(Some(path))
    }
}

/// The automatic backups of the database at `db` (its `sauvegardes/` folder), newest first.
pub fn backups_of(db: &Path) -> Vec<PathBuf> {
    let Some(dir) = db.parent().map(|d| d.join("sauvegardes")) else { return Vec::new() };
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == EXTENSION)).collect()
        })
        .unwrap_or_default();
    // Their names carry the time they were made.
    found.sort_unstable_by(|a, b| b.cmp(a));
    found
}

/// Restores `backup` over the database at `db`, for the account `login` whose password opens
/// the keys in the backup's header. Checks the copy (integrity, audit chain, site) before
/// replacing anything, and keeps the replaced file next to it. Works when the live database is
/// unreadable; when it is readable, it must be the same site.
pub fn restore(db: &Path, backup: &[u8], login: &str, password: &str) -> Result<RestoreReport, AppError> {
    // Never under a running window.
    let _lock = InstanceLock::acquire(db)?;
    let (header, ciphertext) = read_backup(backup)?;
    let wrapped =
        header.wraps.iter().find(|(who, _)| who.eq_ignore_ascii_case(login.trim())).map(|(_, w)| w).ok_or_else(
            || refused(format!("Le compte « {} » ne détient pas les clés dans cette sauvegarde.", login.trim())),
        )?;
    let secrets = wrapped.unwrap(login.trim(), password)?;
    // Made by this site (encrypting to its public key proves nothing), and not altered since.
    let authentic = header.mac.as_deref().and_then(|m| hex::decode(m).ok()).is_some_and(|expected| {
        mac(secrets.backup_key().as_ref(), &header, ciphertext).is_ok_and(|m| m.verify_slice(&expected).is_ok())
    });
    if !authentic {
        return Err(refused(
            "Cette sauvegarde n'est pas authentique (modifiée, fabriquée ailleurs, ou faite par une version de Daftar sans authentification) : rien n'a été remplacé.",
        ));
    }
    let plain = age::decrypt(secrets.age_identity(), ciphertext).map_err(|_| {
        refused("La sauvegarde ne se déchiffre pas : elle est abîmée ou n'est pas chiffrée pour ce site.")
    })?;
    if let Ok(live) = Store::open(db, false)
        && let Ok(Some(site)) = site_store::get(live.conn())
    {
        if site.code.as_str() != header.site {
            return Err(refused(format!(
                "Cette sauvegarde est celle de {}, pas de {} : rien n'a été remplacé.",
                header.site, site.code
            )));
        }
        // Everything the live file holds goes into the file itself: its journal can be set aside.
        let _ = live.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // Under the lock: any earlier candidate is what a restore cut short left.
    remove_leftovers(dir, ".restauration-", std::time::Duration::ZERO);
    let candidate = dir.join(format!(".restauration-{}.sqlite", std::process::id()));
    crate::app::documents::save_new(&candidate, &plain)
        .map_err(|e| AppError::Rule(format!("Écriture impossible : {}.", super::io_message(&e))))?;
    let checked = (|| -> Result<(String, bool), AppError> {
        let store = Store::open(&candidate, false)?;
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
    })();
    let (site, has_parent) = match checked {
        Ok(found) => found,
        Err(e) => {
            let _ = std::fs::remove_file(&candidate);
            return Err(e);
        }
    };
    // The replaced file is kept as a copy, and the restored one takes its name in one rename: at
    // no moment is there no database (a start then would begin a new office).
    let replaced = if db.exists() {
        let kept = db.with_extension(format!("remplacee-{}.sqlite", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
        let set_aside = |e: std::io::Error| {
            AppError::Rule(format!(
                "La base actuelle n'a pas pu être mise de côté : {}. Rien n'a été remplacé.",
                super::io_message(&e)
            ))
        };
        std::fs::copy(db, &kept).map_err(set_aside)?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", db.display()));
            if side.exists() {
                std::fs::copy(&side, PathBuf::from(format!("{}{suffix}", kept.display()))).map_err(set_aside)?;
                // The old journal must not be replayed onto the restored file.
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

/// Removes the scratch copies `prefix*.sqlite` in `dir` older than `age` (plain copies of the
/// database that an interrupted backup or restore left behind).
fn remove_leftovers(dir: &Path, prefix: &str, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry.metadata().and_then(|m| m.modified()).is_ok_and(|at| at.elapsed().is_ok_and(|a| a >= age));
        if name.starts_with(prefix) && name.ends_with(".sqlite") && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
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
        match file.try_lock() {
            Ok(()) => Ok(InstanceLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(AppError::Rule(
                "Daftar est déjà ouvert sur cette base (une autre fenêtre, ou une autre session de ce PC) : \
                 utilisez-la, ou fermez-la avant de recommencer."
                    .into(),
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(AppError::Rule(format!("Verrou de la base impossible ({}) : {e}", path.display())))
            }
        }
    }
}
