//! Retention rules (law 09-08): a report first, then anonymisation of exactly what it said; the
//! figures stay the same, the audit chain still verifies, certificates still verify, and the
//! erased data is nowhere in the database file any more.

use std::path::Path;

use chrono::{TimeZone as _, Utc};
use daftar::app::retention::RetentionPlan;
use daftar::app::{AppError, CertificateSubject, Core, Move};
use daftar::clock::{FixedClock, SeededEntropy};
use daftar::domain::certificate::Verdict;
use daftar::domain::dossier::Status;
use daftar::domain::project::{Member, ProjectDraft};
use daftar::domain::review::Verdict as ReviewVerdict;
use daftar::domain::role::Role;
use daftar::identity::KdfParams;
use daftar::store::Store;
use uuid::Uuid;

use crate::common::{ADMIN_PASSWORD, AGENT_PASSWORD, CHEF_PASSWORD, Office, card, date, draft, ok, tiznit};

/// The office of Tiznit on a file, its people registered on 10 January 2013, the clock then
/// moved to 29 November 2026.
fn office_at(path: &Path) -> (Office, FixedClock) {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2013, 1, 10, 9, 0, 0).single().unwrap_or_default());
    let store = ok(Store::open(path, true));
    let mut core =
        Core::new(store, Box::new(clock.clone()), Box::new(SeededEntropy::new(3)), KdfParams::FAST_FOR_TESTS);
    let admin = ok(core.init(&tiznit()));
    ok(core.add_user(&admin, "chef", "Chef de bureau", Role::HeadOfOffice, CHEF_PASSWORD));
    ok(core.add_user(&admin, "agent", "Agent", Role::Clerk, AGENT_PASSWORD));
    let admin = ok(core.login("admin", ADMIN_PASSWORD));
    let chef = ok(core.login("chef", CHEF_PASSWORD));
    let agent = ok(core.login("agent", AGENT_PASSWORD));
    (Office { core, admin, chef, agent }, clock)
}

fn person(o: &mut Office, cin: &str, first: &str, last: &str, card_number: &str) -> Uuid {
    let mut typed = draft(cin, first, last, "12/04/1975");
    typed.phone = "06 61 98 76 54".into();
    ok(o.core.add_applicant(&o.agent, &typed, &card(card_number), None)).id
}

/// A dossier of `promoter`'s project (with `members`), deposited on `on`, rejected on `closed`
/// when given.
fn dossier(
    o: &mut Office,
    promoter: Uuid,
    members: &[Uuid],
    on: chrono::NaiveDate,
    rejected: Option<chrono::NaiveDate>,
) {
    let typed = ProjectDraft { kind: "projet-individuel".into(), name: "Atelier".into(), ..ProjectDraft::default() };
    let members = members.iter().map(|&applicant_id| Member { applicant_id, role: "membre".into() }).collect();
    let project = ok(o.core.add_project(&o.agent, &typed, promoter, members));
    let documents = ["demande", "cin", "qualite", "naissance", "fiche", "devis"].map(String::from);
    let id = ok(o.core.open_dossier(&o.agent, project, on, None, &documents)).meta.id;
    ok(o.core.move_dossier(&o.agent, id, Move::to(Status::EnInstruction, on)));
    if let Some(closed) = rejected {
        for to in [Status::Complet, Status::Transmis] {
            ok(o.core.move_dossier(&o.chef, id, Move::to(to, closed)));
        }
        let reason = format!("Pièces manquantes, vu avec l'intéressé le {closed}");
        ok(o.core.move_dossier(&o.chef, id, Move::to(Status::Rejete, closed).because(&reason)));
    }
}

/// Who is registered, and what the rules must decide for each (10 years by default):
/// - A, rejected on 1 March 2014: anonymised, with the certificate issued to them;
/// - B, rejected in 2015, but member of C's project, still open: kept;
/// - C, dossier open: kept;
/// - D, rejected in 2024: kept (not yet ten years);
/// - E, registered in 2013, never a dossier: anonymised, with the card holder only E needed.
struct Register {
    office: Office,
    a: Uuid,
    e: Uuid,
    certificate: String,
}

fn register(path: &Path) -> Register {
    let (mut o, clock) = office_at(path);
    let a = person(&mut o, "JB100001", "Youssef", "Alaoui", "R-1");
    let b = person(&mut o, "JB100002", "Fatima", "Zahraoui", "R-1");
    let c = person(&mut o, "JB100003", "Karim", "Bennani", "R-1");
    let d = person(&mut o, "JB100004", "Nadia", "Chraibi", "R-1");
    let e = person(&mut o, "JB100005", "Said", "Naciri", "R-500");
    clock.advance(chrono::Duration::days(5071));
    dossier(&mut o, a, &[], date(1, 2, 2013), Some(date(1, 3, 2014)));
    dossier(&mut o, b, &[], date(1, 2, 2014), Some(date(1, 3, 2015)));
    dossier(&mut o, c, &[b], date(1, 2, 2026), None);
    dossier(&mut o, d, &[], date(1, 2, 2024), Some(date(1, 3, 2024)));
    let (issued, _) = ok(o.core.issue_certificate(&o.chef, &CertificateSubject::Applicant("JB100001".into())));
    Register { office: o, a, e, certificate: issued.value.payload }
}

fn figures(o: &Office, year: i32) -> Vec<(String, i64)> {
    let bilan = ok(o.core.bilan(&o.chef, date(1, 1, year), date(31, 12, year), None));
    bilan.figures.into_iter().map(|f| (f.key, f.value)).collect()
}

/// The database file and its journal, as bytes.
fn file_bytes(path: &Path) -> Vec<u8> {
    let mut bytes = ok(std::fs::read(path));
    bytes.extend(std::fs::read(format!("{}-wal", path.display())).unwrap_or_default());
    bytes
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

#[test]
fn the_report_names_exactly_who_the_rules_reach() {
    let dir = ok(tempfile::tempdir());
    let r = register(&dir.path().join("bureau.sqlite"));
    let plan = ok(r.office.core.retention_plan(&r.office.admin));
    assert_eq!((plan.years, plan.cutoff), (10, date(29, 11, 2016)));
    let who: Vec<(&str, chrono::NaiveDate)> = plan.people.iter().map(|p| (p.cin.as_str(), p.since)).collect();
    assert_eq!(who, vec![("JB100005", date(10, 1, 2013)), ("JB100001", date(1, 3, 2014))]);
    assert_eq!(plan.card_holders.len(), 1, "R-500 only: R-1 is still needed by B, C and D");
    assert_eq!(plan.certificates.len(), 1);
    assert_eq!(plan.dossiers.len(), 1, "A's dossier (its rejection note names someone)");
    assert_eq!(plan.decisions.len(), 1, "the standalone office's own decision on it");
    assert!(plan.audit_entries > 0);
    // A shorter setting reaches D too; the clerk may not see or change it.
    let mut o = r.office;
    ok(o.core.set_retention_years(&o.admin, 2));
    let shorter = ok(o.core.retention_plan(&o.admin));
    assert!(shorter.people.iter().any(|p| p.cin == "JB100004"));
    assert!(!shorter.people.iter().any(|p| p.cin == "JB100002" || p.cin == "JB100003"));
    assert!(matches!(o.core.retention_plan(&o.agent), Err(AppError::Refused(_))));
    // The report to sign: a PDF, its printing audited.
    assert!(ok(o.core.retention_report_pdf(&o.admin)).starts_with(b"%PDF-"));
    let printed: i64 = ok(o.core.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'retention.report'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(printed, 1);
    assert!(o.core.set_retention_years(&o.admin, 0).is_err());
}

#[test]
fn anonymising_keeps_the_figures_and_the_chain_and_leaves_no_trace_in_the_file() {
    let dir = ok(tempfile::tempdir());
    let path = dir.path().join("bureau.sqlite");
    let mut r = register(&path);
    let o = &mut r.office;
    let before = (figures(o, 2014), figures(o, 2026));
    assert!(holds(&file_bytes(&path), "JB100001"), "the file held the CIN before");
    let plan = ok(o.core.retention_plan(&o.admin));
    let done = ok(o.core.apply_retention(&o.admin, &plan));
    assert_eq!((done.people, done.card_holders, done.certificates), (2, 1, 1));
    assert!(done.audit_entries as i64 >= plan.audit_entries);
    // The same figures; the chain verifies; nothing is left to do.
    assert_eq!((figures(o, 2014), figures(o, 2026)), before);
    assert!(ok(o.core.check(&o.admin)).is_sound());
    assert!(ok(o.core.retention_plan(&o.admin)).is_empty());
    // The person is anonymous, what the figures need stays.
    let a = ok(o.core.applicant(&o.agent, r.a)).value;
    assert!(a.cin.as_str().starts_with("ANON") && a.last_name == "Anonymisé" && a.phone.is_none());
    assert_eq!((a.birth_date, a.province_code.as_deref()), (date(1, 1, 1975), Some("581")));
    assert!(ok(o.core.applicant(&o.agent, r.e)).value.anonymised_on.is_some());
    assert!(ok(o.core.search_applicants(&o.agent, "Alaoui", 0, 10)).rows.is_empty());
    assert!(ok(o.core.search_applicants(&o.agent, "JB100001", 0, 10)).rows.is_empty());
    // The paper certificate still verifies, and shows only what it printed.
    assert!(matches!(ok(o.core.verify_certificate(&r.certificate)), Verdict::Authentic { in_register: true, .. }));
    // Nothing of A or E is left in the file: rows, audit log, search index, journal.
    let bytes = file_bytes(&path);
    for text in ["JB100001", "JB100005", "Alaoui", "alaoui", "Naciri", "naciri", "R-500", "le 2014-03-01"] {
        assert!(!holds(&bytes, text), "« {text} » is still in the file");
    }
    for kept in ["JB100002", "JB100004", "Zahraoui", "le 2024-03-01"] {
        assert!(holds(&bytes, kept), "« {kept} » was kept");
    }
}

#[test]
fn a_report_that_no_longer_holds_is_refused() {
    let dir = ok(tempfile::tempdir());
    let mut r = register(&dir.path().join("bureau.sqlite"));
    let o = &mut r.office;
    let plan: RetentionPlan = ok(o.core.retention_plan(&o.admin));
    ok(o.core.set_retention_years(&o.admin, 30));
    let refused = o.core.apply_retention(&o.admin, &plan).map(|_| ()).unwrap_err().to_string();
    assert!(refused.contains("a changé"), "{refused}");
    assert!(ok(o.core.applicant(&o.agent, r.a)).value.anonymised_on.is_none(), "nothing was done");
}

#[test]
fn the_delegation_erases_its_copies_and_the_reasons_of_its_decisions() {
    let mut p = crate::sync::pair();
    let stick = p.dir.path().join("cle");
    let a = person(&mut p.office, "JB100001", "Youssef", "Alaoui", "R-1");
    let o = &mut p.office;
    let typed = ProjectDraft { kind: "projet-individuel".into(), name: "Atelier".into(), ..ProjectDraft::default() };
    let project = ok(o.core.add_project(&o.agent, &typed, a, vec![]));
    let documents = ["demande", "cin", "qualite", "naissance", "fiche", "devis"].map(String::from);
    let dossier = ok(o.core.open_dossier(&o.agent, project, date(1, 2, 2013), None, &documents)).meta.id;
    for to in [Status::EnInstruction, Status::Complet, Status::Transmis] {
        ok(o.core.move_dossier(&o.chef, dossier, Move::to(to, date(1, 3, 2013))));
    }
    crate::delegation::send_up(&mut p.office, &mut p.dp, &p.dp_admin, &stick);
    // A rectification: the delegation's audit now keeps the state it replaced (a row received
    // new keeps nothing but its hash, in the bundle's receipt).
    let mut rectified = draft("JB100001", "Youssef", "Alaoui", "12/04/1975");
    rectified.phone = "06 70 00 00 01".into();
    ok(p.office.core.edit_applicant(&p.office.agent, a, &rectified, None));
    crate::delegation::send_up(&mut p.office, &mut p.dp, &p.dp_admin, &stick);
    // The commission rejects it, with a reason that names someone; the office follows.
    let why = "Refusé après l'entretien avec M. Ouali du 1er mars";
    ok(p.dp.move_dossier(&p.dp_admin, dossier, Move::to(Status::Rejete, date(1, 3, 2014)).because(why)));
    let down = crate::delegation::reply(&mut p.dp, &p.dp_admin, "BL-TIZNIT", &stick);
    ok(crate::sync::import(&mut p.office.core, &p.office.chef, &down));
    // A namesake at Mirleft: the delegation notes why they are two people, naming someone too.
    let mut mirleft = crate::delegation::other_office("BL-MIRLEFT", 37);
    crate::sync::link(&mut mirleft, &mut p.dp, &p.dp_admin);
    let twin = person(&mut mirleft, "JC100001", "Youssef", "Alaoui", "R-9");
    crate::delegation::send_up(&mut mirleft, &mut p.dp, &p.dp_admin, &stick);
    let review =
        ok(p.dp.review_duplicate(&p.dp_admin, a, twin, ReviewVerdict::Distinct, "Vu avec M. Ouali : pères différents"));
    assert!(review.note.contains("Ouali"));
    let held = |core: &Core, row: &str| -> i64 {
        let sql = "SELECT count(*) FROM audit_log WHERE row_id = ?1 AND content IS NOT NULL";
        ok(core.store().conn().query_row(sql, [row], |r| r.get(0)))
    };
    let named = |core: &Core| -> i64 {
        let sql = "SELECT (SELECT count(*) FROM decisions WHERE instr(data, 'Ouali') > 0)
                        + (SELECT count(*) FROM duplicate_reviews WHERE instr(data, 'Ouali') > 0)";
        ok(core.store().conn().query_row(sql, [], |r| r.get(0)))
    };
    assert!(held(&p.dp, &a.to_string()) > 0 && named(&p.office.core) == 1 && named(&p.dp) == 2);
    // The office anonymises the person; the rows go up and the delegation erases its copies.
    let o = &mut p.office;
    let plan = ok(o.core.retention_plan(&o.admin));
    assert_eq!(plan.people.len(), 1);
    assert!(plan.decisions.is_empty(), "the decision is the delegation's: the office cannot change it");
    ok(o.core.apply_retention(&o.admin, &plan));
    assert_eq!(held(&o.core, &a.to_string()), 0, "the office kept nothing of the earlier states");
    crate::delegation::send_up(&mut p.office, &mut p.dp, &p.dp_admin, &stick);
    let at_dp = ok(p.dp.applicant(&p.dp_admin, a)).value;
    assert!(at_dp.anonymised_on.is_some() && at_dp.cin.as_str().starts_with("ANON"));
    assert_eq!(held(&p.dp, &a.to_string()), 0, "the delegation erased its copies of the earlier states");
    // The delegation's own retention run erases the reason of its decision and the note of its
    // review, which go down.
    let plan = ok(p.dp.retention_plan(&p.dp_admin));
    assert!(plan.people.is_empty() && plan.decisions.len() == 1 && plan.reviews.len() == 1, "{plan:?}");
    ok(p.dp.apply_retention(&p.dp_admin, &plan));
    assert_eq!((named(&p.dp), held(&p.dp, &plan.decisions[0].to_string())), (0, 0));
    assert_eq!(held(&p.dp, &plan.reviews[0].to_string()), 0);
    let kept = ok(p.dp.reviews_of(&p.dp_admin, twin));
    assert_eq!(kept[0].value.verdict, ReviewVerdict::Distinct, "the verdict stays; its note goes");
    let down = crate::delegation::reply(&mut p.dp, &p.dp_admin, "BL-TIZNIT", &stick);
    ok(crate::sync::import(&mut p.office.core, &p.office.chef, &down));
    assert_eq!(named(&p.office.core), 0);
    assert_eq!(held(&p.office.core, &plan.decisions[0].to_string()), 0, "and the office its copies");
    assert!(ok(p.dp.check(&p.dp_admin)).is_sound());
    assert!(ok(p.office.core.check(&p.office.admin)).is_sound());
}

#[test]
fn a_short_cin_erases_only_its_own_history() {
    let dir = ok(tempfile::tempdir());
    let (mut o, clock) = office_at(&dir.path().join("bureau.sqlite"));
    person(&mut o, "A1", "Ali", "Kabbaj", "R-7");
    let kept = person(&mut o, "A12", "Amal", "Kettani", "R-8");
    clock.advance(chrono::Duration::days(5071));
    dossier(&mut o, kept, &[], date(1, 2, 2026), None);
    let mut edited = draft("A12", "Amal", "Kettani", "12/04/1975");
    edited.phone = "06 70 00 00 01".into();
    ok(o.core.edit_applicant(&o.agent, kept, &edited, None));
    let held = |core: &Core| -> i64 {
        let sql = "SELECT count(*) FROM audit_log WHERE row_id = ?1 AND content IS NOT NULL";
        ok(core.store().conn().query_row(sql, [kept.to_string()], |r| r.get(0)))
    };
    let before = held(&o.core);
    assert!(before > 0, "the edit kept A12's earlier state, which quotes « A12 »");
    let plan = ok(o.core.retention_plan(&o.admin));
    assert_eq!(plan.people.iter().map(|p| p.cin.as_str()).collect::<Vec<_>>(), ["A1"]);
    ok(o.core.apply_retention(&o.admin, &plan));
    assert_eq!(held(&o.core), before, "A12's history is not A1's");
}
