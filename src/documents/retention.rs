//! The retention report (law 09-08): who the rules would anonymise today, for the administrator
//! to read, sign and keep before anonymising.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, MARGIN, TEXT_WIDTH};
use super::table::{Column, table};
use crate::domain::dates::format_date_fr;
use crate::domain::print::PrintMargins;

/// A person the report names.
#[derive(Debug, Clone)]
pub struct RetentionLine {
    /// Name as the register holds it.
    pub name: String,
    /// CIN.
    pub cin: String,
    /// Since when nothing is open.
    pub since: NaiveDate,
    /// Their dossiers' numbers.
    pub dossiers: String,
}

/// What the report states.
#[derive(Debug, Clone)]
pub struct RetentionReport {
    /// The retention period, in years.
    pub years: u32,
    /// Closed on or before this day: anonymised.
    pub cutoff: NaiveDate,
    /// The people.
    pub people: Vec<RetentionLine>,
    /// The other rows concerned, in one French sentence.
    pub others: String,
}

/// The report as PDF bytes.
pub fn retention_report(issuer: &Issuer, today: NaiveDate, report: &RetentionReport, shift: PrintMargins) -> Vec<u8> {
    let mut c = Canvas::new("Rapport de conservation des données", shift);
    let y = letterhead::dated(&mut c, issuer, today);
    let mut y = letterhead::title(
        &mut c,
        y + 2.0,
        "تقرير مدة الاحتفاظ بالمعطيات الشخصية",
        "Rapport de conservation des données personnelles",
    );
    let intro = format!(
        "Loi 09-08. Durée de conservation : {} an(s) après la clôture des dossiers. Les personnes ci-dessous n'ont plus de dossier ouvert depuis le {} ou avant : leurs données d'identité seront anonymisées (CIN, noms, téléphone, adresse, n° AMO ; date de naissance réduite à l'année). Les chiffres des bilans ne changent pas.",
        report.years,
        format_date_fr(report.cutoff)
    );
    y = c.paragraph(MARGIN, y, TEXT_WIDTH, Align::Left, &intro, Style::fr(9.5)) + 3.0;
    let columns = [
        Column::figure("N°", 9.0),
        Column::text("Nom", 52.0),
        Column::text("CIN", 26.0),
        Column::text("Rien d'ouvert depuis", 32.0),
        Column::text("Dossiers", 55.0),
    ];
    let rows: Vec<Vec<String>> = report
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let dossiers = if p.dossiers.is_empty() { "aucun".to_owned() } else { p.dossiers.clone() };
            vec![(i + 1).to_string(), p.name.clone(), p.cin.clone(), format_date_fr(p.since), dossiers]
        })
        .collect();
    let heading = "Rapport de conservation des données (suite)";
    y = table(&mut c, y, &columns, &rows, &mut |c: &mut Canvas| {
        c.line(MARGIN, 14.0, Align::Left, heading, Style::fr(9.0).bold());
    });
    y = c.paragraph(MARGIN, y + 2.0, TEXT_WIDTH, Align::Left, &report.others, Style::fr(9.5)) + 8.0;
    c.line(MARGIN, y, Align::Left, "Vu, le responsable du site (nom, date, signature) :", Style::fr(9.5));
    let reference = format!("Rapport de conservation — {} — au {}", issuer.code, format_date_fr(today));
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}
