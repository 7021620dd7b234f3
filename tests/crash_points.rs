//! The real `daftar`, built with the `crash-points` feature, aborted at the N-th write of an
//! import, an export, a CSV import, a migration and a backup, N swept over the whole operation
//! (`src/crash_points.rs` says what counts as a write). After each abort the database opens,
//! passes `check` (SQLite's integrity and the audit chain), and holds all or none of the
//! interrupted operation; files on the stick are either absent or whole.
//!
//! `cargo test --features crash-points --test main crash_points` (`.ci/run` does): about
//! [`DEFAULT_SWEEP`] points per operation; `DAFTAR_CRASH_SWEEP=200` for a long run.

use std::path::{Path, PathBuf};
use std::process::Output;

use daftar::app::BACKUP_EXTENSION;
use daftar::sync::envelope;

use crate::common::{ADMIN_PASSWORD, CHEF_PASSWORD, ok};
use crate::crash::{copy_db, count, open, sites};

/// Points per operation in the bounded run.
const DEFAULT_SWEEP: u64 = 12;

/// How the process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Aborted at the crash point.
    Aborted,
    /// Ran to the end (the point asked was past its last).
    Finished,
}

fn daftar(db: &Path, user: &str, password: &str, args: &[&str], crash_after: &str) -> Output {
    ok(crate::crash::daftar(db, user, password, args).env("DAFTAR_CRASH_AFTER", crash_after).output())
}

/// How many crash points the operation goes through, run to its end on a copy of `fixture`.
fn points_of(fixture: &Path, work: &Path, user: &str, password: &str, args: &[&str]) -> u64 {
    copy_db(fixture, work);
    let output = daftar(work, user, password, args, "count");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{args:?} runs to its end: {stderr}");
    stderr
        .lines()
        .find_map(|line| line.strip_prefix("points de crash : "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("the count of crash points is printed: {stderr}"))
}

/// `wanted` points spread over 1..=total, with the first three and the last five (commits and
/// file renames sit at the ends).
fn sweep(total: u64, wanted: u64) -> Vec<u64> {
    let mut points: Vec<u64> = (0..wanted).map(|k| 1 + k * total.saturating_sub(1) / wanted.max(1)).collect();
    points.extend(1..=3.min(total));
    points.extend(total.saturating_sub(4).max(1)..=total);
    points.sort_unstable();
    points.dedup();
    points
}

fn wanted() -> u64 {
    std::env::var("DAFTAR_CRASH_SWEEP").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_SWEEP)
}

/// Runs the operation aborted at each point of the sweep, on a fresh copy of `fixture` each time,
/// and hands each result to `verify`. Returns (aborts inside the operation, runs).
fn crash_sweep(
    fixture: &Path,
    user: &str,
    password: &str,
    args: &dyn Fn(u64) -> Vec<String>,
    verify: &mut dyn FnMut(u64, u64, End, &Path),
) -> (u32, u32) {
    let dir = fixture.parent().unwrap_or(Path::new("."));
    let work = dir.join("travail.sqlite");
    let counted: Vec<String> = args(0);
    let counted: Vec<&str> = counted.iter().map(String::as_str).collect();
    let total = points_of(fixture, &work, user, password, &counted);
    assert!(total > 0, "{counted:?} goes through crash points");
    let points = sweep(total, wanted());
    let mut aborted = 0;
    for (run, &n) in points.iter().enumerate() {
        copy_db(fixture, &work);
        let run = run as u64 + 1;
        let owned = args(run);
        let owned: Vec<&str> = owned.iter().map(String::as_str).collect();
        let output = daftar(&work, user, password, &owned, &n.to_string());
        let end = if output.status.code().is_none() {
            aborted += 1;
            End::Aborted
        } else {
            End::Finished
        };
        verify(run, n, end, &work);
    }
    eprintln!("{counted:?}: {total} points, {aborted} of {} runs aborted inside the operation", points.len());
    (aborted, points.len() as u32)
}

#[test]
fn sweep_covers_both_ends() {
    assert_eq!(sweep(5, 12), vec![1, 2, 3, 4, 5]);
    let points = sweep(10_000, 12);
    assert!(points.starts_with(&[1, 2, 3]) && points.ends_with(&[9_996, 9_997, 9_998, 9_999, 10_000]));
    assert!(points.len() >= 12 && points.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn an_aborted_import_applies_all_or_nothing() {
    let dir = ok(tempfile::tempdir());
    let (office_db, dp_db) = sites(dir.path());
    let bundle = {
        let (mut office, chef) = open(&office_db, "chef", CHEF_PASSWORD);
        ok(office.export_bundle(&chef, &dir.path().join("cle"), None))
            .unwrap_or_else(|| panic!("nothing to export"))
            .path
            .display()
            .to_string()
    };
    let applicants = count(&open(&office_db, "chef", CHEF_PASSWORD).0, "applicants");
    let (aborted, runs) = crash_sweep(
        &dp_db,
        "admin",
        ADMIN_PASSWORD,
        &|_| vec!["import".into(), bundle.clone()],
        &mut |_, n, end, work| {
            let (core, _) = open(work, "admin", ADMIN_PASSWORD);
            let held = (count(&core, "applicants"), count(&core, "bundles_in"));
            assert!(held == (0, 0) || held == (applicants, 1), "point {n}: {held:?} — all or nothing");
            if end == End::Finished {
                assert_eq!(held, (applicants, 1), "point {n}: a finished import applied the bundle");
            }
        },
    );
    assert!(aborted * 2 > runs, "most points land inside the import: {aborted} of {runs}");
}

#[test]
fn an_aborted_export_leaves_no_half_file_and_no_reused_number() {
    let dir = ok(tempfile::tempdir());
    let (office_db, _) = sites(dir.path());
    let sticks = dir.path().join("cles");
    let stick = |run: u64| sticks.join(run.to_string());
    let (aborted, runs) = crash_sweep(
        &office_db,
        "chef",
        CHEF_PASSWORD,
        &|run| vec!["export".into(), "--to".into(), stick(run).display().to_string()],
        &mut |run, n, end, work| {
            let left: Vec<PathBuf> =
                std::fs::read_dir(stick(run)).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
            let mut numbers = Vec::new();
            for file in left.iter().filter(|p| p.extension().is_some_and(|x| x == "daftar")) {
                let bytes = ok(std::fs::read(file));
                let bundle =
                    envelope::open(&bytes).unwrap_or_else(|e| panic!("point {n}: {} is whole: {e}", file.display()));
                numbers.push(bundle.header.sequence);
            }
            if end == End::Finished {
                assert_eq!(numbers.len(), 1, "point {n}: a finished export wrote its file");
            }
            let (mut core, chef) = open(work, "chef", CHEF_PASSWORD);
            let again = ok(core.export_bundle(&chef, &dir.path().join(format!("encore-{run}")), None))
                .unwrap_or_else(|| panic!("point {n}: nothing to export after the abort"));
            assert!(!numbers.contains(&again.sequence), "point {n}: number {} names two files", again.sequence);
        },
    );
    assert!(aborted * 2 > runs, "most points land inside the export: {aborted} of {runs}");
}

#[test]
fn an_aborted_csv_import_imports_all_or_nothing() {
    let dir = ok(tempfile::tempdir());
    let (office_db, _) = sites(dir.path());
    let lines = 120;
    let mut csv = String::from("cin;nom;prenom;sexe;date_naissance;lien;carte;telephone\n");
    for k in 0..lines {
        let name: String = [k / 676, k / 26 % 26, k % 26].iter().map(|&d| char::from(b'a' + d as u8)).collect();
        let born = format!("{:02}/{:02}/{}", 1 + k % 28, 1 + k / 28 % 12, 1950 + k % 40);
        csv.push_str(&format!("ZX{k:06};Crash{name};Point;M;{born};titulaire;R-{k};\n"));
    }
    let file = dir.path().join("beneficiaires.csv");
    ok(std::fs::write(&file, csv));
    let file = file.display().to_string();
    let before = count(&open(&office_db, "chef", CHEF_PASSWORD).0, "applicants");
    let (aborted, runs) = crash_sweep(
        &office_db,
        "chef",
        CHEF_PASSWORD,
        &|_| vec!["import-csv".into(), "applicants".into(), file.clone()],
        &mut |_, n, end, work| {
            let held = count(&open(work, "chef", CHEF_PASSWORD).0, "applicants");
            assert!(held == before || held == before + lines, "point {n}: {held} applicants — all or nothing");
            if end == End::Finished {
                assert_eq!(held, before + lines, "point {n}: a finished import imported the file");
            }
        },
    );
    assert!(aborted * 2 > runs, "most points land inside the CSV import: {aborted} of {runs}");
}

/// The office's database as an earlier release left it (schema 8: before the office index, the
/// retired keys, the key handover, transfers and duplicate reviews, checklists and money facts).
fn at_schema_8(db: &Path) {
    let (core, _) = open(db, "chef", CHEF_PASSWORD);
    ok(core.store().conn().execute_batch(
        "DROP INDEX applicants_office; DROP TABLE retired_keys;
         ALTER TABLE site_keys DROP COLUMN sealed_for_previous;
         DROP TABLE transfers; DROP TABLE duplicate_reviews; DROP TABLE checklists; DROP TABLE bilan_money;
         DELETE FROM live_counts WHERE table_name IN ('transfers', 'duplicate_reviews', 'checklists');
         ALTER TABLE peers DROP COLUMN revocation; ALTER TABLE peers DROP COLUMN enrollment;
         DROP TABLE worklist; DROP TABLE worklist_groups; DROP TABLE worklist_mark; DROP TABLE certificate_revocations;
         DROP TABLE commission_sessions; DROP TABLE adjournments; DROP INDEX decisions_session;
         DROP TABLE commission_reasons; DROP TABLE projects_fts;
         ALTER TABLE decisions DROP COLUMN session_id;
         DROP TABLE project_counts; DROP TRIGGER project_counts_insert; DROP TRIGGER project_counts_update_out;
         DROP TRIGGER project_counts_update_in; DROP TRIGGER project_counts_delete;
         DROP INDEX projects_created; ALTER TABLE projects DROP COLUMN created_on; ALTER TABLE projects DROP COLUMN province;
         DELETE FROM live_counts WHERE table_name IN ('commission_sessions', 'adjournments', 'commission_reasons');
         PRAGMA user_version = 8;",
    ));
}

#[test]
fn an_aborted_migration_leaves_a_file_that_migrates_next_time() {
    let dir = ok(tempfile::tempdir());
    let (office_db, _) = sites(dir.path());
    let applicants = count(&open(&office_db, "chef", CHEF_PASSWORD).0, "applicants");
    at_schema_8(&office_db);
    let version = |db: &Path| -> i64 {
        let store = ok(daftar::store::Store::open_read_only(db));
        ok(store.schema_version())
    };
    let (aborted, runs) =
        crash_sweep(&office_db, "admin", ADMIN_PASSWORD, &|_| vec!["check".into()], &mut |_, n, end, work| {
            let left_at = version(work);
            assert!((8..=daftar::store::SCHEMA_VERSION).contains(&left_at), "point {n}: schema {left_at}");
            if end == End::Finished {
                assert_eq!(left_at, daftar::store::SCHEMA_VERSION, "point {n}: a finished run migrated");
            }
            // The next start finishes the migration; nothing was lost.
            let (core, _) = open(work, "chef", CHEF_PASSWORD);
            assert_eq!(ok(core.store().schema_version()), daftar::store::SCHEMA_VERSION);
            assert_eq!(count(&core, "applicants"), applicants, "point {n}");
            let _ = std::fs::remove_file(daftar::store::migration_copy_path(work, 8));
        });
    assert!(aborted * 2 > runs, "most points land inside the migration: {aborted} of {runs}");
}

#[test]
fn an_aborted_backup_leaves_the_database_as_it_was_and_no_half_backup() {
    let dir = ok(tempfile::tempdir());
    let (office_db, _) = sites(dir.path());
    let applicants = count(&open(&office_db, "chef", CHEF_PASSWORD).0, "applicants");
    let folders = dir.path().join("sauvegardes");
    let folder = |run: u64| folders.join(run.to_string());
    // An older backup beside them must come through every abort whole.
    let older = {
        let (core, chef) = open(&office_db, "chef", CHEF_PASSWORD);
        ok(core.backup(&chef, &folders.join("ancienne")))
    };
    let older_bytes = ok(std::fs::read(&older));
    let plain_copies = |at: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(at)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(".copie-")))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (aborted, runs) = crash_sweep(
        &office_db,
        "chef",
        CHEF_PASSWORD,
        &|run| vec!["backup".into(), "--to".into(), folder(run).display().to_string()],
        &mut |run, n, end, work| {
            assert_eq!(count(&open(work, "chef", CHEF_PASSWORD).0, "applicants"), applicants, "point {n}");
            let whole: Vec<PathBuf> = std::fs::read_dir(folder(run))
                .map(|d| {
                    d.flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|x| x == BACKUP_EXTENSION))
                        .collect()
                })
                .unwrap_or_default();
            if end == End::Finished {
                assert_eq!(whole.len(), 1, "point {n}: a finished backup wrote its file");
            }
            for file in whole {
                let restored = dir.path().join(format!("restauree-{run}.sqlite"));
                ok(daftar::app::restore(&restored, &file, "chef", CHEF_PASSWORD));
                assert_eq!(count(&open(&restored, "chef", CHEF_PASSWORD).0, "applicants"), applicants, "point {n}");
            }
            // The next start removes what the abort left: no plain copy of the register, no
            // half-written file on the stick.
            drop(ok(daftar::app::Core::open(work, false)));
            let dir_of_work = work.parent().unwrap_or(Path::new("."));
            assert!(plain_copies(dir_of_work).is_empty(), "point {n}: {:?}", plain_copies(dir_of_work));
            let partials: Vec<PathBuf> = std::fs::read_dir(folder(run))
                .map(|d| {
                    d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "partial")).collect()
                })
                .unwrap_or_default();
            assert!(partials.is_empty(), "point {n}: {partials:?}");
            assert_eq!(ok(std::fs::read(&older)), older_bytes, "point {n}: the older backup is whole");
        },
    );
    assert!(aborted * 2 > runs, "most points land inside the backup: {aborted} of {runs}");
    let restored = dir.path().join("ancienne.sqlite");
    ok(daftar::app::restore(&restored, &older, "chef", CHEF_PASSWORD));
    assert_eq!(count(&open(&restored, "chef", CHEF_PASSWORD).0, "applicants"), applicants);
}

#[test]
fn an_aborted_restore_leaves_the_old_database_or_the_restored_one() {
    let dir = ok(tempfile::tempdir());
    let (office_db, _) = sites(dir.path());
    let backup = {
        let (mut core, chef) = open(&office_db, "chef", CHEF_PASSWORD);
        let backup = ok(core.backup(&chef, &dir.path().join("sauvegarde")));
        let later = "cin;nom;prenom;sexe;date_naissance;lien;carte;telephone\nZY000001;Apres;Sauvegarde;F;03/04/1971;titulaire;R-9;\n";
        ok(core.import_csv(&chef, daftar::app::csv_import::CsvTarget::Applicants, later.as_bytes()));
        backup.display().to_string()
    };
    let live = count(&open(&office_db, "chef", CHEF_PASSWORD).0, "applicants");
    let (aborted, runs) = crash_sweep(
        &office_db,
        "chef",
        CHEF_PASSWORD,
        &|_| vec!["restore".into(), backup.clone()],
        &mut |_, n, end, work| {
            let held = count(&open(work, "chef", CHEF_PASSWORD).0, "applicants");
            assert!(held == live || held == live - 1, "point {n}: {held} applicants — the old base or the backup's");
            if end == End::Finished {
                assert_eq!(held, live - 1, "point {n}: a finished restore put the backup in place");
            }
        },
    );
    assert!(aborted * 2 > runs, "most points land inside the restore: {aborted} of {runs}");
}
