//! Search as you type: folded names in both scripts, prefixes, CIN, phone; paged results and
//! a capped count.

use chrono::Duration;
use daftar::domain::applicant::ApplicantDraft;
use daftar::store::search::HitCount;

use crate::common::{Office, card, date, draft, office, ok};

fn add(o: &mut Office, d: &ApplicantDraft) {
    let agent = &o.agent;
    ok(o.core.add_applicant(agent, d, &card("R-1"), None));
}

fn found(o: &Office, query: &str) -> Vec<String> {
    ok(o.core.search_applicants(&o.agent, query, 0, 50)).rows.into_iter().map(|r| r.cin).collect()
}

#[test]
fn search_folds_accents_and_arabic_diacritics() {
    let mut o = office(None);
    add(
        &mut o,
        &ApplicantDraft {
            sex: "F".into(),
            relationship: "fille".into(),
            ..draft("JB100001", "Élodie", "Benâli", "01/01/1980")
        },
    );
    add(
        &mut o,
        &ApplicantDraft {
            first_name_ar: "مُحَمَّد".into(),
            last_name_ar: "العَلَوي".into(),
            ..draft("JB100002", "Mohamed", "El Alaoui", "02/01/1980")
        },
    );
    let mut with_phone = draft("JB100003", "Hassan", "Tazi", "03/01/1980");
    with_phone.phone = "+212 6 61 23 45 67".into();
    add(&mut o, &with_phone);

    assert_eq!(found(&o, "elodie"), ["JB100001"]);
    assert_eq!(found(&o, "ÉLODIE benali"), ["JB100001"]);
    assert_eq!(found(&o, "محمد"), ["JB100002"]);
    assert_eq!(found(&o, "العلوي"), ["JB100002"]);
    assert_eq!(found(&o, "alaou"), ["JB100002"], "prefixes match as the clerk types");
    assert_eq!(found(&o, "jb10000"), ["JB100003", "JB100002", "JB100001"], "newest first");
    assert_eq!(found(&o, "JB100002"), ["JB100002"]);
    assert_eq!(found(&o, "0661234567"), ["JB100003"]);
    assert_eq!(found(&o, "66123"), ["JB100003"]);
    assert!(found(&o, "yassine").is_empty());
    assert!(found(&o, "\"*()").len() == 3, "punctuation alone lists the register");
}

#[test]
fn a_birth_date_typed_alone_finds_who_was_born_that_day() {
    let mut o = office(None);
    add(&mut o, &draft("JB100001", "Youssef", "Tazi", "12/04/1975"));
    add(&mut o, &draft("JB100002", "Amine", "Bennani", "12/04/1975"));
    add(&mut o, &draft("JB100003", "Karim", "Alami", "13/04/1975"));
    add(&mut o, &draft("JB100004", "Said", "Fassi", "12/04/1975"));
    let id = ok(o.core.search_applicants(&o.agent, "fassi", 0, 10)).rows[0].id;
    ok(o.core.delete(&o.chef, daftar::store::records::Table::Applicants, id, "erreur de saisie"));
    // In alphabetical order, whatever the date's separators; the deleted one is not found.
    assert_eq!(found(&o, "12/04/1975"), ["JB100002", "JB100001"]);
    assert_eq!(found(&o, " 12-04-1975 "), ["JB100002", "JB100001"]);
    assert_eq!(found(&o, "1975-04-12"), ["JB100002", "JB100001"]);
    assert_eq!(ok(o.core.search_applicants(&o.agent, "12/04/1975", 0, 50)).total, HitCount::Exactly(2));
    assert!(found(&o, "31/02/1975").is_empty(), "no such day");
    assert!(found(&o, "01/01/2000").is_empty());
}

/// A project of a new applicant; returns its id.
fn project_of(o: &mut Office, person: (&str, &str, &str), name: &str, commune: &str) -> uuid::Uuid {
    let (cin, first, last) = person;
    let promoter = ok(o.core.add_applicant(&o.agent, &draft(cin, first, last, "01/01/1980"), &card("R-1"), None)).id;
    let project = daftar::domain::project::ProjectDraft {
        kind: "projet-individuel".into(),
        name: name.into(),
        commune: commune.into(),
        jobs_total: "2".into(),
        jobs_family: "1".into(),
        ..Default::default()
    };
    ok(o.core.add_project(&o.agent, &project, promoter, vec![]))
}

fn projects_found(o: &Office, typed: &str) -> Vec<String> {
    ok(o.core.search_projects(&o.agent, typed, 0, 50)).rows.into_iter().map(|p| p.name).collect()
}

#[test]
fn projects_are_found_by_name_commune_or_promoter() {
    let mut o = office(None);
    let argan = project_of(&mut o, ("JB200001", "Khadija", "Ouazzani"), "Coopérative Argan Aglou", "Mirleft");
    project_of(&mut o, ("JB200002", "Youssef", "Tazi"), "Élevage caprin", "Tiznit");
    project_of(&mut o, ("JB200003", "Amine", "Bennani"), "Menuiserie Bennani", "Tiznit");
    // A word of the name, anywhere in it, accents ignored, as a prefix.
    assert_eq!(projects_found(&o, "argan"), ["Coopérative Argan Aglou"]);
    assert_eq!(projects_found(&o, "elev capr"), ["Élevage caprin"]);
    // The commune; newest first.
    assert_eq!(projects_found(&o, "tiznit"), ["Menuiserie Bennani", "Élevage caprin"]);
    // The promoter's name or CIN.
    assert_eq!(projects_found(&o, "ouazzani"), ["Coopérative Argan Aglou"]);
    assert_eq!(projects_found(&o, "JB200002"), ["Élevage caprin"]);
    assert_eq!(ok(o.core.search_projects(&o.agent, "bennani", 0, 50)).total, HitCount::Exactly(1));
    assert!(projects_found(&o, "agadir").is_empty());
    // Renamed, it is found by its new name only; deleted, no more.
    let current = ok(o.core.project(&o.agent, argan)).value;
    let mut renamed = daftar::domain::project::ProjectDraft::from_project(&current);
    renamed.name = "Coopérative Safran Aglou".into();
    ok(o.core.edit_project(&o.agent, argan, &renamed, current.promoter_id, vec![]));
    assert!(projects_found(&o, "argan").is_empty());
    assert_eq!(projects_found(&o, "safran"), ["Coopérative Safran Aglou"]);
    ok(o.core.delete(&o.chef, daftar::store::records::Table::Projects, argan, "erreur de saisie"));
    assert!(projects_found(&o, "safran").is_empty());
    // Nothing typed: the whole list, alphabetical.
    assert_eq!(projects_found(&o, ""), ["Élevage caprin", "Menuiserie Bennani"]);
}

#[test]
fn deleted_applicants_leave_the_index() {
    let mut o = office(None);
    add(&mut o, &draft("JB100001", "Youssef", "Tazi", "01/01/1980"));
    let id = ok(o.core.search_applicants(&o.agent, "tazi", 0, 10)).rows[0].id;
    ok(o.core.delete(&o.chef, daftar::store::records::Table::Applicants, id, "erreur de saisie"));
    assert!(found(&o, "tazi").is_empty());
}

#[test]
fn results_are_paged_and_counted_up_to_a_cap() {
    let mut o = office(None);
    for i in 0..1_005_i64 {
        let birth = date(1, 1, 1960) + Duration::days(i);
        add(&mut o, &draft(&format!("K{i:06}"), "Rachid", "Berrada", &birth.format("%d/%m/%Y").to_string()));
    }
    add(&mut o, &draft("K999999", "Samir", "Berrada", "01/01/1990"));
    let first = ok(o.core.search_applicants(&o.agent, "berrada", 0, 50));
    assert_eq!(first.total, HitCount::MoreThan(1_000));
    assert_eq!(first.total.to_string(), "plus de 1\u{202f}000 résultats");
    let second = ok(o.core.search_applicants(&o.agent, "berrada", 1, 50));
    assert_eq!((first.rows.len(), second.rows.len()), (50, 50));
    assert!(first.rows.iter().all(|a| second.rows.iter().all(|b| a.id != b.id)));
    let samir = ok(o.core.search_applicants(&o.agent, "sam berr", 0, 50));
    assert_eq!(samir.total, HitCount::Exactly(1));
    // The plain list is alphabetical and paged too.
    let list = ok(o.core.search_applicants(&o.agent, "", 20, 50));
    assert_eq!(list.total, HitCount::Exactly(1_006));
    assert_eq!(list.rows.len(), 6);
    assert_eq!(list.rows.last().map(|r| r.name.as_str()), Some("Berrada Samir"));
}
