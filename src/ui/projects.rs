//! Projets: the office's projects, a page at a time, and one project in detail (its promoter,
//! identifiers, dossiers and visits), with deletion for who may delete.

use eframe::egui::{self, RichText, Ui};

use super::backend::{PROJECT_PAGE, Reply, Request};
use super::widgets::{self, Message};
use crate::app::ProjectDetail;
use uuid::Uuid;

use crate::app::{HitCount, Page, ProjectLine};
use crate::domain::FieldErrors;
use crate::domain::project::{ProjectDraft, ProjectKind, parse_members};

/// Members as the form reads them back: `AB123456 président, CD654321 membre`.
fn member_list(members: &[(String, String)]) -> String {
    members.iter().map(|(cin, role)| format!("{cin} {role}")).collect::<Vec<_>>().join(", ")
}

/// The project form.
#[derive(Debug, Default, Clone)]
pub struct ProjectForm {
    /// The fields.
    pub draft: ProjectDraft,
    /// The members besides the promoter: CIN and role, separated by commas or lines.
    pub members: String,
    /// The project being edited (`None`: a new one).
    pub editing: Option<Uuid>,
    /// Field errors from the core.
    pub errors: FieldErrors,
}

/// The project form (for a new project of `promoter`, or the one being edited); returns its
/// requests and whether it was closed.
pub fn project_form_ui(ui: &mut Ui, form: &mut ProjectForm, promoter: Uuid) -> (Vec<Request>, bool) {
    let mut requests = Vec::new();
    ui.label(RichText::new(if form.editing.is_some() { "Modifier le projet" } else { "Nouveau projet" }).strong());
    let errors = form.errors.clone();
    let e = |field: &str| errors.for_field(field);
    let d = &mut form.draft;
    let kinds: Vec<(String, String)> =
        ProjectKind::ALL.iter().map(|k| (k.code().to_owned(), k.label_fr().to_owned())).collect();
    widgets::choice(ui, "Type de projet", &mut d.kind, &kinds, e("kind"));
    widgets::field(ui, "Nom du projet", &mut d.name, e("name"));
    widgets::field(ui, "Secteur", &mut d.sector, None);
    widgets::field(ui, "Commune du projet", &mut d.commune, None);
    match ProjectKind::parse(&d.kind) {
        Ok(ProjectKind::Pme) => {
            widgets::field(ui, "ICE", &mut d.ice, e("ice"));
            widgets::field(ui, "RC : tribunal", &mut d.rc_court, e("rc"));
            widgets::field(ui, "RC : numéro", &mut d.rc_number, None);
        }
        Ok(ProjectKind::Cooperative) => {
            widgets::field(ui, "ICE", &mut d.ice, e("ice"));
            widgets::field(ui, "N° ODCO", &mut d.odco_number, e("odco_number"));
            widgets::field(ui, "Membres (CIN et rôle, séparés par des virgules)", &mut form.members, e("members"));
        }
        Ok(ProjectKind::Association) => {
            widgets::field(ui, "Récépissé", &mut d.association_receipt, e("association_receipt"));
        }
        _ => {}
    }
    widgets::field(ui, "Emplois prévus", &mut d.jobs_total, e("jobs_total"));
    widgets::field(ui, "dont famille de la résistance", &mut d.jobs_family, e("jobs_family"));
    let mut closed = false;
    ui.horizontal(|ui| {
        if ui.button("Enregistrer le projet").clicked() {
            match parse_members(&form.members) {
                Ok(members) => {
                    let draft = form.draft.clone();
                    requests.push(Request::SaveProject { draft, promoter, members, editing: form.editing });
                }
                Err(e) => {
                    form.errors = FieldErrors::new();
                    form.errors.add("members", e);
                }
            }
        }
        if ui.button("Annuler le projet").clicked() {
            closed = true;
        }
    });
    (requests, closed)
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct ProjectsState {
    /// What is typed in the search (blank: every project).
    pub query: String,
    /// The page shown (from 0).
    pub page: u32,
    /// Its rows, once received.
    pub rows: Option<Page<ProjectLine>>,
    /// The project shown on the right.
    pub detail: Option<ProjectDetail>,
    /// The reason typed for deleting it.
    pub delete_reason: String,
    /// A message.
    pub message: Option<Message>,
    /// The project form, when the project shown is being edited.
    pub form: Option<ProjectForm>,
}

/// The screen.
#[must_use]
pub fn projects_ui(ui: &mut Ui, state: &mut ProjectsState, can_edit: bool, can_delete: bool) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Projets");
    ui.label(RichText::new("Un projet s'enregistre depuis la fiche de son porteur (Bénéficiaires).").weak());
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    let total = match state.rows.as_ref().map(|p| p.total) {
        Some(HitCount::Exactly(n) | HitCount::MoreThan(n)) => n,
        None => 0,
    };
    let pages = u32::try_from((total + i64::from(PROJECT_PAGE) - 1) / i64::from(PROJECT_PAGE)).unwrap_or(0).max(1);
    ui.horizontal(|ui| {
        let label = ui.label("Rechercher un projet");
        let hint = "nom, commune, porteur ou sa CIN";
        if super::rtl_edit::singleline(ui, &mut state.query, 300.0, hint).labelled_by(label.id).changed() {
            state.page = 0;
            requests.push(state.request());
        }
    });
    ui.horizontal(|ui| {
        if ui.add_enabled(state.page > 0, egui::Button::new("Page précédente")).clicked() {
            state.page -= 1;
            requests.push(state.request());
        }
        let found = match state.rows.as_ref().map(|p| p.total) {
            Some(count) if !state.query.trim().is_empty() => count.to_string(),
            _ => format!("{total} projets"),
        };
        ui.label(format!("Page {} sur {pages} ({found})", state.page + 1));
        if ui.add_enabled(state.page + 1 < pages, egui::Button::new("Page suivante")).clicked() {
            state.page += 1;
            requests.push(state.request());
        }
    });
    ui.separator();
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        egui::ScrollArea::vertical().id_salt("liste-projets").auto_shrink(false).show(ui, |ui| {
            for line in state.rows.iter().flat_map(|p| &p.rows) {
                let selected = state.detail.as_ref().is_some_and(|d| d.row.meta.id == line.id);
                if ui.selectable_label(selected, format!("{} — {} — {}", line.name, line.kind, line.commune)).clicked()
                {
                    requests.push(Request::Project(line.id));
                }
            }
        });
        let ui = &mut columns[1];
        let Some(detail) = &state.detail else {
            ui.label(RichText::new("Choisissez un projet dans la liste.").weak());
            return;
        };
        let p = &detail.row.value;
        ui.label(RichText::new(&p.name).size(20.0).strong());
        ui.label(format!("{} — porteur : {}", p.kind.label_fr(), detail.promoter));
        if let Some(ice) = &p.ice {
            ui.label(format!("ICE {}", ice.as_str()));
        }
        if let Some(rc) = &p.rc {
            ui.label(rc.to_string());
        }
        if let Some(odco) = &p.odco_number {
            ui.label(format!("ODCO {odco}"));
        }
        if let Some(receipt) = &p.association_receipt {
            ui.label(format!("Récépissé {receipt}"));
        }
        ui.label(format!(
            "Emplois prévus : {} dont {} pour la famille de la résistance",
            p.jobs_planned.total, p.jobs_planned.family
        ));
        if !detail.members.is_empty() {
            ui.label(format!("Membres : {}", member_list(&detail.members)));
        }
        ui.add_space(6.0);
        ui.label(RichText::new("Dossiers").strong());
        for d in &detail.dossiers {
            ui.horizontal(|ui| {
                if ui.link(format!("Dossier {}", d.value.number)).clicked() {
                    requests.push(Request::OpenDossierById(d.meta.id));
                }
                ui.label(d.value.status.label_fr());
            });
        }
        ui.label(RichText::new("Visites de suivi").strong());
        if detail.visits.is_empty() {
            ui.label(RichText::new("Aucune visite.").weak());
        }
        for v in &detail.visits {
            ui.label(format!(
                "{} : {} emplois constatés dont {} famille",
                v.value.visited_on.format("%d/%m/%Y"),
                v.value.jobs_verified.total,
                v.value.jobs_verified.family
            ));
        }
        let (id, promoter) = (detail.row.meta.id, p.promoter_id);
        if can_edit && state.form.is_none() && ui.button("Modifier le projet").clicked() {
            state.form = Some(ProjectForm {
                draft: ProjectDraft::from_project(p),
                members: member_list(&detail.members),
                editing: Some(id),
                ..ProjectForm::default()
            });
        }
        if let Some(form) = &mut state.form {
            ui.separator();
            let (form_requests, closed) = project_form_ui(ui, form, promoter);
            requests.extend(form_requests);
            if closed {
                state.form = None;
            }
        }
        if can_delete {
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                let label = ui.label("Motif de suppression du projet");
                ui.add(egui::TextEdit::singleline(&mut state.delete_reason).desired_width(220.0)).labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                if ui.button("Supprimer le projet").clicked() {
                    // The list read again after the deletion is the whole one, from its start.
                    state.page = 0;
                    state.query.clear();
                    requests.push(Request::DeleteProject { id, reason: std::mem::take(&mut state.delete_reason) });
                }
            });
        }
    });
    requests
}

impl ProjectsState {
    /// The request for the page shown, of what the search finds.
    pub fn request(&self) -> Request {
        Request::Projects { query: self.query.clone(), page: self.page }
    }
}

impl super::OwnReplies for ProjectsState {
    fn takes(reply: &Reply) -> bool {
        matches!(reply, Reply::Projects(_) | Reply::Project(_))
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        match reply {
            Reply::Projects(Ok(page)) => {
                if self.detail.as_ref().is_some_and(|d| !page.rows.iter().any(|r| r.id == d.row.meta.id))
                    && self.page == 0
                {
                    self.detail = None;
                }
                self.rows = Some(page);
            }
            Reply::Project(Ok(detail)) => self.detail = Some(detail),
            Reply::Projects(Err(e)) | Reply::Project(Err(e)) => self.message = Some(Message::error(e.to_string())),
            _ => {}
        }
        vec![]
    }
}
