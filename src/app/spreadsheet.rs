//! Excel workbooks (.xlsx) as offices keep them, read as the rows of a CSV file: the first sheet,
//! or the one named; its first row the header. Values become the text a CSV file would hold —
//! dates as Excel stores them (serial numbers, with the workbook's 1900 or 1904 calendar) as
//! jj/mm/aaaa, numbers with a decimal comma, a formula as its cached value — and the same
//! columns, checks and all-or-nothing rule apply (`csv_import`). A formula with no cached value,
//! an error cell (#DIV/0!…) or a workbook larger than the cap once uncompressed is refused,
//! naming the cell.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::AppError;
use super::csv_import::MAX_BYTES;

/// A sheet read as text: its header row and its other rows, each with its number as the
/// spreadsheet shows it (from 1).
pub struct Sheet {
    /// The first row's cells.
    pub headers: Vec<String>,
    /// The rows below it.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Whether `bytes` are a zip archive (what an .xlsx file is), not text.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the sheet `name` (the first when none) of the workbook `bytes`.
pub fn read_sheet(bytes: &[u8], name: Option<&str>) -> Result<Sheet, AppError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::Rule(format!(
            "Le classeur Excel est illisible ({e}) : ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) »."
        ))
    };
    check_uncompressed_size(bytes).map_err(|e| match e {
        SizeProblem::TooLarge(size) => AppError::Rule(format!(
            "Le classeur est trop volumineux une fois décompressé ({} Mo, maximum {} Mo) : découpez-le.",
            size / 1_048_576,
            MAX_BYTES / 1_048_576
        )),
        SizeProblem::Unreadable(e) => unreadable(&e),
    })?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let names = workbook.sheet_names();
    let sheet = match name {
        Some(wanted) => names.iter().find(|n| n.trim() == wanted.trim()).cloned().ok_or_else(|| {
            AppError::Rule(format!("Le classeur n'a pas de feuille « {wanted} » (feuilles : {}).", names.join(", ")))
        })?,
        None => names.first().cloned().ok_or_else(|| AppError::Rule("Le classeur n'a aucune feuille.".into()))?,
    };
    let values = workbook.worksheet_range(&sheet).map_err(|e| unreadable(&e))?;
    let formulas = workbook.worksheet_formula(&sheet).map_err(|e| unreadable(&e))?;
    let Some((top, left)) = values.start() else {
        return Err(AppError::Rule(format!("La feuille « {sheet} » est vide.")));
    };
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for (i, row) in values.rows().enumerate() {
        let number = u64::from(top) + i as u64 + 1;
        let cells = row
            .iter()
            .enumerate()
            .map(|(j, cell)| {
                let at = (top + i as u32, left + j as u32);
                let formula = formulas.get_value(at).filter(|f| !f.is_empty());
                text_of(cell, formula.is_some()).unwrap_or_else(|why| {
                    problems.push(format!("ligne {number} : cellule {} : {why}", cell_name(at)));
                    String::new()
                })
            })
            .collect::<Vec<_>>();
        rows.push((number, cells));
    }
    if !problems.is_empty() {
        return Err(AppError::CsvRejected(problems));
    }
    let mut rows = rows.into_iter();
    let (_, headers) = rows.next().unwrap_or_default();
    Ok(Sheet { headers, rows: rows.collect() })
}

/// The text a CSV file would hold for `cell`; `formula`: the cell holds one (an empty cached
/// value is then a formula never computed).
fn text_of(cell: &Data, formula: bool) -> Result<String, String> {
    Ok(match cell {
        // No value saved with the formula (read as empty, or as an empty text).
        _ if formula && (matches!(cell, Data::Empty) || matches!(cell, Data::String(s) if s.is_empty())) => {
            return Err("une formule sans valeur calculée : ouvrez le classeur dans Excel et enregistrez-le, \
                        ou remplacez la formule par sa valeur"
                .into());
        }
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "oui" } else { "non" }.to_owned(),
        Data::DateTime(moment) => match moment.as_datetime() {
            Some(at) if moment.is_datetime() => at.format("%d/%m/%Y").to_string(),
            _ => number(moment.as_f64()),
        },
        Data::Error(e) => return Err(format!("la cellule contient l'erreur Excel {e}")),
    })
}

/// A number as a French CSV file writes it: whole numbers without decimals (57000), others
/// with a decimal comma (1234,5), so that amounts read without ambiguity.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 { format!("{value:.0}") } else { value.to_string().replace('.', ",") }
}

/// The spreadsheet's name of the cell at (`row`, `column`), from 0: (1, 3) is D2.
fn cell_name((row, column): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row + 1).to_string()
}

enum SizeProblem {
    TooLarge(u64),
    Unreadable(String),
}

/// Refuses a workbook whose parts, uncompressed, would be larger than the CSV cap (a zip bomb
/// among them), by the sizes its archive declares, before anything is inflated.
fn check_uncompressed_size(bytes: &[u8]) -> Result<(), SizeProblem> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| SizeProblem::Unreadable(e.to_string()))?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| SizeProblem::Unreadable(e.to_string()))?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_BYTES as u64 { Err(SizeProblem::TooLarge(total)) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_the_spreadsheet_names_them() {
        assert_eq!(cell_name((0, 0)), "A1");
        assert_eq!(cell_name((1, 3)), "D2");
        assert_eq!(cell_name((9, 25)), "Z10");
        assert_eq!(cell_name((0, 26)), "AA1");
        assert_eq!(cell_name((0, 701)), "ZZ1");
        assert_eq!(cell_name((0, 702)), "AAA1");
    }

    #[test]
    fn numbers_read_as_a_csv_file_writes_them() {
        assert_eq!(number(57000.0), "57000");
        assert_eq!(number(1234.5), "1234,5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(0.1 + 0.2), "0,30000000000000004");
    }

    #[test]
    fn what_is_not_a_workbook_is_refused_in_french() {
        for bytes in [&b"PK\x03\x04garbage"[..], b"PK\x03\x04", b"not a zip at all"] {
            match read_sheet(bytes, None) {
                Err(AppError::Rule(message)) => assert!(message.contains("illisible"), "{message}"),
                Err(other) => panic!("{other}"),
                Ok(_) => panic!("read"),
            }
        }
    }
}
