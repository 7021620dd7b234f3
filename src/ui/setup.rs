//! First start: the guided set-up of the installation (the same core as `daftar init`), or a
//! demo office to look around.

use eframe::egui::{self, Ui};

use super::backend::Request;
use super::widgets::{self, Help, Message};
use crate::app::InstallSetup;
use crate::domain::FieldErrors;
use crate::domain::site::{Level, PlaceKind};
use crate::reference::Reference;

/// The set-up form.
/// (No `Debug`: it holds a password.)
#[derive(Default)]
pub struct SetupForm {
    /// The fields.
    pub setup: InstallSetup,
    /// The password typed again.
    pub confirm: String,
    /// Problems reported by the core.
    pub errors: FieldErrors,
    /// A message (e.g. passwords differ).
    pub message: Option<Message>,
    /// The demo office was asked for: its confirmation is shown.
    pub demo_asked: bool,
}

/// The set-up screen; returns what to ask the core.
#[must_use]
pub fn setup_ui(ui: &mut Ui, form: &mut SetupForm) -> Vec<Request> {
    // A choice list open at the start of the frame takes Enter: it only chooses.
    let choosing = egui::Popup::is_any_open(ui.ctx());
    let mut requests = Vec::new();
    ui.heading("Installation de Daftar");
    ui.label("Première mise en route : indiquez le site que ce poste sert et son premier administrateur.");
    widgets::required_legend(ui);
    ui.add_space(8.0);
    if form.setup.level.is_empty() {
        form.setup.level = Level::Bureau.code().to_owned();
    }
    let levels: Vec<(String, String)> =
        Level::ALL.iter().map(|l| (l.code().to_owned(), l.label_fr().to_owned())).collect();
    widgets::choice(ui, "Niveau", &mut form.setup.level, &levels, form.errors.for_field("level"));
    let code = Help::required("ex. BL-TIZNIT");
    widgets::helped_field(ui, "Code du site", &mut form.setup.code, form.errors.for_field("code"), code);
    let name = Help::required("ex. Bureau local de Tiznit");
    widgets::helped_field(ui, "Nom du site", &mut form.setup.name, form.errors.for_field("name"), name);
    let reference = Reference::shipped();
    match Level::parse(&form.setup.level).map(Level::place_kind) {
        Ok(PlaceKind::Province) => {
            let provinces: Vec<(String, String)> =
                reference.provinces.iter().map(|p| (p.code.clone(), format!("{} — {}", p.code, p.name_fr))).collect();
            widgets::searchable_choice(
                ui,
                "Province ou préfecture",
                &mut form.setup.province,
                &provinces,
                form.errors.for_field("province"),
            );
        }
        Ok(PlaceKind::Region) => {
            let regions: Vec<(String, String)> =
                reference.regions.iter().map(|r| (r.code.clone(), format!("{} — {}", r.code, r.name_fr))).collect();
            widgets::searchable_choice(ui, "Région", &mut form.setup.region, &regions, form.errors.for_field("region"));
        }
        _ => {}
    }
    ui.add_space(8.0);
    widgets::helped_field(
        ui,
        "Identifiant de l'administrateur",
        &mut form.setup.admin_login,
        form.errors.for_field("admin_login"),
        Help::required("ex. admin"),
    );
    widgets::field(ui, "Nom de l'administrateur", &mut form.setup.admin_name, None);
    widgets::password(ui, "Mot de passe", &mut form.setup.admin_password);
    if let Some(e) = form.errors.for_field("admin_password") {
        ui.colored_label(super::theme::ERROR, e);
    }
    widgets::password(ui, "Confirmer le mot de passe", &mut form.confirm);
    ui.add_space(8.0);
    if let Some(message) = &form.message {
        widgets::message(ui, message);
    }
    ui.horizontal(|ui| {
        let enter = !choosing && !form.demo_asked && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let submit = ui.button("Installer").clicked() || enter;
        if submit {
            if form.setup.admin_password == form.confirm {
                form.message = None;
                requests.push(Request::Setup(form.setup.clone()));
            } else {
                form.message = Some(Message::error("Les deux mots de passe diffèrent : tapez-les à nouveau."));
            }
        }
    });
    // Apart from the installation: a demo makes this post a fictitious office for good.
    ui.add_space(24.0);
    ui.separator();
    ui.label(egui::RichText::new("Découvrir Daftar sans installer un vrai bureau").strong());
    if ui.button("Créer un bureau de démonstration…").clicked() {
        form.demo_asked = true;
    }
    if form.demo_asked {
        egui::Modal::new(egui::Id::unique("confirmer-demonstration")).show(ui.ctx(), |ui| {
            ui.label(egui::RichText::new("Créer un bureau de démonstration ?").strong());
            ui.label(
                "Ce poste deviendra le bureau fictif BL-DEMO, rempli de personnes, de projets et de dossiers inventés, avec un compte par rôle. Pour y installer ensuite un vrai bureau, il faudra repartir d'une base vide.",
            );
            ui.horizontal(|ui| {
                if ui.button("Oui, créer la démonstration").clicked() {
                    form.demo_asked = false;
                    requests.push(Request::CreateDemo);
                }
                if ui.button("Non, revenir à l'installation").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    form.demo_asked = false;
                }
            });
        });
    }
    requests
}
