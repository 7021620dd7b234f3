//! Benchmarks of the register on a large database (issue: the office register).
//!
//! The database is the one `daftar demo --applicants N` makes (same code, called in process):
//! by default N = 1,000,000, kept in `target/bench-data/` between runs. Set
//! `DAFTAR_BENCH_APPLICANTS` for a smaller one. Besides criterion's own report, the bench prints
//! the p95 of each query family over all its queries, which `docs/PERFORMANCE.md` records.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

mod common;
use common::bench_db;
use daftar::app::{Core, demo};
use daftar::clock::{Clock as _, SeededEntropy, SystemClock};
use daftar::domain::applicant::{Applicant, ConsentPurpose, Relationship, Sex};
use daftar::domain::codes::Cin;
use daftar::domain::names::search_tokens;
use daftar::identity::KdfParams;
use daftar::store::Store;
use daftar::store::records::Writer;
use daftar::store::search::{applicants_with_cin, fts_query, list_applicants, search_applicants};

/// The 20 most frequent three-letter prefixes of the name words (both scripts).
fn frequent_prefixes(store: &Store) -> Vec<String> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    // The label holds CIN, Latin name, Arabic name and birth date.
    let mut stmt = store.conn().prepare("SELECT label FROM applicants").unwrap_or_else(|e| panic!("{e}"));
    let mut rows = stmt.query([]).unwrap_or_else(|e| panic!("{e}"));
    while let Some(row) = rows.next().unwrap_or_else(|e| panic!("{e}")) {
        let label: String = row.get(0).unwrap_or_default();
        let names = label.split('\t').skip(1).take(2).collect::<Vec<_>>().join(" ");
        for word in search_tokens(&names) {
            let prefix: String = word.chars().take(3).collect();
            if prefix.chars().count() == 3 {
                *counts.entry(prefix).or_default() += 1;
            }
        }
    }
    let mut sorted: Vec<(String, u64)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    sorted.into_iter().take(20).map(|(p, _)| p).collect()
}

fn sample_applicants(store: &Store) -> Vec<Applicant> {
    let mut stmt = store
        .conn()
        .prepare("SELECT data FROM applicants WHERE rid % 49999 = 7 LIMIT 20")
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap_or_else(|e| panic!("{e}"));
    rows.map(|r| serde_json::from_str(&r.unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"))).collect()
}

/// p95 (and max) of `run` over every query, each repeated `repeat` times after one untimed
/// warm-up pass (the first read of a 4 GB file is the disk's, not the program's).
fn p95<T>(label: &str, queries: &[T], repeat: usize, mut run: impl FnMut(&T)) -> Duration {
    queries.iter().for_each(&mut run);
    let mut samples = Vec::with_capacity(queries.len() * repeat);
    for _ in 0..repeat {
        for q in queries {
            let start = Instant::now();
            run(q);
            samples.push(start.elapsed());
        }
    }
    samples.sort();
    let p95 = samples[samples.len() * 95 / 100];
    eprintln!(
        "p95 {label}: {:.3} ms (median {:.3} ms, max {:.3} ms, {} samples)",
        ms(p95),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
    p95
}

fn rowids(stmt: &mut rusqlite::Statement<'_>, query: &str) -> Vec<i64> {
    stmt.query_map([query], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}")).map(|r| r.unwrap_or_default()).collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn queries(c: &mut Criterion) {
    let path = bench_db();
    let store = Store::open(&path, false).unwrap_or_else(|e| panic!("{e}"));
    let conn = store.conn();
    let prefixes = frequent_prefixes(&store);
    eprintln!("most frequent prefixes: {prefixes:?}");
    let samples = sample_applicants(&store);
    let names: Vec<String> = samples.iter().map(|a| format!("{} {}", a.first_name, a.last_name)).collect();
    let cins: Vec<String> = samples.iter().map(|a| a.cin.to_string()).collect();
    let fts: Vec<String> = prefixes.iter().filter_map(|p| fts_query(p)).collect();

    // The FTS5 statement the search runs, bare: the newest 1,001 matching rowids (count and page).
    let mut bare = conn
        .prepare("SELECT rowid FROM applicants_fts WHERE applicants_fts MATCH ?1 ORDER BY rowid DESC LIMIT 1001")
        .unwrap_or_else(|e| panic!("{e}"));
    let bare_p95 = p95("bare FTS5 statement (newest 1,001 rowids), 20 frequent prefixes", &fts, 10, |q| {
        black_box(rowids(&mut bare, q));
    });
    let prefix_p95 = p95("search first page (50 rows + capped count), 20 frequent prefixes", &prefixes, 10, |q| {
        black_box(search_applicants(conn, q, None, 0, 50).unwrap_or_else(|e| panic!("{e}")));
    });
    eprintln!("ratio search / bare FTS5 (p95): {:.2}", prefix_p95.as_secs_f64() / bare_p95.as_secs_f64());
    let full: Vec<String> = names.iter().filter_map(|n| fts_query(n)).collect();
    p95("bare FTS5 statement, 20 full names", &full, 10, |q| {
        black_box(rowids(&mut bare, q));
    });
    p95("search first page, 20 full names", &names, 10, |q| {
        black_box(search_applicants(conn, q, None, 0, 50).unwrap_or_else(|e| panic!("{e}")));
    });
    p95("CIN lookup, 20 CINs", &cins, 50, |q| {
        black_box(applicants_with_cin(conn, q).unwrap_or_else(|e| panic!("{e}")));
    });
    p95("list page 1,000 (100 rows)", &[999_u32], 200, |page| {
        black_box(list_applicants(conn, *page, 100).unwrap_or_else(|e| panic!("{e}")));
    });

    let mut group = c.benchmark_group("register");
    group.sample_size(20).measurement_time(Duration::from_secs(4));
    group.bench_function("search_prefix_first_page", |b| {
        b.iter(|| black_box(search_applicants(conn, &prefixes[0], None, 0, 50)))
    });
    group.bench_function("search_full_name", |b| b.iter(|| black_box(search_applicants(conn, &names[0], None, 0, 50))));
    group.bench_function("cin_lookup", |b| b.iter(|| black_box(applicants_with_cin(conn, &cins[0]))));
    group.bench_function("list_page_1000", |b| b.iter(|| black_box(list_applicants(conn, 999, 100))));
    group.finish();
}

fn inserts(c: &mut Criterion) {
    const BATCH: u32 = 20_000;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut core = Core::new(
        Store::open(&dir.path().join("inserts.sqlite"), true).unwrap_or_else(|e| panic!("{e}")),
        Box::new(SystemClock),
        Box::new(SeededEntropy::new(1)),
        KdfParams::FAST_FOR_TESTS,
    );
    let (_session, _) = demo::create_demo_site(&mut core).unwrap_or_else(|e| panic!("{e}"));
    drop(core);
    let mut store = Store::open(&dir.path().join("inserts.sqlite"), false).unwrap_or_else(|e| panic!("{e}"));
    let mut next = 0_u32;
    let mut batch = |store: &mut Store| {
        let tx = store.transaction().unwrap_or_else(|e| panic!("{e}"));
        let w = Writer::new(&tx, "BL-DEMO", "bench", SystemClock.now_utc());
        for _ in 0..BATCH {
            next += 1;
            let applicant = Applicant {
                cin: Cin::parse(&format!("ZZ{next:07}")).map(|p| p.cin).unwrap_or_else(|e| panic!("{e}")),
                last_name: "Bennani".into(),
                first_name: "Mohamed".into(),
                last_name_ar: "بناني".into(),
                first_name_ar: "محمد".into(),
                sex: Sex::M,
                birth_date: chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
                    + chrono::Duration::days(i64::from(next % 10_000)),
                card_holder_id: None,
                relationship: Relationship::Son,
                phone: None,
                address: "12 rue Al Massira".into(),
                commune: "Tiznit".into(),
                province_code: Some("581".into()),
                amo: None,
                consents: vec![ConsentPurpose::DossierHandling],
                anonymised_on: None,
                link_note: None,
            };
            w.insert(uuid::Uuid::now_v7(), &applicant).unwrap_or_else(|e| panic!("{e}"));
        }
        w.finish().unwrap_or_else(|e| panic!("{e}"));
        tx.commit().unwrap_or_else(|e| panic!("{e}"));
    };
    let mut rates = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        batch(&mut store);
        rates.push(f64::from(BATCH) / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    eprintln!(
        "inserts with outbox, audit and search entries, {BATCH} per transaction: median {:.0}/s, worst {:.0}/s",
        rates[2], rates[0]
    );
    let mut group = c.benchmark_group("register");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("insert_20000_applicants_one_transaction", |b| b.iter(|| batch(&mut store)));
    group.finish();
}

criterion_group!(benches, queries, inserts);
criterion_main!(benches);
