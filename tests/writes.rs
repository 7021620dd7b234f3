//! Every kind of business write leaves one outbox line and one audit entry, in the same
//! transaction; money sums are exact.

use daftar::app::Move;
use daftar::domain::Money;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{Envelope, FundingSource, Grant, Programme};
use daftar::domain::project::ProjectDraft;
use daftar::domain::visit::Visit;
use daftar::store::records::Table;

use crate::common::{applicant, count, date, office, ok};

fn deltas(o: &crate::common::Office, before: (i64, i64)) -> (i64, i64) {
    (count(&o.core, "outbox") - before.0, count(&o.core, "audit_log") - before.1)
}

fn snapshot(o: &crate::common::Office) -> (i64, i64) {
    (count(&o.core, "outbox"), count(&o.core, "audit_log"))
}

#[test]
fn each_write_appends_outbox_and_audit() {
    let mut o = office(None);
    let s0 = snapshot(&o);
    let applicant_id = applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    // a new card holder and the applicant
    assert_eq!(deltas(&o, s0), (2, 2));

    let s = snapshot(&o);
    let mut edit = crate::common::draft("JB123456", "Youssef", "El Alaoui", "12/04/1975");
    edit.phone = "0661234567".into();
    ok(o.core.edit_applicant(&o.agent, applicant_id, &edit, None));
    assert_eq!(deltas(&o, s), (1, 1));
    let (table, row_id, owner, version): (String, String, String, i64) = ok(o.core.store().conn().query_row(
        "SELECT table_name, row_id, owner, version FROM outbox ORDER BY change_no DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    ));
    assert_eq!(
        (table.as_str(), row_id, owner.as_str(), version),
        ("applicants", applicant_id.to_string(), "BL-TIZNIT", 2)
    );
    let content: String = ok(o.core.store().conn().query_row(
        "SELECT content FROM audit_log WHERE action = 'applicant.update'",
        [],
        |r| r.get(0),
    ));
    let content: serde_json::Value = ok(serde_json::from_str(&content));
    assert_eq!(content["before"]["last_name"], "El Alaoui");
    assert_eq!(content["before"]["phone"], serde_json::Value::Null);
    let row = ok(o.core.applicant(&o.agent, applicant_id));
    assert_eq!(row.value.phone.map(|p| p.as_str().to_owned()).as_deref(), Some("+212661234567"));

    let s = snapshot(&o);
    let draft = ProjectDraft {
        kind: "pme".into(),
        name: "Menuiserie Souss".into(),
        jobs_total: "4".into(),
        jobs_family: "2".into(),
        ..ProjectDraft::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, applicant_id, vec![]));
    assert_eq!(deltas(&o, s), (1, 1));

    let s = snapshot(&o);
    let all_pme: Vec<String> =
        ["demande", "cin", "qualite", "etude", "devis", "statuts", "rc", "ice", "rib"].map(String::from).to_vec();
    let dossier =
        ok(o.core.open_dossier(&o.agent, project, date(1, 3, 2026), Some(ok(Money::parse_fr("80 000"))), &all_pme));
    assert_eq!(dossier.value.number.as_str(), "BL-TIZNIT-2026-00001");
    assert_eq!(deltas(&o, s), (1, 1));

    let id = dossier.meta.id;
    for to in [Status::EnInstruction, Status::Complet, Status::Transmis] {
        let who = if to == Status::Transmis { &o.chef } else { &o.agent };
        ok(o.core.move_dossier(who, id, Move::to(to, date(2, 3, 2026))));
    }
    let s = snapshot(&o);
    let grants = [
        Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("50 000,10")) },
        Grant {
            source: FundingSource::Indh { committee_ref: "CPDH-TIZ-2026-03".into() },
            amount: ok(Money::parse_fr("20 000,20")),
        },
    ];
    ok(o.core.move_dossier(
        &o.chef,
        id,
        Move::to(Status::Approuve, date(10, 3, 2026)).granting(&grants, Some("PV-2026-004")),
    ));
    // dossier update + decision + two funding lines
    assert_eq!(deltas(&o, s), (4, 4));

    let view = ok(o.core.dossier_view(&o.chef, id));
    assert_eq!(view.committed(), ok(Money::parse_fr("70 000,30")));
    let line = view.funding[0].0.meta.id;
    let s = snapshot(&o);
    ok(o.core.disburse(&o.chef, line, ok(Money::parse_fr("25 000,05")), date(15, 3, 2026), "OV-1"));
    // disbursement + dossier becomes financé
    assert_eq!(deltas(&o, s), (2, 2));

    let s = snapshot(&o);
    ok(o.core.add_visit(
        &o.agent,
        &ok(Visit::validate(project, "01/09/2026", "3", "2", true, "visite", date(29, 11, 2026))),
    ));
    let mut programme = ok(Programme::validate("AGENCE-SUD", "Agence du Sud", "", "convention"));
    programme.set_envelope(Envelope {
        year: 2026,
        amount: ok(Money::parse_fr("1 200 000")),
        target_projects: Some(64),
    });
    ok(o.core.save_programme(&o.chef, &programme));
    ok(o.core.delete(&o.chef, Table::Projects, project, "doublon de saisie"));
    assert_eq!(deltas(&o, s), (3, 3));

    // SQL sums in centimes are exact.
    let stats = ok(o.core.stats(&o.chef));
    assert_eq!(stats.committed_by_source, [("hcar".to_owned(), 5_000_010), ("indh".to_owned(), 2_000_020)]);
    assert_eq!(stats.disbursed_by_source, [("hcar".to_owned(), 2_500_005)]);

    // The tombstone keeps the row and travels.
    let (deleted, reason): (Option<String>, Option<String>) =
        ok(o.core
            .store()
            .conn()
            .query_row("SELECT deleted_at, delete_reason FROM projects", [], |r| Ok((r.get(0)?, r.get(1)?))));
    assert!(deleted.is_some());
    assert_eq!(reason.as_deref(), Some("doublon de saisie"));
    assert!(ok(o.core.check(&o.admin)).is_sound());
}

#[test]
fn a_failed_action_writes_nothing() {
    let mut o = office(None);
    let s = snapshot(&o);
    let mut bad = crate::common::draft("", "Youssef", "El4laoui", "31/02/1975");
    bad.phone = "12".into();
    let err = o
        .core
        .add_applicant(&o.agent, &bad, &crate::common::card("R-1"), None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("cin") && err.contains("birth_date") && err.contains("phone"), "{err}");
    assert_eq!(deltas(&o, s), (0, 0));
    assert_eq!(count(&o.core, "applicants"), 0);
    assert_eq!(count(&o.core, "card_holders"), 0);
}

#[test]
fn only_the_owner_writes_a_row() {
    let mut o = office(None);
    let id = applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(o.core.store().conn().execute("UPDATE applicants SET owner = 'BL-AGADIR'", []));
    let err = o
        .core
        .edit_applicant(&o.agent, id, &crate::common::draft("JB123456", "Youssef", "Alaoui", "12/04/1975"), None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("appartient au site BL-AGADIR"), "{err}");
}

#[test]
fn reference_lists_are_reloaded_when_their_version_changes() {
    let mut o = office(None);
    let conn = o.core.store().conn();
    ok(conn.execute("UPDATE ref_versions SET version = '2000.1'", []));
    ok(conn.execute("DELETE FROM ref_checklist", []));
    ok(o.core.refresh_reference());
    assert_eq!(count(&o.core, "ref_checklist"), 37);
    assert_eq!(count(&o.core, "ref_provinces"), 75);
    let version: String = ok(o.core.store().conn().query_row("SELECT version FROM ref_versions", [], |r| r.get(0)));
    assert_eq!(version, daftar::reference::VERSION.trim());
}
