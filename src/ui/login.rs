//! Login.

use eframe::egui::{self, Ui};

use super::backend::Request;
use super::widgets::{self, Message};

/// The login form.
/// (No `Debug`: it holds a password.)
#[derive(Default)]
pub struct LoginForm {
    /// Login.
    pub login: String,
    /// Password.
    pub password: String,
    /// What went wrong, or the demo's accounts.
    pub message: Option<Message>,
    /// The cursor was put in the first field.
    pub focused: bool,
    /// A log-in failed: the cursor goes back to the password, to type it again.
    pub retry: bool,
    /// The restore of a backup, when asked for.
    pub restore: Option<RestoreForm>,
}

/// Restoring a backup from the login screen (the database is damaged, or a PC is replaced).
/// (No `Debug`: it holds a password.)
#[derive(Default)]
pub struct RestoreForm {
    /// The backup file.
    pub file: String,
    /// An account that held the keys when the backup was made.
    pub login: String,
    /// Its password.
    pub password: String,
    /// « Annuler » was clicked.
    pub cancelled: bool,
}

/// The login screen.
#[must_use]
pub fn login_ui(ui: &mut Ui, site_name: &str, form: &mut LoginForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Connexion");
    widgets::text(ui, site_name);
    ui.add_space(8.0);
    let login = widgets::field(ui, "Identifiant", &mut form.login, None);
    if !form.focused {
        login.request_focus();
        form.focused = true;
    }
    let password = widgets::password(ui, "Mot de passe", &mut form.password);
    if std::mem::take(&mut form.retry) {
        password.request_focus();
    }
    if let Some(message) = &form.message {
        widgets::message(ui, message);
    }
    // Only what is typed is sent: an empty password would count as a wrong one.
    let typed = !form.login.trim().is_empty() && !form.password.is_empty();
    let enter = form.restore.is_none() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let clicked = ui.button("Se connecter").clicked();
    if (clicked || enter) && typed {
        requests
            .push(Request::Login { login: form.login.trim().to_owned(), password: std::mem::take(&mut form.password) });
    } else if clicked {
        form.message = Some(Message::warning("Tapez votre identifiant et votre mot de passe, puis « Se connecter »."));
    }
    ui.add_space(16.0);
    match &mut form.restore {
        None => {
            if ui.button("Restaurer une sauvegarde…").clicked() {
                form.restore = Some(RestoreForm::default());
            }
        }
        Some(restore) => requests.extend(restore_ui(ui, restore)),
    }
    if form.restore.as_ref().is_some_and(|r| r.cancelled) {
        form.restore = None;
    }
    requests
}

/// The restore form: which backup, and an account whose password opens its keys.
fn restore_ui(ui: &mut Ui, form: &mut RestoreForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(egui::RichText::new("Restaurer une sauvegarde").strong());
    ui.label(
        "La sauvegarde est vérifiée (authenticité, intégrité, journal d'audit) avant de remplacer quoi que ce soit ; la base actuelle est gardée à côté.",
    );
    ui.horizontal(|ui| {
        widgets::field(ui, "Fichier de sauvegarde", &mut form.file, None);
        if ui.button("Choisir…").clicked()
            && let Some(file) =
                rfd::FileDialog::new().add_filter("Sauvegardes Daftar", &[crate::app::BACKUP_EXTENSION]).pick_file()
        {
            form.file = file.display().to_string();
        }
    });
    widgets::field(ui, "Compte qui détient les clés", &mut form.login, None);
    widgets::password(ui, "Mot de passe de ce compte", &mut form.password);
    ui.horizontal(|ui| {
        let ready = !form.file.trim().is_empty() && !form.login.trim().is_empty() && !form.password.is_empty();
        if ui.add_enabled(ready, egui::Button::new("Restaurer")).clicked() {
            requests.push(Request::Restore {
                file: std::path::PathBuf::from(form.file.trim()),
                login: form.login.trim().to_owned(),
                password: std::mem::take(&mut form.password),
            });
        }
        form.cancelled = ui.button("Annuler").clicked();
    });
    requests
}
