//! What a kill or a power cut can leave behind, removed at the next start: plain copies of the
//! database made for an operation (a backup's `.copie-PID.sqlite`, a restore's
//! `.restauration-PID.sqlite`, their journals — they hold every CIN, and retention promises to
//! erase), and the `.partial` files an export or a backup was writing on a stick (noted, before
//! they are written, in a list next to the database).
//!
//! A file being written is *claimed*: `FILE.verrou` beside it, locked by the writer while it
//! works. The operating system releases the lock when the writer ends, however it ends; so a start
//! of the program (this window, or the command line beside it) leaves a claimed file alone and
//! removes an unclaimed one.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The prefixes of the plain copies made next to the database.
const COPIES: [&str; 2] = [".copie-", ".restauration-"];

/// The side files of a plain copy: its journals, its claim, the copy a check made before
/// migrating it.
const SIDES: [&str; 5] = ["", "-wal", "-shm", "-journal", ".verrou"];

/// The list of files being written is read and rewritten by one thread at a time.
static JOURNAL: Mutex<()> = Mutex::new(());

/// A file being written by this process: `FILE.verrou`, locked while the claim lives.
#[derive(Debug)]
pub(crate) struct Claim {
    lock: PathBuf,
    file: Option<File>,
}

impl Claim {
    /// Claims `path` (the file about to be written).
    pub(crate) fn new(path: &Path) -> std::io::Result<Claim> {
        let lock = lock_of(path);
        let file = std::fs::OpenOptions::new().create(true).write(true).truncate(false).open(&lock)?;
        file.lock()?;
        Ok(Claim { lock, file: Some(file) })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Closed first (a file open elsewhere cannot be removed on Windows), then removed.
        drop(self.file.take());
        let _ = std::fs::remove_file(&self.lock);
    }
}

fn lock_of(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.verrou", path.display()))
}

/// Whether a running writer holds `path`'s claim.
fn claimed(path: &Path) -> bool {
    let Ok(file) = std::fs::OpenOptions::new().write(true).open(lock_of(path)) else { return false };
    matches!(crate::platform::try_lock_exclusive(&file), Ok(false))
}

/// The list of files being written on sticks, next to the database at `db`.
pub(crate) fn journal_of(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.en-cours", db.display()))
}

/// The lines of the list, each a file's absolute path.
fn entries(journal: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(journal)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty() && !l.chars().any(char::is_control))
        .map(PathBuf::from)
        .collect()
}

/// Writes the list anew (through a temporary file renamed over it), or removes it when empty.
fn rewrite(journal: &Path, kept: &[PathBuf]) -> std::io::Result<()> {
    if kept.is_empty() {
        return match std::fs::remove_file(journal) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let temporary = PathBuf::from(format!("{}.tmp", journal.display()));
    let mut file = File::create(&temporary)?;
    for path in kept {
        writeln!(file, "{}", path.display())?;
    }
    file.sync_all()?;
    std::fs::rename(&temporary, journal)
}

/// Notes `partial` (a file about to be written on a stick) in the list.
pub(crate) fn note(journal: &Path, partial: &Path) -> std::io::Result<()> {
    let partial = std::path::absolute(partial)?;
    if partial.to_string_lossy().chars().any(char::is_control) {
        // Not a name the list can hold; its claim still protects it while it is written.
        return Ok(());
    }
    let _one = JOURNAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut kept = entries(journal);
    kept.push(partial);
    rewrite(journal, &kept)
}

/// Takes `partial` off the list (it was renamed, or removed).
pub(crate) fn done(journal: &Path, partial: &Path) {
    let Ok(partial) = std::path::absolute(partial) else { return };
    let _one = JOURNAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let kept: Vec<PathBuf> = entries(journal).into_iter().filter(|p| *p != partial).collect();
    let _ = rewrite(journal, &kept);
}

/// Whether `name` is a plain copy's file (or one of its sides), and its base name.
fn copy_base(name: &str) -> Option<&str> {
    let rest = COPIES.iter().find_map(|prefix| name.strip_prefix(prefix))?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let side = rest[digits..].strip_prefix(".sqlite")?;
    let known = SIDES.contains(&side) || side.starts_with(".avant-migration-schema-");
    (digits > 0 && known).then(|| &name[..name.len() - side.len()])
}

/// Removes, in the folder of the database at `db`, the plain copies no running writer claims,
/// and the `.partial` files on sticks that the list says were left unfinished (those on a stick
/// not plugged in stay on the list for the next start). Returns what was removed.
pub fn clean(db: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(found) = std::fs::read_dir(dir) {
        for entry in found.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(base) = copy_base(&name) else { continue };
            if !claimed(&dir.join(base)) && std::fs::remove_file(entry.path()).is_ok() {
                removed.push(entry.path());
            }
        }
    }
    let journal = journal_of(db);
    let _one = JOURNAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut kept = Vec::new();
    for partial in entries(&journal) {
        // Only what this program writes: a stick's `.partial`, never anything else a list
        // edited by hand could name.
        if partial.extension().is_none_or(|e| e != "partial") {
            continue;
        }
        if claimed(&partial) {
            kept.push(partial);
            continue;
        }
        match std::fs::remove_file(&partial) {
            Ok(()) => {
                let _ = std::fs::remove_file(lock_of(&partial));
                removed.push(partial);
            }
            // Gone already, with its stick still there: nothing left to do.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && partial.parent().is_some_and(Path::exists) => {}
            // The stick is not plugged in: next time.
            Err(_) => kept.push(partial),
        }
    }
    let _ = rewrite(&journal, &kept);
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclaimed_copies_and_noted_partials_go_the_rest_stays() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = dir.path().join("daftar.sqlite");
        let write = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, b"x").unwrap_or_else(|e| panic!("{e}"));
            path
        };
        let dead = write(".copie-4000000.sqlite");
        let dead_wal = write(".restauration-4000000.sqlite-wal");
        let dead_migration = write(".restauration-4000000.sqlite.avant-migration-schema-14");
        let working = write(".copie-4000001.sqlite");
        let claim = Claim::new(&working).unwrap_or_else(|e| panic!("{e}"));
        let kept = write("daftar.sqlite.avant-migration-schema-8");
        let lookalike = write(".copie-de-travail.sqlite");
        let stick = dir.path().join("cle");
        std::fs::create_dir_all(&stick).unwrap_or_else(|e| panic!("{e}"));
        let partial = stick.join("BL-TIZNIT-000004.daftar.partial");
        std::fs::write(&partial, b"x").unwrap_or_else(|e| panic!("{e}"));
        let writing = stick.join("BL-TIZNIT-000006.daftar.partial");
        std::fs::write(&writing, b"x").unwrap_or_else(|e| panic!("{e}"));
        let writing_claim = Claim::new(&writing).unwrap_or_else(|e| panic!("{e}"));
        let absent = dir.path().join("cle-retiree").join("BL-TIZNIT-000005.daftar.partial");
        let journal = journal_of(&db);
        for noted in [&partial, &absent, &writing] {
            note(&journal, noted).unwrap_or_else(|e| panic!("{e}"));
        }
        let removed = clean(&db);
        for gone in [&dead, &dead_wal, &dead_migration, &partial] {
            assert!(removed.contains(gone) && !gone.exists(), "{gone:?} in {removed:?}");
        }
        // What a running writer claims, and what is not ours, stays.
        for stays in [&working, &kept, &lookalike, &writing] {
            assert!(stays.exists(), "{stays:?}");
        }
        // The stick that is not plugged in, and the file being written, stay on the list.
        assert_eq!(entries(&journal), vec![absent.clone(), writing.clone()]);
        drop((claim, writing_claim));
        assert!(!lock_of(&working).exists(), "a claim leaves no lock file behind");
    }
}
