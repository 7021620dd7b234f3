//! `daftar import-csv`: the migration path from the offices' spreadsheets.
//!
//! Reads `;`- or `,`-separated UTF-8 (with or without BOM, CRLF or LF), dates `jj/mm/aaaa`,
//! decimal commas. Every line goes through the same actions as the screens; the whole file is
//! one batch: if any line is wrong, nothing is imported and every problem is reported with its
//! line and column. The columns are documented in `docs/import-csv.md`.

use std::collections::HashMap;

use chrono::{Datelike as _, NaiveDate};
use uuid::Uuid;

use super::spreadsheet::Sheet;
use super::{AppError, CardRef, Core, Move, Session};
use crate::domain::Money;
use crate::domain::applicant::ApplicantDraft;
use crate::domain::dates::parse_date_fr;
use crate::domain::dossier::{Dossier, Status, Transition};
use crate::domain::funding::{Decision, FundingLine, FundingSource};
use crate::domain::names::fold;
use crate::domain::project::{Member, Project, ProjectDraft};
use crate::domain::role::Action;
use crate::store::records::{Row, find};
use crate::store::search::applicants_with_cin;

/// The largest file accepted (a spreadsheet of an office is far smaller).
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTarget {
    /// Applicants.
    Applicants,
    /// Projects.
    Projects,
    /// Dossiers.
    Dossiers,
    /// Funding lines and disbursements.
    Funding,
    /// The years before Daftar: projects with their creation date, and past dossiers with their
    /// paper reference, decision and funding (head of office or administrator).
    History,
}

impl CsvTarget {
    /// Every kind of file, in the order the window offers them.
    pub const ALL: [CsvTarget; 5] =
        [CsvTarget::Applicants, CsvTarget::Projects, CsvTarget::Dossiers, CsvTarget::Funding, CsvTarget::History];

    /// The columns a file may have, the required ones first, as the window lists them.
    pub fn columns_fr(self) -> String {
        let (columns, required) = self.columns();
        let mut listed: Vec<String> = columns[..required].iter().map(|c| format!("{c} (obligatoire)")).collect();
        listed.extend(columns[required..].iter().map(|c| (*c).to_owned()));
        listed.join(", ")
    }

    /// What the window calls the file's rows.
    pub fn label_fr(self) -> &'static str {
        match self {
            CsvTarget::Applicants => "Bénéficiaires",
            CsvTarget::Projects => "Projets",
            CsvTarget::Dossiers => "Dossiers",
            CsvTarget::Funding => "Financements et décaissements",
            CsvTarget::History => "Historique (années avant Daftar)",
        }
    }

    /// The columns a file may have; the first `required` ones must be there.
    fn columns(self) -> (&'static [&'static str], usize) {
        match self {
            CsvTarget::Applicants => (
                &[
                    "cin",
                    "sexe",
                    "date_naissance",
                    "lien",
                    "carte",
                    "nom",
                    "prenom",
                    "nom_ar",
                    "prenom_ar",
                    "titulaire_carte",
                    "titulaire_carte_ar",
                    "telephone",
                    "adresse",
                    "commune",
                    "province",
                    "amo_regime",
                    "amo_numero",
                    "amo_verifie_le",
                    "motif_doublon",
                    "motif_lien",
                ],
                5,
            ),
            CsvTarget::Projects => (
                &[
                    "type",
                    "nom",
                    "porteur_cin",
                    "membres_cin",
                    "secteur",
                    "commune",
                    "province",
                    "date_creation",
                    "ice",
                    "rc_tribunal",
                    "rc_numero",
                    "odco",
                    "recepisse",
                    "emplois",
                    "emplois_famille",
                ],
                3,
            ),
            CsvTarget::Dossiers => {
                (&["porteur_cin", "projet", "date_depot", "montant_demande", "pieces", "statut", "programme"], 3)
            }
            CsvTarget::Funding => (
                &[
                    "dossier",
                    "source",
                    "montant_engage",
                    "annee",
                    "reference_decision",
                    "date_versement",
                    "montant_verse",
                    "reference_paiement",
                ],
                2,
            ),
            CsvTarget::History => (
                &[
                    "porteur_cin",
                    "type",
                    "projet",
                    "date_creation",
                    "emplois",
                    "emplois_famille",
                    "secteur",
                    "commune",
                    "province",
                    "reference_papier",
                    "date_depot",
                    "decision",
                    "date_decision",
                    "motif",
                    "source",
                    "montant",
                    "annee",
                    "date_versement",
                    "montant_verse",
                ],
                4,
            ),
        }
    }

    /// The column of a form field, for error messages.
    fn column_of(self, field: &str) -> &str {
        match field {
            "last_name" => "nom",
            "first_name" => "prenom",
            "last_name_ar" => "nom_ar",
            "first_name_ar" => "prenom_ar",
            "sex" => "sexe",
            "birth_date" => "date_naissance",
            "relationship" => "lien",
            "phone" => "telephone",
            "province_code" => "province",
            "amo_number" => "amo_numero",
            "amo_checked_on" => "amo_verifie_le",
            "link_note" => "motif_lien",
            "address" => "adresse",
            "card_number" => "carte",
            "card_holder_name" => "titulaire_carte",
            "kind" => "type",
            "name" => "nom",
            "sector" => "secteur",
            "created_on" => "date_creation",
            "rc" => "rc_numero",
            "odco_number" => "odco",
            "association_receipt" => "recepisse",
            "jobs_total" => "emplois",
            "jobs_family" => "emplois_famille",
            "members" => "membres_cin",
            other => other,
        }
    }
}

/// One line of the file: its number and its values by column.
struct Line {
    number: u64,
    values: HashMap<String, String>,
}

impl Line {
    /// The cell of `column`, trimmed, without the quote that keeps a spreadsheet from running it
    /// as a formula (`'+212…` is `+212…`).
    fn get(&self, column: &str) -> &str {
        self.values.get(column).map_or("", |v| crate::domain::text::from_spreadsheet(v.trim()))
    }

    fn opt(&self, column: &str) -> Option<&str> {
        Some(self.get(column)).filter(|v| !v.is_empty())
    }
}

/// Why one line was refused.
struct LineError(String);

impl LineError {
    /// An action's refusal, with form fields named by their columns.
    fn from_action(target: CsvTarget, error: AppError) -> LineError {
        match error {
            AppError::Invalid(errors) => LineError(
                errors
                    .0
                    .iter()
                    .map(|e| format!("colonne {} : {}", target.column_of(e.field), e.message))
                    .collect::<Vec<_>>()
                    .join(" ; "),
            ),
            other => other.into(),
        }
    }
}

impl From<AppError> for LineError {
    fn from(e: AppError) -> Self {
        LineError(e.to_string())
    }
}

/// The budget year of the line's `annee` column, if given (from `first` to 2200).
fn budget_year(line: &Line, first: i32) -> Result<Option<i32>, LineError> {
    line.opt("annee")
        .map(|raw| {
            let year = raw.parse::<i32>().ok().filter(|y| (first..=2200).contains(y));
            parse("annee", year.ok_or_else(|| format!("« {raw} » n'est pas une année")))
        })
        .transpose()
}

fn parse<T>(column: &str, result: Result<T, String>) -> Result<T, LineError> {
    result.map_err(|message| LineError(format!("colonne {column} : {message}")))
}

/// Decodes the file (CSV, or the sheet `sheet` of an Excel workbook, the first when none) and
/// splits it into lines, checking the header against `target`'s columns.
fn read(target: CsvTarget, bytes: &[u8], sheet: Option<&str>) -> Result<Vec<Line>, AppError> {
    let (known, required) = target.columns();
    read_columns(known, required, bytes, sheet)
}

/// Decodes the file and splits it into lines, checking the header: every column among `known`,
/// the first `required` of them present.
fn read_columns(known: &[&str], required: usize, bytes: &[u8], sheet: Option<&str>) -> Result<Vec<Line>, AppError> {
    if bytes.len() > MAX_BYTES {
        return Err(AppError::Rule(format!(
            "Le fichier est trop volumineux ({} Mo, maximum {} Mo) : découpez-le.",
            bytes.len() / 1_048_576,
            MAX_BYTES / 1_048_576
        )));
    }
    let Sheet { headers, rows } = if super::spreadsheet::is_workbook(bytes) {
        without_empty_columns(super::spreadsheet::read_sheet(bytes, sheet)?)?
    } else {
        csv_rows(bytes)?
    };
    let headers: Vec<String> =
        headers.iter().map(|h| fold(h).split_whitespace().collect::<Vec<_>>().join("_")).collect();
    let mut problems = Vec::new();
    for h in &headers {
        if !known.contains(&h.as_str()) {
            problems.push(format!("colonne inconnue « {h} » (colonnes possibles : {})", known.join(", ")));
        }
    }
    for column in &known[..required] {
        if !headers.iter().any(|h| h == column) {
            problems.push(format!("colonne obligatoire absente : {column}"));
        }
    }
    if !problems.is_empty() {
        return Err(AppError::CsvRejected(problems.into_iter().map(|p| format!("ligne 1 : {p}")).collect()));
    }
    let lines: Vec<Line> = rows
        .into_iter()
        .filter(|(_, values)| !values.iter().all(|v| v.trim().is_empty()))
        .map(|(number, values)| Line { number, values: headers.iter().cloned().zip(values).collect() })
        .collect();
    if lines.is_empty() {
        return Err(AppError::Rule("Le fichier ne contient aucune ligne de données.".into()));
    }
    Ok(lines)
}

/// A CSV file's header and rows (each with its line number), every row as wide as the header.
fn csv_rows(bytes: &[u8]) -> Result<Sheet, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        AppError::Rule(format!(
            "Le fichier n'est pas en UTF-8 (octet invalide à la position {}) : dans Excel, enregistrez-le au format « CSV UTF-8 (délimité par des virgules) » ou « Classeur Excel (*.xlsx) ».",
            e.valid_up_to()
        ))
    })?;
    // Excel ends its lines with CRLF, on which the CSV reader's line numbers fall behind: with LF
    // alone, the numbers in the messages are the spreadsheet's rows.
    let text = text.replace("\r\n", "\n");
    let header_line = text.lines().next().unwrap_or("");
    let delimiter = if header_line.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| AppError::Rule(format!("En-tête illisible : {e}.")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            AppError::CsvRejected(vec![format!("ligne {} : {e}", e.position().map_or(0, csv::Position::line))])
        })?;
        let number = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if record.len() != headers.len() {
            return Err(AppError::CsvRejected(vec![format!(
                "ligne {number} : {} valeurs pour {} colonnes (séparateur « {} » attendu)",
                record.len(),
                headers.len(),
                char::from(delimiter)
            )]));
        }
        rows.push((number, record.iter().map(str::to_owned).collect()));
    }
    Ok(Sheet { headers, rows })
}

/// A sheet's columns without a title dropped when nothing is written in them (a sheet's range
/// reaches the widest row); one with values but no title is refused.
fn without_empty_columns(Sheet { headers, rows }: Sheet) -> Result<Sheet, AppError> {
    let untitled: Vec<usize> = (0..headers.len()).filter(|&c| headers[c].trim().is_empty()).collect();
    for &c in &untitled {
        if let Some((number, _)) = rows.iter().find(|(_, values)| values.get(c).is_some_and(|v| !v.trim().is_empty())) {
            return Err(AppError::CsvRejected(vec![format!(
                "ligne 1 : la colonne {} n'a pas de titre, mais la ligne {number} y a une valeur",
                c + 1
            )]));
        }
    }
    let keep = |values: Vec<String>| -> Vec<String> {
        values.into_iter().enumerate().filter(|(c, _)| !untitled.contains(c)).map(|(_, v)| v).collect()
    };
    Ok(Sheet {
        headers: keep(headers),
        rows: rows.into_iter().map(|(number, values)| (number, keep(values))).collect(),
    })
}

/// The bytes of the file at `path`, read only when it is a regular file within [`MAX_BYTES`]
/// (one byte more is read, so that a larger file is refused by its reader).
pub fn file_bytes(path: &std::path::Path) -> Result<Vec<u8>, AppError> {
    use std::io::Read as _;
    let failed = |e: std::io::Error| {
        AppError::Rule(format!("Lecture de {} impossible : {}.", path.display(), super::io_message(&e)))
    };
    let meta = std::fs::metadata(path).map_err(failed)?;
    if !meta.is_file() {
        return Err(AppError::Rule(format!("{} n'est pas un fichier : rien n'a été lu.", path.display())));
    }
    let mut bytes = Vec::new();
    let cap = MAX_BYTES as u64 + 1;
    std::fs::File::open(path).and_then(|f| f.take(cap).read_to_end(&mut bytes)).map_err(failed)?;
    Ok(bytes)
}

impl Core {
    /// Imports the CSV file or Excel workbook at `path` (read only when it is a regular file
    /// within [`MAX_BYTES`]; of a workbook, the sheet `sheet` or the first); see
    /// [`Core::import_table`].
    pub fn import_csv_file(
        &mut self,
        session: &Session,
        target: CsvTarget,
        path: &std::path::Path,
        sheet: Option<&str>,
    ) -> Result<usize, AppError> {
        session.require(Action::ImportCsv)?;
        self.import_table(session, target, &file_bytes(path)?, sheet)
    }

    /// Imports a CSV file (or the first sheet of a workbook), all or nothing; returns the number
    /// of lines imported.
    pub fn import_csv(&mut self, session: &Session, target: CsvTarget, bytes: &[u8]) -> Result<usize, AppError> {
        self.import_table(session, target, bytes, None)
    }

    /// Imports a CSV file or the sheet `sheet` (the first when none) of an Excel workbook, all or
    /// nothing: every problem listed by line and column, nothing written unless all is right;
    /// returns the number of lines imported.
    pub fn import_table(
        &mut self,
        session: &Session,
        target: CsvTarget,
        bytes: &[u8],
        sheet: Option<&str>,
    ) -> Result<usize, AppError> {
        session.require(Action::ImportCsv)?;
        session.require(match target {
            CsvTarget::Applicants => Action::RegisterApplicant,
            CsvTarget::Projects => Action::RegisterProject,
            CsvTarget::Dossiers => Action::RegisterDossier,
            CsvTarget::Funding | CsvTarget::History => Action::RecordDisbursement,
        })?;
        let lines = read(target, bytes, sheet)?;
        self.store.begin_batch()?;
        let mut problems = Vec::new();
        let total = lines.len() as u64;
        for (done, line) in lines.iter().enumerate() {
            self.progress.every(500, "Lecture et vérification des lignes", done as u64, total);
            let outcome = match target {
                CsvTarget::Applicants => self.import_applicant(session, line),
                CsvTarget::Projects => self.import_project(session, line),
                CsvTarget::Dossiers => self.import_dossier(session, line),
                CsvTarget::Funding => self.import_funding(session, line),
                CsvTarget::History => self.import_history(session, line),
            };
            match outcome {
                Ok(()) => {}
                Err(LineError(message)) => problems.push(format!("ligne {} : {message}", line.number)),
            }
            if problems.len() >= 200 {
                problems.push("… (arrêt après 200 erreurs)".into());
                break;
            }
            // A disk-full or I/O error makes SQLite abandon the whole batch: later lines would
            // then commit one by one. Stop here; nothing of the file stays.
            if self.store.conn().is_autocommit() {
                return Err(AppError::Rule(format!(
                    "L'import s'est interrompu à la ligne {} (erreur du disque ou de la base) ; rien n'a été importé. Vérifiez la place libre puis recommencez.",
                    line.number
                )));
            }
        }
        let keep = problems.is_empty();
        if keep {
            self.progress.report("Enregistrement dans la base", total, total);
        }
        if let Err(e) = self.store.end_batch(keep) {
            let _ = self.store.end_batch(false);
            return Err(e.into());
        }
        if keep { Ok(lines.len()) } else { Err(AppError::CsvRejected(problems)) }
    }

    fn import_applicant(&mut self, session: &Session, line: &Line) -> Result<(), LineError> {
        let draft = ApplicantDraft {
            cin: line.get("cin").into(),
            last_name: line.get("nom").into(),
            first_name: line.get("prenom").into(),
            last_name_ar: line.get("nom_ar").into(),
            first_name_ar: line.get("prenom_ar").into(),
            sex: line.get("sexe").into(),
            birth_date: line.get("date_naissance").into(),
            relationship: line.get("lien").into(),
            phone: line.get("telephone").into(),
            address: line.get("adresse").into(),
            commune: line.get("commune").into(),
            province_code: line.get("province").into(),
            amo_regime: line.get("amo_regime").into(),
            amo_number: line.get("amo_numero").into(),
            amo_checked_on: line.get("amo_verifie_le").into(),
            link_note: line.get("motif_lien").into(),
        };
        let card = CardRef {
            card_number: line.get("carte").into(),
            holder_name: line.get("titulaire_carte").into(),
            holder_name_ar: line.get("titulaire_carte_ar").into(),
        };
        match self.add_applicant(session, &draft, &card, line.opt("motif_doublon")) {
            Ok(_) => Ok(()),
            Err(e) => Err(LineError::from_action(CsvTarget::Applicants, e)),
        }
    }

    fn applicant_by_cin(&self, column: &str, raw: &str) -> Result<Uuid, LineError> {
        let cin = parse(column, crate::domain::codes::Cin::parse(raw))?.cin;
        match applicants_with_cin(self.store.conn(), cin.as_str()).map_err(AppError::from)?.as_slice() {
            [one] => Ok(one.meta.id),
            [] => Err(LineError(format!(
                "colonne {column} : aucun bénéficiaire avec la CIN {cin} (importez d'abord les bénéficiaires)"
            ))),
            _ => Err(LineError(format!("colonne {column} : plusieurs bénéficiaires ont la CIN {cin}"))),
        }
    }

    fn import_project(&mut self, session: &Session, line: &Line) -> Result<(), LineError> {
        let promoter = self.applicant_by_cin("porteur_cin", line.get("porteur_cin"))?;
        let members = line
            .get("membres_cin")
            .split('|')
            .filter(|m| !m.trim().is_empty())
            .map(|m| {
                let (cin, role) = m.split_once(':').unwrap_or((m, "membre"));
                Ok(Member { applicant_id: self.applicant_by_cin("membres_cin", cin)?, role: role.trim().to_owned() })
            })
            .collect::<Result<Vec<_>, LineError>>()?;
        let draft = ProjectDraft {
            kind: line.get("type").into(),
            name: line.get("nom").into(),
            sector: line.get("secteur").into(),
            commune: line.get("commune").into(),
            province_code: line.get("province").into(),
            created_on: line.get("date_creation").into(),
            ice: line.get("ice").into(),
            rc_court: line.get("rc_tribunal").into(),
            rc_number: line.get("rc_numero").into(),
            odco_number: line.get("odco").into(),
            association_receipt: line.get("recepisse").into(),
            jobs_total: line.get("emplois").into(),
            jobs_family: line.get("emplois_famille").into(),
        };
        match self.add_project(session, &draft, promoter, members) {
            Ok(_) => Ok(()),
            Err(e) => Err(LineError::from_action(CsvTarget::Projects, e)),
        }
    }

    fn import_dossier(&mut self, session: &Session, line: &Line) -> Result<(), LineError> {
        let promoter = self.applicant_by_cin("porteur_cin", line.get("porteur_cin"))?;
        let wanted = fold(line.get("projet"));
        let projects: Vec<Row<Project>> =
            find(self.store.conn(), "promoter_id = ?1", &promoter.to_string()).map_err(AppError::from)?;
        let project = match projects.iter().filter(|p| fold(&p.value.name) == wanted).collect::<Vec<_>>().as_slice() {
            [one] => one.meta.id,
            [] => {
                return Err(LineError(format!(
                    "colonne projet : ce porteur n'a pas de projet nommé « {} »",
                    line.get("projet")
                )));
            }
            _ => {
                return Err(LineError(format!(
                    "colonne projet : ce porteur a plusieurs projets nommés « {} »",
                    line.get("projet")
                )));
            }
        };
        let deposited: NaiveDate = parse("date_depot", parse_date_fr(line.get("date_depot")))?;
        let requested =
            line.opt("montant_demande").map(|raw| parse("montant_demande", Money::parse_fr(raw))).transpose()?;
        let documents: Vec<String> =
            line.get("pieces").split('|').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
        let status =
            line.opt("statut").map(|raw| parse("statut", Status::parse(raw))).transpose()?.unwrap_or(Status::Depose);
        if status > Status::Transmis {
            return Err(LineError(
                "colonne statut : un dossier importé s'arrête à « transmis » ; les décisions s'enregistrent ensuite"
                    .into(),
            ));
        }
        let dossier = self.open_dossier(session, project, deposited, requested, &documents)?;
        if let Some(programme) = line.opt("programme") {
            let edit = super::DossierEdit {
                programme: Some(programme.to_owned()),
                received_on: deposited,
                ..super::DossierEdit::default()
            };
            self.edit_dossier(session, dossier.meta.id, &edit)
                .map_err(|e| LineError(format!("colonne programme : {e}")))?;
        }
        let path = [Status::EnInstruction, Status::Complet, Status::Transmis];
        for to in path.into_iter().take_while(|s| *s <= status) {
            self.move_dossier(session, dossier.meta.id, Move::to(to, deposited))?;
        }
        Ok(())
    }

    /// A project of the years before Daftar (created once, on its first line) and, when the line
    /// names a paper reference, its past dossier — deposited, decided and funded as the paper
    /// says, marked as history — with one source's commitment and payment per line.
    fn import_history(&mut self, session: &Session, line: &Line) -> Result<(), LineError> {
        let promoter = self.applicant_by_cin("porteur_cin", line.get("porteur_cin"))?;
        let name = line.get("projet");
        let projects: Vec<Row<Project>> =
            find(self.store.conn(), "promoter_id = ?1", &promoter.to_string()).map_err(AppError::from)?;
        let project = match projects.iter().find(|p| fold(&p.value.name) == fold(name)) {
            Some(project) => project.meta.id,
            None => {
                let draft = ProjectDraft {
                    kind: line.get("type").into(),
                    name: name.into(),
                    sector: line.get("secteur").into(),
                    commune: line.get("commune").into(),
                    province_code: line.get("province").into(),
                    created_on: line.get("date_creation").into(),
                    jobs_total: line.get("emplois").into(),
                    jobs_family: line.get("emplois_famille").into(),
                    ..ProjectDraft::default()
                };
                if draft.created_on.is_empty() {
                    return Err(LineError("colonne date_creation : indiquez la date de création du projet".into()));
                }
                match self.add_project(session, &draft, promoter, vec![]) {
                    Ok(id) => id,
                    Err(e) => return Err(LineError::from_action(CsvTarget::History, e)),
                }
            }
        };
        let Some(paper) = line.opt("reference_papier") else {
            if line.opt("decision").or(line.opt("source")).is_some() {
                return Err(LineError(
                    "colonne reference_papier : un dossier historique se désigne par sa référence papier".into(),
                ));
            }
            return Ok(());
        };
        let dossier = match self.history_dossier(project, paper)? {
            Some(id) => id,
            None => self.open_history_dossier(session, line, project, paper)?,
        };
        let Some(source) = line.opt("source") else { return Ok(()) };
        let source = parse("source", FundingSource::parse(source))?;
        let lines: Vec<Row<FundingLine>> =
            find(self.store.conn(), "dossier_id = ?1", &dossier.to_string()).map_err(AppError::from)?;
        let line_id = match (line.opt("montant"), lines.iter().find(|l| l.value.source == source)) {
            (Some(amount), None) => {
                let amount = parse("montant", Money::parse_fr(amount))?;
                let decided = self.history_decision(dossier)?;
                let year = budget_year(line, 1956)?.unwrap_or_else(|| decided.value.decided_on.year());
                self.add_history_grant(session, decided, &source, amount, year, paper)?
            }
            (None, Some(existing)) => existing.meta.id,
            (Some(_), Some(_)) => {
                return Err(LineError(format!(
                    "colonne montant : le dossier {paper} a déjà une ligne « {source} » ; laissez montant vide pour un versement de plus"
                )));
            }
            (None, None) => {
                return Err(LineError(format!("colonne montant : indiquez le montant accordé par « {source} »")));
            }
        };
        match (line.opt("montant_verse"), line.opt("date_versement")) {
            (Some(amount), Some(on)) => {
                let amount = parse("montant_verse", Money::parse_fr(amount))?;
                let on = parse("date_versement", parse_date_fr(on))?;
                self.disburse(session, line_id, amount, on, paper)?;
                Ok(())
            }
            (None, None) => Ok(()),
            _ => Err(LineError("colonnes montant_verse et date_versement : indiquez les deux".into())),
        }
    }

    /// The history dossier of `project` with this paper reference, if already entered.
    fn history_dossier(&self, project: Uuid, paper: &str) -> Result<Option<Uuid>, LineError> {
        let dossiers: Vec<Row<Dossier>> =
            find(self.store.conn(), "project_id = ?1", &project.to_string()).map_err(AppError::from)?;
        Ok(dossiers.into_iter().find(|d| d.value.paper_reference.as_deref() == Some(paper)).map(|d| d.meta.id))
    }

    /// The decision of a history dossier.
    fn history_decision(&self, dossier: Uuid) -> Result<Row<Decision>, LineError> {
        let decisions: Vec<Row<Decision>> =
            find(self.store.conn(), "dossier_id = ?1", &dossier.to_string()).map_err(AppError::from)?;
        match decisions.into_iter().last() {
            Some(d) if d.value.approved => Ok(d),
            _ => {
                Err(LineError("colonne source : ce dossier historique a été rejeté : il n'a pas de financement".into()))
            }
        }
    }

    /// A past dossier as the paper says: numbered in its deposit year, decided on its date (its
    /// decision written by the office, marked as history, the paper reference as the minutes').
    fn open_history_dossier(
        &mut self,
        session: &Session,
        line: &Line,
        project_id: Uuid,
        paper: &str,
    ) -> Result<Uuid, LineError> {
        let today = self.clock.today();
        let deposited = parse("date_depot", crate::domain::dates::parse_past_date_fr(line.get("date_depot"), today))?;
        let decided =
            parse("date_decision", crate::domain::dates::parse_past_date_fr(line.get("date_decision"), today))?;
        if decided < deposited {
            return Err(LineError("colonne date_decision : la décision précède le dépôt".into()));
        }
        let approved = match fold(line.get("decision")).trim() {
            "approuve" => true,
            "rejete" => false,
            _ => return Err(LineError("colonne decision : écrivez approuve ou rejete".into())),
        };
        let reason = line.opt("motif").map(str::to_owned);
        if !approved && reason.is_none() {
            return Err(LineError("colonne motif : un rejet est motivé".into()));
        }
        for (column, value, limit) in [
            ("reference_papier", Some(paper), crate::domain::text::REFERENCE),
            ("motif", reason.as_deref(), crate::domain::text::NOTE),
        ] {
            if let Some(problem) = value.and_then(|v| crate::domain::text::problem(column, v, limit)) {
                return Err(LineError(format!("colonne {column} : {problem}")));
            }
        }
        let project =
            crate::store::records::get_live::<Project>(self.store.conn(), project_id).map_err(AppError::from)?;
        let site_code = session.site.code.clone();
        let to = if approved { Status::Approuve } else { Status::Rejete };
        let by = session.login.clone();
        let id = self.write(session, |w, ids| {
            let year = deposited.year();
            let sequence = crate::store::site::next_counter(w.conn, &format!("dossier:{year}"))?;
            let dossier = Dossier {
                number: crate::domain::codes::DossierNumber::new(
                    &site_code,
                    year,
                    u32::try_from(sequence).unwrap_or(u32::MAX),
                ),
                year,
                project_id,
                applicant_id: project.value.promoter_id,
                kind: project.value.kind,
                deposited_on: deposited,
                requested: None,
                status: to,
                documents: vec![],
                history: vec![Transition {
                    from: Status::Transmis,
                    to,
                    on: decided,
                    by,
                    reason: Some(format!("historique — référence papier {paper}")),
                }],
                anonymised_on: None,
                paper_reference: Some(paper.to_owned()),
                programme: None,
            };
            let id = ids.new_id();
            w.insert(id, &dossier)?;
            let decision = Decision {
                dossier_id: id,
                approved,
                grants: vec![],
                reason: reason.clone(),
                decided_on: decided,
                commission_ref: Some(paper.to_owned()),
                anonymised_on: None,
                session_id: None,
                history: true,
            };
            w.insert(ids.new_id(), &decision)?;
            Ok(id)
        })?;
        Ok(id)
    }

    /// A source's commitment on a history dossier: its funding line, and the grant added to the
    /// decision (which the notification prints).
    fn add_history_grant(
        &mut self,
        session: &Session,
        mut decision: Row<Decision>,
        source: &FundingSource,
        amount: Money,
        year: i32,
        paper: &str,
    ) -> Result<Uuid, LineError> {
        if amount == Money::ZERO {
            return Err(LineError("colonne montant : le montant accordé ne peut être nul".into()));
        }
        super::dossiers::check_convention_exists(self.store.conn(), source)?;
        decision.value.grants.push(crate::domain::funding::Grant { source: source.clone(), amount });
        let line = FundingLine {
            dossier_id: decision.value.dossier_id,
            source: source.clone(),
            committed: amount,
            year,
            decision_ref: Some(paper.to_owned()),
        };
        Ok(self.write(session, |w, ids| {
            w.update(decision.meta.id, &decision.value, None)?;
            let id = ids.new_id();
            w.insert(id, &line)?;
            Ok(id)
        })?)
    }

    fn import_funding(&mut self, session: &Session, line: &Line) -> Result<(), LineError> {
        let dossier = self.dossier_by_number(session, line.get("dossier"))?;
        let source = parse("source", FundingSource::parse(line.get("source")))?;
        let committed =
            line.opt("montant_engage").map(|raw| parse("montant_engage", Money::parse_fr(raw))).transpose()?;
        let year = budget_year(line, 1990)?.unwrap_or_else(|| self.clock.today().year());
        let line_id = match committed {
            Some(amount) => self.add_funding(
                session,
                dossier.meta.id,
                source.clone(),
                amount,
                year,
                line.opt("reference_decision"),
            )?,
            None => {
                let lines: Vec<Row<FundingLine>> =
                    find(self.store.conn(), "dossier_id = ?1", &dossier.meta.id.to_string()).map_err(AppError::from)?;
                match lines.iter().filter(|l| l.value.source == source).collect::<Vec<_>>().as_slice() {
                    [one] => one.meta.id,
                    [] => {
                        return Err(LineError(format!(
                            "colonne source : le dossier {} n'a pas de ligne « {source} » ; indiquez montant_engage",
                            dossier.value.number
                        )));
                    }
                    _ => {
                        return Err(LineError(format!(
                            "colonne source : le dossier {} a plusieurs lignes « {source} »",
                            dossier.value.number
                        )));
                    }
                }
            }
        };
        match (line.opt("montant_verse"), line.opt("date_versement")) {
            (Some(amount), Some(on)) => {
                let amount = parse("montant_verse", Money::parse_fr(amount))?;
                let on = parse("date_versement", parse_date_fr(on))?;
                self.disburse(session, line_id, amount, on, line.get("reference_paiement"))?;
            }
            (None, None) if committed.is_some() => {}
            (None, None) => {
                return Err(LineError("colonnes montant_engage et montant_verse vides : rien à importer".into()));
            }
            _ => return Err(LineError("colonnes montant_verse et date_versement : indiquez les deux".into())),
        }
        Ok(())
    }
}

/// The columns of a commission's decisions file: the first two required; the agenda's own
/// columns (`daftar session agenda --format csv`) are read and ignored, so that the agenda
/// filled in a spreadsheet is the file imported.
pub const DECISION_COLUMNS: [&str; 15] = [
    "dossier",
    "decision",
    "source",
    "montant",
    "motif",
    "precision",
    "bureau",
    "cin",
    "beneficiaire",
    "beneficiaire_ar",
    "projet",
    "type",
    "date_depot",
    "montant_demande",
    "ajourne_le",
];

/// `approuve`, `rejete`, `ajourne` (accents and case ignored, `approuvé` as well).
fn outcome_word(raw: &str) -> Result<&'static str, String> {
    match fold(raw).trim() {
        "approuve" | "accepte" => Ok("approuve"),
        "rejete" | "refuse" => Ok("rejete"),
        "ajourne" | "reporte" => Ok("ajourne"),
        "" => Err("indiquez la décision : approuve, rejete ou ajourne".into()),
        _ => Err(format!("« {} » : écrivez approuve, rejete ou ajourne", raw.trim())),
    }
}

/// The verdicts of a decisions file: one line per dossier, or for a co-funded approval one line
/// per source; with every problem of the lines that did not read, by line and column.
fn verdicts_of(lines: &[Line]) -> (Vec<super::Verdict>, Vec<String>) {
    use crate::domain::commission::Outcome;
    use crate::domain::funding::Grant;
    let mut groups: Vec<(String, Vec<&Line>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for line in lines {
        let key = line.get("dossier").to_uppercase();
        let at = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push(line);
    }
    let (mut verdicts, mut problems) = (Vec::new(), Vec::new());
    for (number, group) in groups {
        let label = match group.as_slice() {
            [one] => format!("ligne {}", one.number),
            many => format!("lignes {}", many.iter().map(|l| l.number.to_string()).collect::<Vec<_>>().join(", ")),
        };
        let mut fail = |line: &Line, message: String| problems.push(format!("ligne {} : {message}", line.number));
        if number.is_empty() {
            fail(group[0], "colonne dossier : indiquez le numéro du dossier".into());
            continue;
        }
        let words: Vec<Result<&str, String>> = group.iter().map(|l| outcome_word(l.get("decision"))).collect();
        let outcome = match words.first() {
            Some(Err(message)) => {
                fail(group[0], format!("colonne decision : {message}"));
                continue;
            }
            Some(Ok(word)) => *word,
            None => continue,
        };
        if let Some(other) = group.iter().zip(&words).find(|(_, w)| w.as_deref() != Ok(outcome)) {
            fail(
                other.0,
                format!("colonne decision : le dossier {number} a deux décisions différentes dans le fichier"),
            );
            continue;
        }
        let outcome = if outcome == "approuve" {
            let mut grants = Vec::new();
            for line in &group {
                let source = parse("source", FundingSource::parse(line.get("source")));
                let amount = parse("montant", Money::parse_fr(line.get("montant")));
                match (source, amount) {
                    (Ok(source), Ok(amount)) => grants.push(Grant { source, amount }),
                    (Err(LineError(m)), _) | (_, Err(LineError(m))) => fail(line, m),
                }
            }
            if grants.len() != group.len() {
                continue;
            }
            Outcome::Approve(grants)
        } else {
            if let [_, second, ..] = group.as_slice() {
                fail(
                    second,
                    format!(
                        "le dossier {number} figure sur plusieurs lignes : une seule pour un rejet ou un ajournement"
                    ),
                );
                continue;
            }
            let line = group[0];
            let reason = match (line.opt("motif"), line.opt("precision")) {
                (Some(code), Some(note)) => format!("{}: {note}", code.to_lowercase()),
                (Some(code), None) => code.to_lowercase(),
                (None, _) => String::new(),
            };
            if outcome == "rejete" { Outcome::Reject(reason) } else { Outcome::Adjourn(reason) }
        };
        verdicts.push(super::Verdict { number, outcome, label });
    }
    (verdicts, problems)
}

impl Core {
    /// Records the decisions of the file `bytes` (CSV, or the first sheet of a workbook) in the
    /// open session `reference` (see [`Core::record_session`]): all or nothing, every problem by
    /// line and column. Who may decide may import them (a delegation, an office that stands
    /// alone).
    pub fn import_decisions_csv(
        &mut self,
        session: &Session,
        reference: &str,
        bytes: &[u8],
        overrun_reason: Option<&str>,
    ) -> Result<super::SessionTally, AppError> {
        self.import_decisions_sheet(session, reference, bytes, None, overrun_reason)
    }

    /// The same from the sheet `sheet` of a workbook (the first when none).
    pub fn import_decisions_sheet(
        &mut self,
        session: &Session,
        reference: &str,
        bytes: &[u8],
        sheet: Option<&str>,
        overrun_reason: Option<&str>,
    ) -> Result<super::SessionTally, AppError> {
        session.require(Action::RecordDecision)?;
        let lines = read_columns(&DECISION_COLUMNS, 2, bytes, sheet)?;
        let (verdicts, problems) = verdicts_of(&lines);
        self.record_session_after(session, reference, &verdicts, overrun_reason, problems).map_err(|e| match e {
            AppError::SessionRejected(mut problems) => {
                // By line, as the spreadsheet reads (the problems of the session as a whole last).
                let line_of = |p: &String| -> u64 {
                    let digits: String = p
                        .trim_start_matches("lignes ")
                        .trim_start_matches("ligne ")
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    digits.parse().unwrap_or(u64::MAX)
                };
                problems.sort_by_key(line_of);
                AppError::CsvRejected(problems)
            }
            other => other,
        })
    }
}
