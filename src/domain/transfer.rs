//! The transfer of an applicant who moves from one office to another (DESIGN §5): a record the
//! delegation owns, naming exactly the rows whose ownership moves, so that every site that
//! receives it moves the same rows, whatever else it holds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::text::{self, Fields, FreeText};

/// What an erased reason or note reads (see the retention rules).
pub const ERASED: &str = "effacé (durée de conservation)";

/// One row whose ownership a transfer moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedRow {
    /// Its table (`applicants`, `dossiers`…).
    pub table: String,
    /// Its id.
    pub id: Uuid,
}

/// An applicant and the rows about them moved from one office to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// The applicant who moves.
    pub applicant_id: Uuid,
    /// The office that held them.
    pub from_office: String,
    /// The office that holds them from now on.
    pub to_office: String,
    /// The day the delegation decided it.
    pub on: NaiveDate,
    /// Why (the applicant's new address, a request…).
    pub reason: String,
    /// The rows that change owner: the applicant, their card holder (which the rest of a family
    /// at the old office still reads there), their projects, dossiers, and the funding lines,
    /// disbursements and visits the old office wrote about them. Certificates stay in the
    /// register that issued them.
    pub rows: Vec<MovedRow>,
    /// When the retention rules erased its reason (the person anonymised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
}

impl Transfer {
    /// Whether the row `id` is one this transfer moves.
    pub fn moves(&self, id: Uuid) -> bool {
        self.rows.iter().any(|r| r.id == id)
    }

    /// Erases its reason (it may name people), once the person is anonymised.
    pub fn anonymise(&mut self, on: NaiveDate) {
        self.reason = ERASED.into();
        self.anonymised_on = Some(on);
    }

    /// Checks what a record received from elsewhere must hold; a French message otherwise.
    pub fn validate(&self) -> Result<(), String> {
        if self.from_office == self.to_office {
            return Err("un transfert doit changer de bureau".into());
        }
        if self.reason.trim().is_empty() || self.reason.len() > 2000 {
            return Err("motif du transfert vide ou trop long".into());
        }
        if !self.moves(self.applicant_id) {
            return Err("le transfert ne déplace pas le bénéficiaire qu'il nomme".into());
        }
        Ok(())
    }
}

impl FreeText for Transfer {
    fn free_text(&self) -> Fields<'_> {
        vec![
            ("Bureau de départ", &self.from_office, text::REFERENCE),
            ("Bureau d'arrivée", &self.to_office, text::REFERENCE),
            ("Motif du transfert", &self.reason, text::NOTE),
        ]
    }
}
