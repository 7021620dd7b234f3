//! The delegation's bilan at scale (issue: the delegation). A provincial delegation (Tiznit) is
//! filled through the real path: 200 demo offices of its province, each populated by the
//! office's own write path (some beneficiaries live in the region's other provinces), enrolled
//! at the delegation, exporting its bundle, and the bundle imported — about 1,000,000 dossiers. Then the full bilan (every indicator) is timed
//! without breakdown and broken down by office, province and region, and one drill-down.
//!
//! The delegation's file is kept in `target/bench-data/delegation/` and reused when present
//! (delete it to rebuild). `DAFTAR_BENCH_OFFICES` sets the number of offices (default 200).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use daftar::app::{Core, InstallSetup, Session, demo};
use daftar::clock::{OsEntropy, SystemClock};
use daftar::domain::indicators::Breakdown;
use daftar::identity::KdfParams;
use daftar::store::Store;

/// Applicants per office: the demo opens a dossier for about one applicant in three.
const APPLICANTS: u32 = 14_700;
const RUNS: usize = 5;
const PASSWORD: &str = "admin-secret-1";

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn setup(code: &str, name: &str, level: &str, province: &str) -> InstallSetup {
    InstallSetup {
        code: code.into(),
        name: name.into(),
        level: level.into(),
        province: province.into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: PASSWORD.into(),
        ..InstallSetup::default()
    }
}

/// A demo office `code` (populated with `seed`) enrolled at the delegation, and its first
/// bundle (everything it holds): the bytes and how many records it carries.
fn office_bundle(dp: &mut Core, dp_admin: &Session, code: &str, stick: &Path, seed: u64) -> (Vec<u8>, usize) {
    let parent = ok(dp.identity_file(dp_admin));
    let store = ok(Store::open_in_memory());
    let mut office = Core::new(store, Box::new(SystemClock), Box::new(OsEntropy), KdfParams::FAST_FOR_TESTS);
    let admin = ok(office.init(&setup(code, &format!("Bureau local {code}"), "bureau", "581")));
    // Populated as a standalone office (it decides and pays), then put under the delegation:
    // its first bundle carries everything.
    ok(demo::populate(&mut office, &admin, APPLICANTS, seed));
    let id = ok(office.identity_file(&admin));
    ok(dp.enroll(dp_admin, &ok(serde_json::to_vec(&id)), &id.keys.fingerprint()));
    ok(office.enroll(&admin, &ok(serde_json::to_vec(&parent)), &parent.keys.fingerprint()));
    let admin = ok(office.login("admin", PASSWORD));
    let report = ok(office.export_bundle(&admin, stick, None)).unwrap_or_else(|| panic!("nothing to export"));
    let bytes = ok(std::fs::read(&report.path));
    ok(std::fs::remove_file(&report.path));
    (bytes, report.rows)
}

/// The demo draws an office's CINs in a series named by two letters taken from a digest of its
/// code (`app::demo`): offices whose codes give the same letters would register the same CINs,
/// and the delegation would (rightly) refuse the later one's bundle as a flood of conflicts. The
/// bench's offices are given codes whose series differ.
fn office_codes(count: usize) -> Vec<String> {
    use sha2::Digest as _;
    let series = |code: &str| {
        let digest = sha2::Sha256::digest(code.as_bytes());
        (digest[0] % 26, digest[1] % 26)
    };
    let mut used = std::collections::HashSet::new();
    used.insert(series("BL-B999"));
    (0..).map(|n| format!("BL-B{n:03}")).filter(|code| used.insert(series(code))).take(count).collect()
}

/// Builds the delegation's file: every office made, enrolled, exported and imported.
fn build(db: &Path, offices: usize) {
    let started = Instant::now();
    let tmp = db.with_extension("construction");
    let _ = std::fs::remove_file(&tmp);
    let mut dp = ok(Core::open(&tmp, true));
    let dp_admin = ok(dp.init(&setup("DP-BENCH", "Délégation de mesure", "delegation-provinciale", "581")));
    let stick = db.with_file_name("cle");
    let mut import_time = Duration::ZERO;
    for (i, code) in office_codes(offices).iter().enumerate() {
        let (bytes, _) = office_bundle(&mut dp, &dp_admin, code, &stick, 2026 + i as u64);
        // What `daftar import` does with one file: the bundle, then the bilan's facts.
        let start = Instant::now();
        ok(dp.import_bundle(&dp_admin, &bytes, "bench"));
        ok(dp.refresh_bilan_facts());
        import_time += start.elapsed();
        if i % 10 == 9 {
            eprintln!(
                "{} offices in {:.0} s (imports {:.0} s)",
                i + 1,
                started.elapsed().as_secs_f64(),
                import_time.as_secs_f64()
            );
        }
    }
    drop(dp);
    ok(std::fs::rename(&tmp, db));
    eprintln!(
        "delegation built in {:.0} s, imports {:.0} s",
        started.elapsed().as_secs_f64(),
        import_time.as_secs_f64()
    );
}

fn main() {
    let offices: usize = std::env::var("DAFTAR_BENCH_OFFICES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/delegation");
    ok(std::fs::create_dir_all(&dir));
    let db = dir.join(format!("dp-{offices}.sqlite"));
    if !db.exists() {
        build(&db, offices);
    }
    if std::env::var_os("DAFTAR_BENCH_ONE_MORE").is_some() {
        return one_more(&db);
    }
    if std::env::var_os("DAFTAR_BENCH_MIGRATION").is_some() {
        return projects_search_migration(&db);
    }
    let mut dp = ok(Core::open(&db, false));
    let session = ok(dp.login("admin", PASSWORD));
    let count = |table: &str| -> i64 {
        ok(dp.store().conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
    };
    println!(
        "delegation: {offices} offices, {} dossiers, {} applicants, {} funding lines, {} disbursements, {:.0} MB",
        count("dossiers"),
        count("applicants"),
        count("funding_lines"),
        count("disbursements"),
        ok(std::fs::metadata(&db)).len() as f64 / 1e6
    );
    let (from, to) = (
        ok(NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")),
        ok(NaiveDate::from_ymd_opt(2026, 12, 31).ok_or("date")),
    );
    for by in [None, Some(Breakdown::Office), Some(Breakdown::Province), Some(Breakdown::Region)] {
        let mut times = Vec::new();
        let mut figures = 0;
        for _ in 0..RUNS {
            let start = Instant::now();
            let bilan = ok(dp.bilan(&session, from, to, by));
            times.push(start.elapsed());
            figures = bilan.figures.len() * (1 + bilan.groups.len());
        }
        let name = by.map_or("total", |b| b.label_fr());
        println!(
            "bilan {name}: median {:.0} ms over {RUNS} runs ({figures} figures; {:?})",
            median(times.clone()).as_secs_f64() * 1e3,
            times
        );
    }
    let mut times = Vec::new();
    let mut lines = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        lines = ok(dp.bilan_drill_down(&session, from, to, None, "dh_engages.total", None)).len();
        times.push(start.elapsed());
    }
    println!("drill-down dh_engages.total: median {:.0} ms ({lines} dossiers)", median(times).as_secs_f64() * 1e3);
    projects_search(&dp, &session);
}

/// The Projets screen's search as a clerk types it: each prefix of a few words (a name, a
/// commune, a promoter's name, a kind's word), the first page, p95 and worst.
fn projects_search(dp: &Core, session: &Session) {
    let mut times = Vec::new();
    for word in ["argan", "tiznit", "ouazzani", "cooperative", "menuiserie aglou", "xw000123"] {
        for end in 2..=word.len() {
            let start = Instant::now();
            let page = ok(dp.search_projects(session, &word[..end], 0, 50));
            times.push(start.elapsed());
            std::hint::black_box(page);
        }
    }
    times.sort();
    let p95 = times[times.len() * 95 / 100];
    println!(
        "projects search, first page as typed: p95 {:.1} ms, worst {:.1} ms over {} keystrokes",
        p95.as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        times.len()
    );
}

/// The first start after the update that brings the projects' search (`DAFTAR_BENCH_MIGRATION`):
/// a copy of the delegation set back to schema 24, then opened; the index filled in Rust.
fn projects_search_migration(db: &Path) {
    let copy = db.with_extension("avant-0025");
    ok(std::fs::copy(db, &copy));
    let back_to_24 = || {
        let conn = ok(rusqlite::Connection::open(&copy));
        ok(conn.execute_batch("DROP TABLE projects_fts; PRAGMA user_version = 24;"));
    };
    back_to_24();
    let start = Instant::now();
    let dp = ok(Core::open(&copy, false));
    let opened = start.elapsed();
    let projects: i64 = ok(dp.store().conn().query_row("SELECT count(*) FROM projects", [], |r| r.get(0)));
    drop(dp);
    // Again, the copy before migrating being there already: the migration alone.
    back_to_24();
    let start = Instant::now();
    drop(ok(Core::open(&copy, false)));
    println!(
        "first start after the update ({projects} projects): {:.1} s, of which the migration and the index \
         filled {:.1} s (the rest: the copy made before migrating)",
        opened.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_file(&copy);
    let _ = std::fs::remove_file(daftar::store::migration_copy_path(&copy, 24));
}

/// One more office's bundle imported into a copy of the full delegation (`DAFTAR_BENCH_ONE_MORE`).
fn one_more(db: &Path) {
    let copy = db.with_extension("copie");
    ok(std::fs::copy(db, &copy));
    let mut dp = ok(Core::open(&copy, false));
    let dp_admin = ok(dp.login("admin", PASSWORD));
    let (bytes, rows) = office_bundle(&mut dp, &dp_admin, "BL-B999", &db.with_file_name("cle"), 4242);
    let start = Instant::now();
    ok(dp.import_bundle(&dp_admin, &bytes, "bench"));
    let import = start.elapsed();
    let start = Instant::now();
    ok(dp.refresh_bilan_facts());
    println!("one more office ({rows} records): import {import:?}, then the bilan's facts {:?}", start.elapsed());
    drop(dp);
    let _ = std::fs::remove_file(&copy);
}
