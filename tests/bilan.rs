//! The bilan against a register whose true figures are known in advance, and its files (CSV as
//! French Excel reads it, XLSX read back with calamine, JSON) holding the same numbers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use daftar::app::Move;
use daftar::documents::bilan_files::BilanFormat;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{Envelope, FundingSource, Grant, Programme};
use daftar::domain::indicators::{Bilan, Breakdown};
use daftar::domain::visit::Visit;
use uuid::Uuid;

use crate::common::{Office, card, date, draft, office, ok};
use crate::delegation::{dossier_of, money, transmitted};

fn hcar(amount: &str) -> Grant {
    Grant { source: FundingSource::HcarBudget, amount: money(amount) }
}

fn indh(amount: &str) -> Grant {
    Grant { source: FundingSource::Indh { committee_ref: "CPDH-TIZ-14".into() }, amount: money(amount) }
}

fn agence_sud(amount: &str) -> Grant {
    Grant { source: FundingSource::Convention { programme_code: "AGENCE-SUD".into() }, amount: money(amount) }
}

fn approve(o: &mut Office, id: Uuid, on: NaiveDate, grants: &[Grant]) {
    ok(o.core.move_dossier(&o.chef, id, Move::to(Status::Approuve, on).granting(grants, Some("PV"))));
}

/// Pays `amount` on the dossier's funding line number `line` (in the order granted).
fn pay(o: &mut Office, id: Uuid, line: usize, amount: &str, on: NaiveDate) {
    let view = ok(o.core.dossier_view(&o.chef, id));
    let mut lines: Vec<_> = view.funding.iter().map(|(l, _)| l.clone()).collect();
    lines.sort_by_key(|l| l.meta.created_at.clone());
    ok(o.core.disburse(&o.chef, lines[line].meta.id, money(amount), on, "OV"));
}

struct Known {
    office: Office,
    numbers: BTreeMap<&'static str, String>,
}

/// Five dossiers of a standalone office, spanning 2025 and 2026:
/// - D1 PME, deposited 2025, approved 2025 (HCAR 100 000 + INDH 50 000 on 2025), paid 60 000
///   HCAR in 2025, then 40 000 HCAR and 50 000 INDH in 2026; 5 jobs (3 family), 4 (2) seen in
///   2026; its promoter has AMO cover;
/// - D2 cooperative, 2026, approved (AGENCE-SUD 200 000), paid 80 000 in 2026; 10 jobs (6);
/// - D3 individual project, 2026, rejected;
/// - D4 association, 2026, still at the office;
/// - D5 individual project deposited 2025, approved 2026 (HCAR 30 000), not paid.
fn known() -> Known {
    let mut o = office(None);
    let mut programme = ok(Programme::validate("AGENCE-SUD", "Agence du Sud", "وكالة الجنوب", "convention"));
    programme.set_envelope(Envelope { year: 2026, amount: money("1 200 000"), target_projects: Some(64) });
    ok(o.core.save_programme(&o.chef, &programme));
    let mut with_amo = draft("JB100001", "Youssef", "El Alaoui", "12/04/1975");
    with_amo.amo_regime = "cnss".into();
    with_amo.amo_number = "123456789".into();
    with_amo.amo_checked_on = "01/01/2025".into();
    let promoter = ok(o.core.add_applicant(&o.agent, &with_amo, &card("R-1"), None)).id;
    let d1 = dossier_of(&mut o, promoter, "pme", ("5", "3"), date(1, 3, 2025));
    approve(&mut o, d1, date(10, 5, 2025), &[hcar("100 000"), indh("50 000")]);
    pay(&mut o, d1, 0, "60 000", date(1, 6, 2025));
    pay(&mut o, d1, 0, "40 000", date(1, 2, 2026));
    pay(&mut o, d1, 1, "50 000", date(1, 3, 2026));
    let project = ok(o.core.dossier_view(&o.chef, d1)).dossier.value.project_id;
    let visit = ok(Visit::validate(project, "01/04/2026", "4", "2", true, "en activité", date(29, 11, 2026)));
    ok(o.core.add_visit(&o.agent, &visit));
    let d2 = transmitted(&mut o, ("JB100002", "Fatima", "Zahraoui"), "cooperative", ("10", "6"), date(15, 1, 2026));
    approve(&mut o, d2, date(20, 2, 2026), &[agence_sud("200 000")]);
    pay(&mut o, d2, 0, "80 000", date(10, 3, 2026));
    let d3 = transmitted(&mut o, ("JB100003", "Karim", "Bennani"), "projet-individuel", ("1", "1"), date(1, 2, 2026));
    ok(o.core.move_dossier(&o.chef, d3, Move::to(Status::Rejete, date(1, 3, 2026)).because("Hors programme")));
    let promoter = crate::common::applicant(&mut o, "JB100004", "Nadia", "Chraibi", "03/03/1983");
    let draft4 = daftar::domain::project::ProjectDraft {
        kind: "association".into(),
        name: "Association Tifawin".into(),
        ..Default::default()
    };
    let project4 = ok(o.core.add_project(&o.agent, &draft4, promoter, vec![]));
    let d4 = ok(o.core.open_dossier(&o.agent, project4, date(1, 4, 2026), None, &[])).meta.id;
    ok(o.core.move_dossier(&o.agent, d4, Move::to(Status::EnInstruction, date(2, 4, 2026))));
    let d5 = transmitted(&mut o, ("JB100005", "Said", "Naciri"), "projet-individuel", ("2", "2"), date(1, 11, 2025));
    approve(&mut o, d5, date(10, 1, 2026), &[hcar("30 000")]);
    let mut numbers = BTreeMap::new();
    for (name, id) in [("D1", d1), ("D2", d2), ("D3", d3), ("D4", d4), ("D5", d5)] {
        numbers.insert(name, ok(o.core.dossier_view(&o.chef, id)).dossier.value.number.to_string());
    }
    Known { office: o, numbers }
}

fn year(k: &Known, y: i32, by: Option<Breakdown>) -> Bilan {
    ok(k.office.core.bilan(&k.office.chef, date(1, 1, y), date(31, 12, y), by))
}

/// Every figure of `b` that is not zero, with its expected value; all others must be zero.
fn assert_figures(b: &Bilan, expected: &[(&str, i64)]) {
    let expected: BTreeMap<&str, i64> = expected.iter().copied().collect();
    let actual: BTreeMap<&str, i64> =
        b.figures.iter().filter(|f| f.value != 0).map(|f| (f.key.as_str(), f.value)).collect();
    assert_eq!(actual, expected);
}

#[test]
fn every_indicator_matches_a_register_whose_figures_are_known() {
    let k = known();
    let y2026 = year(&k, 2026, None);
    assert_figures(
        &y2026,
        &[
            ("dossiers_deposes.cooperative", 1),
            ("dossiers_deposes.projet_individuel", 1),
            ("dossiers_deposes.association", 1),
            ("dossiers_deposes.total", 3),
            ("dossiers_approuves.cooperative", 1),
            ("dossiers_approuves.projet_individuel", 1),
            ("dossiers_approuves.total", 2),
            ("dossiers_rejetes.projet_individuel", 1),
            ("dossiers_rejetes.total", 1),
            ("projets_finances.cooperative", 1),
            ("projets_finances.total", 1),
            ("projets_finances_cumul.pme", 1),
            ("projets_finances_cumul.cooperative", 1),
            ("projets_finances_cumul.total", 2),
            ("emplois_prevus.total", 10),
            ("emplois_prevus.famille", 6),
            ("emplois_prevus_cumul.total", 15),
            ("emplois_prevus_cumul.famille", 9),
            ("emplois_constates_cumul.total", 4),
            ("emplois_constates_cumul.famille", 2),
            ("dh_engages.hcar", 3_000_000),
            ("dh_engages.convention.AGENCE-SUD", 20_000_000),
            ("dh_engages.total", 23_000_000),
            ("dh_decaisses.hcar", 4_000_000),
            ("dh_decaisses.indh", 5_000_000),
            ("dh_decaisses.convention.AGENCE-SUD", 8_000_000),
            ("dh_decaisses.total", 17_000_000),
            ("beneficiaires_finances_cumul.total", 2),
            ("amo_couverts_cumul.total", 1),
            ("dossiers_statut.en_instruction", 1),
            ("dossiers_statut.approuve", 1),
            ("dossiers_statut.rejete", 1),
            ("dossiers_statut.finance", 2),
            ("enveloppes.AGENCE-SUD.2026.montant", 120_000_000),
            ("enveloppes.AGENCE-SUD.2026.engage", 20_000_000),
            // The annual report's figures: dossiers funded on the 2026 budget by source and
            // kind; every project registered on the tests' day (none has a creation date).
            ("dossiers_finances_source.hcar", 1),
            ("dossiers_finances_source.convention.AGENCE-SUD", 1),
            ("dossiers_finances_source.total", 2),
            ("dossiers_finances_type.hcar.projet_individuel", 1),
            ("dossiers_finances_type.convention.AGENCE-SUD.cooperative", 1),
            ("dh_engages_type.hcar.projet_individuel", 3_000_000),
            ("dh_engages_type.convention.AGENCE-SUD.cooperative", 20_000_000),
            ("projets_crees.pme", 1),
            ("projets_crees.cooperative", 1),
            ("projets_crees.association", 1),
            ("projets_crees.projet_individuel", 2),
            ("projets_crees.total", 5),
            ("projets_crees_cumul.pme", 1),
            ("projets_crees_cumul.cooperative", 1),
            ("projets_crees_cumul.association", 1),
            ("projets_crees_cumul.projet_individuel", 2),
            ("projets_crees_cumul.total", 5),
            ("emplois_projets_crees.total", 18),
            ("emplois_projets_crees.famille", 12),
            ("emplois_projets_crees_cumul.total", 18),
            ("emplois_projets_crees_cumul.famille", 12),
        ],
    );
    // 2025: the co-funded PME counts once as a project and in both sources' sums.
    let y2025 = year(&k, 2025, None);
    assert_figures(
        &y2025,
        &[
            ("dossiers_deposes.pme", 1),
            ("dossiers_deposes.projet_individuel", 1),
            ("dossiers_deposes.total", 2),
            ("dossiers_approuves.pme", 1),
            ("dossiers_approuves.total", 1),
            ("projets_finances.pme", 1),
            ("projets_finances.total", 1),
            ("projets_finances_cumul.pme", 1),
            ("projets_finances_cumul.total", 1),
            ("emplois_prevus.total", 5),
            ("emplois_prevus.famille", 3),
            ("emplois_prevus_cumul.total", 5),
            ("emplois_prevus_cumul.famille", 3),
            ("dh_engages.hcar", 10_000_000),
            ("dh_engages.indh", 5_000_000),
            ("dh_engages.total", 15_000_000),
            // Co-funded: once in the total, under each of its sources.
            ("dossiers_finances_source.hcar", 1),
            ("dossiers_finances_source.indh", 1),
            ("dossiers_finances_source.total", 1),
            ("dossiers_finances_type.hcar.pme", 1),
            ("dossiers_finances_type.indh.pme", 1),
            ("dh_engages_type.hcar.pme", 10_000_000),
            ("dh_engages_type.indh.pme", 5_000_000),
            ("dossiers_cofinances.pme", 1),
            ("dossiers_cofinances.total", 1),
            ("dh_decaisses.hcar", 6_000_000),
            ("dh_decaisses.total", 6_000_000),
            ("beneficiaires_finances_cumul.total", 1),
            ("amo_couverts_cumul.total", 1),
            ("dossiers_statut.en_instruction", 1),
            ("dossiers_statut.approuve", 1),
            ("dossiers_statut.rejete", 1),
            ("dossiers_statut.finance", 2),
        ],
    );
    // Each figure lists the dossiers behind it, with what each adds.
    let drill = |key: &str| -> BTreeMap<String, i64> {
        ok(k.office.core.bilan_drill_down(&k.office.chef, date(1, 1, 2026), date(31, 12, 2026), None, key, None))
            .into_iter()
            .map(|l| (l.dossier, l.value))
            .collect()
    };
    let expect = |pairs: &[(&str, i64)]| -> BTreeMap<String, i64> {
        pairs.iter().map(|(name, value)| (k.numbers[name].clone(), *value)).collect()
    };
    assert_eq!(drill("dh_engages.total"), expect(&[("D2", 20_000_000), ("D5", 3_000_000)]));
    assert_eq!(drill("projets_finances_cumul.total"), expect(&[("D1", 1), ("D2", 1)]));
    assert_eq!(drill("dh_decaisses.total"), expect(&[("D1", 9_000_000), ("D2", 8_000_000)]));
    assert_eq!(drill("dossiers_statut.en_instruction"), expect(&[("D4", 1)]));
    // Re-running on the same data gives the same figures.
    assert_eq!(year(&k, 2026, None), y2026);
}

#[test]
fn a_breakdown_adds_up_to_the_total() {
    let k = known();
    for by in [Breakdown::Office, Breakdown::Province, Breakdown::Region] {
        let b = year(&k, 2026, Some(by));
        for figure in b.figures.iter().filter(|f| !f.key.starts_with("enveloppes.")) {
            assert_eq!(figure.by_group.values().sum::<i64>(), figure.value, "{by:?} {}", figure.key);
        }
    }
    // The test office's beneficiaries live in Tiznit (581), in Souss-Massa (09).
    assert_eq!(year(&k, 2026, Some(Breakdown::Province)).groups, ["581"]);
    assert_eq!(year(&k, 2026, Some(Breakdown::Region)).groups, ["09"]);
    assert_eq!(year(&k, 2026, Some(Breakdown::Office)).groups, ["BL-TIZNIT"]);
}

/// Reads a French-Excel CSV: BOM, `;`, decimal comma. Key → (total, per group).
fn read_csv(bytes: &[u8]) -> BTreeMap<String, Vec<f64>> {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}"));
    let text = text.strip_prefix('\u{feff}').unwrap_or_else(|| panic!("no BOM"));
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let mut out = BTreeMap::new();
    for row in reader.records() {
        let row = ok(row);
        let values = row.iter().skip(4).map(|v| ok(v.replace(',', ".").parse::<f64>())).collect();
        out.insert(row[0].to_owned(), values);
    }
    out
}

fn read_json(bytes: &[u8]) -> BTreeMap<String, Vec<f64>> {
    let doc: serde_json::Value = ok(serde_json::from_slice(bytes));
    let groups: Vec<String> = doc["groupes"]
        .as_array()
        .map(|g| g.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    for (key, entry) in doc["indicateurs"].as_object().unwrap_or_else(|| panic!("no indicators")) {
        // Counts are integers; dirhams exact decimal strings (daftar-bilan/2), never floats.
        let number = |v: &serde_json::Value| match v {
            serde_json::Value::String(dh) => {
                assert!(dh.split_once('.').is_some_and(|(_, c)| c.len() == 2), "{key}: « {dh} »");
                dh.parse::<f64>().unwrap_or_else(|_| panic!("{key}: « {dh} »"))
            }
            other => other.as_f64().unwrap_or_else(|| panic!("{key}: {other}")),
        };
        assert_eq!(doc["format"], "daftar-bilan/2");
        let mut values = vec![number(&entry["valeur"])];
        values.extend(groups.iter().map(|g| {
            let v = &entry["par_groupe"][g];
            if v.is_null() { 0.0 } else { number(v) }
        }));
        out.insert(key.clone(), values);
    }
    out
}

fn read_xlsx(bytes: Vec<u8>) -> BTreeMap<String, Vec<f64>> {
    use calamine::{Data, Reader as _, Xlsx};
    let mut workbook: Xlsx<_> = ok(Xlsx::new(std::io::Cursor::new(bytes)));
    let sheet = ok(workbook.worksheet_range("Bilan"));
    let mut out = BTreeMap::new();
    for row in sheet.rows().skip(3) {
        let Some(Data::String(key)) = row.first() else { continue };
        let values = row
            .iter()
            .skip(3)
            .map(|cell| match cell {
                Data::Float(v) => *v,
                Data::Int(v) => *v as f64,
                other => panic!("{key}: a number is written as {other:?}"),
            })
            .collect();
        out.insert(key.clone(), values);
    }
    out
}

#[test]
fn csv_xlsx_and_json_hold_the_same_numbers() {
    let k = known();
    let file = |format| {
        ok(k.office.core.bilan_file(
            &k.office.chef,
            date(1, 1, 2026),
            date(31, 12, 2026),
            Some(Breakdown::Office),
            format,
        ))
    };
    let json = read_json(&file(BilanFormat::Json));
    assert_eq!(json["dh_engages.total"], [230_000.0, 230_000.0]);
    assert_eq!(json["dossiers_deposes.total"], [3.0, 3.0]);
    assert_eq!(read_csv(&file(BilanFormat::Csv)), json);
    assert_eq!(read_xlsx(file(BilanFormat::Xlsx)), json);
    assert!(file(BilanFormat::Pdf).starts_with(b"%PDF-"));
    // Clerks produce reports too; a period runs forward.
    assert!(k.office.core.bilan(&k.office.agent, date(1, 1, 2026), date(31, 12, 2026), None).is_ok());
    assert!(k.office.core.bilan(&k.office.chef, date(31, 12, 2026), date(1, 1, 2026), None).is_err());
}

#[test]
fn a_closed_year_is_frozen_signed_and_later_changes_show_as_differences() {
    let mut k = known();
    let not_over = k.office.core.close_year(&k.office.chef, 2026).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(not_over.contains("n'est pas terminée"), "{not_over}");
    assert!(matches!(k.office.core.close_year(&k.office.agent, 2025), Err(daftar::app::AppError::Refused(_))));
    let closed = ok(k.office.core.close_year(&k.office.chef, 2025));
    assert!(closed.authentic && closed.differences.is_empty());
    assert_eq!(closed.frozen, year(&k, 2025, Some(Breakdown::Office)), "the same data gives the same figures");
    let again = k.office.core.close_year(&k.office.chef, 2025).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(again.contains("déjà clôturée"), "{again}");
    // A follow-up visit recorded late, dated in the closed year, shows as a difference — never
    // silently.
    let d1 = ok(k.office.core.dossier_by_number(&k.office.chef, &k.numbers["D1"])).meta.id;
    let project = ok(k.office.core.dossier_view(&k.office.chef, d1)).dossier.value.project_id;
    let visit = ok(Visit::validate(project, "01/12/2025", "3", "1", true, "en activité", date(29, 11, 2026)));
    ok(k.office.core.add_visit(&k.office.agent, &visit));
    let now = ok(k.office.core.closed_year(&k.office.chef, 2025)).unwrap_or_else(|| panic!("closed"));
    let changed: Vec<(String, Option<String>, i64, i64)> =
        now.differences.iter().map(|d| (d.key.clone(), d.group.clone(), d.frozen, d.now)).collect();
    let office = Some("BL-TIZNIT".to_owned());
    assert_eq!(
        changed,
        [
            ("emplois_constates_cumul.total".into(), None, 0, 3),
            ("emplois_constates_cumul.total".into(), office.clone(), 0, 3),
            ("emplois_constates_cumul.famille".into(), None, 0, 1),
            ("emplois_constates_cumul.famille".into(), office, 0, 1),
        ]
    );
    assert!(now.authentic, "the frozen figures themselves are untouched");
    // Editing the frozen figures in the file breaks the signature.
    ok(k.office.core.store().conn().execute(
        "UPDATE year_closings SET figures = replace(figures, '6000000', '6100000'), sha256 = ?1",
        [hex_sha256_of_updated(&k)],
    ));
    assert!(!ok(k.office.core.closed_year(&k.office.chef, 2025)).is_some_and(|c| c.authentic));
}

/// The SHA-256 the tampered figures would have (a forger can recompute the hash, not the signature).
fn hex_sha256_of_updated(k: &Known) -> String {
    use sha2::Digest as _;
    let figures: String =
        ok(k.office.core.store().conn().query_row("SELECT figures FROM year_closings", [], |r| r.get(0)));
    hex::encode(sha2::Sha256::digest(figures.replace("6000000", "6100000").as_bytes()))
}

#[test]
fn the_facts_follow_every_change_as_a_full_rebuild_would() {
    let mut k = known();
    let before = year(&k, 2026, Some(Breakdown::Province));
    assert_eq!(before.value_in("dossiers_deposes.total", "581"), 3);
    // D5 is paid, D2's promoter moves to Agadir (001), D4 is deleted.
    let d5 = ok(k.office.core.dossier_by_number(&k.office.chef, &k.numbers["D5"])).meta.id;
    pay(&mut k.office, d5, 0, "10 000", date(1, 6, 2026));
    let d2 = ok(k.office.core.dossier_by_number(&k.office.chef, &k.numbers["D2"])).meta.id;
    let applicant = ok(k.office.core.dossier_view(&k.office.chef, d2)).dossier.value.applicant_id;
    let mut moved = draft("JB100002", "Fatima", "Zahraoui", "12/04/1975");
    moved.province_code = "001".into();
    ok(k.office.core.edit_applicant(&k.office.agent, applicant, &moved, None));
    let d4 = ok(k.office.core.dossier_by_number(&k.office.chef, &k.numbers["D4"])).meta.id;
    ok(k.office.core.delete(&k.office.chef, daftar::app::Table::Dossiers, d4, "doublon de saisie"));
    // D5 gets INDH co-funding on the 2026 budget, paid at once; D1's 2025 INDH line is deleted.
    let before_money = year(&k, 2026, None);
    let indh = FundingSource::Indh { committee_ref: "CPDH-2026-9".into() };
    let line = ok(k.office.core.add_funding(&k.office.chef, d5, indh, money("5 000"), 2026, None));
    ok(k.office.core.disburse(&k.office.chef, line, money("5 000"), date(2, 6, 2026), "OV"));
    let d1 = ok(k.office.core.dossier_by_number(&k.office.chef, &k.numbers["D1"])).meta.id;
    let view = ok(k.office.core.dossier_view(&k.office.chef, d1));
    let old_indh = view.funding.iter().find(|(l, _)| l.value.source.kind_code() == "indh").map(|(l, _)| l.meta.id);
    let old_indh = old_indh.unwrap_or_else(|| panic!("D1 has an INDH line"));
    ok(k.office.core.delete(&k.office.chef, daftar::app::Table::FundingLines, old_indh, "saisie en double"));
    let after = year(&k, 2026, Some(Breakdown::Province));
    assert_eq!(after.value("dh_engages.indh") - before_money.value("dh_engages.indh"), 500_000);
    assert_eq!(
        after.value("dh_decaisses.indh") - before_money.value("dh_decaisses.indh"),
        500_000 - 5_000_000,
        "D5's new payment in, D1's 2026 INDH payment gone with its line"
    );
    assert_eq!(after.value("projets_finances.total"), 2, "D2 and now D5");
    assert_eq!(after.value("dossiers_deposes.total"), 2, "D4 is gone");
    assert_eq!(after.value_in("dossiers_deposes.total", "001"), 1, "D2 follows its promoter");
    assert_eq!(after.value("dossiers_statut.finance"), 3);
    // The same figures as facts rebuilt from nothing.
    ok(k.office.core.store().conn().execute("UPDATE bilan_facts_mark SET change_no = -1", []));
    assert_eq!(year(&k, 2026, Some(Breakdown::Province)), after);
}

#[test]
fn projects_count_from_their_creation_date_funded_or_not_and_history_shows_in_a_closed_year() {
    let mut o = office(None);
    let promoter = crate::common::applicant(&mut o, "JB200001", "Amina", "Tazi", "03/03/1983");
    let project = |o: &mut Office, kind: &str, name: &str, created_on: &str, jobs: (&str, &str)| {
        let draft = daftar::domain::project::ProjectDraft {
            kind: kind.into(),
            name: name.into(),
            created_on: created_on.into(),
            jobs_total: jobs.0.into(),
            jobs_family: jobs.1.into(),
            ..Default::default()
        };
        ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    };
    project(&mut o, "pme", "Menuiserie Atlas", "15/03/2024", ("4", "2"));
    project(&mut o, "association", "Association Tifawin", "01/06/2026", ("3", "3"));
    // No creation date: it counts from the day it was registered (the tests' 29 November 2026).
    project(&mut o, "cooperative", "Coopérative Amal", "", ("7", "1"));
    let bilan = |o: &Office, y: i32| ok(o.core.bilan(&o.chef, date(1, 1, y), date(31, 12, y), Some(Breakdown::Office)));
    let y2026 = bilan(&o, 2026);
    let expected = [
        ("projets_crees.association", 1),
        ("projets_crees.cooperative", 1),
        ("projets_crees.pme", 0),
        ("projets_crees.total", 2),
        ("projets_crees_cumul.pme", 1),
        ("projets_crees_cumul.total", 3),
        ("emplois_projets_crees.total", 10),
        ("emplois_projets_crees.famille", 4),
        ("emplois_projets_crees_cumul.total", 14),
        ("emplois_projets_crees_cumul.famille", 6),
        // None of them is funded: the financed projects' figures stay at zero.
        ("projets_finances_cumul.total", 0),
    ];
    for (key, value) in expected {
        assert_eq!(y2026.value(key), value, "{key}");
        assert_eq!(y2026.value_in(key, "BL-TIZNIT"), value, "{key} at the office");
    }
    let y2024 = bilan(&o, 2024);
    assert_eq!((y2024.value("projets_crees.pme"), y2024.value("projets_crees_cumul.total")), (1, 1));

    // The counts kept by year (whole years) follow edits and deletions as the projects' own rows
    // do (a period that is not whole years reads the projects themselves).
    let edited = daftar::domain::project::ProjectDraft {
        kind: "cooperative".into(),
        name: "Menuiserie Atlas".into(),
        created_on: "15/03/2025".into(),
        jobs_total: "9".into(),
        jobs_family: "5".into(),
        ..Default::default()
    };
    let projects = ok(o.core.projects_of(&o.chef, promoter));
    let id = |name: &str| {
        projects.iter().find(|p| p.value.name == name).map(|p| p.meta.id).unwrap_or_else(|| panic!("{name}"))
    };
    ok(o.core.edit_project(&o.chef, id("Menuiserie Atlas"), &edited, promoter, vec![]));
    ok(o.core.delete(&o.chef, daftar::app::Table::Projects, id("Association Tifawin"), "Saisie en double"));
    let whole = bilan(&o, 2026);
    let almost = ok(o.core.bilan(&o.chef, date(1, 1, 2026), date(30, 12, 2026), Some(Breakdown::Office)));
    for family in ["projets_crees", "projets_crees_cumul", "emplois_projets_crees", "emplois_projets_crees_cumul"] {
        for detail in ["pme", "cooperative", "association", "total", "famille"] {
            let key = format!("{family}.{detail}");
            assert_eq!(whole.value(&key), almost.value(&key), "{key}");
        }
    }
    assert_eq!((whole.value("projets_crees_cumul.cooperative"), whole.value("projets_crees_cumul.total")), (2, 2));

    // 2025 closed: a project of 2025 entered afterwards (history) shows as a difference.
    ok(o.core.close_year(&o.chef, 2025));
    let closed = ok(o.core.closed_year(&o.chef, 2025)).unwrap_or_else(|| panic!("2025 not closed"));
    assert!(closed.differences.is_empty(), "{:?}", closed.differences);
    project(&mut o, "cooperative", "Coopérative ancienne", "10/10/2025", ("5", "5"));
    let closed = ok(o.core.closed_year(&o.chef, 2025)).unwrap_or_else(|| panic!("2025 not closed"));
    let keys: Vec<&str> = closed.differences.iter().filter(|d| d.group.is_none()).map(|d| d.key.as_str()).collect();
    for key in ["projets_crees.cooperative", "projets_crees_cumul.total", "emplois_projets_crees.total"] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
}

#[test]
fn one_pass_by_office_and_province_gives_each_breakdown() {
    let k = known();
    let (by_office, by_province) = ok(daftar::store::report::bilans_by_office_and_province(
        k.office.core.store().conn(),
        date(1, 1, 2026),
        date(31, 12, 2026),
    ));
    assert_eq!(non_zero(&by_office), non_zero(&year(&k, 2026, Some(Breakdown::Office))));
    assert_eq!(non_zero(&by_province), non_zero(&year(&k, 2026, Some(Breakdown::Province))));
}

/// Every figure of `b` with its total and its groups, zeros left out (a pass keeps a group at
/// zero or leaves it out depending on the order it met the groups in).
pub fn non_zero(b: &Bilan) -> Vec<(String, i64, BTreeMap<String, i64>)> {
    b.figures
        .iter()
        .map(|f| {
            (
                f.key.clone(),
                f.value,
                f.by_group.iter().filter(|(_, v)| **v != 0).map(|(g, v)| (g.clone(), *v)).collect(),
            )
        })
        .collect()
}

#[test]
fn by_source_a_co_funded_dossier_counts_under_each_source_and_dirhams_add_up() {
    let k = known();
    let in_group = |b: &Bilan, key: &str| -> (i64, BTreeMap<String, i64>) {
        let figure = b.figures.iter().find(|f| f.key == key).unwrap_or_else(|| panic!("{key}"));
        (figure.value, figure.by_group.iter().filter(|(_, v)| **v != 0).map(|(g, v)| (g.clone(), *v)).collect())
    };
    let groups =
        |pairs: &[(&str, i64)]| -> BTreeMap<String, i64> { pairs.iter().map(|(g, v)| ((*g).to_owned(), *v)).collect() };
    let y2025 = year(&k, 2025, Some(Breakdown::Source));
    // D1, approved on HCAR and INDH: once in the total, under each source.
    assert_eq!(in_group(&y2025, "dossiers_approuves.total"), (1, groups(&[("hcar", 1), ("indh", 1)])));
    assert_eq!(in_group(&y2025, "projets_finances.total"), (1, groups(&[("hcar", 1), ("indh", 1)])));
    assert_eq!(in_group(&y2025, "dossiers_finances_source.total"), (1, groups(&[("hcar", 1), ("indh", 1)])));
    assert_eq!(in_group(&y2025, "dossiers_cofinances.total"), (1, groups(&[("hcar", 1), ("indh", 1)])));
    // Dirhams fall under their own source and add up.
    assert_eq!(
        in_group(&y2025, "dh_engages.total"),
        (15_000_000, groups(&[("hcar", 10_000_000), ("indh", 5_000_000)]))
    );
    assert_eq!(in_group(&y2025, "dh_decaisses.total"), (6_000_000, groups(&[("hcar", 6_000_000)])));
    // No source decides a deposit: not broken down.
    assert_eq!(in_group(&y2025, "dossiers_deposes.total"), (2, groups(&[])));
    let y2026 = year(&k, 2026, Some(Breakdown::Source));
    assert_eq!(in_group(&y2026, "dossiers_approuves.total"), (2, groups(&[("convention.AGENCE-SUD", 1), ("hcar", 1)])));
    assert_eq!(
        in_group(&y2026, "projets_finances_cumul.total"),
        (2, groups(&[("convention.AGENCE-SUD", 1), ("hcar", 1), ("indh", 1)]))
    );
    // The totals are those of the bilan without breakdown.
    let plain = year(&k, 2026, None);
    for figure in &plain.figures {
        assert_eq!(y2026.value(&figure.key), figure.value, "{}", figure.key);
    }
}
