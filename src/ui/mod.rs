//! The clerk's desktop: the egui application a local office works in all day.
//!
//! Screens never touch the database: each `*_ui` function draws from its own state and returns
//! [`Request`]s, which the app hands to the [`Backend`] (the core on a worker thread); replies
//! come back as [`Reply`]s and update the screens' state. One screen per file; colours and fonts
//! in [`theme`]; Arabic goes through [`bidi`] before egui draws it.

pub mod applicants;
pub mod backend;
pub mod bidi;
pub mod certificates;
pub mod checklists;
pub mod commission;
pub mod cross_duplicates;
pub mod csv;
pub mod dashboard;
pub mod dossiers;
pub mod help;
pub mod links;
pub mod login;
pub mod programmes;
pub mod projects;
pub mod reports;
pub mod rtl_edit;
pub mod settings;
pub mod setup;
mod start;
pub mod sync;
pub mod theme;
pub mod viewer;
pub mod widgets;
pub mod work;

use std::path::{Path, PathBuf};

use eframe::egui::{self, RichText};

pub use backend::{Backend, Reply, Request, SessionInfo};
pub use start::run;

use crate::domain::role::{Action, permits};
use widgets::Message;

/// The screens of the main window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Screen {
    /// Tableau de bord.
    #[default]
    Dashboard,
    /// Bénéficiaires.
    Applicants,
    /// Projets.
    Projects,
    /// Dossiers.
    Dossiers,
    /// Programmes.
    Programmes,
    /// Attestations.
    Certificates,
    /// Commission (where decisions are taken).
    Commission,
    /// Synchronisation.
    Sync,
    /// Rapports.
    Reports,
    /// Paramètres.
    Settings,
}

impl Screen {
    const ALL: [Screen; 10] = [
        Screen::Dashboard,
        Screen::Applicants,
        Screen::Projects,
        Screen::Dossiers,
        Screen::Programmes,
        Screen::Certificates,
        Screen::Commission,
        Screen::Sync,
        Screen::Reports,
        Screen::Settings,
    ];

    fn label(self) -> &'static str {
        match self {
            Screen::Dashboard => "Tableau de bord",
            Screen::Applicants => "Bénéficiaires",
            Screen::Projects => "Projets",
            Screen::Dossiers => "Dossiers",
            Screen::Programmes => "Programmes",
            Screen::Certificates => "Attestations",
            Screen::Commission => "Commission",
            Screen::Sync => "Synchronisation",
            Screen::Reports => "Rapports",
            Screen::Settings => "Paramètres",
        }
    }
}

const UNSAVED: &str =
    "Un formulaire n'est pas enregistré : enregistrez-le ou annulez-le (Bénéficiaires) avant de quitter.";

enum Phase {
    Setup(setup::SetupForm),
    Login(login::LoginForm),
    Main,
}

/// The application.
pub struct DaftarApp {
    backend: Backend,
    phase: Phase,
    session: Option<SessionInfo>,
    site_name: String,
    screen: Screen,
    dashboard: dashboard::DashboardState,
    applicants: applicants::ApplicantsState,
    dossiers: dossiers::DossiersState,
    projects: projects::ProjectsState,
    programmes: programmes::ProgrammesState,
    certificates: certificates::CertificatesState,
    commission: commission::CommissionState,
    help: help::HelpState,
    reports: reports::ReportsState,
    sync: sync::SyncState,
    settings: settings::SettingsForm,
    message: Option<Message>,
    /// A finding of the integrity check: shown on every screen until the program restarts.
    alarm: Option<Message>,
    /// How long a session may stay without a key or a click before it locks.
    idle_lock: std::time::Duration,
    /// When the user last did something (egui's clock, seconds).
    last_activity: f64,
    /// Where the backup running on its own thread stands, while one runs.
    backup: Option<crate::app::BackupProgress>,
    /// The window was asked to close while a backup ran: the question is shown.
    close_asked: bool,
    /// How documents and folders are handed to the system.
    viewer: viewer::Viewer,
    /// The document written last, with its buttons (until another screen is opened).
    document: Option<viewer::WrittenDocument>,
    /// A file or folder just handed to the system, whose opener may still say it failed.
    watching: Option<(std::sync::mpsc::Receiver<String>, PathBuf)>,
    /// The long work the core is doing for the window (one at a time).
    work: Option<work::Running>,
    /// The integrity check runs on its own thread.
    checking: bool,
}

/// A session locks after this long without a key pressed or the mouse used.
pub const IDLE_LOCK: std::time::Duration = std::time::Duration::from_secs(10 * 60);

impl DaftarApp {
    /// The application over `backend`; `needs_setup` on first start; `screen` is the one the
    /// user left last time.
    pub fn new(backend: Backend, needs_setup: bool, site_name: String, screen: Screen) -> DaftarApp {
        let phase = if needs_setup {
            Phase::Setup(setup::SetupForm::default())
        } else {
            Phase::Login(login::LoginForm::default())
        };
        DaftarApp {
            backend,
            phase,
            session: None,
            site_name,
            screen,
            dashboard: dashboard::DashboardState::default(),
            applicants: applicants::ApplicantsState::default(),
            dossiers: dossiers::DossiersState::default(),
            projects: projects::ProjectsState::default(),
            programmes: programmes::ProgrammesState::default(),
            certificates: certificates::CertificatesState::default(),
            commission: commission::CommissionState::default(),
            help: help::HelpState::default(),
            reports: reports::ReportsState::default(),
            sync: sync::SyncState::default(),
            settings: settings::SettingsForm::default(),
            message: None,
            alarm: None,
            idle_lock: IDLE_LOCK,
            last_activity: 0.0,
            backup: None,
            close_asked: false,
            viewer: viewer::Viewer::Recorder(Vec::new()),
            document: None,
            watching: None,
            work: None,
            checking: false,
        }
    }

    /// Documents and folders open in the system's viewer and file manager (the application; a
    /// new window only records them).
    pub fn with_system_viewer(mut self) -> DaftarApp {
        self.viewer = viewer::Viewer::System;
        self
    }

    /// What was handed to the viewer, when it only records (tests).
    pub fn opened(&self) -> &[PathBuf] {
        match &self.viewer {
            viewer::Viewer::Recorder(opened) => opened,
            viewer::Viewer::System => &[],
        }
    }

    /// Opens `screen` as the navigation would (its data asked for again).
    pub fn go_to(&mut self, screen: Screen) {
        for request in self.open(screen) {
            self.backend.send(request);
        }
    }

    /// The long work under way, if any.
    pub fn work(&self) -> Option<&work::Running> {
        self.work.as_ref()
    }

    /// Tests: the backend, to hold its requests as a busy worker would.
    pub fn backend_mut(&mut self) -> &mut Backend {
        &mut self.backend
    }

    /// Where the running backup stands, if one runs.
    pub fn backup_progress(&self) -> Option<crate::app::BackupProgress> {
        self.backup
    }

    /// Sets how long a session may stay idle before it locks (shorter on a shared PC).
    pub fn lock_after(&mut self, idle: std::time::Duration) {
        self.idle_lock = idle;
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// True once a session is open (the main window is shown).
    pub fn logged_in(&self) -> bool {
        matches!(self.phase, Phase::Main)
    }

    /// The applicant screen's state (read-only: for measurements and tests).
    pub fn applicants(&self) -> &applicants::ApplicantsState {
        &self.applicants
    }

    /// The dossier screen's state (read-only: for tests).
    pub fn dossiers(&self) -> &dossiers::DossiersState {
        &self.dossiers
    }

    /// True when a form holds typed data that is not saved.
    fn unsaved_form(&self) -> bool {
        self.applicants.form.as_ref().is_some_and(|f| f.dirty) || self.applicants.project_form.is_some()
    }

    /// Draws one frame: applies the replies that arrived, draws, sends what the screens asked.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        for reply in self.backend.poll() {
            self.follow_work(reply);
        }
        self.watch_opening(ui.ctx());
        // Closing the window with a form not saved: keep the window and say why. During a
        // backup: ask (a backup cut short leaves nothing behind and is made again next time).
        if ui.input(|i| i.viewport().close_requested()) {
            if self.unsaved_form() {
                ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.message = Some(Message::warning(UNSAVED));
            } else if self.backup.is_some() && !self.close_asked {
                ui.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.close_asked = true;
            }
        }
        if self.close_asked {
            self.ask_before_closing(ui);
        }
        self.lock_when_idle(ui);
        if self.work.is_some() || self.checking {
            egui::Panel::bottom("travail-en-cours").show(ui, |ui| work::bar(ui, self.work.as_ref(), self.checking));
        }
        if ui.input(|i| i.key_pressed(egui::Key::F1)) {
            self.help.toggle();
        }
        if !matches!(self.phase, Phase::Main) {
            self.help_panel(ui);
        }
        let requests = match &mut self.phase {
            Phase::Setup(form) => egui::CentralPanel::default().show(ui, |ui| setup::setup_ui(ui, form)).inner,
            Phase::Login(form) => {
                egui::CentralPanel::default().show(ui, |ui| login::login_ui(ui, &self.site_name, form)).inner
            }
            Phase::Main => self.main_ui(ui),
        };
        for request in requests {
            self.start(request);
        }
    }

    /// The guide's part for what is on screen, on the right (under the bar), when asked for.
    fn help_panel(&mut self, ui: &mut egui::Ui) {
        if !self.help.open {
            return;
        }
        let place = match self.phase {
            Phase::Main if self.screen == Screen::Applicants && self.applicants.import.is_some() => {
                help::Place::ImportingSpreadsheet
            }
            Phase::Main => help::Place::Screen(self.screen),
            Phase::Setup(_) => help::Place::Installing,
            Phase::Login(_) => help::Place::LoggingIn,
        };
        egui::Panel::right("aide").default_size(320.0).show(ui, |ui| help::help_ui(ui, &mut self.help, place));
    }

    /// Sends a screen's request; long work starts only when none runs (a second start is
    /// refused, saying what to wait for).
    fn start(&mut self, request: Request) {
        if let Some(work) = work::Work::started_by(&request) {
            if let Some(running) = &self.work {
                let why = format!(
                    "« {} » est en cours : attendez sa fin, puis recommencez (rien n'a été lancé).",
                    running.work.title()
                );
                // Told where the screen that asked shows its answers, which stops waiting.
                self.handle(work.refused(why));
                return;
            }
            self.work = Some(work::Running { work, progress: None });
        }
        self.checking |= matches!(request, Request::Check);
        self.backend.send(request);
    }

    /// Follows the long work through `reply` (its progress, its end), then applies the reply.
    fn follow_work(&mut self, reply: Reply) {
        if let Reply::Progress(progress) = reply {
            if let Some(running) = &mut self.work {
                running.progress = Some(progress);
            }
            return;
        }
        if matches!(reply, Reply::WorkEnded) {
            self.work = None;
            return;
        }
        if matches!(reply, Reply::Integrity { .. }) {
            self.checking = false;
        }
        self.handle(reply);
    }

    /// The question asked when the window is closed during a backup.
    fn ask_before_closing(&mut self, ui: &egui::Ui) {
        let Some(progress) = self.backup else {
            // The backup ended while the question was shown: close as asked.
            self.close_asked = false;
            ui.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        };
        egui::Modal::new(egui::Id::unique("fermer-pendant-la-sauvegarde")).show(ui.ctx(), |ui| {
            ui.label(RichText::new("Une sauvegarde est en cours").strong());
            ui.label(backup_line(&progress));
            ui.label(
                "Si vous fermez maintenant, cette sauvegarde est abandonnée (rien n'est abîmé) et sera refaite au prochain démarrage.",
            );
            ui.horizontal(|ui| {
                if ui.button("Attendre la fin de la sauvegarde").clicked() {
                    self.close_asked = false;
                }
                if ui.button("Fermer quand même").clicked() {
                    self.backup = None;
                    ui.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
        });
    }

    /// Locks an idle session: back to the login screen, saying why. While a session is open the
    /// window wakes up now and then to check, even when nothing moves.
    fn lock_when_idle(&mut self, ui: &egui::Ui) {
        let (now, active) = ui.input(|i| (i.time, !i.events.is_empty()));
        if active || !self.logged_in() {
            self.last_activity = now;
            return;
        }
        let left = self.idle_lock.as_secs_f64() - (now - self.last_activity);
        ui.ctx().request_repaint_after(std::time::Duration::from_secs_f64(left.max(0.5)));
        if left <= 0.0 {
            self.backend.send(Request::Logout);
            self.logout();
            let minutes = self.idle_lock.as_secs().div_ceil(60);
            if let Phase::Login(form) = &mut self.phase {
                form.message = Some(Message::warning(format!(
                    "Session verrouillée après {minutes} minute(s) sans activité : reconnectez-vous."
                )));
            }
        }
    }

    fn main_ui(&mut self, ui: &mut egui::Ui) -> Vec<Request> {
        let mut requests = Vec::new();
        let Some(session) = self.session.clone() else { return requests };
        let outbox = self.dashboard.stats.as_ref().map(|s| s.outbox);
        egui::Panel::top("barre").show(ui, |ui| {
            // The buttons are placed first, on the right, so that a long site name or the count
            // of changes to deliver shortens the site's name on the left instead of pushing « Se
            // déconnecter » out of a 1024-pixel window.
            egui::containers::Sides::new().shrink_left().truncate().show(
                ui,
                |ui| {
                    ui.label(RichText::new("دفتر Daftar").strong().color(theme::ACCENT));
                    ui.label(format!("{} — {}", session.login, session.role.label_fr()));
                    ui.separator();
                    widgets::text(ui, &format!("{} — {}", session.site.code, session.site.name));
                },
                |ui| {
                    if ui.button("Se déconnecter").clicked() {
                        if self.unsaved_form() {
                            self.message = Some(Message::warning(UNSAVED));
                        } else {
                            requests.push(Request::Logout);
                            self.logout();
                        }
                    }
                    if ui.button("Aide (F1)").clicked() {
                        self.help.toggle();
                    }
                    // Only a site that sends to a delegation has something to deliver.
                    if session.site.parent.is_some() {
                        ui.separator();
                        match outbox {
                            Some(n) => ui.label(format!(
                                "Modifications non livrées : {}",
                                crate::domain::money::group_thousands_fr(n)
                            )),
                            None => ui.label("Modifications non livrées : …"),
                        };
                    }
                },
            );
        });
        if self.session.is_none() {
            return requests;
        }
        self.help_panel(ui);
        egui::Panel::left("navigation").show(ui, |ui| {
            ui.add_space(6.0);
            let decides = permits(session.role, Action::RecordDecision, &session.site).is_ok();
            for screen in Screen::ALL.into_iter().filter(|s| *s != Screen::Commission || decides) {
                if ui.selectable_label(self.screen == screen, screen.label()).clicked() && self.screen != screen {
                    requests.extend(self.open(screen));
                }
            }
            // A backup running beside the work, under the screens' list (wrapped to its width, so
            // that nothing moves). No spinner: the backup's thread wakes the window at each step.
            if let Some(progress) = &self.backup {
                ui.add_space(12.0);
                ui.separator();
                ui.add(egui::Label::new(RichText::new(backup_line(progress)).color(theme::ACCENT)).wrap());
            }
        });
        // Ctrl+F finds and Ctrl+N registers from every screen (the dossiers' list finds dossiers).
        let (ctrl_f, ctrl_n) = ui.input(|i| {
            (i.modifiers.command && i.key_pressed(egui::Key::F), i.modifiers.command && i.key_pressed(egui::Key::N))
        });
        if ctrl_f && self.screen == Screen::Dossiers && self.dossiers.view.is_none() {
            self.dossiers.focus_search = true;
        } else if (ctrl_f || ctrl_n) && self.screen != Screen::Applicants {
            requests.extend(self.open(Screen::Applicants));
            let may_register = permits(session.role, Action::RegisterApplicant, &session.site).is_ok();
            if ctrl_n && may_register {
                self.applicants.form = Some(applicants::ApplicantForm::default());
            }
        }
        // The document just printed, under the screen: above it, it pushed the screen's buttons
        // down under the pointer.
        if self.document.is_some() {
            egui::Panel::bottom("document").show(ui, |ui| self.document_bar(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            // In a scope of its own: a message arriving (the backup's end, a document written)
            // must not renumber the screen's fields, or the one being typed in loses the cursor.
            ui.scope(|ui| {
                if let Some(alarm) = &self.alarm {
                    widgets::message(ui, alarm);
                }
                if let Some(message) = &self.message {
                    widgets::message(ui, message);
                }
                if let Some(running) = &self.work {
                    widgets::message(ui, &Message::warning(running.work.waiting_line()));
                }
            });
            let may = |action| permits(session.role, action, &session.site).is_ok();
            if self.applicants.here != session.site.code.as_str() {
                self.applicants.here = session.site.code.to_string();
            }
            self.applicants.today = Some(session.today);
            let rights = applicants::Rights {
                register: may(Action::RegisterApplicant),
                delete: may(Action::DeleteRecord),
                offices: session.site.level != crate::domain::site::Level::Bureau,
                arbitrate: may(Action::ArbitrateOffices),
                import: may(Action::ImportCsv),
            };
            match self.screen {
                Screen::Dashboard => {
                    let sends = session.site.parent.is_some();
                    requests.extend(dashboard::dashboard_ui(ui, &mut self.dashboard, sends));
                    if let Some(opens) = self.dashboard.go.take() {
                        requests.extend(self.follow_today(opens));
                    }
                }
                Screen::Applicants => requests.extend(applicants::applicants_ui(ui, &mut self.applicants, rights)),
                Screen::Projects => {
                    requests.extend(projects::projects_ui(ui, &mut self.projects, rights.register, rights.delete));
                }
                Screen::Dossiers => requests.extend(dossiers::dossiers_ui(ui, &mut self.dossiers, &session)),
                Screen::Programmes => requests.extend(programmes::programmes_ui(ui, &mut self.programmes, &session)),
                Screen::Certificates => {
                    requests.extend(certificates::certificates_ui(ui, &mut self.certificates, &session));
                }
                Screen::Commission => {
                    requests.extend(commission::commission_ui(ui, &mut self.commission, &session));
                }
                Screen::Sync => {
                    self.sync.busy = self.work.is_some();
                    requests.extend(sync::sync_ui(ui, &mut self.sync, &session));
                }
                Screen::Reports => {
                    let closing_from = may(Action::CloseYear).then_some(session.today);
                    requests.extend(reports::reports_ui(ui, &mut self.reports, closing_from));
                }
                Screen::Settings => {
                    let documents = self.backend.documents_dir().to_path_buf();
                    requests.extend(settings::settings_ui(ui, &mut self.settings, &session, &documents));
                    if std::mem::take(&mut self.settings.open_documents) {
                        self.open_documents_folder();
                    }
                }
            }
        });
        requests
    }

    /// Opens what a line of today's work points to: the dossiers' list on its statuses or its
    /// follow-up (oldest first), or the screen where it is done.
    fn follow_today(&mut self, opens: crate::app::Opens) -> Vec<Request> {
        use crate::app::Opens;
        let (statuses, follow_up) = match opens {
            Opens::Dossiers(statuses) => (statuses, None),
            Opens::FollowUp(follow_up) => (follow_up.statuses().to_vec(), Some(follow_up)),
            Opens::Sync => return self.open(Screen::Sync),
            Opens::Programmes => return self.open(Screen::Programmes),
            Opens::Settings => return self.open(Screen::Settings),
            Opens::Duplicates => {
                self.applicants.cross = Some(cross_duplicates::CrossState::default());
                let mut requests = self.open(Screen::Applicants);
                requests.push(Request::CrossOfficeDuplicates);
                return requests;
            }
        };
        let list = &mut self.dossiers.list;
        list.status = dossiers::StatusFilter::of(&statuses);
        list.follow_up = follow_up;
        list.search.clear();
        list.sort = crate::app::WorklistSort::Date;
        list.descending = false;
        list.page = 0;
        self.dossiers.view = None;
        self.open(Screen::Dossiers)
    }

    /// The document written last, under the screen: open it again, save a copy elsewhere, open
    /// its folder.
    fn document_bar(&mut self, ui: &mut egui::Ui) {
        let Some(document) = self.document.clone() else { return };
        let line = document.line();
        widgets::message(ui, &if document.not_opened.is_none() { Message::ok(line) } else { Message::warning(line) });
        ui.horizontal_wrapped(|ui| {
            if ui.button("Ouvrir à nouveau").clicked() {
                self.document = Some(self.hand_over(document.path.clone()));
            }
            if ui.button("Enregistrer sous…").clicked() {
                self.document.as_mut().map(|d| d.save_as.get_or_insert_with(String::new));
            }
            if ui.button("Ouvrir le dossier des documents").clicked() {
                self.open_documents_folder();
            }
            if ui.button("Fermer").clicked() {
                self.document = None;
            }
        });
        self.save_as_row(ui);
    }

    /// Where to save a copy of the document: typed (a folder or a file name), or chosen.
    fn save_as_row(&mut self, ui: &mut egui::Ui) {
        let Some(document) = self.document.as_mut() else { return };
        let Some(typed) = document.save_as.as_mut() else { return };
        let mut target = None;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Copie à enregistrer dans (dossier ou fichier)");
            let field = ui
                .add(egui::TextEdit::singleline(typed).desired_width(300.0).hint_text("/media/cle"))
                .labelled_by(label.id);
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Enregistrer la copie").clicked() || entered) && !typed.trim().is_empty() {
                target = Some((PathBuf::from(typed.trim()), false));
            }
            if ui.button("Choisir…").clicked() {
                target = viewer::choose_copy_target(&document.path).map(|chosen| (chosen, true));
            }
        });
        let Some((target, replace)) = target else { return };
        match crate::app::copy_document(&document.path, &target, replace) {
            Ok(copy) => {
                document.save_as = None;
                self.message = Some(Message::ok(format!("Copie enregistrée : {}", copy.display())));
            }
            Err(e) => self.message = Some(Message::error(e.to_string())),
        }
    }

    /// Hands a written document to the viewer.
    fn hand_over(&mut self, path: PathBuf) -> viewer::WrittenDocument {
        let opening = self.viewer.open(&path);
        self.watching = opening.later.map(|later| (later, path.clone()));
        viewer::WrittenDocument { path, not_opened: opening.refused, save_as: None }
    }

    /// Opens the documents' folder in the file manager, or says where it is.
    fn open_documents_folder(&mut self) {
        let folder = self.backend.documents_dir().to_path_buf();
        let refused = match crate::app::make_folder(&folder) {
            Ok(()) => {
                let opening = self.viewer.open(&folder);
                self.watching = opening.later.map(|later| (later, folder.clone()));
                opening.refused
            }
            Err(e) => Some(e.to_string()),
        };
        if let Some(why) = refused {
            self.message = Some(Message::warning(self.not_opened(&folder, why)));
        }
    }

    /// What to say when the system could not open `path`.
    fn not_opened(&self, path: &Path, why: String) -> String {
        if path == self.backend.documents_dir() {
            format!("Le dossier des documents n'a pas pu être ouvert ({why}) : il se trouve ici : {}", path.display())
        } else {
            viewer::WrittenDocument { path: path.to_path_buf(), not_opened: Some(why), save_as: None }.line()
        }
    }

    /// Hears, a moment after, that the system's opener failed (then says so).
    fn watch_opening(&mut self, ctx: &egui::Context) {
        let Some((later, path)) = &self.watching else { return };
        match later.try_recv() {
            Ok(why) => {
                let path = path.clone();
                match self.document.as_mut().filter(|d| d.path == path) {
                    Some(document) => document.not_opened = Some(why),
                    None => self.message = Some(Message::warning(self.not_opened(&path, why))),
                }
                self.watching = None;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(200));
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => self.watching = None,
        }
    }

    /// What opening a screen asks the core for.
    fn open(&mut self, screen: Screen) -> Vec<Request> {
        self.screen = screen;
        self.message = None;
        self.document = None;
        match screen {
            Screen::Dashboard => vec![Request::Today, Request::Dashboard],
            Screen::Applicants => {
                self.applicants.focus_search = true;
                vec![self.applicants.restart()]
            }
            Screen::Dossiers => {
                self.dossiers.focus_search = true;
                let role = self.session.as_ref().map(|s| s.role);
                role.and_then(|role| self.dossiers.list.request(role)).into_iter().collect()
            }
            Screen::Projects => vec![self.projects.request()],
            Screen::Programmes => vec![Request::Programmes],
            Screen::Certificates => vec![Request::Certificates],
            Screen::Commission => self.commission.requests(),
            Screen::Sync => vec![Request::SyncStatus],
            Screen::Reports => self.reports.query_for(self.session.as_ref().map(|s| s.today)).into_iter().collect(),
            Screen::Settings => {
                self.settings.message = None;
                let may_see_users =
                    self.session.as_ref().is_some_and(|s| permits(s.role, Action::ManageUsers, &s.site).is_ok());
                let may_link =
                    self.session.as_ref().is_some_and(|s| permits(s.role, Action::EnrollSites, &s.site).is_ok());
                let mut requests =
                    vec![Request::PrintMargins, Request::Cndp, Request::RetentionYears, Request::TodayThresholds];
                if may_see_users {
                    requests.push(Request::Users);
                }
                if may_link {
                    requests.push(Request::Links);
                }
                requests
            }
        }
    }

    fn logout(&mut self) {
        self.session = None;
        // The next log-in (maybe another person's) starts on the dashboard.
        self.screen = Screen::Dashboard;
        self.phase = Phase::Login(login::LoginForm::default());
        self.dashboard.clear();
        self.applicants = applicants::ApplicantsState::default();
        self.dossiers = dossiers::DossiersState::default();
        self.projects = projects::ProjectsState::default();
        self.programmes = programmes::ProgrammesState::default();
        self.certificates = certificates::CertificatesState::default();
        self.reports = reports::ReportsState::default();
        self.sync = sync::SyncState::default();
        self.commission = commission::CommissionState::default();
        self.settings = settings::SettingsForm::default();
    }

    fn handle(&mut self, reply: Reply) {
        // After a logout, what the previous session asked for is of no use to the next user.
        if self.session.is_none() && !matches!(reply, Reply::Session(_) | Reply::DemoCreated(_) | Reply::Restored(_)) {
            return;
        }
        // A reason added to the commission's list: the session's list follows (the combos read it).
        if let (Reply::ReasonAdded(Ok(reasons)), Some(session)) = (&reply, self.session.as_mut()) {
            session.reasons = reasons.clone();
        }
        let Some(reply) = route(&mut self.applicants, &mut self.backend, reply) else { return };
        let Some(reply) = route(&mut self.projects, &mut self.backend, reply) else { return };
        let Some(reply) = route(&mut self.settings, &mut self.backend, reply) else { return };
        let Some(reply) = route(&mut self.programmes, &mut self.backend, reply) else { return };
        let Some(reply) = route(&mut self.sync, &mut self.backend, reply) else { return };
        let Some(reply) = route(&mut self.certificates, &mut self.backend, reply) else { return };
        let Some(reply) = route(&mut self.commission, &mut self.backend, reply) else { return };
        let Some(reply) = route(&mut self.reports, &mut self.backend, reply) else { return };
        if dossiers::DossiersState::takes(&reply) {
            let role = self.session.as_ref().map_or(crate::domain::role::Role::Clerk, |s| s.role);
            match self.dossiers.apply(reply, role) {
                dossiers::Applied::Done => {}
                dossiers::Applied::Shown => {
                    self.screen = Screen::Dossiers;
                    self.backend.send(Request::Dashboard);
                }
                dossiers::Applied::Changed(requests) => {
                    requests.into_iter().for_each(|r| self.backend.send(r));
                    self.backend.send(Request::Dashboard);
                }
            }
            return;
        }
        match reply {
            Reply::Session(Ok(info)) => {
                self.site_name = format!("{} — {}", info.site.code, info.site.name);
                self.session = Some(info);
                self.phase = Phase::Main;
                let mut requests = self.open(self.screen);
                if self.screen != Screen::Dashboard {
                    requests.push(Request::Dashboard);
                }
                // Start-up did only cheap checks; the full one runs now, off the window's thread,
                // then the daily backup if it is due.
                requests.push(Request::Check);
                requests.push(Request::AutoBackup);
                for request in requests {
                    self.start(request);
                }
            }
            Reply::Session(Err(error)) => match &mut self.phase {
                Phase::Setup(form) => match error {
                    crate::app::AppError::Invalid(errors) => form.errors = errors,
                    other => form.message = Some(Message::error(other.to_string())),
                },
                Phase::Login(form) => {
                    form.message = Some(Message::error(error.to_string()));
                    form.retry = true;
                }
                Phase::Main => self.message = Some(Message::error(error.to_string())),
            },
            Reply::Restored(result) => {
                let message = match result {
                    Ok(report) => {
                        let kept = report
                            .replaced
                            .map(|p| format!(" L'ancienne base est gardée : {}.", p.display()))
                            .unwrap_or_default();
                        let resync = if report.has_parent {
                            " Ce site dépend d'une délégation : après la connexion, demandez une resynchronisation (écran Synchronisation)."
                        } else {
                            ""
                        };
                        self.alarm = None;
                        Message::ok(format!(
                            "Sauvegarde de {} du {} restaurée et vérifiée.{kept}{resync} Connectez-vous.",
                            report.site, report.made_at
                        ))
                    }
                    Err(e) => Message::error(e.to_string()),
                };
                if let Phase::Login(form) = &mut self.phase {
                    if matches!(message.kind, widgets::MessageKind::Ok) {
                        form.restore = None;
                    }
                    form.message = Some(message);
                }
            }
            Reply::DemoCreated(result) => {
                let message = match result {
                    Ok(summary) => Message::ok(summary),
                    Err(e) => Message::error(e.to_string()),
                };
                let form = login::LoginForm { message: Some(message), ..login::LoginForm::default() };
                self.site_name = "BL-DEMO — Bureau local de démonstration (Tiznit)".into();
                self.phase = Phase::Login(form);
            }
            Reply::Today(result) => match result {
                Ok(items) => self.dashboard.today = Some(items),
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::Dashboard(result) => match result {
                Ok(stats) => self.dashboard.stats = Some(stats),
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::ProjectSaved(result) => match result {
                Ok(promoter) => {
                    self.applicants.project_form = None;
                    self.applicants.message = Some(Message::ok("Projet enregistré."));
                    self.backend.send(Request::Applicant(promoter));
                    if let Some(edited) = self.projects.form.take().and_then(|f| f.editing) {
                        self.projects.message = Some(Message::ok("Projet modifié."));
                        self.backend.send(Request::Project(edited));
                        self.backend.send(self.projects.request());
                    }
                    self.backend.send(Request::Dashboard);
                }
                Err(crate::app::AppError::Invalid(errors)) => {
                    if let Some(form) = self.applicants.project_form.as_mut().or(self.projects.form.as_mut()) {
                        form.errors = errors;
                    }
                }
                Err(e) => {
                    let message = Some(Message::error(e.to_string()));
                    self.applicants.message.clone_from(&message);
                    self.projects.message = message;
                }
            },
            Reply::BackupProgress(progress) => self.backup = Some(progress),
            Reply::BackedUp(result) => {
                // The daily backup ends quietly (its line in the bar goes); one asked for on the
                // settings screen says where it went.
                self.backup = None;
                match result {
                    Ok(Some(path)) if self.screen == Screen::Settings => {
                        self.message = Some(Message::ok(format!("Sauvegarde écrite et relue : {}", path.display())));
                    }
                    Ok(_) => {}
                    Err(e) => self.message = Some(Message::error(format!("Sauvegarde impossible : {e}"))),
                }
                // Today's work says how old the last backup is.
                if self.screen == Screen::Dashboard {
                    self.backend.send(Request::Today);
                }
            }
            Reply::DocumentWritten(result) => {
                if self.screen == Screen::Certificates {
                    self.backend.send(Request::Certificates);
                }
                // Printing prints: the document opens in the system's viewer; the bar above the
                // screen says so (or why not) and offers the other ways.
                match result {
                    Ok(path) => self.document = Some(self.hand_over(path)),
                    Err(e) => {
                        let message = Some(Message::error(e.to_string()));
                        match self.screen {
                            Screen::Certificates => self.certificates.message = message,
                            Screen::Reports => self.reports.message = message,
                            Screen::Applicants => self.applicants.message = message,
                            Screen::Dossiers => self.dossiers.message = message,
                            _ => self.message = message,
                        }
                    }
                }
            }
            Reply::KeysRotated(result) => match result {
                Ok(fingerprint) => {
                    // The keys this session opened are the old ones: the session opens again.
                    self.backend.send(Request::Logout);
                    self.logout();
                    if let Phase::Login(form) = &mut self.phase {
                        form.message = Some(Message::ok(format!(
                            "Nouvelles clés du site, empreinte {fingerprint} : le prochain paquet les annonce à la délégation. Reconnectez-vous."
                        )));
                    }
                }
                Err(e) => self.settings.links.message = Some(Message::error(e.to_string())),
            },
            Reply::Integrity { report, backups } => {
                let found = match report {
                    Ok(report) if report.is_sound() => return,
                    Ok(report) => format!(
                        "La vérification de la base a trouvé des anomalies ({})",
                        report
                            .integrity
                            .first()
                            .cloned()
                            .or_else(|| report.chain.problems.first().map(|p| p.message.clone()))
                            .unwrap_or_default()
                    ),
                    Err(e) => format!("Vérification de la base impossible ({e})"),
                };
                self.alarm = Some(Message::error(format!("{found}. {}", way_out(&backups))));
            }
            // The screens' own replies were handed to them above.
            other => debug_assert!(
                dossiers::DossiersState::takes(&other)
                    || <applicants::ApplicantsState as OwnReplies>::takes(&other)
                    || <projects::ProjectsState as OwnReplies>::takes(&other)
                    || <settings::SettingsForm as OwnReplies>::takes(&other)
                    || <programmes::ProgrammesState as OwnReplies>::takes(&other)
                    || <sync::SyncState as OwnReplies>::takes(&other)
                    || <certificates::CertificatesState as OwnReplies>::takes(&other)
                    || <reports::ReportsState as OwnReplies>::takes(&other),
                "a reply that no screen takes"
            ),
        }
    }
}

/// A screen that owns the replies to its requests: the window hands them over unread.
pub trait OwnReplies {
    /// Whether `reply` belongs to this screen.
    fn takes(reply: &Reply) -> bool;
    /// Applies a reply that belongs to it; returns what to ask next.
    fn apply(&mut self, reply: Reply) -> Vec<Request>;
}

/// Hands `reply` to `screen` when it is its own (its follow-up requests are sent); gives it back
/// otherwise.
fn route<S: OwnReplies>(screen: &mut S, backend: &mut Backend, reply: Reply) -> Option<Reply> {
    if !S::takes(&reply) {
        return Some(reply);
    }
    for request in screen.apply(reply) {
        backend.send(request);
    }
    None
}

/// One line for a backup in progress: its stage, the bytes done, how far, the time left.
fn backup_line(p: &crate::app::BackupProgress) -> String {
    let left = p.remaining().map(|d| match d.as_secs() {
        s if s < 60 => " — moins d'une minute".to_owned(),
        s => format!(" — environ {} min", s.div_ceil(60)),
    });
    let bytes = if p.total > 0 { format!(" {} sur {}", size_fr(p.done), size_fr(p.total)) } else { String::new() };
    format!(
        "Sauvegarde en cours : {}{bytes} ({:.0} %){}",
        p.stage.label_fr(),
        f64::from(p.fraction()) * 100.0,
        left.unwrap_or_default()
    )
}

/// A size as a French reader reads it: `850 Mo`, `3,1 Go`.
fn size_fr(bytes: u64) -> String {
    let mb = bytes as f64 / 1e6;
    if mb < 1000.0 { format!("{mb:.0} Mo") } else { format!("{:.1} Go", mb / 1000.0).replace('.', ",") }
}

/// What to do when the integrity check fails: restore the newest backup that passes (a restore
/// checks the backup before replacing anything, so trying the newest first is safe).
fn way_out(backups: &[PathBuf]) -> String {
    match backups.first() {
        Some(newest) => format!(
            "N'enregistrez plus rien : déconnectez-vous et, à l'écran de connexion, « Restaurer une sauvegarde… » avec la plus récente, {} ; si elle est refusée, essayez la précédente ({} sauvegarde(s) dans {}).",
            newest.display(),
            backups.len(),
            newest.parent().map(|d| d.display().to_string()).unwrap_or_default()
        ),
        None => "N'enregistrez plus rien et appelez la délégation : aucune sauvegarde automatique n'est sur ce PC (elle peut déchiffrer la dernière sauvegarde envoyée sur clé).".to_owned(),
    }
}

impl eframe::App for DaftarApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}
