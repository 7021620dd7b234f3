//! Tableau de bord: today's work first, then the office's key figures, the envelopes' use and
//! the dossiers by status.

use eframe::egui::{ProgressBar, RichText, Ui};

use super::backend::Request;
use super::widgets;
use crate::app::{Opens, Stats, TodoItem};
use crate::domain::Money;
use crate::domain::dossier::Status;
use crate::domain::funding::EnvelopeUse;
use crate::domain::money::group_thousands_fr;
use crate::domain::project::ProjectKind;
use crate::reference::Reference;

/// The dashboard's data.
#[derive(Debug, Default)]
pub struct DashboardState {
    /// The latest figures, once received.
    pub stats: Option<Stats>,
    /// Today's work, once received.
    pub today: Option<Vec<TodoItem>>,
    /// A line of today's work was clicked: where it leads.
    pub go: Option<Opens>,
}

/// Today's work, first: each line says what waits, how many and since when; a click opens it.
fn today_ui(ui: &mut Ui, state: &mut DashboardState) {
    ui.label(RichText::new("Aujourd'hui").strong().size(16.0));
    match &state.today {
        None => {
            ui.label(RichText::new("Lecture…").weak());
        }
        Some(items) if items.is_empty() => {
            ui.label("Rien n'attend aujourd'hui.");
        }
        Some(items) => {
            for item in items {
                if ui.link(widgets::whole_numbers(&item.line())).clicked() {
                    state.go = Some(item.opens.clone());
                }
            }
        }
    }
    ui.add_space(8.0);
}

fn figure(ui: &mut Ui, label: &str, value: String) {
    ui.vertical(|ui| {
        ui.label(RichText::new(value).size(24.0).strong());
        ui.label(label);
    });
}

fn count(pairs: &[(String, i64)], code: &str) -> i64 {
    pairs.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n)
}

fn dh(centimes: i64) -> String {
    Money::from_centimes(centimes).map_or_else(|| "—".into(), |m| m.to_string())
}

/// The dashboard screen; `sends`: the site sends to a delegation (it has changes to deliver).
#[must_use]
pub fn dashboard_ui(ui: &mut Ui, state: &mut DashboardState, sends: bool) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.horizontal(|ui| {
        ui.heading("Tableau de bord");
        if ui.button("Actualiser").clicked() {
            requests.extend([Request::Today, Request::Dashboard]);
        }
    });
    today_ui(ui, state);
    let Some(s) = &state.stats else {
        ui.spinner();
        return requests;
    };
    ui.add_space(6.0);
    ui.horizontal_wrapped(|ui| {
        figure(ui, "Bénéficiaires", group_thousands_fr(s.applicants));
        ui.separator();
        let projects: i64 = s.projects_by_kind.iter().map(|(_, n)| n).sum();
        figure(ui, "Projets", group_thousands_fr(projects));
        ui.separator();
        let dossiers: i64 = s.dossiers_by_status.iter().map(|(_, n)| n).sum();
        figure(ui, "Dossiers", group_thousands_fr(dossiers));
        ui.separator();
        figure(
            ui,
            "Emplois prévus",
            format!("{} dont {} famille", group_thousands_fr(s.jobs_planned.0), group_thousands_fr(s.jobs_planned.1)),
        );
        if sends {
            ui.separator();
            figure(ui, "Modifications non livrées à la délégation", group_thousands_fr(s.outbox));
        }
        if s.open_conflicts > 0 || s.bundles_waiting > 0 {
            ui.separator();
            figure(
                ui,
                "Synchronisation : conflits / paquets en attente",
                format!("{} / {}", s.open_conflicts, s.bundles_waiting),
            );
        }
    });
    ui.add_space(10.0);
    ui.columns(2, |columns| {
        columns[0].with_layout(widgets::unjustified(), |ui| {
            ui.label(RichText::new("Projets par type").strong());
            for kind in ProjectKind::ALL {
                ui.label(format!(
                    "{} : {}",
                    kind.label_fr(),
                    group_thousands_fr(count(&s.projects_by_kind, kind.code()))
                ));
            }
            ui.add_space(6.0);
            ui.label(RichText::new("Financements par source (engagé / décaissé)").strong());
            for source in &Reference::shipped().funding_sources {
                ui.label(widgets::whole_numbers(&format!(
                    "{} : {} / {}",
                    source.label_fr,
                    dh(count(&s.committed_by_source, &source.code)),
                    dh(count(&s.disbursed_by_source, &source.code))
                )));
            }
            if !s.envelopes.is_empty() {
                ui.add_space(6.0);
                // The current budget year: the newest one with an envelope.
                let year = s.envelopes.iter().map(|u| u.envelope.year).max().unwrap_or_default();
                ui.label(RichText::new(format!("Consommation des enveloppes {year}")).strong());
                let current: Vec<EnvelopeUse> =
                    s.envelopes.iter().filter(|u| u.envelope.year == year).cloned().collect();
                envelopes_ui(ui, &current);
            }
        });
        columns[1].with_layout(widgets::unjustified(), |ui| {
            ui.label(RichText::new("Dossiers par statut").strong());
            status_bars(ui, &s.dossiers_by_status);
        });
    });
    requests
}

/// One bar per status, named on its left and counted on its right, as long as its share of
/// the largest (a bar chart whose every bar says what it is, at any width).
fn status_bars(ui: &mut Ui, by_status: &[(String, i64)]) {
    let counts: Vec<(Status, i64)> = Status::ALL.iter().map(|s| (*s, count(by_status, s.code()))).collect();
    let largest = counts.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    eframe::egui::Grid::new("dossiers-par-statut").num_columns(3).spacing([8.0, 4.0]).show(ui, |ui| {
        for (status, n) in counts {
            ui.label(status.label_fr());
            let fraction = n as f32 / largest as f32;
            let bar = ProgressBar::new(fraction).desired_width(200.0);
            ui.add(if n > 0 { bar.fill(super::theme::ACCENT) } else { bar.fill(eframe::egui::Color32::TRANSPARENT) });
            ui.label(group_thousands_fr(n));
            ui.end_row();
        }
    });
}

/// One line and a bar per envelope, newest year first.
pub fn envelopes_ui(ui: &mut Ui, uses: &[EnvelopeUse]) {
    let mut uses: Vec<&EnvelopeUse> = uses.iter().collect();
    uses.sort_by(|a, b| b.envelope.year.cmp(&a.envelope.year).then_with(|| a.code.cmp(&b.code)));
    for u in uses {
        let percent = format!("{:.1}", u.percent()).replace('.', ",");
        let line = widgets::whole_numbers(&format!(
            "{} — {} : {} engagés sur {} ({percent}\u{a0}%)",
            u.code, u.envelope.year, u.committed, u.envelope.amount
        ));
        if u.committed > u.envelope.amount {
            ui.label(RichText::new(format!("{line} — enveloppe dépassée")).color(super::theme::ERROR));
        } else {
            ui.label(line);
        }
        let fraction = (u.percent() / 100.0).clamp(0.0, 1.0) as f32;
        let bar = ProgressBar::new(fraction).desired_width(260.0);
        // Nothing committed looks empty (egui would still paint the bar's rounded start).
        ui.add(if fraction > 0.0 { bar } else { bar.fill(eframe::egui::Color32::TRANSPARENT) });
    }
}

impl DashboardState {
    /// Forgets the figures (they are asked again when the screen opens).
    pub fn clear(&mut self) {
        self.stats = None;
        self.today = None;
    }
}
