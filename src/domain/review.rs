//! The delegation's verdict on two applicants registered by different offices who may be one
//! person (same CIN, or a close name and the same birth date).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text::{self, Fields, FreeText};
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
    /// The office that held `first` when the pair was reviewed.
    pub first_office: String,
    /// The office that held `second`.
    pub second_office: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Why (what was checked: documents, a phone call to the offices…).
    pub note: String,
    /// The day of the review.
    pub reviewed_on: NaiveDate,
    /// When the retention rules erased its note (one of the two people anonymised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
}

impl DuplicateReview {
    /// A review of the applicants `a` and `b` (each with the office that holds them) in its one
    /// form (smaller id first).
    pub fn new(a: (Uuid, &str), b: (Uuid, &str), verdict: Verdict, note: &str, reviewed_on: NaiveDate) -> Self {
        let ((first, first_office), (second, second_office)) = if a.0 < b.0 { (a, b) } else { (b, a) };
        DuplicateReview {
            first,
            second,
            first_office: first_office.to_owned(),
            second_office: second_office.to_owned(),
            verdict,
            note: note.trim().to_owned(),
            reviewed_on,
            anonymised_on: None,
        }
    }

    /// Erases its note (it may name people), once one of the two is anonymised.
    pub fn anonymise(&mut self, on: NaiveDate) {
        self.note = crate::domain::transfer::ERASED.into();
        self.anonymised_on = Some(on);
    }

    /// The office of the other applicant of the pair, seen from `id` (one of the pair).
    pub fn other_office(&self, id: Uuid) -> &str {
        if id == self.first { &self.second_office } else { &self.first_office }
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

impl FreeText for DuplicateReview {
    fn free_text(&self) -> Fields<'_> {
        vec![
            ("Premier bureau", &self.first_office, text::REFERENCE),
            ("Second bureau", &self.second_office, text::REFERENCE),
            ("Note de l'examen", &self.note, text::NOTE),
        ]
    }
}
