//! What the benchmarks share: the large demo database, and the peak memory read from the process.

use std::path::PathBuf;
use std::time::Instant;

use daftar::app::{Core, demo};

/// The database `daftar demo --applicants N` makes (N = `DAFTAR_BENCH_APPLICANTS`, default
/// 1,000,000), kept in `target/bench-data/` between runs.
#[allow(dead_code)] // not every bench reads the large database
pub fn bench_db() -> PathBuf {
    let applicants: u32 =
        std::env::var("DAFTAR_BENCH_APPLICANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join(format!("demo-{applicants}.sqlite"));
    if !path.exists() {
        let started = Instant::now();
        let partial = dir.join(format!("demo-{applicants}.partial.sqlite"));
        let _ = std::fs::remove_file(&partial);
        let mut core = Core::open(&partial, true).unwrap_or_else(|e| panic!("{e}"));
        let (session, _) = demo::create_demo_site(&mut core).unwrap_or_else(|e| panic!("{e}"));
        let summary = demo::populate(&mut core, &session, applicants, 2026).unwrap_or_else(|e| panic!("{e}"));
        drop(core);
        std::fs::rename(&partial, &path).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("demo database made in {:.1} s: {summary}", started.elapsed().as_secs_f64());
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!("database {} ({:.0} MB)", path.display(), size as f64 / 1e6);
    path
}

/// The peak resident memory of this process so far, in MB (`VmHWM`).
#[allow(dead_code)] // not every bench reads its memory
pub fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// The delegation bench's file (`cargo bench --bench delegation` builds it), opened and migrated,
/// or `None` (said) when it is missing. The copy made before a migration would need as much room
/// again as the 9 GB file: the bench's file is rebuilt by its bench, so its copy is skipped.
#[allow(dead_code)] // not every bench reads the delegation's file
pub fn open_delegation() -> Option<Core> {
    let db = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/delegation/dp-200.sqlite");
    if !db.exists() {
        println!("{} missing — build it with `cargo bench --bench delegation` first", db.display());
        return None;
    }
    let fail = |e: &dyn std::fmt::Display| -> ! { panic!("{e}") };
    let connection = rusqlite::Connection::open(&db).unwrap_or_else(|e| fail(&e));
    let schema: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap_or_else(|e| fail(&e));
    drop(connection);
    let marker = daftar::store::migration_copy_path(&db, schema);
    let made_marker = schema < daftar::store::SCHEMA_VERSION && !marker.exists();
    if made_marker {
        std::fs::write(&marker, b"").unwrap_or_else(|e| fail(&e));
    }
    let opened = Instant::now();
    let core = Core::open(&db, false);
    if made_marker {
        let _ = std::fs::remove_file(&marker);
    }
    let core = core.unwrap_or_else(|e| fail(&e));
    println!("delegation file opened (from schema {schema}) in {:.1} s", opened.elapsed().as_secs_f64());
    Some(core)
}
