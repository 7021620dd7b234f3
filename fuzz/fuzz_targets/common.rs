//! The fixtures the fuzz targets share: a delegation with one enrolled office whose keys sign
//! the bundles the fuzzer writes, and an office with a clerk. Built once per process.

#![allow(dead_code)]

use chrono::{TimeZone as _, Utc};
use daftar::app::{Core, IdentityFile, InstallSetup, Session};
use daftar::clock::{FixedClock, SeededEntropy};
use daftar::domain::role::Role;
use daftar::identity::{KdfParams, PublicKeys, SiteSecrets};
use daftar::store::Store;
use daftar::sync::envelope::{self, Header, Kind};
use daftar::sync::payload::{FORMAT, Manifest};

const PASSWORD: &str = "fuzz-secret-2026";

fn core(seed: u64) -> Core {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).single().unwrap_or_default());
    let store = Store::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    Core::new(store, Box::new(clock), Box::new(SeededEntropy::new(seed)), KdfParams::FAST_FOR_TESTS)
}

fn setup(code: &str, level: &str) -> InstallSetup {
    InstallSetup {
        code: code.into(),
        name: format!("Site {code}"),
        level: level.into(),
        province: "581".into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: PASSWORD.into(),
        ..InstallSetup::default()
    }
}

/// The office `BL-TIZNIT` and a clerk's session.
pub fn office() -> (Core, Session) {
    let mut core = core(7);
    let admin = core.init(&setup("BL-TIZNIT", "bureau")).unwrap_or_else(|e| panic!("{e}"));
    core.add_user(&admin, "agent", "Agent", Role::Clerk, PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    let agent = core.login("agent", PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    (core, agent)
}

/// The delegation `DP-TIZNIT` and its administrator.
pub fn delegation() -> (Core, Session) {
    let mut core = core(11);
    let admin = core.init(&setup("DP-TIZNIT", "delegation-provinciale")).unwrap_or_else(|e| panic!("{e}"));
    (core, admin)
}

/// The office's keys, enrolled at `dp`.
pub fn enrolled_office(dp: &mut Core, admin: &Session) -> SiteSecrets {
    let secrets = SiteSecrets::generate(&mut SeededEntropy::new(5));
    let mut file = IdentityFile {
        format: "daftar-identity/1".into(),
        code: "BL-TIZNIT".into(),
        name: "Bureau local de Tiznit".into(),
        level: "bureau".into(),
        province: Some("581".into()),
        region: Some("09".into()),
        keys: secrets.public(),
        signature: String::new(),
    };
    file.signature = hex::encode(secrets.sign(&file.signed_bytes().unwrap_or_else(|e| panic!("{e}"))));
    let bytes = serde_json::to_vec(&file).unwrap_or_else(|e| panic!("{e}"));
    dp.enroll(admin, &bytes, &file.keys.fingerprint()).unwrap_or_else(|e| panic!("{e}"));
    secrets
}

/// The manifest of a bundle from the office, number `sequence`, changes (from, to].
pub fn manifest(sequence: u64, from: i64, to: i64) -> Manifest {
    Manifest {
        format: FORMAT.into(),
        kind: Kind::Changes,
        sender: "BL-TIZNIT".into(),
        recipient: "DP-TIZNIT".into(),
        sequence,
        from_change: from,
        to_change: to,
        schema: daftar::store::SCHEMA_VERSION,
        audit_head: (1, "00".into()),
    }
}

/// A bundle around `plain` (the payload's lines, uncompressed), compressed, encrypted to `to`
/// and signed by `signer`, as the office would write it.
pub fn bundle(signer: &SiteSecrets, to: &PublicKeys, m: &Manifest, plain: &[u8]) -> Vec<u8> {
    let compressed = zstd::stream::encode_all(plain, 1).unwrap_or_else(|e| panic!("{e}"));
    let recipient: age::x25519::Recipient = to.age_recipient.parse().unwrap_or_else(|_| panic!("recipient"));
    let ciphertext = age::encrypt(&recipient, &compressed).unwrap_or_else(|e| panic!("{e}"));
    let header = Header {
        kind: m.kind,
        sender: m.sender.clone(),
        recipient: m.recipient.clone(),
        sequence: m.sequence,
        from_change: m.from_change,
        to_change: m.to_change,
        created_at: "2026-11-29T09:00:00Z".into(),
        signer: signer.public().fingerprint(),
        schema: m.schema,
        ciphertext_len: 0,
        resync: false,
        rotation: None,
        rotations: vec![],
        program: None,
    };
    envelope::seal(&header, &ciphertext, |b| signer.sign(b)).unwrap_or_else(|e| panic!("{e}"))
}
