//! The minutes (*procès-verbal*) of a session of the commission: who met, where and when; every
//! dossier decided or put off with its grants or its reason in both languages; the totals by
//! source and by project kind; the envelopes knowingly overrun; the members' signatures.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, MARGIN, RIGHT, TEXT_WIDTH};
use super::table::{Column, table};
use crate::domain::Money;
use crate::domain::commission::{Minutes, outcome_label_ar, outcome_label_fr};
use crate::domain::dates::{format_date_fr, long_date_ar, long_date_fr};
use crate::domain::funding::FundingSource;
use crate::domain::print::PrintMargins;
use crate::reference::Reason;

/// A source family in French and in Arabic, as the totals name it.
fn family_labels(source: &FundingSource) -> (String, String) {
    match source {
        FundingSource::Indh { .. } => ("INDH".into(), "المبادرة الوطنية للتنمية البشرية".into()),
        other => (other.to_string(), other.label_ar()),
    }
}

/// The count of dossiers in words: `1 dossier`, `3 dossiers`.
fn dossiers(n: usize) -> String {
    if n == 1 { "1 dossier".into() } else { format!("{n} dossiers") }
}

/// The minutes of `minutes`' session, printed `today`.
pub fn minutes(
    issuer: &Issuer,
    today: NaiveDate,
    minutes: &Minutes,
    reasons: &[Reason],
    shift: PrintMargins,
) -> Vec<u8> {
    let session = &minutes.session;
    let mut c = Canvas::new(&format!("Procès-verbal {}", session.reference), shift);
    let y = letterhead::dated(&mut c, issuer, today);
    let y = letterhead::title(&mut c, y + 2.0, "محضر اجتماع اللجنة", "Procès-verbal de la session de la commission");
    let y = letterhead::both(
        &mut c,
        y,
        &format!("Référence : {} — session du {}", session.reference, format_date_fr(session.held_on)),
        &format!("المرجع: \u{2068}{}\u{2069} — دورة {}", session.reference, long_date_ar(session.held_on)),
        10.5,
    );
    let y = letterhead::paragraphs(
        &mut c,
        y + 3.0,
        &format!(
            "اجتمعت اللجنة يوم {} ب\u{2068}{}\u{2069}، بحضور الأعضاء التالية أسماؤهم، ودرست الملفات المحالة عليها، فقررت ما يلي:",
            long_date_ar(session.held_on),
            session.place
        ),
        &format!(
            "La commission s'est réunie le {} à {}, en présence des membres nommés ci-dessous. Elle a examiné les dossiers transmis et décidé ce qui suit.",
            long_date_fr(session.held_on),
            session.place
        ),
        10.5,
    );
    let mut y = y + 1.0;
    for member in &session.members {
        y = if super::text::has_arabic(member) {
            c.paragraph(MARGIN, y, TEXT_WIDTH, Align::Right, &format!("— {member}"), Style::ar(10.0))
        } else {
            c.paragraph(MARGIN + 4.0, y, TEXT_WIDTH - 4.0, Align::Left, &format!("— {member}"), Style::fr(10.0))
        };
    }
    let y = decisions_table(&mut c, y + 4.0, minutes);
    let y = reasons_given(&mut c, y, minutes, reasons);
    let y = totals(&mut c, y, minutes);
    let y = overruns(&mut c, y, minutes);
    let closing = match session.closed_on {
        Some(closed) => (
            format!("Session close le {} : le présent procès-verbal est définitif.", format_date_fr(closed)),
            format!("أغلقت الدورة في {}، وهذا المحضر نهائي.", long_date_ar(closed)),
        ),
        None => ("Session non close : procès-verbal provisoire.".to_owned(), "الدورة غير مغلقة: محضر مؤقت.".to_owned()),
    };
    let y = letterhead::keep_room(&mut c, y + 2.0, 12.0);
    let y = letterhead::both(&mut c, y + 2.0, &closing.0, &closing.1, 10.0);
    signatures(&mut c, y + 4.0, &session.members);
    let reference = format!("PV {} — {} — {}", session.reference, issuer.code, format_date_fr(session.held_on));
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}

/// Every dossier of the session with its outcome and grants; returns the `y` below.
fn decisions_table(c: &mut Canvas, y: f32, minutes: &Minutes) -> f32 {
    let y = letterhead::keep_room(c, y, 30.0);
    let y = letterhead::both(c, y, "Décisions de la commission", "قرارات اللجنة", 11.5);
    let columns = [
        Column::figure("N°", 6.0),
        Column::text("Dossier", 36.0),
        Column::text("Bénéficiaire (CIN)", 30.0),
        Column::arabic("المستفيد", 22.0),
        Column::text("Projet (type)", 26.0),
        Column::text("Décision", 16.0),
        Column::figure("Accordé (DH)", 38.0),
    ];
    let rows: Vec<Vec<String>> = minutes
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let granted = l
                .grants
                .iter()
                .map(|(source, amount)| format!("{source} : {}", amount.format_number_fr()))
                .collect::<Vec<_>>()
                .join("\n");
            vec![
                (i + 1).to_string(),
                l.number.clone(),
                if l.name.is_empty() { l.cin.clone() } else { format!("{} ({})", l.name, l.cin) },
                l.name_ar.clone(),
                format!("{} ({})", l.project, l.kind.abbrev_fr()),
                format!("{}\n{}", outcome_label_fr(l.outcome), outcome_label_ar(l.outcome)),
                if granted.is_empty() { "—".into() } else { granted },
            ]
        })
        .collect();
    let heading = format!("Procès-verbal {} — décisions (suite)", minutes.session.reference);
    table(c, y + 1.0, &columns, &rows, &mut |c: &mut Canvas| {
        c.line(MARGIN, 14.0, Align::Left, &heading, Style::fr(9.0).bold());
    })
}

/// The reasons of the rejections and adjournments, in both languages; returns the `y` below.
fn reasons_given(c: &mut Canvas, y: f32, minutes: &Minutes, reasons: &[Reason]) -> f32 {
    let with_reason: Vec<_> = minutes.lines.iter().filter(|l| l.reason.is_some()).collect();
    if with_reason.is_empty() {
        return y;
    }
    let mut y = letterhead::keep_room(c, y + 3.0, 20.0);
    y = letterhead::both(c, y, "Motifs des rejets et des ajournements", "أسباب الرفض والتأجيل", 11.5) + 1.0;
    for line in with_reason {
        let (fr, ar) = crate::reference::reason_in_both(line.reason.as_deref().unwrap_or_default(), reasons);
        y = letterhead::keep_room(c, y, 12.0);
        y = letterhead::both(
            c,
            y,
            &format!("{} — {} : {fr}", line.number, outcome_label_fr(line.outcome)),
            &format!("\u{2068}{}\u{2069} — {}: {ar}", line.number, outcome_label_ar(line.outcome)),
            9.5,
        ) + 1.0;
    }
    y
}

/// The totals by source family and by project kind; returns the `y` below.
fn totals(c: &mut Canvas, y: f32, minutes: &Minutes) -> f32 {
    let y = letterhead::keep_room(c, y + 3.0, 40.0);
    let y = letterhead::both(c, y, "Totaux par source de financement", "المجاميع حسب مصدر التمويل", 11.5);
    let columns = [
        Column::text("Source", 58.0),
        Column::arabic("المصدر", 58.0),
        Column::figure("Dossiers", 22.0),
        Column::figure("Accordé (DH)", 36.0),
    ];
    let by_source = minutes.by_source();
    let mut rows: Vec<Vec<String>> = by_source
        .iter()
        .map(|(source, n, sum)| {
            let (fr, ar) = family_labels(source);
            vec![fr, ar, n.to_string(), sum.format_number_fr()]
        })
        .collect();
    let approved = minutes.lines.iter().filter(|l| l.outcome == "approuve").count();
    let granted = by_source.iter().fold(Money::ZERO, |s, (_, _, m)| s.checked_add(*m).unwrap_or(s));
    rows.push(vec!["Total".into(), "المجموع".into(), approved.to_string(), granted.format_number_fr()]);
    let heading = format!("Procès-verbal {} — totaux (suite)", minutes.session.reference);
    let y = table(c, y + 1.0, &columns, &rows, &mut |c: &mut Canvas| {
        c.line(MARGIN, 14.0, Align::Left, &heading, Style::fr(9.0).bold());
    });
    let y = c.paragraph(
        MARGIN,
        y + 1.0,
        TEXT_WIDTH,
        Align::Left,
        "Un dossier cofinancé compte sous chacune de ses sources ; le total compte chaque dossier une fois.",
        Style::fr(8.0).grey(0.35),
    );
    let y = letterhead::keep_room(c, y + 3.0, 30.0);
    let y = letterhead::both(c, y, "Totaux par type de projet", "المجاميع حسب نوع المشروع", 11.5);
    let columns = [
        Column::text("Type", 40.0),
        Column::arabic("النوع", 40.0),
        Column::figure("Approuvés", 20.0),
        Column::figure("Rejetés", 18.0),
        Column::figure("Ajournés", 20.0),
        Column::figure("Accordé (DH)", 36.0),
    ];
    let rows: Vec<Vec<String>> = minutes
        .by_kind()
        .into_iter()
        .map(|(kind, [approved, rejected, adjourned], granted)| {
            vec![
                kind.label_fr().to_owned(),
                kind.label_ar().to_owned(),
                approved.to_string(),
                rejected.to_string(),
                adjourned.to_string(),
                granted.format_number_fr(),
            ]
        })
        .collect();
    let y = table(c, y + 1.0, &columns, &rows, &mut |c: &mut Canvas| {
        c.line(MARGIN, 14.0, Align::Left, &heading, Style::fr(9.0).bold());
    });
    let count = |outcome: &str| minutes.lines.iter().filter(|l| l.outcome == outcome).count();
    letterhead::both(
        c,
        y + 1.0,
        &format!(
            "En tout : {} examiné(s) — {} approuvé(s), {} rejeté(s), {} ajourné(s).",
            dossiers(minutes.lines.len()),
            count("approuve"),
            count("rejete"),
            count("ajourne")
        ),
        &format!(
            "المجموع: {} ملفا — {} مقبول، {} مرفوض، {} مؤجل.",
            minutes.lines.len(),
            count("approuve"),
            count("rejete"),
            count("ajourne")
        ),
        9.5,
    )
}

/// The envelopes the session took over their amount, with the reason given; returns the `y` below.
fn overruns(c: &mut Canvas, y: f32, minutes: &Minutes) -> f32 {
    let mut y = y;
    for o in &minutes.session.overruns {
        y = letterhead::keep_room(c, y + 2.0, 16.0);
        y = letterhead::both(
            c,
            y,
            &format!(
                "Dépassement de l'enveloppe {} de {} ({} DH) : {} DH engagés. Motif : {}",
                o.programme,
                o.year,
                o.envelope.format_number_fr(),
                o.committed.format_number_fr(),
                o.reason
            ),
            &format!(
                "تجاوز الغلاف المالي \u{2068}{}\u{2069} لسنة {}، البالغ \u{2068}{}\u{2069} درهم، إذ بلغت الالتزامات \u{2068}{}\u{2069} درهم. السبب: \u{2068}{}\u{2069}",
                o.programme,
                o.year,
                o.envelope.format_number_fr(),
                o.committed.format_number_fr(),
                o.reason
            ),
            9.5,
        );
    }
    y
}

/// The members' signatures, two per row, each under its name; they move to a new page together
/// rather than leave a member alone at the foot of one.
fn signatures(c: &mut Canvas, y: f32, members: &[String]) {
    const ROW: f32 = 32.0;
    let rows = members.len().div_ceil(2);
    let mut y = letterhead::keep_room(c, y, 10.0 + ROW.min(rows as f32 * ROW));
    y = letterhead::both(c, y, "Signatures des membres", "توقيعات الأعضاء", 11.0) + 2.0;
    let half = TEXT_WIDTH / 2.0;
    for pair in members.chunks(2) {
        y = letterhead::keep_room(c, y, ROW);
        for (i, member) in pair.iter().enumerate() {
            let center = if i == 0 { RIGHT - half / 2.0 } else { MARGIN + half / 2.0 };
            let style = if super::text::has_arabic(member) { Style::ar(9.5) } else { Style::fr(9.5) };
            let below = c.paragraph(center - half / 2.0 + 3.0, y, half - 6.0, Align::Center, member, style);
            c.rule((center - 30.0, below + 10.0), (center + 30.0, below + 10.0), 0.3);
            c.line(center, below + 14.0, Align::Center, "التوقيع — Signature", Style::ar(8.0).grey(0.4));
        }
        y += ROW;
    }
}
