//! Retention rules (law 09-08): personal data is kept no longer than its purpose needs. A person
//! whose every dossier is closed (rejected or *clôturé*) for the set number of years — or who
//! has had no dossier and no change for that long — is anonymised, with their card holder when
//! nobody else still needs it and the certificates issued to them: identifiers and names are
//! erased, what the figures need stays (sex, year of birth, province, AMO regime, amounts,
//! jobs), so that every bilan stays the same. The audit log keeps its chain and erases what it
//! had kept of those rows' earlier states.
//!
//! First [`Core::retention_plan`] says what would be done; [`Core::apply_retention`] does exactly
//! that plan (refused if the register changed in between), in one transaction, audited, and
//! leaves no copy of the erased data in the database file (SQLite's `secure_delete`, the search
//! index rebuilt, the journal emptied). Anonymised rows travel to the delegation like any
//! change, and it erases its own audit copies when it receives them.

use std::collections::{HashMap, HashSet};

use chrono::{Months, NaiveDate};
use uuid::Uuid;

use super::{AppError, Core, Session};
use crate::domain::applicant::{Applicant, CardHolder};
use crate::domain::certificate::Certificate;
use crate::domain::commission::Adjournment;
use crate::domain::dossier::{Dossier, Status};
use crate::domain::funding::Decision;
use crate::domain::project::Project;
use crate::domain::review::DuplicateReview;
use crate::domain::role::Action;
use crate::domain::transfer::Transfer;
use crate::store::audit::Entry;
use crate::store::records::{self, Record, Row, Writer};
use crate::store::site as site_store;

/// The number of years a closed dossier's personal data is kept, until the site sets another.
pub const DEFAULT_YEARS: u32 = 10;
/// The range the setting accepts.
pub const YEARS: std::ops::RangeInclusive<u32> = 1..=50;
const SETTING: &str = "retention.years";
const REASON: &str = "anonymisation (durée de conservation)";

/// One person the rules would anonymise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedPerson {
    /// The applicant's row.
    pub id: Uuid,
    /// Their name and CIN as the register holds them today.
    pub name: String,
    /// See `name`.
    pub cin: String,
    /// Their dossiers' numbers (all closed).
    pub dossiers: Vec<String>,
    /// Since when nothing is open: their last dossier's closing, or their last change.
    pub since: NaiveDate,
}

/// What applying the retention rules today would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionPlan {
    /// The setting used.
    pub years: u32,
    /// Today.
    pub today: NaiveDate,
    /// Closed on or before this day: anonymised.
    pub cutoff: NaiveDate,
    /// The people anonymised, oldest first.
    pub people: Vec<PlannedPerson>,
    /// Card holders anonymised (no live person still needs them).
    pub card_holders: Vec<Uuid>,
    /// Certificates anonymised (their QR code still verifies, by its hash).
    pub certificates: Vec<Uuid>,
    /// Their dossiers (here): the notes of their history are erased.
    pub dossiers: Vec<Uuid>,
    /// Decisions (taken here) on those dossiers whose reason is erased.
    pub decisions: Vec<Uuid>,
    /// Adjournments (decided here) of those dossiers whose note is erased.
    pub adjournments: Vec<Uuid>,
    /// Transfers (decided here) of those people whose reason is erased.
    pub transfers: Vec<Uuid>,
    /// Duplicate reviews (made here) about those people whose note is erased.
    pub reviews: Vec<Uuid>,
    /// Audit entries whose content (earlier states of these rows) is erased.
    pub audit_entries: i64,
}

impl RetentionPlan {
    /// Whether applying it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.card_holders.is_empty()
            && self.certificates.is_empty()
            && self.decisions.is_empty()
            && self.adjournments.is_empty()
            && self.transfers.is_empty()
            && self.reviews.is_empty()
    }
}

/// What [`Core::apply_retention`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionDone {
    /// People anonymised.
    pub people: usize,
    /// Card holders anonymised.
    pub card_holders: usize,
    /// Certificates anonymised.
    pub certificates: usize,
    /// Audit entries erased.
    pub audit_entries: usize,
}

impl RetentionPlan {
    /// The other rows concerned, in one French sentence (screens, command line, report).
    pub fn others_fr(&self) -> String {
        format!(
            "Et : {} titulaire(s) de carte, {} attestation(s), les notes de {} dossier(s), {} décision(s), {} transfert(s) et {} examen(s) de doublon, au moins {} entrée(s) d'audit (états antérieurs) ; la chaîne d'audit reste vérifiable.",
            self.card_holders.len(),
            self.certificates.len(),
            self.dossiers.len(),
            self.decisions.len(),
            self.transfers.len(),
            self.reviews.len(),
            self.audit_entries
        )
    }
}

impl RetentionDone {
    /// What was done, in one French sentence.
    pub fn summary_fr(&self) -> String {
        format!(
            "Anonymisé : {} personne(s), {} titulaire(s) de carte, {} attestation(s) ; {} entrée(s) d'audit effacée(s), la chaîne reste vérifiable.",
            self.people, self.card_holders, self.certificates, self.audit_entries
        )
    }
}

/// A delegation's record whose free text (a reason, a note) may name people.
trait WithNote: Record {
    fn erase_note(&mut self, on: NaiveDate);
}

impl WithNote for Decision {
    fn erase_note(&mut self, on: NaiveDate) {
        self.anonymise(on);
    }
}

impl WithNote for Adjournment {
    fn erase_note(&mut self, on: NaiveDate) {
        self.anonymise(on);
    }
}

impl WithNote for Transfer {
    fn erase_note(&mut self, on: NaiveDate) {
        self.anonymise(on);
    }
}

impl WithNote for DuplicateReview {
    fn erase_note(&mut self, on: NaiveDate) {
        self.anonymise(on);
    }
}

/// Erases the note of each record `ids` and what the audit log kept of its earlier states;
/// returns how many audit entries were erased.
fn erase_notes<T: WithNote>(w: &Writer<'_>, ids: &[Uuid], on: NaiveDate) -> Result<usize, AppError> {
    let mut erased = 0;
    for &id in ids {
        let mut row = records::get_live::<T>(w.conn(), id)?;
        row.value.erase_note(on);
        w.update(id, &row.value, Some(REASON))?;
        erased += w.erase_history(id)?;
    }
    Ok(erased)
}

/// When a dossier stopped needing its personal data: its closing or rejection (the day of that
/// step), or its deletion. `None` while it is open.
fn closed_on(row: &Row<Dossier>) -> Option<NaiveDate> {
    if let Some(deleted) = &row.meta.deleted_at {
        return day_of(deleted);
    }
    matches!(row.value.status, Status::Rejete | Status::Cloture)
        .then(|| row.value.history.iter().rev().find(|t| t.to == row.value.status).map(|t| t.on))
        .flatten()
}

fn day_of(timestamp: &str) -> Option<NaiveDate> {
    timestamp.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// The people the rules reach on `cutoff`: every dossier of theirs closed on or before it (or,
/// without a dossier, no change since), and no part in a project whose dossier is still needed.
/// Oldest first.
fn people_due(
    applicants: &[Row<Applicant>],
    dossiers: &[Row<Dossier>],
    projects: &[Row<Project>],
    cutoff: NaiveDate,
) -> Vec<PlannedPerson> {
    let closed: HashMap<Uuid, Option<NaiveDate>> = dossiers.iter().map(|d| (d.meta.id, closed_on(d))).collect();
    let expired = |id: &Uuid| closed.get(id).copied().flatten().is_some_and(|on| on <= cutoff);
    // Whoever takes part in a project with a dossier still needed is kept.
    let mut needed: HashSet<Uuid> = HashSet::new();
    let mut needed_projects: HashSet<Uuid> = HashSet::new();
    for d in dossiers.iter().filter(|d| !expired(&d.meta.id)) {
        needed.insert(d.value.applicant_id);
        needed_projects.insert(d.value.project_id);
    }
    for project in projects.iter().filter(|p| needed_projects.contains(&p.meta.id)) {
        needed.insert(project.value.promoter_id);
        needed.extend(project.value.members.iter().map(|m| m.applicant_id));
    }
    let mut by_person: HashMap<Uuid, Vec<&Row<Dossier>>> = HashMap::new();
    for d in dossiers {
        by_person.entry(d.value.applicant_id).or_default().push(d);
    }
    let mut people = Vec::new();
    for a in applicants.iter().filter(|a| a.meta.deleted_at.is_none() && a.value.anonymised_on.is_none()) {
        if needed.contains(&a.meta.id) {
            continue;
        }
        let theirs = by_person.get(&a.meta.id).map(Vec::as_slice).unwrap_or_default();
        let last_closed = theirs.iter().filter_map(|d| closed.get(&d.meta.id).copied().flatten()).max();
        let Some(since) = last_closed.or_else(|| day_of(&a.meta.updated_at)) else { continue };
        if since > cutoff {
            continue;
        }
        people.push(PlannedPerson {
            id: a.meta.id,
            name: a.value.display_name(),
            cin: a.value.cin.as_str().to_owned(),
            dossiers: theirs.iter().map(|d| d.value.number.to_string()).collect(),
            since,
        });
    }
    people.sort_by(|a, b| (a.since, &a.name).cmp(&(b.since, &b.name)));
    people
}

/// The rows of `T` this site owns.
fn own<T: Record>(conn: &rusqlite::Connection, site: &str) -> Result<Vec<Row<T>>, AppError> {
    Ok(records::find::<T>(conn, "owner = ?1", site)?)
}

impl Core {
    /// The number of years a closed dossier's personal data is kept.
    pub fn retention_years(&self) -> Result<u32, AppError> {
        let stored = site_store::setting(self.store.conn(), SETTING)?;
        Ok(stored.and_then(|v| v.parse().ok()).filter(|y| YEARS.contains(y)).unwrap_or(DEFAULT_YEARS))
    }

    /// Sets the number of years (administrators; audited).
    pub fn set_retention_years(&mut self, session: &Session, years: u32) -> Result<(), AppError> {
        session.require(Action::ManageSettings)?;
        if !YEARS.contains(&years) {
            return Err(AppError::Rule(format!(
                "La durée de conservation se compte en années, de {} à {} ({years} demandé).",
                YEARS.start(),
                YEARS.end()
            )));
        }
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        site_store::set_setting(&tx, SETTING, &years.to_string())?;
        super::audit_act(
            &tx,
            now,
            &session.login,
            "settings.retention",
            &serde_json::json!({ "years": years }).to_string(),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// What the retention rules would anonymise today (nothing is changed).
    pub fn retention_plan(&self, session: &Session) -> Result<RetentionPlan, AppError> {
        session.require(Action::ManageSettings)?;
        let conn = self.store.conn();
        let site = session.site.code.as_str();
        let years = self.retention_years()?;
        let today = self.clock.today();
        let cutoff = today.checked_sub_months(Months::new(12 * years)).unwrap_or(NaiveDate::MIN);
        let dossiers = own::<Dossier>(conn, site)?;
        let applicants = own::<Applicant>(conn, site)?;
        let people = people_due(&applicants, &dossiers, &own::<Project>(conn, site)?, cutoff);
        let leaving: HashSet<Uuid> = people.iter().map(|p| p.id).collect();
        // A card holder goes when every live person pointing at it goes or has gone (an office
        // registers the card holders of its own applicants).
        let still_needed: HashSet<Uuid> = applicants
            .iter()
            .filter(|a| a.meta.deleted_at.is_none() && a.value.anonymised_on.is_none() && !leaving.contains(&a.meta.id))
            .filter_map(|a| a.value.card_holder_id)
            .collect();
        let pointed: HashSet<Uuid> =
            applicants.iter().filter(|a| leaving.contains(&a.meta.id)).filter_map(|a| a.value.card_holder_id).collect();
        let card_holders: Vec<Uuid> = own::<CardHolder>(conn, site)?
            .into_iter()
            .filter(|h| h.value.anonymised_on.is_none() && pointed.contains(&h.meta.id))
            .filter(|h| !still_needed.contains(&h.meta.id))
            .map(|h| h.meta.id)
            .collect();
        let certificates: Vec<Uuid> = own::<Certificate>(conn, site)?
            .into_iter()
            .filter(|c| c.value.anonymised_on.is_none() && leaving.contains(&c.value.applicant_id))
            .map(|c| c.meta.id)
            .collect();
        let dossier_ids: Vec<Uuid> =
            dossiers.iter().filter(|d| leaving.contains(&d.value.applicant_id)).map(|d| d.meta.id).collect();
        let theirs: HashSet<Uuid> = dossier_ids.iter().copied().collect();
        // Decisions taken here on their dossiers — or, at a delegation, on the dossiers of people
        // an office has anonymised since.
        let anonymised_elsewhere = |dossier: Uuid| -> Result<bool, AppError> {
            let Some(d) = records::get::<Dossier>(conn, dossier)? else { return Ok(false) };
            Ok(records::get::<Applicant>(conn, d.value.applicant_id)?.is_some_and(|a| a.value.anonymised_on.is_some()))
        };
        let mut decisions = Vec::new();
        for d in own::<Decision>(conn, site)? {
            if d.meta.deleted_at.is_some() || d.value.reason.is_none() {
                continue;
            }
            if theirs.contains(&d.value.dossier_id) || anonymised_elsewhere(d.value.dossier_id)? {
                decisions.push(d.meta.id);
            }
        }
        let mut adjournments = Vec::new();
        for a in own::<Adjournment>(conn, site)? {
            if a.meta.deleted_at.is_some() || a.value.anonymised_on.is_some() {
                continue;
            }
            if theirs.contains(&a.value.dossier_id) || anonymised_elsewhere(a.value.dossier_id)? {
                adjournments.push(a.meta.id);
            }
        }
        // Transfers decided and reviews made here about people anonymised (here or by their office).
        let gone = |id: Uuid| -> Result<bool, AppError> {
            Ok(leaving.contains(&id)
                || records::get::<Applicant>(conn, id)?.is_some_and(|a| a.value.anonymised_on.is_some()))
        };
        let mut transfers = Vec::new();
        for t in own::<Transfer>(conn, site)? {
            if t.meta.deleted_at.is_none() && t.value.anonymised_on.is_none() && gone(t.value.applicant_id)? {
                transfers.push(t.meta.id);
            }
        }
        let mut reviews = Vec::new();
        for r in own::<DuplicateReview>(conn, site)? {
            if r.meta.deleted_at.is_none()
                && r.value.anonymised_on.is_none()
                && (gone(r.value.first)? || gone(r.value.second)?)
            {
                reviews.push(r.meta.id);
            }
        }
        let rows: Vec<String> = people
            .iter()
            .map(|p| p.id)
            .chain(card_holders.iter().copied())
            .chain(certificates.iter().copied())
            .chain(dossier_ids.iter().copied())
            .chain(decisions.iter().copied())
            .chain(transfers.iter().copied())
            .chain(reviews.iter().copied())
            .map(|id| id.to_string())
            .collect();
        let audit_entries = crate::store::audit::contents_about(conn, &rows)?;
        Ok(RetentionPlan {
            years,
            today,
            cutoff,
            people,
            card_holders,
            certificates,
            dossiers: dossier_ids,
            decisions,
            adjournments,
            transfers,
            reviews,
            audit_entries,
        })
    }

    /// The report of [`Core::retention_plan`] as a PDF to sign and keep (audited: it lists
    /// people).
    pub fn retention_report_pdf(&self, session: &Session) -> Result<Vec<u8>, AppError> {
        let plan = self.retention_plan(session)?;
        let report = crate::documents::retention::RetentionReport {
            years: plan.years,
            cutoff: plan.cutoff,
            people: plan
                .people
                .iter()
                .map(|p| crate::documents::retention::RetentionLine {
                    name: p.name.clone(),
                    cin: p.cin.clone(),
                    since: p.since,
                    dossiers: p.dossiers.join(", "),
                })
                .collect(),
            others: plan.others_fr(),
        };
        let pdf = crate::documents::retention::retention_report(
            &self.issuer(session)?,
            plan.today,
            &report,
            self.print_margins()?,
        );
        let content = serde_json::json!({ "people": plan.people.len(), "cutoff": plan.cutoff }).to_string();
        super::audit_act(self.store.conn(), self.clock.now_utc(), &session.login, "retention.report", &content)?;
        Ok(pdf)
    }

    /// Applies `plan`, which must be what [`Core::retention_plan`] says now (the register may
    /// not have changed since it was shown). One transaction; audited as one act.
    pub fn apply_retention(&mut self, session: &Session, plan: &RetentionPlan) -> Result<RetentionDone, AppError> {
        let now_plan = self.retention_plan(session)?;
        if now_plan != *plan {
            return Err(AppError::Rule(
                "Le registre a changé depuis le rapport de conservation : affichez-le de nouveau avant d'anonymiser."
                    .into(),
            ));
        }
        if plan.is_empty() {
            return Ok(RetentionDone { people: 0, card_holders: 0, certificates: 0, audit_entries: 0 });
        }
        let today = plan.today;
        let conn = self.store.conn();
        // Erased bytes are overwritten in the file, not merely unlinked.
        conn.pragma_update(None, "secure_delete", "ON")?;
        let done = self.write(session, |w, _| {
            let mut erased = 0;
            for person in &plan.people {
                let mut row = records::get_live::<Applicant>(w.conn(), person.id)?;
                row.value.anonymise(person.id, today);
                w.update(person.id, &row.value, Some(REASON))?;
                erased += w.erase_history(person.id)?;
                erased += crate::store::audit::erase_contents_quoting(w.conn(), &person.cin, REASON, w.now)?;
                crate::store::sync::forget_conflicts_about(w.conn(), &person.id.to_string())?;
            }
            for &id in &plan.card_holders {
                let mut row = records::get_live::<CardHolder>(w.conn(), id)?;
                row.value.anonymise(id, today);
                w.update(id, &row.value, Some(REASON))?;
                erased += w.erase_history(id)?;
            }
            for &id in &plan.certificates {
                let mut row = records::get_live::<Certificate>(w.conn(), id)?;
                row.value.anonymise(id, today);
                w.update(id, &row.value, Some(REASON))?;
                erased += w.erase_history(id)?;
            }
            for &id in &plan.dossiers {
                let noted = |r: &Row<Dossier>| {
                    r.meta.deleted_at.is_none() && r.value.history.iter().any(|t| t.reason.is_some())
                };
                if let Some(mut row) = records::get::<Dossier>(w.conn(), id)?.filter(noted) {
                    row.value.anonymise(today);
                    w.update(id, &row.value, Some(REASON))?;
                }
                erased += w.erase_history(id)?;
            }
            erased += erase_notes::<Decision>(w, &plan.decisions, today)?;
            erased += erase_notes::<Adjournment>(w, &plan.adjournments, today)?;
            erased += erase_notes::<Transfer>(w, &plan.transfers, today)?;
            erased += erase_notes::<DuplicateReview>(w, &plan.reviews, today)?;
            let content = serde_json::json!({
                "years": plan.years,
                "cutoff": plan.cutoff,
                "people": plan.people.len(),
                "card_holders": plan.card_holders.len(),
                "certificates": plan.certificates.len(),
                "audit_entries": erased,
            })
            .to_string();
            w.audit(&Entry {
                at: w.now,
                actor: &session.login,
                action: "retention.apply",
                table: None,
                row_id: None,
                row_hash: None,
                content: &content,
            })?;
            Ok(RetentionDone {
                people: plan.people.len(),
                card_holders: plan.card_holders.len(),
                certificates: plan.certificates.len(),
                audit_entries: erased,
            })
        });
        let conn = self.store.conn();
        let tidy = done.is_ok().then(|| {
            // The search index forgets the old names, and the journal its copies of the pages.
            conn.execute_batch(
                "INSERT INTO applicants_fts (applicants_fts) VALUES ('optimize');
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )
        });
        conn.pragma_update(None, "secure_delete", "FAST")?;
        if let Some(tidied) = tidy {
            tidied?;
        }
        done
    }
}
