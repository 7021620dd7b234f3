//! Synchronisation: where things stand with the delegation and the supervised sites, writing the
//! bundle (or a reply) onto a USB stick, reading bundles, and the conflict queue.

use std::path::PathBuf;

use eframe::egui::{self, RichText, Ui};

use super::backend::{Reply, Request, SessionInfo};
use super::theme;
use super::widgets::{self, Message};
use crate::app::{AppError, SyncStatus};
use crate::domain::role::{Action, permits};

/// The screen's state.
#[derive(Debug, Default)]
pub struct SyncState {
    /// Where things stand, once received.
    pub status: Option<SyncStatus>,
    /// The folder to write to (the stick).
    pub export_dir: String,
    /// What to read: files or folders, one per line.
    pub import_paths: String,
    /// What the last action did, one line per file.
    pub results: Vec<Message>,
    /// Notes typed to resolve conflicts, by conflict number.
    pub notes: std::collections::HashMap<i64, String>,
    /// Long work runs: writing and reading wait for its end.
    pub busy: bool,
}

impl SyncState {
    /// Shows what a sync action did.
    pub fn done(&mut self, results: Vec<Result<String, AppError>>) {
        self.results = results
            .into_iter()
            .map(|r| match r {
                Ok(text) => Message::ok(text),
                Err(e) => Message::error(e.to_string()),
            })
            .collect();
    }
}

/// `2026-11-29T04:03:12Z` as `29/11/2026 à 04:03 UTC`.
fn when(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| t.format("%d/%m/%Y à %H:%M UTC").to_string())
        .unwrap_or_else(|_| stamp.to_owned())
}

/// The screen.
#[must_use]
pub fn sync_ui(ui: &mut Ui, state: &mut SyncState, session: &SessionInfo) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.horizontal(|ui| {
        ui.heading("Synchronisation");
        if ui.button("Actualiser l'état").clicked() {
            requests.push(Request::SyncStatus);
        }
    });
    for message in &state.results {
        widgets::message(ui, message);
    }
    let Some(status) = &state.status else {
        ui.spinner();
        return requests;
    };
    let may_sync = permits(session.role, Action::Synchronize, &session.site).is_ok();
    ui.label(RichText::new("État").strong());
    match &status.parent {
        Some(parent) => {
            ui.label(format!("Délégation : {parent}"));
            ui.label(format!(
                "Modifications non acquittées par la délégation : {}",
                crate::domain::money::group_thousands_fr(status.unacknowledged)
            ));
            let sent =
                status.last_sent.as_ref().map_or("jamais".to_owned(), |(at, file)| format!("{} ({file})", when(at)));
            ui.label(format!("Dernier envoi : {sent}"));
            let reply = status.last_reply.as_ref().map_or("aucune".to_owned(), |at| when(at));
            ui.label(format!("Dernière réponse lue : {reply}"));
        }
        None => {
            ui.label("Aucune délégation n'est liée à ce site : enrôlez-la avec son fichier d'identité et son empreinte (Paramètres, « Liaison avec la délégation et les sites ») pour lui envoyer des paquets.");
        }
    }
    for (code, watermark, at) in &status.children {
        let at = at.as_deref().map(|a| format!(", dernier paquet le {}", when(a))).unwrap_or_default();
        ui.label(format!("Site supervisé {code} : modifications reçues jusqu'au n° {watermark}{at}"));
    }
    for (sender, n) in &status.waiting {
        ui.colored_label(theme::WARNING, format!("{n} paquet(s) de {sender} en attente d'un paquet manquant"));
    }
    if !may_sync {
        ui.label(
            RichText::new("Exporter et importer des paquets demande un compte qui détient les clés du site.").weak(),
        );
        return requests;
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Envoyer").strong());
    ui.horizontal(|ui| {
        widgets::field(ui, "Dossier de la clé USB", &mut state.export_dir, None);
        if ui.button("Choisir le dossier…").clicked()
            && let Some(dir) = rfd::FileDialog::new().set_title("Clé USB").pick_folder()
        {
            state.export_dir = dir.display().to_string();
        }
    });
    let dir = PathBuf::from(state.export_dir.trim());
    ui.horizontal_wrapped(|ui| {
        let ready = !state.export_dir.trim().is_empty() && !state.busy;
        if status.parent.is_some() && ui.add_enabled(ready, egui::Button::new("Exporter le paquet")).clicked() {
            requests.push(Request::ExportBundle(dir.clone()));
        }
        if status.parent.is_some()
            && ui
                .add_enabled(ready, egui::Button::new("Demander une resynchronisation"))
                .on_hover_text(
                    "Après une restauration ou sur un nouveau PC : la délégation renverra les données du site.",
                )
                .clicked()
        {
            requests.push(Request::RequestResync(dir.clone()));
        }
        for (code, _, _) in &status.children {
            if ui.add_enabled(ready, egui::Button::new(format!("Écrire la réponse pour {code}"))).clicked() {
                requests.push(Request::ExportReply { office: code.clone(), dir: dir.clone() });
            }
        }
    });
    ui.add_space(8.0);
    ui.label(RichText::new("Recevoir").strong());
    ui.horizontal(|ui| {
        widgets::field(ui, "Fichiers ou dossier à importer", &mut state.import_paths, None);
        if ui.button("Choisir des paquets…").clicked()
            && let Some(files) = rfd::FileDialog::new().add_filter("Paquets Daftar", &["daftar"]).pick_files()
        {
            state.import_paths = files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(" ; ");
        }
    });
    if ui.add_enabled(!state.import_paths.trim().is_empty() && !state.busy, egui::Button::new("Importer")).clicked() {
        let paths = state.import_paths.split(';').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect();
        requests.push(Request::ImportBundles(paths));
    }
    if !status.revoked.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new("Clés révoquées").strong());
        for r in &status.revoked {
            let by = r.by.as_ref().map(|b| format!(" par {b}")).unwrap_or_default();
            ui.colored_label(theme::ERROR, format!("{}{by} le {} : {}", r.site, when(&r.at), r.reason));
        }
    }
    if status.conflicts.total > 0 {
        ui.add_space(8.0);
        ui.label(RichText::new(format!("Conflits à examiner ({})", status.conflicts.total)).strong());
        for c in &status.conflict_counts {
            ui.label(format!("{} — {} : {}", c.sender, c.table, c.count));
        }
        if status.conflicts.total > status.conflicts.items.len() {
            ui.label(
                RichText::new(format!(
                    "Les {} plus anciens ci-dessous ; les suivants apparaissent quand ceux-ci sont résolus.",
                    status.conflicts.items.len()
                ))
                .weak(),
            );
        }
        for c in &status.conflicts.items {
            ui.colored_label(
                theme::ERROR,
                format!(
                    "N° {} — {} — {} {} (propriétaire {}) : {}",
                    c.id, c.sender, c.table, c.row_id, c.owner, c.reason
                ),
            );
            ui.horizontal(|ui| {
                ui.add_space(24.0);
                let note = state.notes.entry(c.id).or_default();
                let label = ui.label(format!("Note du conflit {}", c.id));
                ui.add(egui::TextEdit::singleline(note).desired_width(240.0)).labelled_by(label.id);
                for (apply, verb) in [(true, "Appliquer"), (false, "Écarter")] {
                    if ui.button(format!("{verb} le conflit {}", c.id)).clicked() {
                        requests.push(Request::ResolveConflict { id: c.id, apply, note: note.clone() });
                    }
                }
            });
        }
    }
    requests
}

impl super::OwnReplies for SyncState {
    fn takes(reply: &Reply) -> bool {
        matches!(reply, Reply::SyncStatus(_) | Reply::SyncDone(_))
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        match reply {
            Reply::SyncStatus(Ok(status)) => {
                self.status = Some(status);
                vec![]
            }
            Reply::SyncStatus(Err(e)) => {
                self.results = vec![Message::error(e.to_string())];
                vec![]
            }
            Reply::SyncDone(results) => {
                self.done(results);
                vec![Request::SyncStatus, Request::Dashboard]
            }
            _ => vec![],
        }
    }
}
