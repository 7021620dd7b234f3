//! Commission: the sessions of the commission where decisions are taken (a delegation, an office
//! that stands alone). Open a session, then its agenda — the transmitted dossiers — as one list
//! where each dossier gets its decision: approved with its grants per source, rejected or
//! adjourned with a reason of the list; all saved together, or nothing with every problem listed.
//! Then the minutes and the notifications, one click each.

use std::collections::HashMap;

use eframe::egui::{self, RichText, Ui};

use super::backend::{Reply, Request};
use super::bidi;
use super::widgets::{self, Message};
use crate::app::{AgendaFilter, AgendaLine, Document, Row, Verdict};
use crate::domain::Money;
use crate::domain::commission::{CommissionSession, Outcome};
use crate::domain::dates::format_date_fr;
use crate::domain::funding::{FundingSource, Grant};

/// The most dossiers of an agenda shown at once (a session decides a few hundred).
const SHOWN: usize = 300;

/// What the commission decides for one dossier of the agenda, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    /// `approuve`, `rejete`, `ajourne`; empty: not decided in this session.
    pub outcome: String,
    /// Budget HCAR granted.
    pub hcar: String,
    /// INDH granted, and its committee's reference.
    pub indh: String,
    /// The INDH committee's reference.
    pub indh_ref: String,
    /// A convention's code and the amount it grants.
    pub convention_code: String,
    /// The amount of the convention.
    pub convention: String,
    /// Another sector's name and its amount.
    pub other_name: String,
    /// The amount of the other sector.
    pub other: String,
    /// The reason's code (rejection, adjournment).
    pub reason: Option<String>,
    /// The precision added to the reason.
    pub note: String,
}

impl Choice {
    /// The verdict on dossier `number`, or what is wrong with what was typed.
    fn verdict(&self, number: &str) -> Option<Result<Verdict, String>> {
        let reason = || match &self.reason {
            Some(code) if self.note.trim().is_empty() => Ok(code.clone()),
            Some(code) => Ok(format!("{code}: {}", self.note.trim())),
            None => Err(format!("dossier {number} : choisissez le motif")),
        };
        let outcome = match self.outcome.as_str() {
            "approuve" => {
                let mut grants = Vec::new();
                let sources = [
                    (&self.hcar, Ok(FundingSource::HcarBudget)),
                    (&self.indh, FundingSource::parse(&format!("indh:{}", self.indh_ref))),
                    (&self.convention, FundingSource::parse(&format!("convention:{}", self.convention_code))),
                    (&self.other, FundingSource::parse(&format!("autre:{}", self.other_name))),
                ];
                for (amount, source) in sources {
                    if amount.trim().is_empty() {
                        continue;
                    }
                    let amount = Money::parse_fr(amount).map_err(|e| format!("dossier {number} : {e}"));
                    match (source, amount) {
                        (Ok(source), Ok(amount)) => grants.push(Grant { source, amount }),
                        (Err(e), _) => return Some(Err(format!("dossier {number} : {e}"))),
                        (_, Err(e)) => return Some(Err(e)),
                    }
                }
                Outcome::Approve(grants)
            }
            "rejete" => match reason() {
                Ok(r) => Outcome::Reject(r),
                Err(e) => return Some(Err(e)),
            },
            "ajourne" => match reason() {
                Ok(r) => Outcome::Adjourn(r),
                Err(e) => return Some(Err(e)),
            },
            _ => return None,
        };
        Some(Ok(Verdict::on(number, outcome)))
    }
}

/// A new session, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewSession {
    /// The minutes' reference.
    pub reference: String,
    /// The day (jj/mm/aaaa).
    pub held_on: String,
    /// Where.
    pub place: String,
    /// The members present, one per line.
    pub members: String,
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct CommissionState {
    /// The sessions held here, once received.
    pub sessions: Option<Vec<Row<CommissionSession>>>,
    /// The session whose agenda is shown (its reference).
    pub chosen: Option<String>,
    /// The form of a new session, while it is typed.
    pub new_session: Option<NewSession>,
    /// The agenda, once received.
    pub agenda: Option<Vec<AgendaLine>>,
    /// Only this office's dossiers (typed).
    pub office: String,
    /// Only the dossiers presented under this programme (its code, typed).
    pub programme: String,
    /// What was typed for each dossier, by number.
    pub choices: HashMap<String, Choice>,
    /// Why an envelope may be overrun (asked when one would be).
    pub overrun: String,
    /// The problems of the last attempt to save.
    pub problems: Vec<String>,
    /// A message.
    pub message: Option<Message>,
    /// A save was sent and its answer is awaited.
    pub pending: bool,
}

impl CommissionState {
    /// What the screen asks for when it opens.
    pub fn requests(&self) -> Vec<Request> {
        let mut requests = vec![Request::CommissionSessions];
        if self.chosen.is_some() {
            requests.push(self.agenda_request());
        }
        requests
    }

    fn agenda_request(&self) -> Request {
        let typed = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        Request::Agenda(AgendaFilter { office: typed(&self.office), kind: None, programme: typed(&self.programme) })
    }

    fn session(&self) -> Option<&CommissionSession> {
        let chosen = self.chosen.as_deref()?;
        self.sessions.as_ref()?.iter().map(|r| &r.value).find(|s| s.reference == chosen)
    }
}

/// The screen.
#[must_use]
pub fn commission_ui(ui: &mut Ui, state: &mut CommissionState, session: &super::backend::SessionInfo) -> Vec<Request> {
    let today = session.today;
    let mut requests = Vec::new();
    ui.heading("Commission");
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    sessions_ui(ui, state, today, &mut requests);
    let Some(held) = state.session().cloned() else {
        return requests;
    };
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("Session {} du {}", held.reference, format_date_fr(held.held_on))).strong());
        if ui.button("Imprimer le procès-verbal").clicked() {
            requests.push(Request::Print(Document::SessionMinutes(held.reference.clone())));
        }
        if ui.button("Imprimer les notifications").clicked() {
            requests.push(Request::Print(Document::SessionNotices(held.reference.clone())));
        }
        if held.closed_on.is_none() && ui.button("Clore la session").clicked() {
            requests.push(Request::CloseCommissionSession(held.reference.clone()));
        }
    });
    if let Some(closed) = held.closed_on {
        ui.label(format!("Session close le {} : son procès-verbal est définitif.", format_date_fr(closed)));
        return requests;
    }
    agenda_ui(ui, state, &held, &session.reasons, &mut requests);
    requests
}

/// The list of sessions, with the one chosen, and the form of a new one.
fn sessions_ui(ui: &mut Ui, state: &mut CommissionState, today: chrono::NaiveDate, requests: &mut Vec<Request>) {
    ui.horizontal_wrapped(|ui| {
        let Some(sessions) = &state.sessions else {
            ui.spinner();
            return;
        };
        let label = ui.label("Session");
        let shown = state.chosen.clone().unwrap_or_else(|| "choisir…".into());
        let mut chosen = state.chosen.clone();
        egui::ComboBox::from_id_salt("session")
            .selected_text(shown)
            .width(220.0)
            .show_ui(ui, |ui| {
                for s in sessions {
                    let s = &s.value;
                    let state_fr = if s.closed_on.is_some() { "close" } else { "ouverte" };
                    let text = format!("{} — {} ({state_fr})", s.reference, format_date_fr(s.held_on));
                    ui.selectable_value(&mut chosen, Some(s.reference.clone()), text);
                }
            })
            .response
            .labelled_by(label.id);
        if chosen != state.chosen {
            state.chosen = chosen;
            state.problems.clear();
            requests.push(state.agenda_request());
        }
        if state.new_session.is_none() && ui.button("Nouvelle session…").clicked() {
            state.new_session = Some(NewSession { held_on: format_date_fr(today), ..NewSession::default() });
        }
    });
    let Some(form) = &mut state.new_session else { return };
    let mut cancel = false;
    ui.group(|ui| {
        ui.label(RichText::new("Nouvelle session de la commission").strong());
        ui.horizontal_wrapped(|ui| {
            widgets::field(ui, "Référence du PV", &mut form.reference, None);
            widgets::field(ui, "Date (jj/mm/aaaa)", &mut form.held_on, None);
            widgets::field(ui, "Lieu", &mut form.place, None);
        });
        let label = ui.label("Membres présents, un par ligne (« Nom, qualité »)");
        ui.add(egui::TextEdit::multiline(&mut form.members).desired_rows(3).desired_width(480.0)).labelled_by(label.id);
        ui.horizontal(|ui| {
            if ui.button("Ouvrir la session").clicked() {
                requests.push(Request::OpenCommissionSession(form.clone()));
            }
            cancel = ui.button("Annuler").clicked();
        });
    });
    if cancel {
        state.new_session = None;
    }
}

/// The agenda with a decision per dossier, and the button that saves them together.
fn agenda_ui(
    ui: &mut Ui,
    state: &mut CommissionState,
    session: &CommissionSession,
    reasons: &[crate::reference::Reason],
    requests: &mut Vec<Request>,
) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Bureau");
        let field = ui.add(egui::TextEdit::singleline(&mut state.office).hint_text("tous").desired_width(120.0));
        field.labelled_by(label.id);
        let label = ui.label("Programme");
        let field = ui.add(egui::TextEdit::singleline(&mut state.programme).hint_text("tous").desired_width(120.0));
        field.labelled_by(label.id);
        if ui.button("Filtrer").clicked() {
            requests.push(state.agenda_request());
        }
    });
    let Some(agenda) = &state.agenda else {
        ui.spinner();
        return;
    };
    if agenda.is_empty() {
        ui.label("Aucun dossier transmis n'attend la décision de la commission.");
        return;
    }
    let decided = agenda.iter().filter(|l| state.choices.get(&l.number).is_some_and(|c| !c.outcome.is_empty())).count();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Ordre du jour : {} dossier(s) ; {decided} décision(s) saisie(s).", agenda.len()));
        let save = egui::Button::new(format!("Enregistrer les décisions ({decided})"));
        if ui.add_enabled(decided > 0 && !state.pending, save).clicked() {
            let mut verdicts = Vec::new();
            let mut problems = Vec::new();
            for line in agenda.iter().take(SHOWN) {
                match state.choices.get(&line.number).and_then(|c| c.verdict(&line.number)) {
                    Some(Ok(verdict)) => verdicts.push(verdict),
                    Some(Err(problem)) => problems.push(problem),
                    None => {}
                }
            }
            if problems.is_empty() {
                state.pending = true;
                let overrun = Some(state.overrun.trim().to_owned()).filter(|r| !r.is_empty());
                requests.push(Request::RecordSession { reference: session.reference.clone(), verdicts, overrun });
            }
            state.problems = problems;
        }
    });
    if !state.problems.is_empty() {
        widgets::message(
            ui,
            &Message::error(format!("Rien n'a été enregistré. Corrigez :\n{}", state.problems.join("\n"))),
        );
        if state.problems.iter().any(|p| p.contains("enveloppe")) {
            widgets::field(ui, "Motif du dépassement d'enveloppe", &mut state.overrun, None);
        }
    }
    if agenda.len() > SHOWN {
        ui.label(
            RichText::new(format!(
                "Les {SHOWN} premiers dossiers (par numéro) sont affichés : filtrez par bureau pour voir les autres."
            ))
            .italics(),
        );
    }
    egui::ScrollArea::vertical().id_salt("ordre-du-jour").show(ui, |ui| {
        for line in agenda.iter().take(SHOWN) {
            let choice = state.choices.entry(line.number.clone()).or_default();
            ui.push_id(&line.number, |ui| dossier_row(ui, line, choice, reasons));
            ui.separator();
        }
    });
}

/// One dossier of the agenda: what the commission reads of it, its decision and what it needs.
fn dossier_row(ui: &mut Ui, line: &AgendaLine, choice: &mut Choice, reasons: &[crate::reference::Reason]) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&line.number).strong());
        ui.label(format!("{} ({})", line.name, line.cin));
        if !line.name_ar.is_empty() {
            ui.label(bidi::visual(&line.name_ar));
        }
        ui.label(format!("{} — {}", line.project, line.kind.label_fr()));
        if let Some((on, _)) = &line.adjourned {
            ui.label(RichText::new(format!("ajourné le {}", format_date_fr(*on))).italics());
        }
    });
    ui.horizontal_wrapped(|ui| {
        // The amount asked for leads the decision's line: it never wraps inside its figures.
        if let Some(asked) = line.requested {
            ui.label(format!("Demandé : {asked}"));
        }
        let label = ui.label("Décision");
        let shown = match choice.outcome.as_str() {
            "approuve" => "Approuvé",
            "rejete" => "Rejeté",
            "ajourne" => "Ajourné",
            _ => "— à décider —",
        };
        egui::ComboBox::from_id_salt("decision")
            .selected_text(shown)
            .width(130.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut choice.outcome, String::new(), "— à décider —");
                ui.selectable_value(&mut choice.outcome, "approuve".into(), "Approuvé");
                ui.selectable_value(&mut choice.outcome, "rejete".into(), "Rejeté");
                ui.selectable_value(&mut choice.outcome, "ajourne".into(), "Ajourné");
            })
            .response
            .labelled_by(label.id);
        match choice.outcome.as_str() {
            "approuve" => {
                amount(ui, "Budget HCAR", &mut choice.hcar);
                amount(ui, "INDH", &mut choice.indh);
                if !choice.indh.trim().is_empty() {
                    text(ui, "Réf. comité INDH", &mut choice.indh_ref);
                }
                text(ui, "Convention (code)", &mut choice.convention_code);
                amount(ui, "Montant convention", &mut choice.convention);
                text(ui, "Autre secteur", &mut choice.other_name);
                amount(ui, "Montant autre secteur", &mut choice.other);
            }
            outcome @ ("rejete" | "ajourne") => {
                let used_for = if outcome == "rejete" { "rejet" } else { "ajournement" };
                let shown = choice
                    .reason
                    .as_deref()
                    .and_then(|code| reasons.iter().find(|r| r.code == code))
                    .map_or("choisir le motif…", |r| r.label_fr.as_str());
                let label = ui.label("Motif");
                egui::ComboBox::from_id_salt("motif")
                    .selected_text(shown)
                    .width(240.0)
                    .show_ui(ui, |ui| {
                        for reason in reasons.iter().filter(|r| r.used_for == used_for) {
                            ui.selectable_value(&mut choice.reason, Some(reason.code.clone()), &reason.label_fr);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                text(ui, "Précision", &mut choice.note);
            }
            _ => {}
        }
    });
}

fn amount(ui: &mut Ui, label: &str, value: &mut String) {
    let label = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).hint_text("DH").desired_width(90.0)).labelled_by(label.id);
}

fn text(ui: &mut Ui, label: &str, value: &mut String) {
    let label = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(120.0)).labelled_by(label.id);
}

impl super::OwnReplies for CommissionState {
    fn takes(reply: &Reply) -> bool {
        matches!(
            reply,
            Reply::CommissionSessions(_) | Reply::Agenda(_) | Reply::SessionOpened(_) | Reply::SessionRecorded(_)
        )
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        match reply {
            Reply::CommissionSessions(Ok(sessions)) => {
                if self.chosen.is_none() {
                    self.chosen =
                        sessions.iter().find(|s| s.value.closed_on.is_none()).map(|s| s.value.reference.clone());
                    if self.chosen.is_some() {
                        self.sessions = Some(sessions);
                        return vec![self.agenda_request()];
                    }
                }
                self.sessions = Some(sessions);
            }
            Reply::Agenda(Ok(agenda)) => {
                self.choices.retain(|number, _| agenda.iter().any(|l| &l.number == number));
                self.agenda = Some(agenda);
            }
            Reply::SessionOpened(Ok(reference)) => {
                self.new_session = None;
                self.chosen = Some(reference.clone());
                self.message = Some(Message::ok(format!(
                    "Session {reference} ouverte : décidez les dossiers de l'ordre du jour."
                )));
                return vec![Request::CommissionSessions, self.agenda_request()];
            }
            Reply::SessionRecorded(Ok(summary)) => {
                self.pending = false;
                self.problems.clear();
                self.overrun.clear();
                self.choices.clear();
                self.message = Some(Message::ok(summary));
                return vec![Request::CommissionSessions, self.agenda_request()];
            }
            Reply::SessionRecorded(Err(crate::app::AppError::SessionRejected(problems))) => {
                self.pending = false;
                self.problems = problems;
            }
            Reply::SessionOpened(Err(crate::app::AppError::Invalid(errors))) => {
                let said: Vec<&str> = errors.0.iter().map(|e| e.message.as_str()).collect();
                self.message = Some(Message::error(said.join(" ")));
            }
            Reply::CommissionSessions(Err(e))
            | Reply::Agenda(Err(e))
            | Reply::SessionOpened(Err(e))
            | Reply::SessionRecorded(Err(e)) => {
                self.pending = false;
                self.message = Some(Message::error(e.to_string()));
            }
            _ => {}
        }
        vec![]
    }
}
