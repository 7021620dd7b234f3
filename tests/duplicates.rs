//! Search before create: every pair the issue names is found, unrelated names are not, and an
//! override needs a reason that the audit log keeps.

use daftar::app::AppError;
use daftar::domain::applicant::ApplicantDraft;

use crate::common::{Office, card, draft, office, ok};

fn person(cin: &str, first: &str, last: &str, first_ar: &str, last_ar: &str) -> ApplicantDraft {
    ApplicantDraft {
        first_name_ar: first_ar.into(),
        last_name_ar: last_ar.into(),
        ..draft(cin, first, last, "12/04/1975")
    }
}

fn try_add(o: &mut Office, d: &ApplicantDraft, reason: Option<&str>) -> Result<uuid::Uuid, AppError> {
    let agent = &o.agent;
    o.core.add_applicant(agent, d, &card("R-1"), reason).map(|s| s.id)
}

#[test]
fn the_same_cin_is_a_duplicate_whatever_the_name() {
    let mut o = office(None);
    ok(try_add(&mut o, &person("JB123456", "Youssef", "El Alaoui", "", ""), None));
    let again = try_add(
        &mut o,
        &ApplicantDraft { birth_date: "01/01/1990".into(), ..person("jb 123456", "Karim", "Tazi", "", "") },
        None,
    );
    let Err(AppError::Duplicate(candidates)) = again else { panic!("expected a duplicate, got {again:?}") };
    assert_eq!(candidates.len(), 1);
    assert!(candidates[0].summary().contains("même CIN"), "{}", candidates[0].summary());
}

#[test]
fn close_names_with_the_same_birth_date_are_found() {
    let pairs = [
        (("Mohamed", "Bennani", "", ""), ("Mohammed", "Bennani", "", "")),
        (("Mohamed", "Tazi", "", ""), ("Mohamad", "Tazi", "", "")),
        (("Mohamed", "Tazi", "", ""), ("Mhamed", "Tazi", "", "")),
        (("Ahmed", "El Idrissi", "", ""), ("Ahmed", "Idrissi", "", "")),
        (("Ahmed", "El Idrissi", "", ""), ("Ahmed", "Lidrissi", "", "")),
        (("Karim", "Benani", "", ""), ("Karim", "Bennani", "", "")),
        (("", "", "أحمد", "التازي"), ("", "", "احمد", "التازي")),
        (("", "", "أَحمد", "التازي"), ("", "", "احمد", "التازي")),
        (("Youssef", "El Alaoui", "", ""), ("", "", "يوسف", "العلوي")),
    ];
    for (i, (a, b)) in pairs.into_iter().enumerate() {
        let mut o = office(None);
        ok(try_add(&mut o, &person("JB100001", a.0, a.1, a.2, a.3), None));
        let second = try_add(&mut o, &person("JB100002", b.0, b.1, b.2, b.3), None);
        assert!(
            matches!(second, Err(AppError::Duplicate(ref c)) if c.len() == 1),
            "pair {i}: {a:?} / {b:?} → {second:?}"
        );
    }
}

#[test]
fn unrelated_people_are_not_duplicates() {
    let pairs = [
        (("Mohamed", "Bennani"), ("Ahmed", "Bennani")),
        (("Youssef", "El Alaoui"), ("Youssef", "Berrada")),
        (("Fatima", "Tazi"), ("Khadija", "Tazi")),
        (("Rachid", "Idrissi"), ("Said", "Idrissi")),
    ];
    for (a, b) in pairs {
        let mut o = office(None);
        ok(try_add(&mut o, &person("JB100001", a.0, a.1, "", ""), None));
        assert!(try_add(&mut o, &person("JB100002", b.0, b.1, "", ""), None).is_ok(), "{a:?} / {b:?}");
    }
    // The same name on another birth date is another person.
    let mut o = office(None);
    ok(try_add(&mut o, &person("JB100001", "Mohamed", "Bennani", "", ""), None));
    assert!(
        try_add(
            &mut o,
            &ApplicantDraft { birth_date: "13/04/1975".into(), ..person("JB100002", "Mohamed", "Bennani", "", "") },
            None
        )
        .is_ok()
    );
}

#[test]
fn an_override_needs_a_reason_and_is_audited() {
    let mut o = office(None);
    ok(try_add(&mut o, &person("JB100001", "Mohamed", "Bennani", "", ""), None));
    let twin = person("JB100002", "Mohammed", "Bennani", "", "");
    assert!(matches!(try_add(&mut o, &twin, Some("  ")), Err(AppError::Duplicate(_))));
    ok(try_add(&mut o, &twin, Some("Jumeaux : CIN vérifiées sur place")));
    let reason: String = ok(o.core.store().conn().query_row(
        "SELECT content FROM audit_log WHERE action = 'applicant.duplicate_override'",
        [],
        |r| r.get(0),
    ));
    assert!(reason.contains("Jumeaux"), "{reason}");
}
