//! At a delegation, on the Bénéficiaires screen: the applicants of two offices who may be one
//! person, each pair settled with a note (same person, or two people).

use eframe::egui::{self, RichText, Ui};

use super::backend::Request;
use super::bidi;
use super::widgets::{self, Message};
use crate::app::{CrossOfficePair, Row};
use crate::domain::applicant::Applicant;
use crate::domain::review::Verdict;

/// Pairs shown at once (a regional register may hold thousands of namesakes).
const SHOWN: usize = 200;

/// The panel's state.
#[derive(Debug, Default)]
pub struct CrossState {
    /// The pairs left to settle (`None` while they are being looked for).
    pub pairs: Option<Vec<CrossOfficePair>>,
    /// The note typed for the next verdict.
    pub note: String,
    /// The last verdict's outcome.
    pub message: Option<Message>,
}

fn person(ui: &mut Ui, row: &Row<Applicant>) {
    let a = &row.value;
    ui.label(format!(
        "{} — CIN {} — né(e) le {} — bureau {}",
        a.display_name(),
        a.cin,
        a.birth_date.format("%d/%m/%Y"),
        row.meta.owner
    ));
    if !a.arabic_name().is_empty() {
        ui.label(bidi::visual(&a.arabic_name()));
    }
}

/// The panel; returns its requests and whether it was closed.
pub fn cross_duplicates_ui(ui: &mut Ui, state: &mut CrossState) -> (Vec<Request>, bool) {
    let mut requests = Vec::new();
    let mut closed = false;
    ui.horizontal(|ui| {
        ui.heading("Doublons entre bureaux");
        closed = ui.button("Fermer").clicked();
    });
    ui.label(
        RichText::new(
            "Bénéficiaires de bureaux différents ayant la même CIN, ou la même date de naissance et un nom proche. \
             « Même personne » : elle compte une fois dans les bilans. « Personnes distinctes » : la paire n'est plus proposée. \
             La décision, motivée, parvient aux deux bureaux.",
        )
        .weak(),
    );
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    let Some(pairs) = &state.pairs else {
        ui.label("Recherche des doublons…");
        return (requests, closed);
    };
    if pairs.is_empty() {
        ui.label("Aucun doublon possible à examiner.");
        return (requests, closed);
    }
    ui.horizontal(|ui| {
        let label = ui.label("Note de l'examen");
        ui.add(egui::TextEdit::singleline(&mut state.note).hint_text("ce qui a été vérifié").desired_width(420.0))
            .labelled_by(label.id);
    });
    ui.label(format!("{} paire(s) à examiner", pairs.len()));
    if pairs.len() > SHOWN {
        ui.label(
            RichText::new(format!("Les {SHOWN} premières sont affichées : tranchez-les pour voir les suivantes."))
                .weak(),
        );
    }
    egui::ScrollArea::vertical().id_salt("doublons-bureaux").auto_shrink(false).show(ui, |ui| {
        for (i, pair) in pairs.iter().enumerate().take(SHOWN) {
            ui.separator();
            ui.label(RichText::new(format!("Paire {} : {}", i + 1, pair.reason.label_fr())).strong());
            person(ui, &pair.first);
            person(ui, &pair.second);
            ui.horizontal(|ui| {
                for (verdict, text) in
                    [(Verdict::SamePerson, "Même personne"), (Verdict::Distinct, "Personnes distinctes")]
                {
                    if ui.button(format!("{text} (paire {})", i + 1)).clicked() {
                        requests.push(Request::ReviewDuplicate {
                            first: pair.first.meta.id,
                            second: pair.second.meta.id,
                            verdict,
                            note: state.note.clone(),
                        });
                    }
                }
            });
        }
    });
    (requests, closed)
}
