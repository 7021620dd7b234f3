//! Closing a year: its bilan (broken down by office) frozen and signed with the site's key.
//! Re-running the bilan on the same data gives the same figures; a later change to that year's
//! data shows as a difference against the frozen figures, never silently.

use chrono::{Datelike as _, NaiveDate};
use sha2::{Digest as _, Sha256};

use super::{AppError, Core, Session, audit_act};
use crate::domain::indicators::{Bilan, Breakdown, Difference, differences};
use crate::domain::role::Action;
use crate::store::closings::{self, StoredClosing};
use crate::store::site as site_store;

/// A closed year as shown: the frozen figures, whether the signature holds, and what changed.
#[derive(Debug, Clone)]
pub struct ClosedYear {
    /// The year.
    pub year: i32,
    /// When it was closed (RFC 3339).
    pub closed_at: String,
    /// Who closed it.
    pub closed_by: String,
    /// SHA-256 of the frozen figures, hex.
    pub sha256: String,
    /// Whether the stored figures are the ones the site signed.
    pub authentic: bool,
    /// The frozen figures.
    pub frozen: Bilan,
    /// What is different today.
    pub differences: Vec<Difference>,
}

fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), AppError> {
    let day =
        |m, d| NaiveDate::from_ymd_opt(year, m, d).ok_or_else(|| AppError::Rule(format!("Année {year} invalide.")));
    Ok((day(1, 1)?, day(12, 31)?))
}

/// What the site signs: the year and the figures' hash.
fn signed_text(year: i32, sha256: &str) -> String {
    format!("DAFTAR-CLOTURE1|{year}|{sha256}")
}

impl Core {
    /// Closes `year` (once it is over): its bilan by office is frozen and signed.
    pub fn close_year(&mut self, session: &Session, year: i32) -> Result<ClosedYear, AppError> {
        session.require(Action::CloseYear)?;
        let (from, to) = year_bounds(year)?;
        if to >= self.clock.today() {
            return Err(AppError::Rule(format!(
                "L'année {year} n'est pas terminée : on la clôture à partir du 1er janvier {}.",
                year + 1
            )));
        }
        if let Some(done) = closings::get(self.store.conn(), year)? {
            return Err(AppError::Rule(format!(
                "L'année {year} est déjà clôturée (le {}, par {}) : ses chiffres gelés ne changent plus.",
                done.closed_at.get(..10).unwrap_or(&done.closed_at),
                done.closed_by
            )));
        }
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule("Clôturer une année demande un compte qui détient les clés du site (signature).".into())
        })?;
        let figures = crate::store::report::bilan(self.store.conn(), from, to, Some(Breakdown::Office))?;
        let json = serde_json::to_string(&figures).map_err(|e| AppError::Rule(e.to_string()))?;
        let sha256 = hex::encode(Sha256::digest(json.as_bytes()));
        let now = self.clock.now_utc();
        let stored = StoredClosing {
            year,
            closed_at: now.to_rfc3339(),
            closed_by: session.login.clone(),
            sha256: sha256.clone(),
            signature: hex::encode(secrets.sign(signed_text(year, &sha256).as_bytes())),
            signer: secrets.public().fingerprint(),
            figures: json,
        };
        let tx = self.store.transaction()?;
        closings::insert(&tx, &stored)?;
        let content = serde_json::json!({ "year": year, "sha256": sha256 }).to_string();
        audit_act(&tx, now, &session.login, "report.close_year", &content)?;
        tx.commit()?;
        self.closed_year(session, year)?.ok_or_else(|| AppError::Rule(format!("Clôture de {year} introuvable.")))
    }

    /// The closing of `year`, checked against the site's keys and today's figures.
    pub fn closed_year(&self, session: &Session, year: i32) -> Result<Option<ClosedYear>, AppError> {
        session.require(Action::RunReports)?;
        let conn = self.store.conn();
        let Some(stored) = closings::get(conn, year)? else { return Ok(None) };
        let hash_holds = hex::encode(Sha256::digest(stored.figures.as_bytes())) == stored.sha256;
        let signature = hex::decode(&stored.signature).unwrap_or_default();
        let signed = site_store::all_keys(conn)?
            .iter()
            .any(|keys| keys.verify(signed_text(year, &stored.sha256).as_bytes(), &signature));
        let frozen: Bilan = serde_json::from_str(&stored.figures).map_err(|e| {
            AppError::Rule(format!("Les chiffres gelés de {year} sont illisibles ({e}) : la base a été modifiée."))
        })?;
        let (from, to) = year_bounds(year)?;
        let now = crate::store::report::bilan(conn, from, to, frozen.by)?;
        Ok(Some(ClosedYear {
            year,
            closed_at: stored.closed_at,
            closed_by: stored.closed_by,
            sha256: stored.sha256,
            authentic: hash_holds && signed,
            differences: differences(&frozen, &now),
            frozen,
        }))
    }

    /// The closed year whose bilan `from..=to` is, when the period is exactly a closed year.
    pub fn closing_of_period(
        &self,
        session: &Session,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<ClosedYear>, AppError> {
        let whole_year = from.year() == to.year() && (from, to) == year_bounds(from.year())?;
        if whole_year { self.closed_year(session, from.year()) } else { Ok(None) }
    }
}
