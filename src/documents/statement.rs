//! The *relevé des données* (law 09-08): everything the site holds about one person, in
//! sections, for the person to read and have corrected.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::dossier::section;
use super::letterhead::{self, Issuer, MARGIN, TEXT_WIDTH};
use crate::domain::dates::format_date_fr;
use crate::domain::print::PrintMargins;

/// A section of the statement: its titles and its label–value lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// French title.
    pub title_fr: String,
    /// Arabic title.
    pub title_ar: String,
    /// Label and value, French.
    pub lines: Vec<(String, String)>,
}

/// The statement for `person` (name and CIN) as PDF bytes.
pub fn data_statement(
    issuer: &Issuer,
    today: NaiveDate,
    person: &str,
    sections: &[Section],
    shift: PrintMargins,
) -> Vec<u8> {
    let mut c = Canvas::new(&format!("Relevé des données — {person}"), shift);
    let y = letterhead::dated(&mut c, issuer, today);
    let mut y = letterhead::title(&mut c, y + 4.0, "كشف المعطيات الشخصية", "Relevé des données personnelles");
    let intro = format!(
        "Données que {} détient sur {person}, au {}. Loi 09-08 : la personne peut en demander la rectification auprès du bureau ; chaque modification est datée et attribuée.",
        issuer.name_fr,
        format_date_fr(today)
    );
    y = c.paragraph(MARGIN, y, TEXT_WIDTH, Align::Left, &intro, Style::fr(9.5)) + 4.0;
    for s in sections {
        let lines = if s.lines.is_empty() { vec![(String::new(), "—".to_owned())] } else { s.lines.clone() };
        section(&mut c, &mut y, &s.title_fr, &s.title_ar, &lines);
    }
    let reference = format!("Relevé des données — {person} — édité le {}", format_date_fr(today));
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}
