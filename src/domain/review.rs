//! The delegation's verdict on two applicants registered by different offices who may be one
//! person (same CIN, or a close name and the same birth date).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the delegation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// One person registered twice: the two records are linked and the person counts once.
    SamePerson,
    /// Two different people: the pair is not proposed again.
    Distinct,
}

impl Verdict {
    /// The French label shown to users.
    pub fn label_fr(self) -> &'static str {
        match self {
            Verdict::SamePerson => "même personne",
            Verdict::Distinct => "personnes distinctes",
        }
    }
}

/// A reviewed pair of applicants. `first` is the smaller id, so a pair has one form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateReview {
    /// One applicant (the smaller id).
    pub first: Uuid,
    /// The other applicant.
    pub second: Uuid,
    /// The verdict.
    pub verdict: Verdict,
    /// Why (what was checked: documents, a phone call to the offices…).
    pub note: String,
    /// The day of the review.
    pub reviewed_on: NaiveDate,
}

impl DuplicateReview {
    /// A review of the pair `a`, `b` in its one form (smaller id first).
    pub fn new(a: Uuid, b: Uuid, verdict: Verdict, note: &str, reviewed_on: NaiveDate) -> DuplicateReview {
        let (first, second) = if a < b { (a, b) } else { (b, a) };
        DuplicateReview { first, second, verdict, note: note.trim().to_owned(), reviewed_on }
    }

    /// The other applicant of the pair, if `id` is one of them.
    pub fn other_than(&self, id: Uuid) -> Option<Uuid> {
        if id == self.first {
            Some(self.second)
        } else if id == self.second {
            Some(self.first)
        } else {
            None
        }
    }

    /// Checks what a record received from elsewhere must hold; a French message otherwise.
    pub fn validate(&self) -> Result<(), String> {
        if self.first >= self.second {
            return Err("paire de bénéficiaires mal formée".into());
        }
        if self.note.trim().is_empty() || self.note.len() > 2000 {
            return Err("note de l'examen vide ou trop longue".into());
        }
        Ok(())
    }
}
