//! The *bilan*: key figures and tables for a period, over several pages with headers, footers
//! and page numbers. Each table says which date decides what it counts.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, MARGIN, TEXT_WIDTH};
use super::table::{Column, table};
use crate::domain::Money;
use crate::domain::dates::{format_date_fr, long_date_ar, long_date_fr};
use crate::domain::dossier::Status;
use crate::domain::money::group_thousands_fr;
use crate::domain::print::PrintMargins;
use crate::domain::project::ProjectKind;
use crate::reference::Reference;
use crate::store::report::BilanFigures;

fn count(pairs: &[(String, i64)], code: &str) -> i64 {
    pairs.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n)
}

fn dh(centimes: i64) -> String {
    Money::from_centimes(centimes).map_or_else(|| "—".into(), Money::format_number_fr)
}

fn heading(c: &mut Canvas, y: f32, fr: &str, ar: &str, note: &str) -> f32 {
    let y = if y > 240.0 {
        c.new_page();
        24.0
    } else {
        y
    };
    c.line(MARGIN, y, Align::Left, fr, Style::fr(11.5).bold());
    c.line(letterhead::RIGHT, y, Align::Right, ar, Style::ar(11.5).bold());
    c.paragraph(MARGIN, y + 5.0, TEXT_WIDTH, Align::Left, note, Style::fr(8.0).grey(0.35)) + 3.0
}

/// The bilan of `figures` as PDF bytes.
pub fn bilan(issuer: &Issuer, today: NaiveDate, b: &BilanFigures, shift: PrintMargins) -> Vec<u8> {
    let period_fr = format!("du {} au {}", long_date_fr(b.from), long_date_fr(b.to));
    let mut c = Canvas::new(&format!("Bilan {period_fr}"), shift);
    let y = letterhead::letterhead(&mut c, issuer);
    let y = letterhead::title(&mut c, y + 2.0, "الحصيلة", "Bilan");
    let y = letterhead::both(
        &mut c,
        y,
        &format!("Période : {period_fr}"),
        &format!("الفترة: من {} إلى {}", long_date_ar(b.from), long_date_ar(b.to)),
        10.5,
    );
    let repeat = format!("Bilan {} — {period_fr}", issuer.code);
    let mut next_page = |c: &mut Canvas| {
        c.line(MARGIN, 14.0, Align::Left, &repeat, Style::fr(8.5).bold().grey(0.3));
    };

    let y = heading(
        &mut c,
        y + 6.0,
        "Projets",
        "المشاريع",
        "Déposés : date de dépôt du dossier dans la période. Financés : premier décaissement dans la période. Cumul : premier décaissement jusqu'à la fin de la période.",
    );
    let mut rows: Vec<Vec<String>> = ProjectKind::ALL
        .iter()
        .map(|k| {
            vec![
                k.label_fr().to_owned(),
                group_thousands_fr(count(&b.deposited, k.code())),
                group_thousands_fr(count(&b.financed, k.code())),
                group_thousands_fr(count(&b.financed_to_date, k.code())),
                k.label_ar().to_owned(),
            ]
        })
        .collect();
    let sum = |pairs: &[(String, i64)]| group_thousands_fr(pairs.iter().map(|(_, n)| n).sum());
    rows.push(vec!["Total".into(), sum(&b.deposited), sum(&b.financed), sum(&b.financed_to_date), "المجموع".into()]);
    let columns = [
        Column::text("Type de projet", 50.0),
        Column::figure("Déposés", 24.0),
        Column::figure("Financés", 24.0),
        Column::figure("Cumul financés", 30.0),
        Column::arabic("نوع المشروع", 46.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);

    let y = heading(
        &mut c,
        y + 4.0,
        "Emplois prévus des projets financés",
        "مناصب الشغل",
        "Emplois prévus au projet ; les emplois constatés aux visites de suivi figurent sur la fiche de chaque dossier.",
    );
    let rows = vec![
        vec!["Dans la période".into(), group_thousands_fr(b.jobs_financed.0), group_thousands_fr(b.jobs_financed.1)],
        vec!["Cumul".into(), group_thousands_fr(b.jobs_to_date.0), group_thousands_fr(b.jobs_to_date.1)],
    ];
    let columns = [
        Column::text("", 70.0),
        Column::figure("Emplois", 50.0),
        Column::figure("dont famille de la résistance", 54.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);

    let y = heading(
        &mut c,
        y + 4.0,
        "Soutien financier par source (DH)",
        "الدعم المالي حسب المصدر",
        "Engagé : lignes de financement des années budgétaires de la période. Décaissé : versements datés dans la période. Un dossier cofinancé compte dans chacune de ses sources.",
    );
    let sources = &Reference::shipped().funding_sources;
    let mut rows: Vec<Vec<String>> = sources
        .iter()
        .map(|s| {
            vec![
                s.label_fr.clone(),
                dh(count(&b.committed, &s.code)),
                dh(count(&b.disbursed, &s.code)),
                s.label_ar.clone(),
            ]
        })
        .collect();
    let total = |pairs: &[(String, i64)]| dh(pairs.iter().map(|(_, n)| n).sum());
    rows.push(vec!["Total".into(), total(&b.committed), total(&b.disbursed), "المجموع".into()]);
    let columns = [
        Column::text("Source", 62.0),
        Column::figure("Engagé", 30.0),
        Column::figure("Décaissé", 30.0),
        Column::arabic("المصدر", 52.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);

    let y = if b.envelopes.is_empty() {
        y
    } else {
        let y = heading(
            &mut c,
            y + 4.0,
            "Enveloppes",
            "الأغلفة المالية",
            "Engagé sur chaque enveloppe annuelle des programmes et conventions.",
        );
        let rows: Vec<Vec<String>> = b
            .envelopes
            .iter()
            .map(|u| {
                vec![
                    format!("{} — {}", u.code, u.name),
                    u.envelope.year.to_string(),
                    u.envelope.amount.format_number_fr(),
                    u.committed.format_number_fr(),
                    format!("{:.1} %", u.percent()).replace('.', ","),
                ]
            })
            .collect();
        let columns = [
            Column::text("Programme", 70.0),
            Column::figure("Année", 16.0),
            Column::figure("Enveloppe", 32.0),
            Column::figure("Engagé", 32.0),
            Column::figure("Taux", 24.0),
        ];
        table(&mut c, y, &columns, &rows, &mut next_page)
    };

    let y = heading(
        &mut c,
        y + 4.0,
        "Dossiers par statut",
        "الملفات حسب الوضعية",
        &format!(
            "État du registre le {} (tous les dossiers, quelle que soit leur date de dépôt).",
            format_date_fr(today)
        ),
    );
    let rows: Vec<Vec<String>> = Status::ALL
        .iter()
        .map(|s| {
            vec![s.label_fr().to_owned(), group_thousands_fr(count(&b.status_now, s.code())), s.label_ar().to_owned()]
        })
        .collect();
    let columns = [Column::text("Statut", 70.0), Column::figure("Dossiers", 40.0), Column::arabic("الوضعية", 64.0)];
    table(&mut c, y, &columns, &rows, &mut next_page);

    let reference = format!("Bilan {} — {period_fr} — édité le {}", issuer.code, format_date_fr(today));
    c.on_every_page(|c, page, pages| letterhead::footer(c, &reference, page, pages));
    c.finish()
}
