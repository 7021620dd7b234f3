//! Search before create: the applicants a new entry may duplicate.

use super::{AppError, Core, Session};
use crate::domain::applicant::Applicant;
use crate::domain::names::{PersonNames, names_close};
use crate::domain::role::Action;
use crate::store::records::Row;
use crate::store::search::{applicants_born_on, applicants_with_cin};

/// Why an existing applicant may be the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateReason {
    /// Same CIN.
    SameCin,
    /// Same birth date and a close name.
    CloseNameSameBirthDate,
}

impl DuplicateReason {
    /// Why, in French.
    pub fn label_fr(self) -> &'static str {
        match self {
            DuplicateReason::SameCin => "même CIN",
            DuplicateReason::CloseNameSameBirthDate => "nom proche, même date de naissance",
        }
    }
}

/// An existing applicant that may be the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCandidate {
    /// The existing row.
    pub row: Row<Applicant>,
    /// Why it was found.
    pub reason: DuplicateReason,
}

impl DuplicateCandidate {
    /// One line for messages: name, CIN, birth date, owner office, and why.
    pub fn summary(&self) -> String {
        let a = &self.row.value;
        let why = self.reason.label_fr();
        format!(
            "{} (CIN {}, né(e) le {}, bureau {}) — {why}",
            a.display_name(),
            a.cin,
            a.birth_date.format("%d/%m/%Y"),
            self.row.meta.owner
        )
    }
}

pub(crate) fn names(a: &Applicant) -> PersonNames<'_> {
    PersonNames { first: &a.first_name, last: &a.last_name, first_ar: &a.first_name_ar, last_ar: &a.last_name_ar }
}

impl Core {
    /// Search before create: checks a draft's identity (CIN, names, birth date; the rest may
    /// still be empty) and returns its warnings and the applicants it may duplicate, without
    /// saving anything (`except`: the record being edited).
    pub fn check_applicant(
        &self,
        session: &Session,
        draft: &crate::domain::applicant::ApplicantDraft,
        except: Option<uuid::Uuid>,
    ) -> Result<(Vec<String>, Vec<DuplicateCandidate>), AppError> {
        session.require(Action::RegisterApplicant)?;
        let (who, warnings) = draft.identity(self.clock.today())?;
        let names = PersonNames {
            first: &who.first_name,
            last: &who.last_name,
            first_ar: &who.first_name_ar,
            last_ar: &who.last_name_ar,
        };
        let duplicates = self.possible_duplicates(session, who.cin.as_str(), who.birth_date, &names, except)?;
        Ok((warnings, duplicates))
    }

    /// The live applicants a person may duplicate (ignoring `except`, the record being edited):
    /// the same CIN, or the same birth date with a close name in either script.
    pub fn possible_duplicates(
        &self,
        session: &Session,
        cin: &str,
        born: chrono::NaiveDate,
        names_of: &PersonNames<'_>,
        except: Option<uuid::Uuid>,
    ) -> Result<Vec<DuplicateCandidate>, AppError> {
        session.require(Action::ViewRegister)?;
        let conn = self.store.conn();
        let mut found: Vec<DuplicateCandidate> = applicants_with_cin(conn, cin)?
            .into_iter()
            .map(|row| DuplicateCandidate { row, reason: DuplicateReason::SameCin })
            .collect();
        for row in applicants_born_on(conn, &born.to_string())? {
            if !found.iter().any(|c| c.row.meta.id == row.meta.id) && names_close(&names(&row.value), names_of) {
                found.push(DuplicateCandidate { row, reason: DuplicateReason::CloseNameSameBirthDate });
            }
        }
        found.retain(|c| Some(c.row.meta.id) != except);
        Ok(found)
    }
}
