//! The real `daftar` killed (SIGKILL) at moments spread over an import and over an export: the
//! database always opens, passes `check`, and holds all or none of the interrupted operation; an
//! export never leaves two different files under one number. A bounded run here; a long one with
//! `cargo test -- --ignored crash`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use daftar::app::{Core, Session, demo};
use daftar::domain::role::Role;
use daftar::store::Store;
use daftar::sync::envelope;

use crate::common::{ADMIN_PASSWORD, CHEF_PASSWORD, core_seeded, ok};
use crate::sync::{delegation_at, enroll_both};

/// An office on a file (`BL-TIZNIT`, 300 demo applicants), under a delegation on a file; both
/// closed. Returns the office's and the delegation's files.
pub fn sites(dir: &Path) -> (PathBuf, PathBuf) {
    let (office_db, dp_db) = (dir.join("bureau.sqlite"), dir.join("dp.sqlite"));
    let mut office = core_seeded(ok(Store::open(&office_db, true)), 7);
    let admin = ok(office.init(&crate::common::tiznit()));
    ok(office.add_user(&admin, "chef", "Chef", Role::HeadOfOffice, CHEF_PASSWORD));
    ok(demo::populate(&mut office, &admin, 300, 5));
    let (mut dp, dp_admin) = delegation_at(&dp_db, 11, "DP-TIZNIT");
    enroll_both(&mut dp, &dp_admin, &mut office, &admin);
    (office_db, dp_db)
}

pub fn copy_db(from: &Path, to: &Path) {
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    ok(std::fs::copy(from, to));
}

/// The real `daftar` on `db`, logged in as `user`, running `args`.
pub fn daftar(db: &Path, user: &str, password: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_daftar"));
    command.arg("--db").arg(db).args(["--user", user]).args(args).env("DAFTAR_PASSWORD", password);
    command
}

fn spawn(db: &Path, user: &str, password: &str, args: &[&str]) -> Child {
    ok(daftar(db, user, password, args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn())
}

/// How long the program takes to start and log in before any operation (a read-only command).
fn start_up(db: &Path, user: &str, password: &str) -> Duration {
    let started = Instant::now();
    run_or_kill(spawn(db, user, password, &["sync-status"]), None);
    started.elapsed()
}

/// The moment of the `k`-th of `kills` kills, spread over the operation: after start-up, and
/// over the first nine tenths of the rest (a run a little faster than the timed one is still
/// caught).
fn moment(start_up: Duration, whole: Duration, k: u32, kills: u32) -> Duration {
    start_up + whole.saturating_sub(start_up).mul_f64(0.9 * (f64::from(k) + 0.5) / f64::from(kills))
}

/// The shorter of two timings of `run`.
fn fastest(mut run: impl FnMut() -> Duration) -> Duration {
    run().min(run())
}

/// Runs to the end, or is killed after `delay`; true when the kill landed while it ran.
fn run_or_kill(mut child: Child, delay: Option<Duration>) -> bool {
    if let Some(delay) = delay {
        std::thread::sleep(delay);
        if ok(child.try_wait()).is_none() {
            ok(child.kill());
            let _ = child.wait();
            return true;
        }
    }
    let _ = child.wait();
    false
}

pub fn open(db: &Path, login: &str, password: &str) -> (Core, Session) {
    let mut core = core_seeded(ok(Store::open(db, false)), 3);
    let session = ok(core.login(login, password));
    assert!(ok(core.check(&session)).is_sound(), "the database passes check");
    (core, session)
}

pub fn count(core: &Core, table: &str) -> i64 {
    ok(core.store().conn().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
}

/// `kills` imports of one bundle, each killed at a moment spread over a whole import's time.
fn killed_imports(kills: u32) -> u32 {
    let dir = ok(tempfile::tempdir());
    let (office_db, dp_db) = sites(dir.path());
    let stick = dir.path().join("cle");
    let bundle = {
        let (mut office, _) = open(&office_db, "chef", CHEF_PASSWORD);
        let chef = ok(office.login("chef", CHEF_PASSWORD));
        ok(office.export_bundle(&chef, &stick, None)).unwrap_or_else(|| panic!("nothing to export")).path
    };
    let bundle = bundle.display().to_string();
    let work = dir.path().join("travail.sqlite");
    copy_db(&dp_db, &work);
    run_or_kill(spawn(&work, "admin", ADMIN_PASSWORD, &["import", &bundle]), None);
    let after = count(&open(&work, "admin", ADMIN_PASSWORD).0, "applicants");
    // Timed warm, as the killed runs will be; the fastest of two (a run slowed by the other
    // tests would put the last kills after the end).
    let whole = fastest(|| {
        copy_db(&dp_db, &work);
        let started = Instant::now();
        run_or_kill(spawn(&work, "admin", ADMIN_PASSWORD, &["import", &bundle]), None);
        started.elapsed()
    });
    copy_db(&dp_db, &work);
    let start_up = start_up(&work, "admin", ADMIN_PASSWORD);
    assert!(after > 0);
    let mut inside = 0;
    for k in 0..kills {
        copy_db(&dp_db, &work);
        let delay = moment(start_up, whole, k, kills);
        inside += u32::from(run_or_kill(spawn(&work, "admin", ADMIN_PASSWORD, &["import", &bundle]), Some(delay)));
        let (core, _) = open(&work, "admin", ADMIN_PASSWORD);
        let (applicants, bundles) = (count(&core, "applicants"), count(&core, "bundles_in"));
        assert!(
            (applicants, bundles) == (0, 0) || (applicants, bundles) == (after, 1),
            "kill {k}: {applicants} applicants, {bundles} bundles recorded — all or nothing"
        );
    }
    inside
}

/// `kills` exports, each killed at a moment spread over a whole export's time; then an export
/// runs to the end and must not reuse the number of a file the killed one left complete.
fn killed_exports(kills: u32) -> u32 {
    let dir = ok(tempfile::tempdir());
    let (office_db, _) = sites(dir.path());
    let work = dir.path().join("travail.sqlite");
    copy_db(&office_db, &work);
    let whole_stick = dir.path().join("cle-entiere").display().to_string();
    run_or_kill(spawn(&work, "chef", CHEF_PASSWORD, &["export", "--to", &whole_stick]), None);
    // Timed warm, as the killed runs will be (the fastest of two).
    let mut run = 0;
    let whole = fastest(|| {
        copy_db(&office_db, &work);
        run += 1;
        let whole_stick = dir.path().join(format!("cle-entiere-{run}")).display().to_string();
        let started = Instant::now();
        run_or_kill(spawn(&work, "chef", CHEF_PASSWORD, &["export", "--to", &whole_stick]), None);
        started.elapsed()
    });
    copy_db(&office_db, &work);
    let start_up = start_up(&work, "chef", CHEF_PASSWORD);
    let mut inside = 0;
    for k in 0..kills {
        copy_db(&office_db, &work);
        let stick = dir.path().join(format!("cle-{k}"));
        let delay = moment(start_up, whole, k, kills);
        let args = ["export", "--to", &stick.display().to_string()].map(str::to_owned);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        inside += u32::from(run_or_kill(spawn(&work, "chef", CHEF_PASSWORD, &args), Some(delay)));
        let left: Vec<u64> = std::fs::read_dir(&stick)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "daftar"))
                    .map(|e| ok(envelope::open(&ok(std::fs::read(e.path())))).header.sequence)
                    .collect()
            })
            .unwrap_or_default();
        let (mut core, _) = open(&work, "chef", CHEF_PASSWORD);
        let chef = ok(core.login("chef", CHEF_PASSWORD));
        let again = ok(core.export_bundle(&chef, &dir.path().join(format!("cle-{k}-bis")), None))
            .unwrap_or_else(|| panic!("kill {k}: nothing to export after the kill"));
        assert!(!left.contains(&again.sequence), "kill {k}: number {} names two files", again.sequence);
    }
    inside
}

/// Every kill comes after start-up and log-in; most must land while the operation still runs
/// (the last ones may find it done on a machine faster than at the timing run), or the test
/// would prove nothing.
fn assert_inside(what: &str, inside: u32, kills: u32) {
    eprintln!("kills inside the operation: {inside} of {kills} {what}");
    assert!(inside * 2 >= kills, "only {inside} of {kills} {what} were killed while running");
}

#[test]
fn killed_imports_and_exports_leave_all_or_nothing() {
    assert_inside("imports", killed_imports(8), 8);
    assert_inside("exports", killed_exports(8), 8);
}

#[test]
#[ignore = "long: a few minutes"]
fn crash_many_kills() {
    assert_inside("imports", killed_imports(150), 150);
    assert_inside("exports", killed_exports(150), 150);
}
