//! Backups: encrypted copies that restore without the live database, checked before they replace
//! anything, readable by the delegation.

use std::path::Path;

use daftar::app::{AppError, Core, Session, demo, read_backup};
use daftar::store::Store;

use crate::common::{core_seeded, date, ok};

/// Restores `bytes` (a backup, genuine or not) over `db`, as `daftar restore FILE` would: from
/// a file.
pub fn restore_bytes(
    db: &Path,
    bytes: &[u8],
    login: &str,
    password: &str,
) -> Result<daftar::app::RestoreReport, AppError> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("sauvegarde.daftar-sauvegarde");
    std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
    daftar::app::restore(db, &file, login, password)
}

/// The demo office on a file in `dir`, with some data.
fn office_on_file(dir: &Path, name: &str) -> (Core, Session) {
    let mut core = core_seeded(ok(Store::open(&dir.join(name), true)), 7);
    let (admin, _) = ok(demo::create_demo_site(&mut core));
    ok(demo::populate(&mut core, &admin, 40, 3));
    (core, admin)
}

fn bilan(core: &Core) -> daftar::domain::indicators::Bilan {
    ok(daftar::store::report::bilan(core.store().conn(), date(1, 1, 2000), date(31, 12, 2026), None))
}

#[test]
fn backup_wipe_restore_gives_back_the_same_register() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    let (core, admin) = office_on_file(dir.path(), "bureau.sqlite");
    let before = bilan(&core);
    let path = ok(core.backup(&admin, &dir.path().join("cle")));
    let bytes = ok(std::fs::read(&path));
    let (header, _) = ok(read_backup(&bytes));
    assert_eq!(header.site, "BL-DEMO");
    assert!(header.wraps.iter().any(|(login, _)| login == "admin"), "the keys travel wrapped for their holders");
    drop(core);
    // The disk dies: nothing left of the database.
    for side in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
    assert!(matches!(restore_bytes(&db, &bytes, "admin", "mauvais"), Err(AppError::Identity(_))));
    assert!(
        matches!(restore_bytes(&db, &bytes, "agent", "agent-demo-2026"), Err(AppError::Refused(_))),
        "a clerk holds no keys"
    );
    let report = ok(restore_bytes(&db, &bytes, "admin", "admin-demo-2026"));
    assert!(report.replaced.is_none());
    let mut back = core_seeded(ok(Store::open(&db, false)), 7);
    let admin = ok(back.login("admin", "admin-demo-2026"));
    assert_eq!(bilan(&back), before);
    assert!(ok(back.check(&admin)).is_sound());
}

#[test]
fn a_damaged_or_foreign_backup_is_refused_and_the_database_is_untouched() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (core, admin) = office_on_file(dir.path(), "bureau.sqlite");
    let path = ok(core.backup(&admin, &dir.path().join("cle")));
    let bytes = ok(std::fs::read(&path));
    let before = bilan(&core);
    drop(core);
    let db = dir.path().join("bureau.sqlite");
    let mut damaged = bytes.clone();
    let last = damaged.len() - 10;
    damaged[last] ^= 1;
    assert!(restore_bytes(&db, &damaged, "admin", "admin-demo-2026").is_err());
    assert!(restore_bytes(&db, &bytes[..bytes.len() / 2], "admin", "admin-demo-2026").is_err());
    assert!(restore_bytes(&db, b"pas une sauvegarde", "admin", "admin-demo-2026").is_err());
    // Another site's backup over this database.
    let other_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut other = core_seeded(ok(Store::open(&other_dir.path().join("autre.sqlite"), true)), 9);
    let other_admin = ok(other.init(&daftar::app::InstallSetup {
        code: "BL-MIRLEFT".into(),
        name: "Bureau local de Mirleft".into(),
        level: "bureau".into(),
        province: "581".into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "admin-demo-2026".into(),
        ..daftar::app::InstallSetup::default()
    }));
    let foreign = ok(std::fs::read(ok(other.backup(&other_admin, &other_dir.path().join("cle")))));
    let err = restore_bytes(&db, &foreign, "admin", "admin-demo-2026").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("celle de BL-MIRLEFT, pas de BL-DEMO"), "{err}");
    let live = core_seeded(ok(Store::open(&db, false)), 7);
    assert_eq!(bilan(&live), before, "the live database is as it was");
    let leftovers: Vec<String> = ok(std::fs::read_dir(dir.path()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("restauration") || name.contains("remplacee"))
        .collect();
    assert!(leftovers.is_empty(), "nothing replaced, no candidate left: {leftovers:?}");
}

#[test]
fn the_delegation_can_decrypt_an_offices_backup() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut office = crate::common::office(None);
    let (mut dp, dp_admin) = crate::sync::delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    crate::sync::link(&mut office, &mut dp, &dp_admin);
    // An office in memory backs up like any other (the copy goes through a file).
    let path = ok(office.core.backup(&office.admin, &dir.path().join("cle")));
    let bytes = ok(std::fs::read(path));
    let (header, ciphertext) = ok(read_backup(&bytes));
    assert_eq!(header.recipients, ["BL-TIZNIT", "DP-TIZNIT"]);
    let plain = ok(age::decrypt(dp_admin.secrets().unwrap_or_else(|| panic!("keys")).age_identity(), ciphertext));
    assert!(plain.starts_with(b"SQLite format 3\0"));
}

#[test]
fn one_copy_of_the_program_per_database() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    let (core, admin) = office_on_file(dir.path(), "bureau.sqlite");
    let bytes = ok(std::fs::read(ok(core.backup(&admin, &dir.path().join("cle")))));
    let window = ok(daftar::app::InstanceLock::acquire(&db));
    let second = daftar::app::InstanceLock::acquire(&db).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(second.contains("déjà ouvert"), "{second}");
    // No restore under a running window.
    assert!(
        restore_bytes(&db, &bytes, "admin", "admin-demo-2026")
            .err()
            .is_some_and(|e| e.to_string().contains("déjà ouvert"))
    );
    drop(window);
    drop(core);
    assert!(daftar::app::InstanceLock::acquire(&db).is_ok(), "released with the window");
}

#[test]
fn nothing_unencrypted_reaches_the_stick() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (core, admin) = office_on_file(dir.path(), "bureau.sqlite");
    let stick = dir.path().join("cle");
    let path = ok(core.backup(&admin, &stick));
    let names: Vec<String> =
        ok(std::fs::read_dir(&stick)).flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let bytes = ok(std::fs::read(path));
    assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"), "the database travels encrypted");
    let (header, _) = ok(read_backup(&bytes));
    assert!(!ok(serde_json::to_string(&header)).contains("XW0"), "no CIN in the clear header");
}

#[test]
fn automatic_backups_are_daily_and_the_ten_newest_are_kept() {
    let dir = ok(tempfile::tempdir());
    let clock = crate::common::clock();
    let mut core = Core::new(
        ok(Store::open(&dir.path().join("bureau.sqlite"), true)),
        Box::new(clock.clone()),
        Box::new(daftar::clock::SeededEntropy::new(4)),
        daftar::identity::KdfParams::FAST_FOR_TESTS,
    );
    let admin = ok(core.init(&crate::common::tiznit()));
    assert!(ok(core.auto_backup(&admin, false)).is_some(), "the first one is due at once");
    assert!(ok(core.auto_backup(&admin, false)).is_none(), "the next one waits a day");
    let mut made = Vec::new();
    for _ in 0..12 {
        clock.advance(chrono::Duration::hours(25));
        made.push(ok(core.auto_backup(&admin, true)).unwrap_or_else(|| panic!("forced")));
    }
    let kept = core.backups();
    made.reverse();
    assert_eq!(kept, made[..daftar::app::BACKUP_KEPT].to_vec(), "the ten newest, newest first");
}

/// A backup is encrypted to the site's public key, which anyone may know: one made elsewhere
/// with a genuine header (its wrapped keys) copied in front must not restore.
#[test]
fn a_forged_backup_is_refused_and_a_clerks_backup_restores() {
    let dir = ok(tempfile::tempdir());
    let (mut core, admin) = office_on_file(dir.path(), "bureau.sqlite");
    let db = dir.path().join("bureau.sqlite");
    let genuine = ok(std::fs::read(ok(core.backup(&admin, &dir.path().join("cle")))));
    let header_len = 12 + u32::from_be_bytes([genuine[8], genuine[9], genuine[10], genuine[11]]) as usize;
    // The forger's database: this office's, with one more person.
    let forged_db = dir.path().join("faux.sqlite");
    ok(core.store().conn().execute("VACUUM INTO ?1", [forged_db.to_string_lossy()]));
    {
        let mut forged = core_seeded(ok(Store::open(&forged_db, false)), 5);
        let admin = ok(forged.login("admin", "admin-demo-2026"));
        ok(forged.add_applicant(
            &admin,
            &crate::common::draft("ZZ999999", "Faux", "Intrus", "01/01/1970"),
            &crate::common::card("R-999"),
            None,
        ));
    }
    let recipient: age::x25519::Recipient =
        ok(ok(core.identity_file(&admin)).keys.age_recipient.parse().map_err(|e: &str| e.to_owned()));
    let ciphertext = ok(age::encrypt(&recipient, &ok(std::fs::read(&forged_db))));
    let mut forged = genuine[..header_len].to_vec();
    forged.extend_from_slice(&ciphertext);
    let before = bilan(&core);
    let agent_backup = {
        let agent = ok(core.login("agent", "agent-demo-2026"));
        ok(core.backup(&agent, &dir.path().join("cle-agent")))
    };
    drop(core);
    let refused = restore_bytes(&db, &forged, "admin", "admin-demo-2026").map(|_| ()).unwrap_err().to_string();
    assert!(refused.contains("n'est pas authentique"), "{refused}");
    // Without the genuine header's seal either.
    let (header, _) = ok(read_backup(&genuine));
    let unsealed = serde_json::to_vec(&daftar::app::BackupHeader { mac: None, ..header }).unwrap_or_default();
    let mut stripped = b"DAFTARBK".to_vec();
    stripped.extend_from_slice(&(unsealed.len() as u32).to_be_bytes());
    stripped.extend_from_slice(&unsealed);
    stripped.extend_from_slice(&ciphertext);
    assert!(restore_bytes(&db, &stripped, "admin", "admin-demo-2026").is_err());
    assert_eq!(bilan(&core_seeded(ok(Store::open(&db, false)), 7)), before, "nothing was replaced");
    // A clerk's session holds no key, yet its backup is sealed with the site's backup key.
    ok(restore_bytes(&db, &ok(std::fs::read(agent_backup)), "admin", "admin-demo-2026"));
    assert_eq!(bilan(&core_seeded(ok(Store::open(&db, false)), 7)), before);
}

#[test]
fn a_backup_of_the_previous_format_still_restores() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    let (core, admin) = office_on_file(dir.path(), "bureau.sqlite");
    let key = admin.secrets().unwrap_or_else(|| panic!("keys")).backup_key();
    let genuine = ok(std::fs::read(ok(core.backup(&admin, &dir.path().join("cle")))));
    drop(core);
    // The same backup as Daftar 0.1 wrote it: no format, the seal in the header, no trailer.
    let (header, ciphertext) = ok(read_backup(&genuine));
    let old = daftar::app::BackupHeader { format: 1, mac: None, ..header };
    let unsigned = ok(serde_json::to_vec(&old));
    assert!(!String::from_utf8_lossy(&unsigned).contains("format"), "0.1 had no format field");
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(key.as_ref()).unwrap_or_else(|e| panic!("{e}"));
    hmac::Mac::update(&mut mac, &(unsigned.len() as u64).to_be_bytes());
    hmac::Mac::update(&mut mac, &unsigned);
    hmac::Mac::update(&mut mac, ciphertext);
    let sealed = daftar::app::BackupHeader { mac: Some(hex::encode(hmac::Mac::finalize(mac).into_bytes())), ..old };
    let json = ok(serde_json::to_vec(&sealed));
    let mut file = b"DAFTARBK".to_vec();
    file.extend_from_slice(&(json.len() as u32).to_be_bytes());
    file.extend_from_slice(&json);
    file.extend_from_slice(ciphertext);
    let report = ok(restore_bytes(&db, &file, "admin", "admin-demo-2026"));
    assert_eq!(report.site, "BL-DEMO");
    // Cut or altered, it changes nothing.
    let before = ok(std::fs::read(&db));
    assert!(restore_bytes(&db, &file[..file.len() - 1], "admin", "admin-demo-2026").is_err());
    let mut altered = file.clone();
    let last = altered.len() - 10;
    altered[last] ^= 1;
    assert!(restore_bytes(&db, &altered, "admin", "admin-demo-2026").is_err());
    assert_eq!(ok(std::fs::read(&db)), before, "nothing replaced");
}
