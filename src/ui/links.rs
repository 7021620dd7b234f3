//! The links between sites, from Paramètres: this site's identity file and fingerprint (to read
//! aloud or copy on the paper form), the enrollment of a delegation or of a supervised site with
//! the fingerprint typed and compared, the revocation of a site's key, and the change of this
//! site's keys. Nothing here needs the command line.

use eframe::egui::{self, RichText, Ui};

use super::backend::Request;
use super::widgets::{self, Message};
use crate::app::{Peer, Relation};

/// The section's state.
#[derive(Debug, Default)]
pub struct LinksState {
    /// This site's fingerprint (when the account holds the keys) and the sites enrolled here.
    pub links: Option<(Option<String>, Vec<Peer>)>,
    /// The folder (a stick) the identity file goes to, as typed or chosen.
    pub export_dir: String,
    /// The identity file of the site to enroll, as typed or chosen.
    pub file: String,
    /// Its fingerprint as read on the paper form.
    pub fingerprint: String,
    /// Reasons typed to revoke a site, by code.
    pub reasons: std::collections::HashMap<String, String>,
    /// The password typed again to change the keys (not kept after the request).
    pub password: String,
    /// What the last action did.
    pub message: Option<Message>,
}

/// A fingerprint in groups of four, as it is read aloud and copied.
fn groups(fingerprint: &str) -> String {
    fingerprint.replace('-', "  ")
}

/// The section (for whoever may enroll sites).
pub fn links_ui(ui: &mut Ui, state: &mut LinksState) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Liaison avec la délégation et les sites").strong());
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    let Some((own, peers)) = &state.links else {
        ui.label("Lecture…");
        return requests;
    };
    match own {
        Some(fingerprint) => {
            ui.label("Empreinte de ce site (à lire à voix haute ou à recopier sur le formulaire d'enrôlement) :");
            ui.label(RichText::new(groups(fingerprint)).monospace().size(22.0));
        }
        None => {
            ui.label("Ce compte ne détient pas les clés du site : connectez-vous en administrateur pour l'identité.");
        }
    }
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Dossier où écrire le fichier d'identité (la clé USB)");
        ui.add(egui::TextEdit::singleline(&mut state.export_dir).desired_width(240.0)).labelled_by(label.id);
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button("Choisir le dossier…").clicked()
            && let Some(dir) = rfd::FileDialog::new().pick_folder()
        {
            state.export_dir = dir.display().to_string();
        }
        if ui.button("Exporter le fichier d'identité").clicked() {
            if state.export_dir.trim().is_empty() {
                state.message = Some(Message::error("Choisissez d'abord le dossier (la clé USB)."));
            } else {
                requests.push(Request::ExportIdentity(state.export_dir.trim().into()));
            }
        }
    });
    ui.add_space(6.0);
    ui.label(RichText::new("Enrôler un site (sa délégation, ou un site qu'il supervise)").strong());
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Fichier d'identité du site");
        ui.add(egui::TextEdit::singleline(&mut state.file).desired_width(260.0)).labelled_by(label.id);
        if ui.button("Choisir le fichier…").clicked()
            && let Some(file) = rfd::FileDialog::new().add_filter("Identité Daftar", &["json"]).pick_file()
        {
            state.file = file.display().to_string();
        }
    });
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Empreinte lue sur son formulaire");
        ui.add(
            egui::TextEdit::singleline(&mut state.fingerprint)
                .hint_text("xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx")
                .desired_width(340.0),
        )
        .labelled_by(label.id);
        if ui.button("Enrôler").clicked() {
            if state.file.trim().is_empty() || state.fingerprint.trim().is_empty() {
                state.message = Some(Message::error(
                    "Indiquez le fichier d'identité du site et l'empreinte lue sur son formulaire.",
                ));
            } else {
                requests.push(Request::Enroll {
                    file: state.file.trim().into(),
                    fingerprint: state.fingerprint.trim().to_owned(),
                });
            }
        }
    });
    ui.add_space(6.0);
    ui.label(RichText::new("Sites enrôlés").strong());
    if peers.is_empty() {
        ui.label(RichText::new("Aucun : ce site n'est lié à aucun autre.").weak());
    }
    for peer in peers {
        let relation = match peer.relation {
            Relation::Parent => "délégation de rattachement",
            Relation::Child => "site supervisé",
            Relation::Known => "site connu par sa délégation",
        };
        let state_line = match &peer.revoked {
            Some((at, why)) => format!("clé révoquée le {} — {why}", at.get(..10).unwrap_or(at)),
            None => format!("empreinte {}", peer.keys.fingerprint()),
        };
        ui.add(egui::Label::new(format!("{} — {} ({relation}) : {state_line}", peer.code, peer.name)).wrap());
        if peer.revoked.is_none() && peer.relation == Relation::Child {
            ui.horizontal_wrapped(|ui| {
                let reason = state.reasons.entry(peer.code.clone()).or_default();
                let label = ui.label(format!("Motif de révocation de {}", peer.code));
                ui.add(egui::TextEdit::singleline(reason).desired_width(240.0)).labelled_by(label.id);
                if ui.button(format!("Révoquer la clé de {}", peer.code)).clicked() {
                    requests.push(Request::RevokeSite { code: peer.code.clone(), reason: reason.trim().to_owned() });
                }
            });
        }
    }
    if own.is_some() {
        ui.add_space(6.0);
        ui.label(RichText::new("Changer les clés de ce site (fuite suspectée, départ d'un détenteur)").strong());
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Votre mot de passe");
            ui.add(egui::TextEdit::singleline(&mut state.password).password(true).desired_width(180.0))
                .labelled_by(label.id);
            if ui.button("Changer les clés").clicked() {
                requests.push(Request::RotateKeys(std::mem::take(&mut state.password)));
            }
        });
    }
    ui.add_space(16.0);
    requests
}
