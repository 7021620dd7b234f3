//! Stored text that breaks the free-text rules (`crate::domain::text`) — rows written before the
//! rules existed: what `check` lists, what an export refuses to carry, and where a person
//! corrects each (the screen; the command line's help names its commands).

use crate::app::AppError;
use crate::store::CHECK_WORDS;
use crate::store::records::{self, Table, TextProblem};
use crate::sync::payload::WireRecord;

/// Where a row of `table` is corrected, in French: the screen.
pub fn where_to_fix(table: Table) -> &'static str {
    match table {
        Table::CardHolders => "fiche du bénéficiaire, titulaire de la carte (écran Bénéficiaires)",
        Table::Applicants => "écran Bénéficiaires, fiche de la personne, « Modifier »",
        Table::Projects => "écran Projets, « Modifier »",
        Table::Dossiers => "écran Dossiers, le dossier",
        Table::Decisions => "la décision de la commission, à la délégation (écran Dossiers)",
        Table::FundingLines | Table::Disbursements => "écran Dossiers, financements du dossier",
        Table::Programmes => "écran Programmes",
        Table::Visits => "écran Projets, visites du projet",
        Table::Certificates => "écran Attestations : révoquez-la et délivrez-en une nouvelle",
        Table::Transfers => "le transfert, à la délégation",
        Table::DuplicateReviews => "Doublons entre bureaux, à la délégation",
        Table::Checklists => "écran Programmes, pièces demandées",
        Table::CommissionSessions | Table::Adjournments => "écran Commission, la session, à la délégation",
        Table::CommissionReasons => "écran Programmes, motifs de la commission, à la délégation",
    }
}

/// One line for a person: the row, what is wrong, and where to correct it (by its owner when
/// another site owns it).
pub fn describe(problem: &TextProblem, here: &str) -> String {
    let by = if problem.owner == here { String::new() } else { format!(", par le site {}", problem.owner) };
    format!(
        "{} « {} » : {} À corriger : {}{by}.",
        problem.table.label_fr(),
        problem.label,
        problem.message,
        where_to_fix(problem.table)
    )
}

/// Refuses to carry `records` while any of them breaks the free-text rules: the site above would
/// refuse the whole bundle. The message names each row and where to correct it.
pub(crate) fn refuse_unsendable(records: &[WireRecord], here: &str) -> Result<(), AppError> {
    let found = crate::parallel::map(records, |r| {
        let table = Table::from_name(&r.table)?;
        let (message, label) = records::text_problem(table, r.data.get(), r.delete_reason.as_deref()).ok()??;
        Some(TextProblem { table, id: r.id, owner: r.owner.clone(), label, message })
    });
    let found: Vec<TextProblem> = found.into_iter().flatten().collect();
    if found.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "Export refusé : {} enregistrement(s) contiennent un texte que la délégation refuserait. Corrigez-les puis exportez de nouveau :",
        found.len()
    );
    for problem in found.iter().take(20) {
        message.push_str("\n- ");
        message.push_str(&describe(problem, here));
    }
    if found.len() > 20 {
        message.push_str(&format!("\n- et {} autre(s) : {CHECK_WORDS} les liste tous.", found.len() - 20));
    }
    Err(AppError::Rule(message))
}
