//! The smaller screens: programmes, settings, and those that later issues fill (certificates,
//! synchronisation, reports), which already say what the core offers.

use eframe::egui::{RichText, Ui};

use super::backend::{Request, SessionInfo};
use crate::app::{Row, UserRow};
use crate::domain::funding::Programme;
use crate::domain::role::{Action, permits};

/// Programmes and their envelopes.
pub fn programmes_ui(ui: &mut Ui, programmes: Option<&[Row<Programme>]>, session: &SessionInfo) {
    ui.heading("Programmes et conventions");
    if !session.site.defines_programmes() {
        ui.label(RichText::new("Les programmes sont publiés par la délégation : lecture seule.").weak());
    }
    let Some(programmes) = programmes else {
        ui.spinner();
        return;
    };
    if programmes.is_empty() {
        ui.label("Aucun programme. « daftar programme add » en crée un.");
    }
    for row in programmes {
        let p = &row.value;
        ui.label(RichText::new(format!("{} — {}", p.code, p.name)).strong());
        for e in &p.envelopes {
            let target = e.target_projects.map(|t| format!(" pour {t} projets")).unwrap_or_default();
            ui.label(format!("   {} : {}{target}", e.year, e.amount));
        }
    }
}

/// Settings: the office's identity and its accounts.
#[must_use]
pub fn settings_ui(ui: &mut Ui, users: Option<&[UserRow]>, session: &SessionInfo) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Paramètres");
    let site = &session.site;
    ui.label(RichText::new("Identité du site").strong());
    ui.label(format!("{} — {} ({})", site.code, site.name, site.level.label_fr()));
    if let Some(parent) = &site.parent {
        ui.label(format!("Rattaché à {parent}"));
    } else {
        ui.label("Site autonome (pas encore rattaché à une délégation).");
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Comptes").strong());
    let may_manage = permits(session.role, Action::ManageUsers, &session.site).is_ok();
    match users {
        None if !may_manage => {
            ui.label(RichText::new("La gestion des comptes est réservée à l'administrateur.").weak());
        }
        Some(users) => {
            for u in users {
                let state = if u.disabled_at.is_some() { " — désactivé" } else { "" };
                ui.label(format!("{} — {} — {}{state}", u.login, u.role.label_fr(), u.full_name));
            }
        }
        None if ui.button("Afficher les comptes").clicked() => requests.push(Request::Users),
        None => {}
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Sauvegardes et marges d'impression : à venir.").weak());
    requests
}

/// A screen that a later issue fills.
pub fn coming_ui(ui: &mut Ui, title: &str, what: &str) {
    ui.heading(title);
    ui.label(what);
}
