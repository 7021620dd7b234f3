//! The commission's session at a delegation: opened, its agenda read, its decisions recorded
//! from a file all or nothing (every problem listed), an envelope overrun only with a reason,
//! the minutes and the notifications printed, the session closed — and the offices following
//! the decisions and the adjournments after one reply.

use daftar::app::{AgendaFilter, AppError, Document, ImportOutcome, Verdict};
use daftar::domain::commission::Outcome;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{Envelope, FundingSource, Grant, Programme};
use daftar::domain::role::Role;

use crate::common::{count, date, office, ok};
use crate::delegation::{money, province, reply, send_up, transmitted};

const SESSION: &str = "PV-2026-11";

fn csv_problems(result: Result<daftar::app::SessionTally, AppError>) -> Vec<String> {
    match result {
        Err(AppError::CsvRejected(problems)) => problems,
        other => panic!("expected a refused file, got {other:?}"),
    }
}

#[test]
fn a_delegations_session_decides_from_a_file_and_its_offices_follow() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let mut p = province(&dir.path().join("dp.sqlite"));
    let on = date(2, 9, 2026);
    let cofunded = transmitted(&mut p.tiznit, ("JB100001", "Youssef", "Alaoui"), "pme", ("4", "2"), on);
    let rejected = transmitted(&mut p.tiznit, ("JB100002", "Fatima", "Zahraoui"), "cooperative", ("6", "3"), on);
    let adjourned = transmitted(&mut p.tiznit, ("JB100003", "Karim", "Bennani"), "projet-individuel", ("1", "1"), on);
    let convention = transmitted(&mut p.mirleft, ("JB200001", "Nadia", "Lahlou"), "pme", ("3", "1"), on);
    send_up(&mut p.tiznit, &mut p.dp, &p.dp_admin, &stick);
    send_up(&mut p.mirleft, &mut p.dp, &p.dp_admin, &stick);
    let number = |o: &crate::common::Office, id| ok(o.core.dossier_view(&o.chef, id)).dossier.value.number.to_string();
    let (n_cofunded, n_rejected, n_adjourned) =
        (number(&p.tiznit, cofunded), number(&p.tiznit, rejected), number(&p.tiznit, adjourned));
    let n_convention = number(&p.mirleft, convention);

    // The delegation's officer decides; an office under a delegation does not.
    ok(p.dp.add_user(&p.dp_admin, "delegue", "Le délégué", Role::DelegationOfficer, "delegue-motdepasse-1"));
    let delegue = ok(p.dp.login("delegue", "delegue-motdepasse-1"));
    let chef = ok(p.tiznit.core.login("chef", crate::common::CHEF_PASSWORD));
    let at_office = p.tiznit.core.open_commission_session(&chef, SESSION, "10/11/2026", "Tiznit", "A");
    assert!(matches!(at_office, Err(AppError::Refused(_))), "{at_office:?}");
    let mut programme = ok(Programme::validate("AGENCE-SUD", "Agence du Sud", "وكالة الجنوب", "convention"));
    programme.set_envelope(Envelope { year: 2026, amount: money("100 000"), target_projects: Some(2) });
    ok(p.dp.save_programme(&delegue, &programme));
    let members = "Le délégué provincial, président\nLa cheffe du bureau de Tiznit\nممثل المبادرة الوطنية";
    ok(p.dp.open_commission_session(&delegue, SESSION, "10/11/2026", "Tiznit", members));
    let twice = p.dp.open_commission_session(&delegue, SESSION, "11/11/2026", "Tiznit", "B");
    assert!(twice.is_err_and(|e| e.to_string().contains("existe déjà")));

    // The agenda: the four transmitted dossiers, or one office's.
    let agenda = ok(p.dp.agenda(&delegue, &AgendaFilter::default()));
    let numbers: Vec<&str> = agenda.iter().map(|l| l.number.as_str()).collect();
    assert_eq!(numbers, [n_convention.as_str(), &n_cofunded, &n_rejected, &n_adjourned]);
    let mirleft =
        ok(p.dp.agenda(&delegue, &AgendaFilter { office: Some("bl-mirleft".into()), kind: None, programme: None }));
    assert_eq!(mirleft.len(), 1);

    // A file with mistakes: every one listed by its line, nothing recorded.
    let wrong = format!(
        "dossier;decision;source;montant;motif;precision\n\
         {n_cofunded};approuve;hcar;30000;;\n\
         {n_cofunded};rejete;;;viabilite;\n\
         {n_rejected};rejete;;;pas-un-motif;\n\
         {n_adjourned};ajourne;;;viabilite;\n\
         {n_convention};approuve;convention:INCONNUE;1000;;\n\
         BL-TIZNIT-2026-99999;approuve;hcar;1000;;\n"
    );
    let problems = csv_problems(p.dp.import_decisions_csv(&delegue, SESSION, wrong.as_bytes(), None));
    let expected = [
        ("ligne 3", "deux décisions différentes"),
        ("ligne 4", "« pas-un-motif » n'est pas un motif de rejet"),
        ("ligne 5", "« viabilite » n'est pas un motif d'ajournement"),
        ("ligne 6", "INCONNUE"),
        ("ligne 7", "introuvable"),
    ];
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    for ((line, what), problem) in expected.iter().zip(&problems) {
        assert!(problem.starts_with(line) && problem.contains(what), "{problem}");
    }
    assert_eq!((count(&p.dp, "decisions"), count(&p.dp, "adjournments")), (0, 0));

    // Right, but the convention's envelope would be exceeded: refused until a reason is given,
    // which the session keeps with the envelope's figures.
    let right = format!(
        "dossier;decision;source;montant;motif;precision;beneficiaire\n\
         {n_cofunded};approuvé;hcar;30 000;;;ignoré\n\
         {n_cofunded};approuvé;indh:CPDH-TIZ-2026-14;20 000,50;;;\n\
         {n_rejected};Rejeté;;;viabilite;Étude de marché absente;\n\
         {n_adjourned};ajourne;;;complement;Attestation bancaire;\n\
         {n_convention};approuve;convention:AGENCE-SUD;120 000;;;\n"
    );
    let problems = csv_problems(p.dp.import_decisions_csv(&delegue, SESSION, right.as_bytes(), None));
    assert!(problems.len() == 1 && problems[0].contains("AGENCE-SUD") && problems[0].contains("motif"), "{problems:?}");
    let tally = ok(p.dp.import_decisions_csv(&delegue, SESSION, right.as_bytes(), Some("Projet prioritaire")));
    assert_eq!((tally.approved, tally.rejected, tally.adjourned), (2, 1, 1));
    assert_eq!(tally.granted, money("170 000,50"));
    let held = ok(p.dp.commission_session(&delegue, SESSION)).value;
    assert_eq!(held.overruns.len(), 1);
    assert_eq!(
        (held.overruns[0].committed, held.overruns[0].reason.as_str()),
        (money("120 000"), "Projet prioritaire")
    );

    // Decided dossiers leave the agenda; the adjourned one stays, marked.
    let agenda = ok(p.dp.agenda(&delegue, &AgendaFilter::default()));
    assert_eq!(agenda.len(), 1);
    assert_eq!(agenda[0].number, n_adjourned);
    assert_eq!(agenda[0].adjourned, Some((date(10, 11, 2026), "complement: Attestation bancaire".to_owned())));

    // The minutes: a co-funded dossier counts under each source, once in the total.
    let minutes = ok(p.dp.minutes(&delegue, SESSION));
    assert_eq!(minutes.lines.len(), 4);
    let by_source: Vec<(String, usize, String)> =
        minutes.by_source().into_iter().map(|(s, n, m)| (s.kind_code().to_owned(), n, m.to_string())).collect();
    assert_eq!(
        by_source,
        [
            ("hcar".to_owned(), 1, money("30 000").to_string()),
            ("indh".to_owned(), 1, money("20 000,50").to_string()),
            ("convention".to_owned(), 1, money("120 000").to_string()),
        ]
    );
    let pme = minutes.by_kind().into_iter().find(|(k, _, _)| k.code() == "pme").map(|(_, n, m)| (n, m));
    assert_eq!(pme, Some(([2, 0, 0], money("170 000,50"))));
    let pv = ok(p.dp.document_pdf(&delegue, &Document::SessionMinutes(SESSION.into())));
    assert!(pv.starts_with(b"%PDF-"));
    let notices = ok(p.dp.document_pdf(&delegue, &Document::SessionNotices(SESSION.into())));
    assert!(notices.starts_with(b"%PDF-"));
    assert_eq!(ok(p.dp.session_decided_numbers(&delegue, SESSION)).len(), 3, "no notice for an adjournment");

    // A closed session records nothing more.
    ok(p.dp.close_commission_session(&delegue, SESSION));
    let late = Verdict::on(&n_adjourned, Outcome::Reject("viabilite".into()));
    let closed = p.dp.record_session(&delegue, SESSION, &[late], None);
    assert!(closed.is_err_and(|e| e.to_string().contains("close")));

    // One reply: Tiznit's dossiers move on, the adjourned one stays transmitted and says why.
    let bytes = reply(&mut p.dp, &p.dp_admin, "BL-TIZNIT", &stick);
    let outcome = ok(p.tiznit.core.import_bundle(&p.tiznit.chef, &bytes, "réponse"));
    let ImportOutcome::Applied { notices, .. } = &outcome else { panic!("{outcome}") };
    assert!(notices.iter().any(|n| n.contains(&n_adjourned) && n.contains("ajourné")), "{notices:?}");
    let view = |id| ok(p.tiznit.core.dossier_view(&p.tiznit.chef, id));
    assert_eq!(view(cofunded).dossier.value.status, Status::Approuve);
    assert_eq!(view(cofunded).committed(), money("50 000,50"));
    assert_eq!(view(rejected).dossier.value.status, Status::Rejete);
    let still = view(adjourned);
    assert_eq!(still.dossier.value.status, Status::Transmis);
    assert_eq!(still.adjourned.map(|a| a.reason), Some("complement: Attestation bancaire".to_owned()));
    // Mirleft hears nothing of Tiznit's adjournment.
    let bytes = reply(&mut p.dp, &p.dp_admin, "BL-MIRLEFT", &stick);
    ok(p.mirleft.core.import_bundle(&p.mirleft.chef, &bytes, "réponse"));
    assert_eq!(count(&p.mirleft.core, "adjournments"), 0);
    assert_eq!(ok(p.mirleft.core.dossier_view(&p.mirleft.chef, convention)).dossier.value.status, Status::Approuve);
}

#[test]
fn an_office_that_stands_alone_decides_its_session_at_once() {
    let mut o = office(None);
    let id = transmitted(&mut o, ("JB300001", "Amina", "Tazi"), "association", ("2", "2"), date(2, 9, 2026));
    let number = ok(o.core.dossier_view(&o.chef, id)).dossier.value.number.to_string();
    let refused = o.core.open_commission_session(&o.agent, "PV-1", "10/11/2026", "Tiznit", "A");
    assert!(matches!(refused, Err(AppError::Refused(_))), "a clerk does not open the commission's session");
    ok(o.core.open_commission_session(&o.chef, "PV-1", "10/11/2026", "Tiznit", "Le chef du bureau"));
    let empty = o.core.record_session(&o.chef, "PV-1", &[Verdict::on(&number, Outcome::Approve(vec![]))], None);
    match empty {
        Err(AppError::SessionRejected(problems)) => {
            assert!(problems[0].starts_with(&format!("dossier {number}")), "{problems:?}")
        }
        other => panic!("{other:?}"),
    }
    let grants = vec![Grant { source: FundingSource::HcarBudget, amount: money("15 000") }];
    ok(o.core.record_session(&o.chef, "PV-1", &[Verdict::on(&number, Outcome::Approve(grants))], None));
    let view = ok(o.core.dossier_view(&o.chef, id));
    assert_eq!(view.dossier.value.status, Status::Approuve);
    assert_eq!(view.dossier.value.history.last().map(|t| t.on), Some(date(10, 11, 2026)));
    let decision = view.decision.map(|d| d.value).unwrap_or_else(|| panic!("no decision"));
    assert_eq!(decision.commission_ref.as_deref(), Some("PV-1"));
    assert!(decision.session_id.is_some());
}

#[test]
fn a_delegation_adds_a_reason_that_its_offices_print_in_both_languages() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let mut p = province(&dir.path().join("dp.sqlite"));
    let id = transmitted(&mut p.tiznit, ("JB100011", "Samir", "Naciri"), "pme", ("2", "1"), date(2, 9, 2026));
    let number = ok(p.tiznit.core.dossier_view(&p.tiznit.chef, id)).dossier.value.number.to_string();
    send_up(&mut p.tiznit, &mut p.dp, &p.dp_admin, &stick);

    // An office under a delegation does not extend the list; a shipped code cannot be taken again.
    let chef = ok(p.tiznit.core.login("chef", crate::common::CHEF_PASSWORD));
    let at_office = p.tiznit.core.add_reason(&chef, "hors-delai", "Hors délai", "خارج الأجل", "rejet");
    assert!(matches!(at_office, Err(AppError::Refused(_))), "{at_office:?}");
    let taken = p.dp.add_reason(&p.dp_admin, "viabilite", "Autre", "آخر", "rejet");
    assert!(matches!(taken, Err(AppError::Invalid(_))), "{taken:?}");
    let no_arabic = p.dp.add_reason(&p.dp_admin, "hors-delai", "Hors délai", "", "rejet");
    assert!(matches!(no_arabic, Err(AppError::Invalid(_))), "{no_arabic:?}");
    let list =
        ok(p.dp.add_reason(&p.dp_admin, "hors-delai", "Dossier déposé hors délai", "ملف مودع خارج الأجل", "rejet"));
    assert!(list.iter().any(|r| r.code == "hors-delai") && list.iter().any(|r| r.code == "viabilite"));

    // The session rejects with it; the office receives the reason with the decision.
    ok(p.dp.open_commission_session(&p.dp_admin, SESSION, "10/11/2026", "Tiznit", "Le délégué"));
    let verdict = Verdict::on(&number, Outcome::Reject("hors-delai: reçu le 3 octobre".into()));
    ok(p.dp.record_session(&p.dp_admin, SESSION, &[verdict], None));
    let bytes = reply(&mut p.dp, &p.dp_admin, "BL-TIZNIT", &stick);
    ok(p.tiznit.core.import_bundle(&chef, &bytes, "réponse"));
    let reasons = ok(p.tiznit.core.reasons());
    let stored = ok(p.tiznit.core.dossier_view(&chef, id)).decision.and_then(|d| d.value.reason).unwrap_or_default();
    let (fr, ar) = daftar::reference::reason_in_both(&stored, &reasons);
    assert_eq!(fr, "Dossier déposé hors délai (reçu le 3 octobre)");
    assert!(ar.starts_with("ملف مودع خارج الأجل"), "{ar}");
    let notice = ok(p.tiznit.core.document_pdf(&chef, &Document::DecisionNotice(number)));
    assert!(notice.starts_with(b"%PDF-"));
}

#[test]
fn the_agenda_is_read_programme_by_programme() {
    let mut o = office(None);
    let mut programme = ok(Programme::validate("AGENCE-SUD", "Agence du Sud", "وكالة الجنوب", "convention"));
    programme.set_envelope(Envelope { year: 2026, amount: money("1 000 000"), target_projects: None });
    ok(o.core.save_programme(&o.chef, &programme));
    let promoter = crate::common::applicant(&mut o, "JB400001", "Amina", "Tazi", "03/03/1983");
    let draft = daftar::domain::project::ProjectDraft {
        kind: "pme".into(),
        name: "Menuiserie".into(),
        ..daftar::domain::project::ProjectDraft::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    let list =
        ok(daftar::store::reference::checklist(o.core.store().conn(), daftar::domain::project::ProjectKind::Pme));
    let docs: Vec<String> = list.iter().map(|item| item.code.clone()).collect();
    let presented = ok(o.core.open_dossier(&o.agent, project, date(2, 9, 2026), None, &docs)).meta.id;
    // The programme a dossier is presented under is one the register knows.
    let edit = |code: &str| daftar::app::DossierEdit {
        programme: Some(code.into()),
        received_on: date(2, 9, 2026),
        ..daftar::app::DossierEdit::default()
    };
    assert!(o.core.edit_dossier(&o.agent, presented, &edit("INCONNU")).is_err());
    ok(o.core.edit_dossier(&o.agent, presented, &edit("agence-sud")));
    for to in [Status::EnInstruction, Status::Complet, Status::Transmis] {
        ok(o.core.move_dossier(&o.chef, presented, daftar::app::Move::to(to, date(2, 9, 2026))));
    }
    let other = transmitted(&mut o, ("JB400002", "Karim", "Bennani"), "cooperative", ("3", "1"), date(2, 9, 2026));
    let all = ok(o.core.agenda(&o.chef, &AgendaFilter::default()));
    assert_eq!(all.len(), 2);
    let filter = AgendaFilter { programme: Some("AGENCE-SUD".into()), ..AgendaFilter::default() };
    let agence = ok(o.core.agenda(&o.chef, &filter));
    assert_eq!(agence.iter().map(|l| l.dossier_id).collect::<Vec<_>>(), [presented]);
    assert!(all.iter().any(|l| l.dossier_id == other));
}
