//! The records a bundle carries, read into their domain types and checked before they are stored.

use super::apply::subtree_of;
use crate::app::AppError;
use crate::domain::applicant::{Applicant, CardHolder};
use crate::domain::certificate::Certificate;
use crate::domain::commission::{Adjournment, CommissionReason, CommissionSession};
use crate::domain::dossier::{Checklist, Dossier};
use crate::domain::funding::{Decision, Disbursement, FundingLine, Programme};
use crate::domain::project::Project;
use crate::domain::review::DuplicateReview;
use crate::domain::site::Level;
use crate::domain::text;
use crate::domain::transfer::Transfer;
use crate::domain::visit::Visit;
use crate::store::StoreError;
use crate::store::records::{Arrival, Record, RowMeta, Table, Writer};
use crate::store::sync::{self as sync_store};
use crate::sync::payload::WireRecord;

/// A record read into its domain type, ready to store.
pub(super) enum ArrivingRow {
    CardHolder(RowMeta, CardHolder),
    Applicant(RowMeta, Applicant),
    Project(RowMeta, Project),
    Dossier(RowMeta, Dossier),
    Decision(RowMeta, Decision),
    FundingLine(RowMeta, FundingLine),
    Disbursement(RowMeta, Disbursement),
    Programme(RowMeta, Programme),
    Visit(RowMeta, Visit),
    Certificate(RowMeta, Box<Certificate>),
    Transfer(RowMeta, Transfer),
    Review(RowMeta, DuplicateReview),
    Checklist(RowMeta, Checklist),
    Session(RowMeta, CommissionSession),
    Adjournment(RowMeta, Adjournment),
    Reason(RowMeta, CommissionReason),
}

pub(super) fn typed<T: Record>(meta: RowMeta, record: &WireRecord) -> Result<(RowMeta, T), String> {
    let value: T = serde_json::from_str(record.data.get()).map_err(|e| e.to_string())?;
    if let Some(problem) = value.text_problem() {
        return Err(problem);
    }
    Ok((meta, value))
}

pub(super) fn decode_record(table: Table, r: &WireRecord) -> Result<ArrivingRow, String> {
    if r.version < 1 || r.owner.trim().is_empty() || r.owner.len() > 40 {
        return Err("propriétaire ou version invalide".into());
    }
    for stamp in [Some(&r.created_at), Some(&r.updated_at), r.deleted_at.as_ref()].into_iter().flatten() {
        chrono::DateTime::parse_from_rfc3339(stamp).map_err(|_| format!("date « {stamp} » invalide"))?;
    }
    if r.deleted_at.is_some() != r.delete_reason.is_some() {
        return Err("suppression sans motif".into());
    }
    if let Some(problem) = r.delete_reason.as_deref().and_then(|why| text::problem("Motif", why, text::NOTE)) {
        return Err(problem);
    }
    let meta = sync_store::meta_of(r);
    let row = match table {
        Table::CardHolders => typed(meta, r).map(|(m, v)| ArrivingRow::CardHolder(m, v))?,
        Table::Applicants => typed(meta, r).map(|(m, v)| ArrivingRow::Applicant(m, v))?,
        Table::Projects => typed(meta, r).map(|(m, v)| ArrivingRow::Project(m, v))?,
        Table::Dossiers => typed(meta, r).map(|(m, v)| ArrivingRow::Dossier(m, v))?,
        Table::Decisions => typed(meta, r).map(|(m, v)| ArrivingRow::Decision(m, v))?,
        Table::FundingLines => typed(meta, r).map(|(m, v)| ArrivingRow::FundingLine(m, v))?,
        Table::Disbursements => typed(meta, r).map(|(m, v)| ArrivingRow::Disbursement(m, v))?,
        Table::Programmes => typed(meta, r).map(|(m, v)| ArrivingRow::Programme(m, v))?,
        Table::Visits => typed(meta, r).map(|(m, v)| ArrivingRow::Visit(m, v))?,
        Table::Certificates => typed(meta, r).map(|(m, v)| ArrivingRow::Certificate(m, Box::new(v)))?,
        Table::Transfers => typed(meta, r).map(|(m, v)| ArrivingRow::Transfer(m, v))?,
        Table::DuplicateReviews => typed(meta, r).map(|(m, v)| ArrivingRow::Review(m, v))?,
        Table::Checklists => typed(meta, r).map(|(m, v)| ArrivingRow::Checklist(m, v))?,
        Table::CommissionSessions => typed(meta, r).map(|(m, v)| ArrivingRow::Session(m, v))?,
        Table::Adjournments => typed(meta, r).map(|(m, v)| ArrivingRow::Adjournment(m, v))?,
        Table::CommissionReasons => typed(meta, r).map(|(m, v)| ArrivingRow::Reason(m, v))?,
    };
    match &row {
        ArrivingRow::Transfer(_, t) => t.validate()?,
        ArrivingRow::Review(_, r) => r.validate()?,
        ArrivingRow::Checklist(_, c) => c.check()?,
        _ => {}
    }
    Ok(row)
}

/// The transfers among `records` (those that do not read are refused with their bundle).
pub(super) fn transfers_in(records: &[WireRecord]) -> impl Iterator<Item = Transfer> + '_ {
    records
        .iter()
        .filter(|r| r.table == Table::Transfers.name())
        .filter_map(|r| serde_json::from_str::<Transfer>(r.data.get()).ok())
}

/// Numbers are given by their owner: another site's series would block or forge its numbers. A
/// dossier keeps its number when a transfer (`moved_to(id)`: the office it went to) moves it.
pub(super) fn check_numbering(
    row: &ArrivingRow,
    moved_to: impl Fn(uuid::Uuid) -> Option<String>,
) -> Result<(), String> {
    match row {
        ArrivingRow::Dossier(m, d)
            if !d.number.to_string().starts_with(&format!("{}-", m.owner))
                && moved_to(m.id).as_deref() != Some(m.owner.as_str()) =>
        {
            Err(format!("le dossier {} n'est pas numéroté par son propriétaire {}", d.number, m.owner))
        }
        ArrivingRow::Certificate(m, c)
            if !c.number.starts_with(&format!("{}-ATT-", m.owner)) || c.facts.site_code != m.owner =>
        {
            Err(format!("l'attestation {} n'est pas délivrée par son propriétaire {}", c.number, m.owner))
        }
        _ => Ok(()),
    }
}

/// Transfers and duplicate reviews going up are decided by a delegation over offices it
/// supervises: an office never sends one, and a delegation never moves rows outside its subtree.
pub(super) fn check_arbiter(conn: &rusqlite::Connection, here: &str, row: &ArrivingRow) -> Result<(), String> {
    let (owner, offices) = match row {
        ArrivingRow::Transfer(m, t) => (&m.owner, vec![t.from_office.as_str(), t.to_office.as_str()]),
        ArrivingRow::Review(m, _) => (&m.owner, vec![]),
        _ => return Ok(()),
    };
    let supervises = owner == here
        || sync_store::peer(conn, owner)
            .map_err(|e| e.to_string())?
            .is_some_and(|p| Level::parse(&p.level).is_ok_and(Level::supervises));
    let below = subtree_of(conn, owner).map_err(|e| e.to_string())?;
    if !supervises || offices.iter().any(|o| !below.iter().any(|b| b == o)) {
        return Err(format!("{owner} ne supervise pas les bureaux concernés"));
    }
    Ok(())
}

impl ArrivingRow {
    pub(super) fn table_rank(&self) -> u8 {
        match self {
            // A transfer first: the rows it moves may come in the same bundle under their new owner.
            ArrivingRow::Transfer(..) => 0,
            ArrivingRow::CardHolder(..) => 1,
            ArrivingRow::Applicant(..) => 2,
            ArrivingRow::Project(..) => 3,
            ArrivingRow::Dossier(..) => 4,
            ArrivingRow::Decision(..) => 5,
            ArrivingRow::FundingLine(..) => 6,
            ArrivingRow::Disbursement(..) => 7,
            ArrivingRow::Programme(..) => 8,
            ArrivingRow::Visit(..) => 9,
            ArrivingRow::Certificate(..) => 10,
            ArrivingRow::Review(..) => 11,
            ArrivingRow::Checklist(..) => 12,
            ArrivingRow::Session(..) => 13,
            ArrivingRow::Adjournment(..) => 14,
            ArrivingRow::Reason(..) => 15,
        }
    }

    /// What a person at this site (whose subtree is `own`) should be told of this row, once
    /// applied: a transfer from or to here, a duplicate reviewed about one of ours, a checklist.
    pub(super) fn notice(&self, conn: &rusqlite::Connection, own: &[String]) -> Result<Option<String>, AppError> {
        let name = |id: uuid::Uuid| -> Result<String, AppError> {
            Ok(crate::store::records::get::<Applicant>(conn, id)?
                .map_or_else(|| id.to_string(), |a| format!("{} (CIN {})", a.value.display_name(), a.value.cin)))
        };
        Ok(match self {
            ArrivingRow::Transfer(m, t)
                if m.deleted_at.is_none() && (own.contains(&t.from_office) || own.contains(&t.to_office)) =>
            {
                Some(format!("{} est transféré(e) de {} à {}", name(t.applicant_id)?, t.from_office, t.to_office))
            }
            ArrivingRow::Review(m, r) if m.deleted_at.is_none() && r.anonymised_on.is_none() => {
                let ours = [(r.first, &r.first_office), (r.second, &r.second_office)]
                    .into_iter()
                    .find(|(_, office)| own.contains(office));
                match ours {
                    Some((id, _)) => Some(format!(
                        "Doublon examiné par {} : {}, {} d'un bénéficiaire de {}",
                        m.owner,
                        name(id)?,
                        r.verdict.label_fr(),
                        r.other_office(id)
                    )),
                    None => None,
                }
            }
            ArrivingRow::Checklist(m, c) if m.deleted_at.is_none() => Some(format!(
                "Liste des pièces « {} » publiée par {} (version {})",
                c.kind.label_fr(),
                m.owner,
                m.version
            )),
            ArrivingRow::Adjournment(m, a) if m.deleted_at.is_none() => {
                match crate::store::records::get::<Dossier>(conn, a.dossier_id)? {
                    Some(d) if own.contains(&d.meta.owner) => Some(format!(
                        "Dossier {} ajourné par la commission de {} le {} : {}",
                        d.value.number,
                        m.owner,
                        a.on.format("%d/%m/%Y"),
                        crate::reference::reason_in_both(&a.reason, &crate::app::commission::reasons_in(conn)?).0
                    )),
                    _ => None,
                }
            }
            _ => None,
        })
    }

    pub(super) fn cin(&self) -> Option<String> {
        match self {
            ArrivingRow::Applicant(m, a) if m.deleted_at.is_none() => Some(a.cin.to_string()),
            _ => None,
        }
    }

    /// The row made ready to store (pure work: runs on the other core during an import).
    pub(super) fn arrival(&self) -> Result<Arrival, StoreError> {
        match self {
            ArrivingRow::CardHolder(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Applicant(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Project(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Dossier(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Decision(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::FundingLine(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Disbursement(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Programme(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Visit(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Certificate(m, v) => Arrival::new(m.clone(), v.as_ref()),
            ArrivingRow::Transfer(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Review(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Checklist(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Session(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Adjournment(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Reason(m, v) => Arrival::new(m.clone(), v),
        }
    }

    /// Stores the row; a transfer also moves the rows it names. Returns whether it was applied
    /// (not older than the one held).
    pub(super) fn receive(&self, w: &Writer<'_>) -> Result<bool, AppError> {
        self.receive_ready(w, &self.arrival()?)
    }

    /// [`ArrivingRow::receive`], the row already made ready (`arrival` is its
    /// [`ArrivingRow::arrival`]).
    pub(super) fn receive_ready(&self, w: &Writer<'_>, arrival: &Arrival) -> Result<bool, AppError> {
        let applied = w.receive_arrival(arrival)?;
        if let ArrivingRow::Transfer(m, transfer) = self
            && applied
            && m.deleted_at.is_none()
        {
            crate::app::transfers::apply_transfer(w, transfer)?;
        }
        Ok(applied)
    }
}
