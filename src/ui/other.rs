//! The smaller screens: programmes, settings, and those that later issues fill (certificates,
//! synchronisation, reports), which already say what the core offers.

use eframe::egui::{RichText, Ui};

use super::backend::{Request, SessionInfo};
use super::widgets;
use crate::app::{Row, UserRow};
use crate::domain::funding::Programme;
use crate::domain::role::{Action, Role, permits};

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

/// The new-account form of the settings.
/// (No `Debug`: it holds a password.)
#[derive(Default)]
pub struct SettingsForm {
    /// Login.
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// Role code.
    pub role: String,
    /// Password.
    pub password: String,
    /// What is wrong with the form, until the next try.
    pub problem: Option<String>,
    /// The user's current password (to change it).
    pub old_password: String,
    /// The new password.
    pub new_password: String,
    /// The new password again.
    pub confirm_password: String,
}

/// Settings: the office's identity and its accounts.
#[must_use]
pub fn settings_ui(
    ui: &mut Ui,
    users: Option<&[UserRow]>,
    form: &mut SettingsForm,
    session: &SessionInfo,
) -> Vec<Request> {
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
                ui.horizontal(|ui| {
                    let state = if u.disabled_at.is_some() { " — désactivé" } else { "" };
                    ui.label(format!("{} — {} — {}{state}", u.login, u.role.label_fr(), u.full_name));
                    if u.disabled_at.is_none()
                        && u.login != session.login
                        && ui.button(format!("Désactiver {}", u.login)).clicked()
                    {
                        requests.push(Request::DisableUser(u.login.clone()));
                    }
                });
            }
        }
        None if ui.button("Afficher les comptes").clicked() => requests.push(Request::Users),
        None => {}
    }
    if may_manage {
        ui.add_space(6.0);
        ui.label(RichText::new("Nouveau compte").strong());
        widgets::field(ui, "Identifiant du compte", &mut form.login, None);
        widgets::field(ui, "Nom complet", &mut form.full_name, None);
        let roles: Vec<(String, String)> = Role::ALL
            .iter()
            .filter(|r| r.exists_at(session.site.level))
            .map(|r| (r.code().to_owned(), r.label_fr().to_owned()))
            .collect();
        widgets::choice(ui, "Rôle", &mut form.role, &roles, None);
        widgets::password(ui, "Mot de passe du compte", &mut form.password);
        if let Some(problem) = &form.problem {
            ui.colored_label(super::theme::ERROR, problem);
        }
        if ui.button("Créer le compte").clicked() {
            form.problem = None;
            match Role::parse(&form.role) {
                Ok(role) => requests.push(Request::AddUser {
                    login: form.login.clone(),
                    full_name: form.full_name.clone(),
                    role,
                    password: std::mem::take(&mut form.password),
                }),
                Err(_) => form.problem = Some("Choisissez le rôle du compte.".into()),
            }
        }
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Mon mot de passe").strong());
    widgets::password(ui, "Mot de passe actuel", &mut form.old_password);
    widgets::password(ui, "Nouveau mot de passe", &mut form.new_password);
    widgets::password(ui, "Confirmer le nouveau mot de passe", &mut form.confirm_password);
    if ui.button("Changer mon mot de passe").clicked() {
        if form.new_password == form.confirm_password {
            requests.push(Request::ChangeOwnPassword {
                old: std::mem::take(&mut form.old_password),
                new: std::mem::take(&mut form.new_password),
            });
            form.confirm_password.clear();
        } else {
            form.problem = Some("Les deux nouveaux mots de passe diffèrent.".into());
        }
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
