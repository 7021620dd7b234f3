//! The bilan as data files: CSV for French Excel (`;`, decimal comma, UTF-8 BOM), XLSX with real
//! numbers and formats, JSON with every indicator under its stable key. All three hold the same
//! rows: one per indicator, its total, and its value per group when broken down.

use serde_json::{Map, Value, json};

use super::bilan::source_labels;
use crate::domain::dossier::Status;
use crate::domain::indicators::{Bilan, Figure, Unit, family_of, kind_detail, status_detail};
use crate::domain::project::ProjectKind;
use crate::domain::text::spreadsheet_safe;

/// A file format of the bilan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BilanFormat {
    /// The printed document.
    Pdf,
    /// Semicolon-separated values for French Excel.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// JSON, keys as in `docs/indicators.md`.
    Json,
}

impl BilanFormat {
    /// Parses `pdf`, `csv`, `xlsx`, `json`.
    pub fn parse(raw: &str) -> Result<BilanFormat, String> {
        match raw.trim().to_lowercase().as_str() {
            "pdf" => Ok(BilanFormat::Pdf),
            "csv" => Ok(BilanFormat::Csv),
            "xlsx" => Ok(BilanFormat::Xlsx),
            "json" => Ok(BilanFormat::Json),
            other => Err(format!("Format « {other} » inconnu : choisissez pdf, csv, xlsx ou json.")),
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            BilanFormat::Pdf => "pdf",
            BilanFormat::Csv => "csv",
            BilanFormat::Xlsx => "xlsx",
            BilanFormat::Json => "json",
        }
    }
}

/// The French label of an indicator key: its family and its detail.
pub fn key_label(key: &str) -> String {
    let Some(family) = family_of(key) else { return key.to_owned() };
    let detail = key.strip_prefix(family.key).and_then(|d| d.strip_prefix('.')).unwrap_or("");
    let kind = ProjectKind::ALL.into_iter().find(|k| kind_detail(*k) == detail).map(|k| k.label_fr().to_owned());
    let status = Status::ALL.into_iter().find(|s| status_detail(*s) == detail).map(|s| s.label_fr().to_owned());
    let detail = match detail {
        "total" => "total".to_owned(),
        "famille" => "dont famille de la résistance".to_owned(),
        _ if family.key == "enveloppes" => {
            detail.replace(".montant", " — enveloppe").replace(".engage", " — engagé").replacen('.', " ", 1)
        }
        // SOURCE.TYPE: the source, then the project kind.
        _ if family.key.ends_with("_type") => {
            let (source, kind) = detail.rsplit_once('.').unwrap_or((detail, ""));
            let kind = ProjectKind::ALL.into_iter().find(|k| kind_detail(*k) == kind).map_or(kind, |k| k.label_fr());
            format!("{}, {kind}", source_labels(source).0)
        }
        _ if family.key.starts_with("dh_") || family.key == "dossiers_finances_source" => source_labels(detail).0,
        _ => kind.or(status).unwrap_or_else(|| detail.to_owned()),
    };
    format!("{} — {detail}", family.label_fr)
}

fn unit_of(figure: &Figure) -> Unit {
    family_of(&figure.key).map_or(Unit::Count, |f| f.unit)
}

/// A value as written in a French CSV: centimes as dirhams with a decimal comma.
fn csv_value(unit: Unit, value: i64) -> String {
    match unit {
        Unit::Centimes => {
            let sign = if value < 0 { "-" } else { "" };
            format!("{sign}{},{:02}", (value / 100).abs(), (value % 100).abs())
        }
        Unit::Count | Unit::Jobs => value.to_string(),
    }
}

/// A value as a JSON number: dirhams with their centimes.
/// A figure as JSON: counts as integers, dirhams as exact decimal strings (`"1234567.89"`):
/// a floating-point number cannot hold every amount to the centime.
fn json_value(unit: Unit, value: i64) -> Value {
    match unit {
        Unit::Centimes => {
            let sign = if value < 0 { "-" } else { "" };
            let abs = value.unsigned_abs();
            json!(format!("{sign}{}.{:02}", abs / 100, abs % 100))
        }
        Unit::Count | Unit::Jobs => json!(value),
    }
}

/// The CSV file (UTF-8 with BOM, `;`, CRLF, decimal comma).
pub fn csv(b: &Bilan) -> Result<Vec<u8>, String> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let text = |cell: &str| spreadsheet_safe(cell).into_owned();
        let mut header = vec!["clé".to_owned(), "indicateur".into(), "unité".into(), "portée".into(), "total".into()];
        header.extend(b.groups.iter().map(|g| text(g)));
        w.write_record(&header).map_err(|e| e.to_string())?;
        for figure in &b.figures {
            let unit = unit_of(figure);
            let span = family_of(&figure.key).map_or("", |f| f.span.label_fr());
            let mut row = vec![text(&figure.key), text(&key_label(&figure.key)), unit.code().to_owned(), text(span)];
            row.push(csv_value(unit, figure.value));
            row.extend(b.groups.iter().map(|g| csv_value(unit, figure.by_group.get(g).copied().unwrap_or(0))));
            w.write_record(&row).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// The JSON file.
pub fn json(b: &Bilan, site: &str) -> Vec<u8> {
    let mut indicators = Map::new();
    for figure in &b.figures {
        let unit = unit_of(figure);
        let mut entry = Map::new();
        entry.insert("libelle".into(), json!(key_label(&figure.key)));
        entry.insert("unite".into(), json!(unit.code()));
        entry.insert("portee".into(), json!(family_of(&figure.key).map_or("", |f| f.span.label_fr())));
        entry.insert("valeur".into(), json_value(unit, figure.value));
        if b.by.is_some() {
            let groups: Map<String, Value> =
                figure.by_group.iter().map(|(g, v)| (g.clone(), json_value(unit, *v))).collect();
            entry.insert("par_groupe".into(), Value::Object(groups));
        }
        indicators.insert(figure.key.clone(), Value::Object(entry));
    }
    let document = json!({
        "format": "daftar-bilan/2",
        "site": site,
        "periode": { "du": b.from.to_string(), "au": b.to.to_string() },
        "ventilation": b.by.map(|by| by.label_fr().to_lowercase()),
        "groupes": b.groups,
        "indicateurs": indicators,
    });
    let mut out = serde_json::to_vec_pretty(&document).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The XLSX workbook: a sheet of figures (real numbers, thousands and centimes formats) and a
/// sheet of definitions.
pub fn xlsx(b: &Bilan) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| format!("Classeur impossible à écrire : {e}");
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let count = Format::new().set_num_format("#,##0");
    let dirhams = Format::new().set_num_format("#,##0.00");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Bilan").map_err(fail)?;
    let title = format!("Bilan du {} au {}", b.from.format("%d/%m/%Y"), b.to.format("%d/%m/%Y"));
    sheet.write_string_with_format(0, 0, &title, &bold).map_err(fail)?;
    let mut header = vec!["Clé".to_owned(), "Indicateur".into(), "Unité".into(), "Total".into()];
    header.extend(b.groups.iter().cloned());
    for (col, title) in (0u16..).zip(&header) {
        sheet.write_string_with_format(2, col, title, &bold).map_err(fail)?;
    }
    for (row, figure) in (3u32..).zip(&b.figures) {
        let unit = unit_of(figure);
        sheet.write_string(row, 0, &figure.key).map_err(fail)?;
        sheet.write_string(row, 1, key_label(&figure.key)).map_err(fail)?;
        sheet.write_string(row, 2, unit.code()).map_err(fail)?;
        let values =
            std::iter::once(figure.value).chain(b.groups.iter().map(|g| figure.by_group.get(g).copied().unwrap_or(0)));
        for (col, value) in (3u16..).zip(values) {
            match unit {
                Unit::Centimes => sheet.write_number_with_format(row, col, value as f64 / 100.0, &dirhams),
                Unit::Count | Unit::Jobs => sheet.write_number_with_format(row, col, value as f64, &count),
            }
            .map_err(fail)?;
        }
    }
    sheet.set_column_width(0, 36).map_err(fail)?;
    sheet.set_column_width(1, 60).map_err(fail)?;
    let definitions = workbook.add_worksheet();
    definitions.set_name("Définitions").map_err(fail)?;
    for (col, title) in
        (0u16..).zip(["Famille", "Indicateur", "Unité", "Portée", "Date qui décide", "Ce qui est compté"])
    {
        definitions.write_string_with_format(0, col, title, &bold).map_err(fail)?;
    }
    for (row, f) in (1u32..).zip(crate::domain::indicators::FAMILIES.iter()) {
        for (col, text) in (0u16..).zip([f.key, f.label_fr, f.unit.code(), f.span.label_fr(), f.date, f.counts]) {
            definitions.write_string(row, col, text).map_err(fail)?;
        }
    }
    workbook.save_to_buffer().map_err(fail)
}
