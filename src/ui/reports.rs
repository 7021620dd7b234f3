//! Rapports: the bilan of a period.

use eframe::egui::{RichText, Ui};

use super::backend::Request;
use super::widgets::{self, Message};
use crate::domain::dates::parse_date_fr;

/// The reports screen's state.
#[derive(Debug, Default)]
pub struct ReportsState {
    /// First day, as typed.
    pub from: String,
    /// Last day, as typed.
    pub to: String,
    /// A message (the document written, or what is wrong).
    pub message: Option<Message>,
}

/// Rapports: the bilan of a period as PDF.
#[must_use]
pub fn reports_ui(ui: &mut Ui, state: &mut ReportsState, year: i32) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Rapports");
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    ui.label(RichText::new("Bilan d'une période").strong());
    ui.label(
        RichText::new("Projets déposés et financés, emplois, soutien par source, enveloppes, dossiers par statut.")
            .weak(),
    );
    if state.from.is_empty() && state.to.is_empty() {
        state.from = format!("01/01/{year}");
        state.to = format!("31/12/{year}");
    }
    widgets::field(ui, "Du", &mut state.from, None);
    widgets::field(ui, "Au", &mut state.to, None);
    if ui.button("Imprimer le bilan").clicked() {
        match (parse_date_fr(&state.from), parse_date_fr(&state.to)) {
            (Ok(from), Ok(to)) => requests.push(Request::PrintBilan { from, to }),
            (Err(e), _) | (_, Err(e)) => state.message = Some(Message::error(format!("Période : {e}"))),
        }
    }
    requests
}
