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
