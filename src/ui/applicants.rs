//! Bénéficiaires: search as you type over the whole register (a paged, virtualised list), the
//! detail of one applicant, and the form with search before create.

use std::collections::{HashMap, HashSet};

use eframe::egui::{self, RichText, Ui};
use uuid::Uuid;

use super::backend::{Reply, Request};
use super::cross_duplicates::{CrossState, cross_duplicates_ui};
use super::projects::{ProjectForm, project_form_ui};
use super::widgets::{self, Help, Message};
use super::{bidi, rtl_edit, theme};
use crate::app::{AppError, ApplicantDetail, Document};
use crate::app::{ApplicantLine, CardRef, DuplicateCandidate, HitCount};
use crate::domain::FieldErrors;
use crate::domain::applicant::{ApplicantDraft, Relationship};
use crate::domain::dossier::Status;
use crate::reference::Reference;

/// Rows asked for at a time.
pub const PAGE_SIZE: u32 = 100;
const ROW_HEIGHT: f32 = 22.0;

/// The screen's state.
#[derive(Debug, Default)]
pub struct ApplicantsState {
    /// What is typed in the search box.
    pub query: String,
    /// At a delegation: only this office's applicants (empty: all).
    pub office: String,
    /// The query's generation: replies of older queries are dropped.
    pub generation: u64,
    /// How many rows match.
    pub total: Option<HitCount>,
    /// Pages received for the current query.
    pub pages: HashMap<u32, Vec<ApplicantLine>>,
    /// Pages asked for and not yet received.
    pub pending: HashSet<u32>,
    /// The applicant shown on the right.
    pub detail: Option<ApplicantDetail>,
    /// The form, when one is open.
    pub form: Option<ApplicantForm>,
    /// A message above the list.
    pub message: Option<Message>,
    /// Put the cursor in the search box on the next frame.
    pub focus_search: bool,
    /// The project form, when one is open (for the applicant shown).
    pub project_form: Option<ProjectForm>,
    /// The spreadsheet import, when opened.
    pub import: Option<super::csv::CsvImportState>,
    /// The project for which a second dossier was asked: the question is shown.
    pub second_dossier: Option<Uuid>,
    /// The reason typed for deleting the applicant shown.
    pub delete_reason: String,
    /// At a delegation: the office chosen to transfer the applicant shown to.
    pub transfer_to: String,
    /// The reason typed for that transfer.
    pub transfer_reason: String,
    /// At a delegation: the duplicates between offices, when that panel is open.
    pub cross: Option<CrossState>,
    /// This site's code: at an office, a person transferred to another office says so.
    pub here: String,
    /// Today, at the office (a birth date is checked against it as it is typed).
    pub today: Option<chrono::NaiveDate>,
}

/// The applicant form.
#[derive(Debug, Default, Clone)]
pub struct ApplicantForm {
    /// The fields.
    pub draft: ApplicantDraft,
    /// The card the applicant depends on.
    pub card: CardRef,
    /// The applicant being edited (`None`: a new one).
    pub editing: Option<Uuid>,
    /// Field errors from the core.
    pub errors: FieldErrors,
    /// Warnings from the check.
    pub warnings: Vec<String>,
    /// Possible duplicates from the check.
    pub duplicates: Vec<DuplicateCandidate>,
    /// Why it is another person, when duplicates were found.
    pub reason: String,
    /// Something was typed since the form opened.
    pub dirty: bool,
    /// The user asked to leave a dirty form: ask for confirmation.
    pub confirm_leave: bool,
    /// The cursor was put in the first field.
    pub focused: bool,
    /// A save was sent and its answer has not come back: a second Enter does nothing.
    pub saving: bool,
    /// The identity (CIN, names, birth date) last searched for duplicates by itself.
    pub searched: Option<String>,
    /// The save stopped on possible duplicates: the cursor goes to the reason.
    pub focus_reason: bool,
}

impl ApplicantsState {
    /// Starts a new query: forgets the pages and asks for the first one.
    pub fn restart(&mut self) -> Request {
        self.generation += 1;
        self.pages.clear();
        self.pending.clear();
        self.pending.insert(0);
        Request::Search {
            query: self.query.clone(),
            office: self.office_filter(),
            page: 0,
            page_size: PAGE_SIZE,
            generation: self.generation,
        }
    }

    fn office_filter(&self) -> Option<String> {
        Some(self.office.trim().to_uppercase()).filter(|o| !o.is_empty())
    }

    /// Keeps a page that arrived, if it belongs to the current query.
    pub fn receive(&mut self, generation: u64, page: u32, rows: Vec<ApplicantLine>, total: HitCount) {
        if generation != self.generation {
            return;
        }
        // A short page ends the list, whatever the count said (rows deleted meanwhile): the
        // list must not ask for rows that are not there, frame after frame.
        let total = match total {
            HitCount::Exactly(n) if rows.len() < PAGE_SIZE as usize => {
                HitCount::Exactly(n.min(i64::from(page) * i64::from(PAGE_SIZE) + rows.len() as i64))
            }
            other => other,
        };
        self.pending.remove(&page);
        self.pages.insert(page, rows);
        self.total = Some(total);
    }

    /// Where the applicant `id` stands in the pages read so far.
    fn index_of(&self, id: Uuid) -> Option<usize> {
        self.pages.iter().find_map(|(page, rows)| {
            rows.iter().position(|l| l.id == id).map(|i| *page as usize * PAGE_SIZE as usize + i)
        })
    }

    fn row(&self, index: usize) -> Option<&ApplicantLine> {
        let page = u32::try_from(index / PAGE_SIZE as usize).ok()?;
        self.pages.get(&page)?.get(index % PAGE_SIZE as usize)
    }
}

fn rows_reachable(total: HitCount) -> usize {
    match total {
        HitCount::Exactly(n) | HitCount::MoreThan(n) => usize::try_from(n).unwrap_or(0),
    }
}

/// What the user may do on this screen.
#[derive(Debug, Clone, Copy)]
pub struct Rights {
    /// Register and edit applicants and projects.
    pub register: bool,
    /// Delete (with a reason).
    pub delete: bool,
    /// The register holds several offices (a delegation): it can be read office by office.
    pub offices: bool,
    /// Transfer applicants between offices (a delegation).
    pub arbitrate: bool,
    /// Import spreadsheets.
    pub import: bool,
}

/// The screen.
#[must_use]
pub fn applicants_ui(ui: &mut Ui, state: &mut ApplicantsState, rights: Rights) -> Vec<Request> {
    let can_register = rights.register;
    let mut requests = Vec::new();
    let (ctrl_f, ctrl_n) = ui.input(|i| {
        (i.modifiers.command && i.key_pressed(egui::Key::F), i.modifiers.command && i.key_pressed(egui::Key::N))
    });
    if ctrl_n && can_register && state.form.is_none() {
        state.form = Some(ApplicantForm::default());
    }
    if let Some(form) = &mut state.form {
        let (form_requests, closed) = form_ui(ui, form, state.today);
        requests.extend(form_requests);
        if closed {
            state.form = None;
        }
        return requests;
    }
    if let Some(import) = &mut state.import {
        let (import_requests, closed) = super::csv::csv_import_ui(ui, import);
        requests.extend(import_requests);
        if closed {
            state.import = None;
        }
        return requests;
    }
    if let Some(cross) = &mut state.cross {
        let (cross_requests, closed) = cross_duplicates_ui(ui, cross);
        requests.extend(cross_requests);
        if closed {
            state.cross = None;
        }
        return requests;
    }
    ui.horizontal(|ui| {
        ui.heading("Bénéficiaires");
        if can_register && ui.button("Nouveau bénéficiaire (Ctrl+N)").clicked() {
            state.form = Some(ApplicantForm::default());
        }
        if rights.import && ui.button("Importer un tableur…").clicked() {
            state.import = Some(super::csv::CsvImportState::default());
        }
        if rights.arbitrate && ui.button("Doublons entre bureaux").clicked() {
            state.cross = Some(CrossState::default());
            requests.push(Request::CrossOfficeDuplicates);
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Rechercher");
        let search = rtl_edit::singleline(ui, &mut state.query, 360.0, "nom, CIN, téléphone ou date de naissance")
            .labelled_by(label.id);
        if ctrl_f || state.focus_search {
            search.request_focus();
            state.focus_search = false;
        }
        // The arrows walk the results from the search field; Enter opens the first one.
        if search.has_focus() || search.lost_focus() {
            let (down, up, enter) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::ArrowDown),
                    i.key_pressed(egui::Key::ArrowUp),
                    i.key_pressed(egui::Key::Enter),
                )
            });
            let shown = state.detail.as_ref().and_then(|d| state.index_of(d.row.meta.id));
            let next = match (down, up, enter, shown) {
                (true, _, _, Some(i)) => Some(i + 1),
                (_, true, _, Some(i)) => i.checked_sub(1),
                (true, _, _, None) | (_, _, true, None) => Some(0),
                _ => None,
            };
            if let Some(line) = next.and_then(|i| state.row(i)) {
                requests.push(Request::Applicant(line.id));
            }
            if enter {
                search.request_focus();
            }
        }
        let mut changed = search.changed();
        if rights.offices {
            let label = ui.label("Bureau ou délégation");
            let office = egui::TextEdit::singleline(&mut state.office).hint_text("tous").desired_width(120.0);
            changed |= ui.add(office).labelled_by(label.id).changed();
        }
        if changed {
            requests.push(state.restart());
        }
        if let Some(total) = state.total {
            ui.label(total.to_string());
            if matches!(total, HitCount::MoreThan(_)) {
                ui.label(RichText::new("précisez la recherche").weak());
            }
        }
    });
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    ui.separator();
    ui.columns(2, |columns| {
        requests.extend(list_ui(&mut columns[0], state, rights.offices));
        requests.extend(detail_ui(&mut columns[1], state, rights));
    });
    requests
}

fn list_ui(ui: &mut Ui, state: &mut ApplicantsState, at_delegation: bool) -> Vec<Request> {
    let mut requests = Vec::new();
    let total = state.total.map_or(0, rows_reachable);
    egui::ScrollArea::vertical().id_salt("liste-beneficiaires").auto_shrink(false).show_rows(
        ui,
        ROW_HEIGHT,
        total,
        |ui, range| {
            for index in range {
                match state.row(index).cloned() {
                    Some(line) => {
                        let birth = line.birth_date.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default();
                        let mut text =
                            format!("{}  {}  {}  {}", line.cin, line.name, bidi::visual(&line.name_ar), birth);
                        if !at_delegation && line.owner != state.here {
                            text.push_str(&format!("  (suivi par {})", line.owner));
                        }
                        let selected = state.detail.as_ref().is_some_and(|d| d.row.meta.id == line.id);
                        if ui.selectable_label(selected, text).clicked() {
                            requests.push(Request::Applicant(line.id));
                        }
                    }
                    None => {
                        let page = u32::try_from(index / PAGE_SIZE as usize).unwrap_or(0);
                        if state.pending.insert(page) {
                            requests.push(Request::Search {
                                query: state.query.clone(),
                                office: state.office_filter(),
                                page,
                                page_size: PAGE_SIZE,
                                generation: state.generation,
                            });
                        }
                        ui.label(RichText::new("…").weak());
                    }
                }
            }
        },
    );
    requests
}

fn detail_ui(ui: &mut Ui, state: &mut ApplicantsState, rights: Rights) -> Vec<Request> {
    let can_register = rights.register;
    let Some(detail) = &state.detail else {
        ui.label(RichText::new("Choisissez un bénéficiaire dans la liste.").weak());
        return Vec::new();
    };
    let a = &detail.row.value;
    ui.label(RichText::new(a.display_name()).size(20.0).strong());
    if !a.arabic_name().is_empty() {
        ui.label(RichText::new(bidi::visual(&a.arabic_name())).size(20.0));
    }
    egui::Grid::new("fiche-beneficiaire").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
        let mut row = |label: &str, value: String| {
            ui.label(RichText::new(label).weak());
            // Long values (the card holder in both scripts, an address) wrap at 1024 px.
            ui.add(egui::Label::new(bidi::visual(&value)).wrap());
            ui.end_row();
        };
        row("CIN", a.cin.to_string());
        row("Né(e) le", a.birth_date.format("%d/%m/%Y").to_string());
        row("Lien", a.relationship.label_fr().to_owned());
        if let Some(holder) = &detail.card_holder {
            row(
                "Carte de résistant",
                format!("{} — {} {}", holder.value.card_number, holder.value.name_latin, holder.value.name_arabic),
            );
        }
        row("Téléphone", a.phone.as_ref().map(|p| p.national()).unwrap_or_default());
        row("Adresse", format!("{} {}", a.address, a.commune).trim().to_owned());
        if let Some(code) = &a.province_code {
            row(
                "Province",
                Reference::shipped().province(code).map_or(code.clone(), |p| format!("{} {}", p.name_fr, p.name_ar)),
            );
        }
        row("Bureau", detail.row.meta.owner.clone());
    });
    let mut requests = Vec::new();
    ui.add_space(6.0);
    ui.label(RichText::new("Projets et dossiers").strong());
    if detail.projects.is_empty() {
        ui.label(RichText::new("Aucun projet.").weak());
    }
    for project in &detail.projects {
        ui.add(egui::Label::new(format!("{} — {}", project.value.name, project.value.kind.label_fr())).wrap());
        let dossiers: Vec<_> = detail.dossiers.iter().filter(|d| d.value.project_id == project.meta.id).collect();
        for d in &dossiers {
            ui.horizontal(|ui| {
                ui.add_space(12.0);
                if ui.link(format!("Dossier {}", d.value.number)).clicked() {
                    requests.push(Request::OpenDossierById(d.meta.id));
                }
                ui.label(d.value.status.label_fr());
            });
        }
        if !can_register {
            continue;
        }
        // A project whose dossier is in progress is followed in that dossier: a second one is a
        // separate act, explained and confirmed.
        let in_progress = dossiers.iter().find(|d| !matches!(d.value.status, Status::Rejete | Status::Cloture));
        match in_progress {
            None => {
                if ui.button(format!("Déposer un dossier : {}", project.value.name)).clicked() {
                    requests.push(Request::OpenDossier(project.meta.id));
                }
            }
            Some(current) if state.second_dossier == Some(project.meta.id) => {
                widgets::message(
                    ui,
                    &Message::warning(format!(
                        "Le dossier {} de ce projet est en cours ({}). Un second dossier ne se justifie que pour une autre demande (une extension, une nouvelle tranche de projet) : il comptera à part dans les bilans.",
                        current.value.number,
                        current.value.status.label_fr().to_lowercase()
                    )),
                );
                ui.horizontal(|ui| {
                    if ui.button("Déposer quand même un second dossier").clicked() {
                        state.second_dossier = None;
                        requests.push(Request::OpenDossier(project.meta.id));
                    }
                    if ui.button("Annuler").clicked() {
                        state.second_dossier = None;
                    }
                });
            }
            Some(_) => {
                if ui.small_button(format!("Nouveau dossier pour « {} »…", project.value.name)).clicked() {
                    state.second_dossier = Some(project.meta.id);
                }
            }
        }
    }
    let promoter = detail.row.meta.id;
    ui.horizontal(|ui| {
        if can_register && ui.button("Modifier").clicked() {
            state.form = Some(ApplicantForm {
                draft: ApplicantDraft::from_applicant(a),
                editing: Some(promoter),
                ..ApplicantForm::default()
            });
        }
        // Greyed while its form is open, not taken away: the next button stays where it was.
        if can_register && ui.add_enabled(state.project_form.is_none(), egui::Button::new("Nouveau projet")).clicked() {
            state.project_form = Some(ProjectForm::default());
        }
        if ui.button("Relevé des données (loi 09-08)").clicked() {
            requests.push(Request::Print(Document::DataStatement(a.cin.to_string())));
        }
    });
    // At a delegation the register is the offices': only its owner office deletes a row.
    if rights.delete && !rights.offices {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Motif de suppression");
            ui.add(egui::TextEdit::singleline(&mut state.delete_reason).desired_width(240.0)).labelled_by(label.id);
            if ui.button("Supprimer").clicked() {
                requests
                    .push(Request::DeleteApplicant { id: promoter, reason: std::mem::take(&mut state.delete_reason) });
            }
        });
    }
    requests.extend(across_offices_ui(ui, state, rights));
    if let Some(form) = &mut state.project_form {
        ui.separator();
        let (form_requests, closed) = project_form_ui(ui, form, promoter);
        requests.extend(form_requests);
        if closed {
            state.project_form = None;
        }
    }
    requests
}

/// The applicant's transfers and duplicate reviews, and at a delegation the way to transfer them.
fn across_offices_ui(ui: &mut Ui, state: &mut ApplicantsState, rights: Rights) -> Vec<Request> {
    let Some(detail) = &state.detail else { return Vec::new() };
    let mut requests = Vec::new();
    for t in &detail.transfers {
        ui.label(format!(
            "Transféré le {} de {} à {} — {}",
            t.value.on.format("%d/%m/%Y"),
            t.value.from_office,
            t.value.to_office,
            t.value.reason
        ));
    }
    for r in &detail.reviews {
        ui.label(format!(
            "Doublon examiné par la délégation le {} : {} d'un bénéficiaire de {} — {}",
            r.value.reviewed_on.format("%d/%m/%Y"),
            r.value.verdict.label_fr(),
            r.value.other_office(detail.row.meta.id),
            r.value.note
        ));
    }
    let targets: Vec<&String> = detail.transfer_targets.iter().filter(|c| **c != detail.row.meta.owner).collect();
    if !rights.arbitrate || targets.is_empty() {
        return requests;
    }
    ui.add_space(6.0);
    ui.label(RichText::new("Transfert vers un autre bureau").strong());
    ui.horizontal(|ui| {
        let label = ui.label("Vers le bureau");
        egui::ComboBox::from_id_salt("transfert-bureau")
            .selected_text(if state.transfer_to.is_empty() { "choisir…" } else { state.transfer_to.as_str() })
            .show_ui(ui, |ui| {
                for code in &targets {
                    ui.selectable_value(&mut state.transfer_to, (*code).clone(), code.as_str());
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        let label = ui.label("Motif du transfert");
        ui.add(egui::TextEdit::singleline(&mut state.transfer_reason).desired_width(240.0)).labelled_by(label.id);
        if ui.button("Transférer").clicked() {
            requests.push(Request::TransferApplicant {
                id: detail.row.meta.id,
                to: state.transfer_to.clone(),
                reason: state.transfer_reason.clone(),
            });
        }
    });
    requests
}

/// What the fields of `form` still get wrong, as far as the window can tell without the
/// register (the core judges again on saving): a field's error goes as soon as this clears it.
fn still_wrong(form: &ApplicantForm, today: chrono::NaiveDate) -> FieldErrors {
    let provinces = &Reference::shipped().provinces;
    let mut wrong =
        form.draft.validate(today, &|code| provinces.iter().any(|p| p.code == code)).err().unwrap_or_default();
    let himself = Relationship::parse(&form.draft.relationship) == Ok(Relationship::Himself);
    let named = himself || !form.card.holder_name.trim().is_empty() || !form.card.holder_name_ar.trim().is_empty();
    wrong.extend(crate::domain::applicant::CardHolder::problems(&form.card.card_number, named));
    wrong
}

/// The fields of the identity (what the duplicate search judges).
const IDENTITY_FIELDS: [&str; 6] = ["cin", "last_name", "first_name", "last_name_ar", "first_name_ar", "birth_date"];

/// The identity the duplicate search looks at.
fn identity(d: &ApplicantDraft) -> String {
    [&d.cin, &d.last_name, &d.first_name, &d.last_name_ar, &d.first_name_ar, &d.birth_date].map(|f| f.trim()).join("|")
}

/// Under the CIN, as it is typed: what its shape lacks.
fn cin_shape(ui: &mut Ui, cin: &str) {
    if cin.trim().is_empty() {
        return;
    }
    match crate::domain::codes::Cin::parse(cin) {
        Err(problem) => widgets::note_under(ui, &problem),
        Ok(parsed) => {
            if let Some(unusual) = parsed.warning {
                widgets::note_under(ui, &unusual);
            }
        }
    }
}

/// The possible duplicates, where the eye is (under the identity), with the reason that lets
/// the save go on.
fn duplicates_ui(ui: &mut Ui, form: &mut ApplicantForm) {
    if form.duplicates.is_empty() {
        return;
    }
    ui.group(|ui| {
        ui.colored_label(
            theme::WARNING,
            format!("{} bénéficiaire(s) déjà enregistré(s) peuvent être la même personne :", form.duplicates.len()),
        );
        for d in &form.duplicates {
            ui.label(bidi::visual(&d.summary()));
        }
        ui.label(RichText::new("Si c'est une autre personne, dites pourquoi, puis enregistrez :").weak());
        let reason = widgets::field(ui, "Motif (autre personne)", &mut form.reason, None);
        if std::mem::take(&mut form.focus_reason) {
            reason.request_focus();
            reason.scroll_to_me(Some(egui::Align::Center));
        }
    });
}

/// The form; returns its requests and whether it was closed.
fn form_ui(ui: &mut Ui, form: &mut ApplicantForm, today: Option<chrono::NaiveDate>) -> (Vec<Request>, bool) {
    let mut requests = Vec::new();
    let mut closed = false;
    // A choice list open at the start of the frame takes Enter (to choose) and Escape (to close):
    // the form does not save or leave on them.
    let choosing = egui::Popup::is_any_open(ui.ctx());
    ui.heading(if form.editing.is_some() { "Modifier le bénéficiaire" } else { "Nouveau bénéficiaire" });
    widgets::required_legend(ui);
    let before = (form.draft.clone(), form.card.clone());
    let errors = form.errors.clone();
    let e = |field: &str| errors.for_field(field);
    let mut left_identity = false;
    egui::ScrollArea::vertical().id_salt("formulaire").max_height(ui.available_height() - 120.0).show(ui, |ui| {
        let d = &mut form.draft;
        let cin = widgets::helped_field(ui, "CIN", &mut d.cin, e("cin"), Help::required("ex. JB123456"));
        if !std::mem::replace(&mut form.focused, true) {
            cin.request_focus();
        }
        ui.scope(|ui| {
            if e("cin").is_none() {
                cin_shape(ui, &d.cin);
            }
        });
        ui.label(RichText::new("Nom et prénom : en lettres latines, en arabe, ou les deux (au moins l'un).").weak());
        let names = [
            widgets::field(ui, "Nom", &mut d.last_name, e("last_name")),
            widgets::field(ui, "Prénom", &mut d.first_name, e("first_name")),
            widgets::field(ui, "Nom (arabe)", &mut d.last_name_ar, e("last_name_ar")),
            widgets::field(ui, "Prénom (arabe)", &mut d.first_name_ar, e("first_name_ar")),
        ];
        let sexes = [("M".to_owned(), "Masculin".to_owned()), ("F".to_owned(), "Féminin".to_owned())];
        widgets::marked_choice(ui, "Sexe", &mut d.sex, &sexes, e("sex"), true);
        let born = widgets::helped_field(
            ui,
            "Date de naissance",
            &mut d.birth_date,
            e("birth_date"),
            Help::required("jj/mm/aaaa"),
        );
        left_identity = cin.lost_focus() || born.lost_focus() || names.iter().any(egui::Response::lost_focus);
        // In a scope: the list arriving while the next field is typed in leaves its cursor there.
        ui.scope(|ui| duplicates_ui(ui, form));
        let d = &mut form.draft;
        let links: Vec<(String, String)> =
            Relationship::ALL.iter().map(|r| (r.code().to_owned(), r.label_fr().to_owned())).collect();
        widgets::marked_choice(ui, "Lien avec le titulaire", &mut d.relationship, &links, e("relationship"), true);
        // Asked only when the sex and the link disagree (or a reason was already given).
        if e("link_note").is_some() || !d.link_note.is_empty() {
            widgets::field(ui, "Raison (sexe et lien différents)", &mut d.link_note, e("link_note"));
        }
        if form.editing.is_none() {
            let card = Help::required("numéro porté sur la carte");
            widgets::helped_field(ui, "N° carte de résistant", &mut form.card.card_number, e("card_number"), card);
            let holder = Help::hint("sauf si le bénéficiaire est le titulaire");
            widgets::helped_field(
                ui,
                "Titulaire de la carte",
                &mut form.card.holder_name,
                e("card_holder_name"),
                holder,
            );
        }
        let d = &mut form.draft;
        widgets::helped_field(ui, "Téléphone", &mut d.phone, e("phone"), Help::hint("ex. 06 12 34 56 78"));
        widgets::field(ui, "Adresse", &mut d.address, e("address"));
        widgets::field(ui, "Commune", &mut d.commune, e("commune"));
        let provinces: Vec<(String, String)> = Reference::shipped()
            .provinces
            .iter()
            .map(|p| (p.code.clone(), format!("{} — {}", p.code, p.name_fr)))
            .collect();
        widgets::searchable_choice(ui, "Province", &mut d.province_code, &provinces, e("province_code"));
    });
    if (&form.draft, &form.card.card_number, &form.card.holder_name)
        != (&before.0, &before.1.card_number, &before.1.holder_name)
    {
        form.dirty = true;
        // The possible duplicates, and the reason given for them, hold while the identity they
        // were found for does (a reason kept would let other duplicates through unseen).
        if identity(&form.draft) != identity(&before.0) {
            form.duplicates.clear();
            form.reason.clear();
        }
        if let Some(today) = today {
            let wrong = still_wrong(form, today);
            form.errors.keep_those_in(&wrong);
        }
    }
    // Leaving the identity once it is whole: the duplicate search runs by itself.
    let key = identity(&form.draft);
    // Judged only on the frame a field of the identity is left, not on every frame.
    let whole = || today.is_some_and(|today| form.draft.identity(today).is_ok());
    if left_identity && form.searched.as_ref() != Some(&key) && whole() {
        form.searched = Some(key);
        requests.push(Request::CheckApplicant { draft: form.draft.clone(), editing: form.editing });
    }
    for warning in &form.warnings {
        ui.colored_label(theme::WARNING, warning);
    }
    if !form.errors.is_empty() {
        ui.colored_label(theme::ERROR, "Corrigez les champs en rouge : rien n'a été enregistré.");
    }
    let (enter, escape) = ui.input(|i| (i.key_pressed(egui::Key::Enter), i.key_pressed(egui::Key::Escape)));
    let (enter, escape) = (enter && !choosing, escape && !choosing);
    if form.confirm_leave {
        ui.colored_label(theme::WARNING, "Abandonner les modifications non enregistrées ?");
        ui.horizontal(|ui| {
            if ui.button("Abandonner").clicked() {
                closed = true;
            }
            if ui.button("Continuer la saisie").clicked() {
                form.confirm_leave = false;
            }
        });
        return (requests, closed);
    }
    ui.horizontal(|ui| {
        if ui.button("Vérifier les doublons").clicked() {
            form.searched = Some(identity(&form.draft));
            requests.push(Request::CheckApplicant { draft: form.draft.clone(), editing: form.editing });
        }
        if (ui.button("Enregistrer").clicked() || enter) && !form.saving {
            form.saving = true;
            let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
            requests.push(Request::SaveApplicant {
                draft: form.draft.clone(),
                card: form.card.clone(),
                reason,
                editing: form.editing,
            });
        }
        if ui.button("Annuler").clicked() || escape {
            if form.dirty {
                form.confirm_leave = true;
            } else {
                closed = true;
            }
        }
    });
    (requests, closed)
}

/// Applies the core's answer to a save: closes the form, or shows what is wrong.
fn saved(state: &mut ApplicantsState, result: Result<Uuid, AppError>) -> Option<Request> {
    use crate::app::AppError;
    let form = state.form.as_mut()?;
    form.saving = false;
    match result {
        Ok(id) => {
            state.form = None;
            state.message = Some(Message::ok("Bénéficiaire enregistré."));
            Some(Request::Applicant(id))
        }
        Err(AppError::Invalid(errors)) => {
            form.errors = errors;
            None
        }
        Err(AppError::Duplicate(candidates)) => {
            form.errors = FieldErrors::new();
            form.duplicates = candidates;
            form.focus_reason = true;
            None
        }
        Err(other) => {
            form.errors = FieldErrors::new();
            form.warnings = vec![other.to_string()];
            None
        }
    }
}

impl super::OwnReplies for ApplicantsState {
    fn takes(reply: &Reply) -> bool {
        matches!(
            reply,
            Reply::Search { .. }
                | Reply::CsvImported(_)
                | Reply::Applicant(_)
                | Reply::Checked(_)
                | Reply::Saved(_)
                | Reply::CrossOfficeDuplicates(_)
                | Reply::Transferred(_)
                | Reply::Deleted(_)
        )
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        let mut next = Vec::new();
        match reply {
            Reply::CsvImported(result) => {
                let imported = result.is_ok();
                if let Some(import) = &mut self.import {
                    import.done(result);
                }
                if imported {
                    next.push(self.restart());
                    next.push(Request::Dashboard);
                }
            }
            Reply::Search { generation, page, result } => match result {
                Ok(found) => self.receive(generation, page, found.rows, found.total),
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::Applicant(result) => match result {
                Ok(detail) => self.detail = Some(detail),
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::Checked(result) => {
                // An answer for an identity typed over since is of no use.
                if let Some(form) = self.form.as_mut().filter(|f| f.searched.as_deref() == Some(&identity(&f.draft))) {
                    // The check judges the identity only: the other fields' errors stay.
                    form.errors.0.retain(|e| !IDENTITY_FIELDS.contains(&e.field));
                    match result {
                        Ok((warnings, duplicates)) => {
                            form.warnings = warnings;
                            if duplicates.is_empty() {
                                form.warnings.push("Aucun doublon trouvé.".into());
                            }
                            form.duplicates = duplicates;
                        }
                        Err(AppError::Invalid(errors)) => form.errors.extend(errors),
                        Err(e) => form.warnings = vec![e.to_string()],
                    }
                }
            }
            Reply::Saved(result) => {
                let ok = result.is_ok();
                if let Some(request) = saved(self, result) {
                    next.push(request);
                }
                if ok {
                    let restart = self.restart();
                    next.push(restart);
                    next.push(Request::Dashboard);
                }
            }
            Reply::CrossOfficeDuplicates(result) => {
                if let Some(cross) = &mut self.cross {
                    match result {
                        Ok((verdict, pairs)) => {
                            if let Some(verdict) = verdict {
                                cross.note.clear();
                                cross.message = Some(Message::ok(format!(
                                    "Examen enregistré ({}) : il parviendra aux deux bureaux dans leur prochaine réponse.",
                                    verdict.label_fr()
                                )));
                            }
                            cross.pairs = Some(pairs);
                        }
                        Err(e) => cross.message = Some(Message::error(e.to_string())),
                    }
                }
            }
            Reply::Transferred(result) => match result {
                Ok((transfer, detail)) => {
                    self.detail = Some(detail);
                    self.transfer_reason.clear();
                    self.message = Some(Message::ok(format!(
                        "Bénéficiaire transféré de {} à {} ({} enregistrements) : les deux bureaux l'apprendront dans leur prochaine réponse.",
                        transfer.from_office,
                        transfer.to_office,
                        transfer.rows.len()
                    )));
                    let restart = self.restart();
                    next.push(restart);
                }
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            Reply::Deleted(result) => match result {
                Ok(()) => {
                    self.detail = None;
                    self.message = Some(Message::ok(
                        "Bénéficiaire supprimé (la suppression, motivée, est transmise à la délégation).",
                    ));
                    let restart = self.restart();
                    next.push(restart);
                    next.push(Request::Dashboard);
                }
                Err(e) => self.message = Some(Message::error(e.to_string())),
            },
            _ => {}
        }
        next
    }
}
