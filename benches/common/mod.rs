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
