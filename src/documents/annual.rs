//! The annual report of a delegation (or an office), the way the assembly presents a year: the
//! cumulative headline figures first — projects created by kind with their planned jobs and the
//! resistance family's share — then the year's dossiers funded by source and by kind with their
//! dirhams, the total support and INDH's share, then the tables by province and by office, with
//! bar charts. Arabic first, bilingual, on the letterhead; every table names the keys of the
//! figures it prints (`docs/indicators.md`).

use chrono::NaiveDate;

use super::bilan::{group_label, heading, n, shown, source_labels};
use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, MARGIN, RIGHT, TEXT_WIDTH};
use super::table::{Column, table};
use crate::domain::dates::format_date_fr;
use crate::domain::indicators::{Bilan, Breakdown, Unit, kind_detail};
use crate::domain::money::group_thousands_fr;
use crate::domain::print::PrintMargins;
use crate::domain::project::ProjectKind;

/// The kinds with their key detail, then the total.
fn kinds() -> Vec<(String, &'static str, &'static str)> {
    ProjectKind::ALL
        .iter()
        .map(|k| (kind_detail(*k), k.label_fr(), k.label_ar()))
        .chain([("total".to_owned(), "Total", "المجموع")])
        .collect()
}

/// The source details met in `family` (`hcar`, `convention.CODE`…), in the bilan's order.
fn sources(b: &Bilan, family: &str) -> Vec<String> {
    let prefix = format!("{family}.");
    let mut out: Vec<String> = Vec::new();
    for figure in &b.figures {
        if let Some(detail) = figure.key.strip_prefix(&prefix).filter(|d| *d != "total")
            && !out.iter().any(|d| d == detail)
        {
            out.push(detail.to_owned());
        }
    }
    out
}

/// The keys a table prints, in grey under it: what traces each figure to its definition.
fn keys_line(c: &mut Canvas, y: f32, keys: &str) -> f32 {
    c.paragraph(
        MARGIN,
        y,
        TEXT_WIDTH,
        Align::Left,
        &format!("Clés des indicateurs (définitions du registre des indicateurs) : {keys}."),
        Style::fr(7.0).grey(0.45),
    ) + 1.0
}

/// Horizontal bars, one per `(French label, Arabic label, value)`, proportional to the largest;
/// returns the `y` below.
fn bars(c: &mut Canvas, y: f32, unit: Unit, items: &[(String, String, i64)]) -> f32 {
    const LABEL: f32 = 42.0;
    const ARABIC: f32 = 40.0;
    const VALUE: f32 = 30.0;
    let room = TEXT_WIDTH - LABEL - ARABIC - VALUE - 4.0;
    let largest = items.iter().map(|(_, _, v)| *v).max().unwrap_or(0).max(1);
    let mut y = letterhead::keep_room(c, y, 7.0 * items.len() as f32 + 2.0);
    for (fr, ar, value) in items {
        // A long source name wraps within its column; the row grows with it.
        let below_fr = c.paragraph(MARGIN, y, LABEL - 2.0, Align::Left, fr, Style::fr(8.5));
        let below_ar = c.paragraph(RIGHT - ARABIC + 2.0, y, ARABIC - 2.0, Align::Right, ar, Style::ar(8.5));
        let width = (room * (*value as f32) / largest as f32).max(0.4);
        c.rect(MARGIN + LABEL, y - 3.6, width, 4.6, Some(0.55));
        c.line(MARGIN + LABEL + width + 1.5, y, Align::Left, &unit.format_fr(*value), Style::fr(8.0));
        y = below_fr.max(below_ar).max(y + 7.0);
    }
    y + 1.0
}

/// The annual report of `year`: `by_office` and `by_province` are the year's bilan broken down
/// each way (their totals are the same figures).
pub fn annual_report(
    issuer: &Issuer,
    today: NaiveDate,
    year: i32,
    by_office: &Bilan,
    by_province: &Bilan,
    shift: PrintMargins,
) -> Vec<u8> {
    let b = by_office;
    let mut c = Canvas::new(&format!("Rapport annuel {year}"), shift);
    let y = letterhead::dated(&mut c, issuer, today);
    let y = letterhead::title(&mut c, y + 2.0, &format!("التقرير السنوي {year}"), &format!("Rapport annuel {year}"));
    let repeat = format!("Rapport annuel {year} — {}", issuer.code);
    let mut next_page = |c: &mut Canvas| {
        c.line(MARGIN, 14.0, Align::Left, &repeat, Style::fr(8.5).bold().grey(0.3));
    };

    // The headline, as the assembly reads it.
    let created = |kind: ProjectKind| n(b, &format!("projets_crees_cumul.{}", kind_detail(kind)));
    let (engaged, indh) = (b.value("dh_engages.total"), b.value("dh_engages.indh"));
    let share = if engaged == 0 { 0.0 } else { indh as f64 * 100.0 / engaged as f64 };
    let share = format!("{share:.1}").replace('.', ",");
    let (pme, cooperatives, associations, individual) = (
        created(ProjectKind::Pme),
        created(ProjectKind::Cooperative),
        created(ProjectKind::Association),
        created(ProjectKind::ProjetIndividuel),
    );
    let (jobs, family) = (n(b, "emplois_projets_crees_cumul.total"), n(b, "emplois_projets_crees_cumul.famille"));
    let funded = n(b, "dossiers_finances_source.total");
    let (engaged, indh) = (Unit::Centimes.format_fr(engaged), Unit::Centimes.format_fr(indh));
    let headline_fr = format!(
        "Depuis l'ouverture du registre, {pme} PME, {cooperatives} coopératives, {associations} associations et {individual} projets individuels ont été créés, soit {jobs} emplois prévus dont {family} pour la famille de la résistance. En {year}, {funded} dossiers ont été financés pour {engaged} DH de soutien engagé, dont {indh} DH de l'INDH ({share} %)."
    );
    let headline_ar = format!(
        "منذ فتح السجل، تم إحداث {pme} مقاولة صغرى ومتوسطة و{cooperatives} تعاونية و{associations} جمعية و{individual} مشروعا فرديا، أي {jobs} منصب شغل متوقع منها {family} لفائدة أسرة المقاومة. وفي سنة {year}، تم تمويل {funded} ملفا بدعم ملتزم به قدره {engaged} درهم، منها {indh} درهم من المبادرة الوطنية للتنمية البشرية ({share} %)."
    );
    let y = letterhead::paragraphs(&mut c, y, &headline_ar, &headline_fr, 10.5);

    // 1. Projects created, cumulative and in the year, with their jobs.
    let y = heading(
        &mut c,
        y + 4.0,
        "Projets créés et emplois",
        "المشاريع المحدثة ومناصب الشغل",
        "Un projet compte à sa date de création, financé ou non ; le cumul part de l'ouverture du registre, historique compris.",
    );
    let rows: Vec<Vec<String>> = kinds()
        .iter()
        .map(|(detail, fr, ar)| {
            vec![
                (*fr).to_owned(),
                n(b, &format!("projets_crees.{detail}")),
                n(b, &format!("projets_crees_cumul.{detail}")),
                n(b, &format!("projets_finances_cumul.{detail}")),
                (*ar).to_owned(),
            ]
        })
        .collect();
    let created_in = format!("Créés en {year}");
    let columns = [
        Column::text("Type de projet", 44.0),
        Column::figure(&created_in, 30.0),
        Column::figure("Créés, cumul", 30.0),
        Column::figure("dont financés", 30.0),
        Column::arabic("نوع المشروع", 40.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);
    let jobs = [
        ("Emplois prévus des projets créés (cumul)", "emplois_projets_crees_cumul"),
        ("Emplois prévus des projets créés en l'année", "emplois_projets_crees"),
        ("Emplois constatés à la dernière visite des projets financés (cumul)", "emplois_constates_cumul"),
    ];
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|(label, family)| {
            vec![(*label).to_owned(), n(b, &format!("{family}.total")), n(b, &format!("{family}.famille"))]
        })
        .collect();
    let columns = [
        Column::text("Emplois", 94.0),
        Column::figure("Total", 34.0),
        Column::figure("dont famille de la résistance", 46.0),
    ];
    let y = table(&mut c, y + 1.0, &columns, &rows, &mut next_page);
    let y = keys_line(
        &mut c,
        y,
        "projets_crees.TYPE, projets_crees_cumul.TYPE, projets_finances_cumul.TYPE, emplois_projets_crees_cumul, emplois_projets_crees, emplois_constates_cumul (.total, .famille)",
    );
    let items: Vec<(String, String, i64)> = ProjectKind::ALL
        .iter()
        .map(|k| {
            let value = b.value(&format!("projets_crees_cumul.{}", kind_detail(*k)));
            (k.label_fr().to_owned(), k.label_ar().to_owned(), value)
        })
        .collect();
    let y = bars(&mut c, y + 4.0, Unit::Count, &items);

    // 2. The year's dossiers funded, by source, then by source and kind.
    let y = heading(
        &mut c,
        y + 4.0,
        &format!("Dossiers financés en {year}, par source"),
        &format!("الملفات الممولة سنة {year} حسب المصدر"),
        "Un dossier compte sous chaque source qui l'engage dans l'année budgétaire ; le total le compte une fois. Les dirhams s'additionnent par source.",
    );
    let detail_sources = sources(b, "dossiers_finances_source");
    let mut rows: Vec<Vec<String>> = detail_sources
        .iter()
        .map(|detail| {
            let (fr, ar) = source_labels(detail);
            vec![fr, n(b, &format!("dossiers_finances_source.{detail}")), n(b, &format!("dh_engages.{detail}")), ar]
        })
        .collect();
    rows.push(vec!["Total".into(), n(b, "dossiers_finances_source.total"), n(b, "dh_engages.total"), "المجموع".into()]);
    rows.push(vec![
        "dont cofinancés (deux sources ou plus)".into(),
        n(b, "dossiers_cofinances.total"),
        String::new(),
        "منها بتمويل مشترك".into(),
    ]);
    let columns = [
        Column::text("Source", 58.0),
        Column::figure("Dossiers", 24.0),
        Column::figure("Engagé (DH)", 36.0),
        Column::arabic("المصدر", 56.0),
    ];
    let y = table(&mut c, y, &columns, &rows, &mut next_page);
    let y = keys_line(&mut c, y, "dossiers_finances_source.SOURCE, dh_engages.SOURCE, dossiers_cofinances.total");
    let items: Vec<(String, String, i64)> = detail_sources
        .iter()
        .map(|detail| {
            let (fr, ar) = source_labels(detail);
            (fr, ar, b.value(&format!("dh_engages.{detail}")))
        })
        .collect();
    let y = bars(&mut c, y + 4.0, Unit::Centimes, &items);

    let y = heading(
        &mut c,
        y + 4.0,
        "Par source et type de projet",
        "حسب المصدر ونوع المشروع",
        "Chaque case : les dossiers financés, puis les dirhams engagés.",
    );
    let typed_sources = sources(b, "dossiers_finances_source");
    let rows: Vec<Vec<String>> = typed_sources
        .iter()
        .map(|detail| {
            let mut row = vec![source_labels(detail).0];
            for kind in ProjectKind::ALL {
                let key = format!("{detail}.{}", kind_detail(kind));
                let count = b.value(&format!("dossiers_finances_type.{key}"));
                row.push(if count == 0 {
                    "—".into()
                } else {
                    format!(
                        "{}\n{}",
                        group_thousands_fr(count),
                        Unit::Centimes.format_fr(b.value(&format!("dh_engages_type.{key}")))
                    )
                });
            }
            row
        })
        .collect();
    let mut columns = vec![Column::text("Source", 42.0)];
    columns.extend(ProjectKind::ALL.iter().map(|k| Column::figure(k.label_fr(), 33.0)));
    let y = table(&mut c, y, &columns, &rows, &mut next_page);
    let y = keys_line(&mut c, y, "dossiers_finances_type.SOURCE.TYPE, dh_engages_type.SOURCE.TYPE");

    // 3. By province, then by office.
    let mut y = y;
    for (bilan, by, fr, ar) in [
        (by_province, Breakdown::Province, "Par province", "حسب الإقليم"),
        (by_office, Breakdown::Office, "Par bureau", "حسب المكتب"),
    ] {
        if bilan.groups.is_empty() {
            continue;
        }
        y = heading(
            &mut c,
            y + 4.0,
            fr,
            ar,
            "Les mêmes définitions, pour chaque groupe ; les groupes s'additionnent au total.",
        );
        let keys = [
            "projets_crees.total",
            "projets_crees_cumul.total",
            "emplois_projets_crees_cumul.total",
            "dossiers_finances_source.total",
            "dh_engages.total",
        ];
        let mut rows: Vec<Vec<String>> = bilan
            .groups
            .iter()
            .map(|g| {
                let mut row = vec![group_label(by, g)];
                row.extend(keys.iter().map(|key| shown(key, bilan.value_in(key, g))));
                row
            })
            .collect();
        let mut total = vec!["Total".to_owned()];
        total.extend(keys.iter().map(|key| n(bilan, key)));
        rows.push(total);
        let columns = [
            Column::text(by.label_fr(), 42.0),
            Column::figure(&created_in, 28.0),
            Column::figure("Créés, cumul", 24.0),
            Column::figure("Emplois, cumul", 26.0),
            Column::figure("Financés", 18.0),
            Column::figure("Engagé (DH)", 36.0),
        ];
        y = table(&mut c, y, &columns, &rows, &mut next_page);
        y = keys_line(&mut c, y, &keys.join(", "));
    }

    let reference = format!("Rapport annuel {year} — {} — édité le {}", issuer.code, format_date_fr(today));
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}
