//! Trust between sites: what a genuine site's own keys cannot do to other sites' keyrings
//! (`docs/SECURITY.md`, "Who may change a keyring"). Every attack goes through the real bundle
//! format, signed and encrypted with a genuinely enrolled site's keys; each is refused whole,
//! changes nothing, names the site concerned, and the genuine sites' next bundles still pass.

use std::path::Path;

use daftar::app::{Core, ImportOutcome, InstallSetup, Session};
use daftar::domain::certificate::Verdict;
use daftar::identity::PublicKeys;
use daftar::store::Store;
use daftar::sync::keyring::SiteRevocation;
use daftar::sync::payload::{self, KnownSite, Manifest};

use crate::common::{ADMIN_PASSWORD, AGENT_PASSWORD, CHEF_PASSWORD, Office, applicant, core_seeded, office_seeded, ok};
use crate::sync::{business, enroll_both, export, import, manifest, seal_plain, stick};

/// A site of the tree on a file: a delegation (`province` or `region` set by level).
fn site_at(path: &Path, seed: u64, code: &str, level: &str, province: &str, region: &str) -> (Core, Session) {
    let mut core = core_seeded(ok(Store::open(path, true)), seed);
    let admin = ok(core.init(&InstallSetup {
        code: code.into(),
        name: format!("Site {code}"),
        level: level.into(),
        province: province.into(),
        region: region.into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
    }));
    (core, admin)
}

/// An office `code` of province `province`, with its own keys.
fn office_named(code: &str, province: &str, seed: u64) -> Office {
    let mut o = office_seeded(None, seed);
    ok(o.core.store().conn().execute("UPDATE site SET code = ?1, province_code = ?2", [code, province]));
    o.admin = ok(o.core.login("admin", ADMIN_PASSWORD));
    o.chef = ok(o.core.login("chef", CHEF_PASSWORD));
    o.agent = ok(o.core.login("agent", AGENT_PASSWORD));
    o
}

/// The region of Souss-Massa with two provincial delegations; Tiznit has two offices, Agadir one.
struct Tree {
    dr: Core,
    dr_admin: Session,
    tiznit: Core,
    tiznit_admin: Session,
    agadir: Core,
    agadir_admin: Session,
    bl_tiznit: Office,
    bl_mirleft: Office,
    bl_agadir: Office,
    dir: tempfile::TempDir,
}

fn tree() -> Tree {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut dr, dr_admin) = site_at(&dir.path().join("dr.sqlite"), 31, "DR-SOUSS", "delegation-regionale", "", "09");
    let (mut tiznit, tiznit_admin) =
        site_at(&dir.path().join("dpt.sqlite"), 11, "DP-TIZNIT", "delegation-provinciale", "581", "");
    let (mut agadir, agadir_admin) =
        site_at(&dir.path().join("dpa.sqlite"), 13, "DP-AGADIR", "delegation-provinciale", "001", "");
    enroll_both(&mut dr, &dr_admin, &mut tiznit, &tiznit_admin);
    enroll_both(&mut dr, &dr_admin, &mut agadir, &agadir_admin);
    let mut bl_tiznit = office_named("BL-TIZNIT", "581", 7);
    let mut bl_mirleft = office_named("BL-MIRLEFT", "581", 37);
    let mut bl_agadir = office_named("BL-AGADIR", "001", 43);
    enroll_both(&mut tiznit, &tiznit_admin, &mut bl_tiznit.core, &bl_tiznit.admin);
    enroll_both(&mut tiznit, &tiznit_admin, &mut bl_mirleft.core, &bl_mirleft.admin);
    enroll_both(&mut agadir, &agadir_admin, &mut bl_agadir.core, &bl_agadir.admin);
    let mut t =
        Tree { dr, dr_admin, tiznit, tiznit_admin, agadir, agadir_admin, bl_tiznit, bl_mirleft, bl_agadir, dir };
    // Each office's first bundle, and each delegation's, up to the region: everyone known.
    applicant(&mut t.bl_tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    applicant(&mut t.bl_mirleft, "JB222222", "Amina", "Berrada", "01/02/1980");
    applicant(&mut t.bl_agadir, "JA333333", "Karim", "Tazi", "03/03/1981");
    let bytes = export(&mut t.bl_tiznit, &stick(&t.dir, "t1"));
    assert!(matches!(ok(import(&mut t.tiznit, &t.tiznit_admin, &bytes)), ImportOutcome::Applied { .. }));
    let bytes = export(&mut t.bl_mirleft, &stick(&t.dir, "m1"));
    assert!(matches!(ok(import(&mut t.tiznit, &t.tiznit_admin, &bytes)), ImportOutcome::Applied { .. }));
    let bytes = export(&mut t.bl_agadir, &stick(&t.dir, "a1"));
    assert!(matches!(ok(import(&mut t.agadir, &t.agadir_admin, &bytes)), ImportOutcome::Applied { .. }));
    for (dp, admin, name) in [(&mut t.tiznit, &t.tiznit_admin, "dpt1"), (&mut t.agadir, &t.agadir_admin, "dpa1")] {
        let up = ok(dp.export_bundle(admin, &stick(&t.dir, name), None)).unwrap_or_else(|| panic!("rien"));
        assert!(matches!(
            ok(import(&mut t.dr, &t.dr_admin, &ok(std::fs::read(up.path)))),
            ImportOutcome::Applied { .. }
        ));
    }
    t
}

fn keys_of(core: &Core, admin: &Session) -> PublicKeys {
    ok(core.identity_file(admin)).keys
}

fn site(code: &str, level: &str, supervisor: &str, keys: &PublicKeys) -> KnownSite {
    KnownSite {
        code: code.into(),
        name: format!("Site {code}"),
        level: level.into(),
        supervisor: Some(supervisor.into()),
        keys: keys.clone(),
        revoked: None,
        retired_ed25519: None,
        retired: vec![],
        rotations: vec![],
        revocation: None,
        enrollment: None,
    }
}

fn revoked_by(signer: &Session, by: &str, code: &str, keys: &PublicKeys) -> SiteRevocation {
    let mut r = SiteRevocation {
        site: code.into(),
        key: keys.ed25519.clone(),
        by: by.into(),
        at: "2026-11-29T09:00:00Z".into(),
        reason: "prétendument volé".into(),
        signature: String::new(),
    };
    r.signature = hex::encode(signer.secrets().unwrap_or_else(|| panic!("keys")).sign(&r.statement()));
    r
}

/// A bundle from `sender` (signed with `signer`'s genuine keys) to `recipient`, carrying no
/// record and the identities `sites`.
fn with_sites(
    signer: &Session,
    sender: &str,
    recipient: &str,
    to: &PublicKeys,
    seq: u64,
    sites: &[KnownSite],
) -> Vec<u8> {
    let m = Manifest { recipient: recipient.into(), ..manifest(sender, seq, (0, 10_000)) };
    seal_plain(signer, sender, to, &m, &ok(payload::encode(&m, &[], None, sites)))
}

/// Every table a keyring lives in, and the business tables, for "nothing changed".
fn state(core: &Core) -> (Vec<(String, i64)>, Vec<String>) {
    let conn = core.store().conn();
    let mut stmt = ok(conn.prepare(
        "SELECT code || '|' || ed25519 || '|' || coalesce(supervisor, '') || '|' || coalesce(revoked_at, '') FROM peers
         UNION ALL SELECT 'retired|' || code || '|' || ed25519 FROM retired_keys ORDER BY 1",
    ));
    let keyring = ok(ok(stmt.query_map([], |r| r.get::<_, String>(0))).collect::<Result<Vec<_>, _>>());
    (business(core), keyring)
}

fn refused_naming(result: Result<ImportOutcome, daftar::app::AppError>, site: &str) {
    match result {
        Err(daftar::app::AppError::Refused(why)) => {
            let why = why.to_string();
            assert!(why.contains(site) && why.contains("trousseau"), "{why}");
        }
        other => panic!("expected a refusal naming {site}, got {other:?}"),
    }
}

#[test]
fn an_office_cannot_plant_keys_or_revoke_sites() {
    let mut t = tree();
    let dp_keys = keys_of(&t.tiznit, &t.tiznit_admin);
    let chef = ok(t.bl_tiznit.core.login("chef", CHEF_PASSWORD));
    let forged = keys_of(&t.bl_tiznit.core, &t.bl_tiznit.admin);
    let before = state(&t.tiznit);
    // A made-up office, and a real office under another delegation, with keys of its choosing.
    for planted in [
        site("BL-FANTOME", "bureau", "DP-TIZNIT", &forged),
        site("BL-AGADIR", "bureau", "DP-AGADIR", &forged),
        site("BL-AGADIR", "bureau", "DP-TIZNIT", &forged),
    ] {
        let code = planted.code.clone();
        refused_naming(
            import(
                &mut t.tiznit,
                &t.tiznit_admin,
                &with_sites(&chef, "BL-TIZNIT", "DP-TIZNIT", &dp_keys, 2, &[planted]),
            ),
            &code,
        );
    }
    // Its sibling and the delegation's own region marked revoked, unsigned or signed by itself.
    let mirleft = keys_of(&t.bl_mirleft.core, &t.bl_mirleft.admin);
    let region = keys_of(&t.dr, &t.dr_admin);
    for (code, level, sup, keys) in
        [("BL-MIRLEFT", "bureau", "DP-TIZNIT", &mirleft), ("DR-SOUSS", "delegation-regionale", "", &region)]
    {
        let unsigned =
            KnownSite { revoked: Some(("2026-11-29".into(), "volé".into())), ..site(code, level, sup, keys) };
        let signed =
            KnownSite { revocation: Some(revoked_by(&chef, "BL-TIZNIT", code, keys)), ..site(code, level, sup, keys) };
        for line in [unsigned, signed] {
            refused_naming(
                import(
                    &mut t.tiznit,
                    &t.tiznit_admin,
                    &with_sites(&chef, "BL-TIZNIT", "DP-TIZNIT", &dp_keys, 2, &[line]),
                ),
                code,
            );
        }
    }
    assert_eq!(state(&t.tiznit), before, "nothing changed");
    assert!(ok(t.tiznit.check(&t.tiznit_admin)).is_sound());
    let status = ok(t.tiznit.sync_status(&t.tiznit_admin));
    assert!(status.revoked.is_empty(), "{:?}", status.revoked);
    // The genuine offices' next bundles still pass, and their certificates still verify.
    applicant(&mut t.bl_mirleft, "JB444444", "Nadia", "Sbai", "04/04/1984");
    let next = export(&mut t.bl_mirleft, &stick(&t.dir, "m2"));
    assert!(matches!(ok(import(&mut t.tiznit, &t.tiznit_admin, &next)), ImportOutcome::Applied { .. }));
    applicant(&mut t.bl_tiznit, "JB454545", "Omar", "Idrissi", "05/05/1985");
    let next = export(&mut t.bl_tiznit, &stick(&t.dir, "t2"));
    assert!(matches!(ok(import(&mut t.tiznit, &t.tiznit_admin, &next)), ImportOutcome::Applied { .. }));
    let subject = daftar::app::CertificateSubject::Applicant("JA333333".into());
    let (cert, _) = ok(t.bl_agadir.core.issue_certificate(&t.bl_agadir.chef, &subject));
    assert!(matches!(ok(t.dr.verify_certificate(&cert.value.payload)), Verdict::Authentic { .. }));
}

#[test]
fn a_delegation_cannot_touch_its_cousins_or_its_parent() {
    let mut t = tree();
    let dr_keys = keys_of(&t.dr, &t.dr_admin);
    let dp = ok(t.tiznit.login("admin", ADMIN_PASSWORD));
    let own = keys_of(&t.tiznit, &t.tiznit_admin);
    let agadir = keys_of(&t.agadir, &t.agadir_admin);
    let bl_agadir = keys_of(&t.bl_agadir.core, &t.bl_agadir.admin);
    let region = keys_of(&t.dr, &t.dr_admin);
    let before = state(&t.dr);
    let attacks = [
        // A site planted under the cousin delegation.
        site("BL-INEZGANE", "bureau", "DP-AGADIR", &own),
        // The cousin office re-keyed (no statement signed by its old key).
        site("BL-AGADIR", "bureau", "DP-AGADIR", &own),
        // The cousin office moved under this delegation with its own keys.
        site("BL-AGADIR", "bureau", "DP-TIZNIT", &bl_agadir),
        // A site above the sender.
        site("DR-FAUX", "delegation-regionale", "DP-TIZNIT", &own),
        // The cousin delegation, and the region itself, revoked with the sender's signature.
        KnownSite {
            revocation: Some(revoked_by(&dp, "DP-TIZNIT", "DP-AGADIR", &agadir)),
            ..site("DP-AGADIR", "delegation-provinciale", "DR-SOUSS", &agadir)
        },
        KnownSite {
            revocation: Some(revoked_by(&dp, "DP-TIZNIT", "BL-AGADIR", &bl_agadir)),
            ..site("BL-AGADIR", "bureau", "DP-AGADIR", &bl_agadir)
        },
    ];
    for attack in attacks {
        let code = attack.code.clone();
        refused_naming(
            import(&mut t.dr, &t.dr_admin, &with_sites(&dp, "DP-TIZNIT", "DR-SOUSS", &dr_keys, 2, &[attack])),
            &code,
        );
    }
    // The region is its own: a bundle never describes its recipient with other keys.
    let _ = region;
    assert_eq!(state(&t.dr), before, "nothing changed");
    assert!(ok(t.dr.check(&t.dr_admin)).is_sound());
    // The genuine delegations' next bundles still pass.
    for (core, admin, office, dir) in [
        (&mut t.tiznit, &t.tiznit_admin, &mut t.bl_tiznit, "t9"),
        (&mut t.agadir, &t.agadir_admin, &mut t.bl_agadir, "a9"),
    ] {
        applicant(office, if dir == "t9" { "JB909090" } else { "JA909090" }, "Said", "Amrani", "05/05/1985");
        let bytes = export(office, &stick(&t.dir, dir));
        assert!(matches!(ok(import(core, admin, &bytes)), ImportOutcome::Applied { .. }));
        let up =
            ok(core.export_bundle(admin, &stick(&t.dir, &format!("{dir}up")), None)).unwrap_or_else(|| panic!("rien"));
        assert!(matches!(
            ok(import(&mut t.dr, &t.dr_admin, &ok(std::fs::read(up.path)))),
            ImportOutcome::Applied { .. }
        ));
    }
}

#[test]
fn a_revocation_by_the_enrolling_site_travels_signed_and_is_shown() {
    let mut t = tree();
    let subject = daftar::app::CertificateSubject::Applicant("JB222222".into());
    let (cert, _) = ok(t.bl_mirleft.core.issue_certificate(&t.bl_mirleft.chef, &subject));
    // An office cannot revoke; a delegation cannot revoke a site it did not enroll (its parent).
    assert!(t.bl_tiznit.core.revoke_site(&t.bl_tiznit.admin, "DP-TIZNIT", "essai").is_err());
    assert!(t.tiznit.revoke_site(&t.tiznit_admin, "DR-SOUSS", "essai").is_err());
    ok(t.tiznit.revoke_site(&t.tiznit_admin, "BL-MIRLEFT", "PC volé le 28/11"));
    // Up to the region: applied, audited, told.
    let up = ok(t.tiznit.export_bundle(&t.tiznit_admin, &stick(&t.dir, "rev"), None)).unwrap_or_else(|| panic!("rien"));
    let outcome = ok(import(&mut t.dr, &t.dr_admin, &ok(std::fs::read(up.path))));
    assert!(outcome.to_string().contains("CLÉ RÉVOQUÉE : BL-MIRLEFT par DP-TIZNIT"), "{outcome}");
    let status = ok(t.dr.sync_status(&t.dr_admin));
    assert!(
        status.revoked.iter().any(|r| r.site == "BL-MIRLEFT" && r.by.as_deref() == Some("DP-TIZNIT")),
        "{:?}",
        status.revoked
    );
    let audited: i64 = ok(t.dr.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'sync.keyring' AND content ->> '$.revoke' = 'BL-MIRLEFT'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(audited, 1);
    assert!(matches!(ok(t.dr.verify_certificate(&cert.value.payload)), Verdict::IssuerRevoked { .. }));
    // Down to the cousin delegation, then to its office: the same statement, checked there.
    let reply = ok(t.dr.export_reply(&t.dr_admin, "DP-AGADIR", &stick(&t.dir, "rep")));
    let outcome = ok(import(&mut t.agadir, &t.agadir_admin, &ok(std::fs::read(reply.path))));
    assert!(outcome.to_string().contains("CLÉ RÉVOQUÉE : BL-MIRLEFT"), "{outcome}");
    let reply = ok(t.agadir.export_reply(&t.agadir_admin, "BL-AGADIR", &stick(&t.dir, "rep2")));
    ok(import(&mut t.bl_agadir.core, &t.bl_agadir.chef, &ok(std::fs::read(reply.path))));
    assert!(matches!(ok(t.bl_agadir.core.verify_certificate(&cert.value.payload)), Verdict::IssuerRevoked { .. }));
    // The revoked office's bundles are refused at its delegation.
    applicant(&mut t.bl_mirleft, "JB555555", "Hind", "Alaoui", "06/06/1986");
    let bytes = export(&mut t.bl_mirleft, &stick(&t.dir, "m3"));
    assert!(import(&mut t.tiznit, &t.tiznit_admin, &bytes).is_err());
}

#[test]
fn an_office_of_the_previous_version_echoing_its_keyring_is_read() {
    let mut t = tree();
    // A reply teaches the office its sibling; the previous version sent it back up unchanged.
    let reply = ok(t.tiznit.export_reply(&t.tiznit_admin, "BL-TIZNIT", &stick(&t.dir, "r")));
    ok(import(&mut t.bl_tiznit.core, &t.bl_tiznit.chef, &ok(std::fs::read(reply.path))));
    let mirleft = keys_of(&t.bl_mirleft.core, &t.bl_mirleft.admin);
    let dp_keys = keys_of(&t.tiznit, &t.tiznit_admin);
    let chef = ok(t.bl_tiznit.core.login("chef", CHEF_PASSWORD));
    let echo = site("BL-MIRLEFT", "bureau", "DP-TIZNIT", &mirleft);
    let before = state(&t.tiznit);
    let bytes = with_sites(&chef, "BL-TIZNIT", "DP-TIZNIT", &dp_keys, 2, &[echo]);
    assert!(matches!(ok(import(&mut t.tiznit, &t.tiznit_admin, &bytes)), ImportOutcome::Applied { .. }));
    assert_eq!(state(&t.tiznit).1, before.1, "the keyring did not change");
}

#[test]
fn a_region_s_reply_does_not_rewrite_what_its_delegation_enrolled() {
    let mut t = tree();
    let dr = ok(t.dr.login("admin", ADMIN_PASSWORD));
    let dp_keys = keys_of(&t.tiznit, &t.tiznit_admin);
    let forged = keys_of(&t.dr, &t.dr_admin);
    let before = state(&t.tiznit);
    // A site placed under the delegation, and its own office re-keyed: left as enrolled here.
    let m = Manifest {
        kind: daftar::sync::envelope::Kind::Reply,
        recipient: "DP-TIZNIT".into(),
        ..manifest("DR-SOUSS", 1, (0, 0))
    };
    let lines = [site("BL-FAUX", "bureau", "DP-TIZNIT", &forged), site("BL-TIZNIT", "bureau", "DP-TIZNIT", &forged)];
    let bytes = seal_plain(&dr, "DR-SOUSS", &dp_keys, &m, &ok(payload::encode(&m, &[], None, &lines)));
    assert!(matches!(ok(import(&mut t.tiznit, &t.tiznit_admin, &bytes)), ImportOutcome::Applied { .. }));
    assert_eq!(state(&t.tiznit).1, before.1, "the keyring did not change");
}

/// The next bundle of the delegation `dp` up to the region, imported there.
fn up_to_region(t: &mut Tree, agadir: bool, name: &str) -> ImportOutcome {
    let (core, admin) = if agadir { (&mut t.agadir, &t.agadir_admin) } else { (&mut t.tiznit, &t.tiznit_admin) };
    let up = ok(core.export_bundle(admin, &stick(&t.dir, name), None)).unwrap_or_else(|| panic!("rien"));
    ok(import(&mut t.dr, &t.dr_admin, &ok(std::fs::read(up.path))))
}

#[test]
fn an_office_revoked_then_enrolled_again_is_taken_up_and_down_the_tree() {
    let mut t = tree();
    ok(t.tiznit.revoke_site(&t.tiznit_admin, "BL-MIRLEFT", "PC volé"));
    up_to_region(&mut t, false, "rev");
    // The office is reinstalled on a new PC with new keys and enrolled again on paper.
    let mut again = office_named("BL-MIRLEFT", "581", 91);
    enroll_both(&mut t.tiznit, &t.tiznit_admin, &mut again.core, &again.admin);
    let outcome = up_to_region(&mut t, false, "again");
    assert!(outcome.to_string().contains("BL-MIRLEFT enrôlé de nouveau par DP-TIZNIT"), "{outcome}");
    let subject = daftar::app::CertificateSubject::Applicant("JB777777".into());
    applicant(&mut again, "JB777777", "Laila", "Amrani", "07/07/1987");
    let (cert, _) = ok(again.core.issue_certificate(&again.chef, &subject));
    assert!(matches!(ok(t.dr.verify_certificate(&cert.value.payload)), Verdict::Authentic { .. }));
    assert!(ok(t.dr.sync_status(&t.dr_admin)).revoked.is_empty(), "the revocation is lifted");
    // Down to the cousin delegation: the same.
    let reply = ok(t.dr.export_reply(&t.dr_admin, "DP-AGADIR", &stick(&t.dir, "down")));
    ok(import(&mut t.agadir, &t.agadir_admin, &ok(std::fs::read(reply.path))));
    assert!(matches!(ok(t.agadir.verify_certificate(&cert.value.payload)), Verdict::Authentic { .. }));
    // The old key's certificates are no longer vouched for.
    let (old, _) = {
        let subject = daftar::app::CertificateSubject::Applicant("JB222222".into());
        ok(t.bl_mirleft.core.issue_certificate(&t.bl_mirleft.chef, &subject))
    };
    assert!(!matches!(ok(t.dr.verify_certificate(&old.value.payload)), Verdict::Authentic { .. }));
}

#[test]
fn a_stolen_key_cannot_rotate_itself_past_its_revocation() {
    let mut t = tree();
    // A thief with BL-TIZNIT's key writes a rotation to keys of his own and takes the bundle to
    // the region, which does not supervise the office: refused, and nothing is adopted.
    let stolen = t.bl_tiznit.admin.secrets().unwrap_or_else(|| panic!("keys"));
    let thief = daftar::identity::SiteSecrets::generate(&mut daftar::clock::SeededEntropy::new(666));
    let statement = daftar::sync::envelope::Rotation::statement("BL-TIZNIT", &thief.public(), 1);
    let rotation = daftar::sync::envelope::Rotation {
        site: "BL-TIZNIT".into(),
        keys: thief.public(),
        effective_from: 1,
        old_signature: hex::encode(stolen.sign(&statement)),
        new_signature: hex::encode(thief.sign(&statement)),
    };
    let dr_keys = keys_of(&t.dr, &t.dr_admin);
    let m = Manifest { recipient: "DR-SOUSS".into(), ..manifest("BL-TIZNIT", 5, (0, 99)) };
    let plain = ok(payload::encode(&m, &[], None, &[]));
    let recipient: age::x25519::Recipient = dr_keys.age_recipient.parse().unwrap_or_else(|_| panic!("recipient"));
    let header = daftar::sync::envelope::Header {
        kind: m.kind,
        sender: "BL-TIZNIT".into(),
        recipient: "DR-SOUSS".into(),
        sequence: 5,
        from_change: 0,
        to_change: 99,
        created_at: "2026-11-29T09:00:00Z".into(),
        signer: thief.public().fingerprint(),
        schema: m.schema,
        ciphertext_len: 0,
        resync: false,
        rotation: Some(rotation),
        rotations: vec![],
        program: None,
    };
    let bytes = ok(daftar::sync::envelope::seal(&header, &ok(age::encrypt(&recipient, &plain)), |b| thief.sign(b)));
    let before = state(&t.dr);
    assert!(import(&mut t.dr, &t.dr_admin, &bytes).is_err());
    assert_eq!(state(&t.dr), before, "nothing adopted");
}

#[test]
fn a_delegation_that_rotated_twice_is_followed_by_an_office_that_missed_a_reply() {
    let mut t = tree();
    for round in ["r1", "r2"] {
        ok(t.tiznit.rotate_keys(&t.tiznit_admin, ADMIN_PASSWORD));
        t.tiznit_admin = ok(t.tiznit.login("admin", ADMIN_PASSWORD));
        // The region learns each rotation and acknowledges it.
        up_to_region(&mut t, false, round);
        let reply = ok(t.dr.export_reply(&t.dr_admin, "DP-TIZNIT", &stick(&t.dir, &format!("{round}-down"))));
        ok(import(&mut t.tiznit, &t.tiznit_admin, &ok(std::fs::read(reply.path))));
    }
    // The office held the first keys all along: the reply's chain takes it to the third.
    let reply = ok(t.tiznit.export_reply(&t.tiznit_admin, "BL-TIZNIT", &stick(&t.dir, "office")));
    assert!(matches!(
        ok(import(&mut t.bl_tiznit.core, &t.bl_tiznit.chef, &ok(std::fs::read(reply.path)))),
        ImportOutcome::Applied { .. }
    ));
    let held = ok(t.bl_tiznit.core.peers(&t.bl_tiznit.admin)).into_iter().find(|p| p.code == "DP-TIZNIT");
    assert_eq!(held.map(|p| p.keys), Some(keys_of(&t.tiznit, &t.tiznit_admin)));
}

/// Writes `from`'s reply for `to` and reads it there.
fn reply_down(from: &mut Core, from_admin: &Session, to: &mut Core, to_chef: &Session, code: &str, dir: &Path) {
    let reply = ok(from.export_reply(from_admin, code, dir));
    ok(import(to, to_chef, &ok(std::fs::read(reply.path))));
}

/// A reply of DP-TIZNIT to BL-MIRLEFT (signed with its genuine keys) carrying `revoked`.
fn reply_revoking(t: &Tree, seq: u64, revoked: &[payload::RevokedCertificate]) -> Vec<u8> {
    let m = Manifest {
        kind: daftar::sync::envelope::Kind::Reply,
        sender: "DP-TIZNIT".into(),
        recipient: "BL-MIRLEFT".into(),
        ..manifest("DP-TIZNIT", seq, (0, 0))
    };
    let to = keys_of(&t.bl_mirleft.core, &t.bl_mirleft.admin);
    seal_plain(&t.tiznit_admin, "DP-TIZNIT", &to, &m, &ok(payload::encode_all(&m, &[], None, &[], revoked)))
}

#[test]
fn a_revoked_certificate_reads_revoked_everywhere_after_one_sync_round() {
    let mut t = tree();
    let subject = daftar::app::CertificateSubject::Applicant("JB123456".into());
    let (cert, _) = ok(t.bl_tiznit.core.issue_certificate(&t.bl_tiznit.chef, &subject));
    let number = cert.value.number.clone();
    let qr = cert.value.payload.clone();
    ok(t.bl_tiznit.core.revoke_certificate(&t.bl_tiznit.chef, &number, "Délivrée par erreur"));
    // One round: the office's bundle up to its delegation and on to the region; the replies
    // down to the other delegation and to every office.
    let dir = t.dir.path().to_path_buf();
    let bytes = export(&mut t.bl_tiznit, &stick(&t.dir, "t2"));
    ok(import(&mut t.tiznit, &t.tiznit_admin, &bytes));
    let up =
        ok(t.tiznit.export_bundle(&t.tiznit_admin, &stick(&t.dir, "dpt2"), None)).unwrap_or_else(|| panic!("rien"));
    ok(import(&mut t.dr, &t.dr_admin, &ok(std::fs::read(up.path))));
    reply_down(&mut t.dr, &t.dr_admin, &mut t.agadir, &t.agadir_admin, "DP-AGADIR", &dir.join("r1"));
    reply_down(&mut t.agadir, &t.agadir_admin, &mut t.bl_agadir.core, &t.bl_agadir.chef, "BL-AGADIR", &dir.join("r2"));
    reply_down(
        &mut t.tiznit,
        &t.tiznit_admin,
        &mut t.bl_mirleft.core,
        &t.bl_mirleft.chef,
        "BL-MIRLEFT",
        &dir.join("r3"),
    );
    reply_down(&mut t.tiznit, &t.tiznit_admin, &mut t.bl_tiznit.core, &t.bl_tiznit.chef, "BL-TIZNIT", &dir.join("r4"));
    let everywhere = [
        ("BL-TIZNIT", &t.bl_tiznit.core),
        ("DP-TIZNIT", &t.tiznit),
        ("DR-SOUSS", &t.dr),
        ("DP-AGADIR", &t.agadir),
        ("BL-AGADIR", &t.bl_agadir.core),
        ("BL-MIRLEFT", &t.bl_mirleft.core),
    ];
    for (site, core) in everywhere {
        match ok(core.verify_certificate(&qr)) {
            Verdict::Revoked { revocation, .. } => assert_eq!(revocation.reason, "Délivrée par erreur", "at {site}"),
            other => panic!("at {site}: {other:?}"),
        }
    }
    // The sibling office was told, and it is audited there.
    let audited: i64 = ok(t.bl_mirleft.core.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'sync.certificate_revocation'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(audited, 1);

    // Nothing a bundle carries removes it, nor changes it.
    let mut softer = payload::RevokedCertificate {
        number: number.clone(),
        site: "BL-TIZNIT".into(),
        on: crate::common::date(1, 1, 2026),
        by: "x".into(),
        reason: "autre".into(),
    };
    let bytes = reply_revoking(&t, 90, &[softer.clone()]);
    ok(import(&mut t.bl_mirleft.core, &t.bl_mirleft.chef, &bytes));
    match ok(t.bl_mirleft.core.verify_certificate(&qr)) {
        Verdict::Revoked { revocation, .. } => assert_eq!(revocation.reason, "Délivrée par erreur"),
        other => panic!("{other:?}"),
    }
    // A revocation of a site unknown here, or whose number is not that site's, refuses the bundle.
    let before = state(&t.bl_mirleft.core);
    softer.number = "BL-NULLEPART-ATT-2026-00001".into();
    softer.site = "BL-NULLEPART".into();
    let bytes = reply_revoking(&t, 91, &[softer.clone()]);
    let why = format!("{:?}", import(&mut t.bl_mirleft.core, &t.bl_mirleft.chef, &bytes));
    assert!(why.contains("site inconnu ici"), "{why}");
    softer.site = "BL-TIZNIT".into();
    let bytes = reply_revoking(&t, 92, &[softer]);
    let why = format!("{:?}", import(&mut t.bl_mirleft.core, &t.bl_mirleft.chef, &bytes));
    assert!(why.contains("n'est pas celui d'une attestation de BL-TIZNIT"), "{why}");
    assert_eq!(state(&t.bl_mirleft.core), before);
    // Going up, a revocation travels only as its certificate's own row: a list is refused.
    let revoked = ok(t
        .tiznit
        .store()
        .conn()
        .query_row("SELECT count(*) FROM certificate_revocations", [], |r| r.get::<_, i64>(0)));
    let m = manifest("BL-MIRLEFT", 40, (0, 10_000));
    let dpt = keys_of(&t.tiznit, &t.tiznit_admin);
    let list = [payload::RevokedCertificate {
        number: number.clone(),
        site: "BL-TIZNIT".into(),
        on: crate::common::date(1, 1, 2026),
        by: "x".into(),
        reason: "y".into(),
    }];
    let up =
        seal_plain(&t.bl_mirleft.chef, "BL-MIRLEFT", &dpt, &m, &ok(payload::encode_all(&m, &[], None, &[], &list)));
    let why = format!("{:?}", import(&mut t.tiznit, &t.tiznit_admin, &up));
    assert!(why.contains("un paquet montant ne porte pas de révocations"), "{why}");
    let after = ok(t
        .tiznit
        .store()
        .conn()
        .query_row("SELECT count(*) FROM certificate_revocations", [], |r| r.get::<_, i64>(0)));
    assert_eq!(after, revoked);
}
