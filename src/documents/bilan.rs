//! The *bilan*: key figures and tables for a period, over several pages with headers, footers
//! and page numbers. Each table says which date decides what it counts.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, MARGIN, TEXT_WIDTH};
use super::table::{Column, table};
use crate::domain::dates::{format_date_fr, long_date_ar, long_date_fr};
use crate::domain::dossier::Status;
use crate::domain::indicators::{Bilan, Breakdown, Unit, family_of, kind_detail, status_detail};
use crate::domain::print::PrintMargins;
use crate::domain::project::ProjectKind;
use crate::reference::Reference;

/// A value of the indicator `key`, in its unit (DH with centimes, counts grouped).
pub(crate) fn shown(key: &str, value: i64) -> String {
    family_of(key).map_or(Unit::Count, |f| f.unit).format_fr(value)
}

/// The total of the indicator `key`.
pub(crate) fn n(b: &Bilan, key: &str) -> String {
    shown(key, b.value(key))
}

/// A family's note under its table: what counts and which date decides.
pub(crate) fn note(keys: &[&str]) -> String {
    keys.iter()
        .filter_map(|k| family_of(k))
        .map(|f| format!("{} : {} ({}, {}).", f.label_fr, f.counts, f.span.label_fr(), f.date))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The French and Arabic names of a funding source detail (`hcar`, `convention.CODE`).
pub(crate) fn source_labels(detail: &str) -> (String, String) {
    let (kind, code) = detail.split_once('.').map_or((detail, None), |(k, c)| (k, Some(c)));
    let reference = Reference::shipped().funding_sources.iter().find(|s| s.code == kind);
    let (fr, ar) = reference.map_or((kind.to_owned(), String::new()), |s| (s.label_fr.clone(), s.label_ar.clone()));
    match code {
        Some(code) => (format!("{fr} {code}"), format!("{ar} \u{2068}{code}\u{2069}")),
        None => (fr, ar),
    }
}

/// The name of a group of the breakdown (a province or region code gets its name).
pub(crate) fn group_label(by: Breakdown, code: &str) -> String {
    let reference = Reference::shipped();
    let name = match by {
        Breakdown::Source => return source_labels(code).0,
        Breakdown::Office => None,
        Breakdown::Province => reference.province(code).map(|p| p.name_fr.clone()),
        Breakdown::Region => reference.region(code).map(|r| r.name_fr.clone()),
    };
    name.map_or_else(|| code.to_owned(), |name| format!("{code} {name}"))
}

/// A section's title in both languages with its note under it; on a new page near the foot.
pub(crate) fn heading(c: &mut Canvas, y: f32, fr: &str, ar: &str, note: &str) -> f32 {
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

/// The bilan `b` as PDF bytes.
pub fn bilan(issuer: &Issuer, today: NaiveDate, b: &Bilan, shift: PrintMargins) -> Vec<u8> {
    let period_fr = format!("du {} au {}", long_date_fr(b.from), long_date_fr(b.to));
    let mut c = Canvas::new(&format!("Bilan {period_fr}"), shift);
    c.set_date(today);
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

    let families =
        ["dossiers_deposes", "dossiers_approuves", "dossiers_rejetes", "projets_finances", "projets_finances_cumul"];
    let y = heading(&mut c, y + 6.0, "Dossiers et projets", "الملفات والمشاريع", &note(&families));
    let details: Vec<(String, &str, &str)> = ProjectKind::ALL
        .iter()
        .map(|k| (kind_detail(*k), k.label_fr(), k.label_ar()))
        .chain([("total".to_owned(), "Total", "المجموع")])
        .collect();
    let rows: Vec<Vec<String>> = details
        .iter()
        .map(|(detail, fr, ar)| {
            let mut row = vec![(*fr).to_owned()];
            row.extend(families.iter().map(|f| n(b, &format!("{f}.{detail}"))));
            row.push((*ar).to_owned());
            row
        })
        .collect();
    let columns = [
        Column::text("Type de projet", 38.0),
        Column::figure("Déposés", 20.0),
        Column::figure("Approuvés", 22.0),
        Column::figure("Rejetés", 20.0),
        Column::figure("Financés", 20.0),
        Column::figure("Cumul financés", 26.0),
        Column::arabic("نوع المشروع", 28.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);

    let families = ["emplois_prevus", "emplois_prevus_cumul", "emplois_constates_cumul"];
    let y = heading(&mut c, y + 4.0, "Emplois", "مناصب الشغل", &note(&families));
    let rows: Vec<Vec<String>> = families
        .iter()
        .map(|f| {
            let label = family_of(f).map_or("", |f| f.label_fr);
            vec![label.to_owned(), n(b, &format!("{f}.total")), n(b, &format!("{f}.famille"))]
        })
        .collect();
    let columns = [
        Column::text("", 90.0),
        Column::figure("Emplois", 36.0),
        Column::figure("dont famille de la résistance", 48.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);

    let y = heading(
        &mut c,
        y + 4.0,
        "Soutien financier par source (DH)",
        "الدعم المالي حسب المصدر",
        &format!("{} Un dossier cofinancé compte dans chacune de ses sources.", note(&["dh_engages", "dh_decaisses"])),
    );
    let mut sources: Vec<&str> = Vec::new();
    for figure in &b.figures {
        let detail = figure.key.strip_prefix("dh_engages.").or_else(|| figure.key.strip_prefix("dh_decaisses."));
        if let Some(detail) = detail.filter(|d| *d != "total" && !sources.contains(d)) {
            sources.push(detail);
        }
    }
    sources.push("total");
    let rows: Vec<Vec<String>> = sources
        .iter()
        .map(|detail| {
            let (fr, ar) =
                if *detail == "total" { ("Total".into(), "المجموع".into()) } else { source_labels(detail) };
            vec![fr, n(b, &format!("dh_engages.{detail}")), n(b, &format!("dh_decaisses.{detail}")), ar]
        })
        .collect();
    let columns = [
        Column::text("Source", 62.0),
        Column::figure("Engagé", 30.0),
        Column::figure("Décaissé", 30.0),
        Column::arabic("المصدر", 52.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);

    let y = heading(
        &mut c,
        y + 4.0,
        "Bénéficiaires",
        "المستفيدون",
        &note(&["beneficiaires_finances_cumul", "amo_couverts_cumul"]),
    );
    let rows = vec![
        vec!["Porteurs de projets financés (cumul)".into(), n(b, "beneficiaires_finances_cumul.total")],
        vec!["dont couverts par l'AMO".into(), n(b, "amo_couverts_cumul.total")],
    ];
    let y = table(&mut c, y, &[Column::text("", 120.0), Column::figure("Personnes", 54.0)], &rows, &mut next_page);

    let envelopes: Vec<&str> = b
        .figures
        .iter()
        .filter_map(|f| f.key.strip_prefix("enveloppes.").and_then(|k| k.strip_suffix(".montant")))
        .collect();
    let y = if envelopes.is_empty() {
        y
    } else {
        let y = heading(&mut c, y + 4.0, "Enveloppes", "الأغلفة المالية", &note(&["enveloppes"]));
        let rows: Vec<Vec<String>> = envelopes
            .iter()
            .map(|programme_year| {
                let (code, year) = programme_year.rsplit_once('.').unwrap_or((programme_year, ""));
                let amount = b.value(&format!("enveloppes.{programme_year}.montant"));
                let engaged = b.value(&format!("enveloppes.{programme_year}.engage"));
                let rate = if amount == 0 { 0.0 } else { engaged as f64 * 100.0 / amount as f64 };
                vec![
                    code.to_owned(),
                    year.to_owned(),
                    Unit::Centimes.format_fr(amount),
                    Unit::Centimes.format_fr(engaged),
                    format!("{rate:.1} %").replace('.', ","),
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
        &format!("{} Édité le {}.", note(&["dossiers_statut"]), format_date_fr(today)),
    );
    let rows: Vec<Vec<String>> = Status::ALL
        .iter()
        .map(|s| {
            let key = format!("dossiers_statut.{}", status_detail(*s));
            vec![s.label_fr().to_owned(), n(b, &key), s.label_ar().to_owned()]
        })
        .collect();
    let columns = [Column::text("Statut", 70.0), Column::figure("Dossiers", 40.0), Column::arabic("الوضعية", 64.0)];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);

    if let Some(by) = b.by {
        let y = heading(
            &mut c,
            y + 4.0,
            &format!("Ventilation par {}", by.label_fr().to_lowercase()),
            "التوزيع",
            if by == Breakdown::Source {
                "Par source : un dossier cofinancé compte sous chacune de ses sources (ses dossiers, projets et emplois ne s'additionnent donc pas au total) ; les dirhams, sous leur propre source, s'additionnent ; les dépôts ne se ventilent pas."
            } else {
                "Les mêmes définitions que ci-dessus, pour chaque groupe ; les enveloppes ne se ventilent pas."
            },
        );
        let keys = [
            "dossiers_deposes.total",
            "projets_finances.total",
            "emplois_prevus.total",
            "emplois_prevus.famille",
            "dh_engages.total",
            "dh_decaisses.total",
        ];
        let rows: Vec<Vec<String>> = b
            .groups
            .iter()
            .map(|g| {
                let mut row = vec![group_label(by, g)];
                for key in keys {
                    row.push(shown(key, b.value_in(key, g)));
                }
                row
            })
            .collect();
        let columns = [
            Column::text(by.label_fr(), 44.0),
            Column::figure("Déposés", 18.0),
            Column::figure("Financés", 18.0),
            Column::figure("Emplois", 18.0),
            Column::figure("dont fam.", 18.0),
            Column::figure("Engagé DH", 29.0),
            Column::figure("Décaissé DH", 29.0),
        ];
        table(&mut c, y, &columns, &rows, &mut next_page);
    }

    let reference = format!("Bilan {} — {period_fr} — édité le {}", issuer.code, format_date_fr(today));
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}
