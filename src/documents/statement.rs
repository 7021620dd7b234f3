//! The *relevé des données* (law 09-08): everything the site holds about one person, in
//! sections, for the person to read and have corrected.

use chrono::NaiveDate;

use super::canvas::Canvas;
use super::dossier::{Labelled, section, unlabelled};
use super::letterhead::{self, Issuer};
use crate::domain::dates::{format_date_fr, long_date_ar};
use crate::domain::print::PrintMargins;

/// A section of the statement: its titles and its label–value lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// French title.
    pub title_fr: String,
    /// Arabic title.
    pub title_ar: String,
    /// Its lines: the label in French and in Arabic, and the value.
    pub lines: Vec<Labelled>,
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
    let intro_fr = format!(
        "Données que {} détient sur {person}, au {}. Loi 09-08 : la personne peut en demander la rectification auprès du bureau ; chaque modification est datée et attribuée.",
        issuer.name_fr,
        format_date_fr(today)
    );
    let intro_ar = format!(
        "المعطيات التي يتوفر عليها {} بخصوص \u{2068}{person}\u{2069}، بتاريخ {}. القانون 09-08: يمكن للشخص المعني أن يطلب تصحيحها لدى المكتب، وكل تعديل مؤرخ ومنسوب إلى من قام به.",
        issuer.name_ar,
        long_date_ar(today)
    );
    y = letterhead::paragraphs(&mut c, y, &intro_ar, &intro_fr, 9.5) + 2.0;
    for s in sections {
        let lines = if s.lines.is_empty() { vec![unlabelled("—".to_owned())] } else { s.lines.clone() };
        section(&mut c, &mut y, &s.title_fr, &s.title_ar, &lines);
    }
    let reference = format!("Relevé des données — {person} — édité le {}", format_date_fr(today));
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}
