//! The documents the window writes, handed to the system: opened in its PDF viewer (where the
//! clerk prints), their folder opened, or saved elsewhere. The system opens them through
//! [`crate::platform`]; tests put a recorder in its place.

use std::path::{Path, PathBuf};

pub use crate::platform::Opening;

/// How the window hands a file or a folder to the system.
pub enum Viewer {
    /// The system's own viewer and file manager.
    System,
    /// Nothing opens: the paths asked for are kept (tests, and machines without a desktop).
    Recorder(Vec<PathBuf>),
}

impl Viewer {
    /// Opens `path` (a document, or a folder) with what the system uses for it.
    pub fn open(&mut self, path: &Path) -> Opening {
        match self {
            Viewer::System => crate::platform::open_with_system(path),
            Viewer::Recorder(opened) => {
                opened.push(path.to_path_buf());
                Opening { refused: None, later: None }
            }
        }
    }
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
