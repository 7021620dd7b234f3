//! Free text at every door: the forms, the CSV import, the writer, the bundle reader, `check` and
//! the export follow one rule per field (`daftar::domain::text`).

use daftar::app::csv_import::CsvTarget;
use daftar::app::{AppError, ImportOutcome};
use daftar::domain::text::spreadsheet_safe;

use crate::common::{CHEF_PASSWORD, applicant, card, count, draft, office, ok};
use crate::sync::{business, export, genuine_records, import, manifest, pair, seal, stick};

#[test]
fn forms_refuse_direction_marks_and_overlong_text_with_the_field_named() {
    let mut o = office(None);
    let reversed = daftar::domain::applicant::ApplicantDraft {
        last_name: "Alaoui\u{202E}".into(),
        ..draft("JB123456", "Youssef", "x", "12/04/1975")
    };
    match o.core.add_applicant(&o.agent, &reversed, &card("R-1"), None) {
        Err(AppError::Invalid(errors)) => {
            let message = errors.for_field("last_name").unwrap_or_default();
            assert!(message.contains("U+202E"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let long = daftar::domain::applicant::ApplicantDraft {
        address: "x".repeat(2_000_000),
        ..draft("JB123456", "Youssef", "Alaoui", "12/04/1975")
    };
    match o.core.add_applicant(&o.agent, &long, &card("R-1"), None) {
        Err(AppError::Invalid(errors)) => assert!(errors.for_field("address").is_some(), "{errors}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&o.core, "applicants"), 0);
}

#[test]
fn a_row_stored_before_the_rules_is_listed_by_check_and_blocks_the_export_until_corrected() {
    let mut p = pair();
    let id = applicant(&mut p.office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    // What an earlier version let through: a 2 MB address.
    ok(p.office.core.store().conn().execute(
        "UPDATE applicants SET data = json_set(data, '$.address', ?1) WHERE id = ?2",
        rusqlite::params!["x".repeat(2_000_000), id.to_string()],
    ));
    let report = ok(p.office.core.check(&p.office.admin));
    assert_eq!(report.text.len(), 1, "{:?}", report.text);
    let line = daftar::app::free_text::describe(&report.text[0], "BL-TIZNIT");
    assert!(line.contains("El Alaoui") && line.contains("Adresse") && line.contains("écran Bénéficiaires"), "{line}");
    assert!(!line.contains("daftar "), "the window's words name no command: {line}");
    let refused = p.office.core.export_bundle(&p.office.chef, &stick(&p.dir, "cle"), None).err().map(|e| e.to_string());
    let refused = refused.unwrap_or_default();
    assert!(
        refused.contains("Export refusé") && refused.contains("El Alaoui") && refused.contains("écran Bénéficiaires"),
        "{refused}"
    );
    assert!(
        !stick(&p.dir, "cle").exists() || ok(std::fs::read_dir(stick(&p.dir, "cle"))).next().is_none(),
        "nothing written"
    );
    // Corrected on the applicant's card: the export goes, the delegation takes it.
    let fixed = daftar::domain::applicant::ApplicantDraft {
        address: "12 rue Al Massira".into(),
        ..draft("JB123456", "Youssef", "El Alaoui", "12/04/1975")
    };
    ok(p.office.core.edit_applicant(&p.office.agent, id, &fixed, None));
    assert!(ok(p.office.core.check(&p.office.admin)).text.is_empty());
    let bytes = export(&mut p.office, &stick(&p.dir, "cle2"));
    assert!(matches!(ok(import(&mut p.dp, &p.dp_admin, &bytes)), ImportOutcome::Applied { .. }));
}

#[test]
fn a_signed_bundle_with_overlong_or_reversing_text_is_refused_naming_the_record() {
    let mut p = pair();
    let records = genuine_records(&mut p);
    let dp_keys = ok(p.dp.identity_file(&p.dp_admin)).keys;
    let chef = ok(p.office.core.login("chef", CHEF_PASSWORD));
    let i = records.iter().position(|r| r.table == "applicants").unwrap_or_else(|| panic!("no applicant"));
    for (field, value) in [("address", "x".repeat(300)), ("first_name", "Youssef\u{202E}654321".to_owned())] {
        let mut hostile = records.clone();
        let mut data: serde_json::Value = ok(serde_json::from_str(hostile[i].data.get()));
        data[field] = serde_json::Value::String(value);
        hostile[i].data = ok(serde_json::value::RawValue::from_string(data.to_string()));
        let before = business(&p.dp);
        let bytes = seal(&chef, "BL-TIZNIT", &dp_keys, &manifest("BL-TIZNIT", 1, (0, 4)), &hostile);
        let why = match import(&mut p.dp, &p.dp_admin, &bytes) {
            Err(AppError::Refused(why)) => why.to_string(),
            other => panic!("{other:?}"),
        };
        assert!(
            why.contains(&format!("l'enregistrement {}", i + 1)) && why.contains(&hostile[i].id.to_string()),
            "{why}"
        );
        assert_eq!(business(&p.dp), before);
    }
}

#[test]
fn csv_cells_kept_from_formulas_read_back_as_typed() {
    let mut o = office(None);
    let phone = spreadsheet_safe("+212661234567");
    assert_eq!(phone, "'+212661234567");
    let text = format!(
        "cin;nom;prenom;sexe;date_naissance;lien;carte;telephone\nJB100001;Bennani;Mohamed;M;05/03/1962;titulaire;R-100;{phone}\n"
    );
    assert_eq!(ok(o.core.import_csv(&o.agent, CsvTarget::Applicants, text.as_bytes())), 1);
    let stored: String =
        ok(o.core.store().conn().query_row("SELECT data ->> '$.phone' FROM applicants", [], |r| r.get(0)));
    assert_eq!(stored, "+212661234567");
}

#[test]
fn csv_lines_whose_sex_and_link_disagree_are_reported_unless_a_reason_is_given() {
    let mut o = office(None);
    let header = "cin;nom;prenom;sexe;date_naissance;lien;carte;titulaire_carte;motif_lien\n";
    let text = format!(
        "{header}JB100001;Bennani;Fatima;F;05/03/1962;veuve;R-100;Ahmed Bennani;\nJB100002;Tazi;Omar;F;01/02/1970;fils;R-100;;\nJB100003;Tazi;Hind;M;01/02/1972;fille;R-100;;\n"
    );
    let message = match o.core.import_csv(&o.agent, CsvTarget::Applicants, text.as_bytes()) {
        Err(AppError::CsvRejected(lines)) => lines.join("\n"),
        other => panic!("{other:?}"),
    };
    assert!(
        message.contains("ligne 3 : colonne motif_lien") && message.contains("ligne 4 : colonne motif_lien"),
        "{message}"
    );
    assert!(!message.contains("ligne 2"), "{message}");
    assert_eq!(count(&o.core, "applicants"), 0);
    let text = text
        .replace("fils;R-100;;", "fils;R-100;;Jugement rectificatif 12/2019")
        .replace("fille;R-100;;", "fille;R-100;;Erreur de l'état civil");
    assert_eq!(ok(o.core.import_csv(&o.agent, CsvTarget::Applicants, text.as_bytes())), 3);
}

#[test]
fn a_bilan_csv_keeps_spreadsheets_from_running_text() {
    let day = crate::common::date(1, 1, 2026);
    let bilan = daftar::domain::indicators::Bilan {
        from: day,
        to: day,
        by: None,
        groups: vec!["=HYPERLINK(\"http://x\")".into()],
        figures: vec![],
    };
    let csv = String::from_utf8(ok(daftar::documents::bilan_files::csv(&bilan))).unwrap_or_default();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
}
