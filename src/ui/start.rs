//! Starting the window: the database opens (and, after an update of the program, migrates) on
//! its own thread while the window already says what is happening; then the application runs.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui::{self, RichText};

use super::{Backend, DaftarApp, Screen, theme};
use crate::app::Core;

/// The database, once open: the core, whether the set-up is due, the site's name.
type Opened = Result<(Core, bool, String), String>;

/// The window while the database opens, then the application.
struct Starting {
    /// The opening's answer, until it comes.
    opening: Option<Receiver<Opened>>,
    /// The schema versions a migration goes from and to, when one runs.
    migration: Option<(i64, i64)>,
    /// Why the database could not be opened.
    failed: Option<String>,
    /// The application, once the database is open.
    app: Option<DaftarApp>,
    /// The database's folder (documents and copies of the bundles sent go there).
    data_dir: PathBuf,
}

impl eframe::App for Starting {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if let Some(app) = &mut self.app {
            app.show(ui);
            return;
        }
        if let Some(opened) = self.opening.as_ref().and_then(|r| r.try_recv().ok()) {
            self.opening = None;
            match opened.and_then(|(core, needs_setup, site_name)| {
                let backend =
                    Backend::spawn(core, ui.ctx().clone(), self.data_dir.clone()).map_err(|e| e.to_string())?;
                // A new log-in starts on the dashboard: today's work is there.
                Ok(DaftarApp::new(backend, needs_setup, site_name, Screen::Dashboard).with_system_viewer())
            }) {
                Ok(app) => self.app = Some(app),
                Err(e) => self.failed = Some(e),
            }
            ui.ctx().request_repaint();
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(40.0);
            ui.heading(RichText::new("دفتر Daftar").color(theme::ACCENT));
            ui.add_space(12.0);
            if let Some(why) = &self.failed {
                ui.colored_label(
                    theme::ERROR,
                    format!("La base n'a pas pu être ouverte : {why}. Fermez Daftar ; si cela se répète, prévenez le responsable."),
                );
                return;
            }
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(match self.migration {
                    Some(_) => "Mise à jour de la base pour cette version de Daftar…",
                    None => "Ouverture de la base…",
                });
            });
            if let Some((from, to)) = self.migration {
                ui.add(
                    egui::Label::new(format!(
                        "La base passe du format {from} au format {to} : une copie de sécurité est faite d'abord, à côté de la base, puis la base est transformée. Sur un gros registre, cela prend quelques minutes. Ne fermez pas Daftar et n'éteignez pas le poste ; si cela arrive quand même, rien n'est perdu : la mise à jour recommence au prochain démarrage."
                    ))
                    .wrap(),
                );
            }
        });
    }
}

/// Opens the window over the database at `db` (created, and the set-up guided, on first start).
pub fn run(db: &Path) -> anyhow::Result<()> {
    // One window per database: a second one says so (in a dialog: a double-click has no terminal).
    let lock = match crate::app::InstanceLock::acquire(db) {
        Ok(lock) => lock,
        Err(e) => {
            let _ = rfd::MessageDialog::new()
                .set_title("Daftar")
                .set_description(e.to_string())
                .set_level(rfd::MessageLevel::Warning)
                .show();
            return Err(e.into());
        }
    };
    let mut viewport = egui::ViewportBuilder::default()
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([900.0, 600.0])
        .with_title("Daftar — دفتر")
        // The menu entry's StartupWMClass: the desktop shows the window under its icon.
        .with_app_id("daftar");
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon/daftar-64.png")) {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions { viewport, persist_window: true, ..eframe::NativeOptions::default() };
    let migration = Core::migration_ahead(db);
    let data_dir = db.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let db = db.to_path_buf();
    eframe::run_native(
        "daftar",
        options,
        Box::new(move |cc| {
            theme::apply(&cc.egui_ctx);
            let (answer, opening) = channel();
            let ctx = cc.egui_ctx.clone();
            std::thread::Builder::new().name("daftar-ouverture".into()).spawn(move || {
                let opened = Core::open(&db, true)
                    .and_then(|core| {
                        let needs_setup = core.needs_setup()?;
                        let site_name = core.site().map(|s| format!("{} — {}", s.code, s.name)).unwrap_or_default();
                        Ok((core, needs_setup, site_name))
                    })
                    .map_err(|e| e.to_string());
                let _ = answer.send(opened);
                ctx.request_repaint();
            })?;
            Ok(Box::new(Starting { opening: Some(opening), migration, failed: None, app: None, data_dir }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("Impossible d'ouvrir la fenêtre : {e}"))?;
    drop(lock);
    Ok(())
}
