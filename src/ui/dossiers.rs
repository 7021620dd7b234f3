//! Dossiers: the worklist (what waits for the user first, filtered, sorted and searched), one
//! dossier in detail with its checklist, history and funding, and the steps the core says the
//! user may take. The screen owns its requests and the replies to them ([`DossiersState::apply`]).

use eframe::egui::{self, RichText, Ui};

use super::backend::{Reply, Request, SessionInfo};
use super::bidi;
use super::theme;
use super::widgets::{self, Message};
use crate::app::{CertificateSubject, Document, DossierView, FollowUp, WorklistPage, WorklistQuery, WorklistSort};
use crate::domain::Money;
use crate::domain::dates::{format_date_fr, parse_date_fr};
use crate::domain::dossier::Status;
use crate::domain::funding::{FundingSource, Grant};
use crate::domain::project::ProjectKind;
use crate::domain::role::{Action, Role, permits};
use crate::reference::Reference;

/// Dossiers per page of the worklist.
pub const WORKLIST_PAGE: u32 = 50;

/// Which statuses the worklist shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Those that wait for the user's role.
    #[default]
    Waiting,
    /// Every status.
    All,
    /// One status.
    One(Status),
    /// The dossiers still instructed at the office (déposés and en instruction).
    Instructing,
}

impl StatusFilter {
    /// The filter that shows `statuses` (today's work says which).
    pub fn of(statuses: &[Status]) -> StatusFilter {
        match statuses {
            [one] => StatusFilter::One(*one),
            [Status::Depose, Status::EnInstruction] => StatusFilter::Instructing,
            _ => StatusFilter::All,
        }
    }
}

/// The worklist: its filters as chosen, and the page shown.
#[derive(Debug, Default)]
pub struct Worklist {
    /// Statuses shown.
    pub status: StatusFilter,
    /// The year, as typed (blank: every year).
    pub year: String,
    /// The project kind (none: every kind).
    pub kind: Option<ProjectKind>,
    /// The funding source kind (none: any).
    pub source: Option<&'static str>,
    /// Only the dossiers awaiting this follow-up (a line of today's work leads here).
    pub follow_up: Option<FollowUp>,
    /// What was typed in the search field.
    pub search: String,
    /// The order.
    pub sort: WorklistSort,
    /// Largest first.
    pub descending: bool,
    /// The page, from 0.
    pub page: u32,
    /// The page shown, once read.
    pub rows: Option<WorklistPage>,
    /// The query of the page shown: replies to older ones are ignored.
    pub generation: u64,
    /// A problem with the filters as typed.
    pub problem: Option<String>,
    /// The dossiers ticked for printing together, by number (kept across pages and filters).
    pub selected: std::collections::BTreeSet<String>,
    /// The query `rows` answer.
    pub answered: u64,
}

/// The funding sources the worklist filters on: kind code and French label.
const SOURCE_FILTERS: [(&str, &str); 4] =
    [("hcar", "Budget HCAR"), ("indh", "INDH"), ("convention", "Convention"), ("autre", "Autre secteur")];

impl Worklist {
    /// Whether the rows shown answer the newest query (the filters and search as they stand).
    pub fn up_to_date(&self) -> bool {
        self.rows.is_some() && self.answered == self.generation
    }

    /// The request for the page the filters describe (the next generation).
    pub fn request(&mut self, role: Role) -> Option<Request> {
        let year = self.year.trim();
        let year = if year.is_empty() {
            None
        } else {
            match year.parse::<i32>().ok().filter(|y| (1990..=2200).contains(y)) {
                Some(y) => Some(y),
                None => {
                    self.problem = Some(format!("Année : « {year} » n'est pas une année (par exemple 2026)."));
                    return None;
                }
            }
        };
        self.problem = None;
        self.generation += 1;
        let statuses = match self.status {
            StatusFilter::Waiting => role.waiting_dossiers().to_vec(),
            StatusFilter::All => vec![],
            StatusFilter::One(status) => vec![status],
            StatusFilter::Instructing => vec![Status::Depose, Status::EnInstruction],
        };
        let query = WorklistQuery {
            statuses,
            year,
            kind: self.kind,
            source: self.source.map(str::to_owned),
            follow_up: self.follow_up,
            office: None,
            search: self.search.clone(),
            sort: self.sort,
            descending: self.descending,
            page: self.page,
            page_size: WORKLIST_PAGE,
        };
        Some(Request::Worklist { query, generation: self.generation })
    }
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct DossiersState {
    /// The list of dossiers.
    pub list: Worklist,
    /// The commission's reasons (the shipped list and the delegation's), as the session knows them.
    pub reasons: Vec<crate::reference::Reason>,
    /// The dossier shown.
    pub view: Option<DossierView>,
    /// A request about the dossier shown is on its way: its buttons wait for the reply (a
    /// double click moves a dossier once).
    pub pending: bool,
    /// The rejection's reason chosen in the list (none: another reason, typed).
    pub reason_code: Option<String>,
    /// What is typed with it: a precision, or the whole reason when none of the list fits.
    pub reason: String,
    /// Amounts typed for an approval, and their detail (committee reference, convention code,
    /// sector), one per source family in [`SOURCES`] order.
    pub grants: [(String, String); 4],
    /// A funding line added to an approved dossier: source family, detail, amount, decision.
    pub extra: ExtraFunding,
    /// A message.
    pub message: Option<Message>,
    /// Put the cursor in the search field on the next frame.
    pub focus_search: bool,
    /// Amounts typed for disbursements, per funding line.
    pub disburse: std::collections::HashMap<uuid::Uuid, String>,
    /// Jobs seen at a follow-up visit (total, of which for the family).
    pub visit_jobs: (String, String),
    /// The amount asked for, as typed.
    pub requested: String,
    /// The deposit date, as typed.
    pub deposited_on: String,
    /// The programme it is presented under, as typed.
    pub programme: String,
    /// The reason typed for deleting the dossier.
    pub delete_reason: String,
    /// A decision or a deletion asked for, waiting for its confirmation.
    pub confirm: Option<Confirmation>,
    /// A received piece being taken back: its code, its label and the reason typed.
    pub untick: Option<(String, String, String)>,
    /// The request waiting for its reply is the edit of the request's fields.
    pub editing: bool,
    /// Those fields were saved and not changed since: said beside their button.
    pub edit_saved: bool,
}

/// What a reply the dossier screen took did.
pub enum Applied {
    /// A dossier is now shown: the window turns to this screen and refreshes the figures.
    Shown,
    /// The register changed: these requests follow, and the figures are refreshed.
    Changed(Vec<Request>),
    /// Nothing else to do.
    Done,
}

/// The source families a grant comes from: code, amount label, detail label (none for the
/// HCAR budget).
const SOURCES: [(&str, &str, Option<&str>); 4] = [
    ("hcar", "Montant accordé (budget HCAR)", None),
    ("indh", "Montant accordé (INDH)", Some("Référence du comité INDH")),
    ("convention", "Montant accordé (convention)", Some("Code de la convention")),
    ("autre", "Montant accordé (autre secteur)", Some("Secteur")),
];

/// A funding line to add to an approved dossier, as typed.
#[derive(Debug, Default)]
pub struct ExtraFunding {
    /// Source family code.
    pub kind: String,
    /// Committee reference, convention code or sector.
    pub detail: String,
    /// Amount.
    pub amount: String,
    /// Reference of the decision that grants it.
    pub decision_ref: String,
}

/// One grant from a typed amount and detail of the source family `kind`.
fn grant(kind: &str, amount: &str, detail: &str) -> Result<Grant, String> {
    let source =
        if kind == "hcar" { FundingSource::HcarBudget } else { FundingSource::parse(&format!("{kind}:{detail}"))? };
    Ok(Grant { amount: Money::parse_fr(amount).map_err(|e| format!("{source} : {e}"))?, source })
}

/// The grants typed for an approval: every source whose amount is filled in; at least one.
fn grants(typed: &[(String, String); 4]) -> Result<Vec<Grant>, String> {
    let grants = SOURCES
        .iter()
        .zip(typed)
        .filter(|(_, (amount, _))| !amount.trim().is_empty())
        .map(|((kind, _, _), (amount, detail))| grant(kind, amount, detail))
        .collect::<Result<Vec<_>, _>>()?;
    if grants.is_empty() {
        return Err("indiquez au moins un montant (budget HCAR, INDH, convention ou autre secteur).".into());
    }
    Ok(grants)
}

/// What the button that moves a dossier from `from` to `to` says.
fn verb(from: Status, to: Status) -> &'static str {
    match (from, to) {
        (Status::Complet, Status::EnInstruction) => "Remettre en instruction",
        (_, Status::EnInstruction) => "Mettre en instruction",
        (_, Status::Complet) => "Déclarer complet",
        (_, Status::Transmis) => "Transmettre à la commission",
        (_, Status::Approuve) => "Approuver",
        (_, Status::Rejete) => "Rejeter",
        (_, Status::Finance) => "Financer",
        (_, Status::Cloture) => "Clôturer",
        (_, Status::Depose) => "Déposer",
    }
}

impl DossiersState {
    /// Shows a dossier as the core returned it, forgetting what was typed for the previous one.
    pub fn show(&mut self, view: DossierView, message: Option<Message>) {
        self.requested = view.dossier.value.requested.map(|m| m.format_number_fr()).unwrap_or_default();
        self.deposited_on = format_date_fr(view.dossier.value.deposited_on);
        self.programme = view.dossier.value.programme.clone().unwrap_or_default();
        self.view = Some(view);
        self.pending = false;
        self.message = message;
        self.reason.clear();
        self.reason_code = None;
        self.grants = Default::default();
        self.extra = ExtraFunding::default();
        self.disburse.clear();
        self.visit_jobs = (String::new(), String::new());
        self.delete_reason.clear();
        self.confirm = None;
        self.untick = None;
        self.edit_saved = false;
    }

    /// Back to the list (read again: the dossier shown may have moved out of it).
    pub fn back_to_list(&mut self, role: Role) -> Option<Request> {
        self.view = None;
        self.pending = false;
        self.message = None;
        self.focus_search = true;
        self.list.request(role)
    }

    /// Whether `reply` belongs to this screen (then [`DossiersState::apply`] takes it).
    pub fn takes(reply: &Reply) -> bool {
        matches!(
            reply,
            Reply::Worklist { .. }
                | Reply::Dossier(_)
                | Reply::Moved(_)
                | Reply::VisitAdded(_)
                | Reply::DossierDeleted(_)
        )
    }

    /// Applies a reply that belongs to this screen (see [`DossiersState::takes`]).
    pub fn apply(&mut self, reply: Reply, role: Role) -> Applied {
        match reply {
            Reply::VisitAdded(Ok(view)) => {
                self.show(view, Some(Message::ok("Visite enregistrée.")));
                Applied::Done
            }
            Reply::DossierDeleted(Ok(())) => {
                let list = self.back_to_list(role);
                self.message =
                    Some(Message::ok("Dossier supprimé (la suppression, motivée, est transmise à la délégation)."));
                Applied::Changed(list.into_iter().collect())
            }
            Reply::VisitAdded(Err(e)) | Reply::DossierDeleted(Err(e)) => {
                self.pending = false;
                self.message = Some(Message::error(e.to_string()));
                Applied::Done
            }
            Reply::Worklist { generation, result } => {
                if generation == self.list.generation {
                    self.list.answered = generation;
                    match result {
                        Ok(page) => self.list.rows = Some(page),
                        Err(e) => self.message = Some(Message::error(e.to_string())),
                    }
                }
                Applied::Done
            }
            Reply::Dossier(result) | Reply::Moved(result) => {
                self.pending = false;
                let edited = std::mem::take(&mut self.editing);
                match result {
                    Ok(view) => {
                        self.show(view, None);
                        self.edit_saved = edited;
                        Applied::Shown
                    }
                    Err(e) => {
                        self.message = Some(Message::error(e.to_string()));
                        Applied::Done
                    }
                }
            }
            _ => Applied::Done,
        }
    }

    /// A request about the dossier shown: its buttons wait for the reply.
    fn ask(&mut self, requests: &mut Vec<Request>, request: Request) {
        self.pending = true;
        self.editing = matches!(request, Request::EditDossier { .. });
        requests.push(request);
    }
}

/// The screen: the worklist, or the dossier opened from it.
#[must_use]
pub fn dossiers_ui(ui: &mut Ui, state: &mut DossiersState, session: &SessionInfo) -> Vec<Request> {
    let mut requests = Vec::new();
    if state.reasons != session.reasons {
        state.reasons = session.reasons.clone();
    }
    if state.view.is_none() {
        worklist_ui(ui, state, session, &mut requests);
        return requests;
    }
    if ui.button("Retour à la liste des dossiers").clicked() {
        requests.extend(state.back_to_list(session.role));
        return requests;
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| dossier_ui(ui, state, &mut requests));
    requests
}

/// The list: filters, search, the column headers that sort, a page of dossiers, the pager.
fn worklist_ui(ui: &mut Ui, state: &mut DossiersState, session: &SessionInfo, requests: &mut Vec<Request>) {
    let list = &mut state.list;
    let mut changed = false;
    ui.horizontal(|ui| {
        ui.heading("Dossiers");
        if permits(session.role, Action::RecordDecision, &session.site).is_ok()
            && ui.button("Imprimer la liste de la commission").clicked()
        {
            requests.push(Request::Print(Document::CommissionList));
        }
    });
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Rechercher un dossier");
        let field = super::rtl_edit::singleline(ui, &mut list.search, 220.0, "numéro (2026-42), nom ou CIN")
            .labelled_by(label.id);
        if std::mem::take(&mut state.focus_search) {
            field.request_focus();
        }
        changed |= field.changed();
        // Enter opens the only dossier found.
        let only = list.rows.as_ref().and_then(|p| if let [only] = p.rows.as_slice() { Some(only.id) } else { None });
        if let Some(only) = only.filter(|_| field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))) {
            requests.push(Request::OpenDossierById(only));
        }
        let waiting = format!("À traiter ({})", session.role.label_fr().to_lowercase());
        let mut statuses = vec![
            (StatusFilter::Waiting, waiting),
            (StatusFilter::All, "Tous".to_owned()),
            (StatusFilter::Instructing, "À instruire (déposés et en instruction)".to_owned()),
        ];
        statuses.extend(Status::ALL.map(|s| (StatusFilter::One(s), s.label_fr().to_owned())));
        if filter_choice(ui, "Statut des dossiers", &mut list.status, &statuses) {
            // The follow-up chose its statuses: another choice leaves it.
            list.follow_up = None;
            changed = true;
        }
        let label = ui.label("Année de dépôt");
        changed |= ui
            .add(egui::TextEdit::singleline(&mut list.year).hint_text("toutes").desired_width(64.0))
            .labelled_by(label.id)
            .changed();
        let mut kinds = vec![(None, "Tous".to_owned())];
        kinds.extend(ProjectKind::ALL.map(|k| (Some(k), k.label_fr().to_owned())));
        changed |= filter_choice(ui, "Type de projet", &mut list.kind, &kinds);
        let mut sources = vec![(None, "Toutes".to_owned())];
        sources.extend(SOURCE_FILTERS.map(|(code, label)| (Some(code), label.to_owned())));
        changed |= filter_choice(ui, "Source de financement", &mut list.source, &sources);
    });
    if let Some(follow_up) = list.follow_up {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("Seulement les dossiers {}.", follow_up.label_fr())).strong());
            if ui.button("Retirer ce filtre").clicked() {
                list.follow_up = None;
                changed = true;
            }
        });
    } else if !list.search.trim().is_empty() {
        ui.label(RichText::new("La recherche porte sur tous les statuts.").weak());
    }
    if let Some(problem) = &list.problem {
        widgets::message(ui, &Message::error(problem.clone()));
    }
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    batch_print_ui(ui, list, session, requests);
    let mut sort_clicked = None;
    let mut open = None;
    // The person's and the project's columns share what the fixed columns leave (1024 px and up).
    // The fixed columns take 640 px with an amount in millions (« 1 234 567,00 DH »).
    let names_width = ((ui.available_width() - 640.0) / 2.0).clamp(110.0, 340.0);
    egui::ScrollArea::vertical().auto_shrink([false, false]).max_height(ui.available_height() - 36.0).show(ui, |ui| {
        egui::Grid::new("liste-dossiers").striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
            let page_numbers: Vec<String> =
                list.rows.as_ref().map(|p| p.rows.iter().map(|l| l.number.clone()).collect()).unwrap_or_default();
            let all = !page_numbers.is_empty() && page_numbers.iter().all(|n| list.selected.contains(n));
            let mut whole_page = all;
            if tick(ui, &mut whole_page, "Cocher toute la page") {
                for number in page_numbers {
                    if whole_page {
                        list.selected.insert(number);
                    } else {
                        list.selected.remove(&number);
                    }
                }
            }
            for (sort, title) in WorklistSort::ALL.into_iter().zip(COLUMN_TITLES) {
                ui.horizontal(|ui| {
                    if ui.button(RichText::new(title).strong()).clicked() {
                        sort_clicked = Some(sort);
                    }
                    if list.sort == sort {
                        sort_mark(ui, list.descending);
                    }
                });
            }
            ui.end_row();
            let Some(page) = &list.rows else {
                ui.label("Lecture…");
                ui.end_row();
                return;
            };
            for line in &page.rows {
                let mut ticked = list.selected.contains(&line.number);
                if tick(ui, &mut ticked, &format!("Cocher le dossier {}", line.number)) {
                    if ticked {
                        list.selected.insert(line.number.clone());
                    } else {
                        list.selected.remove(&line.number);
                    }
                }
                if ui.link(&line.number).clicked() {
                    open = Some(line.id);
                }
                ui.vertical(|ui| {
                    ui.set_width(names_width);
                    ui.add(egui::Label::new(&line.name).wrap());
                    if !line.name_ar.trim().is_empty() {
                        ui.add(egui::Label::new(bidi::visual(&line.name_ar)).wrap());
                    }
                    ui.label(RichText::new(&line.cin).weak());
                });
                ui.vertical(|ui| {
                    ui.set_width(names_width);
                    ui.add(egui::Label::new(&line.project).wrap());
                });
                ui.label(line.kind.abbrev_fr());
                ui.label(line.status.label_fr());
                ui.label(line.deposited_on.map(format_date_fr).unwrap_or_default());
                ui.label(line.amount.map(|m| m.to_string()).unwrap_or_default());
                ui.end_row();
            }
        });
        if list.rows.as_ref().is_some_and(|p| p.rows.is_empty()) {
            ui.label(if list.search.trim().is_empty() {
                "Aucun dossier ne répond à ces filtres."
            } else {
                "Aucun dossier trouvé : vérifiez le numéro, le nom ou la CIN."
            });
        }
    });
    ui.horizontal(|ui| {
        if ui.add_enabled(list.page > 0, egui::Button::new("Page précédente")).clicked() {
            list.page -= 1;
            requests.extend(list.request(session.role));
        }
        ui.label(format!("Page {}", list.page + 1));
        let more = list.rows.as_ref().is_some_and(|p| p.more);
        if ui.add_enabled(more, egui::Button::new("Page suivante")).clicked() {
            list.page += 1;
            requests.extend(list.request(session.role));
        }
    });
    if let Some(sort) = sort_clicked {
        list.descending = list.sort == sort && !list.descending;
        list.sort = sort;
        changed = true;
    }
    if changed {
        list.page = 0;
        requests.extend(list.request(session.role));
    }
    if let Some(id) = open {
        requests.push(Request::OpenDossierById(id));
    }
}

/// A box without text whose name (for screen readers and tests) is `name`; true when clicked.
fn tick(ui: &mut Ui, on: &mut bool, name: &str) -> bool {
    let response = ui.add(egui::Checkbox::without_text(on)).on_hover_text(name);
    let checked = *on;
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::CheckBox, true, checked, name));
    response.changed()
}

/// The documents of the ticked dossiers, printed together as one PDF.
fn batch_print_ui(ui: &mut Ui, list: &mut Worklist, session: &SessionInfo, requests: &mut Vec<Request>) {
    let count = list.selected.len();
    ui.horizontal_wrapped(|ui| {
        ui.label(match count {
            0 => "Cochez des dossiers pour imprimer leurs documents ensemble :".to_owned(),
            n => format!("{n} dossier(s) coché(s) :"),
        });
        let numbers = || list.selected.iter().cloned().collect::<Vec<_>>();
        let may_receipts = permits(session.role, Action::RegisterDossier, &session.site).is_ok();
        if may_receipts
            && ui.add_enabled(count > 0, egui::Button::new(format!("Imprimer les récépissés ({count})"))).clicked()
        {
            requests.push(Request::Print(Document::Receipts(numbers())));
        }
        if ui.add_enabled(count > 0, egui::Button::new(format!("Imprimer les notifications ({count})"))).clicked() {
            requests.push(Request::Print(Document::DecisionNotices(numbers())));
        }
        // Certificates are numbered and signed: all of the ticked dossiers or none.
        if permits(session.role, Action::IssueCertificate, &session.site).is_ok()
            && ui.add_enabled(count > 0, egui::Button::new(format!("Délivrer les attestations ({count})"))).clicked()
        {
            requests.push(Request::IssueCertificates(numbers()));
        }
        if ui.add_enabled(count > 0, egui::Button::new("Tout décocher")).clicked() {
            list.selected.clear();
        }
    });
}

/// A decision or a deletion waiting for its confirmation.
pub struct Confirmation {
    /// The question: the act, the dossier, the person and the amount.
    question: String,
    /// The act, on the button that confirms it.
    act: &'static str,
    /// What is sent once confirmed.
    request: Request,
}

impl std::fmt::Debug for Confirmation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.question)
    }
}

impl Confirmation {
    /// Asks before `act` on the dossier of `view`, naming who and how much.
    fn of(view: &DossierView, act: &'static str, amount: Option<Money>, request: Request) -> Confirmation {
        let d = &view.dossier.value;
        let who = view.applicant.as_ref().map_or_else(String::new, |a| {
            let a = &a.value;
            let arabic = a.arabic_name();
            let arabic = if arabic.trim().is_empty() { String::new() } else { format!(" / {}", bidi::visual(&arabic)) };
            format!(" de {} {}{arabic} (CIN {})", a.last_name, a.first_name, a.cin)
        });
        let project = view.project.as_ref().map_or_else(String::new, |p| format!(", projet « {} »", p.value.name));
        let amount = amount.map_or_else(String::new, |m| format!(" — montant : {m}"));
        Confirmation { question: format!("{act} le dossier {}{who}{project}{amount} ?", d.number), act, request }
    }
}

/// The confirmation dialog: `Some(true)` confirmed, `Some(false)` cancelled, `None` still open.
fn confirm_ui(ui: &mut Ui, confirmation: &Confirmation) -> Option<bool> {
    let mut answer = None;
    egui::Modal::new(egui::Id::unique("confirmer-dossier")).show(ui.ctx(), |ui| {
        ui.set_max_width(520.0);
        ui.add(egui::Label::new(RichText::new(&confirmation.question).strong()).wrap());
        ui.label("Cet acte est enregistré au journal ; il ne se défait pas.");
        ui.horizontal(|ui| {
            if ui.button(format!("Confirmer : {}", confirmation.act.to_lowercase())).clicked() {
                answer = Some(true);
            }
            if ui.button("Annuler").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                answer = Some(false);
            }
        });
    });
    answer
}

/// A button that acts on the dossier shown: disabled while a request about it is on its way,
/// and deaf to the second click of a double click (which would land on whatever button took its
/// place once the reply came).
fn step(ui: &mut Ui, idle: bool, text: impl Into<egui::WidgetText>) -> bool {
    let response = ui.add_enabled(idle, egui::Button::new(text));
    response.clicked() && !response.double_clicked()
}

/// The reason asked for when a received piece is unticked, right under the pieces.
fn untick_ui(ui: &mut Ui, state: &mut DossiersState, requests: &mut Vec<Request>, id: uuid::Uuid) {
    let Some((code, label, reason)) = &mut state.untick else { return };
    // Some(Some(request)): taken back; Some(None): kept after all.
    let mut answer: Option<Option<Request>> = None;
    ui.group(|ui| {
        ui.add(egui::Label::new(RichText::new(format!("Retirer la pièce « {label} » ?")).strong()).wrap());
        let asked = ui.label("Motif du retrait (gardé dans l'historique)");
        ui.add(egui::TextEdit::singleline(reason).hint_text("cochée par erreur").desired_width(260.0))
            .labelled_by(asked.id);
        ui.horizontal(|ui| {
            if ui.add_enabled(!reason.trim().is_empty(), egui::Button::new("Retirer la pièce")).clicked() {
                let reason = reason.trim().to_owned();
                answer = Some(Some(Request::UnreceiveDocument { id, code: code.clone(), reason }));
            }
            if ui.button("Garder la pièce").clicked() {
                answer = Some(None);
            }
        });
    });
    if let Some(request) = answer {
        state.untick = None;
        if let Some(request) = request {
            state.ask(requests, request);
        }
    }
}

/// The small triangle beside the sorting column's title: up for ascending, down for descending.
fn sort_mark(ui: &mut Ui, descending: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    let (top, bottom) = (rect.top() + 1.0, rect.bottom() - 1.0);
    let (tip, base) = if descending { (bottom, top) } else { (top, bottom) };
    let points = vec![egui::pos2(rect.center().x, tip), egui::pos2(rect.left(), base), egui::pos2(rect.right(), base)];
    ui.painter().add(egui::Shape::convex_polygon(points, theme::ACCENT, egui::Stroke::NONE));
}

/// The worklist's column titles, in [`WorklistSort::ALL`] order.
const COLUMN_TITLES: [&str; 7] = ["Numéro", "Bénéficiaire", "Projet", "Type", "Statut", "Dépôt", "Montant"];

/// A compact choice among `options`; true when the user changed it.
fn filter_choice<T: PartialEq + Copy>(ui: &mut Ui, label: &str, value: &mut T, options: &[(T, String)]) -> bool {
    let name = ui.label(label);
    let shown = options.iter().find(|(v, _)| v == value).map_or("—", |(_, l)| l.as_str()).to_owned();
    let before = *value;
    egui::ComboBox::from_id_salt(("filtre", label))
        .selected_text(shown)
        .show_ui(ui, |ui| {
            for (v, l) in options {
                ui.selectable_value(value, *v, l);
            }
        })
        .response
        .labelled_by(name.id);
    *value != before
}

/// One dossier: who and what, the request, the checklist, the history, the funding, the steps.
fn dossier_ui(ui: &mut Ui, state: &mut DossiersState, requests: &mut Vec<Request>) {
    // Lent out for the frame (the fields typed are the state's), given back after.
    let Some(view) = state.view.take() else { return };
    dossier_page(ui, state, &view, requests);
    state.view = Some(view);
}

fn dossier_page(ui: &mut Ui, state: &mut DossiersState, view: &DossierView, requests: &mut Vec<Request>) {
    if let Some(confirmation) = state.confirm.take() {
        match confirm_ui(ui, &confirmation) {
            Some(true) => state.ask(requests, confirmation.request),
            Some(false) => {}
            None => state.confirm = Some(confirmation),
        }
    }
    let d = &view.dossier.value;
    let may = &view.may;
    ui.label(
        RichText::new(format!("{} — {} — {}", d.number, d.kind.label_fr(), d.status.label_fr())).size(18.0).strong(),
    );
    ui.horizontal_wrapped(|ui| {
        if let Some(a) = &view.applicant {
            let a = &a.value;
            ui.label(RichText::new(format!("{} {}", a.last_name, a.first_name)).strong());
            if !a.arabic_name().trim().is_empty() {
                ui.label(RichText::new(bidi::visual(&a.arabic_name())).strong());
            }
            ui.label(format!("CIN {}", a.cin));
        }
        if let Some(p) = &view.project {
            ui.separator();
            ui.add(egui::Label::new(format!("Projet : {} ({})", p.value.name, p.value.kind.label_fr())).wrap());
        }
    });
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    if let Some(decision) = view.decision.as_ref().filter(|_| d.status == Status::Transmis) {
        let what = if decision.value.approved {
            let total =
                decision.value.grants.iter().fold(Money::ZERO, |sum, g| sum.checked_add(g.amount).unwrap_or(sum));
            format!("approuvé ({total} accordés)")
        } else {
            format!(
                "rejeté — {}",
                crate::reference::reason_in_both(decision.value.reason.as_deref().unwrap_or(""), &state.reasons).0
            )
        };
        widgets::message(
            ui,
            &Message::ok(format!(
                "Décision de la commission du {} : {what}. Elle parviendra au bureau {} dans la prochaine réponse.",
                format_date_fr(decision.value.decided_on),
                view.dossier.meta.owner
            )),
        );
    }
    if let Some(adjourned) = &view.adjourned {
        let (fr, ar) = crate::reference::reason_in_both(&adjourned.reason, &state.reasons);
        widgets::message(
            ui,
            &Message::ok(format!(
                "Ajourné par la commission le {} : {fr}. Le dossier reste transmis jusqu'à une prochaine session.",
                format_date_fr(adjourned.on)
            )),
        );
        ui.label(RichText::new(bidi::visual(&format!("مؤجل: {ar}"))));
    }
    let id = view.dossier.meta.id;
    let idle = !state.pending;
    if may.edit {
        ui.horizontal_wrapped(|ui| {
            let fields = [
                ("Date de dépôt", &mut state.deposited_on, 100.0),
                ("Montant demandé", &mut state.requested, 140.0),
                ("Programme visé (code)", &mut state.programme, 110.0),
            ];
            for (name, value, width) in fields {
                let label = ui.label(name);
                if ui.add(egui::TextEdit::singleline(value).desired_width(width)).labelled_by(label.id).changed() {
                    state.edit_saved = false;
                }
            }
            let save = step(ui, idle, "Enregistrer la demande");
            if state.edit_saved {
                // Beside the button, so that nothing above it moves.
                ui.label(RichText::new("Demande enregistrée").color(theme::OK));
            }
            if save {
                let requested = Some(state.requested.trim())
                    .filter(|r| !r.is_empty())
                    .map(Money::parse_fr)
                    .transpose()
                    .map_err(|e| format!("Montant demandé : {e}"));
                let deposited = parse_date_fr(&state.deposited_on).map_err(|e| format!("Date de dépôt : {e}"));
                match (requested, deposited) {
                    (Ok(requested), Ok(on)) => {
                        let programme = Some(state.programme.trim().to_owned());
                        state.ask(requests, Request::EditDossier { id, requested, deposited_on: Some(on), programme });
                    }
                    (Err(e), _) | (_, Err(e)) => state.message = Some(Message::error(e)),
                }
            }
        });
    } else {
        ui.label(format!("Déposé le {}", format_date_fr(d.deposited_on)));
        if let Some(requested) = d.requested {
            ui.label(format!("Montant demandé : {requested}"));
        }
        if let Some(programme) = &d.programme {
            ui.label(format!("Présenté au titre du programme {programme}"));
        }
    }
    ui.columns(2, |columns| {
        columns[0].with_layout(widgets::unjustified(), |ui| {
            ui.label(RichText::new("Pièces").strong());
            // The names' width, taken once: the column grows as its lines are laid out.
            let names_width = (ui.available_width() - PIECE_STATE_WIDTH).max(120.0);
            for (item, received) in &view.checklist {
                let mut ticked = received.is_some();
                // A piece ticked by mistake is taken back while the dossier is instructed, with a reason.
                let enabled = idle && may.edit && (received.is_none() || d.status < Status::Complet);
                let state_line = piece_state(*received, item.required);
                if piece_line(ui, names_width, enabled, &mut ticked, &item.label_fr, state_line).changed() {
                    if ticked {
                        state.ask(requests, Request::ReceiveDocuments { id, codes: vec![item.code.clone()] });
                    } else {
                        state.untick = Some((item.code.clone(), item.label_fr.clone(), String::new()));
                    }
                }
            }
            untick_ui(ui, state, requests, id);
        });
        columns[1].with_layout(widgets::unjustified(), |ui| {
            ui.label(RichText::new("Historique").strong());
            for t in &d.history {
                let reason = t
                    .reason
                    .as_deref()
                    .map(|r| format!(" — {}", crate::reference::reason_in_both(r, &state.reasons).0))
                    .unwrap_or_default();
                ui.add(
                    egui::Label::new(format!(
                        "{} : de « {} » à « {} » ({}){reason}",
                        t.on.format("%d/%m/%Y"),
                        t.from.label_fr(),
                        t.to.label_fr(),
                        t.by
                    ))
                    .wrap(),
                );
            }
            ui.add_space(6.0);
            ui.label(RichText::new("Financements").strong());
            for (line, paid) in &view.funding {
                let committed = line.value.committed;
                let paid_total = paid.iter().fold(Money::ZERO, |sum, p| sum.checked_add(p.value.amount).unwrap_or(sum));
                let rest = committed.checked_sub(paid_total).unwrap_or(Money::ZERO);
                let source = &line.value.source;
                let line_text = if paid.is_empty() {
                    format!("{source} : {committed} engagés, rien de versé")
                } else if rest == Money::ZERO {
                    format!("{source} : {committed} engagés, entièrement versés")
                } else {
                    format!("{source} : {committed} engagés, {paid_total} versés, reste {rest}")
                };
                ui.add(egui::Label::new(line_text).wrap());
                for p in paid {
                    ui.label(format!(
                        "   tranche {} du {} : {}",
                        p.value.tranche,
                        p.value.paid_on.format("%d/%m/%Y"),
                        p.value.amount
                    ));
                }
                if may.pay && rest > Money::ZERO {
                    ui.horizontal_wrapped(|ui| {
                        let label = ui.label(format!("Montant à décaisser ({})", line.value.source));
                        let amount = state.disburse.entry(line.meta.id).or_default();
                        ui.add(egui::TextEdit::singleline(amount).desired_width(120.0)).labelled_by(label.id);
                        if step(ui, idle, format!("Décaisser ({})", line.value.source)) {
                            match Money::parse_fr(amount) {
                                Ok(amount) => {
                                    state.ask(requests, Request::Disburse { dossier: id, line: line.meta.id, amount });
                                }
                                Err(e) => state.message = Some(Message::error(e)),
                            }
                        }
                    });
                }
            }
        });
    });
    if may.add_funding {
        let added = extra_funding_ui(ui, &mut state.extra, id, &mut state.message);
        for request in added {
            state.ask(requests, request);
        }
    }
    if may.visit {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Visite de suivi : emplois constatés");
            ui.add(egui::TextEdit::singleline(&mut state.visit_jobs.0).desired_width(60.0)).labelled_by(label.id);
            let label = ui.label("dont famille");
            ui.add(egui::TextEdit::singleline(&mut state.visit_jobs.1).desired_width(60.0)).labelled_by(label.id);
            if step(ui, idle, "Enregistrer la visite") {
                let (jobs_total, jobs_family) = state.visit_jobs.clone();
                state.ask(requests, Request::AddVisit { dossier: id, project: d.project_id, jobs_total, jobs_family });
            }
        });
    }
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        for &to in &may.moves {
            if to == Status::Rejete {
                reason_ui(ui, state);
            }
            if to == Status::Approuve {
                ui.vertical(|ui| {
                    for ((_, amount_label, detail_label), (amount, detail)) in SOURCES.iter().zip(&mut state.grants) {
                        ui.horizontal_wrapped(|ui| {
                            let label = ui.label(*amount_label);
                            ui.add(egui::TextEdit::singleline(amount).desired_width(120.0)).labelled_by(label.id);
                            if let Some(detail_label) = detail_label {
                                let label = ui.label(*detail_label);
                                ui.add(egui::TextEdit::singleline(detail).desired_width(160.0)).labelled_by(label.id);
                            }
                        });
                    }
                });
            }
            if step(ui, idle, verb(d.status, to)) {
                let grants = if to == Status::Approuve {
                    match grants(&state.grants) {
                        Ok(grants) => grants,
                        Err(e) => {
                            state.message = Some(Message::error(format!("Montant accordé : {e}")));
                            continue;
                        }
                    }
                } else {
                    vec![]
                };
                // The reason belongs to the rejection only: a code of the list (with its
                // precision), or the reason typed.
                let typed = state.reason.trim();
                let reason = match (&state.reason_code, typed) {
                    (Some(code), "") => Some(code.clone()),
                    (Some(code), note) => Some(format!("{code}: {note}")),
                    (None, typed) => Some(typed.to_owned()).filter(|r| !r.is_empty()),
                }
                .filter(|_| to == Status::Rejete);
                let granted = grants.iter().fold(Money::ZERO, |sum, g| sum.checked_add(g.amount).unwrap_or(sum));
                let request = Request::MoveDossier { id, to, reason, grants };
                if matches!(to, Status::Approuve | Status::Rejete | Status::Cloture) {
                    let amount = if to == Status::Approuve { Some(granted) } else { d.requested };
                    state.confirm = Some(Confirmation::of(view, verb(d.status, to), amount, request));
                } else {
                    state.ask(requests, request);
                }
            }
        }
    });
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        let number = d.number.to_string();
        let mut print = |document| requests.push(Request::Print(document));
        if may.print_receipt && ui.button("Imprimer le récépissé").clicked() {
            print(Document::Receipt(number.clone()));
        }
        if ui.button("Imprimer la fiche dossier").clicked() {
            print(Document::Sheet(number.clone()));
        }
        if view.decision.is_some() && ui.button("Imprimer la notification de décision").clicked() {
            print(Document::DecisionNotice(number.clone()));
        }
        if may.certify && ui.button("Délivrer l'attestation de bénéficiaire").clicked() {
            requests.push(Request::IssueCertificate(CertificateSubject::Dossier(number.clone())));
        }
    });
    if may.delete {
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Motif de suppression du dossier");
            ui.add(egui::TextEdit::singleline(&mut state.delete_reason).desired_width(240.0)).labelled_by(label.id);
            if step(ui, idle, "Supprimer le dossier") {
                if state.delete_reason.trim().is_empty() {
                    state.message =
                        Some(Message::error("La suppression doit être motivée : indiquez le motif, puis supprimez."));
                } else {
                    let request = Request::DeleteDossier { id, reason: state.delete_reason.clone() };
                    state.confirm = Some(Confirmation::of(view, "Supprimer", d.requested, request));
                }
            }
        });
    }
}

/// The form that adds a co-funding line to an approved dossier.
fn extra_funding_ui(
    ui: &mut Ui,
    extra: &mut ExtraFunding,
    id: uuid::Uuid,
    message: &mut Option<Message>,
) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.separator();
    ui.label(RichText::new("Ajouter un cofinancement").strong());
    ui.horizontal_wrapped(|ui| {
        let sources: Vec<(String, String)> =
            Reference::shipped().funding_sources.iter().map(|s| (s.code.clone(), s.label_fr.clone())).collect();
        widgets::choice(ui, "Source du cofinancement", &mut extra.kind, &sources, None);
        let detail = SOURCES.iter().find(|(code, _, _)| *code == extra.kind).and_then(|(_, _, detail)| *detail);
        if let Some(detail_label) = detail {
            let label = ui.label(detail_label);
            ui.add(egui::TextEdit::singleline(&mut extra.detail).desired_width(140.0)).labelled_by(label.id);
        }
        let label = ui.label("Montant du cofinancement");
        ui.add(egui::TextEdit::singleline(&mut extra.amount).desired_width(120.0)).labelled_by(label.id);
        let label = ui.label("Référence de la décision");
        ui.add(egui::TextEdit::singleline(&mut extra.decision_ref).desired_width(140.0)).labelled_by(label.id);
        if ui.button("Ajouter le financement").clicked() {
            if extra.kind.is_empty() {
                *message = Some(Message::error("Cofinancement : choisissez la source."));
            } else {
                match grant(&extra.kind, &extra.amount, &extra.detail) {
                    Ok(grant) => {
                        let decision_ref = Some(extra.decision_ref.trim().to_owned()).filter(|r| !r.is_empty());
                        requests.push(Request::AddFunding { id, grant, decision_ref });
                    }
                    Err(e) => *message = Some(Message::error(format!("Cofinancement : {e}"))),
                }
            }
        }
    });
    requests
}

/// The rejection's reason: one of the commission's list (printed in both languages on the
/// notification) with a precision, or another reason typed.
fn reason_ui(ui: &mut Ui, state: &mut DossiersState) {
    let reasons: Vec<crate::reference::Reason> =
        state.reasons.iter().filter(|r| r.used_for == "rejet").cloned().collect();
    let shown = state
        .reason_code
        .as_deref()
        .and_then(|code| reasons.iter().find(|r| r.code == code))
        .map_or("Autre motif (à préciser)", |r| r.label_fr.as_str());
    let label = ui.label("Motif du rejet");
    egui::ComboBox::from_id_salt("motif-rejet")
        .selected_text(shown)
        .width(260.0)
        .show_ui(ui, |ui| {
            for reason in &reasons {
                ui.selectable_value(&mut state.reason_code, Some(reason.code.clone()), &reason.label_fr);
            }
            ui.selectable_value(&mut state.reason_code, None, "Autre motif (à préciser)");
        })
        .response
        .labelled_by(label.id);
    let hint = if state.reason_code.is_some() { "précision (facultative)" } else { "le motif, en clair" };
    let label = ui.label(if state.reason_code.is_some() { "Précision" } else { "Motif" });
    ui.add(egui::TextEdit::singleline(&mut state.reason).hint_text(hint).desired_width(200.0)).labelled_by(label.id);
}

/// What a piece's line says of it: « reçue le … », « manquante » (required) or « facultative ».
fn piece_state(received: Option<chrono::NaiveDate>, required: bool) -> RichText {
    match received {
        Some(on) => RichText::new(format!("reçue le {}", on.format("%d/%m/%Y"))).color(theme::OK),
        None if required => RichText::new("manquante").color(theme::ERROR).strong(),
        None => RichText::new("facultative").weak(),
    }
}

/// The width kept on a piece's line for its state (« reçue le 00/00/0000 »).
const PIECE_STATE_WIDTH: f32 = 140.0;

/// One piece: its box and its name, wrapped in `width` whatever its state, then its state on the
/// name's first line. Ticking a piece changes only its state, so that the next line stays where
/// the clerk's next click goes.
fn piece_line(
    ui: &mut Ui,
    width: f32,
    enabled: bool,
    ticked: &mut bool,
    name: &str,
    state: RichText,
) -> egui::Response {
    ui.with_layout(egui::Layout::left_to_right(egui::Align::Min), |ui| {
        let response = ui
            .allocate_ui(egui::vec2(width, 0.0), |ui| {
                ui.set_width(width);
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
                ui.add_enabled(enabled, egui::Checkbox::new(ticked, name))
            })
            .inner;
        ui.label(state);
        response
    })
    .inner
}
