//! A delegation's year end to end: three offices fill their registers from generated CSV files
//! (the years before Daftar included), send them up; the commission decides a session from a
//! decisions file; the replies come down, the offices pay and send up again — and the annual
//! report's figures at the delegation equal the totals computed here from the input files alone.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use daftar::app::ImportOutcome;
use daftar::app::csv_import::CsvTarget;
use daftar::domain::indicators::Breakdown;
use daftar::domain::project::ProjectKind;
use daftar::domain::role::Role;

use crate::common::{Office, date, ok};
use crate::delegation::{other_office, province, reply, send_up};
use crate::sync::link;

const KINDS: [&str; 4] = ["pme", "cooperative", "association", "projet-individuel"];
const LAST_NAMES: [&str; 3] = ["Alaoui", "Bennani", "Chraibi"];
const FIRST_NAMES: [&str; 4] = ["Youssef", "Karim", "Hamid", "Rachid"];
/// Each office's people and projects live in their own province (Tiznit, Agadir, Chtouka).
const PROVINCES: [&str; 3] = ["581", "001", "163"];

/// What the input files say the year's figures must be, counted as the files are written.
#[derive(Default)]
struct Expected {
    /// Projects created, by kind: (in 2026, to the end of 2026); jobs to the end of 2026.
    created: BTreeMap<&'static str, (i64, i64)>,
    jobs: (i64, i64),
    /// Dossiers funded on the 2026 budget by source, their dirhams, and the co-funded.
    funded: BTreeMap<&'static str, (i64, i64)>,
    funded_total: i64,
    cofunded: i64,
    approved: i64,
    rejected: i64,
    paid: i64,
    /// Dirhams committed in 2026, by office.
    by_office: BTreeMap<String, i64>,
}

fn centimes(dirhams: i64) -> i64 {
    dirhams * 100
}

/// One office's files: applicants, projects (two created in 2026, two before), a dossier
/// transmitted for each 2026 project, and a project of 2019 with its past dossier (history).
fn fill(o: &mut Office, office: usize, expected: &mut Expected) {
    let (mut applicants, mut projects, mut dossiers) = (
        String::from("cin;sexe;date_naissance;lien;carte;nom;prenom;province\n"),
        String::from("type;nom;porteur_cin;date_creation;emplois;emplois_famille;province\n"),
        String::from("porteur_cin;projet;date_depot;montant_demande;pieces;statut\n"),
    );
    for i in 0..4 {
        let cin = format!("JK{office}{i:05}");
        let (last, first) = (LAST_NAMES[office], FIRST_NAMES[i]);
        let province = PROVINCES[office];
        writeln!(applicants, "{cin};M;0{}/03/1970;titulaire;R-{office}{i};{last};{first};{province}", i + 1).ok();
        let kind = KINDS[(office + i) % 4];
        let (jobs, family) = (2 + i as i64, 1 + (i as i64) % 2);
        let created = if i < 2 { "01/02/2026" } else { "15/06/2024" };
        writeln!(projects, "{kind};Projet {office}-{i};{cin};{created};{jobs};{family};{province}").ok();
        let entry = expected.created.entry(kind).or_default();
        entry.1 += 1;
        entry.0 += i64::from(i < 2);
        expected.jobs.0 += jobs;
        expected.jobs.1 += family;
        if i < 2 {
            let kind_code = ok(ProjectKind::parse(kind));
            let list = ok(daftar::store::reference::checklist(o.core.store().conn(), kind_code));
            let pieces: Vec<String> = list.iter().map(|item| item.code.clone()).collect();
            writeln!(dossiers, "{cin};Projet {office}-{i};01/03/2026;120 000;{};transmis", pieces.join("|")).ok();
        }
    }
    // The years before Daftar: a cooperative of 2019, approved and paid then.
    let cin = format!("JK{office}99999");
    writeln!(applicants, "{cin};M;01/01/1965;titulaire;R-{office}99;{};Abdelkader;581", LAST_NAMES[office]).ok();
    let history = format!(
        "porteur_cin;type;projet;date_creation;emplois;emplois_famille;reference_papier;date_depot;decision;date_decision;source;montant;date_versement;montant_verse\n\
         {cin};cooperative;Ancienne {office};10/01/2019;7;3;DP/2019/{office};01/02/2019;approuve;01/04/2019;hcar;40 000;01/05/2019;40 000\n"
    );
    let entry = expected.created.entry("cooperative").or_default();
    entry.1 += 1;
    expected.jobs.0 += 7;
    expected.jobs.1 += 3;
    ok(o.core.import_csv(&o.agent, CsvTarget::Applicants, applicants.as_bytes()));
    ok(o.core.import_csv(&o.agent, CsvTarget::Projects, projects.as_bytes()));
    ok(o.core.import_csv(&o.chef, CsvTarget::Dossiers, dossiers.as_bytes()));
    ok(o.core.import_csv(&o.chef, CsvTarget::History, history.as_bytes()));
}

#[test]
fn a_delegations_year_from_csv_files_to_the_annual_report() {
    let dir = ok(tempfile::tempdir());
    let stick = dir.path().join("cle");
    let mut p = province(&dir.path().join("dp.sqlite"));
    let mut aglou = other_office("BL-AGLOU", 53);
    link(&mut aglou, &mut p.dp, &p.dp_admin);
    let mut expected = Expected::default();
    let mut offices = [p.tiznit, p.mirleft, aglou];
    for (n, office) in offices.iter_mut().enumerate() {
        // Logged in again: linked to its delegation since its sessions opened.
        office.chef = ok(office.core.login("chef", crate::common::CHEF_PASSWORD));
        office.agent = ok(office.core.login("agent", crate::common::AGENT_PASSWORD));
        fill(office, n, &mut expected);
        send_up(office, &mut p.dp, &p.dp_admin, &stick);
    }

    // The commission's session, from a decisions file written from the agenda.
    ok(p.dp.add_user(&p.dp_admin, "delegue", "Le délégué", Role::DelegationOfficer, "delegue-motdepasse-1"));
    let delegue = ok(p.dp.login("delegue", "delegue-motdepasse-1"));
    ok(p.dp.open_commission_session(&delegue, "PV-2026-11", "10/11/2026", "Tiznit", "Le délégué, président"));
    let agenda = ok(p.dp.agenda(&delegue, &daftar::app::AgendaFilter::default()));
    assert_eq!(agenda.len(), 6, "two dossiers transmitted by each office");
    let mut decisions = String::from("dossier;decision;source;montant;motif;precision\n");
    let mut approved = Vec::new();
    for (i, line) in agenda.iter().enumerate() {
        let hcar = 10_000 + 1_000 * i as i64;
        match i {
            0 => {
                writeln!(decisions, "{};rejete;;;viabilite;", line.number).ok();
                expected.rejected += 1;
            }
            1 => {
                writeln!(decisions, "{};ajourne;;;complement;devis", line.number).ok();
            }
            _ => {
                writeln!(decisions, "{};approuve;hcar;{hcar};;", line.number).ok();
                let mut committed = hcar;
                let hcar_entry = expected.funded.entry("hcar").or_default();
                hcar_entry.0 += 1;
                hcar_entry.1 += centimes(hcar);
                if i % 2 == 0 {
                    writeln!(decisions, "{};approuve;indh:CPDH-TIZ-2026-1;5 000;;", line.number).ok();
                    let indh = expected.funded.entry("indh").or_default();
                    indh.0 += 1;
                    indh.1 += centimes(5_000);
                    expected.cofunded += 1;
                    committed += 5_000;
                }
                expected.funded_total += 1;
                expected.approved += 1;
                *expected.by_office.entry(line.office.clone()).or_default() += centimes(committed);
                approved.push((line.office.clone(), line.number.clone(), hcar));
            }
        }
    }
    let tally = ok(p.dp.import_decisions_csv(&delegue, "PV-2026-11", decisions.as_bytes(), None));
    assert_eq!((tally.approved, tally.rejected, tally.adjourned), (4, 1, 1));

    // The replies go down; each office pays half of what HCAR granted it and sends up again.
    for office in &mut offices {
        let code = ok(office.core.site()).code.to_string();
        let bytes = reply(&mut p.dp, &p.dp_admin, &code, &stick);
        let outcome = ok(office.core.import_bundle(&office.chef, &bytes, "réponse"));
        assert!(matches!(outcome, ImportOutcome::Applied { .. }), "{outcome}");
        let mut funding = String::from("dossier;source;date_versement;montant_verse\n");
        let mut any = false;
        for (_, number, hcar) in approved.iter().filter(|(owner, _, _)| *owner == code) {
            writeln!(funding, "{number};hcar;20/11/2026;{}", hcar / 2).ok();
            expected.paid += centimes(hcar / 2);
            any = true;
        }
        if any {
            ok(office.core.import_csv(&office.chef, CsvTarget::Funding, funding.as_bytes()));
        }
        send_up(office, &mut p.dp, &p.dp_admin, &stick);
    }

    // The annual report's figures at the delegation, against the files.
    let year = ok(p.dp.bilan(&delegue, date(1, 1, 2026), date(31, 12, 2026), Some(Breakdown::Office)));
    for (kind, (in_2026, to_date)) in &expected.created {
        let detail = kind.replace('-', "_");
        assert_eq!(year.value(&format!("projets_crees.{detail}")), *in_2026, "projets_crees.{detail}");
        assert_eq!(year.value(&format!("projets_crees_cumul.{detail}")), *to_date, "projets_crees_cumul.{detail}");
    }
    assert_eq!(year.value("projets_crees_cumul.total"), 15, "five projects per office");
    assert_eq!(
        (year.value("emplois_projets_crees_cumul.total"), year.value("emplois_projets_crees_cumul.famille")),
        expected.jobs
    );
    for (source, (dossiers, dirhams)) in &expected.funded {
        assert_eq!(year.value(&format!("dossiers_finances_source.{source}")), *dossiers, "{source}");
        assert_eq!(year.value(&format!("dh_engages.{source}")), *dirhams, "{source}");
    }
    assert_eq!(year.value("dossiers_finances_source.total"), expected.funded_total);
    assert_eq!(year.value("dossiers_cofinances.total"), expected.cofunded);
    assert_eq!(year.value("dossiers_approuves.total"), expected.approved);
    assert_eq!(year.value("dossiers_rejetes.total"), expected.rejected);
    assert_eq!(year.value("dh_decaisses.total"), expected.paid);
    let committed: i64 = expected.funded.values().map(|(_, dh)| dh).sum();
    assert_eq!(year.value("dh_engages.total"), committed);
    for (office, dirhams) in &expected.by_office {
        assert_eq!(year.value_in("dh_engages.total", office), *dirhams, "{office}");
    }
    // The years before Daftar count where they belong: 2019.
    let y2019 = ok(p.dp.bilan(&delegue, date(1, 1, 2019), date(31, 12, 2019), None));
    assert_eq!(y2019.value("projets_crees.cooperative"), 3);
    assert_eq!(y2019.value("dh_engages.hcar"), 3 * centimes(40_000));
    assert_eq!(y2019.value("dh_decaisses.total"), 3 * centimes(40_000));
    // The annual report counts by office and by province in one pass: each as its own pass does.
    let (by_office, by_province) = ok(daftar::store::report::bilans_by_office_and_province(
        p.dp.store().conn(),
        date(1, 1, 2026),
        date(31, 12, 2026),
    ));
    assert_eq!(crate::bilan::non_zero(&by_office), crate::bilan::non_zero(&year));
    let provinces = ok(p.dp.bilan(&delegue, date(1, 1, 2026), date(31, 12, 2026), Some(Breakdown::Province)));
    assert_eq!(crate::bilan::non_zero(&by_province), crate::bilan::non_zero(&provinces));
    assert_eq!(provinces.groups, ["001", "163", "581"]);
    // And the report itself.
    let pdf = ok(p.dp.annual_report_file(&delegue, 2026, daftar::documents::bilan_files::BilanFormat::Pdf));
    assert!(pdf.starts_with(b"%PDF-"));
}
