//! The annual report at scale (issue: the commission's session and the annual report): its
//! figures for a year — the bilan with the projects created, the dossiers funded by source and
//! kind — at the delegation bench's file (about a million dossiers), warm, and its PDF (the
//! year's figures by office and by province, laid out). Goals: figures < 1 s, PDF < 2 s.
//!
//! `cargo bench --bench annual` (build the file first with `cargo bench --bench delegation`).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use daftar::app::Core;
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
    let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/delegation/dp-200.sqlite");
    if !db.exists() {
        println!("{} missing — build it with `cargo bench --bench delegation` first", db.display());
        return;
    }
    // The copy made before a migration would need as much room again as the 9 GB file: the
    // bench's file is rebuilt by its bench, so its copy is skipped (and the marker removed).
    let schema: i64 = ok(ok(rusqlite::Connection::open(&db)).query_row("PRAGMA user_version", [], |r| r.get(0)));
    let marker = daftar::store::migration_copy_path(&db, schema);
    let made_marker = schema < daftar::store::SCHEMA_VERSION && !marker.exists();
    if made_marker {
        ok(std::fs::write(&marker, b""));
    }
    let opened = Instant::now();
    let mut core = ok(Core::open(&db, false));
    if made_marker {
        let _ = std::fs::remove_file(&marker);
    }
    println!("delegation file opened (from schema {schema}) in {:.1} s", opened.elapsed().as_secs_f64());
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
