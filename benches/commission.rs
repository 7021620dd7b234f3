//! The commission's session at scale (issue: the commission's session and the annual report): a
//! session of 700 dossiers recorded from a decisions file at the delegation bench's file (about a
//! million dossiers, 130,000 of them transmitted) — time and peak memory — with the agenda read
//! and the minutes printed. Each run decides the first 700 dossiers still on the agenda.
//!
//! `cargo bench --bench commission` (build the file first with `cargo bench --bench delegation`).

mod common;

use std::fmt::Write as _;
use std::time::Instant;

use daftar::app::{AgendaFilter, Document};

const SESSION_SIZE: usize = 700;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn main() {
    let Some(mut core) = common::open_delegation() else { return };
    let admin = ok(core.login("admin", "admin-secret-1"));

    let started = Instant::now();
    let agenda = ok(core.agenda(&admin, &AgendaFilter::default()));
    println!("agenda: {} transmitted dossiers read in {:.2} s", agenda.len(), started.elapsed().as_secs_f64());
    assert!(agenda.len() >= SESSION_SIZE, "only {} dossiers on the agenda", agenda.len());

    // The decisions file the commission's secretary fills in: 620 approvals (one in three
    // co-funded by INDH), 50 rejections, 30 adjournments.
    let mut file = String::from("dossier;decision;source;montant;motif;precision\n");
    for (i, line) in agenda.iter().take(SESSION_SIZE).enumerate() {
        let number = &line.number;
        match i % 14 {
            0 => writeln!(file, "{number};rejete;;;viabilite;étude de marché absente"),
            1 if i % 28 == 1 => writeln!(file, "{number};ajourne;;;complement;devis à fournir"),
            _ => {
                let amount = 20_000 + (i % 50) * 1_000;
                let cofunded = if i % 3 == 0 {
                    format!("{number};approuve;indh:CPDH-BENCH-2026;{};;\n", amount / 2)
                } else {
                    String::new()
                };
                write!(file, "{number};approuve;hcar;{amount};;\n{cofunded}")
            }
        }
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let reference = format!("PV-BENCH-{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let today = chrono::Utc::now().date_naive().format("%d/%m/%Y").to_string();
    ok(core.open_commission_session(&admin, &reference, &today, "Tiznit", "Le délégué provincial, président"));

    let before = common::peak_mb();
    let started = Instant::now();
    let tally = ok(core.import_decisions_csv(&admin, &reference, file.as_bytes(), Some("Séance de fin d'année")));
    let took = started.elapsed().as_secs_f64();
    println!(
        "session of {SESSION_SIZE} dossiers recorded from CSV in {took:.2} s (goal < 5 s): {} — peak memory {:.0} MB (was {:.0} MB)",
        tally.summary_fr(),
        common::peak_mb(),
        before
    );

    let started = Instant::now();
    let pdf = ok(core.document_pdf(&admin, &Document::SessionMinutes(reference.clone())));
    println!("minutes of the session: {} KB in {:.2} s", pdf.len() / 1024, started.elapsed().as_secs_f64());
    let started = Instant::now();
    let notices = ok(core.document_pdf(&admin, &Document::SessionNotices(reference)));
    println!(
        "its {} notifications in one PDF: {} KB in {:.2} s",
        tally.approved + tally.rejected,
        notices.len() / 1024,
        started.elapsed().as_secs_f64()
    );
}
