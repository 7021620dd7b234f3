//! `import-csv` reads Excel workbooks as they are: the same columns, checks and all-or-nothing
//! rule as CSV, with dates, amounts and formulas as Excel stores them.

use daftar::app::AppError;
use daftar::app::csv_import::CsvTarget;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError};

use crate::common::{Office, count, office, ok};

const APPLICANTS_CSV: &str = "cin;nom;prenom;nom_ar;prenom_ar;sexe;date_naissance;lien;carte;titulaire_carte;telephone;province\n\
JB100001;Bennani;Mohamed;بناني;محمد;M;05/03/1962;titulaire;R-100;;06 61 23 45 67;581\n\
JB100002;Bennani;Fatima;بناني;فاطمة;F;12/11/1965;veuve;R-100;;;581\n\
JB100003;Tazi;Youssef;;;M;01/02/1990;fils;R-200;Ahmed Tazi;;\n";
const PROJECTS_CSV: &str =
    "type;nom;porteur_cin;emplois;emplois_famille\ncooperative;Coopérative Argan Tiznit;JB100002;8;6\n";
const DOSSIERS_CSV: &str = "porteur_cin;projet;date_depot;montant_demande;pieces;statut\n\
JB100002;Coopérative Argan Tiznit;02/03/2026;150 000,50;demande|cin;en-instruction\n";

/// A cell as the workbook holds it: text, a number, a date, or a formula with (or without) the
/// value Excel computed.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Date(u16, u8, u8),
    Formula(&'a str, Option<&'a str>),
}

fn write_rows(sheet: &mut Worksheet, rows: &[&[Cell<'_>]]) -> Result<(), XlsxError> {
    let date = Format::new().set_num_format("dd/mm/yyyy");
    // A formula without its result keeps no value, as a program that does not calculate leaves
    // it (rust_xlsxwriter itself writes 0 unless told).
    sheet.set_formula_result_default("");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                Cell::Text("") => {}
                Cell::Text(text) => {
                    sheet.write_string(r, c, *text)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                Cell::Date(y, m, d) => {
                    sheet.write_datetime_with_format(r, c, ExcelDateTime::from_ymd(*y, *m, *d)?, &date)?;
                }
                Cell::Formula(f, Some(result)) => {
                    sheet.write_formula(r, c, Formula::new(*f).set_result(*result))?;
                }
                Cell::Formula(f, None) => {
                    sheet.write_formula(r, c, Formula::new(*f))?;
                }
            }
        }
    }
    Ok(())
}

/// A workbook of one sheet (named `name`) after a first sheet of notes, as offices keep them.
fn workbook(name: &str, rows: &[&[Cell<'_>]]) -> Vec<u8> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        write_rows(book.add_worksheet().set_name(name)?, rows)?;
        book.add_worksheet().set_name("Notes")?.write_string(0, 0, "Saisi au bureau de Tiznit")?;
        book.save_to_buffer()
    };
    ok(build().map_err(|e| e.to_string()))
}

fn applicants_xlsx() -> Vec<u8> {
    use Cell::*;
    let header: Vec<Cell> = [
        "CIN",
        "Nom",
        "Prénom",
        "Nom_ar",
        "Prenom_ar",
        "Sexe",
        "Date_naissance",
        "Lien",
        "Carte",
        "Titulaire_carte",
        "Telephone",
        "Province",
    ]
    .into_iter()
    .map(Text)
    .collect();
    workbook(
        "Bénéficiaires",
        &[
            &header,
            &[
                Text("JB100001"),
                Text("Bennani"),
                Text("Mohamed"),
                Text("بناني"),
                Text("محمد"),
                Text("M"),
                Date(1962, 3, 5),
                Text("titulaire"),
                Text("R-100"),
                Text(""),
                Text("06 61 23 45 67"),
                Number(581.0),
            ],
            &[
                Text("JB100002"),
                Text("Bennani"),
                Text("Fatima"),
                Text("بناني"),
                Text("فاطمة"),
                Text("F"),
                Date(1965, 11, 12),
                Text("veuve"),
                Text("R-100"),
                Text(""),
                Text(""),
                Formula("=580+1", Some("581")),
            ],
            // An empty row, as spreadsheets have, is skipped.
            &[],
            &[
                Text("JB100003"),
                Text("Tazi"),
                Text("Youssef"),
                Text(""),
                Text(""),
                Text("M"),
                Text("01/02/1990"),
                Text("fils"),
                Text("R-200"),
                Text("Ahmed Tazi"),
                Text(""),
                Text(""),
            ],
        ],
    )
}

/// Every row of `table` (id and content) at `o`, in order.
fn rows(o: &Office, table: &str) -> Vec<(String, String)> {
    let conn = o.core.store().conn();
    let mut stmt = ok(conn.prepare(&format!("SELECT id, data FROM {table} ORDER BY id")));
    ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).and_then(Iterator::collect))
}

#[test]
fn a_workbook_and_a_csv_file_of_the_same_register_give_the_same_register() {
    use Cell::*;
    let mut from_csv = office(None);
    let mut from_xlsx = office(None);
    assert_eq!(ok(from_csv.core.import_csv(&from_csv.agent, CsvTarget::Applicants, APPLICANTS_CSV.as_bytes())), 3);
    assert_eq!(ok(from_csv.core.import_csv(&from_csv.agent, CsvTarget::Projects, PROJECTS_CSV.as_bytes())), 1);
    assert_eq!(ok(from_csv.core.import_csv(&from_csv.chef, CsvTarget::Dossiers, DOSSIERS_CSV.as_bytes())), 1);

    let applicants = applicants_xlsx();
    let o = &mut from_xlsx;
    assert_eq!(ok(o.core.import_table(&o.agent, CsvTarget::Applicants, &applicants, Some("Bénéficiaires"))), 3);
    let projects = workbook(
        "Projets",
        &[
            &[Text("type"), Text("nom"), Text("porteur_cin"), Text("emplois"), Text("emplois_famille")],
            &[
                Text("cooperative"),
                Text("Coopérative Argan Tiznit"),
                Text("JB100002"),
                Number(8.0),
                Formula("=2*3", Some("6")),
            ],
        ],
    );
    assert_eq!(ok(o.core.import_table(&o.agent, CsvTarget::Projects, &projects, None)), 1);
    let dossiers = workbook(
        "Dossiers",
        &[
            &[
                Text("porteur_cin"),
                Text("projet"),
                Text("date_depot"),
                Text("montant_demande"),
                Text("pieces"),
                Text("statut"),
            ],
            &[
                Text("JB100002"),
                Text("Coopérative Argan Tiznit"),
                Date(2026, 3, 2),
                Formula("=100000+50000.5", Some("150000.5")),
                Text("demande|cin"),
                Text("en-instruction"),
            ],
        ],
    );
    assert_eq!(ok(o.core.import_table(&o.chef, CsvTarget::Dossiers, &dossiers, None)), 1);

    for table in ["applicants", "card_holders", "projects", "dossiers"] {
        assert_eq!(rows(&from_xlsx, table), rows(&from_csv, table), "{table}: the same rows from either file");
    }
    assert_eq!(count(&from_xlsx.core, "applicants"), 3);
}

#[test]
fn a_workbook_with_an_error_is_refused_whole_with_its_line_and_column() {
    use Cell::*;
    let header = [
        Text("cin"),
        Text("nom"),
        Text("prenom"),
        Text("sexe"),
        Text("date_naissance"),
        Text("lien"),
        Text("carte"),
        Text("province"),
    ];
    let good = [
        Text("JB100001"),
        Text("Bennani"),
        Text("Mohamed"),
        Text("M"),
        Date(1962, 3, 5),
        Text("titulaire"),
        Text("R-100"),
        Number(581.0),
    ];
    let bad_sex = [
        Text("JB100002"),
        Text("Tazi"),
        Text("Omar"),
        Text("X"),
        Date(1970, 2, 1),
        Text("fils"),
        Text("R-100"),
        Number(581.0),
    ];
    let mut o = office(None);
    let refused = o.core.import_csv(&o.agent, CsvTarget::Applicants, &workbook("Feuil1", &[&header, &good, &bad_sex]));
    match refused {
        Err(AppError::CsvRejected(problems)) => {
            assert!(problems.iter().any(|p| p.starts_with("ligne 3 : ") && p.contains("colonne sexe")), "{problems:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A formula Excel never computed (a file written by another program) is refused, naming its cell.
    let uncomputed = [
        Text("JB100003"),
        Text("Idrissi"),
        Text("Ali"),
        Text("M"),
        Date(1980, 1, 1),
        Text("fils"),
        Text("R-300"),
        Formula("=580+1", None),
    ];
    let refused =
        o.core.import_csv(&o.agent, CsvTarget::Applicants, &workbook("Feuil1", &[&header, &good, &uncomputed]));
    match refused {
        Err(AppError::CsvRejected(problems)) => {
            assert!(
                problems.iter().any(|p| p.starts_with("ligne 3 : cellule H3 : une formule sans valeur")),
                "{problems:?}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A sheet that is not there is named, with those that are.
    match o.core.import_table(&o.agent, CsvTarget::Applicants, &applicants_xlsx(), Some("Projets")) {
        Err(AppError::Rule(message)) => {
            assert!(message.contains("« Projets »") && message.contains("Bénéficiaires, Notes"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(count(&o.core, "applicants"), 0, "nothing imported");
    assert_eq!(count(&o.core, "outbox"), 0);
}
