//! Programmes and conventions with their yearly envelopes (reference data a delegation
//! publishes; a standalone site defines its own).

use uuid::Uuid;

use super::{AppError, Core, Session};
use crate::domain::funding::{Envelope, EnvelopeUse, Programme};
use crate::domain::role::Action;
use crate::store::records::{Row, find};

impl Core {
    /// Defines a programme, or updates the one with the same code.
    pub fn save_programme(&mut self, session: &Session, programme: &Programme) -> Result<Uuid, AppError> {
        session.require(Action::ManagePrograms)?;
        let existing = find::<Programme>(self.store.conn(), "code = ?1", &programme.code)?.into_iter().next();
        self.write(session, |w, ids| match existing {
            Some(row) => {
                let mut merged = programme.clone();
                for envelope in &row.value.envelopes {
                    if !merged.envelopes.iter().any(|e| e.year == envelope.year) {
                        merged.set_envelope(envelope.clone());
                    }
                }
                w.update(row.meta.id, &merged, None)?;
                Ok(row.meta.id)
            }
            None => {
                let id = ids.new_id();
                w.insert(id, programme)?;
                Ok(id)
            }
        })
    }

    /// Sets the envelope of one year of a programme.
    pub fn set_envelope(&mut self, session: &Session, code: &str, envelope: Envelope) -> Result<(), AppError> {
        session.require(Action::ManagePrograms)?;
        let code = code.trim().to_uppercase();
        let mut row =
            find::<Programme>(self.store.conn(), "code = ?1", &code)?.into_iter().next().ok_or_else(|| {
                AppError::Rule(format!("Aucun programme de code « {code} » : créez-le d'abord (daftar programme add)."))
            })?;
        row.value.set_envelope(envelope);
        self.write(session, |w, _| Ok(w.update(row.meta.id, &row.value, None).map(|_| ())?))
    }

    /// How much of each programme's yearly envelopes is committed.
    pub fn envelope_use(&self, session: &Session) -> Result<Vec<EnvelopeUse>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(crate::store::search::envelopes(self.store.conn())?)
    }

    /// All live programmes, by code.
    pub fn programmes(&self, session: &Session) -> Result<Vec<Row<Programme>>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(crate::store::records::all::<Programme>(self.store.conn())?)
    }
}
