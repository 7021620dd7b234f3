//! Transfers: an applicant who moves goes from one office to another, decided by the delegation
//! that supervises both, with the ownership of the rows about them (DESIGN §5).

use uuid::Uuid;

use super::sync::subtree_of;
use super::{AppError, Core, Session};
use crate::domain::applicant::Applicant;
use crate::domain::role::Action;
use crate::domain::site::Level;
use crate::domain::transfer::Transfer;
use crate::store::audit::timestamp;
use crate::store::records::{self, Row, Table, Writer};
use crate::store::sync as sync_store;
use crate::store::transfers as transfer_store;

impl Core {
    /// Transfers the applicant `applicant` to the office `to_office`: the rows their office holds
    /// about them (see [`Transfer::rows`]) become the new office's. The transfer is this site's
    /// record: it reaches both offices in their replies, and the level above in the next export.
    pub fn transfer_applicant(
        &mut self,
        session: &Session,
        applicant: Uuid,
        to_office: &str,
        reason: &str,
    ) -> Result<Transfer, AppError> {
        session.require(Action::ArbitrateOffices)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::Rule(
                "Indiquez le motif du transfert (nouvelle adresse, demande du bénéficiaire…).".into(),
            ));
        }
        let to_office = to_office.trim().to_uppercase();
        if to_office.is_empty() {
            return Err(AppError::Rule("Choisissez le bureau qui suivra désormais le bénéficiaire.".into()));
        }
        let conn = self.store.conn();
        let row = records::get_live::<Applicant>(conn, applicant)?;
        let from_office = row.meta.owner.clone();
        let here = session.site.code.to_string();
        let below = subtree_of(conn, &here)?;
        if from_office == here || !below.contains(&from_office) {
            return Err(AppError::Rule(format!(
                "{} est tenu par {from_office}, qui n'est pas un bureau supervisé par {here} : la délégation de ce bureau décide de son transfert.",
                row.value.display_name()
            )));
        }
        let office = sync_store::peer(conn, &to_office)?
            .filter(|p| p.level == Level::Bureau.code() && below.contains(&p.code) && p.revoked.is_none())
            .ok_or_else(|| {
                AppError::Rule(format!(
                    "« {to_office} » n'est pas un bureau enrôlé sous {here} : choisissez un des bureaux supervisés."
                ))
            })?;
        if office.code == from_office {
            return Err(AppError::Rule(format!("{} est déjà tenu par {from_office}.", row.value.display_name())));
        }
        let transfer = Transfer {
            applicant_id: applicant,
            from_office,
            to_office: office.code,
            on: self.clock.today(),
            reason: reason.to_owned(),
            rows: transfer_store::rows_about(conn, applicant, &row.meta.owner)?,
            anonymised_on: None,
        };
        self.write(session, |w, ids| {
            w.insert(ids.new_id(), &transfer)?;
            apply_transfer(w, &transfer)?;
            Ok(())
        })?;
        Ok(transfer)
    }

    /// The offices an applicant may be transferred to from here: the bureaux enrolled below this
    /// site and not revoked (none at an office).
    pub fn transfer_targets(&self, session: &Session) -> Result<Vec<String>, AppError> {
        if session.require(Action::ArbitrateOffices).is_err() {
            return Ok(Vec::new());
        }
        let conn = self.store.conn();
        let below = subtree_of(conn, session.site.code.as_str())?;
        let mut codes: Vec<String> = sync_store::peers(conn)?
            .into_iter()
            .filter(|p| p.level == Level::Bureau.code() && p.revoked.is_none() && below.contains(&p.code))
            .map(|p| p.code)
            .collect();
        codes.sort();
        Ok(codes)
    }

    /// The transfers of an applicant, oldest first.
    pub fn transfers_of(&self, session: &Session, applicant: Uuid) -> Result<Vec<Row<Transfer>>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(records::find::<Transfer>(self.store.conn(), "applicant_id = ?1", &applicant.to_string())?)
    }
}

/// Moves the rows a transfer names from its old office to its new one, where they are held
/// under the old office (elsewhere they stay as they are); returns how many moved.
pub(crate) fn apply_transfer(w: &Writer<'_>, transfer: &Transfer) -> Result<usize, AppError> {
    let at = timestamp(w.now);
    let mut moved = 0;
    for row in &transfer.rows {
        let Some(table) = Table::from_name(&row.table) else { continue };
        if transfer_store::reassign(w.conn(), table, row.id, &transfer.from_office, &transfer.to_office, &at)? {
            moved += 1;
        }
    }
    Ok(moved)
}
