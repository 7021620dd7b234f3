//! The delegation: the commission's decisions and the reference data it publishes travel down
//! in replies and move the offices' dossiers on; nothing of one office reaches another.

use std::path::Path;

use chrono::NaiveDate;
use daftar::app::{Core, ImportOutcome, Move, Session};
use daftar::domain::Money;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{Envelope, FundingSource, Grant, Programme};
use daftar::domain::indicators::{Bilan, Breakdown};
use daftar::domain::project::ProjectDraft;
use uuid::Uuid;

use crate::common::{ADMIN_PASSWORD, AGENT_PASSWORD, CHEF_PASSWORD, Office, applicant, count, date, office_seeded, ok};
use crate::sync::{delegation_at, link};

/// A dossier of `o` for the applicant `(cin, first name, last name)`, deposited `on` with every
/// document, transmitted the same day.
pub fn transmitted(o: &mut Office, who: (&str, &str, &str), kind: &str, jobs: (&str, &str), on: NaiveDate) -> Uuid {
    let (cin, first, last) = who;
    let promoter = applicant(o, cin, first, last, "12/04/1975");
    dossier_of(o, promoter, kind, jobs, on)
}

/// A project of `promoter` and its dossier, deposited `on` with every document, transmitted the
/// same day.
pub fn dossier_of(o: &mut Office, promoter: Uuid, kind: &str, jobs: (&str, &str), on: NaiveDate) -> Uuid {
    let draft = ProjectDraft {
        kind: kind.into(),
        name: format!("Projet {promoter}"),
        jobs_total: jobs.0.into(),
        jobs_family: jobs.1.into(),
        ..ProjectDraft::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    let kind_code = ok(daftar::domain::project::ProjectKind::parse(kind));
    let list = ok(daftar::store::reference::checklist(o.core.store().conn(), kind_code));
    let docs: Vec<String> = list.iter().map(|item| item.code.clone()).collect();
    let id = ok(o.core.open_dossier(&o.agent, project, on, None, &docs)).meta.id;
    for to in [Status::EnInstruction, Status::Complet, Status::Transmis] {
        ok(o.core.move_dossier(&o.chef, id, Move::to(to, on)));
    }
    id
}

/// Writes `o`'s bundle and imports it at `at`.
pub fn send_up(o: &mut Office, at: &mut Core, who: &Session, stick: &Path) -> ImportOutcome {
    let report = ok(o.core.export_bundle(&o.chef, stick, None)).unwrap_or_else(|| panic!("nothing to export"));
    ok(at.import_bundle(who, &ok(std::fs::read(&report.path)), "paquet"))
}

/// Writes the reply of `from` for `office` and returns its bytes.
pub fn reply(from: &mut Core, who: &Session, office: &str, stick: &Path) -> Vec<u8> {
    ok(std::fs::read(ok(from.export_reply(who, office, stick)).path))
}

pub fn money(raw: &str) -> Money {
    ok(Money::parse_fr(raw))
}

fn status(o: &Office, id: Uuid) -> Status {
    ok(o.core.dossier_view(&o.chef, id)).dossier.value.status
}

/// A second office of the province, with its own code and keys.
pub fn other_office(code: &str, seed: u64) -> Office {
    let mut o = office_seeded(None, seed);
    ok(o.core.store().conn().execute("UPDATE site SET code = ?1", [code]));
    o.admin = ok(o.core.login("admin", ADMIN_PASSWORD));
    o.chef = ok(o.core.login("chef", CHEF_PASSWORD));
    o.agent = ok(o.core.login("agent", AGENT_PASSWORD));
    o
}

/// A provincial delegation (its file at `db`) with two offices enrolled under it.
pub struct Province {
    pub dp: Core,
    pub dp_admin: Session,
    pub tiznit: Office,
    pub mirleft: Office,
}

/// DP-TIZNIT with BL-TIZNIT and BL-MIRLEFT, each enrolled both ways.
pub fn province(db: &Path) -> Province {
    let (mut dp, dp_admin) = delegation_at(db, 11, "DP-TIZNIT");
    let mut tiznit = office_seeded(None, 7);
    link(&mut tiznit, &mut dp, &dp_admin);
    let mut mirleft = other_office("BL-MIRLEFT", 37);
    link(&mut mirleft, &mut dp, &dp_admin);
    Province { dp, dp_admin, tiznit, mirleft }
}

#[test]
fn the_commissions_decisions_come_down_and_move_the_dossiers_on() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let mut tiznit = office_seeded(None, 7);
    let (mut dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    link(&mut tiznit, &mut dp, &dp_admin);
    let mut mirleft = other_office("BL-MIRLEFT", 37);
    link(&mut mirleft, &mut dp, &dp_admin);
    let approved = transmitted(
        &mut tiznit,
        ("JB123456", "Youssef", "El Alaoui"),
        "projet-individuel",
        ("3", "2"),
        date(2, 2, 2026),
    );
    let rejected =
        transmitted(&mut tiznit, ("JB654321", "Fatima", "Zahraoui"), "projet-individuel", ("1", "1"), date(2, 2, 2026));
    send_up(&mut tiznit, &mut dp, &dp_admin, &stick);

    // The commission decides at the delegation; the office's dossier itself is not touched there.
    let grants = [
        Grant { source: FundingSource::HcarBudget, amount: money("30 000") },
        Grant { source: FundingSource::Indh { committee_ref: "CPDH-TIZ-2026-14".into() }, amount: money("20 000") },
    ];
    let on = date(10, 3, 2026);
    ok(dp.move_dossier(&dp_admin, approved, Move::to(Status::Approuve, on).granting(&grants, Some("PV-2026-03"))));
    ok(dp.move_dossier(&dp_admin, rejected, Move::to(Status::Rejete, on).because("Activité hors programme")));
    let twice = dp.move_dossier(&dp_admin, approved, Move::to(Status::Rejete, on).because("non"));
    assert!(twice.err().is_some_and(|e| e.to_string().contains("déjà statué")));
    let view = ok(dp.dossier_view(&dp_admin, approved));
    assert_eq!(view.dossier.value.status, Status::Transmis, "the office's row is the office's");
    assert_eq!(view.committed(), money("50 000"));
    // Reference data: a convention with its 2026 envelope.
    let mut programme = ok(Programme::validate("AGENCE-SUD", "Agence du Sud", "وكالة الجنوب", "convention"));
    programme.set_envelope(Envelope { year: 2026, amount: money("1 200 000"), target_projects: Some(64) });
    ok(dp.save_programme(&dp_admin, &programme));

    // A first reply is lost; the next one carries everything again.
    let _lost = reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick);
    let second = reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick);
    match ok(tiznit.core.import_bundle(&tiznit.chef, &second, "réponse")) {
        ImportOutcome::Applied { rows, conflicts: 0, .. } => assert_eq!(rows, 5, "2 decisions, 2 lines, 1 programme"),
        other => panic!("{other}"),
    }
    assert_eq!((status(&tiznit, approved), status(&tiznit, rejected)), (Status::Approuve, Status::Rejete));
    let view = ok(tiznit.core.dossier_view(&tiznit.chef, approved));
    let last = view.dossier.value.history.last().cloned().unwrap_or_else(|| panic!("history"));
    assert_eq!((last.by.as_str(), last.on), ("commission DP-TIZNIT", on));
    assert_eq!(view.funding.len(), 2);
    assert_eq!(ok(tiznit.core.programmes(&tiznit.chef)).len(), 1);
    assert!(ok(tiznit.core.check(&tiznit.admin)).is_sound());
    // The office pays the first tranche; its dossier becomes financé, and the delegation sees it.
    let line = view.funding[0].0.meta.id;
    ok(tiznit.core.disburse(&tiznit.chef, line, money("10 000"), date(20, 3, 2026), "OV-1"));
    assert_eq!(status(&tiznit, approved), Status::Finance);
    send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    assert_eq!(ok(dp.dossier_view(&dp_admin, approved)).dossier.value.status, Status::Finance);
    assert_eq!(ok(dp.dossier_view(&dp_admin, rejected)).dossier.value.status, Status::Rejete);
    // Mirleft gets the programme, never Tiznit's decisions or funding.
    let to_mirleft = reply(&mut dp, &dp_admin, "BL-MIRLEFT", &stick);
    ok(mirleft.core.import_bundle(&mirleft.chef, &to_mirleft, "réponse"));
    assert_eq!((count(&mirleft.core, "programmes"), count(&mirleft.core, "decisions")), (1, 0));
    assert_eq!(count(&mirleft.core, "funding_lines"), 0);
    // A newer envelope replaces the older one at the office, never the reverse.
    programme.set_envelope(Envelope { year: 2026, amount: money("1 500 000"), target_projects: Some(80) });
    ok(dp.save_programme(&dp_admin, &programme));
    let newer = reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick);
    ok(tiznit.core.import_bundle(&tiznit.chef, &newer, "réponse"));
    let held = ok(tiznit.core.programmes(&tiznit.chef));
    assert_eq!(held[0].value.envelopes[0].amount, money("1 500 000"));
    assert!(tiznit.core.import_bundle(&tiznit.chef, &second, "réponse").is_err(), "an older reply is refused");
    assert_eq!(ok(tiznit.core.programmes(&tiznit.chef))[0].value.envelopes[0].amount, money("1 500 000"));
}

/// Writes `o`'s bundle (if it has anything to send) and returns its bytes.
fn bundle(o: &mut Office, stick: &Path) -> Vec<u8> {
    let report = ok(o.core.export_bundle(&o.chef, stick, None)).unwrap_or_else(|| panic!("nothing to export"));
    ok(std::fs::read(&report.path))
}

fn year_2026(core: &Core, who: &Session, by: Option<Breakdown>) -> Bilan {
    ok(core.bilan(who, date(1, 1, 2026), date(31, 12, 2026), by))
}

#[test]
fn three_offices_a_province_and_a_region_add_up_figure_by_figure() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let (mut dr, dr_admin) = crate::sync::region_at(&dir.path().join("dr.sqlite"));
    let (mut dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    crate::sync::enroll_both(&mut dr, &dr_admin, &mut dp, &dp_admin);
    let mut offices = [office_seeded(None, 7), other_office("BL-MIRLEFT", 37), other_office("BL-TAFRAOUT", 41)];
    for o in &mut offices {
        link(o, &mut dp, &dp_admin);
    }
    // Each office registers dossiers in two sessions, each ending with a bundle.
    let kinds = ["pme", "cooperative", "projet-individuel", "association"];
    let mut dossiers: Vec<(usize, Uuid)> = Vec::new();
    let mut bundles: Vec<(usize, Vec<u8>)> = Vec::new();
    for round in 0..2 {
        for (i, o) in offices.iter_mut().enumerate() {
            for j in 0..2 {
                let n = i * 4 + round * 2 + j;
                let cin = format!("JK{:06}", 100_000 + n);
                let names = ["Youssef", "Fatima", "Karim", "Nadia", "Said", "Amina"];
                let last = ["Alaoui", "Bennani", "Chraibi", "Doukkali", "Fassi", "Ghazi", "Idrissi", "Jabri"];
                let who = (cin.as_str(), names[n % names.len()], last[n % last.len()]);
                let jobs = ((n % 5 + 2).to_string(), (n % 3).to_string());
                let on = date(1 + u32::try_from(n).unwrap_or(0), 2, 2026);
                let id = transmitted(o, who, kinds[n % kinds.len()], (&jobs.0, &jobs.1), on);
                dossiers.push((i, id));
            }
            bundles.push((i, bundle(o, &stick)));
        }
    }
    // The delegation reads them shuffled, one twice: a second bundle waits for its first.
    let order = [3, 1, 4, 0, 1, 5, 2, 3];
    for k in order {
        let (_, bytes) = &bundles[k];
        ok(dp.import_bundle(&dp_admin, bytes, "paquet"));
    }
    assert_eq!(count(&dp, "dossiers"), 12);
    // The commission decides: co-funded approvals, one rejection per office.
    for (k, (_, id)) in dossiers.iter().enumerate() {
        let on = date(10, 3, 2026);
        let mv = if k % 4 == 3 {
            Move::to(Status::Rejete, on).because("Dossier hors programme")
        } else {
            Move::to(Status::Approuve, on)
        };
        let amount = money(&format!("{} 000", 10 + k));
        let grants = [
            Grant { source: FundingSource::HcarBudget, amount },
            Grant { source: FundingSource::Indh { committee_ref: "CPDH-TIZ-2026-3".into() }, amount: money("5 000") },
        ];
        let mv = if k % 4 == 3 { mv } else { mv.granting(&grants, Some("PV-2026-03")) };
        ok(dp.move_dossier(&dp_admin, *id, mv));
    }
    // Replies go down; each office follows the decisions, pays a first tranche, sends again.
    for (i, o) in offices.iter_mut().enumerate() {
        let code = ok(o.core.identity_file(&o.admin)).code.clone();
        let reply = reply(&mut dp, &dp_admin, &code, &stick);
        ok(o.core.import_bundle(&o.chef, &reply, "réponse"));
        for (_, id) in dossiers.iter().filter(|(owner, _)| *owner == i) {
            let view = ok(o.core.dossier_view(&o.chef, *id));
            if view.dossier.value.status == Status::Approuve {
                let line = view.funding[0].0.meta.id;
                ok(o.core.disburse(&o.chef, line, money("4 000"), date(1, 4, 2026), "OV"));
            }
        }
        ok(dp.import_bundle(&dp_admin, &bundle(o, &stick), "paquet"));
    }
    // Up the tree, once and again.
    let up = ok(dp.export_bundle(&dp_admin, &stick, None)).unwrap_or_else(|| panic!("nothing to send up"));
    let up = ok(std::fs::read(&up.path));
    ok(dr.import_bundle(&dr_admin, &up, "paquet"));
    assert!(matches!(ok(dr.import_bundle(&dr_admin, &up, "paquet")), ImportOutcome::NothingNew { .. }));
    let owners: Vec<String> = ok(dr
        .store()
        .conn()
        .prepare("SELECT DISTINCT owner FROM dossiers ORDER BY owner")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect()));
    assert_eq!(owners, ["BL-MIRLEFT", "BL-TAFRAOUT", "BL-TIZNIT"], "every record keeps its office");
    // The region reads its register by province (a provincial delegation's whole subtree) or by
    // office.
    let listed = |code: Option<&str>| ok(dr.search_applicants_of(&dr_admin, code, "", 0, 1)).total;
    let count = |owner: Option<&str>| -> i64 {
        let sql = "SELECT count(*) FROM applicants WHERE deleted_at IS NULL AND (?1 IS NULL OR owner = ?1)";
        ok(dr.store().conn().query_row(sql, [owner], |r| r.get(0)))
    };
    assert_eq!(listed(Some("dp-tiznit")), daftar::app::HitCount::Exactly(count(None)));
    assert_eq!(listed(Some("BL-MIRLEFT")), daftar::app::HitCount::Exactly(count(Some("BL-MIRLEFT"))));
    let searched = ok(dr.search_applicants_of(&dr_admin, Some("DP-TIZNIT"), "youssef", 0, 50)).rows;
    assert!(!searched.is_empty() && searched.iter().all(|l| l.owner.starts_with("BL-")));
    let unknown = dr.search_applicants_of(&dr_admin, Some("DP-AGADIR"), "", 0, 1).map(|_| ()).unwrap_err();
    assert!(unknown.to_string().contains("n'est connu ici"), "{unknown}");

    // The region's bilan is the sum of the offices', figure by figure, and per office.
    let region = year_2026(&dr, &dr_admin, Some(Breakdown::Office));
    let own: Vec<(String, Bilan)> = offices
        .iter()
        .map(|o| (ok(o.core.identity_file(&o.admin)).code.clone(), year_2026(&o.core, &o.chef, None)))
        .collect();
    for figure in &region.figures {
        let sum: i64 = own.iter().map(|(_, b)| b.value(&figure.key)).sum();
        assert_eq!(figure.value, sum, "{}", figure.key);
        for (code, b) in &own {
            assert_eq!(region.value_in(&figure.key, code), b.value(&figure.key), "{} at {code}", figure.key);
        }
    }
    assert_eq!(region.value("dossiers_approuves.total"), 9);
    assert_eq!(region.value("projets_finances.total"), 9);
    assert_eq!(region.value("dh_engages.indh"), 9 * 500_000, "each co-funded dossier in both sources");
    assert_eq!(region.value("dh_decaisses.total"), 9 * 400_000);
    // Each figure's drill-down at the region lists exactly the offices' dossiers behind it.
    for key in ["projets_finances.total", "dossiers_rejetes.total", "dh_engages.hcar"] {
        let at_region = ok(dr.bilan_drill_down(&dr_admin, date(1, 1, 2026), date(31, 12, 2026), None, key, None));
        let mut from_offices: Vec<(String, i64)> = Vec::new();
        for o in &offices {
            let lines = ok(o.core.bilan_drill_down(&o.chef, date(1, 1, 2026), date(31, 12, 2026), None, key, None));
            from_offices.extend(lines.into_iter().map(|l| (l.dossier, l.value)));
        }
        from_offices.sort();
        let at_region: Vec<(String, i64)> = at_region.into_iter().map(|l| (l.dossier, l.value)).collect();
        assert_eq!(at_region, from_offices, "{key}");
        assert_eq!(at_region.iter().map(|(_, v)| v).sum::<i64>(), region.value(key));
    }
}

#[test]
fn the_delegation_reads_its_register_office_by_office_and_cannot_write_it() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let (mut dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    let mut tiznit = office_seeded(None, 7);
    let mut mirleft = other_office("BL-MIRLEFT", 37);
    for o in [&mut tiznit, &mut mirleft] {
        link(o, &mut dp, &dp_admin);
    }
    applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    applicant(&mut tiznit, "JB654321", "Youssef", "Bennani", "01/02/1980");
    applicant(&mut mirleft, "JC111111", "Youssef", "Chraibi", "03/03/1983");
    send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    send_up(&mut mirleft, &mut dp, &dp_admin, &stick);
    let cins = |office: Option<&str>, typed: &str| -> Vec<String> {
        let mut found: Vec<String> =
            ok(dp.search_applicants_of(&dp_admin, office, typed, 0, 50)).rows.into_iter().map(|l| l.cin).collect();
        found.sort();
        found
    };
    assert_eq!(cins(None, ""), ["JB123456", "JB654321", "JC111111"]);
    assert_eq!(cins(Some("bl-mirleft"), ""), ["JC111111"]);
    assert_eq!(cins(Some("BL-TIZNIT"), "youssef"), ["JB123456", "JB654321"]);
    assert_eq!(cins(Some("BL-MIRLEFT"), "youssef"), ["JC111111"]);
    let total = ok(dp.search_applicants_of(&dp_admin, Some("BL-TIZNIT"), "", 0, 1)).total;
    assert_eq!(total, daftar::app::HitCount::Exactly(2));
    // Office data is read-only at the delegation.
    let refused = dp.add_applicant(
        &dp_admin,
        &crate::common::draft("JD1", "A", "B", "01/01/1990"),
        &crate::common::card("R-1"),
        None,
    );
    assert!(matches!(refused, Err(daftar::app::AppError::Refused(_))));
    let id = ok(dp.applicant_id_by_cin(&dp_admin, "JC111111"));
    assert!(dp.delete(&dp_admin, daftar::app::Table::Applicants, id, "erreur").is_err(), "not the delegation's row");
}

#[test]
fn the_delegation_publishes_a_checklist_and_its_offices_apply_the_latest_version() {
    use daftar::domain::dossier::ChecklistItem;
    use daftar::domain::project::ProjectKind;
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let mut tiznit = office_seeded(None, 7);
    let (mut dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    link(&mut tiznit, &mut dp, &dp_admin);
    let pme = ProjectKind::Pme;
    let shipped = ok(tiznit.core.checklist_of(&tiznit.chef, pme));
    assert!(shipped.published.is_none() && !shipped.items.is_empty());

    // An office does not publish; a list with a code twice is refused with a French reason.
    let admin = ok(tiznit.core.login("admin", ADMIN_PASSWORD));
    let refused = tiznit.core.save_checklist(&admin, pme, shipped.items.clone());
    assert!(matches!(refused, Err(daftar::app::AppError::Refused(_))), "{refused:?}");
    let mut twice = shipped.items.clone();
    twice.push(shipped.items[0].clone());
    let err = dp.save_checklist(&dp_admin, pme, twice).map(drop).unwrap_err().to_string();
    assert!(err.contains("figure deux fois"), "{err}");
    // Version 1: a bank certificate becomes required.
    let bank = ChecklistItem {
        code: "attestation-bancaire".into(),
        kind: pme,
        label_fr: "Attestation bancaire".into(),
        label_ar: "شهادة بنكية".into(),
        required: true,
    };
    let mut v1 = shipped.items.clone();
    v1.push(bank);
    ok(dp.save_checklist(&dp_admin, pme, v1.clone()));
    let first_reply = reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick);
    let outcome = ok(tiznit.core.import_bundle(&tiznit.chef, &first_reply, "réponse"));
    assert!(outcome.to_string().contains("Liste des pièces « PME » publiée par DP-TIZNIT (version 1)"), "{outcome}");
    let held = ok(tiznit.core.checklist_of(&tiznit.chef, pme));
    assert_eq!(held.items, v1);
    assert_eq!(held.published.as_ref().map(|m| (m.owner.as_str(), m.version)), Some(("DP-TIZNIT", 1)));
    // A dossier with the shipped documents only is not complete any more.
    let promoter = applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let draft = ProjectDraft { kind: "pme".into(), name: "Atelier".into(), ..ProjectDraft::default() };
    let project = ok(tiznit.core.add_project(&tiznit.agent, &draft, promoter, vec![]));
    let docs: Vec<String> = shipped.items.iter().map(|i| i.code.clone()).collect();
    let on = date(2, 2, 2026);
    let id = ok(tiznit.core.open_dossier(&tiznit.agent, project, on, None, &docs)).meta.id;
    ok(tiznit.core.move_dossier(&tiznit.chef, id, Move::to(Status::EnInstruction, on)));
    let err = tiznit.core.move_dossier(&tiznit.chef, id, Move::to(Status::Complet, on)).map(drop).unwrap_err();
    assert!(err.to_string().contains("Attestation bancaire"), "{err}");
    // Version 2 drops it again; the office follows, and the older reply cannot bring version 1 back.
    ok(dp.save_checklist(&dp_admin, pme, shipped.items.clone()));
    ok(tiznit.core.import_bundle(&tiznit.chef, &reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick), "réponse"));
    let held = ok(tiznit.core.checklist_of(&tiznit.chef, pme));
    assert_eq!((held.items.len(), held.published.map(|m| m.version)), (shipped.items.len(), Some(2)));
    assert!(tiznit.core.import_bundle(&tiznit.chef, &first_reply, "réponse").is_err());
    assert_eq!(ok(tiznit.core.checklist_of(&tiznit.chef, pme)).items.len(), shipped.items.len());
    ok(tiznit.core.move_dossier(&tiznit.chef, id, Move::to(Status::Complet, on)));
}

#[test]
fn the_command_line_publishes_a_checklist_from_a_csv_file() {
    let dir = ok(tempfile::tempdir());
    let db = dir.path().join("dp.sqlite");
    drop(delegation_at(&db, 11, "DP-TIZNIT"));
    let run = |args: &[&str]| crate::cli::as_admin(&db, args);
    let file = dir.path().join("pieces.csv");
    ok(std::fs::write(&file, "code;libelle;obligatoire\ncin;CIN;oui\n"));
    let refused = run(&["checklist", "set", "cooperative", "--file", &file.display().to_string()]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("code;libelle_fr;libelle_ar;obligatoire"), "{said}");
    assert!(said.contains("Rien n'a été publié"), "{said}");
    ok(std::fs::write(
        &file,
        "\u{feff}code;libelle_fr;libelle_ar;obligatoire\ncin;Copie de la CIN;نسخة من البطاقة الوطنية;oui\nstatuts;Statuts de la coopérative;القانون الأساسي;oui\nplan;Plan d'affaires;;non\n",
    ));
    let done = run(&["checklist", "set", "cooperative", "--file", &file.display().to_string()]);
    assert!(String::from_utf8_lossy(&done.stdout).contains("« Coopérative » publiée (version 1)"), "{done:?}");
    let shown = run(&["checklist", "show", "cooperative"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("publiée par DP-TIZNIT, version 1"), "{text}");
    assert!(text.contains("statuts;Statuts de la coopérative;القانون الأساسي;obligatoire"), "{text}");
    assert!(text.contains("plan;Plan d'affaires;;facultative"), "{text}");
    let shipped = run(&["checklist", "show", "pme"]);
    assert!(String::from_utf8_lossy(&shipped.stdout).contains("liste livrée avec Daftar"));
}

#[test]
fn an_office_s_own_checklist_from_its_standalone_days_stays_its_own() {
    use daftar::domain::project::ProjectKind;
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    // Tiznit stood alone and defined its PME list; then it joined the delegation.
    let mut tiznit = office_seeded(None, 7);
    let mut items = ok(tiznit.core.checklist_of(&tiznit.chef, ProjectKind::Pme)).items;
    items.truncate(2);
    ok(tiznit.core.save_checklist(&tiznit.admin, ProjectKind::Pme, items.clone()));
    let (mut dp, dp_admin) = delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    link(&mut tiznit, &mut dp, &dp_admin);
    let mut mirleft = other_office("BL-MIRLEFT", 37);
    link(&mut mirleft, &mut dp, &dp_admin);
    applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    // Its bundle is taken whole; its list neither applies at the delegation nor reaches Mirleft.
    assert!(matches!(send_up(&mut tiznit, &mut dp, &dp_admin, &stick), ImportOutcome::Applied { .. }));
    assert!(ok(dp.checklist_of(&dp_admin, ProjectKind::Pme)).published.is_none());
    ok(mirleft.core.import_bundle(&mirleft.chef, &reply(&mut dp, &dp_admin, "BL-MIRLEFT", &stick), "réponse"));
    assert!(ok(mirleft.core.checklist_of(&mirleft.chef, ProjectKind::Pme)).published.is_none());
    // At Tiznit its own list applies until the delegation publishes one.
    assert_eq!(ok(tiznit.core.checklist_of(&tiznit.chef, ProjectKind::Pme)).items, items);
}
