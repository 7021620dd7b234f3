//! `daftar session …`: the commission's sessions from the command line — open one, print its
//! agenda (as the decisions file to fill in), record a file of decisions, close it, print its
//! minutes.

use std::io::Write as _;
use std::path::Path;

use anyhow::anyhow;

use super::args::{AgendaFormat, SessionCommand};
use super::commands::write_new;
use super::print::csv_line;
use crate::app::{AgendaFilter, AgendaLine, Core, Document, Session};
use crate::domain::dates::format_date_fr;
use crate::domain::project::ProjectKind;

/// Runs one `daftar session` command.
pub fn run(core: &mut Core, session: &Session, cmd: SessionCommand) -> anyhow::Result<()> {
    match cmd {
        SessionCommand::Open { reference, date, place, members } => {
            let row = core.open_commission_session(session, &reference, &date, &place, &members.join("\n"))?;
            println!(
                "Session {} ouverte (réunion du {}, {} membre(s)).",
                row.value.reference,
                format_date_fr(row.value.held_on),
                row.value.members.len()
            );
        }
        SessionCommand::List => {
            let sessions = core.commission_sessions(session)?;
            if sessions.is_empty() {
                println!("Aucune session : daftar session open pour en ouvrir une.");
            }
            for row in sessions {
                let s = row.value;
                let state = s.closed_on.map_or("ouverte".to_owned(), |d| format!("close le {}", format_date_fr(d)));
                println!("{}  {}  {}  {state}", s.reference, format_date_fr(s.held_on), s.place);
            }
        }
        SessionCommand::Agenda { office, kind, programme, format, out } => {
            let kind = kind.as_deref().map(ProjectKind::parse).transpose().map_err(|e| anyhow!(e))?;
            let agenda = core.agenda(session, &AgendaFilter { office, kind, programme })?;
            let text = match format {
                AgendaFormat::Texte => agenda_text(&agenda),
                AgendaFormat::Csv => agenda_csv(&agenda),
            };
            match out {
                Some(path) => {
                    write_new(&path, text.as_bytes())?;
                    println!("{} dossier(s) à l'ordre du jour : {}", agenda.len(), path.display());
                }
                None => std::io::stdout().lock().write_all(text.as_bytes())?,
            }
        }
        SessionCommand::Record { session: reference, file, sheet, overrun } => {
            record(core, session, &reference, &file, sheet.as_deref(), overrun.as_deref())?;
        }
        SessionCommand::Close { session: reference } => {
            core.close_commission_session(session, &reference)?;
            println!("Session {} close : son procès-verbal est définitif.", reference.trim());
        }
        SessionCommand::Pv { session: reference, out } => {
            write_new(&out, &core.document_pdf(session, &Document::SessionMinutes(reference))?)?;
            println!("{}", out.display());
        }
    }
    Ok(())
}

/// Records the decisions of `file` in the session `reference` and says what was recorded.
pub fn record(
    core: &mut Core,
    session: &Session,
    reference: &str,
    file: &Path,
    sheet: Option<&str>,
    overrun: Option<&str>,
) -> anyhow::Result<()> {
    let bytes = crate::app::csv_import::file_bytes(file)?;
    let tally = core.import_decisions_sheet(session, reference, &bytes, sheet, overrun)?;
    println!("Session {} : {}", reference.trim(), tally.summary_fr());
    Ok(())
}

/// One line per dossier of the agenda.
fn agenda_text(agenda: &[AgendaLine]) -> String {
    let mut text = String::new();
    for line in agenda {
        let adjourned = line
            .adjourned
            .as_ref()
            .map(|(on, _)| format!("  (ajourné le {})", format_date_fr(*on)))
            .unwrap_or_default();
        text.push_str(&format!(
            "{}  {}  {} ({})  {}  {}  {}{adjourned}\n",
            line.number,
            line.office,
            line.name,
            line.cin,
            line.project,
            line.kind.label_fr(),
            line.requested.map(|m| m.to_string()).unwrap_or_default(),
        ));
    }
    text.push_str(&format!("{} dossier(s) à l'ordre du jour.\n", agenda.len()));
    text
}

/// The agenda as the decisions file to fill in: the decision columns first, blank, then what
/// the commission reads of each dossier (the import reads and ignores those).
fn agenda_csv(agenda: &[AgendaLine]) -> String {
    let mut text = String::from("\u{feff}");
    text.push_str(&csv_line(&crate::app::csv_import::DECISION_COLUMNS.map(str::to_owned)));
    for line in agenda {
        text.push_str(&csv_line(&[
            line.number.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            line.office.clone(),
            line.cin.clone(),
            line.name.clone(),
            line.name_ar.clone(),
            line.project.clone(),
            line.kind.code().to_owned(),
            line.deposited_on.map(format_date_fr).unwrap_or_default(),
            line.requested.map(|m| m.format_number_fr().replace(['\u{a0}', '\u{202f}', ' '], "")).unwrap_or_default(),
            line.adjourned.as_ref().map(|(on, _)| format_date_fr(*on)).unwrap_or_default(),
        ]));
    }
    text
}
