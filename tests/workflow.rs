//! The dossier workflow through the core: every step, who may take it, and what it needs.

use daftar::app::{AppError, Core, Move, Session};
use daftar::domain::Money;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{FundingSource, Grant};
use daftar::domain::project::ProjectDraft;
use uuid::Uuid;

use crate::common::{Office, applicant, date, office, ok};

fn dossier(o: &mut Office, documents: &[&str]) -> Uuid {
    let promoter = applicant(o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let draft = ProjectDraft {
        kind: "projet-individuel".into(),
        name: "Couture Tiznit".into(),
        jobs_total: "1".into(),
        jobs_family: "1".into(),
        ..ProjectDraft::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    let docs: Vec<String> = documents.iter().map(|d| (*d).to_owned()).collect();
    ok(o.core.open_dossier(&o.agent, project, date(2, 2, 2026), None, &docs)).meta.id
}

fn move_to(core: &mut Core, who: &Session, id: Uuid, to: Status) -> Result<(), AppError> {
    core.move_dossier(who, id, Move::to(to, date(1, 3, 2026)))
}

fn status(o: &Office, id: Uuid) -> Status {
    ok(o.core.dossier_view(&o.admin, id)).dossier.value.status
}

const ALL_DOCS: [&str; 6] = ["demande", "cin", "qualite", "naissance", "fiche", "devis"];

#[test]
fn a_standalone_office_takes_a_dossier_from_deposit_to_closing() {
    let mut o = office(None);
    let id = dossier(&mut o, &["demande", "cin"]);
    ok(move_to(&mut o.core, &o.agent, id, Status::EnInstruction));
    // Not complete while required documents are missing; the message names them.
    let err = move_to(&mut o.core, &o.agent, id, Status::Complet).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("Extrait d'acte de naissance"), "{err}");
    let rest: Vec<String> = ["qualite", "naissance", "fiche", "devis"].map(String::from).to_vec();
    ok(o.core.receive_documents(&o.agent, id, &rest, date(20, 2, 2026)));
    ok(move_to(&mut o.core, &o.agent, id, Status::Complet));
    // Only a head of office transmits.
    let refused = move_to(&mut o.core, &o.agent, id, Status::Transmis);
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    ok(move_to(&mut o.core, &o.chef, id, Status::Transmis));
    // The commission's approval: amounts per source are required, and a clerk cannot record it.
    let grants = [Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("30 000")) }];
    assert!(matches!(
        o.core.move_dossier(&o.agent, id, Move::to(Status::Approuve, date(5, 3, 2026)).granting(&grants, None)),
        Err(AppError::Refused(_))
    ));
    assert!(o.core.move_dossier(&o.chef, id, Move::to(Status::Approuve, date(5, 3, 2026))).is_err());
    ok(o.core.move_dossier(&o.chef, id, Move::to(Status::Approuve, date(5, 3, 2026)).granting(&grants, Some("PV-12"))));
    // Financé comes with the first disbursement, not by hand.
    assert!(move_to(&mut o.core, &o.chef, id, Status::Finance).is_err());
    let line = ok(o.core.dossier_view(&o.chef, id)).funding[0].0.meta.id;
    assert!(o.core.disburse(&o.agent, line, ok(Money::parse_fr("10 000")), date(10, 3, 2026), "OV").is_err());
    assert!(o.core.disburse(&o.chef, line, ok(Money::parse_fr("30 000,01")), date(10, 3, 2026), "OV").is_err());
    ok(o.core.disburse(&o.chef, line, ok(Money::parse_fr("10 000")), date(10, 3, 2026), "OV-1"));
    assert_eq!(status(&o, id), Status::Finance);
    ok(o.core.disburse(&o.chef, line, ok(Money::parse_fr("20 000")), date(10, 4, 2026), "OV-2"));
    let view = ok(o.core.dossier_view(&o.chef, id));
    assert_eq!(view.funding[0].1.iter().map(|d| d.value.tranche).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(view.disbursed(), view.committed());
    assert!(o.core.disburse(&o.chef, line, ok(Money::parse_fr("0,01")), date(11, 4, 2026), "OV-3").is_err());
    assert!(matches!(move_to(&mut o.core, &o.agent, id, Status::Cloture), Err(AppError::Refused(_))));
    ok(o.core.move_dossier(&o.chef, id, Move::to(Status::Cloture, date(1, 5, 2026))));
    let history: Vec<(Status, Status, String)> =
        ok(o.core.dossier_view(&o.chef, id)).dossier.value.history.into_iter().map(|t| (t.from, t.to, t.by)).collect();
    assert_eq!(
        history,
        [
            (Status::Depose, Status::EnInstruction, "agent".into()),
            (Status::EnInstruction, Status::Complet, "agent".into()),
            (Status::Complet, Status::Transmis, "chef".into()),
            (Status::Transmis, Status::Approuve, "chef".into()),
            (Status::Approuve, Status::Finance, "chef".into()),
            (Status::Finance, Status::Cloture, "chef".into()),
        ]
    );
    // Closed is final.
    assert!(move_to(&mut o.core, &o.admin, id, Status::EnInstruction).is_err());
}

#[test]
fn a_rejection_needs_a_reason() {
    let mut o = office(None);
    let id = dossier(&mut o, &ALL_DOCS);
    for to in [Status::EnInstruction, Status::Complet] {
        ok(move_to(&mut o.core, &o.agent, id, to));
    }
    ok(move_to(&mut o.core, &o.chef, id, Status::Transmis));
    let err = move_to(&mut o.core, &o.chef, id, Status::Rejete).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("motivé"), "{err}");
    ok(o.core.move_dossier(
        &o.chef,
        id,
        Move::to(Status::Rejete, date(6, 3, 2026)).because("Projet hors programme").granting(&[], Some("PV-13")),
    ));
    let view = ok(o.core.dossier_view(&o.chef, id));
    assert_eq!(view.dossier.value.status, Status::Rejete);
    assert_eq!(
        view.decision.map(|d| (d.value.approved, d.value.reason)),
        Some((false, Some("Projet hors programme".into())))
    );
    assert!(view.funding.is_empty());
}

#[test]
fn an_office_under_a_delegation_stops_at_transmis() {
    let mut o = office(Some("DP-TIZNIT"));
    let id = dossier(&mut o, &ALL_DOCS);
    for to in [Status::EnInstruction, Status::Complet] {
        ok(move_to(&mut o.core, &o.agent, id, to));
    }
    ok(move_to(&mut o.core, &o.chef, id, Status::Transmis));
    let grants = [Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("30 000")) }];
    for who in [&o.chef, &o.admin] {
        let err = o
            .core
            .move_dossier(who, id, Move::to(Status::Approuve, date(5, 3, 2026)).granting(&grants, None))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("commission de la délégation"), "{err}");
    }
    assert_eq!(status(&o, id), Status::Transmis);
}

#[test]
fn steps_cannot_be_skipped_or_backdated() {
    let mut o = office(None);
    let id = dossier(&mut o, &ALL_DOCS);
    let err = move_to(&mut o.core, &o.admin, id, Status::Transmis).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("ne peut pas passer"), "{err}");
    let err = o
        .core
        .move_dossier(&o.agent, id, Move::to(Status::EnInstruction, date(1, 1, 2026)))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("précède"), "{err}");
    let err = o
        .core
        .move_dossier(&o.agent, id, Move::to(Status::EnInstruction, date(1, 1, 2027)))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("futur"), "{err}");
}

#[test]
fn clerks_and_heads_are_refused_what_their_role_does_not_allow() {
    let mut o = office(None);
    let id = applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    assert!(matches!(
        o.core.delete(&o.agent, daftar::store::records::Table::Applicants, id, "erreur"),
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        o.core.add_user(&o.agent, "x2", "", daftar::domain::role::Role::Clerk, "motdepasse-9"),
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        o.core.add_user(&o.chef, "x2", "", daftar::domain::role::Role::Clerk, "motdepasse-9"),
        Err(AppError::Refused(_))
    ));
    assert!(matches!(o.core.users(&o.chef), Err(AppError::Refused(_))));
    assert!(o.core.users(&o.admin).is_ok());
    let err = o
        .core
        .delete(&o.chef, daftar::store::records::Table::Applicants, id, " ")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("motivée"), "{err}");
}

#[test]
fn a_dossier_edit_is_one_write() {
    use daftar::app::DossierEdit;
    let mut o = office(None);
    let id = dossier(&mut o, &["demande"]);
    let bad = DossierEdit {
        requested: Some(ok(Money::parse_fr("90 000"))),
        documents: vec!["cin".into(), "inconnue".into()],
        received_on: date(3, 2, 2026),
        ..DossierEdit::default()
    };
    let err = o.core.edit_dossier(&o.agent, id, &bad).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("« inconnue » n'est pas une pièce"), "{err}");
    let view = ok(o.core.dossier_view(&o.agent, id));
    assert_eq!(view.dossier.value.requested, None, "the amount was not saved either");
    assert_eq!(view.dossier.value.documents.len(), 1);
    let other_year =
        DossierEdit { deposited_on: Some(date(31, 12, 2025)), received_on: date(3, 2, 2026), ..DossierEdit::default() };
    let err = o.core.edit_dossier(&o.agent, id, &other_year).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("numéroté dans l'année 2026"), "{err}");
}

#[test]
fn demo_data_needs_an_account_that_may_write_it_all() {
    let mut o = office(None);
    let refused = daftar::app::demo::populate(&mut o.core, &o.agent, 5, 1);
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    let summary = ok(daftar::app::demo::populate(&mut o.core, &o.chef, 5, 1));
    assert_eq!(summary.applicants, 5);
    let by: Vec<String> = ok(o.core.store().conn().prepare("SELECT DISTINCT json_extract(t.value, '$.by') FROM dossiers, json_each(json_extract(dossiers.data, '$.history')) t"))
        .query_map([], |r| r.get(0))
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default();
    assert!(by.iter().all(|login| login == "chef"), "transitions are attributed to who made the data: {by:?}");
}

#[test]
fn a_piece_ticked_by_mistake_is_taken_back_with_its_reason_while_the_dossier_is_instructed() {
    let mut o = office(None);
    let id = dossier(&mut o, &["demande", "cin", "devis"]);
    let pieces = |o: &Office| -> Vec<String> {
        ok(o.core.dossier_view(&o.admin, id)).dossier.value.documents.into_iter().map(|d| d.code).collect()
    };
    // A reason is required; a piece not ticked cannot be taken back.
    let bare = o.core.unreceive_document(&o.agent, id, "devis", "  ").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(bare.contains("Dites pourquoi"), "{bare}");
    assert!(o.core.unreceive_document(&o.agent, id, "fiche", "erreur").is_err());
    ok(o.core.unreceive_document(&o.agent, id, "devis", "cochée par erreur : le devis n'est pas signé"));
    assert_eq!(pieces(&o), ["demande", "cin"]);
    // The reason stands in the audit trail beside the change.
    let conn = o.core.store().conn();
    let logged: String = ok(conn.query_row(
        "SELECT content FROM audit_log WHERE table_name = 'dossiers' ORDER BY seq DESC LIMIT 1",
        [],
        |r| r.get(0),
    ));
    assert!(logged.contains("pièce « Devis") && logged.contains("le devis n'est pas signé"), "{logged}");
    // Once complete, the pieces stay as they are.
    let rest: Vec<String> = ["qualite", "naissance", "fiche", "devis"].map(String::from).to_vec();
    ok(o.core.receive_documents(&o.agent, id, &rest, date(20, 2, 2026)));
    ok(move_to(&mut o.core, &o.agent, id, Status::EnInstruction));
    ok(move_to(&mut o.core, &o.agent, id, Status::Complet));
    let late =
        o.core.unreceive_document(&o.agent, id, "devis", "erreur").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(late.contains("ne se retirent plus"), "{late}");
}
