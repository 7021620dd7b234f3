//! Hostile input, generated: every reader of outside data — bundles (bytes on a stick, and
//! payloads correctly signed and encrypted by an enrolled office), CSV files, identity files and
//! certificate payloads — accepts what is valid or refuses with a message, never panics, and
//! leaves the database exactly as it was when it refuses. `PROPTEST_CASES=N` for a longer run;
//! the `cargo fuzz` targets in `fuzz/` run the same readers for hours.

use std::cell::RefCell;

use daftar::app::{AppError, CertificateSubject, Core, IdentityFile, ImportOutcome};
use daftar::clock::SeededEntropy;
use daftar::domain::certificate::Verdict;
use daftar::identity::{PublicKeys, SiteSecrets};
use daftar::sync::payload::{self, KnownSite, WireRecord};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use serde_json::Value;

use crate::common::{office, ok};
use crate::sync::{delegation_at, export, genuine_records, import, manifest, pair, seal_plain, stick};

/// A runner with `default` cases (or `PROPTEST_CASES`), the same inputs at every run (another
/// `PROPTEST_RNG_SEED` explores others), no failure files.
fn runner(default: u32) -> TestRunner {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    TestRunner::new(Config {
        cases: number("PROPTEST_CASES").map_or(default, |n: u64| n as u32),
        rng_seed: RngSeed::Fixed(number("PROPTEST_RNG_SEED").unwrap_or(2026)),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Everything a refused input must leave as it was: each business and sync table, row by row.
fn snapshot(core: &Core) -> String {
    let rows = daftar::store::records::Table::ALL
        .map(|t| t.name())
        .map(|t| format!("SELECT coalesce(group_concat(id || version || coalesce(deleted_at, '') || data, '|'), '') FROM (SELECT * FROM {t} ORDER BY rid)"));
    let counts = ["conflicts", "peers", "bundles_in", "sync_in", "sync_out", "outbox", "audit_log"]
        .map(|t| format!("SELECT '{t}' || count(*) FROM {t}"));
    rows.iter()
        .chain(&counts)
        .map(|sql| ok(core.store().conn().query_row(sql, [], |r| r.get::<_, String>(0))))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(condition: bool, what: impl Into<String>) -> Result<(), TestCaseError> {
    if condition { Ok(()) } else { Err(TestCaseError::fail(what.into())) }
}

/// Text an attacker would try, and text that is merely odd.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        Just("'; DROP TABLE applicants; --".to_owned()),
        Just("\u{202e}\u{0000}\u{feff}".to_owned()),
        Just("9999-99-99".to_owned()),
        Just("x".repeat(5000)),
        Just(String::new()),
        Just("JB123456".to_owned()),
        Just("2026-02-30".to_owned()),
    ]
}

fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e15..1e15_f64).prop_map(Value::from),
        hostile_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to the bytes of a file: a byte flipped, the file cut, or bytes appended.
#[derive(Debug, Clone)]
enum ByteChange {
    Flip(usize, u8),
    Cut(usize),
    Append(Vec<u8>),
}

impl ByteChange {
    fn apply(&self, genuine: &[u8]) -> Vec<u8> {
        let mut bytes = genuine.to_vec();
        match self {
            ByteChange::Flip(at, x) => bytes[*at] ^= x,
            ByteChange::Cut(at) => bytes.truncate(*at),
            ByteChange::Append(tail) => bytes.extend_from_slice(tail),
        }
        bytes
    }
}

fn byte_change(len: usize) -> impl Strategy<Value = ByteChange> {
    prop_oneof![
        (0..len, 1_u8..=255).prop_map(|(at, x)| ByteChange::Flip(at, x)),
        (0..len).prop_map(ByteChange::Cut),
        prop::collection::vec(any::<u8>(), 1..64).prop_map(ByteChange::Append),
    ]
}

/// One change to a record of a genuine bundle.
#[derive(Debug, Clone)]
enum Tamper {
    SetField(usize, Value),
    RemoveField(usize),
    Table(String),
    Owner(String),
    Version(i64),
    Dates(String),
    Deleted(Option<String>),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        4 => (any::<usize>(), hostile_json()).prop_map(|(k, v)| Tamper::SetField(k, v)),
        2 => any::<usize>().prop_map(Tamper::RemoveField),
        1 => prop_oneof![
            hostile_text(),
            Just("dossiers".to_owned()),
            Just("users".to_owned()),
            Just("transfers".to_owned()),
            Just("duplicate_reviews".to_owned()),
            Just("checklists".to_owned()),
        ]
        .prop_map(Tamper::Table),
        1 => prop_oneof![hostile_text(), Just("DP-TIZNIT".to_owned()), Just("BL-AGADIR".to_owned())].prop_map(Tamper::Owner),
        1 => any::<i64>().prop_map(Tamper::Version),
        1 => hostile_text().prop_map(Tamper::Dates),
        1 => proptest::option::of(hostile_text()).prop_map(Tamper::Deleted),
    ]
}

fn apply(record: &mut WireRecord, change: &Tamper) {
    let mut data: Value = serde_json::from_str(record.data.get()).unwrap_or(Value::Null);
    match change {
        Tamper::SetField(k, _) | Tamper::RemoveField(k) => {
            if let Some(object) = data.as_object_mut().filter(|o| !o.is_empty()) {
                let key = object.keys().nth(k % object.len()).cloned().unwrap_or_default();
                match change {
                    Tamper::SetField(_, v) => object.insert(key, v.clone()),
                    _ => object.remove(&key),
                };
            }
        }
        Tamper::Table(t) => record.table.clone_from(t),
        Tamper::Owner(o) => record.owner.clone_from(o),
        Tamper::Version(v) => record.version = *v,
        Tamper::Dates(d) => (record.created_at, record.updated_at) = (d.clone(), d.clone()),
        Tamper::Deleted(d) => record.deleted_at.clone_from(d),
    }
    record.data = ok(serde_json::value::RawValue::from_string(data.to_string()));
}

#[test]
fn every_change_to_the_bytes_of_a_genuine_bundle_is_refused_and_changes_nothing() {
    let mut p = pair();
    crate::common::applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let genuine = export(&mut p.office, &stick(&p.dir, "vrai"));
    let before = snapshot(&p.dp);
    let state = RefCell::new(&mut p);
    ok(runner(96).run(&byte_change(genuine.len()), |change| {
        let bytes = change.apply(&genuine);
        let mut guard = state.borrow_mut();
        let p: &mut crate::sync::Pair = &mut guard;
        match import(&mut p.dp, &p.dp_admin, &bytes) {
            Err(e) => check(!e.to_string().is_empty(), "a refusal says why")?,
            Ok(outcome) => return Err(TestCaseError::fail(format!("a changed bundle was accepted: {outcome}"))),
        }
        check(snapshot(&p.dp) == before, "a refused bundle changed nothing")
    }));
    // The refusals left no trace that would refuse the genuine bundle.
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &genuine)), ImportOutcome::Applied { .. }));
}

/// What a hostile office adds to a bundle beside its records: a record twice, or identities of
/// sites in a `sites` line.
#[derive(Debug, Clone)]
enum Extra {
    Twice(usize),
    Site(Box<KnownSite>),
}

fn site_code() -> impl Strategy<Value = String> {
    prop_oneof![
        hostile_text(),
        Just("BL-FAUX".to_owned()),
        Just("BL-AGADIR".to_owned()),
        Just("BL-TIZNIT".to_owned()),
        Just("DP-TIZNIT".to_owned()),
        Just("DR-SOUSS".to_owned()),
    ]
}

fn hostile_site(keys: Vec<PublicKeys>) -> impl Strategy<Value = KnownSite> {
    let level = prop_oneof![
        Just("bureau".to_owned()),
        Just("delegation-provinciale".to_owned()),
        Just("delegation-regionale".to_owned()),
        hostile_text()
    ];
    let revoked = proptest::option::of((hostile_text(), hostile_text()));
    (site_code(), level, proptest::option::of(site_code()), prop::sample::select(keys), revoked).prop_map(
        |(code, level, supervisor, keys, revoked)| KnownSite {
            name: format!("Site {code}"),
            code,
            level,
            supervisor,
            keys,
            revoked,
            retired_ed25519: None,
            retired: vec![],
            rotations: vec![],
            revocation: None,
            enrollment: None,
        },
    )
}

fn extra(keys: Vec<PublicKeys>) -> impl Strategy<Value = Extra> {
    prop_oneof![any::<usize>().prop_map(Extra::Twice), hostile_site(keys).prop_map(|s| Extra::Site(Box::new(s)))]
}

/// The keyring of a site, row by row.
fn keyring(core: &Core) -> String {
    ok(core.store().conn().query_row(
        "SELECT coalesce(group_concat(code || ed25519 || coalesce(supervisor, '') || coalesce(revoked_at, ''), '|'), '') FROM peers",
        [],
        |r| r.get(0),
    ))
}

#[test]
fn signed_hostile_records_are_applied_whole_or_refused_whole() {
    let mut p = pair();
    let records = genuine_records(&mut p);
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let office_keys = ok(p.office.core.identity_file(&p.office.admin)).keys;
    let chef = ok(p.office.core.login("chef", crate::common::CHEF_PASSWORD));
    let keyring_before = keyring(&p.dp);
    // (sequence, watermark) of the next bundle.
    let state = RefCell::new((&mut p, 1_u64, 0_i64));
    let refusals = std::cell::Cell::new(0_u32);
    let changes = (
        prop::collection::vec((any::<usize>(), tamper()), 1..4),
        prop::collection::vec(extra(vec![dp_keys.clone(), office_keys]), 0..3),
    );
    ok(runner(1000).run(&changes, |(changes, extras)| {
        let mut bad = records.clone();
        for (i, change) in &changes {
            let n = bad.len();
            apply(&mut bad[i % n], change);
        }
        let mut sites = Vec::new();
        for extra in extras {
            match extra {
                Extra::Twice(i) => bad.push(bad[i % bad.len()].clone()),
                Extra::Site(site) => sites.push(*site),
            }
        }
        let (p, sequence, watermark) = &mut *state.borrow_mut();
        let before = snapshot(&p.dp);
        let m = manifest("BL-TIZNIT", *sequence, (*watermark, *watermark + 1));
        *sequence += 1;
        let plain = ok(payload::encode(&m, &bad, None, &sites));
        let bundle = seal_plain(&chef, "BL-TIZNIT", &dp_keys, &m, &plain);
        match import(&mut p.dp, &p.dp_admin, &bundle) {
            Ok(ImportOutcome::Applied { .. }) => *watermark += 1,
            Ok(other) => return Err(TestCaseError::fail(format!("{other}"))),
            Err(AppError::Refused(why)) => {
                refusals.set(refusals.get() + 1);
                check(!why.to_string().is_empty(), "a refusal says why")?;
                check(snapshot(&p.dp) == before, format!("a refused bundle changed nothing ({why})"))?;
            }
            Err(other) => return Err(TestCaseError::fail(format!("not a clear refusal: {other:?}"))),
        }
        check(keyring(&p.dp) == keyring_before, "an office never changes its delegation's keyring")?;
        check(ok(p.dp.check(&p.dp_admin)).is_sound(), "the database passes check")
    }));
    let applied = state.borrow().2;
    eprintln!("signed hostile bundles: {applied} applied, {} refused", refusals.get());
    assert!(applied > 0 && refusals.get() > 0, "both outcomes were exercised");
}

#[test]
fn generated_csv_files_import_whole_or_not_at_all() {
    let mut o = office(None);
    let columns = [
        "cin",
        "nom",
        "prenom",
        "sexe",
        "date_naissance",
        "lien",
        "carte",
        "nom_ar",
        "prenom_ar",
        "titulaire_carte",
        "telephone",
        "province",
    ];
    // A line of good cells is valid and unlike the others ({k}: a serial number, {a}: in letters).
    let good = [
        "JB{k}",
        "Ben{a}",
        "Fatima",
        "F",
        "{d}/1965",
        "titulaire",
        "R-{k}",
        "بناني",
        "فاطمة",
        "",
        "06 61 23 45 67",
        "581",
    ];
    let cell = |c: usize| prop_oneof![12 => Just(good[c].to_owned()), 1 => hostile_text()];
    let line =
        (cell(0), cell(1), cell(2), cell(3), cell(4), cell(5), cell(6), cell(7), cell(8), cell(9), cell(10), cell(11))
            .prop_map(|c| vec![c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8, c.9, c.10, c.11]);
    let file = (
        prop::sample::subsequence(columns[7..].to_vec(), 0..=5)
            .prop_map(|optional| [&columns[..7], &optional].concat()),
        prop::collection::vec(line, 0..6),
        prop::sample::select(vec![";", ",", "\t"]),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..40),
    );
    let state = RefCell::new((&mut o, 0_u32));
    let (imported, refused) = (std::cell::Cell::new(0_u32), std::cell::Cell::new(0_u32));
    ok(runner(96).run(&file, |(header, lines, separator, bom, junk)| {
        let (o, serial) = &mut *state.borrow_mut();
        let mut text = if bom { "\u{feff}".to_owned() } else { String::new() };
        text.push_str(&header.join(separator));
        text.push('\n');
        for cells in &lines {
            *serial += 1;
            let picked: Vec<String> = header
                .iter()
                .map(|h| {
                    columns.iter().position(|c| c == h).map_or_else(String::new, |i| {
                        let letters: String = serial.to_string().bytes().map(|d| char::from(b'a' + d - b'0')).collect();
                        let day = format!("{:02}/{:02}", 1 + *serial % 28, 1 + *serial / 28 % 12);
                        cells[i]
                            .replace("{k}", &format!("{:06}", *serial))
                            .replace("{a}", &letters)
                            .replace("{d}", &day)
                    })
                })
                .collect();
            text.push_str(&picked.join(separator));
            text.push_str("\r\n");
        }
        let mut bytes = text.into_bytes();
        if lines.is_empty() {
            bytes.extend_from_slice(&junk);
        }
        let before = (crate::common::count(&o.core, "applicants"), snapshot(&o.core));
        match o.core.import_csv(&o.agent, daftar::app::csv_import::CsvTarget::Applicants, &bytes) {
            Ok(n) => {
                imported.set(imported.get() + 1);
                check(crate::common::count(&o.core, "applicants") == before.0 + n as i64, "every line imported")?;
            }
            Err(e) => {
                refused.set(refused.get() + 1);
                check(!e.to_string().is_empty(), "a refusal says why")?;
                check(snapshot(&o.core) == before.1, "a refused file changed nothing")?;
            }
        }
        Ok(())
    }));
    eprintln!("generated CSV files: {} imported, {} refused", imported.get(), refused.get());
    assert!(imported.get() > 0 && refused.get() > 0, "both outcomes were exercised");
    assert!(ok(o.core.check(&o.admin)).is_sound());
}

#[test]
fn generated_identity_files_enroll_a_valid_site_or_change_nothing() {
    let dir = ok(tempfile::tempdir());
    let (dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    let field = |valid: &'static [&'static str]| prop_oneof![6 => prop::sample::select(valid.to_vec()).prop_map(str::to_owned), 1 => hostile_text()];
    let identity = (
        field(&["BL-MIRLEFT", "BL-TIZNIT", "DR-SOUSS", "bl-tafraout"]),
        field(&["Bureau local", "مكتب"]),
        field(&["bureau-local", "delegation-regionale", "administration-centrale"]),
        prop::option::weighted(0.9, field(&["581", "001"])),
        prop::option::weighted(0.9, field(&["09", "01"])),
        any::<u64>(),
        prop::option::weighted(0.2, (any::<usize>(), any::<u8>())),
    );
    let state = RefCell::new(dp);
    let (enrolled, refused) = (std::cell::Cell::new(0_u32), std::cell::Cell::new(0_u32));
    ok(runner(64).run(&identity, |(code, name, level, province, region, seed, flip)| {
        let secrets = SiteSecrets::generate(&mut SeededEntropy::new(seed));
        let mut file = IdentityFile {
            format: "daftar-identity/1".into(),
            code,
            name,
            level,
            province,
            region,
            keys: secrets.public(),
            signature: String::new(),
        };
        file.signature = hex::encode(secrets.sign(&ok(file.signed_bytes())));
        let mut bytes = ok(serde_json::to_vec(&file));
        if let Some((at, x)) = flip {
            let n = bytes.len();
            bytes[at % n] ^= x;
        }
        let mut dp = state.borrow_mut();
        let before = snapshot(&dp);
        match dp.enroll(&dp_admin, &bytes, &file.keys.fingerprint()) {
            Ok(peer) => {
                enrolled.set(enrolled.get() + 1);
                check(
                    daftar::domain::codes::SiteCode::parse(&peer.code).is_ok(),
                    format!("enrolled a bad code {:?}", peer.code),
                )?;
                check(ok(dp.check(&dp_admin)).is_sound(), "the database passes check")?;
            }
            Err(e) => {
                refused.set(refused.get() + 1);
                check(!e.to_string().is_empty(), "a refusal says why")?;
                check(snapshot(&dp) == before, format!("a refused identity changed nothing ({e})"))?;
            }
        }
        Ok(())
    }));
    eprintln!("generated identity files: {} enrolled, {} refused", enrolled.get(), refused.get());
    assert!(enrolled.get() > 0 && refused.get() > 0, "both outcomes were exercised");
}

#[test]
fn a_changed_certificate_payload_never_verifies_as_something_else() {
    let mut o = office(None);
    let number = crate::documents::approved_dossier(&mut o);
    let (certificate, _) = ok(o.core.issue_certificate(&o.chef, &CertificateSubject::Dossier(number)));
    let genuine = certificate.value.payload.clone();
    let Verdict::Authentic { summary, .. } = ok(o.core.verify_certificate(&genuine)) else {
        panic!("the genuine payload verifies")
    };
    let chars: Vec<char> = genuine.chars().collect();
    let change = prop_oneof![
        (0..chars.len(), any::<char>()).prop_map(|(at, c)| (Some((at, c)), String::new())),
        "\\PC{0,200}".prop_map(|text| (None, text)),
    ];
    ok(runner(256).run(&change, |(replace, text)| {
        let payload = match replace {
            Some((at, c)) => {
                let mut changed = chars.clone();
                changed[at] = c;
                changed.into_iter().collect()
            }
            None => text,
        };
        match o.core.verify_certificate(&payload) {
            Ok(Verdict::Authentic { summary: read, .. }) => {
                check(read == summary, format!("{payload:?} verifies as other facts"))
            }
            Ok(_) | Err(_) => Ok(()),
        }
    }));
}

/// Found by the generator above: an identity signed by its own keys named its site
/// `'; DROP TABLE applicants; --`, and a regional delegation of another region could be pinned
/// as parent.
#[test]
fn an_identity_with_a_bad_code_or_from_another_region_is_refused() {
    let dir = ok(tempfile::tempdir());
    let (mut dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    let signed = |code: &str, region: &str| {
        let secrets = SiteSecrets::generate(&mut SeededEntropy::new(5));
        let mut file = IdentityFile {
            format: "daftar-identity/1".into(),
            code: code.into(),
            name: "Délégation régionale".into(),
            level: "delegation-regionale".into(),
            province: None,
            region: Some(region.into()),
            keys: secrets.public(),
            signature: String::new(),
        };
        file.signature = hex::encode(secrets.sign(&ok(file.signed_bytes())));
        (ok(serde_json::to_vec(&file)), file.keys.fingerprint())
    };
    let (bytes, fingerprint) = signed("'; DROP TABLE applicants; --", "09");
    let refused = dp.enroll(&dp_admin, &bytes, &fingerprint).map(|_| ()).unwrap_err().to_string();
    assert!(refused.contains("pas valable"), "{refused}");
    let (bytes, fingerprint) = signed("DR-ORIENTAL", "02");
    let refused = dp.enroll(&dp_admin, &bytes, &fingerprint).map(|_| ()).unwrap_err().to_string();
    assert!(refused.contains("ne couvre pas"), "{refused}");
    let (bytes, fingerprint) = signed("DR-SOUSS", "09");
    assert_eq!(ok(dp.enroll(&dp_admin, &bytes, &fingerprint)).code, "DR-SOUSS");
}

#[test]
fn every_change_to_the_bytes_of_a_backup_is_refused_and_the_database_is_untouched() {
    let dir = ok(tempfile::tempdir());
    let db = dir.path().join("bureau.sqlite");
    let mut core = crate::common::core_seeded(ok(daftar::store::Store::open(&db, true)), 7);
    let (admin, _) = ok(daftar::app::demo::create_demo_site(&mut core));
    ok(daftar::app::demo::populate(&mut core, &admin, 20, 3));
    let genuine = ok(std::fs::read(ok(core.backup(&admin, &dir.path().join("cle")))));
    let before = snapshot(&core);
    drop(core);
    ok(runner(32).run(&byte_change(genuine.len()), |change| {
        let bytes = change.apply(&genuine);
        // Every byte is covered: the header and the ciphertext by the seal, the seal by itself.
        match crate::backup::restore_bytes(&db, &bytes, "admin", "admin-demo-2026") {
            Err(e) => check(!e.to_string().is_empty(), "a refusal says why"),
            Ok(_) => Err(TestCaseError::fail(format!("a changed backup was restored ({change:?})"))),
        }
    }));
    let core = crate::common::core_seeded(ok(daftar::store::Store::open(&db, false)), 7);
    assert_eq!(snapshot(&core), before, "the live database is as it was");
}

/// A workbook (zip) holding `parts`, each deflated.
fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        ok(writer.start_file(*name, options).map_err(|e| e.to_string()));
        ok(writer.write_all(content).map_err(|e| e.to_string()));
    }
    ok(writer.finish().map_err(|e| e.to_string())).into_inner()
}

#[test]
fn hostile_workbooks_are_refused_in_french_and_change_nothing() {
    let mut o = office(None);
    let good = {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["cin", "nom", "prenom", "sexe", "date_naissance", "lien", "carte"].iter().enumerate() {
            ok(sheet.write_string(0, c as u16, *h).map(drop).map_err(|e| e.to_string()));
        }
        for (c, v) in ["JB100001", "Bennani", "Mohamed", "M", "05/03/1962", "titulaire", "R-100"].iter().enumerate() {
            ok(sheet.write_string(1, c as u16, *v).map(drop).map_err(|e| e.to_string()));
        }
        ok(book.save_to_buffer().map_err(|e| e.to_string()))
    };
    // Uncompressed past the cap: 65 MB of spaces deflate to a few kilobytes.
    let bomb = zip_of(&[("xl/worksheets/sheet1.xml", &vec![b' '; 65 * 1024 * 1024])]);
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("zip bomb".into(), bomb),
        ("a zip that is not a workbook".into(), zip_of(&[("hello.txt", b"bonjour")])),
        (
            "a sheet that is not XML".into(),
            zip_of(&[
                ("[Content_Types].xml", b"<Types/>"),
                (
                    "xl/workbook.xml",
                    b"<workbook><sheets><sheet name=\"A\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
                ),
                ("xl/worksheets/sheet1.xml", b"\x00\x01<<<not xml"),
            ]),
        ),
        ("the zip header alone".into(), b"PK\x03\x04".to_vec()),
    ];
    for cut in [10, good.len() / 3, good.len() / 2, good.len() - 30] {
        cases.push((format!("cut at {cut} bytes"), good[..cut].to_vec()));
    }
    let mut flipped = good.clone();
    for i in (100..flipped.len()).step_by(97) {
        flipped[i] ^= 0x5a;
    }
    cases.push(("bytes flipped".into(), flipped));
    let before = snapshot(&o.core);
    for (what, bytes) in &cases {
        match o.core.import_csv(&o.agent, daftar::app::csv_import::CsvTarget::Applicants, bytes) {
            Ok(n) => panic!("{what}: {n} line(s) imported"),
            Err(e) => {
                let said = e.to_string();
                assert!(
                    said.contains("classeur") || said.contains("ligne") || said.contains("Le fichier"),
                    "{what}: {said}"
                );
            }
        }
        assert_eq!(snapshot(&o.core), before, "{what}: nothing changed");
    }
    match o.core.import_csv(&o.agent, daftar::app::csv_import::CsvTarget::Applicants, &cases[0].1) {
        Err(AppError::Rule(said)) => assert!(said.contains("trop volumineux une fois décompressé"), "{said}"),
        other => panic!("the zip bomb: {other:?}"),
    }
    assert_eq!(ok(o.core.import_csv(&o.agent, daftar::app::csv_import::CsvTarget::Applicants, &good)), 1);
}
