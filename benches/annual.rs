//! The annual report at scale (issue: the commission's session and the annual report): its
//! figures for a year — the bilan with the projects created, the dossiers funded by source and
//! kind — at the delegation bench's file (about a million dossiers), warm, and its PDF (the
//! year's figures by office and by province, laid out). Goals: figures < 1 s, PDF < 2 s.
//!
//! `cargo bench --bench annual` (build the file first with `cargo bench --bench delegation`).

mod common;

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use daftar::documents::bilan_files::BilanFormat;

const RUNS: usize = 5;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64()
}

fn main() {
    let Some(mut core) = common::open_delegation() else { return };
    let admin = ok(core.login("admin", "admin-secret-1"));
    let year = 2026;
    let (from, to) = (
        ok(NaiveDate::from_ymd_opt(year, 1, 1).ok_or("date")),
        ok(NaiveDate::from_ymd_opt(year, 12, 31).ok_or("date")),
    );

    let started = Instant::now();
    let first = ok(core.bilan(&admin, from, to, None));
    println!("first figures of {year} after opening: {:.2} s", started.elapsed().as_secs_f64());
    println!(
        "  projects created to date {}, dossiers funded in {year} {}, of which co-funded {}",
        first.value("projets_crees_cumul.total"),
        first.value("dossiers_finances_source.total"),
        first.value("dossiers_cofinances.total")
    );
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            ok(core.bilan(&admin, from, to, None));
            started.elapsed()
        })
        .collect();
    println!("the annual report's figures, warm: median {:.2} s over {RUNS} runs (goal < 1 s)", median(times));
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let pdf = ok(core.annual_report_file(&admin, year, BilanFormat::Pdf));
            assert!(pdf.starts_with(b"%PDF-"));
            started.elapsed()
        })
        .collect();
    println!(
        "the annual report's PDF (figures by office and by province, laid out): median {:.2} s (goal < 2 s) — peak memory {:.0} MB",
        median(times),
        common::peak_mb()
    );
}
