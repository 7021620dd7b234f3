//! An applicant who moves: the delegation transfers them from one office to another with the
//! rows about them; the new office writes them from then on, the old one no longer can, the
//! levels above follow, and the figures count the dossier at its new office.

use daftar::app::{AppError, ImportOutcome, Move};
use daftar::domain::dossier::Status;
use daftar::domain::funding::{FundingSource, Grant};
use daftar::domain::indicators::Breakdown;
use daftar::domain::transfer::{MovedRow, Transfer};
use daftar::store::records::{Table, Writer};
use uuid::Uuid;

use crate::common::{Office, applicant, date, draft, ok};
use crate::delegation::{Province, dossier_of, money, province, reply, send_up};
use crate::sync::{enroll_both, export, region_at};

fn owner(core: &daftar::app::Core, table: &str, id: Uuid) -> String {
    let sql = format!("SELECT owner FROM {table} WHERE id = ?1");
    ok(core.store().conn().query_row(&sql, [id.to_string()], |r| r.get(0)))
}

fn card_holder_of(o: &Office, id: Uuid) -> Uuid {
    let sql = "SELECT json_extract(data, '$.card_holder_id') FROM applicants WHERE id = ?1";
    let raw: String = ok(o.core.store().conn().query_row(sql, [id.to_string()], |r| r.get(0)));
    ok(Uuid::parse_str(&raw))
}

#[test]
fn an_applicant_who_moves_is_transferred_with_their_rows_and_every_level_follows() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let (mut dr, dr_admin) = region_at(&dir.path().join("dr.sqlite"));
    let Province { mut dp, dp_admin, mut tiznit, mut mirleft } = province(&dir.path().join("dp.sqlite"));
    enroll_both(&mut dr, &dr_admin, &mut dp, &dp_admin);

    // Youssef and his sister share their father's resistance card at Tiznit.
    let youssef = applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let fatima = applicant(&mut tiznit, "JB654321", "Fatima", "El Alaoui", "03/09/1978");
    assert_eq!(card_holder_of(&tiznit, youssef), card_holder_of(&tiznit, fatima));
    let dossier = dossier_of(&mut tiznit, youssef, "projet-individuel", ("3", "2"), date(2, 2, 2026));
    let sisters = dossier_of(&mut tiznit, fatima, "projet-individuel", ("1", "1"), date(3, 2, 2026));
    send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    let grants = [Grant { source: FundingSource::HcarBudget, amount: money("40 000") }];
    ok(dp.move_dossier(&dp_admin, dossier, Move::to(Status::Approuve, date(10, 3, 2026)).granting(&grants, None)));
    // The region holds the rows under Tiznit before the transfer.
    ok(dr.import_bundle(
        &dr_admin,
        &ok(std::fs::read(ok(dp.export_bundle(&dp_admin, &stick, None)).map(|r| r.path).unwrap_or_default())),
        "paquet",
    ));
    assert_eq!(owner(&dr, "dossiers", dossier), "BL-TIZNIT");
    // Meanwhile Tiznit corrects Youssef's address: that change is on its way when he moves.
    let mut moved_draft = draft("JB123456", "Youssef", "El Alaoui", "12/04/1975");
    moved_draft.address = "Derb Lalla, Tiznit".into();
    ok(tiznit.core.edit_applicant(&tiznit.agent, youssef, &moved_draft, None));

    // Only the delegation transfers, to an office it supervises, with a reason.
    let refused = tiznit.core.transfer_applicant(&tiznit.admin, youssef, "BL-MIRLEFT", "déménagement");
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    for (to, reason, expected) in [
        ("BL-AGADIR", "déménagement", "n'est pas un bureau enrôlé"),
        ("BL-TIZNIT", "déménagement", "déjà tenu par BL-TIZNIT"),
        ("BL-MIRLEFT", "  ", "motif du transfert"),
    ] {
        let err = dp.transfer_applicant(&dp_admin, youssef, to, reason).map(drop).unwrap_err().to_string();
        assert!(err.contains(expected), "{to}: {err}");
    }
    let transfer = ok(dp.transfer_applicant(&dp_admin, youssef, "bl-mirleft", "Installé à Mirleft depuis mars"));
    let kinds: Vec<&str> = transfer.rows.iter().map(|r| r.table.as_str()).collect();
    assert_eq!(kinds, ["applicants", "card_holders", "projects", "dossiers"], "decisions are the delegation's");
    for (table, id) in [("applicants", youssef), ("dossiers", dossier)] {
        assert_eq!(owner(&dp, table, id), "BL-MIRLEFT", "{table}");
    }
    assert_eq!(owner(&dp, "applicants", fatima), "BL-TIZNIT");
    assert_eq!(owner(&dp, "card_holders", card_holder_of(&tiznit, youssef)), "BL-MIRLEFT");
    let by_office = ok(dp.bilan(&dp_admin, date(1, 1, 2026), date(31, 12, 2026), Some(Breakdown::Office)));
    assert_eq!(by_office.value_in("dossiers_approuves.total", "BL-MIRLEFT"), 1);
    assert_eq!(by_office.value_in("dossiers_approuves.total", "BL-TIZNIT"), 0);

    // Mirleft receives the transfer with everything it moves, and the decision on the dossier.
    let outcome =
        ok(mirleft.core.import_bundle(&mirleft.chef, &reply(&mut dp, &dp_admin, "BL-MIRLEFT", &stick), "réponse"));
    assert!(matches!(outcome, ImportOutcome::Applied { conflicts: 0, .. }), "{outcome}");
    let told = "El Alaoui Youssef (CIN JB123456) est transféré(e) de BL-TIZNIT à BL-MIRLEFT";
    assert!(outcome.to_string().contains(told), "the clerk is told: {outcome}");
    let view = ok(mirleft.core.dossier_view(&mirleft.chef, dossier));
    assert_eq!((view.dossier.value.status, view.dossier.meta.owner.as_str()), (Status::Approuve, "BL-MIRLEFT"));
    assert!(view.dossier.value.number.to_string().starts_with("BL-TIZNIT-2026-"), "a dossier keeps its number");
    // Mirleft holds Youssef's card, and prints his certificate with it.
    ok(mirleft.core.issue_certificate(&mirleft.chef, &daftar::app::CertificateSubject::Applicant("JB123456".into())));
    // …and writes them: it pays the first tranche and corrects the phone number.
    ok(mirleft.core.disburse(&mirleft.chef, view.funding[0].0.meta.id, money("10 000"), date(1, 4, 2026), "OV-7"));
    let mut at_mirleft = draft("JB123456", "Youssef", "El Alaoui", "12/04/1975");
    at_mirleft.address = "Douar Sidi Ifni, Mirleft".into();
    ok(mirleft.core.edit_applicant(&mirleft.agent, youssef, &at_mirleft, None));
    assert_eq!(mirleft.core.transfers_of(&mirleft.chef, youssef).map(|t| t.len()).ok(), Some(1));

    // Tiznit follows the transfer: Youssef's rows are Mirleft's now; Fatima's stay.
    let outcome =
        ok(tiznit.core.import_bundle(&tiznit.chef, &reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick), "réponse"));
    assert!(outcome.to_string().contains(told), "{outcome}");
    assert_eq!(owner(&tiznit.core, "dossiers", dossier), "BL-MIRLEFT");
    assert_eq!(owner(&tiznit.core, "dossiers", sisters), "BL-TIZNIT");
    // Fatima's card is their father's: Tiznit still reads it (and prints her documents with it).
    let card = ok(tiznit.core.card_holder(&tiznit.chef, card_holder_of(&tiznit, fatima)));
    assert_eq!(card.meta.owner, "BL-MIRLEFT");
    ok(tiznit.core.issue_certificate(&tiznit.chef, &daftar::app::CertificateSubject::Applicant("JB654321".into())));
    let err = tiznit.core.edit_applicant(&tiznit.agent, youssef, &moved_draft, None).map(drop).unwrap_err();
    assert!(err.to_string().contains("appartient au site BL-MIRLEFT"), "{err}");
    // The change Tiznit made before it knew is not lost: it waits in the delegation's conflicts.
    match ok(dp.import_bundle(&dp_admin, &export(&mut tiznit, &stick), "paquet")) {
        ImportOutcome::Applied { conflicts: 1, .. } => {}
        other => panic!("{other}"),
    }
    let conflict = ok(dp.sync_status(&dp_admin)).conflicts.items.pop().unwrap_or_else(|| panic!("no conflict"));
    assert!(conflict.reason.contains("BL-MIRLEFT"), "{}", conflict.reason);
    // Mirleft's changes to the rows it received are accepted, the dossier's number included.
    match ok(dp.import_bundle(&dp_admin, &export(&mut mirleft, &stick), "paquet")) {
        ImportOutcome::Applied { conflicts: 0, .. } => {}
        other => panic!("{other}"),
    }
    assert_eq!(ok(dp.dossier_view(&dp_admin, dossier)).dossier.value.status, Status::Finance);

    // The region follows: the rows it held under Tiznit are Mirleft's, counted there.
    let up = ok(dp.export_bundle(&dp_admin, &stick, None)).unwrap_or_else(|| panic!("nothing to send up"));
    match ok(dr.import_bundle(&dr_admin, &ok(std::fs::read(&up.path)), "paquet")) {
        ImportOutcome::Applied { conflicts: 0, .. } => {}
        other => panic!("{other}"),
    }
    assert_eq!(
        (owner(&dr, "applicants", youssef), owner(&dr, "dossiers", dossier)),
        ("BL-MIRLEFT".into(), "BL-MIRLEFT".into())
    );
    let region = ok(dr.bilan(&dr_admin, date(1, 1, 2026), date(31, 12, 2026), Some(Breakdown::Office)));
    assert_eq!(region.value_in("dossiers_approuves.total", "BL-MIRLEFT"), 1);
    assert_eq!(region.value_in("dh_decaisses.total", "BL-MIRLEFT"), 1_000_000, "centimes");
    for (core, who) in
        [(&dr, &dr_admin), (&dp, &dp_admin), (&tiznit.core, &tiznit.admin), (&mirleft.core, &mirleft.admin)]
    {
        assert!(ok(core.check(who)).is_sound());
    }
}

#[test]
fn an_office_cannot_move_rows_by_sending_a_transfer_of_its_own() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let Province { mut dp, dp_admin, mut tiznit, mut mirleft } = province(&dir.path().join("dp.sqlite"));
    let victim = applicant(&mut mirleft, "JB111111", "Karim", "Bennani", "01/01/1980");
    send_up(&mut mirleft, &mut dp, &dp_admin, &stick);
    // Tiznit's database is edited to hold a transfer of Mirleft's applicant to Tiznit.
    let forged = Transfer {
        applicant_id: victim,
        from_office: "BL-MIRLEFT".into(),
        to_office: "BL-TIZNIT".into(),
        on: date(1, 5, 2026),
        reason: "prise".into(),
        rows: vec![MovedRow { table: Table::Applicants.name().into(), id: victim }],
        anonymised_on: None,
    };
    {
        let conn = tiznit.core.store().conn();
        ok(conn.execute_batch("BEGIN"));
        let w = Writer::new(conn, "BL-TIZNIT", "intrus", chrono::Utc::now());
        ok(w.insert(Uuid::now_v7(), &forged));
        ok(w.finish());
        ok(conn.execute_batch("COMMIT"));
    }
    let before = owner(&dp, "applicants", victim);
    let err = dp.import_bundle(&dp_admin, &export(&mut tiznit, &stick), "paquet").map(drop).unwrap_err().to_string();
    assert!(err.contains("ne supervise pas"), "{err}");
    assert_eq!((before.as_str(), owner(&dp, "applicants", victim).as_str()), ("BL-MIRLEFT", "BL-MIRLEFT"));
}

#[test]
fn the_command_line_transfers_by_cin_and_explains_a_refusal() {
    let dir = ok(tempfile::tempdir());
    let db = dir.path().join("dp.sqlite");
    let Province { mut dp, dp_admin, mut tiznit, .. } = province(&db);
    let youssef = applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    send_up(&mut tiznit, &mut dp, &dp_admin, &dir.path().join("cle"));
    drop(dp);
    let run = |args: &[&str]| crate::cli::as_admin(&db, args);
    let refused = run(&["transfer", "JB123456", "--to", "BL-AGADIR", "--reason", "déménagement"]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("n'est pas un bureau enrôlé sous DP-TIZNIT"), "{said}");
    let done = run(&["transfer", "jb123456", "--to", "BL-MIRLEFT", "--reason", "Installé à Mirleft"]);
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(said.contains("JB123456 transféré de BL-TIZNIT à BL-MIRLEFT (2 enregistrements)"), "{said}");
    let dp = crate::common::core_with(ok(daftar::store::Store::open(&db, false)));
    assert_eq!(owner(&dp, "applicants", youssef), "BL-MIRLEFT");
}

#[test]
fn the_new_office_reinstalled_gets_the_transferred_person_back_by_resync() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let Province { mut dp, dp_admin, mut tiznit, mut mirleft } = province(&dir.path().join("dp.sqlite"));
    let youssef = applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let dossier = dossier_of(&mut tiznit, youssef, "projet-individuel", ("3", "2"), date(2, 2, 2026));
    send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    ok(dp.transfer_applicant(&dp_admin, youssef, "BL-MIRLEFT", "Installé à Mirleft"));
    ok(mirleft.core.import_bundle(&mirleft.chef, &reply(&mut dp, &dp_admin, "BL-MIRLEFT", &stick), "réponse"));
    // Mirleft's PC dies; a new installation of BL-MIRLEFT is enrolled and asks for its rows.
    let mut fresh = crate::delegation::other_office("BL-MIRLEFT", 53);
    crate::sync::link(&mut fresh, &mut dp, &dp_admin);
    let request = ok(fresh.core.request_resync(&fresh.chef, &stick));
    ok(dp.import_bundle(&dp_admin, &ok(std::fs::read(&request.path)), "demande"));
    match ok(fresh.core.import_bundle(&fresh.chef, &reply(&mut dp, &dp_admin, "BL-MIRLEFT", &stick), "réponse")) {
        ImportOutcome::Applied { conflicts: 0, .. } => {}
        other => panic!("{other}"),
    }
    let view = ok(fresh.core.dossier_view(&fresh.chef, dossier));
    assert_eq!(view.dossier.meta.owner, "BL-MIRLEFT");
    assert!(view.dossier.value.number.to_string().starts_with("BL-TIZNIT-"));
    assert_eq!(ok(fresh.core.transfers_of(&fresh.chef, youssef)).len(), 1);
    // It writes them, and its own numbers start at its own series.
    let mut moved = draft("JB123456", "Youssef", "El Alaoui", "12/04/1975");
    moved.address = "Douar Sidi Ifni, Mirleft".into();
    ok(fresh.core.edit_applicant(&fresh.agent, youssef, &moved, None));
    let other = applicant(&mut fresh, "JC200002", "Nadia", "Sbai", "03/03/1990");
    let own = dossier_of(&mut fresh, other, "projet-individuel", ("1", "1"), date(3, 3, 2026));
    let number = ok(fresh.core.dossier_view(&fresh.chef, own)).dossier.value.number.to_string();
    assert!(number.starts_with("BL-MIRLEFT-2026-"), "{number}");
    assert!(ok(fresh.core.check(&fresh.admin)).is_sound());
}
