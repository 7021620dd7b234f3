//! Long work the core does for the window (a stick imported or written, a spreadsheet read, a
//! backup restored, a batch of documents printed): one at a time, its stage and count shown in a bar under every screen, its
//! start refused while it runs, and the screens told that their lists wait for its end.

use eframe::egui::{self, RichText, Ui};

use super::backend::{Reply, Request};
use super::theme;
use crate::app::{AppError, Document, Progress};

/// A kind of long work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Bundles read from a stick.
    Import,
    /// A bundle, a reply or a resync request written onto a stick.
    Export,
    /// A spreadsheet imported.
    Spreadsheet,
    /// A backup restored over the database.
    Restore,
    /// The documents of several dossiers printed as one PDF.
    Batch,
}

impl Work {
    /// The long work `request` starts, if it starts one.
    #[must_use]
    pub fn started_by(request: &Request) -> Option<Work> {
        match request {
            Request::ImportBundles(_) => Some(Work::Import),
            Request::ExportBundle(_) | Request::ExportReply { .. } | Request::RequestResync(_) => Some(Work::Export),
            Request::ImportCsv { .. } => Some(Work::Spreadsheet),
            Request::Restore { .. } => Some(Work::Restore),
            Request::Print(Document::Receipts(_) | Document::DecisionNotices(_)) | Request::IssueCertificates(_) => {
                Some(Work::Batch)
            }
            _ => None,
        }
    }

    /// The reply that tells the screen which asked that this work was refused (another runs),
    /// so that it shows `why` where it shows its answers and stops waiting.
    #[must_use]
    pub fn refused(self, why: String) -> Reply {
        let error = AppError::Rule(why);
        match self {
            Work::Import | Work::Export => Reply::SyncDone(vec![Err(error)]),
            Work::Spreadsheet => Reply::CsvImported(Err(error)),
            Work::Restore => Reply::Restored(Err(error)),
            Work::Batch => Reply::DocumentWritten(Err(error)),
        }
    }

    /// What it is, for the bar: « Import des paquets ».
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Work::Import => "Import des paquets",
            Work::Export => "Écriture sur la clé USB",
            Work::Spreadsheet => "Import du tableur",
            Work::Restore => "Restauration de la sauvegarde",
            Work::Batch => "Impression groupée",
        }
    }

    /// What the screens say instead of lists and figures that are about to change.
    #[must_use]
    pub fn waiting_line(self) -> &'static str {
        match self {
            Work::Import => "Import en cours : les listes et les chiffres seront à jour à la fin.",
            Work::Export => "Écriture sur la clé en cours : ne retirez pas la clé.",
            Work::Spreadsheet => "Import du tableur en cours : les listes seront à jour à la fin.",
            Work::Restore => "Restauration en cours.",
            Work::Batch => "Impression groupée en cours : le document s'ouvrira à la fin.",
        }
    }
}

/// The long work under way and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Running {
    /// What it is.
    pub work: Work,
    /// Its latest stage (none yet: waiting for the core).
    pub progress: Option<Progress>,
}

/// The bar shown under every screen while long work runs (and while the integrity check does).
pub fn bar(ui: &mut Ui, running: Option<&Running>, checking: bool) {
    if let Some(running) = running {
        ui.horizontal(|ui| {
            ui.label(RichText::new(running.work.title()).strong().color(theme::ACCENT));
            let stage = running.progress.as_ref().map_or_else(|| "démarrage…".to_owned(), Progress::line);
            // No animation: the core's reports wake the window at each step.
            if let Some(fraction) = running.progress.as_ref().and_then(Progress::fraction) {
                ui.add(egui::ProgressBar::new(fraction).show_percentage().desired_width(220.0));
            }
            ui.add(egui::Label::new(stage).wrap());
        });
    }
    if checking {
        ui.horizontal(|ui| {
            ui.label("Vérification de l'intégrité de la base en cours (les écrans restent utilisables).");
        });
    }
}
