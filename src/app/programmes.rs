//! Programmes and conventions with their yearly envelopes, and the required-documents
//! checklists (reference data a delegation publishes; a standalone site defines its own).

use uuid::Uuid;

use super::{AppError, Core, Session};
use crate::domain::dossier::{Checklist, ChecklistItem};
use crate::domain::funding::{Envelope, EnvelopeUse, Programme};
use crate::domain::project::ProjectKind;
use crate::domain::role::Action;
use crate::store::records::{Row, RowMeta, find};
use crate::store::reference;

/// The checklist of a kind as this site applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistView {
    /// Its documents, in order.
    pub items: Vec<ChecklistItem>,
    /// Who published it and which version (`None`: the list shipped with Daftar).
    pub published: Option<RowMeta>,
}

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
                AppError::Rule(format!("Aucun programme de code « {code} » : créez-le d'abord (écran Programmes)."))
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

    /// The checklist of `kind` as this site applies it, and where it comes from.
    pub fn checklist_of(&self, session: &Session, kind: ProjectKind) -> Result<ChecklistView, AppError> {
        session.require(Action::ViewRegister)?;
        let conn = self.store.conn();
        Ok(match reference::published_checklist(conn, kind)? {
            Some(row) => ChecklistView { items: row.value.items, published: Some(row.meta) },
            None => ChecklistView { items: reference::shipped_checklist(conn, kind)?, published: None },
        })
    }

    /// Publishes the checklist of `kind` (a new version of this site's own, if it has one): it
    /// applies here at once and reaches the offices in their next reply. Dossiers already
    /// complete stay so; the others are checked against the new list.
    pub fn save_checklist(
        &mut self,
        session: &Session,
        kind: ProjectKind,
        items: Vec<ChecklistItem>,
    ) -> Result<RowMeta, AppError> {
        session.require(Action::ManagePrograms)?;
        let checklist =
            Checklist::validate(kind, items).map_err(|e| AppError::Rule(format!("Liste refusée : {e}.")))?;
        let here = session.site.code.to_string();
        let own = find::<Checklist>(self.store.conn(), "kind = ?1", kind.code())?
            .into_iter()
            .find(|row| row.meta.owner == here);
        self.write(session, |w, ids| {
            Ok(match &own {
                Some(row) => w.update(row.meta.id, &checklist, None)?,
                None => w.insert(ids.new_id(), &checklist)?,
            })
        })
    }
}
