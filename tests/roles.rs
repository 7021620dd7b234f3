//! Every role against every action, through the core API and through the command line: an
//! action the role may not take is refused (and only those are), whatever the face.

use daftar::app::{AppError, CertificateSubject, Core, Move, Session};
use daftar::domain::dossier::Status;
use daftar::domain::funding::{FundingSource, Grant, Programme};
use daftar::domain::print::PrintMargins;
use daftar::domain::role::{Action, Role, permits};
use daftar::domain::visit::Visit;
use uuid::Uuid;

use crate::common::{Office, card, date, draft, office_seeded, ok};
use crate::delegation::{money, transmitted};

/// What each action needs to exist before it is tried.
struct Fixtures {
    deposited: Uuid,
    complete: Uuid,
    transmitted: Uuid,
    line: Uuid,
    funded: Uuid,
    project: Uuid,
    applicant: Uuid,
}

/// A dossier deposited `on` with every document, still at its first step.
fn deposited(o: &mut Office, who: (&str, &str, &str), on: chrono::NaiveDate) -> Uuid {
    let promoter = crate::common::applicant(o, who.0, who.1, who.2, "03/03/1983");
    let draft = daftar::domain::project::ProjectDraft {
        kind: "projet-individuel".into(),
        name: format!("Projet {}", who.1),
        ..Default::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    let docs: Vec<String> = ["demande", "cin", "qualite", "naissance", "fiche", "devis"].map(String::from).to_vec();
    ok(o.core.open_dossier(&o.agent, project, on, None, &docs)).meta.id
}

fn fixtures(o: &mut Office) -> Fixtures {
    let on = date(2, 2, 2026);
    let transmitted_id = transmitted(o, ("JB100001", "Ali", "Alaoui"), "projet-individuel", ("2", "1"), on);
    let funded = transmitted(o, ("JB100002", "Badr", "Bennani"), "projet-individuel", ("2", "1"), on);
    let grants = [Grant { source: FundingSource::HcarBudget, amount: money("30 000") }];
    ok(o.core.move_dossier(&o.chef, funded, Move::to(Status::Approuve, on).granting(&grants, None)));
    let view = ok(o.core.dossier_view(&o.chef, funded));
    let line = view.funding[0].0.meta.id;
    ok(o.core.disburse(&o.chef, line, money("10 000"), on, "OV-1"));
    let complete = deposited(o, ("JB100003", "Chama", "Chraibi"), on);
    for to in [Status::EnInstruction, Status::Complet] {
        ok(o.core.move_dossier(&o.chef, complete, Move::to(to, on)));
    }
    Fixtures {
        deposited: deposited(o, ("JB100004", "Driss", "Doukkali"), on),
        complete,
        transmitted: transmitted_id,
        line,
        funded,
        project: view.dossier.value.project_id,
        applicant: view.dossier.value.applicant_id,
    }
}

/// Tries `action` as `who`; the answer, whatever it is.
fn attempt(core: &mut Core, who: &Session, action: Action, f: &Fixtures) -> Result<(), AppError> {
    let on = date(3, 2, 2026);
    let grants = [Grant { source: FundingSource::HcarBudget, amount: money("20 000") }];
    match action {
        Action::ViewRegister => core.search_applicants(who, "", 0, 10).map(drop),
        Action::RegisterApplicant => {
            core.add_applicant(who, &draft("JZ999999", "Zineb", "Zerouali", "09/09/1990"), &card("R-9"), None).map(drop)
        }
        Action::RegisterProject => {
            let draft = daftar::domain::project::ProjectDraft {
                kind: "pme".into(),
                name: "Atelier".into(),
                ..Default::default()
            };
            core.add_project(who, &draft, f.applicant, vec![]).map(drop)
        }
        Action::RegisterDossier => core.open_dossier(who, f.project, on, None, &[]).map(drop),
        Action::InstructDossier => core.move_dossier(who, f.deposited, Move::to(Status::EnInstruction, on)),
        Action::TransmitDossier => core.move_dossier(who, f.complete, Move::to(Status::Transmis, on)),
        Action::RecordDecision => {
            core.move_dossier(who, f.transmitted, Move::to(Status::Approuve, on).granting(&grants, None))
        }
        Action::RecordDisbursement => core.disburse(who, f.line, money("1 000"), on, "OV-2").map(drop),
        Action::CloseDossier => core.move_dossier(who, f.funded, Move::to(Status::Cloture, on)),
        Action::RecordVisit => {
            let visit = Visit::validate(f.project, "01/03/2026", "2", "1", true, "", date(29, 11, 2026))
                .map_err(|e| AppError::Rule(format!("{e:?}")))?;
            core.add_visit(who, &visit).map(drop)
        }
        Action::DeleteRecord => core.delete(who, daftar::app::Table::Dossiers, f.deposited, "erreur de saisie"),
        Action::OverrideDuplicate => core
            .add_applicant(who, &draft("JZ888888", "Zineb", "Zerouali", "09/09/1990"), &card("R-9"), Some("homonyme"))
            .map(drop),
        Action::ManagePrograms => {
            let programme = Programme::validate("AGENCE-SUD", "Agence du Sud", "", "convention")
                .map_err(|e| AppError::Rule(format!("{e:?}")))?;
            core.save_programme(who, &programme).map(drop)
        }
        Action::ManageUsers => core.add_user(who, "nouveau", "Nouveau", Role::Clerk, "motdepasse-9").map(drop),
        Action::ManageSettings => core.set_print_margins(who, PrintMargins { top_mm: 1.0, left_mm: 0.0 }),
        Action::IssueCertificate => {
            core.issue_certificate(who, &CertificateSubject::Applicant("JB100002".into())).map(drop)
        }
        Action::Synchronize => core.export_reply(who, "BL-NULLE", &std::env::temp_dir()).map(drop),
        Action::EnrollSites => core.enroll(who, b"{}", "0000").map(drop),
        Action::ImportCsv => core.import_csv(who, daftar::app::csv_import::CsvTarget::Applicants, b"cin\n").map(drop),
        Action::RunReports => core.bilan(who, date(1, 1, 2026), date(31, 12, 2026), None).map(drop),
        Action::CheckIntegrity => core.check(who).map(drop),
        Action::CloseYear => core.close_year(who, 2025).map(drop),
        Action::ArbitrateOffices => core.transfer_applicant(who, f.applicant, "BL-MIRLEFT", "déménagement").map(drop),
    }
}

#[test]
fn each_office_role_is_refused_exactly_what_it_may_not_do_through_the_core() {
    for role in [Role::Clerk, Role::HeadOfOffice, Role::Administrator] {
        let mut refusals = Vec::new();
        for action in Action::ALL {
            let mut o = office_seeded(None, 7);
            let f = fixtures(&mut o);
            let who = match role {
                Role::Clerk => &o.agent,
                Role::HeadOfOffice => &o.chef,
                _ => &o.admin,
            };
            let site = ok(o.core.site());
            let allowed = permits(role, action, &site).is_ok();
            let who = ok(o.core.login(&who.login, password(role)));
            let answer = attempt(&mut o.core, &who, action, &f);
            let refused = matches!(answer, Err(AppError::Refused(_)));
            assert_eq!(refused, !allowed, "{role:?} {action:?}: {answer:?}");
            if refused {
                refusals.push(action);
            }
        }
        let expected: &[Action] = match role {
            Role::Clerk => &[
                Action::TransmitDossier,
                Action::RecordDecision,
                Action::RecordDisbursement,
                Action::CloseDossier,
                Action::DeleteRecord,
                Action::ManagePrograms,
                Action::ManageUsers,
                Action::ManageSettings,
                Action::IssueCertificate,
                Action::Synchronize,
                Action::EnrollSites,
                Action::CloseYear,
                Action::ArbitrateOffices,
            ],
            Role::HeadOfOffice => &[Action::ManageUsers, Action::EnrollSites, Action::ArbitrateOffices],
            _ => &[Action::ArbitrateOffices],
        };
        assert_eq!(refusals, expected, "{role:?}");
    }
}

fn password(role: Role) -> &'static str {
    match role {
        Role::Clerk => crate::common::AGENT_PASSWORD,
        Role::HeadOfOffice => crate::common::CHEF_PASSWORD,
        _ => crate::common::ADMIN_PASSWORD,
    }
}
