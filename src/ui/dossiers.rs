//! Dossiers: find one by number, see its checklist, history and funding, and move it on with
//! the buttons the user's role allows.

use eframe::egui::{self, RichText, Ui};

use super::backend::{DossierDocument, Request, SessionInfo};
use super::widgets::{self, Message};
use crate::app::{CertificateSubject, DossierView};
use crate::domain::Money;
use crate::domain::dates::{format_date_fr, parse_date_fr};
use crate::domain::dossier::Status;
use crate::domain::funding::{FundingSource, Grant};
use crate::domain::role::{Action, permits};
use crate::reference::Reference;

/// The screen's state.
#[derive(Debug, Default)]
pub struct DossiersState {
    /// The number typed.
    pub number: String,
    /// The dossier shown.
    pub view: Option<DossierView>,
    /// Reason typed for a rejection.
    pub reason: String,
    /// Amounts typed for an approval, and their detail (committee reference, convention code,
    /// sector), one per source family in [`SOURCES`] order.
    pub grants: [(String, String); 4],
    /// A funding line added to an approved dossier: source family, detail, amount, decision.
    pub extra: ExtraFunding,
    /// A message.
    pub message: Option<Message>,
    /// Put the cursor in the number field on the next frame.
    pub focus_number: bool,
    /// Amounts typed for disbursements, per funding line.
    pub disburse: std::collections::HashMap<uuid::Uuid, String>,
    /// Jobs seen at a follow-up visit (total, of which for the family).
    pub visit_jobs: (String, String),
    /// The amount asked for, as typed.
    pub requested: String,
    /// The deposit date, as typed.
    pub deposited_on: String,
    /// The reason typed for deleting the dossier.
    pub delete_reason: String,
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
        self.number = view.dossier.value.number.to_string();
        self.view = Some(view);
        self.message = message;
        self.reason.clear();
        self.grants = Default::default();
        self.extra = ExtraFunding::default();
        self.disburse.clear();
        self.visit_jobs = (String::new(), String::new());
        self.requested = self
            .view
            .as_ref()
            .and_then(|v| v.dossier.value.requested)
            .map(|m| m.format_number_fr())
            .unwrap_or_default();
        self.deposited_on =
            self.view.as_ref().map(|v| format_date_fr(v.dossier.value.deposited_on)).unwrap_or_default();
        self.delete_reason.clear();
    }
}

/// The screen.
#[must_use]
pub fn dossiers_ui(ui: &mut Ui, state: &mut DossiersState, session: &SessionInfo) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Dossiers");
    ui.horizontal(|ui| {
        let label = ui.label("Numéro du dossier");
        let field = ui
            .add(egui::TextEdit::singleline(&mut state.number).hint_text("BL-TIZNIT-2026-00042"))
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Ouvrir").clicked() || enter {
            requests.push(Request::Dossier(state.number.trim().to_owned()));
        }
        if permits(session.role, Action::RecordDecision, &session.site).is_ok()
            && ui.button("Imprimer la liste de la commission").clicked()
        {
            requests.push(Request::PrintCommissionList);
        }
    });
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    let Some(view) = &state.view else {
        return requests;
    };
    let d = &view.dossier.value;
    ui.separator();
    ui.label(
        RichText::new(format!("{} — {} — {}", d.number, d.kind.label_fr(), d.status.label_fr())).size(18.0).strong(),
    );
    if let Some(decision) = view.decision.as_ref().filter(|_| d.status == Status::Transmis) {
        let what = if decision.value.approved {
            let total =
                decision.value.grants.iter().fold(Money::ZERO, |sum, g| sum.checked_add(g.amount).unwrap_or(sum));
            format!("approuvé ({total} accordés)")
        } else {
            format!("rejeté — {}", decision.value.reason.as_deref().unwrap_or(""))
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
    let id = view.dossier.meta.id;
    let may = |action| permits(session.role, action, &session.site).is_ok();
    let can_tick = may(Action::RegisterDossier) && d.status < Status::Transmis;
    let can_pay = may(Action::RecordDisbursement) && matches!(d.status, Status::Approuve | Status::Finance);
    if can_tick {
        ui.horizontal(|ui| {
            let label = ui.label("Date de dépôt");
            ui.add(egui::TextEdit::singleline(&mut state.deposited_on).desired_width(100.0)).labelled_by(label.id);
            let label = ui.label("Montant demandé");
            ui.add(egui::TextEdit::singleline(&mut state.requested).desired_width(140.0)).labelled_by(label.id);
            if ui.button("Enregistrer la demande").clicked() {
                let requested = Some(state.requested.trim())
                    .filter(|r| !r.is_empty())
                    .map(Money::parse_fr)
                    .transpose()
                    .map_err(|e| format!("Montant demandé : {e}"));
                let deposited = parse_date_fr(&state.deposited_on).map_err(|e| format!("Date de dépôt : {e}"));
                match (requested, deposited) {
                    (Ok(requested), Ok(on)) => {
                        requests.push(Request::EditDossier { id, requested, deposited_on: Some(on) });
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
    }
    ui.columns(2, |columns| {
        let ui = &mut columns[0];
        ui.label(RichText::new("Pièces").strong());
        for (item, received) in &view.checklist {
            let mark = match received {
                Some(on) => format!("Reçue le {} : {}", on.format("%d/%m/%Y"), item.label_fr),
                None if item.required => format!("MANQUANTE : {}", item.label_fr),
                None => format!("Facultative : {}", item.label_fr),
            };
            let mut ticked = received.is_some();
            let enabled = can_tick && received.is_none();
            if ui.add_enabled(enabled, egui::Checkbox::new(&mut ticked, mark)).changed() && ticked {
                requests.push(Request::ReceiveDocuments { id, codes: vec![item.code.clone()] });
            }
        }
        let ui = &mut columns[1];
        ui.label(RichText::new("Historique").strong());
        for t in &d.history {
            let reason = t.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
            ui.label(format!(
                "{} : de « {} » à « {} » ({}){reason}",
                t.on.format("%d/%m/%Y"),
                t.from.label_fr(),
                t.to.label_fr(),
                t.by
            ));
        }
        ui.add_space(6.0);
        ui.label(RichText::new("Financements").strong());
        for (line, paid) in &view.funding {
            ui.label(format!("{} : {} engagés", line.value.source, line.value.committed));
            for p in paid {
                ui.label(format!(
                    "   tranche {} du {} : {}",
                    p.value.tranche,
                    p.value.paid_on.format("%d/%m/%Y"),
                    p.value.amount
                ));
            }
            if can_pay {
                ui.horizontal(|ui| {
                    let label = ui.label(format!("Montant à décaisser ({})", line.value.source));
                    let amount = state.disburse.entry(line.meta.id).or_default();
                    ui.add(egui::TextEdit::singleline(amount).desired_width(120.0)).labelled_by(label.id);
                    if ui.button(format!("Décaisser ({})", line.value.source)).clicked() {
                        match Money::parse_fr(amount) {
                            Ok(amount) => requests.push(Request::Disburse { dossier: id, line: line.meta.id, amount }),
                            Err(e) => state.message = Some(Message::error(e)),
                        }
                    }
                });
            }
        }
    });
    if may(Action::RecordDecision) && matches!(d.status, Status::Approuve | Status::Finance) {
        requests.extend(extra_funding_ui(ui, &mut state.extra, id, &mut state.message));
    }
    if may(Action::RecordVisit) && d.status >= Status::Finance {
        ui.horizontal(|ui| {
            let label = ui.label("Visite de suivi : emplois constatés");
            ui.add(egui::TextEdit::singleline(&mut state.visit_jobs.0).desired_width(60.0)).labelled_by(label.id);
            let label = ui.label("dont famille");
            ui.add(egui::TextEdit::singleline(&mut state.visit_jobs.1).desired_width(60.0)).labelled_by(label.id);
            if ui.button("Enregistrer la visite").clicked() {
                let (jobs_total, jobs_family) = state.visit_jobs.clone();
                requests.push(Request::AddVisit { dossier: id, project: d.project_id, jobs_total, jobs_family });
            }
        });
    }
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        for &to in d.status.next() {
            let allowed =
                d.status.action_to(to).is_some_and(|action| permits(session.role, action, &session.site).is_ok());
            // Decided at the delegation: the decision is on its way to the office.
            let decided = view.decision.is_some() && matches!(to, Status::Approuve | Status::Rejete);
            if !allowed || decided || to == Status::Finance {
                continue;
            }
            if to == Status::Rejete {
                let label = ui.label("Motif");
                ui.add(egui::TextEdit::singleline(&mut state.reason).desired_width(200.0)).labelled_by(label.id);
            }
            if to == Status::Approuve {
                ui.vertical(|ui| {
                    for ((_, amount_label, detail_label), (amount, detail)) in SOURCES.iter().zip(&mut state.grants) {
                        ui.horizontal(|ui| {
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
            if ui.button(verb(d.status, to)).clicked() {
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
                // The reason field belongs to the rejection only.
                let reason = Some(state.reason.trim().to_owned()).filter(|r| to == Status::Rejete && !r.is_empty());
                requests.push(Request::MoveDossier { id, to, reason, grants });
            }
        }
    });
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        let number = d.number.to_string();
        let mut print = |kind| requests.push(Request::PrintDocument { kind, number: number.clone() });
        if may(Action::RegisterDossier) && ui.button("Imprimer le récépissé").clicked() {
            print(DossierDocument::Receipt);
        }
        if ui.button("Imprimer la fiche dossier").clicked() {
            print(DossierDocument::Sheet);
        }
        if view.decision.is_some() && ui.button("Imprimer la notification de décision").clicked() {
            print(DossierDocument::DecisionNotice);
        }
        let certifiable = matches!(d.status, Status::Approuve | Status::Finance | Status::Cloture);
        if certifiable && may(Action::IssueCertificate) && ui.button("Délivrer l'attestation de bénéficiaire").clicked()
        {
            requests.push(Request::IssueCertificate(CertificateSubject::Dossier(number.clone())));
        }
    });
    if may(Action::DeleteRecord) {
        ui.separator();
        ui.horizontal(|ui| {
            let label = ui.label("Motif de suppression du dossier");
            ui.add(egui::TextEdit::singleline(&mut state.delete_reason).desired_width(240.0)).labelled_by(label.id);
            if ui.button("Supprimer le dossier").clicked() {
                requests.push(Request::DeleteDossier { id, reason: std::mem::take(&mut state.delete_reason) });
            }
        });
    }
    requests
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
