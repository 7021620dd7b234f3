//! What differs from one operating system to another, in one place, through portable crates:
//! where the data lives (`directories`), how a document is opened in the system's viewer
//! (`xdg-open` on Linux, watched; `opener` elsewhere), and the lock that keeps one writer per
//! database (the standard library's `File::try_lock`). Only Linux is built and tested on the
//! project's machines; `docs/windows.md` says what to check on Windows.

use std::path::{Path, PathBuf};

/// The user's data folder for Daftar (Linux: `~/.local/share/daftar`; Windows:
/// `%APPDATA%\HCAR\Daftar\data`), or the current folder when the system has none.
pub fn data_folder() -> PathBuf {
    directories::ProjectDirs::from("ma", "HCAR", "Daftar")
        .map_or_else(|| PathBuf::from("."), |dirs| dirs.data_dir().to_path_buf())
}

/// Takes the exclusive lock of `file` if no other process holds it: `Ok(false)` when one does.
pub fn try_lock_exclusive(file: &std::fs::File) -> std::io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// A file handed to the system: what it answered at once, and on Linux a later answer (the
/// desktop's opener says only after a moment that no program takes the file).
pub struct Opening {
    /// Why it could not be handed over at all.
    pub refused: Option<String>,
    /// Why the program that took it failed, if it does, a moment later.
    pub later: Option<std::sync::mpsc::Receiver<String>>,
}

/// Linux: `xdg-open`, watched for a few seconds (it exits at once, non-zero, when no program
/// takes the file; a viewer it starts keeps running).
#[cfg(target_os = "linux")]
pub fn open_with_system(path: &Path) -> Opening {
    let child = std::process::Command::new("xdg-open")
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "aucun programme d'ouverture des documents (xdg-open) n'est installé sur ce poste".to_owned()
            } else {
                format!("xdg-open : {}", crate::app::io_message(&e))
            };
            return Opening { refused: Some(why), later: None };
        }
    };
    let (tell, later) = std::sync::mpsc::channel();
    let watched = std::thread::Builder::new().name("daftar-visionneuse".into()).spawn(move || {
        for _ in 0..50 {
            match child.try_wait() {
                Ok(Some(status)) if !status.success() => {
                    let _ =
                        tell.send(format!("aucun programme n'ouvre ce fichier, code {}", status.code().unwrap_or(-1)));
                    return;
                }
                Ok(Some(_)) | Err(_) => return,
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(100)),
            }
        }
        // A viewer still running after five seconds took the file; reaped when it closes.
        let _ = child.wait();
    });
    Opening { refused: None, later: watched.is_ok().then_some(later) }
}

/// Elsewhere the system answers at once (`opener`: the shell on Windows, `open` on macOS).
#[cfg(not(target_os = "linux"))]
pub fn open_with_system(path: &Path) -> Opening {
    Opening { refused: opener::open(path).err().map(|e| e.to_string()), later: None }
}
