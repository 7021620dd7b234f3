//! What a kill or a power cut can leave behind, removed at the next start: plain copies of the
//! database made for an operation (a backup's `.copie-PID.sqlite`, a restore's
//! `.restauration-PID.sqlite`, their journals and `.partial` files — they hold every CIN, and
//! retention promises to erase), and the `.partial` files an export or a backup was writing on a
//! stick (noted, before they are written, in a list next to the database).

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The prefixes of the plain copies made next to the database.
const COPIES: [&str; 2] = [".copie-", ".restauration-"];

/// The list of files being written on sticks, next to the database at `db`.
pub(crate) fn journal_of(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.en-cours", db.display()))
}

/// Notes `partial` in the list before it is written.
pub(crate) fn note(journal: &Path, partial: &Path) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(journal)?;
    writeln!(file, "{}", partial.display())?;
    file.sync_all()
}

/// Takes `partial` off the list once it is renamed (or removed).
pub(crate) fn done(journal: &Path, partial: &Path) {
    let Ok(text) = std::fs::read_to_string(journal) else { return };
    let kept: Vec<&str> = text.lines().filter(|l| Path::new(l) != partial).collect();
    let _ =
        if kept.is_empty() { std::fs::remove_file(journal) } else { std::fs::write(journal, kept.join("\n") + "\n") };
}

/// Whether the process `pid` still runs (a copy of the program beside this one, the command
/// line beside the window). Where that cannot be known, it is taken as ended.
fn running(pid: u32) -> bool {
    pid == std::process::id() || (cfg!(target_os = "linux") && Path::new("/proc").join(pid.to_string()).exists())
}

/// Removes, in the folder of the database at `db`, the plain copies no running process is
/// making, and the `.partial` files on sticks that the list says were left unfinished (those on
/// a stick not plugged in stay on the list for the next start). Returns what was removed.
pub fn clean(db: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = COPIES.iter().find_map(|prefix| name.strip_prefix(prefix)) else { continue };
            let pid = rest.split('.').next().and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|pid| !running(pid)) && std::fs::remove_file(entry.path()).is_ok() {
                removed.push(entry.path());
            }
        }
    }
    let journal = journal_of(db);
    if let Ok(text) = std::fs::read_to_string(&journal) {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let partial = Path::new(line);
            // Only what this program writes: a stick's `.partial`, never anything else a list
            // edited by hand could name.
            if !line.ends_with(".partial") {
                done(&journal, partial);
                continue;
            }
            match std::fs::remove_file(partial) {
                Ok(()) => {
                    removed.push(partial.to_path_buf());
                    done(&journal, partial);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && partial.parent().is_some_and(Path::exists) => {
                    done(&journal, partial);
                }
                Err(_) => {}
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_of_ended_processes_and_noted_partials_go_the_rest_stays() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = dir.path().join("daftar.sqlite");
        let write = |name: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, b"x").unwrap_or_else(|e| panic!("{e}"));
            path
        };
        let dead = write(".copie-4000000.sqlite");
        let dead_wal = write(".restauration-4000000.sqlite-wal");
        let mine = write(&format!(".copie-{}.sqlite", std::process::id()));
        let kept = write("daftar.sqlite.avant-migration-schema-8");
        let stick = dir.path().join("cle");
        std::fs::create_dir_all(&stick).unwrap_or_else(|e| panic!("{e}"));
        let partial = stick.join("BL-TIZNIT-000004.daftar.partial");
        std::fs::write(&partial, b"x").unwrap_or_else(|e| panic!("{e}"));
        let absent = dir.path().join("cle-retiree").join("BL-TIZNIT-000005.daftar.partial");
        let journal = journal_of(&db);
        note(&journal, &partial).unwrap_or_else(|e| panic!("{e}"));
        note(&journal, &absent).unwrap_or_else(|e| panic!("{e}"));
        let removed = clean(&db);
        assert!(removed.contains(&dead) && removed.contains(&dead_wal) && removed.contains(&partial), "{removed:?}");
        assert!(mine.exists() && kept.exists());
        // The stick that is not plugged in stays on the list.
        let left = std::fs::read_to_string(&journal).unwrap_or_default();
        assert_eq!(left.trim(), absent.display().to_string());
    }
}
