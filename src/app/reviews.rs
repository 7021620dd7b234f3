//! Duplicates between offices: the delegation lists the applicants of different offices who may
//! be one person, and records its verdict — the same person (counted once in its figures) or two
//! people (not proposed again). The verdict is its record: audited, sent to both offices and up.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::duplicates::DuplicateReason;
use super::sync::subtree_of;
use super::{AppError, Core, Session};
use crate::domain::applicant::Applicant;
use crate::domain::names::{NameForms, PersonNames};
use crate::domain::review::{DuplicateReview, Verdict};
use crate::domain::role::Action;
use crate::store::records::{self, Row};
use crate::store::search::{for_each_applicant_by_birth_date, same_cin_across_offices};

/// Two applicants of different offices who may be one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossOfficePair {
    /// One of them (the smaller id).
    pub first: Row<Applicant>,
    /// The other.
    pub second: Row<Applicant>,
    /// Why they were paired.
    pub reason: DuplicateReason,
}

fn forms(a: &Applicant) -> NameForms {
    NameForms::of(&PersonNames {
        first: &a.first_name,
        last: &a.last_name,
        first_ar: &a.first_name_ar,
        last_ar: &a.last_name_ar,
    })
}

impl Core {
    /// The pairs of applicants held by different offices below this site that may be one
    /// person — the same CIN, or the same birth date and a close name — and that no live review
    /// has settled. One pass over the register in birth-date order.
    pub fn duplicates_across_offices(&self, session: &Session) -> Result<Vec<CrossOfficePair>, AppError> {
        session.require(Action::ArbitrateOffices)?;
        let conn = self.store.conn();
        let reviewed: HashSet<(Uuid, Uuid)> =
            records::all::<DuplicateReview>(conn)?.into_iter().map(|r| (r.value.first, r.value.second)).collect();
        let mut pairs = Vec::new();
        let mut seen = HashSet::new();
        for (a, b) in same_cin_across_offices(conn)? {
            if !reviewed.contains(&(a, b)) {
                let first = records::get_live::<Applicant>(conn, a)?;
                let second = records::get_live::<Applicant>(conn, b)?;
                seen.insert((a, b));
                pairs.push(CrossOfficePair { first, second, reason: DuplicateReason::SameCin });
            }
        }
        // The people born on one day, and who among them has each name key: only people who
        // share a key can have close names (see `NameForms::keys`).
        let mut day: Vec<(Row<Applicant>, NameForms)> = Vec::new();
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for_each_applicant_by_birth_date(conn, |row| {
            if day.first().is_some_and(|(d, _)| d.value.birth_date != row.value.birth_date) {
                day.clear();
                by_key.clear();
            }
            let names = forms(&row.value);
            let mut met = HashSet::new();
            for key in names.keys() {
                let people = by_key.entry(key).or_default();
                for &i in people.iter() {
                    if !met.insert(i) {
                        continue;
                    }
                    let (other, other_names) = &day[i];
                    let (first, second) = if other.meta.id < row.meta.id { (other, &row) } else { (&row, other) };
                    let key = (first.meta.id, second.meta.id);
                    if first.meta.owner != second.meta.owner
                        && !reviewed.contains(&key)
                        && !seen.contains(&key)
                        && names.close(other_names)
                    {
                        pairs.push(CrossOfficePair {
                            first: first.clone(),
                            second: second.clone(),
                            reason: DuplicateReason::CloseNameSameBirthDate,
                        });
                    }
                }
                people.push(day.len());
            }
            day.push((row, names));
            Ok(())
        })?;
        self.remember_duplicates(pairs.len())?;
        Ok(pairs)
    }

    /// Records the delegation's verdict on the applicants `a` and `b` (held by two offices it
    /// supervises), with a note saying what was checked. A new verdict on a pair replaces the
    /// earlier one.
    pub fn review_duplicate(
        &mut self,
        session: &Session,
        a: Uuid,
        b: Uuid,
        verdict: Verdict,
        note: &str,
    ) -> Result<DuplicateReview, AppError> {
        session.require(Action::ArbitrateOffices)?;
        if note.trim().is_empty() {
            return Err(AppError::Rule(
                "Indiquez ce qui a été vérifié (pièces, appel aux bureaux…) : la note est obligatoire.".into(),
            ));
        }
        let conn = self.store.conn();
        let (first, second) = (records::get_live::<Applicant>(conn, a)?, records::get_live::<Applicant>(conn, b)?);
        let below = subtree_of(conn, session.site.code.as_str())?;
        let here = session.site.code.as_str();
        for row in [&first, &second] {
            if row.meta.owner == here || !below.contains(&row.meta.owner) {
                return Err(AppError::Rule(format!(
                    "{} est tenu par {}, qui n'est pas un bureau supervisé par {here}.",
                    row.value.display_name(),
                    row.meta.owner
                )));
            }
        }
        if first.meta.owner == second.meta.owner {
            return Err(AppError::Rule(format!(
                "Les deux bénéficiaires sont tenus par {} : c'est à ce bureau de corriger son registre.",
                first.meta.owner
            )));
        }
        let review =
            DuplicateReview::new((a, &first.meta.owner), (b, &second.meta.owner), verdict, note, self.clock.today());
        let earlier = records::find::<DuplicateReview>(conn, "first_id = ?1", &review.first.to_string())?
            .into_iter()
            .find(|r| r.value.second == review.second && r.meta.owner == here);
        self.write(session, |w, ids| {
            match &earlier {
                Some(row) => w.update(row.meta.id, &review, Some("nouvel examen"))?,
                None => w.insert(ids.new_id(), &review)?,
            };
            Ok(())
        })?;
        Ok(review)
    }

    /// The delegation's reviews about the applicant `id`, oldest first.
    pub fn reviews_of(&self, session: &Session, id: Uuid) -> Result<Vec<Row<DuplicateReview>>, AppError> {
        session.require(Action::ViewRegister)?;
        let id = id.to_string();
        let mut found = records::find::<DuplicateReview>(self.store.conn(), "first_id = ?1", &id)?;
        found.extend(records::find::<DuplicateReview>(self.store.conn(), "second_id = ?1", &id)?);
        found.sort_by(|a, b| a.meta.created_at.cmp(&b.meta.created_at));
        Ok(found)
    }
}
