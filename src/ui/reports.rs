//! Rapports: the bilan of a period on screen (every figure opens the list of dossiers behind
//! it), broken down by office, province or region, printed or exported.

use chrono::{Datelike as _, NaiveDate};
use eframe::egui::{self, RichText, Ui};

use super::backend::{Reply, Request};
use super::widgets::{self, Message};
use crate::app::{ClosedYear, DrillLine};
use crate::documents::bilan_files::{BilanFormat, key_label};
use crate::domain::dates::parse_date_fr;
use crate::domain::indicators::{Bilan, Breakdown, Unit, family_of};

/// The dossiers behind one figure.
#[derive(Debug, Clone)]
pub struct DrillDown {
    /// The figure's key.
    pub key: String,
    /// The group, when the figure was broken down.
    pub group: Option<String>,
    /// The dossiers.
    pub lines: Vec<DrillLine>,
}

/// The reports screen's state.
#[derive(Debug, Default)]
pub struct ReportsState {
    /// First day, as typed.
    pub from: String,
    /// Last day, as typed.
    pub to: String,
    /// The breakdown chosen: "", `office`, `province`, `region`.
    pub by: String,
    /// The figures shown.
    pub bilan: Option<Bilan>,
    /// The dossiers behind the figure clicked.
    pub drill: Option<DrillDown>,
    /// The closing of the year shown, when the period is a closed year.
    pub closed: Option<ClosedYear>,
    /// A message (the document written, or what is wrong).
    pub message: Option<Message>,
}

/// What the form asks for: the period and the breakdown.
type Query = (NaiveDate, NaiveDate, Option<Breakdown>);

impl ReportsState {
    /// The figures to show on opening the screen: the period typed, or the year of `today`.
    pub fn query_for(&mut self, today: Option<NaiveDate>) -> Option<Request> {
        if let Some(today) = today.filter(|_| self.from.is_empty() && self.to.is_empty()) {
            self.from = format!("01/01/{}", today.year());
            self.to = format!("31/12/{}", today.year());
        }
        let (from, to, by) = self.query()?;
        Some(Request::Bilan { from, to, by })
    }

    fn query(&mut self) -> Option<Query> {
        let by = Breakdown::parse(&self.by).ok();
        match (parse_date_fr(&self.from), parse_date_fr(&self.to)) {
            (Ok(from), Ok(to)) => Some((from, to, by)),
            (Err(e), _) | (_, Err(e)) => {
                self.message = Some(Message::error(format!("Période : {e}")));
                None
            }
        }
    }
}

/// Rapports: the bilan of a period.
#[must_use]
/// `closing_from`: today, when the account may close years (a year closes once it is over).
pub fn reports_ui(ui: &mut Ui, state: &mut ReportsState, closing_from: Option<NaiveDate>) -> Vec<Request> {
    let mut requests = Vec::new();
    ui.heading("Rapports");
    if let Some(message) = &state.message {
        widgets::message(ui, message);
    }
    ui.label(RichText::new("Bilan d'une période").strong());
    ui.label(
        RichText::new(
            "Chaque chiffre dit ce qu'il compte et quelle date décide ; cliquez un chiffre pour voir les dossiers qui le font.",
        )
        .weak(),
    );
    widgets::field(ui, "Du", &mut state.from, None);
    widgets::field(ui, "Au", &mut state.to, None);
    let breakdowns = [
        ("", "Aucune"),
        ("office", "Par bureau"),
        ("province", "Par province"),
        ("region", "Par région"),
        ("source", "Par source de financement"),
    ]
    .map(|(v, l)| (v.to_owned(), l.to_owned()));
    let before = state.by.clone();
    widgets::choice(ui, "Ventilation", &mut state.by, &breakdowns, None);
    let regroup = state.by != before;
    ui.horizontal(|ui| {
        if (ui.button("Afficher les chiffres").clicked() || regroup)
            && let Some((from, to, by)) = state.query()
        {
            state.drill = None;
            requests.push(Request::Bilan { from, to, by });
        }
        for (label, format) in [
            ("Imprimer le bilan", BilanFormat::Pdf),
            ("Exporter en CSV", BilanFormat::Csv),
            ("Exporter en XLSX", BilanFormat::Xlsx),
            ("Exporter en JSON", BilanFormat::Json),
        ] {
            if ui.button(label).clicked()
                && let Some((from, to, by)) = state.query()
            {
                requests.push(Request::WriteBilan { from, to, by, format });
            }
        }
    });
    ui.horizontal(|ui| {
        // The year of the period's start: a year's report, as the assembly reads it.
        if ui.button("Imprimer le rapport annuel").clicked()
            && let Some((from, _, _)) = state.query()
        {
            requests.push(Request::WriteAnnualReport(from.year()));
        }
        ui.label(RichText::new("de l'année du premier jour de la période").weak());
    });
    ui.separator();
    if let Some(closed) = &state.closed {
        closed_ui(ui, closed);
    } else if let Some((bilan, today)) = state.bilan.as_ref().zip(closing_from) {
        let year = bilan.from.year();
        let whole_year =
            bilan.from.ordinal() == 1 && bilan.to.year() == year && bilan.to.month() == 12 && bilan.to.day() == 31;
        let whole_year = whole_year && bilan.to < today;
        if whole_year
            && ui
                .button(format!("Clôturer l'année {year}"))
                .on_hover_text(
                    "Gèle et signe les chiffres de l'année ; les changements ultérieurs apparaîtront comme des écarts.",
                )
                .clicked()
        {
            requests.push(Request::CloseYear { year, by: bilan.by });
        }
    }
    if let Some(drill) = &state.drill {
        let (more, close) = drill_ui(ui, drill);
        requests.extend(more);
        if close {
            state.drill = None;
        }
    }
    if let Some(bilan) = &state.bilan {
        requests.extend(figures_ui(ui, bilan));
    }
    requests
}

/// A closed year: when, whether its signature holds, and what changed since.
fn closed_ui(ui: &mut Ui, closed: &ClosedYear) {
    let day = closed.closed_at.get(..10).unwrap_or(&closed.closed_at);
    let text = format!("Année {} clôturée le {day} par {} : chiffres gelés et signés.", closed.year, closed.closed_by);
    widgets::message(ui, &Message::ok(text));
    if !closed.authentic {
        widgets::message(
            ui,
            &Message::error("Les chiffres gelés ne sont plus ceux que le site a signés : la base a été modifiée."),
        );
    }
    if closed.differences.is_empty() {
        return;
    }
    widgets::message(ui, &Message::warning(format!("{} écart(s) depuis la clôture :", closed.differences.len())));
    for d in &closed.differences {
        ui.label(d.describe_fr(&key_label(&d.key)));
    }
}

/// The dossiers behind a figure, each opening its dossier; whether to close the list.
fn drill_ui(ui: &mut Ui, drill: &DrillDown) -> (Vec<Request>, bool) {
    let mut requests = Vec::new();
    let unit = family_of(&drill.key).map_or(Unit::Count, |f| f.unit);
    let within = drill.group.as_deref().map(|g| format!(" — {g}")).unwrap_or_default();
    let close = ui
        .horizontal(|ui| {
            ui.label(RichText::new(format!("{}{within}", key_label(&drill.key))).strong());
            ui.button("Fermer la liste").clicked()
        })
        .inner;
    let total: i64 = drill.lines.iter().map(|l| l.value).sum();
    ui.label(format!("{} dossier(s), total {}", drill.lines.len(), unit.format_fr(total)));
    egui::ScrollArea::vertical().id_salt("drill").max_height(180.0).show(ui, |ui| {
        egui::Grid::new("drill-lines").striped(true).show(ui, |ui| {
            for line in &drill.lines {
                if ui.link(&line.dossier).clicked() {
                    requests.push(Request::Dossier(line.dossier.clone()));
                }
                ui.label(&line.office);
                ui.label(unit.format_fr(line.value));
                ui.end_row();
            }
        });
    });
    ui.separator();
    (requests, close)
}

fn figures_ui(ui: &mut Ui, bilan: &Bilan) -> Vec<Request> {
    let mut requests = Vec::new();
    let (from, to, by) = (bilan.from, bilan.to, bilan.by);
    let drill = |key: &str, group: Option<&str>| Request::DrillDown {
        from,
        to,
        by,
        key: key.to_owned(),
        group: group.map(str::to_owned),
    };
    egui::ScrollArea::both().id_salt("figures").show(ui, |ui| {
        egui::Grid::new("bilan-figures").striped(true).show(ui, |ui| {
            ui.label(RichText::new("Indicateur").strong());
            ui.label(RichText::new("Total").strong());
            for group in &bilan.groups {
                ui.label(RichText::new(group).strong());
            }
            ui.end_row();
            let mut family = "";
            for figure in &bilan.figures {
                let Some(f) = family_of(&figure.key) else { continue };
                if f.key != family {
                    family = f.key;
                    ui.label(RichText::new(format!("{} ({})", f.label_fr, f.span.label_fr())).strong())
                        .on_hover_text(format!("{} — date : {}", f.counts, f.date));
                    ui.end_row();
                }
                let label = key_label(&figure.key);
                ui.label(format!("  {}", label.split_once(" — ").map_or(label.as_str(), |(_, d)| d)));
                // Read aloud (and found by tests) with what it counts, not as a bare number.
                let value = f.unit.format_fr(figure.value);
                let link = ui.link(&value).on_hover_text(&figure.key).accessible_name(format!("{label} : {value}"));
                if link.clicked() {
                    requests.push(drill(&figure.key, None));
                }
                for group in &bilan.groups {
                    let value = f.unit.format_fr(figure.by_group.get(group).copied().unwrap_or(0));
                    if ui.link(&value).accessible_name(format!("{label} — {group} : {value}")).clicked() {
                        requests.push(drill(&figure.key, Some(group)));
                    }
                }
                ui.end_row();
            }
        });
    });
    requests
}

impl super::OwnReplies for ReportsState {
    fn takes(reply: &Reply) -> bool {
        matches!(reply, Reply::Bilan(_) | Reply::DrillDown(_))
    }

    fn apply(&mut self, reply: Reply) -> Vec<Request> {
        match reply {
            Reply::Bilan(Ok((bilan, closed))) => {
                self.bilan = Some(bilan);
                self.closed = closed;
            }
            Reply::DrillDown(Ok(drill)) => self.drill = Some(drill),
            Reply::Bilan(Err(e)) | Reply::DrillDown(Err(e)) => self.message = Some(Message::error(e.to_string())),
            _ => {}
        }
        vec![]
    }
}
