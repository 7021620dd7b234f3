//! The dossiers' worklist at scale (issue: the clerk's day): the first page of every sort, both
//! ways, under every filter a user can set, and searches by number, name and CIN — on the
//! delegation bench's file (about a million dossiers) and the register bench's (a million
//! applicants). The goal: p95 under 50 ms.
//!
//! The first open after the update builds the worklist (migration 0016): its time is printed.
//! `DAFTAR_BENCH_COLD=1` empties the system's page cache before each file is opened (root only):
//! the first page is then read as on the first start of the day.
//! Build the files first with `cargo bench --bench delegation` and `cargo bench --bench register`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use daftar::app::{Core, Session, WorklistQuery, WorklistSort};
use daftar::domain::dossier::Status;
use daftar::domain::project::ProjectKind;
use daftar::domain::role::Role;

const RUNS: usize = 5;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// Every filter a user can set from the window, named.
fn filters(year: i32) -> Vec<(String, WorklistQuery)> {
    let mut out = Vec::new();
    for role in Role::ALL {
        let statuses = role.waiting_dossiers().to_vec();
        out.push((format!("à traiter ({})", role.code()), WorklistQuery { statuses, ..WorklistQuery::default() }));
    }
    for status in Status::ALL {
        out.push((
            format!("statut {}", status.code()),
            WorklistQuery { statuses: vec![status], ..WorklistQuery::default() },
        ));
    }
    out.push((format!("année {year}"), WorklistQuery { year: Some(year), ..WorklistQuery::default() }));
    out.push(("année 1999 (vide)".into(), WorklistQuery { year: Some(1999), ..WorklistQuery::default() }));
    for kind in ProjectKind::ALL {
        out.push((format!("type {}", kind.code()), WorklistQuery { kind: Some(kind), ..WorklistQuery::default() }));
    }
    for source in ["hcar", "indh", "convention", "autre"] {
        let query = WorklistQuery { source: Some(source.into()), ..WorklistQuery::default() };
        out.push((format!("source {source}"), query));
    }
    let narrow = WorklistQuery {
        statuses: vec![Status::Transmis],
        year: Some(year),
        kind: Some(ProjectKind::Association),
        source: None,
        ..WorklistQuery::default()
    };
    out.push((format!("transmis {year} associations"), narrow));
    let rare = WorklistQuery {
        statuses: vec![Status::Finance],
        kind: Some(ProjectKind::Association),
        source: Some("autre".into()),
        ..WorklistQuery::default()
    };
    out.push(("financé associations autre secteur".into(), rare));
    out
}

fn p(times: &mut [Duration], q: f64) -> f64 {
    times.sort();
    let i = ((times.len() as f64 - 1.0) * q).round() as usize;
    times[i].as_secs_f64() * 1e3
}

fn measure(name: &str, db: &Path, login: (&str, &str)) {
    if !db.exists() {
        println!("{name}: {} missing — build it with its bench first", db.display());
        return;
    }
    if std::env::var_os("DAFTAR_BENCH_COLD").is_some() {
        // The morning: nothing of the file in the system's cache (needs root).
        let dropped = std::process::Command::new("sync").status().is_ok()
            && std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok();
        println!("{name}: page cache {}", if dropped { "dropped (cold start)" } else { "NOT dropped (not root)" });
    }
    let opened = Instant::now();
    let mut core = ok(Core::open(db, false));
    let open_s = opened.elapsed().as_secs_f64();
    let session = ok(core.login(login.0, login.1));
    let dossiers: i64 = ok(core.store().conn().query_row("SELECT count(*) FROM worklist", [], |r| r.get(0)));
    println!("{name}: {dossiers} dossiers in the worklist; open (with the migration when due) {open_s:.1} s");
    let year: i32 = ok(core.store().conn().query_row("SELECT max(year) FROM worklist_groups", [], |r| r.get(0)));
    // The first query of the day, on a file just opened.
    let first =
        WorklistQuery { statuses: Role::Clerk.waiting_dossiers().to_vec(), page_size: 50, ..WorklistQuery::default() };
    let started = Instant::now();
    ok(core.worklist(&session, &first));
    println!("  first page after opening: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    // Today's work (the dashboard's first lines), first on the file just opened, then warm.
    let started = Instant::now();
    let items = ok(core.today(&session));
    let first_today = started.elapsed().as_secs_f64() * 1e3;
    let mut today_times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            ok(core.today(&session));
            started.elapsed()
        })
        .collect();
    println!(
        "  today's work ({} lines for {}): first {first_today:.0} ms, then p50 {:.0} ms, max {:.0} ms",
        items.len(),
        login.0,
        p(&mut today_times, 0.5),
        p(&mut today_times, 1.0)
    );
    for item in &items {
        println!("    {}", item.line());
    }
    let mut all = Vec::new();
    let mut worst = (0.0, String::new());
    for (filter, base) in filters(year) {
        for sort in WorklistSort::ALL {
            for descending in [false, true] {
                let query = WorklistQuery { sort, descending, page_size: 50, ..base.clone() };
                let times = run(&mut core, &session, &query);
                record(&mut all, &mut worst, times, || {
                    format!("{filter}, {sort:?}{}", if descending { " desc" } else { "" })
                });
            }
        }
    }
    let sample = ok(core.worklist(&session, &WorklistQuery { page_size: 1, ..WorklistQuery::default() }));
    let line = sample.rows.first().cloned();
    let searches: Vec<String> = match &line {
        Some(l) => {
            let (head, sequence) = l.number.rsplit_once('-').unwrap_or_default();
            vec![
                format!("{}-{}", &head[head.len().saturating_sub(4)..], sequence.trim_start_matches('0')),
                l.number.clone(),
                l.cin.clone(),
                l.name.split_whitespace().next().unwrap_or_default().to_owned(),
                "alaoui".into(),
            ]
        }
        None => vec![],
    };
    for search in &searches {
        let query = WorklistQuery { search: search.clone(), page_size: 50, ..WorklistQuery::default() };
        let times = run(&mut core, &session, &query);
        record(&mut all, &mut worst, times, || format!("recherche « {search} »"));
    }
    println!(
        "  {} queries × {RUNS}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms ({}); peak memory {:.0} MB",
        all.len() / RUNS,
        p(&mut all, 0.5),
        p(&mut all, 0.95),
        worst.0,
        worst.1,
        common::peak_mb()
    );
}

fn run(core: &mut Core, session: &Session, query: &WorklistQuery) -> Vec<Duration> {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            ok(core.worklist(session, query));
            started.elapsed()
        })
        .collect()
}

fn record(all: &mut Vec<Duration>, worst: &mut (f64, String), times: Vec<Duration>, name: impl Fn() -> String) {
    let slowest = times.iter().max().copied().unwrap_or_default().as_secs_f64() * 1e3;
    if slowest > worst.0 {
        *worst = (slowest, name());
    }
    all.extend(times);
}

fn main() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    measure("delegation", &data.join("delegation/dp-200.sqlite"), ("admin", "admin-secret-1"));
    if std::env::var_os("DAFTAR_BENCH_NO_REGISTER").is_none() {
        measure("register", &common::bench_db(), ("admin", "admin-demo-2026"));
    }
}
