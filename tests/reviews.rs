//! Duplicates between offices: the delegation finds the applicants of two offices who may be one
//! person, settles each pair (same person, or two people), and its verdict reaches both offices
//! and the region; a person found twice counts once in the figures.

use daftar::app::{AppError, Core, DuplicateReason, Move, Session};
use daftar::domain::dossier::Status;
use daftar::domain::funding::{FundingSource, Grant};
use daftar::domain::review::Verdict;
use uuid::Uuid;

use crate::common::{Office, applicant, count, date, ok};
use crate::delegation::{Province, dossier_of, money, province, reply, send_up};
use crate::sync::{enroll_both, region_at};

fn people(core: &Core, who: &Session) -> i64 {
    ok(core.bilan(who, date(1, 1, 2026), date(31, 12, 2026), None)).value("beneficiaires_finances_cumul.total")
}

/// A financed dossier of `promoter`: transmitted, approved at `dp`, paid at the office.
fn financed(o: &mut Office, promoter: Uuid, dp: &mut Core, dp_admin: &Session, stick: &std::path::Path) {
    let id = dossier_of(o, promoter, "projet-individuel", ("2", "1"), date(2, 2, 2026));
    send_up(o, dp, dp_admin, stick);
    let grants = [Grant { source: FundingSource::HcarBudget, amount: money("20 000") }];
    ok(dp.move_dossier(dp_admin, id, Move::to(Status::Approuve, date(10, 3, 2026)).granting(&grants, None)));
    let code = ok(o.core.identity_file(&o.admin)).code.clone();
    ok(o.core.import_bundle(&o.chef, &reply(dp, dp_admin, &code, stick), "réponse"));
    let line = ok(o.core.dossier_view(&o.chef, id)).funding[0].0.meta.id;
    ok(o.core.disburse(&o.chef, line, money("5 000"), date(1, 4, 2026), "OV"));
    send_up(o, dp, dp_admin, stick);
}

#[test]
fn the_delegation_settles_duplicates_between_offices_and_a_person_counts_once() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let (mut dr, dr_admin) = region_at(&dir.path().join("dr.sqlite"));
    let Province { mut dp, dp_admin, mut tiznit, mut mirleft } = province(&dir.path().join("dp.sqlite"));
    enroll_both(&mut dr, &dr_admin, &mut dp, &dp_admin);

    // Youssef registered at both offices (two CINs typed, a spelling apart), each with a
    // financed project; two women of the same name and birth date; a CIN typed twice.
    let youssef = applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let youssouf = applicant(&mut mirleft, "JC765432", "Youssouf", "Alaoui", "12/04/1975");
    let fatima_t = applicant(&mut tiznit, "JB200001", "Fatima", "Zahraoui", "03/09/1978");
    let fatima_m = applicant(&mut mirleft, "JC200002", "Fatima", "Zahraoui", "03/09/1978");
    let karim = applicant(&mut tiznit, "JB300003", "Karim", "Bennani", "01/01/1980");
    let nadia = applicant(&mut mirleft, "JB300003", "Nadia", "Chraibi", "05/05/1985");
    financed(&mut tiznit, youssef, &mut dp, &dp_admin, &stick);
    financed(&mut mirleft, youssouf, &mut dp, &dp_admin, &stick);
    assert_eq!(people(&dp, &dp_admin), 2);
    // The CIN registered by Tiznit waits in the conflicts; the délégué takes the row in to review it.
    let conflict = ok(dp.sync_status(&dp_admin)).conflicts.items.pop().unwrap_or_else(|| panic!("no conflict"));
    assert!(conflict.reason.contains("JB300003"), "{}", conflict.reason);
    ok(dp.resolve_conflict(&dp_admin, conflict.id, true, "À examiner comme doublon"));

    let pairs = ok(dp.duplicates_across_offices(&dp_admin));
    let found: Vec<(Uuid, Uuid, DuplicateReason)> =
        pairs.iter().map(|p| (p.first.meta.id, p.second.meta.id, p.reason)).collect();
    let pair = |a: Uuid, b: Uuid| if a < b { (a, b) } else { (b, a) };
    let expected = [
        (pair(karim, nadia), DuplicateReason::SameCin),
        (pair(youssef, youssouf), DuplicateReason::CloseNameSameBirthDate),
        (pair(fatima_t, fatima_m), DuplicateReason::CloseNameSameBirthDate),
    ];
    assert_eq!(found.len(), 3, "{found:?}");
    for ((a, b), reason) in expected {
        assert!(found.contains(&(a, b, reason)), "{a} {b} {reason:?} in {found:?}");
    }

    // Only the delegation settles, with a note; an office's own pair is the office's.
    let refused = tiznit.core.review_duplicate(&tiznit.admin, youssef, youssouf, Verdict::SamePerson, "vu");
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    let no_note = dp.review_duplicate(&dp_admin, youssef, youssouf, Verdict::SamePerson, " ").map(drop).unwrap_err();
    assert!(no_note.to_string().contains("note est obligatoire"), "{no_note}");
    let same_office = dp.review_duplicate(&dp_admin, youssef, karim, Verdict::Distinct, "vu").map(drop).unwrap_err();
    assert!(same_office.to_string().contains("tenus par BL-TIZNIT"), "{same_office}");
    ok(dp.review_duplicate(&dp_admin, youssouf, youssef, Verdict::SamePerson, "Même CNIE présentée aux deux bureaux"));
    ok(dp.review_duplicate(&dp_admin, fatima_t, fatima_m, Verdict::Distinct, "Pères différents (cartes R-1 et R-9)"));
    let left: Vec<DuplicateReason> = ok(dp.duplicates_across_offices(&dp_admin)).iter().map(|p| p.reason).collect();
    assert_eq!(left, [DuplicateReason::SameCin], "settled pairs are not proposed again");
    assert_eq!(people(&dp, &dp_admin), 1, "one person, financed at two offices, counts once");

    // Both offices learn the verdicts about their applicants, and nothing of the other's register.
    let applicants_before = count(&tiznit.core, "applicants");
    let outcome =
        ok(tiznit.core.import_bundle(&tiznit.chef, &reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick), "réponse"));
    let told = "Doublon examiné par DP-TIZNIT : El Alaoui Youssef (CIN JB123456), même personne d'un bénéficiaire de BL-MIRLEFT";
    assert!(outcome.to_string().contains(told), "{outcome}");
    assert_eq!(count(&tiznit.core, "applicants"), applicants_before);
    let seen = ok(tiznit.core.reviews_of(&tiznit.chef, youssef));
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].value.verdict, seen[0].value.other_office(youssef)), (Verdict::SamePerson, "BL-MIRLEFT"));
    ok(mirleft.core.import_bundle(&mirleft.chef, &reply(&mut dp, &dp_admin, "BL-MIRLEFT", &stick), "réponse"));
    assert_eq!(ok(mirleft.core.reviews_of(&mirleft.chef, fatima_m))[0].value.verdict, Verdict::Distinct);

    // The region takes the verdicts with the data: same figures, same pairs left.
    let up = ok(dp.export_bundle(&dp_admin, &stick, None)).unwrap_or_else(|| panic!("nothing to send up"));
    ok(dr.import_bundle(&dr_admin, &ok(std::fs::read(&up.path)), "paquet"));
    assert_eq!(people(&dr, &dr_admin), 1);
    assert_eq!(ok(dr.duplicates_across_offices(&dr_admin)).len(), 1);

    // A second look replaces the verdict: the pair becomes two people again in the figures.
    ok(dp.review_duplicate(&dp_admin, youssef, youssouf, Verdict::Distinct, "Erreur : deux cousins"));
    assert_eq!((count(&dp, "duplicate_reviews"), people(&dp, &dp_admin)), (2, 2));
    for (core, who) in [(&dr, &dr_admin), (&dp, &dp_admin), (&tiznit.core, &tiznit.admin)] {
        assert!(ok(core.check(who)).is_sound());
    }
}

#[test]
fn the_command_line_lists_and_settles_duplicates_between_offices() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let db = dir.path().join("dp.sqlite");
    let Province { mut dp, dp_admin, mut tiznit, mut mirleft } = province(&db);
    let youssef = applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let youssouf = applicant(&mut mirleft, "JC765432", "Youssouf", "Alaoui", "12/04/1975");
    send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    send_up(&mut mirleft, &mut dp, &dp_admin, &stick);
    drop(dp);
    let run = |args: &[&str]| crate::cli::as_admin(&db, args);
    let listed = run(&["duplicates"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success() && text.contains("Paire (nom proche, même date de naissance)"), "{text}");
    assert!(text.contains(&youssef.to_string()) && text.contains("bureau BL-TIZNIT"), "{text}");
    assert!(text.contains(&youssouf.to_string()) && text.contains("bureau BL-MIRLEFT"), "{text}");
    let (a, b) = (youssef.to_string(), youssouf.to_string());
    let wrong = run(&["review-duplicate", &a, &b, "--verdict", "oui", "--note", "vu"]);
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success() && said.contains("meme-personne ou distinctes"), "{said}");
    let done = run(&["review-duplicate", &a, &b, "--verdict", "meme-personne", "--note", "Même CNIE"]);
    assert!(String::from_utf8_lossy(&done.stdout).contains("Examen enregistré : même personne."));
    let again = run(&["duplicates"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 paire(s) à examiner"));
    let shown = run(&["applicant", "show", "JB123456"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("même personne d'un bénéficiaire de BL-MIRLEFT — Même CNIE"), "{text}");
}
