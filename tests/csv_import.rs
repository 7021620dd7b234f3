//! `import-csv`: French Excel files import whole, and any bad line imports nothing.

use daftar::app::AppError;
use daftar::app::csv_import::CsvTarget;

use crate::common::{count, office, ok};

const APPLICANTS: &str = "\u{feff}CIN;Nom;Prénom;Nom_ar;Prenom_ar;Sexe;Date_naissance;Lien;Carte;Titulaire_carte;Telephone;Province\r\n\
JB100001;Bennani;Mohamed;بناني;محمد;M;05/03/1962;titulaire;R-100;;06 61 23 45 67;581\r\n\
JB100002;Bennani;Fatima;بناني;فاطمة;F;12/11/1965;veuve;R-100;;;581\r\n\
JB100003;Tazi;Youssef;;;M;01/02/1990;fils;R-200;Ahmed Tazi;+212 5 28 12 34 56;\r\n";

fn import(o: &mut crate::common::Office, target: CsvTarget, text: &str) -> Result<usize, AppError> {
    let agent = &o.agent;
    o.core.import_csv(agent, target, text.as_bytes())
}

fn rejected(result: Result<usize, AppError>) -> String {
    match result {
        Err(AppError::CsvRejected(lines)) => lines.join("\n"),
        other => panic!("expected a rejected file, got {other:?}"),
    }
}

#[test]
fn a_good_file_imports_every_line() {
    let mut o = office(None);
    assert_eq!(ok(import(&mut o, CsvTarget::Applicants, APPLICANTS)), 3);
    assert_eq!(count(&o.core, "applicants"), 3);
    assert_eq!(count(&o.core, "card_holders"), 2, "the widow shares her husband's card");
    let projects = "type,nom,porteur_cin,emplois,emplois_famille,ice\ncooperative,Coopérative Argan Tiznit,JB100002,8,6,001234567000089\n";
    assert_eq!(ok(import(&mut o, CsvTarget::Projects, projects)), 1);
    let dossiers = "porteur_cin;projet;date_depot;montant_demande;pieces;statut\nJB100002;coopérative argan tiznit;02/03/2026;150 000,50;demande|cin;en-instruction\n";
    assert_eq!(ok(import(&mut o, CsvTarget::Dossiers, dossiers)), 1);
    let number = "BL-TIZNIT-2026-00001";
    let view = ok(o.core.dossier_view(&o.agent, ok(o.core.dossier_by_number(&o.agent, number)).meta.id));
    assert_eq!(view.dossier.value.status, daftar::domain::dossier::Status::EnInstruction);
    assert_eq!(view.dossier.value.requested.map(|m| m.centimes()), Some(15_000_050));
}

#[test]
fn each_kind_of_bad_line_imports_nothing() {
    let header = "cin;nom;prenom;sexe;date_naissance;lien;carte;telephone\n";
    let good = "JB100001;Bennani;Mohamed;M;05/03/1962;titulaire;R-100;\n";
    let bad_lines = [
        ("JB100002;Tazi;Omar;M;31/02/1970;fils;R-100;\n", "colonne date_naissance"),
        ("JB100002;Tazi;Omar;X;01/02/1970;fils;R-100;\n", "colonne sexe"),
        ("JB100002;Tazi;Omar;M;01/02/1970;cousin;R-100;\n", "colonne lien"),
        ("JB100002;Tazi;Omar;M;01/02/1970;fils;R-100;12345\n", "colonne telephone"),
        (";Tazi;Omar;M;01/02/1970;fils;R-100;\n", "colonne cin"),
        ("JB100002;Tazi;Omar;M;01/02/1970;fils;;\n", "colonne carte"),
        ("JB100001;Bennani;Mohamed;M;05/03/1962;titulaire;R-100;\n", "Doublon possible"),
        ("JB100002;Tazi;Omar;M;01/02/1970\n", "5 valeurs pour 8 colonnes"),
    ];
    for (bad, expected) in bad_lines {
        let mut o = office(None);
        let text = format!("{header}{good}{bad}{good}");
        let message = rejected(import(&mut o, CsvTarget::Applicants, &text));
        assert!(message.contains("ligne 3") && message.contains(expected), "{bad} → {message}");
        assert_eq!(count(&o.core, "applicants"), 0, "nothing imported for {bad}");
        assert_eq!(count(&o.core, "outbox"), 0);
    }
}

#[test]
fn bad_files_are_refused_with_a_clear_message() {
    let mut o = office(None);
    let unknown = rejected(import(&mut o, CsvTarget::Applicants, "cin;nom;couleur\nJB1;A;B\n"));
    assert!(
        unknown.contains("colonne inconnue « couleur »") && unknown.contains("colonne obligatoire absente : sexe"),
        "{unknown}"
    );
    let latin1 = o
        .core
        .import_csv(&o.agent, CsvTarget::Applicants, b"cin;nom\nJB1;B\xe9nali\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(latin1.contains("UTF-8"), "{latin1}");
    let empty = import(&mut o, CsvTarget::Applicants, "cin;sexe;date_naissance;lien;carte\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(empty.contains("aucune ligne"), "{empty}");
    assert_eq!(count(&o.core, "audit_log"), 3);
}

#[test]
fn a_clerk_cannot_import_funding() {
    let mut o = office(None);
    let result = import(&mut o, CsvTarget::Funding, "dossier;source;montant_engage\nX;hcar;100\n");
    assert!(matches!(result, Err(AppError::Refused(_))), "{result:?}");
}

#[test]
fn a_file_saved_by_excel_names_its_lines_as_the_spreadsheet_does() {
    // Excel writes CRLF line ends: the line numbers are still the spreadsheet's rows.
    let text = "cin;nom;prenom;sexe;date_naissance;lien;carte\r\n\
                JB100001;Bennani;Mohamed;M;05/03/1962;titulaire;R-100\r\n\
                JB100002;Bennani;Fatima;F;12/11/1965;veuve;R-100\r\n\
                JB100003;Tazi;Youssef;M;31/02/1990;fils;R-200\r\n";
    let mut o = office(None);
    let message = rejected(import(&mut o, CsvTarget::Applicants, text));
    assert!(message.starts_with("ligne 4 : colonne date_naissance"), "{message}");
}

/// The years before Daftar: projects with their creation dates (one never funded), a past
/// dossier approved on two sources and paid in two tranches, one rejected — entered once by the
/// head of office, marked as history, and counted in the years they belong to.
const HISTORY: &str = "porteur_cin;type;projet;date_creation;emplois;emplois_famille;province;reference_papier;date_depot;decision;date_decision;motif;source;montant;date_versement;montant_verse\n\
JB100001;pme;Menuiserie Atlas;15/03/2019;6;4;581;DP-TIZ/2019/112;10/01/2019;approuve;20/02/2019;;hcar;80 000;01/04/2019;50 000\n\
JB100001;pme;Menuiserie Atlas;15/03/2019;6;4;581;DP-TIZ/2019/112;10/01/2019;approuve;20/02/2019;;indh:CPDH-TIZ-2019-3;20 000;;\n\
JB100001;pme;Menuiserie Atlas;;;;;DP-TIZ/2019/112;;;;;hcar;;01/09/2019;30 000\n\
JB100002;association;Association Tifawin;01/06/2018;3;3;581;;;;;;;;;\n\
JB100003;cooperative;Coopérative Amal;05/05/2020;9;2;581;DP-TIZ/2020/7;02/03/2020;rejete;30/04/2020;Hors programme cette année;;;;\n";

#[test]
fn history_enters_the_years_before_daftar_once_and_counts_them_where_they_belong() {
    let mut o = office(None);
    ok(import(&mut o, CsvTarget::Applicants, APPLICANTS));
    // A clerk does not write decisions, even old ones.
    let refused = o.core.import_csv(&o.agent, CsvTarget::History, HISTORY.as_bytes());
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    // A wrong line refuses the whole file, naming it.
    let wrong = HISTORY.replace("20/02/2019;;indh", "20/02/2019;;inconnue");
    let problems = rejected(o.core.import_csv(&o.chef, CsvTarget::History, wrong.as_bytes()));
    assert!(problems.contains("ligne 3") && problems.contains("inconnue"), "{problems}");
    assert_eq!((count(&o.core, "projects"), count(&o.core, "decisions")), (0, 0));

    assert_eq!(ok(o.core.import_csv(&o.chef, CsvTarget::History, HISTORY.as_bytes())), 5);
    assert_eq!((count(&o.core, "projects"), count(&o.core, "dossiers"), count(&o.core, "decisions")), (3, 2, 2));
    let approved = ok(o.core.dossier_by_number(&o.chef, "BL-TIZNIT-2019-00001"));
    let view = ok(o.core.dossier_view(&o.chef, approved.meta.id));
    assert_eq!(view.dossier.value.status, daftar::domain::dossier::Status::Finance);
    assert_eq!(view.dossier.value.paper_reference.as_deref(), Some("DP-TIZ/2019/112"));
    let decision = view.decision.as_ref().map(|d| d.value.clone()).unwrap_or_else(|| panic!("no decision"));
    assert!(decision.history && decision.approved);
    assert_eq!(decision.grants.len(), 2);
    assert_eq!(view.committed().centimes(), 10_000_000);
    assert_eq!(view.disbursed().centimes(), 8_000_000);
    let rejected = ok(o.core.dossier_by_number(&o.chef, "BL-TIZNIT-2020-00001"));
    assert_eq!(rejected.value.status, daftar::domain::dossier::Status::Rejete);

    // Counted in the years they belong to: created, decided, committed, paid.
    let year = |y: i32| {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        ok(o.core.bilan(&o.chef, day(1, 1), day(12, 31), None))
    };
    let y2019 = year(2019);
    for (key, value) in [
        ("projets_crees.pme", 1),
        ("projets_crees_cumul.total", 2),
        ("dossiers_approuves.pme", 1),
        ("dossiers_finances_source.total", 1),
        ("dossiers_cofinances.total", 1),
        ("dh_engages.total", 10_000_000),
        ("dh_decaisses.total", 8_000_000),
        ("projets_finances.pme", 1),
    ] {
        assert_eq!(y2019.value(key), value, "2019 {key}");
    }
    let y2020 = year(2020);
    assert_eq!((y2020.value("dossiers_rejetes.cooperative"), y2020.value("projets_crees_cumul.total")), (1, 3));
    assert_eq!(year(2018).value("projets_crees.association"), 1);
}
