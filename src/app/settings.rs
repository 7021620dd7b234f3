//! The installation's settings that users change: the printer calibration and the number of the
//! site's declaration to the CNDP (law 09-08).

use super::{AppError, Core, Session, audit_act};
use crate::documents::letterhead::Issuer;
use crate::domain::print::PrintMargins;
use crate::domain::role::Action;
use crate::store::site as site_store;

const PRINT_MARGINS: &str = "print.margins";
const CNDP_NUMBER: &str = "cndp.declaration";

/// Checks a CNDP declaration number as typed: letters, digits, `-`, `/`, `.` and spaces, at most
/// 40 characters; empty clears it.
pub fn validate_cndp(raw: &str) -> Result<Option<String>, String> {
    let number = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if number.is_empty() {
        return Ok(None);
    }
    if number.chars().count() > 40 || !number.chars().all(|c| c.is_ascii_alphanumeric() || " -/.".contains(c)) {
        return Err(format!(
            "« {number} » n'est pas un numéro de déclaration CNDP : lettres, chiffres, « - », « / » et « . », 40 caractères au plus (par exemple D-GC-123/2024)."
        ));
    }
    Ok(Some(number))
}

impl Core {
    /// The printer calibration (none until the office sets one).
    pub fn print_margins(&self) -> Result<PrintMargins, AppError> {
        let stored = site_store::setting(self.store.conn(), PRINT_MARGINS)?;
        // A value this program did not write is ignored rather than trusted: printing still works.
        Ok(stored.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
    }

    /// The number of the site's declaration to the CNDP, when recorded.
    pub fn cndp_number(&self) -> Result<Option<String>, AppError> {
        Ok(site_store::setting(self.store.conn(), CNDP_NUMBER)?)
    }

    /// Records (or, empty, clears) the CNDP declaration number (audited); it is printed at the
    /// foot of every document.
    pub fn set_cndp_number(&mut self, session: &Session, raw: &str) -> Result<Option<String>, AppError> {
        session.require(Action::ManageSettings)?;
        let number = validate_cndp(raw).map_err(AppError::Rule)?;
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        match &number {
            Some(number) => site_store::set_setting(&tx, CNDP_NUMBER, number)?,
            None => site_store::clear_setting(&tx, CNDP_NUMBER)?,
        }
        let content = serde_json::json!({ "cndp": number }).to_string();
        audit_act(&tx, now, &session.login, "settings.cndp", &content)?;
        tx.commit()?;
        Ok(number)
    }

    /// The site as its documents present it: names, town, signatory, CNDP declaration.
    pub(crate) fn issuer(&self, session: &Session) -> Result<Issuer, AppError> {
        Ok(Issuer { cndp: self.cndp_number()?, ..super::issuer_of(&session.site) })
    }

    /// Records the printer calibration (audited).
    pub fn set_print_margins(&mut self, session: &Session, margins: PrintMargins) -> Result<(), AppError> {
        session.require(Action::ManageSettings)?;
        let content = serde_json::to_string(&margins).map_err(|e| AppError::Rule(e.to_string()))?;
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        site_store::set_setting(&tx, PRINT_MARGINS, &content)?;
        audit_act(&tx, now, &session.login, "settings.print", &content)?;
        tx.commit()?;
        Ok(())
    }
}
