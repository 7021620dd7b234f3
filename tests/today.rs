//! Today's work, per role, with the clock moved on: every line the dashboard's « Aujourd'hui » and
//! `daftar todo` show at an office and at its delegation, the worklist each one opens, and the
//! thresholds in the settings.

use std::path::Path;

use daftar::app::{Core, FollowUp, Move, Opens, Session, Thresholds, WorklistQuery};
use daftar::clock::FixedClock;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{Envelope, FundingSource, Grant, Programme};
use daftar::domain::role::Role;
use daftar::domain::visit::Visit;
use daftar::store::Store;

use crate::common::{AGENT_PASSWORD, CHEF_PASSWORD, Office, applicant, clock, date, office_on, ok};
use crate::delegation::{dossier_of, money, reply, send_up};
use crate::sync::link;

/// (key, count, oldest in days) of each line `who` sees.
fn lines(core: &Core, who: &Session) -> Vec<(String, u64, Option<i64>)> {
    ok(core.today(who)).into_iter().map(|i| (i.key.to_owned(), i.count, i.oldest_days)).collect()
}

fn line(core: &Core, who: &Session, key: &str) -> Option<(u64, Option<i64>)> {
    lines(core, who).into_iter().find(|(k, _, _)| k == key).map(|(_, n, d)| (n, d))
}

fn keys(core: &Core, who: &Session) -> Vec<String> {
    lines(core, who).into_iter().map(|(k, _, _)| k).collect()
}

/// Days from `d` to the tests' 29 November 2026, plus `later`.
fn since(d: chrono::NaiveDate, later: i64) -> Option<i64> {
    Some((date(29, 11, 2026) - d).num_days() + later)
}

/// The dossier numbers the worklist shows for `follow_up`.
fn awaiting(o: &Office, follow_up: FollowUp) -> Vec<String> {
    let query = WorklistQuery { follow_up: Some(follow_up), page_size: 50, ..WorklistQuery::default() };
    ok(o.core.worklist(&o.chef, &query)).rows.into_iter().map(|l| l.number).collect()
}

/// A dossier of a new applicant approved here (a standalone office decides) for `granted` DH.
fn approved(o: &mut Office, cin: &str, last: &str, granted: &str) -> uuid::Uuid {
    let promoter = applicant(o, cin, "Amina", last, "12/04/1980");
    let id = dossier_of(o, promoter, "projet-individuel", ("2", "1"), date(2, 2, 2026));
    let grants = [Grant { source: FundingSource::HcarBudget, amount: money(granted) }];
    ok(o.core.move_dossier(&o.chef, id, Move::to(Status::Approuve, date(10, 3, 2026)).granting(&grants, Some("PV-1"))));
    id
}

fn pay(o: &mut Office, id: uuid::Uuid, amount: &str, on: chrono::NaiveDate) {
    let line = ok(o.core.dossier_view(&o.chef, id)).funding[0].0.meta.id;
    ok(o.core.disburse(&o.chef, line, money(amount), on, "OV-1"));
}

#[test]
fn an_office_follows_its_financed_dossiers_payments_visits_and_certificates() {
    let clock = clock();
    let mut o = office_on(clock.clone(), None, 7);
    let whole = approved(&mut o, "JB100001", "Alaoui", "20 000");
    let half = approved(&mut o, "JB100002", "Bennani", "30 000");
    pay(&mut o, whole, "20 000", date(1, 4, 2026));
    pay(&mut o, half, "10 000", date(15, 4, 2026));
    let number = |id| ok(o.core.dossier_view(&o.chef, id)).dossier.value.number.to_string();
    let (whole_no, half_no) = (number(whole), number(half));

    // The head of office: the rest to pay since the last payment; both financed dossiers with no
    // visit for more than 180 days and no certificate, since their first payment.
    assert_eq!(line(&o.core, &o.chef, "reste-a-verser"), Some((1, since(date(15, 4, 2026), 0))));
    assert_eq!(line(&o.core, &o.chef, "visites"), Some((2, since(date(1, 4, 2026), 0))));
    assert_eq!(line(&o.core, &o.chef, "attestations"), Some((2, since(date(1, 4, 2026), 0))));
    // Each line opens the worklist of exactly those dossiers.
    assert_eq!(awaiting(&o, FollowUp::RestToPay), [half_no.as_str()]);
    assert_eq!(awaiting(&o, FollowUp::Visit), [whole_no.clone(), half_no.clone()]);
    assert_eq!(awaiting(&o, FollowUp::Certificate), [whole_no.clone(), half_no.clone()]);
    let items = ok(o.core.today(&o.chef));
    let opens = |key: &str| items.iter().find(|i| i.key == key).map(|i| i.opens.clone());
    assert_eq!(opens("visites"), Some(Opens::FollowUp(FollowUp::Visit)));

    // The clerk records visits but neither pays nor certifies: only the visits are theirs.
    let clerk = keys(&o.core, &o.agent);
    assert!(clerk.contains(&"visites".to_owned()), "{clerk:?}");
    for not_theirs in ["reste-a-verser", "attestations", "approuves", "complets"] {
        assert!(!clerk.contains(&not_theirs.to_owned()), "{not_theirs} in {clerk:?}");
    }

    // A visit today, a certificate, the rest paid: each line shrinks, and a revoked certificate
    // puts its dossier back.
    let project = ok(o.core.dossier_view(&o.chef, whole)).dossier.value.project_id;
    let visit = ok(Visit::validate(project, "29/11/2026", "2", "1", true, "en activité", date(29, 11, 2026)));
    ok(o.core.add_visit(&o.agent, &visit));
    assert_eq!(line(&o.core, &o.chef, "visites"), Some((1, since(date(15, 4, 2026), 0))));
    assert_eq!(awaiting(&o, FollowUp::Visit), [half_no.as_str()]);
    let subject = daftar::app::CertificateSubject::Dossier(whole_no.clone());
    let (certificate, _) = ok(o.core.issue_certificate(&o.chef, &subject));
    assert_eq!(line(&o.core, &o.chef, "attestations"), Some((1, since(date(15, 4, 2026), 0))));
    ok(o.core.revoke_certificate(&o.chef, &certificate.value.number, "Erreur de nom"));
    assert_eq!(line(&o.core, &o.chef, "attestations").map(|(n, _)| n), Some(2));
    pay(&mut o, half, "20 000", date(29, 11, 2026));
    assert_eq!(line(&o.core, &o.chef, "reste-a-verser"), None);

    // Six months after the visit, the project awaits the next one.
    clock.advance(chrono::Duration::days(181));
    assert_eq!(line(&o.core, &o.chef, "visites").map(|(n, _)| n), Some(2));

    // The threshold is a setting: a year between visits, and the line goes; the change is audited
    // and only an account that manages the settings may make it.
    let mut yearly = ok(o.core.today_thresholds());
    yearly.visit_days = 365;
    let refused = o.core.set_today_thresholds(&o.agent, yearly);
    assert!(refused.is_err(), "a clerk changes no setting");
    let zero = Thresholds { visit_days: 0, ..yearly };
    let wrong = o.core.set_today_thresholds(&o.admin, zero).map(drop).unwrap_err().to_string();
    assert!(wrong.contains("de 1 à 3650"), "{wrong}");
    ok(o.core.set_today_thresholds(&o.admin, yearly));
    assert_eq!(ok(o.core.today_thresholds()).visit_days, 365);
    let audited: i64 = ok(o.core.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'settings.today'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(audited, 1);
    assert_eq!(line(&o.core, &o.chef, "visites").map(|(n, _)| n), Some(1), "the first visit is 181 days old");
}

/// A provincial delegation on `path`, reading `clock`.
fn delegation_on(path: &Path, clock: FixedClock) -> (Core, Session) {
    let store = ok(Store::open(path, true));
    let core = Core::new(
        store,
        Box::new(clock),
        Box::new(daftar::clock::SeededEntropy::new(11)),
        daftar::identity::KdfParams::FAST_FOR_TESTS,
    );
    crate::sync::delegation_of(core, "DP-TIZNIT")
}

#[test]
fn an_office_and_its_delegation_see_what_the_sticks_have_not_carried() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let clock = clock();
    let (mut dp, dp_admin) = delegation_on(&dir.path().join("dp.sqlite"), clock.clone());
    let mut o = office_on(clock.clone(), None, 7);
    link(&mut o, &mut dp, &dp_admin);
    // Logged in again under its delegation (a session keeps the site it opened on).
    o.chef = ok(o.core.login("chef", CHEF_PASSWORD));
    o.agent = ok(o.core.login("agent", AGENT_PASSWORD));

    // The delegation: an office enrolled that never sent anything; no backup yet on its PC.
    assert_eq!(line(&dp, &dp_admin, "sites-silencieux"), Some((1, None)));
    assert_eq!(line(&dp, &dp_admin, "sauvegarde"), Some((1, None)));
    ok(dp.auto_backup(&dp_admin, true));
    assert_eq!(line(&dp, &dp_admin, "sauvegarde"), None);

    // The office registers someone; a week and a day later the change is still on its PC.
    let promoter = applicant(&mut o, "JB100001", "Amina", "Alaoui", "12/04/1980");
    assert_eq!(line(&o.core, &o.chef, "non-remis"), None, "changes of today are not late");
    clock.advance(chrono::Duration::days(8));
    let (changes, oldest) =
        line(&o.core, &o.chef, "non-remis").unwrap_or_else(|| panic!("{:?}", lines(&o.core, &o.chef)));
    assert_eq!((changes > 0, oldest), (true, Some(8)));
    assert!(!keys(&o.core, &o.agent).contains(&"non-remis".to_owned()), "a clerk does not carry the stick");

    // The stick goes up: the delegation hears from the office; the office waits for the reply.
    send_up(&mut o, &mut dp, &dp_admin, &stick);
    assert_eq!(line(&dp, &dp_admin, "sites-silencieux"), None);
    // A dossier transmitted and a second person, carried in small parts; the last part is read
    // first and waits at the delegation for the others.
    let id = dossier_of(&mut o, promoter, "projet-individuel", ("2", "1"), date(2, 12, 2026));
    applicant(&mut o, "JB100002", "Karim", "Bennani", "01/01/1981");
    o.core.limit_bundle_rows(2);
    let parts = ok(o.core.export_bundle(&o.chef, &stick, None)).unwrap_or_else(|| panic!("nothing to export"));
    let parts: Vec<std::path::PathBuf> = parts.files().into_iter().map(Path::to_path_buf).collect();
    let (last, first) = parts.split_last().unwrap_or_else(|| panic!("no part"));
    assert!(!first.is_empty(), "{parts:?}");
    ok(dp.import_bundle(&dp_admin, &ok(std::fs::read(last)), "paquet"));
    assert_eq!(line(&dp, &dp_admin, "paquets-en-attente"), Some((1, Some(0))));

    // Fifteen days on: the delegation's backup is old, the office is silent again, the reply
    // is awaited at the office.
    clock.advance(chrono::Duration::days(15));
    let dp_lines = keys(&dp, &dp_admin);
    for expected in ["sites-silencieux", "paquets-en-attente", "sauvegarde"] {
        assert!(dp_lines.contains(&expected.to_owned()), "{expected} in {dp_lines:?}");
    }
    assert_eq!(line(&dp, &dp_admin, "sites-silencieux"), Some((1, Some(15))));
    assert_eq!(line(&o.core, &o.chef, "reponse-attendue"), Some((1, Some(15))));

    // The other parts are read: the one set aside follows; the transmitted dossier waits for
    // the commission, and the délégué sees it since its transmission.
    let read = ok(dp.import_paths(&dp_admin, first));
    assert!(read.iter().all(|l| l.result.is_ok()), "{read:?}");
    assert_eq!(line(&dp, &dp_admin, "paquets-en-attente"), None);
    assert_eq!(line(&dp, &dp_admin, "transmis"), Some((1, since(date(2, 12, 2026), 23))));
    // The délégué sees the same decisions and exchanges to take care of, and no office's work.
    ok(dp.add_user(&dp_admin, "delegue", "Délégué", Role::DelegationOfficer, "delegue-secret-1"));
    let delegue = ok(dp.login("delegue", "delegue-secret-1"));
    let theirs = keys(&dp, &delegue);
    for expected in ["transmis", "sauvegarde"] {
        assert!(theirs.contains(&expected.to_owned()), "{expected} in {theirs:?}");
    }
    for office_work in ["pieces-manquantes", "complets", "approuves", "visites", "attestations"] {
        assert!(!theirs.contains(&office_work.to_owned()), "{office_work} in {theirs:?}");
    }

    // An envelope committed beyond 90 % is pointed out to whoever decides.
    let mut programme = ok(Programme::validate("AGENCE-SUD", "Agence du Sud", "وكالة الجنوب", "convention"));
    programme.set_envelope(Envelope { year: 2026, amount: money("20 000"), target_projects: None });
    ok(dp.save_programme(&dp_admin, &programme));
    let grants =
        [Grant { source: FundingSource::Convention { programme_code: "AGENCE-SUD".into() }, amount: money("19 000") }];
    ok(dp.move_dossier(&dp_admin, id, Move::to(Status::Approuve, date(20, 12, 2026)).granting(&grants, Some("PV-9"))));
    let envelopes = ok(dp.today(&dp_admin)).into_iter().find(|i| i.key == "enveloppes");
    let envelopes = envelopes.unwrap_or_else(|| panic!("{:?}", lines(&dp, &dp_admin)));
    assert_eq!((envelopes.count, envelopes.opens), (1, Opens::Programmes));
    assert!(envelopes.what.contains("AGENCE-SUD 95 %"), "{}", envelopes.what);
    assert_eq!(line(&dp, &dp_admin, "transmis"), None);

    // The reply comes down: nothing awaited, nothing undelivered at the office.
    let bytes = reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick);
    ok(o.core.import_bundle(&o.chef, &bytes, "réponse"));
    let office = keys(&o.core, &o.chef);
    for gone in ["reponse-attendue", "non-remis"] {
        assert!(!office.contains(&gone.to_owned()), "{gone} in {office:?}");
    }
    // The office decides nothing under a delegation: no envelopes line there.
    assert!(!office.contains(&"enveloppes".to_owned()), "{office:?}");
}

#[test]
fn the_delegation_sees_its_conflicts_and_the_duplicates_between_offices_left_to_review() {
    let dir = ok(tempfile::tempdir());
    let crate::delegation::Province { mut dp, dp_admin, mut tiznit, mut mirleft } =
        crate::delegation::province(&dir.path().join("dp.sqlite"));
    let stick = dir.path().join("cle");
    let fatima_t = applicant(&mut tiznit, "JB200001", "Fatima", "Zahraoui", "03/09/1978");
    let fatima_m = applicant(&mut mirleft, "JC200002", "Fatima", "Zahraoui", "03/09/1978");
    // A CIN registered at both offices: the second waits in the conflicts.
    applicant(&mut tiznit, "JB300003", "Karim", "Bennani", "01/01/1980");
    applicant(&mut mirleft, "JB300003", "Nadia", "Chraibi", "05/05/1985");
    send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    send_up(&mut mirleft, &mut dp, &dp_admin, &stick);
    assert_eq!(line(&dp, &dp_admin, "conflits"), Some((1, Some(0))));
    let conflict = ok(dp.sync_status(&dp_admin)).conflicts.items.pop().unwrap_or_else(|| panic!("no conflict"));
    ok(dp.resolve_conflict(&dp_admin, conflict.id, false, "Même CIN saisi par erreur à Mirleft"));
    assert_eq!(line(&dp, &dp_admin, "conflits"), None);
    assert_eq!(line(&dp, &dp_admin, "doublons"), None, "not looked for yet");
    assert_eq!(ok(dp.duplicates_across_offices(&dp_admin)).len(), 1);
    let item = ok(dp.today(&dp_admin)).into_iter().find(|i| i.key == "doublons");
    let item = item.unwrap_or_else(|| panic!("{:?}", lines(&dp, &dp_admin)));
    assert_eq!((item.count, item.opens.clone()), (1, Opens::Duplicates));
    assert!(item.what.contains("relevé du 29/11/2026"), "{}", item.what);
    // Each review takes one off, without a new pass over the register.
    ok(dp.review_duplicate(
        &dp_admin,
        fatima_t,
        fatima_m,
        daftar::domain::review::Verdict::Distinct,
        "Pères différents",
    ));
    assert_eq!(line(&dp, &dp_admin, "doublons"), None);
    // Offices do not arbitrate.
    assert!(!keys(&tiznit.core, &tiznit.chef).contains(&"doublons".to_owned()));
}
