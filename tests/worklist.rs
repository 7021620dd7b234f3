//! The dossiers' worklist: filters, sorts, search and pages, kept right by every write.

use daftar::app::{Move, Table, WorklistQuery, WorklistSort};
use daftar::domain::Money;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{FundingSource, Grant};
use daftar::domain::project::{ProjectDraft, ProjectKind};
use daftar::domain::role::Role;
use uuid::Uuid;

use crate::common::{Office, card, date, draft, office, ok};

const ALL_DOCS: [&str; 6] = ["demande", "cin", "qualite", "naissance", "fiche", "devis"];

/// A dossier of a new applicant and project, deposited on `deposited`.
fn deposit(o: &mut Office, cin: &str, last: &str, project: &str, kind: &str, deposited: (u32, u32, i32)) -> Uuid {
    // Born a year apart: no two of them look like one person.
    let born = format!("12/04/198{}", &cin[cin.len() - 1..]);
    let mut person = draft(cin, "Amina", last, &born);
    person.last_name_ar = "العلوي".into();
    person.first_name_ar = "أمينة".into();
    let applicant = ok(o.core.add_applicant(&o.agent, &person, &card(&format!("R-{cin}")), None)).id;
    let draft = ProjectDraft {
        kind: kind.into(),
        name: project.into(),
        jobs_total: "3".into(),
        jobs_family: "1".into(),
        ..ProjectDraft::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, applicant, vec![]));
    // The individual projects' pieces (the others stay deposited, their pieces to come).
    let docs: Vec<String> = if kind == "projet-individuel" { ALL_DOCS.map(String::from).to_vec() } else { vec![] };
    let (d, m, y) = deposited;
    let requested = Money::parse_fr("10 000").ok();
    ok(o.core.open_dossier(&o.agent, project, date(d, m, y), requested, &docs)).meta.id
}

fn numbers(o: &Office, query: &WorklistQuery) -> Vec<String> {
    ok(o.core.worklist(&o.admin, query)).rows.into_iter().map(|l| l.number).collect()
}

fn query(statuses: &[Status]) -> WorklistQuery {
    WorklistQuery { statuses: statuses.to_vec(), page_size: 50, ..WorklistQuery::default() }
}

/// Four dossiers: 2025-00001 (Zeroual, PME), 2026-00001 (Alaoui, coopérative),
/// 2026-00002 (Bennani, projet individuel, complete), 2026-00003 (Chraibi, approved: HCAR + INDH).
fn four_dossiers() -> (Office, [Uuid; 4]) {
    four_dossiers_in(office(None))
}

fn four_dossiers_in(mut o: Office) -> (Office, [Uuid; 4]) {
    let old = deposit(&mut o, "JB100001", "Zeroual", "Menuiserie Zeroual", "pme", (3, 6, 2025));
    let alaoui = deposit(&mut o, "JB100002", "Alaoui", "Coopérative Argane", "cooperative", (2, 2, 2026));
    let bennani = deposit(&mut o, "JB100003", "Bennani", "Couture Bennani", "projet-individuel", (5, 2, 2026));
    let chraibi = deposit(&mut o, "JB100004", "Chraibi", "Atelier Chraibi", "projet-individuel", (9, 2, 2026));
    for id in [bennani, chraibi] {
        for to in [Status::EnInstruction, Status::Complet] {
            ok(o.core.move_dossier(&o.agent, id, Move::to(to, date(10, 2, 2026))));
        }
    }
    ok(o.core.move_dossier(&o.chef, chraibi, Move::to(Status::Transmis, date(11, 2, 2026))));
    let grants = [
        Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("40 000")) },
        Grant {
            source: FundingSource::Indh { committee_ref: "CPDH-TIZ-2026-07".into() },
            amount: ok(Money::parse_fr("15 000")),
        },
    ];
    ok(o.core.move_dossier(
        &o.chef,
        chraibi,
        Move::to(Status::Approuve, date(12, 2, 2026)).granting(&grants, Some("PV-3")),
    ));
    (o, [old, alaoui, bennani, chraibi])
}

#[test]
fn each_role_first_sees_what_waits_for_it() {
    let (o, _) = four_dossiers();
    let waiting = |role: Role| numbers(&o, &query(role.waiting_dossiers()));
    assert_eq!(waiting(Role::Clerk), ["BL-TIZNIT-2025-00001", "BL-TIZNIT-2026-00001"]);
    assert_eq!(waiting(Role::HeadOfOffice), ["BL-TIZNIT-2026-00002", "BL-TIZNIT-2026-00003"]);
    assert!(waiting(Role::DelegationOfficer).is_empty());
    assert_eq!(waiting(Role::Administrator).len(), 4, "an administrator sees every status");
}

#[test]
fn columns_sort_both_ways_and_filters_combine() {
    let (o, _) = four_dossiers();
    let sorted = |sort, descending| {
        let q = WorklistQuery { sort, descending, ..query(&[]) };
        ok(o.core.worklist(&o.admin, &q)).rows.into_iter().map(|l| l.name).collect::<Vec<_>>()
    };
    assert_eq!(
        sorted(WorklistSort::Applicant, false),
        ["Alaoui Amina", "Bennani Amina", "Chraibi Amina", "Zeroual Amina"]
    );
    assert_eq!(
        sorted(WorklistSort::Applicant, true),
        ["Zeroual Amina", "Chraibi Amina", "Bennani Amina", "Alaoui Amina"]
    );
    assert_eq!(sorted(WorklistSort::Date, false)[0], "Zeroual Amina");
    // The amount: granted once decided (55,000), else asked for (10,000); the largest first.
    let q = WorklistQuery { sort: WorklistSort::Amount, descending: true, ..query(&[]) };
    let first = ok(o.core.worklist(&o.admin, &q)).rows.remove(0);
    assert_eq!((first.name.as_str(), first.amount), ("Chraibi Amina", Money::parse_fr("55 000").ok()));
    // Status in workflow order, then number.
    let q = WorklistQuery { sort: WorklistSort::Status, ..query(&[]) };
    let statuses: Vec<Status> = ok(o.core.worklist(&o.admin, &q)).rows.into_iter().map(|l| l.status).collect();
    assert_eq!(statuses, [Status::Depose, Status::Depose, Status::Complet, Status::Approuve]);
    // Year, kind and source.
    assert_eq!(numbers(&o, &WorklistQuery { year: Some(2025), ..query(&[]) }), ["BL-TIZNIT-2025-00001"]);
    let individual = WorklistQuery { kind: Some(ProjectKind::ProjetIndividuel), ..query(&[]) };
    assert_eq!(numbers(&o, &individual), ["BL-TIZNIT-2026-00002", "BL-TIZNIT-2026-00003"]);
    let indh = WorklistQuery { source: Some("indh".into()), ..query(&[]) };
    assert_eq!(numbers(&o, &indh), ["BL-TIZNIT-2026-00003"]);
    let none = WorklistQuery { source: Some("convention".into()), ..query(&[]) };
    assert!(numbers(&o, &none).is_empty());
    let line = ok(o.core.worklist(&o.admin, &indh)).rows.remove(0);
    assert_eq!((line.cin.as_str(), line.project.as_str()), ("JB100004", "Atelier Chraibi"));
    assert!(line.name_ar.contains("العلوي"), "{line:?}");
}

#[test]
fn a_search_finds_unpadded_numbers_names_and_cins_whatever_the_status() {
    let (o, _) = four_dossiers();
    // The clerk's list does not hold the approved dossier, yet a search finds it.
    let find =
        |typed: &str| numbers(&o, &WorklistQuery { search: typed.into(), ..query(Role::Clerk.waiting_dossiers()) });
    assert_eq!(find("2026-3"), ["BL-TIZNIT-2026-00003"]);
    assert_eq!(find("tiznit-2026-00003"), ["BL-TIZNIT-2026-00003"]);
    assert_eq!(find("BL-TIZNIT-2025-1"), ["BL-TIZNIT-2025-00001"]);
    assert!(find("BL-AGADIR-2026-3").is_empty(), "the office part typed must match");
    assert_eq!(find("chraibi"), ["BL-TIZNIT-2026-00003"]);
    assert_eq!(find("JB100002"), ["BL-TIZNIT-2026-00001"]);
    assert!(find("Zzyzx").is_empty());
    // A year alone: that year's dossiers, whatever their status.
    assert_eq!(find(" 2026 "), ["BL-TIZNIT-2026-00001", "BL-TIZNIT-2026-00002", "BL-TIZNIT-2026-00003"]);
    assert_eq!(find("2025"), ["BL-TIZNIT-2025-00001"]);
    assert!(find("2024").is_empty());
}

#[test]
fn pages_follow_one_another_without_gaps() {
    let (o, _) = four_dossiers();
    let page = |n| {
        let q = WorklistQuery { page: n, page_size: 3, sort: WorklistSort::Applicant, ..query(&[]) };
        ok(o.core.worklist(&o.admin, &q))
    };
    let (first, second) = (page(0), page(1));
    assert!(first.more && !second.more);
    let names: Vec<String> = first.rows.into_iter().chain(second.rows).map(|l| l.name).collect();
    assert_eq!(names, ["Alaoui Amina", "Bennani Amina", "Chraibi Amina", "Zeroual Amina"]);
}

#[test]
fn the_list_follows_renames_moves_funding_and_deletions() {
    let (mut o, [old, alaoui, bennani, chraibi]) = four_dossiers();
    // The applicant renamed: the list shows the new name.
    let applicant = ok(o.core.dossier_view(&o.admin, alaoui)).dossier.value.applicant_id;
    let renamed = draft("JB100002", "Amina", "Alaoui-Idrissi", "12/04/1982");
    ok(o.core.edit_applicant(&o.agent, applicant, &renamed, None));
    let q = WorklistQuery { search: "JB100002".into(), ..query(&[]) };
    assert_eq!(ok(o.core.worklist(&o.admin, &q)).rows[0].name, "Alaoui-Idrissi Amina");
    // Moved on: it leaves the head of office's list for the delegate's.
    ok(o.core.move_dossier(&o.chef, bennani, Move::to(Status::Transmis, date(1, 3, 2026))));
    assert_eq!(numbers(&o, &query(Role::HeadOfOffice.waiting_dossiers())), ["BL-TIZNIT-2026-00003"]);
    assert_eq!(numbers(&o, &query(Role::DelegationOfficer.waiting_dossiers())), ["BL-TIZNIT-2026-00002"]);
    // A co-funding line decided later (another sector): its source and amount follow.
    let source = FundingSource::OtherSector { name: "Agriculture".into() };
    ok(o.core.add_funding(&o.chef, chraibi, source, ok(Money::parse_fr("5 000")), 2026, Some("DPA-2026-4")));
    let others = WorklistQuery { source: Some("autre".into()), ..query(&[]) };
    let line = ok(o.core.worklist(&o.admin, &others)).rows.remove(0);
    assert_eq!((line.number.as_str(), line.amount), ("BL-TIZNIT-2026-00003", Money::parse_fr("60 000").ok()));
    // Deleted: gone from every list.
    ok(o.core.delete(&o.admin, Table::Dossiers, old, "Doublon de saisie"));
    assert!(!numbers(&o, &query(&[])).contains(&"BL-TIZNIT-2025-00001".to_owned()));
    assert_eq!(numbers(&o, &WorklistQuery { year: Some(2025), ..query(&[]) }), Vec::<String>::new());
    // The groups' counts followed every change.
    let wrong: i64 = ok(o.core.store().conn().query_row(
        "SELECT count(*) FROM worklist_groups g WHERE n != (SELECT count(*) FROM worklist w
           WHERE w.status_rank = g.status_rank AND w.year = g.year AND w.kind = g.kind AND w.sources = g.sources)",
        [],
        |r| r.get(0),
    ));
    assert_eq!(wrong, 0);
}

#[test]
fn a_list_whose_changes_left_the_outbox_is_rebuilt_whole_and_the_same() {
    let (o, _) = four_dossiers();
    let all = numbers(&o, &query(&[]));
    let conn = o.core.store().conn();
    let groups = |conn: &rusqlite::Connection| -> Vec<(i64, i64, String, String, i64)> {
        let mut stmt = ok(conn.prepare("SELECT * FROM worklist_groups ORDER BY 1, 2, 3, 4"));
        ok(ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))
            .collect::<Result<Vec<_>, _>>())
    };
    let before = groups(conn);
    // The mark lost (or the lines after it pruned): the next read rebuilds the list from the tables.
    ok(conn
        .execute_batch("UPDATE worklist_mark SET change_no = -1; DELETE FROM worklist; DELETE FROM worklist_groups;"));
    assert_eq!(numbers(&o, &query(&[])), all);
    assert_eq!(groups(o.core.store().conn()), before);
}

#[test]
fn today_s_work_counts_what_waits_for_each_role_and_since_when() {
    use daftar::app::{Opens, TodoItem};
    let clock = crate::common::clock();
    let (o, _) = four_dossiers_in(crate::common::office_on(clock.clone(), None, 7));
    let today = |o: &Office, who: &daftar::app::Session| -> Vec<(String, u64, Option<i64>)> {
        ok(o.core.today(who)).into_iter().map(|i: TodoItem| (i.key.to_owned(), i.count, i.oldest_days)).collect()
    };
    let days = |d, m, y| (date(29, 11, 2026) - date(d, m, y)).num_days();
    // The clerk: the two deposited dossiers whose pieces are still to come, the oldest of June 2025.
    assert_eq!(today(&o, &o.agent), [("pieces-manquantes".into(), 2, Some(days(3, 6, 2025)))]);
    // The head of office: those, the complete one to transmit, the approved one not yet paid,
    // each since it reached its state.
    assert_eq!(
        today(&o, &o.chef),
        [
            ("pieces-manquantes".into(), 2, Some(days(3, 6, 2025))),
            ("complets".into(), 1, Some(days(10, 2, 2026))),
            ("approuves".into(), 1, Some(days(12, 2, 2026))),
        ]
    );
    // Ten days later, everything has waited ten days more; a click leads to the matching list.
    clock.advance(chrono::Duration::days(10));
    let items = ok(o.core.today(&o.chef));
    assert_eq!(items[1].oldest_days, Some(days(10, 2, 2026) + 10));
    assert_eq!(items[1].opens, Opens::Dossiers(vec![Status::Complet]));
    assert_eq!(
        items[1].line(),
        format!("1 — Dossiers complets à transmettre à la commission (depuis {} jours)", days(10, 2, 2026) + 10)
    );
}
