//! The documents the window writes, handed to the system: opened in its PDF viewer (where the
//! clerk prints), their folder opened, or saved elsewhere. The only place the window asks the
//! operating system to open something (through the portable `opener` crate); tests put a
//! recorder in its place.

use std::path::{Path, PathBuf};

/// How the window hands a file or a folder to the system.
pub enum Viewer {
    /// The system's own viewer and file manager.
    System,
    /// Nothing opens: the paths asked for are kept (tests, and machines without a desktop).
    Recorder(Vec<PathBuf>),
}

impl Viewer {
    /// Opens `path` (a document, or a folder) with what the system uses for it.
    pub fn open(&mut self, path: &Path) -> Result<(), String> {
        match self {
            Viewer::System => opener::open(path).map_err(|e| e.to_string()),
            Viewer::Recorder(opened) => {
                opened.push(path.to_path_buf());
                Ok(())
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

/// Saves a copy of `document` where the user chooses (« Enregistrer sous… »); `None` when the
/// choice was cancelled.
pub fn save_copy_as(document: &Path) -> Option<Result<PathBuf, String>> {
    let name = document.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let target = rfd::FileDialog::new().set_file_name(&name).add_filter("PDF", &["pdf"]).save_file()?;
    Some(crate::app::copy_document(document, &target).map_err(|e| e.to_string()))
}
