//! Sync bundles between an office and its delegation: enrollment, export, import with every
//! check, replies, gaps, replays and hostile content. Each refusal leaves the data unchanged.

use std::path::{Path, PathBuf};

use daftar::app::{AppError, Core, ImportOutcome, InstallSetup, Session};
use daftar::domain::certificate::Verdict;
use daftar::domain::project::ProjectDraft;
use daftar::store::Store;
use daftar::sync::envelope::{self, Header, Kind};
use daftar::sync::payload::{self, FORMAT, Manifest, WireRecord};

use crate::common::{ADMIN_PASSWORD, CHEF_PASSWORD, Office, applicant, core_seeded, count, office_seeded, ok};

/// A provincial delegation of Tiznit (`code`) on a file, so it can be copied.
pub fn delegation_at(path: &Path, seed: u64, code: &str) -> (Core, Session) {
    delegation_of(core_seeded(ok(Store::open(path, true)), seed), code)
}

/// `core` set up as the provincial delegation of Tiznit `code`, with its administrator.
pub fn delegation_of(mut core: Core, code: &str) -> (Core, Session) {
    let admin = ok(core.init(&InstallSetup {
        code: code.into(),
        name: "Délégation provinciale de Tiznit".into(),
        level: "delegation-provinciale".into(),
        province: "581".into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
        ..InstallSetup::default()
    }));
    (core, admin)
}

/// Reopens a delegation file and logs its administrator in.
fn reopen(path: &Path, seed: u64) -> (Core, Session) {
    let mut core = core_seeded(ok(Store::open(path, false)), seed);
    let admin = ok(core.login("admin", ADMIN_PASSWORD));
    (core, admin)
}

/// Enrolls the office at the delegation and pins the delegation at the office.
pub fn link(o: &mut Office, dp: &mut Core, dp_admin: &Session) {
    let id = ok(o.core.identity_file(&o.admin));
    ok(dp.enroll(dp_admin, &ok(serde_json::to_vec(&id)), &id.keys.fingerprint()));
    let parent = ok(dp.identity_file(dp_admin));
    ok(o.core.enroll(&o.admin, &ok(serde_json::to_vec(&parent)), &parent.keys.fingerprint()));
}

pub fn export(o: &mut Office, dir: &Path) -> Vec<u8> {
    let report = ok(o.core.export_bundle(&o.chef, dir, None)).unwrap_or_else(|| panic!("nothing to export"));
    ok(std::fs::read(&report.path))
}

pub fn import(core: &mut Core, who: &Session, bytes: &[u8]) -> Result<ImportOutcome, AppError> {
    core.import_bundle(who, bytes, "paquet")
}

fn refused(result: Result<ImportOutcome, AppError>) -> String {
    match result {
        Err(AppError::Refused(why)) => why.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The business tables' content, for "unchanged" assertions.
pub fn business(core: &Core) -> Vec<(String, i64)> {
    ["applicants", "card_holders", "projects", "dossiers", "conflicts"]
        .iter()
        .map(|t| ((*t).to_owned(), count(core, t)))
        .collect()
}

pub struct Pair {
    pub office: Office,
    pub dp: Core,
    pub dp_admin: Session,
    pub dir: tempfile::TempDir,
}

pub fn pair() -> Pair {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut office = office_seeded(None, 7);
    let (mut dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    link(&mut office, &mut dp, &dp_admin);
    Pair { office, dp, dp_admin, dir }
}

pub fn stick(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn office_to_delegation_and_back() {
    let mut p = pair();
    let id = applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let draft = ProjectDraft { kind: "projet-individuel".into(), name: "Couture".into(), ..ProjectDraft::default() };
    ok(p.office.core.add_project(&p.office.agent, &draft, id, vec![]));
    let bytes = export(&mut p.office, &stick(&p.dir, "cle"));
    match ok(import(&mut p.dp, &p.dp_admin, &bytes)) {
        ImportOutcome::Applied { rows, conflicts: 0, .. } => assert_eq!(rows, 3, "card holder, applicant, project"),
        other => panic!("{other}"),
    }
    assert_eq!(count(&p.dp, "applicants"), 1);
    let owner: String = ok(p.dp.store().conn().query_row("SELECT owner FROM applicants", [], |r| r.get(0)));
    assert_eq!(owner, "BL-TIZNIT", "rows keep their owner");
    assert!(ok(p.dp.check(&p.dp_admin)).is_sound(), "received rows are audited like any write");
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &bytes)), ImportOutcome::NothingNew { .. }));
    // The reply acknowledges; the office stops re-sending and prunes its outbox.
    let reply = ok(p.dp.export_reply(&p.dp_admin, "bl-tiznit", &stick(&p.dir, "retour")));
    let reply = ok(std::fs::read(reply.path));
    assert!(matches!(ok(import(&mut p.office.core, &p.office.chef, &reply)), ImportOutcome::Applied { .. }));
    assert_eq!(ok(p.office.core.sync_status(&p.office.chef)).unacknowledged, 0);
    assert_eq!(count(&p.office.core, "outbox"), 0);
    assert!(
        ok(p.office.core.export_bundle(&p.office.chef, &stick(&p.dir, "cle2"), None)).is_none(),
        "nothing new to send"
    );
    assert!(
        refused(import(&mut p.office.core, &p.office.chef, &reply)).contains("pas plus récente"),
        "a replayed reply"
    );
    // New changes go in the next bundle, numbered 2, from the acknowledged point.
    applicant(&mut p.office, "JB654321", "Amina", "Berrada", "01/02/1980");
    let second = export(&mut p.office, &stick(&p.dir, "cle3"));
    let header = ok(envelope::open(&second)).header;
    assert_eq!((header.sequence, header.from_change > 0), (2, true));
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &second)), ImportOutcome::Applied { .. }));
    assert_eq!(count(&p.dp, "applicants"), 2);
}

#[test]
fn a_cut_or_altered_file_is_refused_and_changes_nothing() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let bytes = export(&mut p.office, &stick(&p.dir, "cle"));
    let before = business(&p.dp);
    for cut in 0..bytes.len() {
        refused(import(&mut p.dp, &p.dp_admin, &bytes[..cut]));
    }
    for at in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x20;
        refused(import(&mut p.dp, &p.dp_admin, &flipped));
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"xx");
    assert!(refused(import(&mut p.dp, &p.dp_admin, &longer)).contains("octets de trop"));
    assert_eq!(business(&p.dp), before, "nothing applied");
    assert!(count(&p.dp, "import_log") > 100, "each refusal leaves a line in the import log");
    assert!(
        matches!(ok(import(&mut p.dp, &p.dp_admin, &bytes)), ImportOutcome::Applied { .. }),
        "the good file still goes in"
    );
}

#[test]
fn strangers_revoked_keys_and_wrong_recipients_are_refused() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let bytes = export(&mut p.office, &stick(&p.dir, "cle"));
    // Another delegation that enrolled the same office: not addressed to it.
    let other_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut other, other_admin) = delegation_at(&other_dir.path().join("autre.sqlite"), 13, "DP-AUTRE");
    let id = ok(p.office.core.identity_file(&p.office.admin));
    ok(other.enroll(&other_admin, &ok(serde_json::to_vec(&id)), &id.keys.fingerprint()));
    assert!(refused(import(&mut other, &other_admin, &bytes)).contains("destiné à DP-TIZNIT, pas à DP-AUTRE"));
    // A delegation that never enrolled the office: a bundle introduces no key.
    let (mut stranger, stranger_admin) = delegation_at(&other_dir.path().join("etranger.sqlite"), 17, "DP-TIZNIT");
    assert!(refused(import(&mut stranger, &stranger_admin, &bytes)).contains("n'est pas enrôlé"));
    // A revoked key.
    ok(p.dp.revoke_site(&p.dp_admin, "BL-TIZNIT", "PC volé"));
    assert!(refused(import(&mut p.dp, &p.dp_admin, &bytes)).contains("révoquée"));
    assert_eq!(count(&p.dp, "applicants"), 0);
    // A clerk holds no keys: signing is refused before anything is written.
    assert!(p.office.core.export_bundle(&p.office.agent, &stick(&p.dir, "x"), None).is_err());
}

#[test]
fn an_office_cannot_pass_off_another_offices_bundle() {
    let mut p = pair();
    // A second office of the province, enrolled too, signs a bundle naming the first as sender.
    let mut second = office_seeded(None, 23);
    ok(second.core.store().conn().execute("UPDATE site SET code = 'BL-MIRLEFT'", []));
    let second_admin = ok(second.core.login("admin", ADMIN_PASSWORD));
    let id = ok(second.core.identity_file(&second_admin));
    ok(p.dp.enroll(&p.dp_admin, &ok(serde_json::to_vec(&id)), &id.keys.fingerprint()));
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(second.core.login("chef", CHEF_PASSWORD));
    let forged = seal(&chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 1, (0, 1)), &[]);
    assert!(refused(import(&mut p.dp, &p.dp_admin, &forged)).contains("signature"));
}

#[test]
fn a_gap_is_set_aside_until_its_filler_arrives() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let first = export(&mut p.office, &stick(&p.dir, "cle1"));
    // The delegation as it was before reading the first bundle (a copy of its file).
    let copy = p.dir.path().join("dp-avant.sqlite");
    ok(p.dp.store().conn().execute("VACUUM INTO ?1", [copy.to_string_lossy()]));
    ok(import(&mut p.dp, &p.dp_admin, &first));
    let reply = ok(p.dp.export_reply(&p.dp_admin, "BL-TIZNIT", &stick(&p.dir, "retour")));
    ok(import(&mut p.office.core, &p.office.chef, &ok(std::fs::read(reply.path))));
    applicant(&mut p.office, "JB654321", "Amina", "Berrada", "01/02/1980");
    let second = export(&mut p.office, &stick(&p.dir, "cle2"));
    let (mut old, old_admin) = reopen(&copy, 11);
    assert!(matches!(ok(import(&mut old, &old_admin, &second)), ImportOutcome::SetAside { .. }));
    assert_eq!(count(&old, "applicants"), 0, "nothing applied out of order");
    match ok(import(&mut old, &old_admin, &first)) {
        ImportOutcome::Applied { released: 1, .. } => {}
        other => panic!("{other}"),
    }
    assert_eq!(count(&old, "applicants"), 2, "the waiting bundle followed its filler");
    // An older bundle after a newer one brings nothing.
    assert!(matches!(ok(import(&mut old, &old_admin, &first)), ImportOutcome::NothingNew { .. }));
}

#[test]
fn two_different_bundles_under_one_number_are_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let first = export(&mut p.office, &dir.path().join("a"));
    ok(import(&mut p.dp, &p.dp_admin, &first));
    // The same office, restored to before its export, writes another bundle n° 1.
    ok(p.office.core.store().conn().execute("DELETE FROM sync_out", []));
    applicant(&mut p.office, "JB654321", "Amina", "Berrada", "01/02/1980");
    let again = export(&mut p.office, &dir.path().join("b"));
    assert_eq!(ok(envelope::open(&again)).header.sequence, 1);
    assert!(refused(import(&mut p.dp, &p.dp_admin, &again)).contains("même numéro"));
}

pub fn manifest(sender: &str, sequence: u64, range: (i64, i64)) -> Manifest {
    Manifest {
        format: FORMAT.into(),
        kind: Kind::Changes,
        sender: sender.into(),
        recipient: "DP-TIZNIT".into(),
        sequence,
        from_change: range.0,
        to_change: range.1,
        schema: daftar::store::SCHEMA_VERSION,
        audit_head: (1, "00".into()),
    }
}

/// A bundle with any payload, correctly encrypted and signed by `signer`'s keys.
pub fn seal_plain(
    signer: &Session,
    sender: &str,
    to: &daftar::identity::PublicKeys,
    m: &Manifest,
    plain: &[u8],
) -> Vec<u8> {
    let secrets = signer.secrets().unwrap_or_else(|| panic!("no keys"));
    let recipient: age::x25519::Recipient = to.age_recipient.parse().unwrap_or_else(|_| panic!("recipient"));
    let ciphertext = age::encrypt(&recipient, plain).unwrap_or_else(|e| panic!("{e}"));
    let header = Header {
        kind: m.kind,
        sender: sender.into(),
        recipient: m.recipient.clone(),
        sequence: m.sequence,
        from_change: m.from_change,
        to_change: m.to_change,
        created_at: "2026-11-29T09:00:00Z".into(),
        signer: secrets.public().fingerprint(),
        schema: m.schema,
        ciphertext_len: 0,
        resync: false,
        rotation: None,
        rotations: vec![],
        program: None,
    };
    ok(envelope::seal(&header, &ciphertext, |b| secrets.sign(b)))
}

pub fn seal(
    signer: &Session,
    sender: &str,
    to: &daftar::identity::PublicKeys,
    m: &Manifest,
    records: &[WireRecord],
) -> Vec<u8> {
    seal_plain(signer, sender, to, m, &ok(payload::encode(m, records, None, &[])))
}

/// The records of a genuine export, to tamper with.
pub fn genuine_records(p: &mut Pair) -> Vec<WireRecord> {
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    applicant(&mut p.office, "JB654321", "Amina", "Berrada", "01/02/1980");
    let bytes = export(&mut p.office, &stick(&p.dir, "vrai"));
    let opened = ok(envelope::open(&bytes));
    // The delegation decrypts it as it would.
    let dp_secrets = p.dp_admin.secrets().unwrap_or_else(|| panic!("keys"));
    let plain = ok(age::decrypt(dp_secrets.age_identity(), opened.ciphertext));
    ok(payload::decode(&plain)).records
}

#[test]
fn hostile_content_from_an_enrolled_office_is_refused_whole() {
    let mut p = pair();
    let records = genuine_records(&mut p);
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(p.office.core.login("chef", CHEF_PASSWORD));
    let m = manifest("BL-TIZNIT", 1, (0, 4));
    let before = business(&p.dp);
    // One invalid record among good ones: nothing applied.
    let mut bad = records.clone();
    bad[1].data = ok(serde_json::value::RawValue::from_string("{\"cin\":\"pas une CIN\"}".into()));
    assert!(
        refused(import(&mut p.dp, &p.dp_admin, &seal(&chef, "BL-TIZNIT", &dp_keys, &m, &bad))).contains("invalide")
    );
    // A table that does not exist.
    let mut bad = records.clone();
    bad[0].table = "users".into();
    assert!(
        refused(import(&mut p.dp, &p.dp_admin, &seal(&chef, "BL-TIZNIT", &dp_keys, &m, &bad)))
            .contains("table inconnue")
    );
    // A future schema version.
    let future = Manifest { schema: 999, ..m.clone() };
    refused(import(&mut p.dp, &p.dp_admin, &seal(&chef, "BL-TIZNIT", &dp_keys, &future, &records)));
    // Malformed JSON and a decompression bomb.
    let junk = ok(zstd::stream::encode_all(&b"{\"manifest\": oops\n"[..], 3));
    refused(import(&mut p.dp, &p.dp_admin, &seal_plain(&chef, "BL-TIZNIT", &dp_keys, &m, &junk)));
    let bomb = ok(zstd::stream::encode_all(&vec![b'{'; 64 << 20][..], 19));
    refused(import(&mut p.dp, &p.dp_admin, &seal_plain(&chef, "BL-TIZNIT", &dp_keys, &m, &bomb)));
    // A manifest that does not repeat the header.
    let lying = Manifest { to_change: 99, ..m.clone() };
    let plain = ok(payload::encode(&lying, &records, None, &[]));
    refused(import(&mut p.dp, &p.dp_admin, &seal_plain(&chef, "BL-TIZNIT", &dp_keys, &m, &plain)));
    assert_eq!(business(&p.dp), before, "nothing of it was applied");
    // A record owned by a site outside the office's subtree goes to the conflict queue.
    let mut foreign = records;
    foreign[0].owner = "BL-AGADIR".into();
    match ok(import(&mut p.dp, &p.dp_admin, &seal(&chef, "BL-TIZNIT", &dp_keys, &m, &foreign))) {
        ImportOutcome::Applied { conflicts: 1, .. } => {}
        other => panic!("{other}"),
    }
    let status = ok(p.dp.sync_status(&p.dp_admin));
    assert!(status.conflicts.items[0].reason.contains("hors du ressort"), "{:?}", status.conflicts);
    // Applied by a person's decision: the row is stored with its owner, and the check still holds.
    let before = count(&p.dp, "card_holders") + count(&p.dp, "applicants");
    ok(p.dp.resolve_conflict(&p.dp_admin, status.conflicts.items[0].id, true, "Transféré d'Agadir"));
    assert_eq!(count(&p.dp, "card_holders") + count(&p.dp, "applicants"), before + 1);
    assert!(ok(p.dp.check(&p.dp_admin)).is_sound());
}

#[test]
fn a_cin_registered_by_another_office_is_queued() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "a"))));
    let mut second = office_seeded(None, 29);
    ok(second.core.store().conn().execute("UPDATE site SET code = 'BL-MIRLEFT'", []));
    second.admin = ok(second.core.login("admin", ADMIN_PASSWORD));
    second.chef = ok(second.core.login("chef", CHEF_PASSWORD));
    second.agent = ok(second.core.login("agent", crate::common::AGENT_PASSWORD));
    link(&mut second, &mut p.dp, &p.dp_admin);
    applicant(&mut second, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    match ok(import(&mut p.dp, &p.dp_admin, &export(&mut second, &stick(&p.dir, "b")))) {
        ImportOutcome::Applied { conflicts: 1, .. } => {}
        other => panic!("{other}"),
    }
    assert_eq!(count(&p.dp, "applicants"), 1, "the first office's record stays; the other waits for a person");
    let conflicts = ok(p.dp.sync_status(&p.dp_admin)).conflicts;
    assert!(
        conflicts.items.iter().any(|c| c.reason.contains("JB123456 est déjà enregistrée par BL-TIZNIT")),
        "{conflicts:?}"
    );
    // The second office cannot take over the first office's row by sending it as its own.
    let first_rows = {
        let bytes = export(&mut p.office, &stick(&p.dir, "c"));
        let opened = ok(envelope::open(&bytes));
        let plain =
            ok(age::decrypt(p.dp_admin.secrets().unwrap_or_else(|| panic!("keys")).age_identity(), opened.ciphertext));
        ok(payload::decode(&plain)).records
    };
    let mut stolen = first_rows;
    for r in &mut stolen {
        r.owner = "BL-MIRLEFT".into();
        r.version += 5;
    }
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let m = manifest("BL-MIRLEFT", 90, (0, 9_000));
    let taken = import(&mut p.dp, &p.dp_admin, &seal(&second.chef, "BL-MIRLEFT", &dp_keys, &m, &stolen));
    assert!(matches!(ok(taken), ImportOutcome::Applied { rows: 0, .. }), "every row went to the queue");
    let owner: String =
        ok(p.dp.store().conn().query_row("SELECT owner FROM applicants WHERE cin = 'JB123456'", [], |r| r.get(0)));
    assert_eq!(owner, "BL-TIZNIT");
    let conflicts = ok(p.dp.sync_status(&p.dp_admin)).conflicts;
    assert!(conflicts.items.iter().any(|c| c.reason.contains("appartient ici à BL-TIZNIT")), "{conflicts:?}");
    // A person decides; the decision needs a note and is audited.
    let id = conflicts.items[0].id;
    assert!(p.dp.resolve_conflict(&p.dp_admin, id, false, " ").is_err());
    ok(p.dp.resolve_conflict(&p.dp_admin, id, false, "Même personne, déjà suivie à Tiznit"));
    assert!(!ok(p.dp.sync_status(&p.dp_admin)).conflicts.items.iter().any(|c| c.id == id));
    assert!(p.dp.resolve_conflict(&p.dp_admin, id, true, "encore").is_err(), "resolved once");
    assert_eq!(count(&p.dp, "applicants"), 1, "set aside: not applied");
    let audited: i64 =
        ok(p.dp
            .store()
            .conn()
            .query_row("SELECT count(*) FROM audit_log WHERE action = 'sync.conflict'", [], |r| r.get(0)));
    assert_eq!(audited, 1);
}

#[test]
fn the_delegation_verifies_the_certificates_of_its_offices() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let subject = daftar::app::CertificateSubject::Applicant("JB123456".into());
    let (cert, _) = ok(p.office.core.issue_certificate(&p.office.chef, &subject));
    match ok(p.dp.verify_certificate(&cert.value.payload)) {
        Verdict::Authentic { in_register: false, .. } => {}
        other => panic!("{other}"),
    }
    // Once a bundle has brought the register, the delegation holds it too.
    let bytes = export(&mut p.office, &stick(&p.dir, "cle"));
    ok(import(&mut p.dp, &p.dp_admin, &bytes));
    assert!(matches!(ok(p.dp.verify_certificate(&cert.value.payload)), Verdict::Authentic { in_register: true, .. }));
}

/// Every business row as (table, id, owner, version, data), sorted.
fn snapshot(core: &Core) -> Vec<(String, String, String, i64, String)> {
    let mut rows = Vec::new();
    for table in daftar::store::records::Table::ALL {
        let sql = format!("SELECT id, owner, version, data FROM {} ORDER BY id", table.name());
        let conn = core.store().conn();
        let mut stmt = ok(conn.prepare(&sql));
        let found =
            ok(stmt.query_map([], |r| Ok((table.name().to_owned(), r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))));
        rows.extend(found.map(ok));
    }
    rows
}

#[test]
fn any_order_of_the_same_bundles_gives_the_same_register() {
    use proptest::prelude::*;
    // Three bundles of one office, each acknowledged before the next: ranges (0,a], (a,b], (b,c].
    let mut p = pair();
    // The delegation as enrolled, before any bundle: each order starts from a copy of it.
    let pristine = p.dir.path().join("dp-vierge.sqlite");
    ok(p.dp.store().conn().execute("VACUUM INTO ?1", [pristine.to_string_lossy()]));
    let mut bundles = Vec::new();
    for (i, (cin, name)) in [("JB100001", "Alami"), ("JB100002", "Bennani"), ("JB100003", "Chraibi")].iter().enumerate()
    {
        applicant(&mut p.office, cin, "Youssef", name, "12/04/1975");
        let bytes = export(&mut p.office, &stick(&p.dir, &format!("cle{i}")));
        ok(import(&mut p.dp, &p.dp_admin, &bytes));
        let reply = ok(p.dp.export_reply(&p.dp_admin, "BL-TIZNIT", &stick(&p.dir, &format!("retour{i}"))));
        ok(import(&mut p.office.core, &p.office.chef, &ok(std::fs::read(reply.path))));
        bundles.push(bytes);
    }
    let expected = snapshot(&p.dp);
    static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let orders = Just(vec![0usize, 1, 2])
        .prop_shuffle()
        .prop_flat_map(|order| (Just(order), proptest::collection::vec((0usize..3, 0usize..4), 0..4)));
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 24,
        ..proptest::test_runner::Config::default()
    });
    ok(runner.run(&orders, |(order, repeats)| {
        let mut sequence = order.clone();
        for (bundle, at) in repeats {
            sequence.insert(at.min(sequence.len()), bundle);
        }
        let copy =
            p.dir.path().join(format!("dp-essai-{}.sqlite", CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        ok(std::fs::copy(&pristine, &copy));
        let (mut dp, admin) = reopen(&copy, 11);
        for i in &sequence {
            let outcome = import(&mut dp, &admin, &bundles[*i]);
            prop_assert!(outcome.is_ok(), "{sequence:?}: {outcome:?}");
        }
        prop_assert_eq!(snapshot(&dp), expected.clone(), "order {:?}", sequence);
        Ok(())
    }));
}

#[test]
fn random_damage_to_a_bundle_is_always_refused() {
    use proptest::prelude::*;
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let bytes = export(&mut p.office, &stick(&p.dir, "cle"));
    let len = bytes.len();
    let damage = (proptest::collection::vec((0..len, any::<u8>()), 1..4), 0..len + 8);
    let dp = std::cell::RefCell::new((p.dp, p.dp_admin));
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 256,
        ..proptest::test_runner::Config::default()
    });
    ok(runner.run(&damage, |(flips, new_len)| {
        let mut damaged = bytes.clone();
        for (at, value) in flips {
            damaged[at] = value;
        }
        damaged.resize(new_len, 0x42);
        prop_assume!(damaged != bytes);
        let (core, admin) = &mut *dp.borrow_mut();
        let outcome = core.import_bundle(admin, &damaged, "abîmé");
        prop_assert!(matches!(outcome, Err(AppError::Refused(_))), "{outcome:?}");
        prop_assert_eq!(count(core, "applicants"), 0);
        Ok(())
    }));
}

#[test]
fn signed_hostile_payloads_never_apply_in_part() {
    use proptest::prelude::*;
    let mut p = pair();
    let records = genuine_records(&mut p);
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(p.office.core.login("chef", CHEF_PASSWORD));
    let junk = prop_oneof![
        Just(serde_json::Value::Null),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,30}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("x".repeat(200_000))),
        Just(serde_json::json!({"a": [1, 2, {"b": null}]})),
    ];
    let hostile = (0..records.len(), "[a-z_]{1,12}", junk, 0..4u8);
    let state = std::cell::RefCell::new((p.dp, p.dp_admin, 0u64));
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 400,
        ..proptest::test_runner::Config::default()
    });
    ok(runner.run(&hostile, |(index, field, value, how)| {
        let mut bad = records.clone();
        let mut data: serde_json::Value = ok(serde_json::from_str(bad[index].data.get()));
        match how {
            0 => data[field.as_str()] = value,
            1 => {
                if let Some(object) = data.as_object_mut() {
                    let key = object.keys().nth(field.len() % object.len().max(1)).cloned().unwrap_or_default();
                    object.insert(key, value);
                }
            }
            2 => bad[index].owner = field.to_uppercase(),
            _ => bad[index].version = -1,
        }
        bad[index].data = ok(serde_json::value::RawValue::from_string(data.to_string()));
        let (core, admin, case) = &mut *state.borrow_mut();
        *case += 1;
        // Each case its own number and a range above whatever was applied before.
        let m = manifest("BL-TIZNIT", *case, (0, 1_000 + *case as i64));
        let before = business(core);
        let applicants_before = count(core, "applicants");
        match core.import_bundle(admin, &seal(&chef, "BL-TIZNIT", &dp_keys, &m, &bad), "hostile") {
            Err(AppError::Refused(_)) => prop_assert_eq!(business(core), before),
            Ok(ImportOutcome::Applied { .. }) => {
                prop_assert!(count(core, "applicants") >= applicants_before);
                prop_assert!(ok(core.check(admin)).is_sound());
            }
            other => prop_assert!(false, "{other:?}"),
        }
        Ok(())
    }));
}

/// A regional delegation on a file.
pub fn region_at(path: &Path) -> (Core, Session) {
    let mut core = core_seeded(ok(Store::open(path, true)), 31);
    let admin = ok(core.init(&InstallSetup {
        code: "DR-SOUSS".into(),
        name: "Délégation régionale de Souss-Massa".into(),
        level: "delegation-regionale".into(),
        region: "09".into(),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
        ..InstallSetup::default()
    }));
    (core, admin)
}

/// Enrolls `child` at `parent` and pins `parent` at `child`.
pub fn enroll_both(parent: &mut Core, parent_admin: &Session, child: &mut Core, child_admin: &Session) {
    let id = ok(child.identity_file(child_admin));
    ok(parent.enroll(parent_admin, &ok(serde_json::to_vec(&id)), &id.keys.fingerprint()));
    let up = ok(parent.identity_file(parent_admin));
    ok(child.enroll(child_admin, &ok(serde_json::to_vec(&up)), &up.keys.fingerprint()));
}

#[test]
fn a_delegation_forwards_its_subtree_up_and_keyrings_come_down() {
    let mut p = pair();
    let (mut dr, dr_admin) = region_at(&p.dir.path().join("dr.sqlite"));
    enroll_both(&mut dr, &dr_admin, &mut p.dp, &p.dp_admin);
    // A second office of the province, enrolled at the delegation.
    let mut mirleft = office_seeded(None, 37);
    ok(mirleft.core.store().conn().execute("UPDATE site SET code = 'BL-MIRLEFT'", []));
    mirleft.admin = ok(mirleft.core.login("admin", ADMIN_PASSWORD));
    mirleft.chef = ok(mirleft.core.login("chef", CHEF_PASSWORD));
    mirleft.agent = ok(mirleft.core.login("agent", crate::common::AGENT_PASSWORD));
    link(&mut mirleft, &mut p.dp, &p.dp_admin);
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "bl"))));
    // The delegation's bundle up carries the office's rows, each keeping its owner.
    let up = ok(p.dp.export_bundle(&p.dp_admin, &stick(&p.dir, "dp"), None)).unwrap_or_else(|| panic!("rien"));
    match ok(import(&mut dr, &dr_admin, &ok(std::fs::read(&up.path)))) {
        ImportOutcome::Applied { rows, conflicts: 0, .. } => assert_eq!(rows, 2),
        other => panic!("{other}"),
    }
    let owner: String = ok(dr.store().conn().query_row("SELECT owner FROM applicants", [], |r| r.get(0)));
    assert_eq!(owner, "BL-TIZNIT");
    // A row of an office outside the delegation's subtree waits in the region's conflict queue.
    let records = {
        let bytes = ok(std::fs::read(&up.path));
        let opened = ok(envelope::open(&bytes));
        let plain =
            ok(age::decrypt(dr_admin.secrets().unwrap_or_else(|| panic!("keys")).age_identity(), opened.ciphertext));
        ok(payload::decode(&plain)).records
    };
    let mut foreign = records;
    foreign[0].owner = "BL-AGADIR".into();
    foreign[0].version += 1;
    let dr_keys = ok(dr.identity_file(&dr_admin)).keys;
    let m = Manifest { recipient: "DR-SOUSS".into(), ..manifest("DP-TIZNIT", 2, (0, 9_999)) };
    let dp_chef = ok(p.dp.login("admin", ADMIN_PASSWORD));
    match ok(import(&mut dr, &dr_admin, &seal(&dp_chef, "DP-TIZNIT", &dr_keys, &m, &foreign))) {
        ImportOutcome::Applied { conflicts: 1, .. } => {}
        other => panic!("{other}"),
    }
    // Down: the delegation's reply to Mirleft carries its keyring; Tiznit's certificates verify there.
    let subject = daftar::app::CertificateSubject::Applicant("JB123456".into());
    let (cert, _) = ok(p.office.core.issue_certificate(&p.office.chef, &subject));
    assert!(matches!(ok(mirleft.core.verify_certificate(&cert.value.payload)), Verdict::UnknownIssuer { .. }));
    let reply = ok(p.dp.export_reply(&p.dp_admin, "BL-MIRLEFT", &stick(&p.dir, "retour")));
    ok(import(&mut mirleft.core, &mirleft.chef, &ok(std::fs::read(reply.path))));
    assert!(matches!(ok(mirleft.core.verify_certificate(&cert.value.payload)), Verdict::Authentic { .. }));
    // And at the region, which learnt the office's identity from the forwarded subtree.
    assert!(matches!(ok(dr.verify_certificate(&cert.value.payload)), Verdict::Authentic { .. }));
    // A later bundle cannot re-key a site the region already knows: refused whole, naming it.
    let impostor = payload::KnownSite {
        code: "BL-TIZNIT".into(),
        name: "Faux".into(),
        level: "bureau".into(),
        supervisor: Some("DP-TIZNIT".into()),
        keys: ok(mirleft.core.identity_file(&mirleft.admin)).keys,
        revoked: None,
        retired_ed25519: None,
        retired: vec![],
        rotations: vec![],
        revocation: None,
        enrollment: None,
    };
    let m = Manifest { recipient: "DR-SOUSS".into(), ..manifest("DP-TIZNIT", 3, (0, 10_000)) };
    let plain = ok(payload::encode(&m, &[], None, &[impostor]));
    let why = refused(import(&mut dr, &dr_admin, &seal_plain(&dp_chef, "DP-TIZNIT", &dr_keys, &m, &plain)));
    assert!(why.contains("BL-TIZNIT") && why.contains("trousseau"), "{why}");
    assert!(matches!(ok(dr.verify_certificate(&cert.value.payload)), Verdict::Authentic { .. }), "keys unchanged");
}

#[test]
fn an_office_reinstalled_on_a_new_pc_resyncs_and_never_reissues_a_number() {
    let mut p = pair();
    let promoter = applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let draft = ProjectDraft { kind: "projet-individuel".into(), name: "Couture".into(), ..ProjectDraft::default() };
    let project = ok(p.office.core.add_project(&p.office.agent, &draft, promoter, vec![]));
    let today = crate::common::date(2, 2, 2026);
    let first = ok(p.office.core.open_dossier(&p.office.agent, project, today, None, &[]));
    assert_eq!(first.value.number.to_string(), "BL-TIZNIT-2026-00001");
    let subject = daftar::app::CertificateSubject::Applicant("JB123456".into());
    let (cert, _) = ok(p.office.core.issue_certificate(&p.office.chef, &subject));
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "avant"))));
    // The PC dies. A new installation of BL-TIZNIT, with new keys, is enrolled again.
    let mut fresh = office_seeded(None, 41);
    link(&mut fresh, &mut p.dp, &p.dp_admin);
    let request = ok(fresh.core.request_resync(&fresh.chef, &stick(&p.dir, "demande")));
    // Work goes on while the request travels: this change must not be lost.
    applicant(&mut fresh, "JB999999", "Nadia", "Sbai", "03/03/1990");
    assert!(matches!(
        ok(import(&mut p.dp, &p.dp_admin, &ok(std::fs::read(&request.path)))),
        ImportOutcome::NothingNew { .. }
    ));
    let reply = ok(p.dp.export_reply(&p.dp_admin, "BL-TIZNIT", &stick(&p.dir, "retour")));
    match ok(import(&mut fresh.core, &fresh.chef, &ok(std::fs::read(reply.path)))) {
        ImportOutcome::Applied { rows, .. } => assert!(rows >= 4, "{rows}"),
        other => panic!("{other}"),
    }
    assert_eq!(count(&fresh.core, "applicants"), 2);
    assert!(ok(fresh.core.check(&fresh.admin)).is_sound());
    // Numbers continue above what the old PC issued.
    let second = ok(fresh.core.open_dossier(&fresh.agent, project, today, None, &[]));
    assert_eq!(second.value.number.to_string(), "BL-TIZNIT-2026-00002");
    ok(fresh.core.revoke_certificate(&fresh.chef, &cert.value.number, "réémise après réinstallation"));
    let (again, _) = ok(fresh.core.issue_certificate(&fresh.chef, &subject));
    assert_eq!(again.value.number, "BL-TIZNIT-ATT-2026-00002");
    // Its next bundle follows on: numbered above the old ones, applied at the delegation.
    let next = export(&mut fresh, &stick(&p.dir, "apres"));
    let header = ok(envelope::open(&next)).header;
    assert!(header.sequence >= 2 && header.from_change >= 1, "{header:?}");
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &next)), ImportOutcome::Applied { conflicts: 0, .. }));
    assert_eq!(count(&p.dp, "dossiers"), 2);
    assert_eq!(count(&p.dp, "applicants"), 2, "the change made while the request travelled arrived");
}

#[test]
fn a_key_rotation_is_adopted_at_its_cut_over() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let subject = daftar::app::CertificateSubject::Applicant("JB123456".into());
    let (old_cert, _) = ok(p.office.core.issue_certificate(&p.office.chef, &subject));
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "a"))));
    // Bundle n° 2 signed with the old key, kept back on a stick (it will come after the rotation).
    applicant(&mut p.office, "JB654321", "Amina", "Berrada", "01/02/1980");
    let late_old = export(&mut p.office, &stick(&p.dir, "b"));
    assert!(p.office.core.rotate_keys(&p.office.admin, "faux").is_err(), "the password is asked again");
    let fingerprint = ok(p.office.core.rotate_keys(&p.office.admin, ADMIN_PASSWORD));
    let admin = ok(p.office.core.login("admin", ADMIN_PASSWORD));
    assert_eq!(ok(p.office.core.identity_file(&admin)).keys.fingerprint(), fingerprint);
    applicant(&mut p.office, "JB777777", "Karim", "Tazi", "01/02/1981");
    let rotated = ok(p.office.core.export_bundle(&admin, &stick(&p.dir, "c"), None)).unwrap_or_else(|| panic!("rien"));
    let rotated = ok(std::fs::read(rotated.path));
    let header = ok(envelope::open(&rotated)).header;
    assert_eq!((header.sequence, header.rotation.as_ref().map(|r| r.effective_from)), (3, Some(3)));
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &rotated)), ImportOutcome::Applied { .. }));
    assert_eq!(
        ok(p.dp.peers(&p.dp_admin)).iter().find(|s| s.code == "BL-TIZNIT").map(|s| s.keys.fingerprint()),
        Some(fingerprint)
    );
    // The replaced key signs nothing any more — not even a late bundle from before the cut-over
    // (what it carried came again in the cumulative bundle n° 3)…
    assert!(refused(import(&mut p.dp, &p.dp_admin, &late_old)).contains("clé remplacée"));
    // …nor a forged n° 4.
    let old_chef = p.office.chef; // logged in before the rotation: holds the old keys
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let forged = seal(&old_chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 4, (0, 999)), &[]);
    assert!(refused(import(&mut p.dp, &p.dp_admin, &forged)).contains("clé remplacée"));
    // Certificates signed before the rotation still verify, here and at the delegation.
    assert!(matches!(ok(p.office.core.verify_certificate(&old_cert.value.payload)), Verdict::Authentic { .. }));
    assert!(matches!(ok(p.dp.verify_certificate(&old_cert.value.payload)), Verdict::Authentic { .. }));
}

#[test]
fn a_bundle_encrypted_to_a_stale_key_is_refused_and_changes_nothing() {
    let mut p = pair();
    ok(p.dp.rotate_keys(&p.dp_admin, ADMIN_PASSWORD));
    let dp_admin = ok(p.dp.login("admin", ADMIN_PASSWORD));
    // The office still encrypts to the delegation's old key.
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let bytes = export(&mut p.office, &stick(&p.dir, "cle"));
    assert!(refused(import(&mut p.dp, &dp_admin, &bytes)).contains("pas chiffré pour la clé actuelle"));
    assert_eq!(count(&p.dp, "applicants"), 0);
}

#[test]
fn what_a_bundle_may_not_do_even_signed() {
    let mut p = pair();
    let records = genuine_records(&mut p);
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(p.office.core.login("chef", CHEF_PASSWORD));
    let m = manifest("BL-TIZNIT", 1, (0, 4));
    // A number from another site's series.
    let mut foreign_number = records.clone();
    let dossier = daftar::domain::dossier::Dossier {
        number: daftar::domain::codes::DossierNumber::new(
            &ok(daftar::domain::codes::SiteCode::parse("DP-TIZNIT")),
            2026,
            42,
        ),
        year: 2026,
        project_id: uuid::Uuid::nil(),
        applicant_id: uuid::Uuid::nil(),
        kind: daftar::domain::project::ProjectKind::Pme,
        deposited_on: crate::common::date(2, 2, 2026),
        requested: None,
        status: daftar::domain::dossier::Status::Depose,
        documents: vec![],
        history: vec![],
        anonymised_on: None,
        paper_reference: None,
        programme: None,
    };
    foreign_number[0].table = "dossiers".into();
    foreign_number[0].data = ok(serde_json::value::RawValue::from_string(ok(serde_json::to_string(&dossier))));
    assert!(
        refused(import(&mut p.dp, &p.dp_admin, &seal(&chef, "BL-TIZNIT", &dp_keys, &m, &foreign_number)))
            .contains("numéroté")
    );
    // Sequence 0 and backward ranges.
    refused(import(
        &mut p.dp,
        &p.dp_admin,
        &seal(&chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 0, (0, 4)), &records),
    ));
    refused(import(
        &mut p.dp,
        &p.dp_admin,
        &seal(&chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 1, (5, 4)), &records),
    ));
    assert_eq!(count(&p.dp, "applicants"), 0);
    // An acknowledgement of publications the delegation never sent counts for nothing.
    let with_ack = ok(payload::encode(&m, &records, Some(payload::Ack { watermark: i64::MAX, last_sequence: 0 }), &[]));
    ok(import(&mut p.dp, &p.dp_admin, &seal_plain(&chef, "BL-TIZNIT", &dp_keys, &m, &with_ack)));
    let acknowledged: i64 =
        ok(p.dp
            .store()
            .conn()
            .query_row("SELECT acknowledged FROM sync_out WHERE recipient = 'BL-TIZNIT'", [], |r| r.get(0)));
    assert_eq!(acknowledged, 0);
    // A revoked office's certificates are no longer vouched for.
    let subject = daftar::app::CertificateSubject::Applicant("JB123456".into());
    let (cert, _) = ok(p.office.core.issue_certificate(&p.office.chef, &subject));
    ok(p.dp.revoke_site(&p.dp_admin, "BL-TIZNIT", "PC volé"));
    assert!(matches!(ok(p.dp.verify_certificate(&cert.value.payload)), Verdict::IssuerRevoked { .. }));
}

#[test]
fn a_delegation_that_rotates_its_keys_is_followed_by_its_offices() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "a"))));
    let fingerprint = ok(p.dp.rotate_keys(&p.dp_admin, ADMIN_PASSWORD));
    let dp_admin = ok(p.dp.login("admin", ADMIN_PASSWORD));
    // A bundle the office wrote before it knew: encrypted to the old key, refused, nothing lost.
    applicant(&mut p.office, "JB654321", "Amina", "Berrada", "01/02/1980");
    let stale = export(&mut p.office, &stick(&p.dir, "b"));
    assert!(refused(import(&mut p.dp, &dp_admin, &stale)).contains("ancienne clé"));
    // The reply, signed with the new key, carries the statement signed by both: the office adopts it.
    let reply = ok(std::fs::read(ok(p.dp.export_reply(&dp_admin, "BL-TIZNIT", &stick(&p.dir, "r"))).path));
    assert!(matches!(ok(import(&mut p.office.core, &p.office.chef, &reply)), ImportOutcome::Applied { .. }));
    let pinned = ok(p.office.core.peers(&p.office.admin)).into_iter().find(|s| s.code == "DP-TIZNIT");
    assert_eq!(pinned.map(|s| s.keys.fingerprint()), Some(fingerprint));
    // The next bundle reaches the delegation, with what the refused one carried.
    let next = export(&mut p.office, &stick(&p.dir, "c"));
    assert!(matches!(ok(import(&mut p.dp, &dp_admin, &next)), ImportOutcome::Applied { .. }));
    assert_eq!(count(&p.dp, "applicants"), 2);
    // A reply signed with the old key after the rotation is refused.
    let old_admin = p.dp_admin;
    let office_keys = ok(p.office.core.identity_file(&p.office.admin)).keys;
    let m = Manifest { kind: Kind::Reply, recipient: "BL-TIZNIT".into(), ..manifest("DP-TIZNIT", 9, (0, 0)) };
    let forged = seal(&old_admin, "DP-TIZNIT", &office_keys, &m, &[]);
    assert!(refused(import(&mut p.office.core, &p.office.chef, &forged)).contains("clé remplacée"));
}

#[test]
fn certificates_verify_after_two_key_rotations() {
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let subject = daftar::app::CertificateSubject::Applicant("JB123456".into());
    let (first, _) = ok(p.office.core.issue_certificate(&p.office.chef, &subject));
    ok(import(&mut p.dp, &p.dp_admin, &export(&mut p.office, &stick(&p.dir, "a"))));
    for round in ["b", "c"] {
        ok(p.office.core.rotate_keys(&p.office.admin, ADMIN_PASSWORD));
        p.office.admin = ok(p.office.core.login("admin", ADMIN_PASSWORD));
        let cin = if round == "b" { "JB100001" } else { "JB100002" };
        applicant(&mut p.office, cin, "Amina", if round == "b" { "Berrada" } else { "Chraibi" }, "01/02/1980");
        let bundle = ok(p.office.core.export_bundle(&p.office.admin, &stick(&p.dir, round), None))
            .unwrap_or_else(|| panic!("nothing to export"));
        ok(import(&mut p.dp, &p.dp_admin, &ok(std::fs::read(bundle.path))));
        let reply = ok(std::fs::read(
            ok(p.dp.export_reply(&p.dp_admin, "BL-TIZNIT", &stick(&p.dir, &format!("r{round}")))).path,
        ));
        ok(import(&mut p.office.core, &p.office.admin, &reply));
    }
    // Signed with the first key, two keys ago: still good here and at the delegation.
    assert!(matches!(ok(p.dp.verify_certificate(&first.value.payload)), Verdict::Authentic { .. }));
    assert!(matches!(ok(p.office.core.verify_certificate(&first.value.payload)), Verdict::Authentic { .. }));
}

#[test]
fn a_crafted_phone_in_a_signed_bundle_is_refused_not_a_crash() {
    let mut p = pair();
    let mut records = genuine_records(&mut p);
    let i = records.iter().position(|r| r.table == "applicants").unwrap_or_else(|| panic!("no applicant"));
    let mut data: serde_json::Value = ok(serde_json::from_str(records[i].data.get()));
    data["phone"] = serde_json::Value::from("=%\u{1253}'");
    records[i].data = ok(serde_json::value::RawValue::from_string(data.to_string()));
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(p.office.core.login("chef", CHEF_PASSWORD));
    let bundle = seal(&chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 1, (0, 4)), &records);
    assert!(refused(import(&mut p.dp, &p.dp_admin, &bundle)).contains("invalide"));
    assert_eq!(count(&p.dp, "applicants"), 0);
}

#[test]
fn importing_files_brings_the_bilan_facts_up_to_date_once() {
    let facts_current = |core: &Core| {
        let conn = core.store().conn();
        ok(daftar::store::facts::mark(conn)) == ok(daftar::store::sync::last_change(conn))
    };
    let mut p = pair();
    applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let folder = stick(&p.dir, "cle");
    ok(p.office.core.export_bundle(&p.office.chef, &folder, None));
    let lines = ok(p.dp.import_paths(&p.dp_admin, std::slice::from_ref(&folder)));
    assert!(matches!(lines[0].result, Ok(ImportOutcome::Applied { .. })), "{:?}", lines[0].result);
    assert!(facts_current(&p.dp));
    // A bundle alone (the core's call) leaves them to the next bilan, or the next files read.
    applicant(&mut p.office, "JB654321", "Amal", "Kettani", "01/02/1980");
    let bytes = export(&mut p.office, &stick(&p.dir, "cle-2"));
    ok(import(&mut p.dp, &p.dp_admin, &bytes));
    assert!(!facts_current(&p.dp));
}

/// `n` copies of a genuine record under new ids, owned by `owner`.
fn copies_owned_by(record: &WireRecord, owner: &str, n: usize) -> Vec<WireRecord> {
    (0..n)
        .map(|i| WireRecord {
            id: uuid::Uuid::from_u128(0xdaf7_0000_0000_0000_0000_0000_0000_0000 + i as u128),
            owner: owner.into(),
            ..record.clone()
        })
        .collect()
}

#[test]
fn a_bundle_that_would_flood_the_conflict_queue_is_refused_whole() {
    let mut p = pair();
    let records = genuine_records(&mut p);
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(p.office.core.login("chef", CHEF_PASSWORD));
    let applicant = records.iter().find(|r| r.table == "applicants").unwrap_or_else(|| panic!("no applicant"));
    let flood = copies_owned_by(applicant, "BL-AGADIR", daftar::app::MAX_CONFLICTS_PER_BUNDLE + 1);
    let before = business(&p.dp);
    let why = refused(import(
        &mut p.dp,
        &p.dp_admin,
        &seal(&chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 1, (0, 4)), &flood),
    ));
    assert!(why.contains("1001 enregistrements de BL-TIZNIT") && why.contains("au plus 1000"), "{why}");
    assert_eq!(business(&p.dp), before);
    // Under the cap they are queued, summarised by site and table, and listed page by page.
    let some = copies_owned_by(applicant, "BL-AGADIR", 60);
    ok(import(&mut p.dp, &p.dp_admin, &seal(&chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 1, (0, 4)), &some)));
    let status = ok(p.dp.sync_status(&p.dp_admin));
    assert_eq!(
        status.conflict_counts,
        vec![daftar::app::ConflictCount { sender: "BL-TIZNIT".into(), table: "applicants".into(), count: 60 }]
    );
    assert_eq!((status.conflicts.total, status.conflicts.items.len()), (60, daftar::app::CONFLICTS_PER_PAGE));
    let page = |site: Option<&str>, table: Option<&str>, page| {
        let filter =
            daftar::app::ConflictFilter { site: site.map(str::to_owned), table: table.map(str::to_owned), page };
        ok(p.dp.conflicts(&p.dp_admin, &filter))
    };
    let second = page(None, None, 1);
    assert_eq!(second.items.len(), 10);
    assert!(second.items[0].id > status.conflicts.items[49].id, "oldest first, no overlap");
    assert_eq!(page(Some("BL-MIRLEFT"), None, 0).total, 0);
    assert_eq!(page(Some("BL-TIZNIT"), Some("dossiers"), 0).total, 0);
    assert_eq!(page(Some("BL-TIZNIT"), Some("applicants"), 0).total, 60);
}

#[test]
fn bundles_of_the_previous_version_are_read_and_newer_ones_name_the_version_to_install() {
    let mut p = pair();
    let records = genuine_records(&mut p);
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(p.office.core.login("chef", CHEF_PASSWORD));
    // What this version writes: the records' format, and its own version.
    let header = ok(envelope::open(&export(&mut p.office, &stick(&p.dir, "v2")))).header;
    assert_eq!(
        (header.schema, header.program.as_deref()),
        (daftar::store::RECORD_FORMAT, Some(env!("CARGO_PKG_VERSION")))
    );
    // A newer format: refused, naming the version to install.
    let newer = Manifest { schema: daftar::store::SCHEMA_VERSION + 1, ..manifest("BL-TIZNIT", 1, (0, 4)) };
    let plain = ok(payload::encode(&newer, &records, None, &[]));
    let mut bytes = seal_plain(&chef, "BL-TIZNIT", &dp_keys, &newer, &plain);
    // Re-sealed with the program named, as a newer version writes it.
    let mut opened_header = ok(envelope::open(&bytes)).header;
    opened_header.program = Some("0.9.1".into());
    let ciphertext = ok(envelope::open(&bytes)).ciphertext.to_vec();
    bytes =
        ok(envelope::seal(&opened_header, &ciphertext, |b| chef.secrets().unwrap_or_else(|| panic!("keys")).sign(b)));
    let why = refused(import(&mut p.dp, &p.dp_admin, &bytes));
    assert!(
        why.contains("Daftar 0.9.1") && why.contains("Mettez Daftar à jour (version 0.9.1 ou plus récente)"),
        "{why}"
    );
    assert_eq!(count(&p.dp, "applicants"), 0);
    // The previous version's bundle (schema 14, no program named) is read.
    let previous = Manifest { schema: 14, ..manifest("BL-TIZNIT", 1, (0, 4)) };
    let plain = ok(payload::encode(&previous, &records, None, &[]));
    let bytes = seal_plain(&chef, "BL-TIZNIT", &dp_keys, &previous, &plain);
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &bytes)), ImportOutcome::Applied { .. }));
    assert_eq!(count(&p.dp, "applicants"), 2);
}

#[test]
fn a_large_export_and_a_resync_reply_are_cut_into_bundles_read_in_order() {
    let mut p = pair();
    for i in 0..12 {
        let born = format!("12/04/19{}", 60 + i);
        applicant(&mut p.office, &format!("JB5000{i:02}"), "Youssef", "Alaoui", &born);
    }
    p.office.core.limit_bundle_rows(5);
    let report =
        ok(p.office.core.export_bundle(&p.office.chef, &stick(&p.dir, "gros"), None)).unwrap_or_else(|| panic!("rien"));
    let files: Vec<PathBuf> = report.files().into_iter().map(Path::to_path_buf).collect();
    assert_eq!(files.len(), 3, "{files:?}");
    assert_eq!(report.rows, 13, "12 applicants and the card holder they share");
    // Each within the limit, the ranges following one another.
    let mut end = 0;
    for file in &files {
        let header = ok(envelope::open(&ok(std::fs::read(file)))).header;
        assert_eq!(header.from_change, end, "{file:?}");
        end = header.to_change;
    }
    // Read out of order: the later ones wait for the first.
    let last = ok(std::fs::read(&files[files.len() - 1]));
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &last)), ImportOutcome::SetAside { .. }));
    let lines = ok(p.dp.import_paths(&p.dp_admin, &files[..files.len() - 1]));
    assert!(lines.iter().all(|l| l.result.is_ok()), "{lines:?}");
    assert_eq!(count(&p.dp, "applicants"), 12);
    assert_eq!(ok(p.dp.sync_status(&p.dp_admin)).waiting, vec![], "the set-aside one was applied");
    // The PC dies: the resync reply brings the 13 rows back in several files.
    let mut fresh = office_seeded(None, 41);
    link(&mut fresh, &mut p.dp, &p.dp_admin);
    let request = ok(fresh.core.request_resync(&fresh.chef, &stick(&p.dir, "demande")));
    ok(import(&mut p.dp, &p.dp_admin, &ok(std::fs::read(&request.path))));
    p.dp.limit_bundle_rows(5);
    let reply = ok(p.dp.export_reply(&p.dp_admin, "BL-TIZNIT", &stick(&p.dir, "retour")));
    assert!(!reply.more.is_empty(), "cut into several files");
    let lines = ok(fresh.core.import_paths(&fresh.chef, &[stick(&p.dir, "retour")]));
    assert!(lines.iter().all(|l| matches!(l.result, Ok(ImportOutcome::Applied { .. }))), "{lines:?}");
    assert_eq!(count(&fresh.core, "applicants"), 12);
    assert!(ok(fresh.core.check(&fresh.admin)).is_sound());
    // The resync is over: the office's next bundle goes on above what the delegation holds.
    applicant(&mut fresh, "JB999999", "Nadia", "Sbai", "03/03/1990");
    let next = export(&mut fresh, &stick(&p.dir, "apres"));
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &next)), ImportOutcome::Applied { conflicts: 0, .. }));
    assert_eq!(count(&p.dp, "applicants"), 13);
}

/// What the core reported while `work` ran.
fn reported<T>(core: &mut Core, work: impl FnOnce(&mut Core) -> T) -> (T, Vec<daftar::app::Progress>) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    core.report_progress_to(std::sync::Arc::new(move |p| sink.lock().unwrap_or_else(|e| e.into_inner()).push(p)));
    let out = work(core);
    let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
    (out, seen)
}

#[test]
fn a_stick_written_and_read_in_parts_reports_each_part_and_its_rows() {
    let mut p = pair();
    for i in 0..12 {
        applicant(&mut p.office, &format!("JB5100{i:02}"), "Youssef", "Alaoui", &format!("12/04/19{}", 60 + i));
    }
    p.office.core.limit_bundle_rows(5);
    let dir = stick(&p.dir, "cle");
    let chef = &p.office.chef;
    let (report, written) = reported(&mut p.office.core, |core| ok(core.export_bundle(chef, &dir, None)));
    let stages: Vec<&str> = written.iter().map(|s| s.stage.as_str()).collect();
    assert_eq!(
        stages.iter().filter(|s| s.starts_with("Paquet 3 sur 3 : ")).count(),
        3,
        "read, sealed and written: {stages:?}"
    );
    assert!(stages.contains(&"Paquet 1 sur 3 : écriture sur la clé et relecture"), "{stages:?}");
    let files: Vec<PathBuf> =
        report.unwrap_or_else(|| panic!("rien")).files().into_iter().map(Path::to_path_buf).collect();
    let (lines, read) = reported(&mut p.dp, |dp| ok(dp.import_paths(&p.dp_admin, std::slice::from_ref(&dir))));
    assert!(lines.iter().all(|l| l.result.is_ok()), "{lines:?}");
    let stages: Vec<String> = read.iter().map(daftar::app::Progress::line).collect();
    for (i, file) in files.iter().enumerate() {
        let name = file.display().to_string();
        assert!(stages.contains(&format!("Paquet {} sur 3 : lecture de {name}", i + 1)), "{stages:?}");
        assert!(stages.contains(&format!("Paquet {} sur 3 — déchiffrement", i + 1)), "{stages:?}");
    }
    // Each part's rows, counted to their end: 13 in all.
    let applied: u64 = read
        .iter()
        .filter(|p| p.stage.ends_with("enregistrement dans la base") && p.done == p.total)
        .map(|p| p.total)
        .sum();
    assert_eq!(applied, 13, "{stages:?}");
    assert_eq!(stages.last().map(String::as_str), Some("Mise à jour de la liste des dossiers"));
}
