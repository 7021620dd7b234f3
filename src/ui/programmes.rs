//! Programmes et conventions: yearly envelopes and how much of them is committed; a site that
//! defines its own programmes (a standalone office, a delegation) also adds and changes them.

use eframe::egui::{RichText, Ui};

use super::backend::{Reply, Request, SessionInfo};
use super::dashboard::envelopes_ui;
use super::widgets::{self, Message};
use crate::app::ProgrammesView;
use crate::domain::FieldErrors;
use crate::domain::funding::{Envelope, Programme};
use crate::domain::role::{Action, permits};
use crate::reference::Reference;

/// The programme form, as typed.
#[derive(Debug, Default)]
pub struct ProgrammeForm {
    /// Code.
    pub code: String,
    /// French name.
    pub name: String,
    /// Arabic name.
    pub name_ar: String,
    /// Source family code.
    pub source: String,
    /// Year of the envelope.
    pub year: String,
    /// Amount of the envelope.
    pub amount: String,
    /// Number of projects it aims at.
    pub target: String,
    /// What is wrong.
    pub errors: FieldErrors,
}

impl ProgrammeForm {
    /// The programme typed, with its envelope when one is given; or every field error.
    fn programme(&self) -> Result<Programme, FieldErrors> {
        let mut errors = FieldErrors::new();
        let programme = Programme::validate(&self.code, &self.name, &self.name_ar, &self.source)
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        let envelope = Envelope::validate(&self.year, &self.amount, &self.target).map_err(|e| errors.0.extend(e.0));
        match (programme, envelope) {
            (Some(mut programme), Ok(envelope)) => {
                if let Some(envelope) = envelope {
                    programme.set_envelope(envelope);
                }
                Ok(programme)
            }
            _ => Err(errors),
        }
    }

    /// Fills the form with a programme to change it (its envelopes stay; a new year adds one).
    fn edit(&mut self, programme: &Programme) {
        *self = ProgrammeForm {
            code: programme.code.clone(),
            name: programme.name.clone(),
            name_ar: programme.name_ar.clone(),
            source: programme.source_kind.clone(),
            ..ProgrammeForm::default()
        };
    }
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct ProgrammesState {
    /// The programmes, once received.
    pub view: Option<ProgrammesView>,
    /// The form.
    pub form: ProgrammeForm,
    /// A message.
    pub message: Option<Message>,
    /// The checklists section.
    pub checklists: super::checklists::ChecklistsState,
    /// A reason being added to the commission's list.
    pub reason: ReasonForm,
}

/// A reason of the commission being added, as typed.
#[derive(Debug, Default, Clone)]
pub struct ReasonForm {
    /// Its code.
    pub code: String,
    /// French wording.
    pub label_fr: String,
    /// Arabic wording.
    pub label_ar: String,
    /// `rejet` or `ajournement`.
    pub used_for: String,
    /// What was wrong with the last attempt.
    pub errors: FieldErrors,
}

/// The screen.
#[must_use]
pub fn programmes_ui(ui: &mut Ui, state: &mut ProgrammesState, session: &SessionInfo) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Programmes et conventions");
    let may_define = permits(session.role, Action::ManagePrograms, &session.site).is_ok();
    if !session.site.defines_programmes() {
        ui.label(RichText::new("Les programmes sont publiés par la délégation : lecture seule.").weak());
    }
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    let Some(view) = &state.view else {
        ui.spinner();
        return requests;
    };
    if view.rows.is_empty() {
        ui.label("Aucun programme.");
    }
    // Taller than the screen once a checklist is being edited.
    eframe::egui::ScrollArea::vertical().id_salt("programmes").show(ui, |ui| {
        let mut edit = None;
        for row in &view.rows {
            let p = &row.value;
            ui.horizontal(|ui| {
                let ar = if p.name_ar.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", super::bidi::visual(&p.name_ar))
                };
                ui.label(RichText::new(format!("{} — {}{ar}", p.code, p.name)).strong());
                if may_define && ui.small_button(format!("Modifier {}", p.code)).clicked() {
                    edit = Some(p.clone());
                }
            });
            let uses: Vec<_> = view.uses.iter().filter(|u| u.code == p.code).cloned().collect();
            envelopes_ui(ui, &uses);
            for e in p.envelopes.iter().filter(|e| e.target_projects.is_some()) {
                ui.label(
                    RichText::new(format!("   {} : objectif de {} projets", e.year, e.target_projects.unwrap_or(0)))
                        .weak(),
                );
            }
            ui.add_space(4.0);
        }
        if let Some(programme) = edit {
            state.form.edit(&programme);
        }
        if may_define {
            ui.separator();
            requests.extend(programme_form_ui(ui, &mut state.form));
        }
        ui.separator();
        requests.extend(super::checklists::checklists_ui(ui, &mut state.checklists, &view.checklists, may_define));
        ui.separator();
        requests.extend(reasons_ui(ui, &mut state.reason, &session.reasons, may_define));
    });
    requests
}

/// The commission's reasons in both languages, and (where programmes are defined) the form that
/// adds one; the offices receive it in their next reply.
fn reasons_ui(
    ui: &mut Ui,
    form: &mut ReasonForm,
    reasons: &[crate::reference::Reason],
    may_define: bool,
) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Motifs de la commission (rejet, ajournement)").strong());
    for reason in reasons {
        ui.label(format!(
            "{} ({}) — {} — {}",
            reason.code,
            reason.used_for,
            reason.label_fr,
            super::bidi::visual(&reason.label_ar)
        ));
    }
    if !may_define {
        return requests;
    }
    ui.label(RichText::new("Ajouter un motif (il parviendra aux bureaux dans leur prochaine réponse)").weak());
    let errors = form.errors.clone();
    let e = |field: &str| errors.for_field(field);
    widgets::field(ui, "Code du motif", &mut form.code, e("code"));
    widgets::field(ui, "Motif en français", &mut form.label_fr, e("label_fr"));
    widgets::field(ui, "Motif en arabe", &mut form.label_ar, e("label_ar"));
    let uses = [("rejet", "Rejet"), ("ajournement", "Ajournement")].map(|(v, l)| (v.to_owned(), l.to_owned()));
    widgets::choice(ui, "Usage du motif", &mut form.used_for, &uses, e("used_for"));
    if ui.button("Ajouter le motif").clicked() {
        requests.push(Request::AddReason(form.clone()));
    }
    requests
}

fn programme_form_ui(ui: &mut Ui, form: &mut ProgrammeForm) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Programme ou convention (un code existant le modifie)").strong());
    let errors = form.errors.clone();
    let e = |field: &str| errors.for_field(field);
    widgets::field(ui, "Code du programme", &mut form.code, e("code"));
    widgets::field(ui, "Nom du programme", &mut form.name, e("name"));
    widgets::field(ui, "Nom en arabe", &mut form.name_ar, None);
    let sources: Vec<(String, String)> =
        Reference::shipped().funding_sources.iter().map(|s| (s.code.clone(), s.label_fr.clone())).collect();
    widgets::choice(ui, "Source du programme", &mut form.source, &sources, e("source_kind"));
    widgets::field(ui, "Année de l'enveloppe", &mut form.year, e("year"));
    widgets::field(ui, "Montant de l'enveloppe", &mut form.amount, e("amount"));
    widgets::field(ui, "Projets visés", &mut form.target, e("target"));
    if ui.button("Enregistrer le programme").clicked() {
        match form.programme() {
            Ok(programme) => requests.push(Request::SaveProgramme(programme)),
            Err(errors) => form.errors = errors,
        }
    }
    requests
}

impl super::OwnReplies for ProgrammesState {
    fn takes(reply: &Reply) -> bool {
        matches!(
            reply,
            Reply::Programmes(_) | Reply::ProgrammeSaved(_) | Reply::ChecklistSaved(_) | Reply::ReasonAdded(_)
        )
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        match reply {
            Reply::Programmes(Ok(view)) => self.view = Some(view),
            Reply::ProgrammeSaved(Ok(view)) => {
                self.view = Some(view);
                self.form = ProgrammeForm::default();
                self.message = Some(Message::ok("Programme enregistré."));
            }
            Reply::ChecklistSaved(Ok(view)) => {
                self.view = Some(view);
                self.checklists.draft = None;
                self.message = Some(Message::ok(
                    "Liste de pièces publiée : elle s'applique ici et parviendra aux bureaux dans leur prochaine réponse.",
                ));
            }
            Reply::ReasonAdded(Ok(_)) => {
                self.reason = ReasonForm::default();
                self.message = Some(Message::ok(
                    "Motif ajouté : il se choisit dès maintenant et parviendra aux bureaux dans leur prochaine réponse.",
                ));
            }
            Reply::ReasonAdded(Err(crate::app::AppError::Invalid(errors))) => self.reason.errors = errors,
            Reply::Programmes(Err(e))
            | Reply::ProgrammeSaved(Err(e))
            | Reply::ChecklistSaved(Err(e))
            | Reply::ReasonAdded(Err(e)) => {
                self.message = Some(Message::error(e.to_string()));
            }
            _ => {}
        }
        vec![]
    }
}
