//! What the screens show of one applicant, one project and the programmes, assembled here so
//! that the window and the command line read the same view and no screen decides what belongs
//! in it.

use uuid::Uuid;

use super::{AppError, ChecklistView, Core, Row, Session};
use crate::domain::applicant::{Applicant, CardHolder};
use crate::domain::dossier::Dossier;
use crate::domain::funding::{EnvelopeUse, Programme};
use crate::domain::project::{Project, ProjectKind};
use crate::domain::review::DuplicateReview;
use crate::domain::transfer::Transfer;

/// Everything the applicant screen shows about one person.
#[derive(Debug, Clone)]
pub struct ApplicantDetail {
    /// The applicant.
    pub row: Row<Applicant>,
    /// Their card holder.
    pub card_holder: Option<Row<CardHolder>>,
    /// Their dossiers.
    pub dossiers: Vec<Row<Dossier>>,
    /// The projects they carry.
    pub projects: Vec<Row<Project>>,
    /// Their transfers from one office to another, oldest first.
    pub transfers: Vec<Row<Transfer>>,
    /// The offices they may be transferred to from here (none at an office).
    pub transfer_targets: Vec<String>,
    /// The delegation's verdicts on possible duplicates of them in other offices.
    pub reviews: Vec<Row<DuplicateReview>>,
}

/// Everything the project screen shows about one project.
#[derive(Debug, Clone)]
pub struct ProjectDetail {
    /// The project.
    pub row: Row<Project>,
    /// Its promoter's name and CIN.
    pub promoter: String,
    /// Its dossiers.
    pub dossiers: Vec<Row<Dossier>>,
    /// Its follow-up visits.
    pub visits: Vec<Row<crate::domain::visit::Visit>>,
    /// Its members besides the promoter: CIN and role.
    pub members: Vec<(String, String)>,
}

/// The programmes and how much of their envelopes is committed.
#[derive(Debug, Clone)]
pub struct ProgrammesView {
    /// The programmes, by code.
    pub rows: Vec<Row<Programme>>,
    /// Consumption of each programme's yearly envelopes.
    pub uses: Vec<EnvelopeUse>,
    /// Each project kind's checklist as this site applies it.
    pub checklists: Vec<(ProjectKind, ChecklistView)>,
}

impl Core {
    /// Everything about one applicant: card holder, projects, dossiers, transfers, reviews.
    pub fn applicant_detail(&self, s: &Session, id: Uuid) -> Result<ApplicantDetail, AppError> {
        let row = self.applicant(s, id)?;
        let card_holder = row.value.card_holder_id.map(|h| self.card_holder(s, h)).transpose()?;
        Ok(ApplicantDetail {
            card_holder,
            dossiers: self.dossiers_of_applicant(s, id)?,
            projects: self.projects_of(s, id)?,
            transfers: self.transfers_of(s, id)?,
            transfer_targets: self.transfer_targets(s)?,
            reviews: self.reviews_of(s, id)?,
            row,
        })
    }

    /// Everything about one project: its promoter, dossiers, visits and members.
    pub fn project_detail(&self, s: &Session, id: Uuid) -> Result<ProjectDetail, AppError> {
        let row = self.project(s, id)?;
        let promoter = self.applicant(s, row.value.promoter_id)?;
        let promoter = format!("{} (CIN {})", promoter.value.display_name(), promoter.value.cin);
        let members = row
            .value
            .members
            .iter()
            .map(|m| self.applicant(s, m.applicant_id).map(|a| (a.value.cin.to_string(), m.role.clone())))
            .collect::<Result<_, _>>()?;
        Ok(ProjectDetail {
            promoter,
            dossiers: self.dossiers_of_project(s, id)?,
            visits: self.visits_of(s, id)?,
            members,
            row,
        })
    }

    /// The programmes, their envelopes' consumption and each kind's checklist.
    pub fn programmes_view(&self, session: &Session) -> Result<ProgrammesView, AppError> {
        let checklists = ProjectKind::ALL
            .into_iter()
            .map(|k| Ok((k, self.checklist_of(session, k)?)))
            .collect::<Result<_, AppError>>()?;
        Ok(ProgrammesView { rows: self.programmes(session)?, uses: self.envelope_use(session)?, checklists })
    }
}
