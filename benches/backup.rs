//! Backups, restores and first exports at real sizes (issue: backups at any size): the register
//! bench's million-applicant file (~3 GB) and the delegation bench's 200-office file (~8 GB).
//!
//! Each operation runs in a child process of this bench (the binary runs itself again with
//! `DAFTAR_BENCH_PHASE`), so that its peak memory is its own (`VmHWM`, read from
//! `/proc/self/status` at its end). Beside the backup, the same run measures the streaming floor:
//! `VACUUM INTO` and age encryption of the copy, piece by piece, with nothing else.
//!
//! `DAFTAR_BENCH_NO_EXPORT=1` leaves the first export out (backup and restore only).
//! `DAFTAR_BENCH_FILES=register|delegation` measures one file only (both by default; the
//! delegation's file is built by `cargo bench --bench delegation` first, the register's by the
//! register bench or here). Scratch files go to `target/bench-data/backup-work/` and are removed.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use daftar::app::{Core, InstallSetup};
use daftar::store::Store;

mod common;

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// What a child prints on its last line: seconds, peak MB, then what the phase counted.
fn child(phase: &str, args: &[String]) {
    let started = Instant::now();
    let counted = match phase {
        "floor" => floor(Path::new(&args[0]), Path::new(&args[1])),
        "backup" => {
            let mut core = ok(Core::open(Path::new(&args[0]), false));
            let session = ok(core.login(&args[2], &args[3]));
            let path = ok(core.backup(&session, Path::new(&args[1])));
            format!("{} bytes", ok(std::fs::metadata(path)).len())
        }
        "restore" => {
            let report = ok(daftar::app::restore(Path::new(&args[1]), Path::new(&args[0]), &args[2], &args[3]));
            format!("site {}", report.site)
        }
        "export" => {
            let mut core = ok(Core::open(Path::new(&args[0]), false));
            let session = ok(core.login(&args[2], &args[3]));
            let report = ok(core.export_bundle(&session, Path::new(&args[1]), None)).unwrap_or_else(|| panic!("rien"));
            let bytes: u64 = report.files().iter().map(|f| ok(std::fs::metadata(f)).len()).sum();
            format!("{} bundles, {} records, {} bytes", report.files().len(), report.rows, bytes)
        }
        "import" => {
            let mut core = ok(Core::open(Path::new(&args[0]), false));
            let session = ok(core.login(&args[2], &args[3]));
            let lines = ok(core.import_paths(&session, &[PathBuf::from(&args[1])]));
            let applied =
                lines.iter().filter(|l| matches!(l.result, Ok(daftar::app::ImportOutcome::Applied { .. }))).count();
            for line in lines.iter().filter(|l| l.result.is_err()) {
                eprintln!("{} : {:?}", line.file, line.result);
            }
            format!("{applied} of {} bundles applied", lines.len())
        }
        "resync-request" => {
            let mut core = ok(Core::open(Path::new(&args[0]), false));
            let session = ok(core.login(&args[2], &args[3]));
            let report = ok(core.request_resync(&session, Path::new(&args[1])));
            format!("{} bundles", report.files().len())
        }
        "reply" => {
            let mut core = ok(Core::open(Path::new(&args[0]), false));
            let session = ok(core.login("admin", "admin-secret-1"));
            let office = ok(core.site()).code.to_string();
            let child = ok(core.peers(&session))
                .into_iter()
                .find(|p| p.code != office && p.supervisor.as_deref() == Some(office.as_str()));
            let child = child.unwrap_or_else(|| panic!("no supervised site")).code;
            let report = ok(core.export_reply(&session, &child, Path::new(&args[1])));
            let bytes: u64 = report.files().iter().map(|f| ok(std::fs::metadata(f)).len()).sum();
            format!("{} bundles, {} records, {} bytes", report.files().len(), report.rows, bytes)
        }
        other => panic!("unknown phase {other}"),
    };
    println!("{:.1} {:.0} {counted}", started.elapsed().as_secs_f64(), common::peak_mb());
}

/// The floor: the consistent copy, then age encryption of it piece by piece into `out`.
fn floor(db: &Path, out: &Path) -> String {
    let copy = out.with_extension("copie");
    let _ = std::fs::remove_file(&copy);
    let store = ok(Store::open_read_only(db));
    ok(store.conn().execute("VACUUM INTO ?1", [copy.to_string_lossy()]));
    let secret = age::x25519::Identity::generate();
    let recipient = secret.to_public();
    let encryptor = ok(age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)));
    let file = std::io::BufWriter::with_capacity(1 << 20, ok(std::fs::File::create(out)));
    let mut writer = ok(encryptor.wrap_output(file));
    let mut input = ok(std::fs::File::open(&copy));
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = ok(input.read(&mut buffer));
        if n == 0 {
            break;
        }
        ok(writer.write_all(&buffer[..n]));
    }
    let mut file = ok(writer.finish());
    ok(file.flush());
    ok(file.get_ref().sync_all());
    let bytes = ok(std::fs::metadata(out)).len();
    ok(std::fs::remove_file(&copy));
    ok(std::fs::remove_file(out));
    format!("{bytes} bytes")
}

/// Runs `phase` in a child process; returns (seconds, peak MB, what it counted).
fn run(phase: &str, args: &[&str]) -> (f64, f64, String) {
    let out = ok(Command::new(ok(std::env::current_exe())).env("DAFTAR_BENCH_PHASE", phase).args(args).output());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{phase}: {}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    let last = stdout.lines().last().unwrap_or_default().to_owned();
    let mut parts = last.splitn(3, ' ');
    let secs = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let peak = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    (secs, peak, parts.next().unwrap_or_default().to_owned())
}

fn setup(code: &str, level: &str, province: &str, region: &str, password: &str) -> InstallSetup {
    InstallSetup {
        code: code.into(),
        name: format!("Site de mesure {code}"),
        level: level.into(),
        province: province.into(),
        region: region.into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: password.into(),
    }
}

/// One file measured: backup and restore beside the floor, then its first export whole to a new
/// parent and the import there.
fn measure(name: &str, db: &Path, login: &str, password: &str, parent: &InstallSetup) {
    let work = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/backup-work");
    let _ = std::fs::remove_dir_all(&work);
    ok(std::fs::create_dir_all(&work));
    let size = ok(std::fs::metadata(db)).len() as f64 / 1e9;
    println!("{name}: {} ({size:.2} GB)", db.display());
    let w = |p: &str| work.join(p).display().to_string();
    let db_text = db.display().to_string();

    let (floor_s, floor_mb, floor_n) = run("floor", &[&db_text, &w("plancher.age")]);
    println!("  floor (VACUUM INTO + age streaming): {floor_s:.1} s, peak {floor_mb:.0} MB ({floor_n})");
    let (backup_s, backup_mb, backup_n) = run("backup", &[&db_text, &w("sauvegardes"), login, password]);
    println!(
        "  backup: {backup_s:.1} s ({:.2}× the floor), peak {backup_mb:.0} MB ({backup_n})",
        backup_s / floor_s.max(0.001)
    );
    let backup_file = ok(std::fs::read_dir(work.join("sauvegardes"))).flatten().map(|e| e.path()).next();
    let backup_file = backup_file.unwrap_or_else(|| panic!("no backup")).display().to_string();
    let (restore_s, restore_mb, _) = run("restore", &[&backup_file, &w("restauree.sqlite"), login, password]);
    println!(
        "  restore (seal, decryption, integrity and audit chain checked): {restore_s:.1} s, peak {restore_mb:.0} MB"
    );
    for leftover in ["sauvegardes", "restauree.sqlite"] {
        let path = work.join(leftover);
        let _ = std::fs::remove_dir_all(&path);
        let _ = std::fs::remove_file(&path);
    }

    // The first export of the whole file to a new parent, and its import there.
    if std::env::var_os("DAFTAR_BENCH_NO_EXPORT").is_some() {
        ok(std::fs::remove_dir_all(&work));
        return;
    }
    let copy = work.join("copie.sqlite");
    let started = Instant::now();
    ok(std::fs::copy(db, &copy));
    eprintln!("  (copy made in {:.0} s)", started.elapsed().as_secs_f64());
    let parent_db = work.join("parent.sqlite");
    {
        let mut child = ok(Core::open(&copy, false));
        let child_admin = ok(child.login(login, password));
        let mut up = ok(Core::open(&parent_db, true));
        let up_admin = ok(up.init(parent));
        let id = ok(child.identity_file(&child_admin));
        ok(up.enroll(&up_admin, &ok(serde_json::to_vec(&id)), &id.keys.fingerprint()));
        let up_id = ok(up.identity_file(&up_admin));
        ok(child.enroll(&child_admin, &ok(serde_json::to_vec(&up_id)), &up_id.keys.fingerprint()));
    }
    let copy_text = copy.display().to_string();
    let (export_s, export_mb, export_n) = run("export", &[&copy_text, &w("cle"), login, password]);
    println!("  first export whole: {export_s:.1} s, peak {export_mb:.0} MB ({export_n})");
    let parent_text = parent_db.display().to_string();
    let (import_s, import_mb, import_n) = run("import", &[&parent_text, &w("cle"), "admin", "admin-secret-1"]);
    println!("  its import at the parent: {import_s:.1} s, peak {import_mb:.0} MB ({import_n})");
    // Then the site asks for a resync (a restored or new PC): the parent's reply carries all of
    // its rows back, read in order at the site.
    run("resync-request", &[&copy_text, &w("demande"), login, password]);
    run("import", &[&parent_text, &w("demande"), "admin", "admin-secret-1"]);
    let (reply_s, reply_mb, reply_n) = run("reply", &[&parent_text, &w("reponse")]);
    println!("  resync reply written by the parent: {reply_s:.1} s, peak {reply_mb:.0} MB ({reply_n})");
    let (back_s, back_mb, back_n) = run("import", &[&copy_text, &w("reponse"), login, password]);
    println!("  … read at the site: {back_s:.1} s, peak {back_mb:.0} MB ({back_n})");
    ok(std::fs::remove_dir_all(&work));
}

fn main() {
    if let Ok(phase) = std::env::var("DAFTAR_BENCH_PHASE") {
        let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
        return child(&phase, &args);
    }
    let files = std::env::var("DAFTAR_BENCH_FILES").unwrap_or_else(|_| "register,delegation".into());
    if files.contains("register") {
        let db = common::bench_db();
        let dp = setup("DP-MESURE", "delegation-provinciale", "581", "", "admin-secret-1");
        measure("register (1,000,000 applicants)", &db, "admin", "admin-demo-2026", &dp);
    }
    if files.contains("delegation") {
        let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/delegation/dp-200.sqlite");
        if !db.exists() {
            println!("delegation: {} missing — run `cargo bench --bench delegation` first", db.display());
            return;
        }
        let dr = setup("DR-MESURE", "delegation-regionale", "", "09", "admin-secret-1");
        measure("delegation (200 offices)", &db, "admin", "admin-secret-1", &dr);
    }
}
