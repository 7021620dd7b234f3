//! Attestations: issue a certificate (head of office), the register with duplicates and
//! revocations, and the check of a QR code's text that anyone at the counter may run.

use eframe::egui::{self, RichText, Ui};

use super::backend::{Reply, Request, SessionInfo};
use super::theme;
use super::widgets::{self, Message};
use crate::app::{CertificateSubject, Row};
use crate::domain::certificate::{Certificate, Verdict};
use crate::domain::role::{Action, permits};

/// The screen's state.
#[derive(Debug, Default)]
pub struct CertificatesState {
    /// The register, once received.
    pub rows: Option<Vec<Row<Certificate>>>,
    /// Dossier number typed (beneficiary certificate).
    pub dossier: String,
    /// CIN typed (entitlement certificate).
    pub cin: String,
    /// Revocation reasons typed, by certificate number.
    pub reasons: std::collections::HashMap<String, String>,
    /// The QR code's text typed or scanned.
    pub payload: String,
    /// The last verdict.
    pub verdict: Option<Verdict>,
    /// A message (the path of the document written, or an error).
    pub message: Option<Message>,
}

/// The screen.
#[must_use]
pub fn certificates_ui(ui: &mut Ui, state: &mut CertificatesState, session: &SessionInfo) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Attestations");
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    let may_issue = permits(session.role, Action::IssueCertificate, &session.site).is_ok();
    if may_issue {
        ui.label(RichText::new("Délivrer une attestation").strong());
        ui.horizontal(|ui| {
            widgets::field(ui, "Dossier approuvé ou financé", &mut state.dossier, None);
            if ui.button("Délivrer l'attestation de bénéficiaire").clicked() {
                requests.push(Request::IssueCertificate(CertificateSubject::Dossier(state.dossier.trim().to_owned())));
            }
        });
        ui.horizontal(|ui| {
            widgets::field(ui, "CIN de l'ayant droit", &mut state.cin, None);
            if ui.button("Délivrer l'attestation d'ayant droit").clicked() {
                requests.push(Request::IssueCertificate(CertificateSubject::Applicant(state.cin.trim().to_owned())));
            }
        });
    } else {
        ui.label(RichText::new("Seul le chef de bureau délivre, réimprime ou révoque les attestations.").weak());
    }
    ui.add_space(8.0);
    requests.extend(verify_ui(ui, state));
    ui.add_space(8.0);
    ui.label(RichText::new("Registre des attestations").strong());
    let Some(rows) = &state.rows else {
        ui.spinner();
        return requests;
    };
    if rows.is_empty() {
        ui.label("Aucune attestation délivrée.");
    }
    egui::ScrollArea::vertical().id_salt("registre").show(ui, |ui| {
        for row in rows {
            let c = &row.value;
            ui.label(format!(
                "{} — {} — {} ({}) — {} — {}",
                c.number,
                c.facts.kind.title_fr(),
                c.facts.name,
                c.facts.cin,
                c.issued_on.format("%d/%m/%Y"),
                c.state_fr()
            ));
            ui.horizontal(|ui| {
                ui.add_space(24.0);
                // The dossier the certificate attests opens from here.
                if let Some(number) = &c.facts.dossier_number
                    && ui.link(format!("Dossier {number}")).clicked()
                {
                    requests.push(Request::Dossier(number.clone()));
                }
                if may_issue && c.revoked.is_none() && ui.button(format!("Duplicata {}", c.number)).clicked() {
                    requests.push(Request::ReprintCertificate(c.number.clone()));
                }
            });
            // The revocation on a line of its own: beside the duplicate, it ran past a 1024-pixel
            // window.
            if may_issue && c.revoked.is_none() {
                ui.horizontal(|ui| {
                    ui.add_space(24.0);
                    let reason = state.reasons.entry(c.number.clone()).or_default();
                    let label = ui.label("Motif de révocation");
                    ui.add(egui::TextEdit::singleline(reason).desired_width(220.0)).labelled_by(label.id);
                    if ui.button(format!("Révoquer {}", c.number)).clicked() {
                        let reason = std::mem::take(reason);
                        requests.push(Request::RevokeCertificate { number: c.number.clone(), reason });
                    }
                });
            }
        }
    });
    requests
}

fn verify_ui(ui: &mut Ui, state: &mut CertificatesState) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.label(RichText::new("Vérifier une attestation").strong());
    ui.label(RichText::new("Scannez le code QR (le lecteur tape son texte) ou recopiez-le.").weak());
    ui.horizontal(|ui| {
        let label = ui.label("Texte du code QR");
        ui.add(egui::TextEdit::singleline(&mut state.payload).desired_width(520.0)).labelled_by(label.id);
        if ui.button("Vérifier").clicked() {
            requests.push(Request::VerifyCertificate(state.payload.clone()));
        }
    });
    if let Some(verdict) = &state.verdict {
        let color = if matches!(verdict, Verdict::Authentic { .. }) { theme::OK } else { theme::ERROR };
        ui.label(RichText::new(verdict.to_string()).color(color).strong());
    }
    requests
}

impl super::OwnReplies for CertificatesState {
    fn takes(reply: &Reply) -> bool {
        matches!(reply, Reply::Certificates(_) | Reply::Revoked(_) | Reply::Verdict(_))
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        match reply {
            Reply::Certificates(Ok(rows)) => self.rows = Some(rows),
            Reply::Revoked(Ok(rows)) => {
                self.rows = Some(rows);
                self.message = Some(Message::ok("Attestation révoquée."));
            }
            Reply::Verdict(Ok(verdict)) => self.verdict = Some(verdict),
            Reply::Verdict(Err(e)) => {
                self.verdict = None;
                self.message = Some(Message::error(e.to_string()));
            }
            Reply::Certificates(Err(e)) | Reply::Revoked(Err(e)) => self.message = Some(Message::error(e.to_string())),
            _ => {}
        }
        vec![]
    }
}
