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
    widgets::password(ui, "Mot de passe", &mut form.password);
    if let Some(message) = &form.message {
        widgets::message(ui, message);
    }
    if ui.button("Se connecter").clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        requests
            .push(Request::Login { login: form.login.trim().to_owned(), password: std::mem::take(&mut form.password) });
    }
    requests
}
