//! Sync bundles at scale (issue: sync bundles): export of about 100,000 changed records at an
//! office and import of the resulting bundle at its delegation, each timed on real files; and
//! the bundle's size against the same records as a zstd-compressed CSV. Prints the figures that
//! `docs/PERFORMANCE.md` records.

use std::path::Path;
use std::time::{Duration, Instant};

use daftar::app::{Core, InstallSetup, demo};
use daftar::sync::{envelope, payload};

const APPLICANTS: u32 = 40_000;
const RUNS: usize = 3;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/sync");
    // DAFTAR_BENCH_REUSE=1 keeps the office and the delegation of the previous run (to profile
    // the export and the import alone).
    if std::env::var_os("DAFTAR_BENCH_REUSE").is_some() && dir.join("dp.sqlite").exists() {
        let mut office = ok(Core::open(&dir.join("office.sqlite"), false));
        let admin = ok(office.login("admin", "admin-demo-2026"));
        return measure(&dir, &mut office, &admin);
    }
    let _ = std::fs::remove_dir_all(&dir);
    ok(std::fs::create_dir_all(&dir));
    let started = Instant::now();
    let mut office = ok(Core::open(&dir.join("office.sqlite"), true));
    let (admin, _) = ok(demo::create_demo_site(&mut office));
    let summary = ok(demo::populate(&mut office, &admin, APPLICANTS, 2026));
    eprintln!("office made in {:.1} s: {summary}", started.elapsed().as_secs_f64());
    let mut dp = ok(Core::open(&dir.join("dp.sqlite"), true));
    let dp_admin = ok(dp.init(&InstallSetup {
        code: "DP-TIZNIT".into(),
        name: "Délégation provinciale de Tiznit".into(),
        level: "delegation-provinciale".into(),
        province: "581".into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "admin-secret-1".into(),
        ..InstallSetup::default()
    }));
    let id = ok(office.identity_file(&admin));
    ok(dp.enroll(&dp_admin, &ok(serde_json::to_vec(&id)), &id.keys.fingerprint()));
    let parent = ok(dp.identity_file(&dp_admin));
    ok(office.enroll(&admin, &ok(serde_json::to_vec(&parent)), &parent.keys.fingerprint()));
    drop(dp);
    measure(&dir, &mut office, &admin);
}

/// Exports the office's whole outbox, imports it into copies of the delegation, and prints the
/// figures.
fn measure(dir: &Path, office: &mut Core, admin: &daftar::app::Session) {
    let pristine = dir.join("dp.sqlite");
    // One bundle of all 112,000 records, as measured since the sync issue (the product cuts at
    // 75,000 rows; the backup bench measures that cut at a million-applicant scale).
    office.limit_bundle_rows(200_000);

    let mut exports = Vec::new();
    let mut bundle = None;
    for run in 0..RUNS {
        let stick = dir.join(format!("cle-{run}"));
        let start = Instant::now();
        let report = ok(office.export_bundle(admin, &stick, None)).unwrap_or_else(|| panic!("nothing to export"));
        exports.push(start.elapsed());
        bundle = Some(report);
    }
    let report = bundle.unwrap_or_else(|| panic!("no bundle"));
    let bytes = ok(std::fs::read(&report.path));

    let mut imports = Vec::new();
    let mut facts = Vec::new();
    let mut lists = Vec::new();
    for run in 0..RUNS {
        let copy = dir.join(format!("dp-{run}.sqlite"));
        ok(std::fs::copy(&pristine, &copy));
        let mut dp = ok(Core::open(&copy, false));
        let session = ok(dp.login("admin", "admin-secret-1"));
        let start = Instant::now();
        let outcome = ok(dp.import_bundle(&session, &bytes, "bench"));
        imports.push(start.elapsed());
        if run == 0 {
            eprintln!("{outcome}");
        }
        // What `daftar import` does once after all its files.
        let start = Instant::now();
        ok(dp.refresh_bilan_facts());
        facts.push(start.elapsed());
        let start = Instant::now();
        ok(dp.refresh_worklist());
        lists.push(start.elapsed());
    }

    // The same records as CSV (one line per record, the row's JSON in a column), zstd level 3.
    let secrets = dp_secrets(&pristine);
    let opened = ok(envelope::open(&bytes));
    let plain = ok(age::decrypt(&secrets, opened.ciphertext));
    let records = ok(payload::decode(&plain)).records;
    let mut csv = String::new();
    for r in &records {
        let quoted = r.data.get().replace('"', "\"\"");
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},\"{quoted}\"\n",
            r.table,
            r.id,
            r.owner,
            r.version,
            r.created_at,
            r.updated_at,
            r.deleted_at.as_deref().unwrap_or(""),
            r.delete_reason.as_deref().unwrap_or("")
        ));
    }
    let csv_zstd = ok(zstd::stream::encode_all(csv.as_bytes(), 3)).len();
    println!("records carried: {}", report.rows);
    println!("export: median {:.0} ms over {RUNS} runs ({:?})", median(exports.clone()).as_secs_f64() * 1e3, exports);
    println!("import: median {:.0} ms over {RUNS} runs ({:?})", median(imports.clone()).as_secs_f64() * 1e3, imports);
    println!("then the bilan's facts: median {:.0} ms ({:?})", median(facts.clone()).as_secs_f64() * 1e3, facts);
    println!("then the worklist: median {:.0} ms ({:?})", median(lists.clone()).as_secs_f64() * 1e3, lists);
    println!(
        "bundle {:.2} MB; same records as zstd CSV {:.2} MB; ratio {:.2}",
        bytes.len() as f64 / 1e6,
        csv_zstd as f64 / 1e6,
        bytes.len() as f64 / csv_zstd as f64
    );
}

/// The delegation's age identity, read through a login (as the import does).
fn dp_secrets(db: &Path) -> age::x25519::Identity {
    let mut dp = ok(Core::open(db, false));
    let session = ok(dp.login("admin", "admin-secret-1"));
    let text = ok(dp.age_secret(&session));
    ok(text.parse::<age::x25519::Identity>())
}
