//! The installation's settings that users change: today the printer calibration.

use super::{AppError, Core, Session, audit_act};
use crate::domain::print::PrintMargins;
use crate::domain::role::Action;
use crate::store::site as site_store;

const PRINT_MARGINS: &str = "print.margins";

impl Core {
    /// The printer calibration (none until the office sets one).
    pub fn print_margins(&self) -> Result<PrintMargins, AppError> {
        let stored = site_store::setting(self.store.conn(), PRINT_MARGINS)?;
        // A value this program did not write is ignored rather than trusted: printing still works.
        Ok(stored.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default())
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
