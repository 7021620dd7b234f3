//! The documents the window writes, handed to the system: opened in its PDF viewer (where the
//! clerk prints), their folder opened, or saved elsewhere. The only place the window asks the
//! operating system to open something (`xdg-open` on Linux, the `opener` crate elsewhere); tests
//! put a recorder in its place.

use std::path::{Path, PathBuf};

/// How the window hands a file or a folder to the system.
pub enum Viewer {
    /// The system's own viewer and file manager.
    System,
    /// Nothing opens: the paths asked for are kept (tests, and machines without a desktop).
    Recorder(Vec<PathBuf>),
}

/// A file handed to the system: what it answered at once, and on Linux a later answer (the
/// desktop's opener says only after a moment that no program takes the file).
pub struct Opening {
    /// Why it could not be handed over at all.
    pub refused: Option<String>,
    /// Why the program that took it failed, if it does, a moment later.
    pub later: Option<std::sync::mpsc::Receiver<String>>,
}

impl Viewer {
    /// Opens `path` (a document, or a folder) with what the system uses for it.
    pub fn open(&mut self, path: &Path) -> Opening {
        match self {
            Viewer::System => open_with_system(path),
            Viewer::Recorder(opened) => {
                opened.push(path.to_path_buf());
                Opening { refused: None, later: None }
            }
        }
    }
}

/// Linux: `xdg-open`, watched for a few seconds (it exits at once, non-zero, when no program
/// takes the file; a viewer it starts keeps running).
#[cfg(target_os = "linux")]
fn open_with_system(path: &Path) -> Opening {
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
fn open_with_system(path: &Path) -> Opening {
    Opening { refused: opener::open(path).err().map(|e| e.to_string()), later: None }
}

/// A document just written, as the window shows it: where it is, and whether a viewer took it.
#[derive(Debug, Clone)]
pub struct WrittenDocument {
    /// The file.
    pub path: PathBuf,
    /// Why no viewer opened it, when none did.
    pub not_opened: Option<String>,
    /// « Enregistrer sous… » was clicked: where to copy it, as typed.
    pub save_as: Option<String>,
}

impl WrittenDocument {
    /// The line shown under the screen's title.
    pub fn line(&self) -> String {
        match &self.not_opened {
            None => format!("Document ouvert pour l'impression : {}", self.path.display()),
            Some(why) => format!(
                "Aucune visionneuse de PDF n'a pu l'ouvrir ({why}) : le document est enregistré dans {} — ouvrez le dossier pour l'imprimer.",
                self.path.display()
            ),
        }
    }
}

/// Asks the system's save dialog where to copy `document` (« Choisir… »); `None` when the choice
/// was cancelled.
pub fn choose_copy_target(document: &Path) -> Option<PathBuf> {
    let name = document.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    rfd::FileDialog::new().set_file_name(&name).add_filter("PDF", &["pdf"]).save_file()
}
