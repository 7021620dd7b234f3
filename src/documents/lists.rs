//! Lists printed at the site that decides: the dossiers presented to the commission.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, RIGHT};
use super::table::{Column, table};
use crate::domain::Money;
use crate::domain::dates::{format_date_fr, long_date_ar, long_date_fr};
use crate::domain::print::PrintMargins;

/// A dossier as the commission's list shows it.
#[derive(Debug, Clone)]
pub struct CommissionLine {
    /// Dossier number.
    pub number: String,
    /// Applicant, Latin name.
    pub applicant: String,
    /// Applicant, Arabic name.
    pub applicant_ar: String,
    /// CIN.
    pub cin: String,
    /// Project name.
    pub project: String,
    /// Project kind, French.
    pub kind: String,
    /// Deposit date.
    pub deposited_on: NaiveDate,
    /// Amount asked.
    pub requested: Option<Money>,
}

/// The *liste des dossiers présentés à la commission*, with the total asked.
pub fn commission_list(issuer: &Issuer, today: NaiveDate, lines: &[CommissionLine], shift: PrintMargins) -> Vec<u8> {
    let mut c = Canvas::new("Liste des dossiers présentés à la commission", shift);
    let y = letterhead::letterhead(&mut c, issuer);
    let y = letterhead::both(
        &mut c,
        y + 2.0,
        &format!("{}, le {}", issuer.town_fr, long_date_fr(today)),
        &format!("حرر ب{} في {}", issuer.town_ar, long_date_ar(today)),
        10.0,
    );
    let y = letterhead::title(
        &mut c,
        y + 2.0,
        "لائحة الملفات المعروضة على اللجنة",
        "Liste des dossiers présentés à la commission",
    );
    let columns = [
        Column::figure("N°", 7.0),
        Column::text("Dossier", 33.0),
        Column::text("Demandeur (CIN)", 46.0),
        Column::arabic("الاسم", 22.0),
        Column::text("Projet", 30.0),
        Column::text("Type", 12.0),
        Column::figure("Demandé (DH)", 24.0),
    ];
    let rows: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                (i + 1).to_string(),
                l.number.clone(),
                format!("{} ({})", l.applicant, l.cin),
                l.applicant_ar.clone(),
                l.project.clone(),
                l.kind.clone(),
                l.requested.map_or("—".into(), Money::format_number_fr),
            ]
        })
        .collect();
    let heading = "Liste des dossiers présentés à la commission (suite)";
    let y = table(&mut c, y + 2.0, &columns, &rows, &mut |c: &mut Canvas| {
        c.line(letterhead::MARGIN, 14.0, Align::Left, heading, Style::fr(9.0).bold());
    });
    let total = lines.iter().filter_map(|l| l.requested).fold(Money::ZERO, |s, m| s.checked_add(m).unwrap_or(s));
    c.line(
        RIGHT,
        y + 3.0,
        Align::Right,
        &format!("{} dossiers — total demandé : {total}", lines.len()),
        Style::fr(10.0).bold(),
    );
    let since = lines.iter().map(|l| l.deposited_on).min().map(format_date_fr).unwrap_or_default();
    let reference = format!("Liste commission — {} — dépôts depuis le {since}", issuer.code);
    c.on_every_page(|c, page, pages| letterhead::footer(c, &reference, page, pages));
    c.finish()
}
