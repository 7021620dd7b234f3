//! Paramètres: the site's identity, its accounts (created, reset, disabled by the
//! administrator), the user's own password and the printer calibration.

use std::collections::HashMap;

use eframe::egui::{RichText, Ui};

use super::backend::{Reply, Request, SessionInfo};
use super::widgets::{self, Message};
use crate::app::retention::RetentionPlan;
use crate::app::{Thresholds, UserRow};
use crate::domain::FieldErrors;
use crate::domain::print::PrintMargins;
use crate::domain::role::{Action, Role, permits};

/// The new-account form of the settings.
/// (No `Debug`: it holds a password.)
#[derive(Default)]
pub struct SettingsForm {
    /// The accounts (for administrators), once read.
    pub users: Option<Vec<UserRow>>,
    /// What the last action here did.
    pub message: Option<Message>,
    /// « Ouvrir le dossier des documents » was clicked.
    pub open_documents: bool,
    /// The links with the delegation and the supervised sites.
    pub links: super::links::LinksState,
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
    /// New passwords typed for other accounts (administrators reset them), by login.
    pub resets: HashMap<String, String>,
    /// The printer calibration as saved, once read.
    pub margins: Option<PrintMargins>,
    /// The calibration as typed (top, left).
    pub margins_typed: (String, String),
    /// What is wrong with the calibration typed.
    pub margin_errors: FieldErrors,
    /// The folder to back up to, as typed.
    pub backup_dir: String,
    /// The CNDP declaration number as saved (`Some(None)`: none recorded), once read.
    pub cndp: Option<Option<String>>,
    /// The number as typed.
    pub cndp_typed: String,
    /// The retention period as recorded, once read.
    pub retention_years: Option<u32>,
    /// The period as typed.
    pub retention_typed: String,
    /// What is wrong with the period typed.
    pub retention_problem: Option<String>,
    /// The retention report shown, until applied or closed.
    pub retention_plan: Option<Box<RetentionPlan>>,
    /// The thresholds of today's work as recorded, once read.
    pub thresholds: Option<Thresholds>,
    /// The thresholds as typed, in [`Thresholds::fields_mut`]'s order.
    pub thresholds_typed: [String; 5],
    /// What is wrong with the thresholds typed.
    pub thresholds_problem: Option<String>,
}

impl SettingsForm {
    /// Empties the new-account fields (after the account was made).
    pub fn clear_new_account(&mut self) {
        self.login.clear();
        self.full_name.clear();
        self.role.clear();
        self.password.clear();
        self.problem = None;
    }

    /// Shows the calibration read from the core.
    pub fn show_margins(&mut self, margins: PrintMargins) {
        self.margins = Some(margins);
        self.margins_typed = margins.format_fr();
        self.margin_errors = FieldErrors::new();
    }
}

/// Settings: the office's identity and its accounts.
#[must_use]
pub fn settings_ui(
    ui: &mut Ui,
    form: &mut SettingsForm,
    session: &SessionInfo,
    documents: &std::path::Path,
) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Paramètres");
    if let Some(message) = &form.message {
        widgets::message(ui, message);
    }
    // Lent to the accounts' section while the form is borrowed, given back below.
    let users = form.users.take();
    // Taller than a laptop's screen once every section is open.
    eframe::egui::ScrollArea::vertical().id_salt("settings").show(ui, |ui| {
        ui.columns(2, |columns| {
            requests.extend(accounts_ui(&mut columns[0], users.as_deref(), form, session));
            let ui = &mut columns[1];
            requests.extend(own_password_ui(ui, form));
            if permits(session.role, Action::ManageSettings, &session.site).is_ok() {
                ui.add_space(8.0);
                requests.extend(margins_ui(ui, form));
                ui.add_space(8.0);
                requests.extend(cndp_ui(ui, form));
                ui.add_space(8.0);
                requests.extend(retention_ui(ui, form));
            }
            ui.add_space(8.0);
            requests.extend(backups_ui(ui, form));
            if permits(session.role, Action::ManageSettings, &session.site).is_ok() {
                ui.add_space(8.0);
                requests.extend(thresholds_ui(ui, form));
            }
            ui.add_space(8.0);
            ui.label(RichText::new("Documents imprimés").strong());
            ui.add(eframe::egui::Label::new(format!("Ils sont enregistrés dans : {}", documents.display())).wrap());
            if compact_button(ui, "Ouvrir le dossier des documents") {
                form.open_documents = true;
            }
        });
        if permits(session.role, Action::EnrollSites, &session.site).is_ok() {
            ui.separator();
            requests.extend(super::links::links_ui(ui, &mut form.links));
        }
    });
    form.users = users;
    requests
}

/// A button as wide as its text (the columns would stretch it across); true when clicked.
fn compact_button(ui: &mut Ui, text: &str) -> bool {
    ui.horizontal(|ui| ui.button(text)).inner.clicked()
}

/// The site's identity and its accounts (created, reset, disabled by the administrator).
fn accounts_ui(ui: &mut Ui, users: Option<&[UserRow]>, form: &mut SettingsForm, session: &SessionInfo) -> Vec<Request> {
    let mut requests = Vec::new();
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
                // Wrapped: a long name must not push the button into the other column.
                ui.horizontal_wrapped(|ui| {
                    let state = if u.disabled_at.is_some() { " — désactivé" } else { "" };
                    ui.label(format!("{} — {} — {}{state}", u.login, u.role.label_fr(), u.full_name));
                    if u.disabled_at.is_none()
                        && u.login != session.login
                        && ui.button(format!("Désactiver {}", u.login)).clicked()
                    {
                        requests.push(Request::DisableUser(u.login.clone()));
                    }
                });
                if u.disabled_at.is_none() && u.login != session.login {
                    let typed = form.resets.entry(u.login.clone()).or_default();
                    widgets::password(ui, &format!("Nouveau mot de passe de {}", u.login), typed);
                    if compact_button(ui, &format!("Réinitialiser {}", u.login)) {
                        let new = std::mem::take(typed);
                        requests.push(Request::ResetPassword { login: u.login.clone(), new });
                    }
                }
            }
        }
        None if compact_button(ui, "Afficher les comptes") => requests.push(Request::Users),
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
        if compact_button(ui, "Créer le compte") {
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
    requests
}

/// The user's own password.
fn own_password_ui(ui: &mut Ui, form: &mut SettingsForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Mon mot de passe").strong());
    widgets::password(ui, "Mot de passe actuel", &mut form.old_password);
    widgets::password(ui, "Nouveau mot de passe", &mut form.new_password);
    widgets::password(ui, "Confirmer le nouveau mot de passe", &mut form.confirm_password);
    if compact_button(ui, "Changer mon mot de passe") {
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
    requests
}

/// Backups: one a day and after each export go to the `sauvegardes/` folder next to the
/// database; this writes one onto a stick or an external disk on demand.
fn backups_ui(ui: &mut Ui, form: &mut SettingsForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Sauvegardes").strong());
    ui.label(
        RichText::new(
            "Une sauvegarde chiffrée est faite chaque jour et après chaque envoi à la délégation (dossier « sauvegardes » \
             à côté de la base). Gardez-en aussi une copie hors du PC.",
        )
        .weak(),
    );
    widgets::field(ui, "Dossier de sauvegarde", &mut form.backup_dir, None);
    ui.horizontal(|ui| {
        if ui.button("Choisir le dossier de sauvegarde…").clicked()
            && let Some(dir) = rfd::FileDialog::new().set_title("Sauvegarde").pick_folder()
        {
            form.backup_dir = dir.display().to_string();
        }
        let ready = !form.backup_dir.trim().is_empty();
        if ui.add_enabled(ready, eframe::egui::Button::new("Sauvegarder sur clé USB")).clicked() {
            requests.push(Request::Backup(std::path::PathBuf::from(form.backup_dir.trim())));
        }
    });
    requests
}

/// The site's declaration to the CNDP (law 09-08), printed at the foot of documents.
fn cndp_ui(ui: &mut Ui, form: &mut SettingsForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Protection des données (loi 09-08)").strong());
    let Some(saved) = &form.cndp else {
        ui.spinner();
        return requests;
    };
    widgets::field(ui, "N° de déclaration CNDP", &mut form.cndp_typed, None);
    let shown = saved.as_deref().map_or("aucun : les documents ne le mentionnent pas".to_owned(), |n| {
        format!("{n}, imprimé au pied des documents")
    });
    ui.label(RichText::new(format!("Enregistré : {shown}.")).weak());
    if compact_button(ui, "Enregistrer le numéro CNDP") {
        requests.push(Request::SaveCndp(form.cndp_typed.clone()));
    }
    requests
}

/// The days after which the dashboard's « Aujourd'hui » points something out.
fn thresholds_ui(ui: &mut Ui, form: &mut SettingsForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Travail du jour (tableau de bord)").strong());
    let Some(mut saved) = form.thresholds else {
        ui.spinner();
        return requests;
    };
    ui.label(RichText::new("Au-delà de ces délais, la ligne apparaît dans « Aujourd'hui ».").weak());
    for ((label, _), typed) in saved.fields_mut().into_iter().zip(form.thresholds_typed.iter_mut()) {
        widgets::field(ui, label, typed, None);
    }
    if let Some(problem) = &form.thresholds_problem {
        widgets::message(ui, &Message::error(problem.clone()));
    }
    if compact_button(ui, "Enregistrer les délais") {
        form.thresholds_problem = None;
        let mut typed = saved;
        let mut wrong = Vec::new();
        for ((label, days), text) in typed.fields_mut().into_iter().zip(&form.thresholds_typed) {
            match text.trim().parse::<u32>() {
                Ok(value) => *days = value,
                Err(_) => wrong.push(format!("« {label} » : « {} »", text.trim())),
            }
        }
        if wrong.is_empty() {
            requests.push(Request::SaveTodayThresholds(typed));
        } else {
            form.thresholds_problem =
                Some(format!("Écrivez un nombre de jours, par exemple 10 : {}.", wrong.join(" ; ")));
        }
    }
    requests
}

/// The retention rules (law 09-08): the period, the report of what they would anonymise today,
/// and the button that does it once the report was read.
fn retention_ui(ui: &mut Ui, form: &mut SettingsForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Conservation des données").strong());
    let Some(saved) = form.retention_years else {
        ui.spinner();
        return requests;
    };
    ui.label(
        RichText::new(format!(
            "Une personne dont tous les dossiers sont clos (rejetés ou clôturés) depuis {saved} an(s) est anonymisée : CIN, noms, téléphone, adresse effacés ; les chiffres restent."
        ))
        .weak(),
    );
    widgets::field(ui, "Durée de conservation (années)", &mut form.retention_typed, form.retention_problem.as_deref());
    if compact_button(ui, "Enregistrer la durée") {
        form.retention_problem = None;
        match form.retention_typed.trim().parse::<u32>() {
            Ok(years) => requests.push(Request::SaveRetentionYears(years)),
            Err(_) => form.retention_problem = Some("Écrivez un nombre d'années, par exemple 10.".into()),
        }
    }
    if compact_button(ui, "Préparer le rapport de conservation") {
        requests.push(Request::RetentionPlan);
    }
    let Some(plan) = &form.retention_plan else { return requests };
    if plan.is_empty() {
        ui.label(format!("Rien à anonymiser : aucun dossier clos le {} ou avant.", plan.cutoff.format("%d/%m/%Y")));
        return requests;
    }
    ui.label(format!(
        "{} personne(s) à anonymiser (rien d'ouvert depuis le {} ou avant) :",
        plan.people.len(),
        plan.cutoff.format("%d/%m/%Y"),
    ));
    ui.label(plan.others_fr());
    eframe::egui::ScrollArea::vertical().id_salt("retention").max_height(160.0).show(ui, |ui| {
        for person in &plan.people {
            ui.label(format!("{} — CIN {} — depuis le {}", person.name, person.cin, person.since.format("%d/%m/%Y")));
        }
    });
    if compact_button(ui, "Imprimer le rapport (PDF)") {
        requests.push(Request::Print(crate::app::Document::RetentionReport));
    }
    if compact_button(ui, "Appliquer ce rapport (irréversible)") {
        requests.push(Request::ApplyRetention(plan.clone()));
    }
    requests
}

/// The printer calibration: how far the printer shifts the page, measured on a test print.
fn margins_ui(ui: &mut Ui, form: &mut SettingsForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Calibrage de l'imprimante").strong());
    let Some(saved) = form.margins else {
        ui.spinner();
        return requests;
    };
    ui.label(
        RichText::new(
            "Imprimez une attestation, mesurez de combien le texte est décalé (vers le bas, vers la droite) \
             et indiquez-le en millimètres : les documents seront décalés d'autant dans l'autre sens.",
        )
        .weak(),
    );
    let errors = form.margin_errors.clone();
    widgets::field(ui, "Décalage vers le bas (mm)", &mut form.margins_typed.0, errors.for_field("top"));
    widgets::field(ui, "Décalage vers la droite (mm)", &mut form.margins_typed.1, errors.for_field("left"));
    let (top, left) = saved.format_fr();
    ui.label(RichText::new(format!("Enregistré : {top} mm vers le bas, {left} mm vers la droite.")).weak());
    if compact_button(ui, "Enregistrer le calibrage") {
        match PrintMargins::parse(&form.margins_typed.0, &form.margins_typed.1) {
            Ok(margins) => requests.push(Request::SavePrintMargins(margins)),
            Err(errors) => form.margin_errors = errors,
        }
    }
    requests
}

impl super::OwnReplies for SettingsForm {
    fn takes(reply: &Reply) -> bool {
        matches!(
            reply,
            Reply::UserAdded(_)
                | Reply::PasswordChanged(_)
                | Reply::PrintMargins(_)
                | Reply::PrintMarginsSaved(_)
                | Reply::Cndp(_)
                | Reply::CndpSaved(_)
                | Reply::RetentionYears(_)
                | Reply::RetentionYearsSaved(_)
                | Reply::TodayThresholds(_)
                | Reply::RetentionPlan(_)
                | Reply::RetentionApplied(_)
                | Reply::Users(_)
                | Reply::Links(_)
                | Reply::LinkDone(_)
        )
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        let mut next = Vec::new();
        match reply {
            Reply::UserAdded(result) => match result {
                Ok(rows) => {
                    self.users = Some(rows);
                    self.clear_new_account();
                    self.message = Some(Message::ok("Comptes mis à jour."));
                }
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::PasswordChanged(result) => {
                self.message = Some(match result {
                    Ok(()) => Message::ok("Mot de passe changé."),
                    Err(e) => Message::error(e.to_string()),
                });
            }
            Reply::PrintMargins(result) => match result {
                Ok(margins) => self.show_margins(margins),
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::Cndp(Ok(saved)) | Reply::CndpSaved(Ok(saved)) => {
                self.cndp_typed = saved.clone().unwrap_or_default();
                self.cndp = Some(saved);
            }
            Reply::Cndp(Err(e)) | Reply::CndpSaved(Err(e)) => self.message = Some(Message::error(e.to_string())),
            Reply::TodayThresholds(Ok((mut thresholds, saved))) => {
                if saved {
                    self.message = Some(Message::ok("Délais du travail du jour enregistrés."));
                }
                self.thresholds_problem = None;
                for ((_, days), typed) in thresholds.fields_mut().into_iter().zip(self.thresholds_typed.iter_mut()) {
                    *typed = days.to_string();
                }
                self.thresholds = Some(thresholds);
            }
            Reply::TodayThresholds(Err(e)) => self.thresholds_problem = Some(e.to_string()),
            Reply::RetentionYears(Ok(years)) | Reply::RetentionYearsSaved(Ok(years)) => {
                if matches!(reply, Reply::RetentionYearsSaved(_)) {
                    self.message = Some(Message::ok(format!("Durée de conservation : {years} an(s).")));
                    self.retention_plan = None;
                }
                self.retention_years = Some(years);
                self.retention_typed = years.to_string();
            }
            Reply::RetentionPlan(Ok(plan)) => self.retention_plan = Some(plan),
            Reply::RetentionApplied(Ok(done)) => {
                self.retention_plan = None;
                self.message = Some(Message::ok(done.summary_fr()));
            }
            Reply::RetentionYears(Err(e))
            | Reply::RetentionYearsSaved(Err(e))
            | Reply::RetentionPlan(Err(e))
            | Reply::RetentionApplied(Err(e)) => self.message = Some(Message::error(e.to_string())),
            Reply::PrintMarginsSaved(result) => match result {
                Ok(margins) => {
                    self.show_margins(margins);
                    self.message = Some(Message::ok("Calibrage de l'imprimante enregistré."));
                }
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::Users(result) => match result {
                Ok(rows) => self.users = Some(rows),
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::Links(result) => match result {
                Ok(links) => self.links.links = Some(links),
                Err(e) => self.links.message = Some(Message::error(e.to_string())),
            },
            Reply::LinkDone(result) => {
                let done = result.is_ok();
                self.links.message = Some(match result {
                    Ok(text) => Message::ok(text),
                    Err(e) => Message::error(e.to_string()),
                });
                if done {
                    self.links.fingerprint.clear();
                    next.push(Request::Links);
                    next.push(Request::SyncStatus);
                }
            }
            _ => {}
        }
        next
    }
}
