//! Lists printed at the site that decides: the dossiers presented to the commission.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, RIGHT};
use super::table::{Column, table};
use crate::domain::Money;
use crate::domain::dates::format_date_fr;
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
    let y = letterhead::dated(&mut c, issuer, today);
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
        &format!(
            "{} — total demandé : {total}",
            if lines.len() == 1 { "1 dossier".to_owned() } else { format!("{} dossiers", lines.len()) }
        ),
        Style::fr(10.0).bold(),
    );
    let since = lines.iter().map(|l| l.deposited_on).min().map(format_date_fr).unwrap_or_default();
    let reference = format!("Liste commission — {} — dépôts depuis le {since}", issuer.code);
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}

/// What a *bordereau de transmission* states about the bundle it travels with.
#[derive(Debug, Clone)]
pub struct TransmittalSlip {
    /// The bundle's file name.
    pub file: String,
    /// Its sequence number.
    pub sequence: u64,
    /// The delegation it goes to.
    pub recipient: String,
    /// When it was written.
    pub written_at: String,
    /// The change numbers carried: (from, to].
    pub range: (i64, i64),
    /// SHA-256 of the file.
    pub hash: String,
    /// Rows per table.
    pub by_table: Vec<(String, usize)>,
    /// Dossiers transmitted to the commission: number, applicant.
    pub dossiers: Vec<(String, String)>,
}

/// The *bordereau de transmission*: the slip that travels with the USB stick, to be signed by
/// the head of office and by whoever receives it at the delegation.
pub fn transmittal_slip(issuer: &Issuer, today: NaiveDate, slip: &TransmittalSlip, shift: PrintMargins) -> Vec<u8> {
    let mut c = Canvas::new(&format!("Bordereau de transmission {}", slip.file), shift);
    let y = letterhead::dated(&mut c, issuer, today);
    let y = letterhead::title(&mut c, y + 2.0, "ورقة الإرسال", "Bordereau de transmission");
    // The time the bundle was written, as a person reads it (the file keeps it in UTC).
    let written = chrono::DateTime::parse_from_rfc3339(&slip.written_at)
        .map(|at| at.format("%d/%m/%Y à %H:%M (UTC)").to_string())
        .unwrap_or_else(|_| slip.written_at.clone());
    let facts = [
        ("De", "من", format!("{} — {}", issuer.code, issuer.name_fr)),
        ("À", "إلى", slip.recipient.clone()),
        ("Paquet", "الرزمة", format!("{} (n° {})", slip.file, slip.sequence)),
        ("Écrit le", "حررت في", written),
        ("Modifications", "التعديلات", format!("n° {} à {}", slip.range.0 + 1, slip.range.1)),
        ("Empreinte SHA-256", "البصمة", slip.hash.clone()),
    ];
    let mut y = y;
    for (label, label_ar, value) in facts {
        c.line(letterhead::MARGIN, y, Align::Left, label, Style::fr(9.5).bold());
        c.line(RIGHT, y, Align::Right, label_ar, Style::ar(9.5).bold());
        let below = c.paragraph(letterhead::MARGIN + 40.0, y, 110.0, Align::Left, &value, Style::fr(9.5));
        y = below.max(y + 5.5) + 0.5;
    }
    let rows: Vec<Vec<String>> = slip.by_table.iter().map(|(t, n)| vec![t.clone(), n.to_string()]).collect();
    let columns = [Column::text("Enregistrements — التسجيلات", 80.0), Column::figure("Nombre — العدد", 30.0)];
    let heading = format!("Bordereau de transmission {} (suite)", slip.file);
    let mut next = |c: &mut Canvas| {
        c.line(letterhead::MARGIN, 14.0, Align::Left, &heading, Style::fr(9.0).bold());
    };
    let y = table(&mut c, y + 3.0, &columns, &rows, &mut next);
    let y = if slip.dossiers.is_empty() {
        y
    } else {
        c.line(letterhead::MARGIN, y + 4.0, Align::Left, "Dossiers transmis à la commission", Style::fr(10.5).bold());
        c.line(RIGHT, y + 4.0, Align::Right, "الملفات المحالة على اللجنة", Style::ar(10.5).bold());
        let rows: Vec<Vec<String>> = slip
            .dossiers
            .iter()
            .enumerate()
            .map(|(i, (number, name))| vec![(i + 1).to_string(), number.clone(), name.clone()])
            .collect();
        let columns = [
            Column::figure("N° — رقم", 14.0),
            Column::text("Dossier — الملف", 45.0),
            Column::text("Demandeur — صاحب الطلب", 86.0),
        ];
        table(&mut c, y + 10.0, &columns, &rows, &mut next)
    };
    // The signatures never stand alone: on a new page, they come with what they sign for.
    let mut y = y + 8.0;
    if y > 240.0 {
        c.new_page();
        let rows: usize = slip.by_table.iter().map(|(_, n)| n).sum();
        let summary = format!(
            "Bordereau de transmission {} (n° {}) : {rows} enregistrements, {} dossiers transmis à la commission.",
            slip.file,
            slip.sequence,
            slip.dossiers.len()
        );
        y = c.paragraph(letterhead::MARGIN, 30.0, letterhead::TEXT_WIDTH, Align::Left, &summary, Style::fr(10.0)) + 8.0;
    }
    c.line(letterhead::MARGIN + 35.0, y, Align::Center, "Remis par (bureau) — سلمه (المكتب)", Style::ar(10.0).bold());
    c.line(RIGHT - 35.0, y, Align::Center, "Reçu par (délégation) — تسلمه (المندوبية)", Style::ar(10.0).bold());
    c.line(
        letterhead::MARGIN + 35.0,
        y + 6.0,
        Align::Center,
        "Nom, date, signature — الاسم والتاريخ والتوقيع",
        Style::ar(8.0).grey(0.4),
    );
    c.line(RIGHT - 35.0, y + 6.0, Align::Center, "Nom, date, signature et cachet", Style::fr(8.0).grey(0.4));
    c.line(RIGHT - 35.0, y + 10.5, Align::Center, "الاسم والتاريخ والتوقيع والختم", Style::ar(8.0).grey(0.4));
    let reference = format!("Bordereau — {} — {}", slip.file, &slip.hash[..16.min(slip.hash.len())]);
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}
