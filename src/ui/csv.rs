//! Importing a spreadsheet from the window — an Excel workbook (.xlsx) as it is, or a file saved
//! as CSV: the kind of rows, the file (typed or chosen) and, of a workbook, the sheet; then every
//! problem listed by line and column — nothing is written unless all is right.

use eframe::egui::{self, RichText, Ui};

use super::backend::Request;
use super::widgets::{self, Message};
use crate::app::AppError;
use crate::app::csv_import::CsvTarget;

/// The import panel's state.
#[derive(Debug)]
pub struct CsvImportState {
    /// What the file holds.
    pub target: CsvTarget,
    /// The file, as typed or chosen.
    pub file: String,
    /// Of a workbook, the sheet to read (empty: the first).
    pub sheet: String,
    /// The import was sent and its answer is awaited.
    pub running: bool,
    /// What the last import did.
    pub message: Option<Message>,
    /// The problems of a refused file, one per line of the file.
    pub problems: Vec<String>,
}

impl Default for CsvImportState {
    fn default() -> Self {
        CsvImportState {
            target: CsvTarget::Applicants,
            file: String::new(),
            sheet: String::new(),
            running: false,
            message: None,
            problems: Vec::new(),
        }
    }
}

impl CsvImportState {
    /// Shows what the import did.
    pub fn done(&mut self, result: Result<usize, AppError>) {
        self.running = false;
        self.problems.clear();
        self.message = Some(match result {
            Ok(count) => Message::ok(format!("{count} ligne(s) importée(s) depuis {}.", self.file.trim())),
            Err(AppError::CsvRejected(problems)) => {
                self.problems = problems;
                Message::error(
                    "Fichier refusé, rien n'a été importé. Corrigez ces lignes dans le tableur, puis recommencez :",
                )
            }
            Err(e) => Message::error(e.to_string()),
        });
    }
}

/// The panel; returns its requests and whether it was closed.
pub fn csv_import_ui(ui: &mut Ui, state: &mut CsvImportState) -> (Vec<Request>, bool) {
    let mut requests = Vec::new();
    let mut closed = false;
    ui.horizontal(|ui| {
        ui.heading("Importer un tableur (Excel ou CSV)");
        if ui.button("Fermer l'import").clicked() {
            closed = true;
        }
    });
    ui.label(
        RichText::new(
            "Un classeur Excel (.xlsx) tel quel — sa première feuille, ou celle que vous nommez — ou un fichier CSV (séparateur point-virgule ou virgule, UTF-8). La première ligne donne le nom des colonnes. Tout le fichier est importé, ou rien.",
        )
        .weak(),
    );
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Le fichier contient");
        egui::ComboBox::from_id_salt("import-type")
            .selected_text(state.target.label_fr())
            .show_ui(ui, |ui| {
                for target in CsvTarget::ALL {
                    ui.selectable_value(&mut state.target, target, target.label_fr());
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.add(egui::Label::new(RichText::new(format!("Colonnes : {}.", state.target.columns_fr())).weak()).wrap());
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Fichier (Excel ou CSV)");
        ui.add(egui::TextEdit::singleline(&mut state.file).desired_width(320.0)).labelled_by(label.id);
        if ui.button("Choisir le fichier…").clicked()
            && let Some(file) =
                rfd::FileDialog::new().add_filter("Tableur (Excel, CSV)", &["xlsx", "csv", "txt"]).pick_file()
        {
            state.file = file.display().to_string();
        }
    });
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Feuille du classeur");
        ui.add(egui::TextEdit::singleline(&mut state.sheet).hint_text("la première").desired_width(160.0))
            .labelled_by(label.id);
        let start = ui.add_enabled(!state.running, egui::Button::new("Importer le fichier"));
        if start.clicked() {
            if state.file.trim().is_empty() {
                state.message = Some(Message::error("Indiquez le fichier à importer."));
            } else {
                state.running = true;
                state.message = Some(Message::warning("Import en cours…"));
                state.problems.clear();
                let sheet = Some(state.sheet.trim().to_owned()).filter(|s| !s.is_empty());
                requests.push(Request::ImportCsv { target: state.target, file: state.file.trim().into(), sheet });
            }
        }
    });
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    if !state.problems.is_empty() {
        egui::ScrollArea::vertical().id_salt("problemes-import").max_height(320.0).show(ui, |ui| {
            for problem in &state.problems {
                ui.add(egui::Label::new(RichText::new(problem).color(super::theme::ERROR)).wrap());
            }
        });
    }
    (requests, closed)
}
