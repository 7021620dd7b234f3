//! Certificates (issue: official documents, second pass): one certificate issued and printed in
//! the process, and a batch of 1,000 in one PDF — time, size of the file and peak memory. Prints
//! the figures that `docs/PERFORMANCE.md` records.
//!
//! `cargo bench --bench certificates` (a demo office of 30,000 applicants is made in memory first).

use std::time::{Duration, Instant};

use daftar::app::{CertificateSubject, Core, demo};
use daftar::clock::{OsEntropy, SystemClock};
use daftar::identity::KdfParams;
use daftar::store::Store;

mod common;

const BATCH: usize = 1_000;

fn main() {
    let started = Instant::now();
    let store = Store::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let mut core = Core::new(store, Box::new(SystemClock), Box::new(OsEntropy), KdfParams::PRODUCTION);
    let (admin, _) = demo::create_demo_site(&mut core).unwrap_or_else(|e| panic!("{e}"));
    demo::populate(&mut core, &admin, 30_000, 2026).unwrap_or_else(|e| panic!("{e}"));
    let chef = core.login("chef", "chef-demo-2026").unwrap_or_else(|e| panic!("{e}"));
    println!("demo office of 30,000 applicants made in {:.1} s", started.elapsed().as_secs_f64());
    let mut numbers: Vec<String> = {
        let conn = core.store().conn();
        let mut stmt = conn
            .prepare(
                "SELECT number FROM dossiers WHERE status IN ('approuve', 'finance', 'cloture') AND deleted_at IS NULL
                 AND id NOT IN (SELECT dossier_id FROM certificates WHERE dossier_id IS NOT NULL) ORDER BY number",
            )
            .unwrap_or_else(|e| panic!("{e}"));
        stmt.query_map([], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}")).flatten().collect()
    };
    assert!(numbers.len() > BATCH + 20, "only {} dossiers to certify", numbers.len());
    // One at a time, as a clerk prints them at the counter.
    let mut one: Vec<Duration> = numbers
        .drain(..20)
        .map(|number| {
            let started = Instant::now();
            let (_, pdf) =
                core.issue_certificate(&chef, &CertificateSubject::Dossier(number)).unwrap_or_else(|e| panic!("{e}"));
            assert!(pdf.starts_with(b"%PDF-"));
            started.elapsed()
        })
        .collect();
    one.sort();
    println!(
        "one certificate (issued, signed, recorded, printed): median {:.1} ms, max {:.1} ms",
        one[one.len() / 2].as_secs_f64() * 1e3,
        one[one.len() - 1].as_secs_f64() * 1e3
    );
    // A thousand in one batch: one transaction, one PDF; as many batches as the office has
    // dossiers to certify (up to three), for the median.
    let mut batches = Vec::new();
    while numbers.len() >= BATCH && batches.len() < 3 {
        let subjects: Vec<CertificateSubject> = numbers.drain(..BATCH).map(CertificateSubject::Dossier).collect();
        let before = common::peak_mb();
        let started = Instant::now();
        let (rows, pdf) = core.issue_certificates(&chef, &subjects).unwrap_or_else(|e| panic!("{e}"));
        let took = started.elapsed();
        println!(
            "{} certificates in one PDF: {:.2} s, {:.1} MB, peak memory {:.0} MB (before the batch {:.0} MB)",
            rows.len(),
            took.as_secs_f64(),
            pdf.len() as f64 / 1e6,
            common::peak_mb(),
            before
        );
        batches.push(took);
    }
    batches.sort();
    println!("median of {} batches: {:.2} s", batches.len(), batches[batches.len() / 2].as_secs_f64());
}
