//! The commission's sessions: the meeting that decides the transmitted dossiers together — its
//! date, minutes (*procès-verbal*) reference, place and members — and the third outcome a
//! session gives beside approval and rejection, the adjournment (the dossier stays *transmis*).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Money;
use super::errors::FieldErrors;
use super::funding::{FundingSource, Grant};
use super::project::ProjectKind;
use super::text::{self, Fields, FreeText};

/// A meeting of the commission, owned by the site that decides (a delegation, or an office that
/// stands alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionSession {
    /// The reference of its minutes, unique at the site (`PV-2026-07`).
    pub reference: String,
    /// The day it met: its decisions are dated so.
    pub held_on: NaiveDate,
    /// Where it met.
    pub place: String,
    /// The members present, each « Nom, qualité », in the order they sign.
    pub members: Vec<String>,
    /// Envelopes it knowingly took over their amount, with why.
    #[serde(default)]
    pub overruns: Vec<Overrun>,
    /// When its minutes were closed: nothing is recorded in it after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
}

/// An envelope a session took over its amount, and the reason the commission gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overrun {
    /// The programme's code.
    pub programme: String,
    /// The envelope's year.
    pub year: i32,
    /// Committed against it once the session's grants are counted (centimes-exact).
    pub committed: Money,
    /// The envelope's amount.
    pub envelope: Money,
    /// Why the commission went over.
    pub reason: String,
}

/// A dossier the commission put off to a later session: it stays *transmis*; the reason (a code
/// of the shipped list, with an optional note: `code: note`) reaches the office in the reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjournment {
    /// The dossier put off.
    pub dossier_id: Uuid,
    /// The session that put it off.
    pub session_id: Uuid,
    /// The session's day.
    pub on: NaiveDate,
    /// Why, as `code` or `code: note`.
    pub reason: String,
    /// When the retention rules erased its note (the person anonymised): the code stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
}

impl Adjournment {
    /// Erases its note (it may name people), once the person is anonymised; the code stays.
    pub fn anonymise(&mut self, on: NaiveDate) {
        if let Some((code, _)) = self.reason.split_once(':') {
            self.reason = code.trim().to_owned();
        }
        self.anonymised_on = Some(on);
    }
}

/// A reason the commission gives, added by a delegation (or an office that stands alone) to the
/// list shipped with Daftar; it reaches the offices under it like the checklists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionReason {
    /// Stable code, lower case (`dossier-hors-delai`); never one of the shipped list.
    pub code: String,
    /// French wording.
    pub label_fr: String,
    /// Arabic wording.
    pub label_ar: String,
    /// `rejet` or `ajournement`.
    pub used_for: String,
}

impl CommissionReason {
    /// Validates a reason typed in a form; `taken` holds the codes already in the list (the
    /// shipped ones and, when not updating, the site's own).
    pub fn validate(
        code: &str,
        label_fr: &str,
        label_ar: &str,
        used_for: &str,
        taken: &[&str],
    ) -> Result<CommissionReason, FieldErrors> {
        let mut errors = FieldErrors::new();
        let code = code.trim().to_lowercase();
        let well_formed = (2..=40).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !code.starts_with('-');
        if !well_formed {
            errors.add("code", "Le code s'écrit en minuscules, chiffres et tirets (2 à 40), par exemple hors-delai.");
        } else if taken.contains(&code.as_str()) {
            errors.add("code", format!("Le code « {code} » est déjà dans la liste : choisissez-en un autre."));
        }
        let (label_fr, label_ar) = (label_fr.trim(), label_ar.trim());
        if label_fr.is_empty() {
            errors.add("label_fr", "Indiquez le motif en français.");
        }
        if !label_ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
            errors.add("label_ar", "Indiquez le motif en arabe.");
        }
        text::check_field(&mut errors, "label_fr", "Motif (français)", label_fr, text::LINE);
        text::check_field(&mut errors, "label_ar", "Motif (arabe)", label_ar, text::LINE);
        let used_for = used_for.trim().to_lowercase();
        if !matches!(used_for.as_str(), "rejet" | "ajournement") {
            errors.add("used_for", "Choisissez l'usage : rejet ou ajournement.");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CommissionReason { code, label_fr: label_fr.to_owned(), label_ar: label_ar.to_owned(), used_for })
    }
}

impl FreeText for CommissionReason {
    fn free_text(&self) -> Fields<'_> {
        vec![
            ("Code du motif", &self.code, text::REFERENCE),
            ("Motif (français)", &self.label_fr, text::LINE),
            ("Motif (arabe)", &self.label_ar, text::LINE),
            ("Usage du motif", &self.used_for, text::REFERENCE),
        ]
    }
}

/// What a session decides for one dossier of its agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Approved, with the amounts granted per source.
    Approve(Vec<Grant>),
    /// Rejected, with a reason (`code` or `code: note`).
    Reject(String),
    /// Put off to a later session, with a reason (`code` or `code: note`).
    Adjourn(String),
}

impl Outcome {
    /// The reason list's `use` this outcome reads (`rejet`, `ajournement`), if it has a reason.
    pub fn reason_use(&self) -> Option<&'static str> {
        match self {
            Outcome::Approve(_) => None,
            Outcome::Reject(_) => Some("rejet"),
            Outcome::Adjourn(_) => Some("ajournement"),
        }
    }
}

/// The French label of an outcome's code, for lists and the minutes.
pub fn outcome_label_fr(code: &str) -> &'static str {
    match code {
        "approuve" => "Approuvé",
        "rejete" => "Rejeté",
        _ => "Ajourné",
    }
}

/// The Arabic label of an outcome's code.
pub fn outcome_label_ar(code: &str) -> &'static str {
    match code {
        "approuve" => "مقبول",
        "rejete" => "مرفوض",
        _ => "مؤجل",
    }
}

impl CommissionSession {
    /// Validates a session typed in a form: `members` one per line (blank lines ignored).
    pub fn validate(
        reference: &str,
        held_on: &str,
        place: &str,
        members: &str,
        today: NaiveDate,
    ) -> Result<CommissionSession, FieldErrors> {
        let mut errors = FieldErrors::new();
        let reference = reference.trim();
        if reference.is_empty() {
            errors.add("reference", "Indiquez la référence du procès-verbal (par exemple PV-2026-07).");
        }
        text::check_field(&mut errors, "reference", "Référence du PV", reference, text::REFERENCE);
        let held_on = errors.check("held_on", super::dates::parse_past_date_fr(held_on, today));
        let place = place.trim();
        if place.is_empty() {
            errors.add("place", "Indiquez le lieu de la réunion.");
        }
        text::check_field(&mut errors, "place", "Lieu", place, text::LINE);
        let members: Vec<String> = members
            .lines()
            .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|m| !m.is_empty())
            .collect();
        if members.is_empty() {
            errors.add("members", "Indiquez les membres présents, un par ligne (« Nom, qualité »).");
        }
        for member in &members {
            text::check_field(&mut errors, "members", "Membre", member, text::LINE);
        }
        match held_on {
            Some(held_on) if errors.is_empty() => Ok(CommissionSession {
                reference: reference.to_owned(),
                held_on,
                place: place.to_owned(),
                members,
                overruns: Vec::new(),
                closed_on: None,
            }),
            _ => Err(errors),
        }
    }
}

impl FreeText for CommissionSession {
    fn free_text(&self) -> Fields<'_> {
        let mut fields: Fields<'_> =
            vec![("Référence du PV", &self.reference, text::REFERENCE), ("Lieu", &self.place, text::LINE)];
        fields.extend(self.members.iter().map(|m| ("Membre", m.as_str(), text::LINE)));
        fields.extend(self.overruns.iter().map(|o| ("Motif du dépassement", o.reason.as_str(), text::NOTE)));
        fields.extend(self.overruns.iter().map(|o| ("Programme", o.programme.as_str(), text::REFERENCE)));
        fields
    }
}

impl FreeText for Adjournment {
    fn free_text(&self) -> Fields<'_> {
        vec![("Motif de l'ajournement", &self.reason, text::NOTE)]
    }
}

/// One dossier decided or put off in a session, as its minutes print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesLine {
    /// The dossier's number.
    pub number: String,
    /// The office that owns it.
    pub office: String,
    /// The applicant in Latin letters (may be blank).
    pub name: String,
    /// The applicant in Arabic (may be blank).
    pub name_ar: String,
    /// The applicant's CIN.
    pub cin: String,
    /// The project's name.
    pub project: String,
    /// The project's kind.
    pub kind: ProjectKind,
    /// `approuve`, `rejete` or `ajourne`.
    pub outcome: &'static str,
    /// The amounts granted: the source in French and in Arabic, the amount.
    pub grants: Vec<(FundingSource, Money)>,
    /// The reason, as stored (`code` or `code: note`).
    pub reason: Option<String>,
}

/// What a session's minutes print.
#[derive(Debug, Clone)]
pub struct Minutes {
    /// The session.
    pub session: CommissionSession,
    /// Its decisions and adjournments, in number order.
    pub lines: Vec<MinutesLine>,
}

impl Minutes {
    /// The approved dossiers and their dirhams per source family (a co-funded dossier counts
    /// under each of its sources), each family once (see [`source_family`]), in the sources' order.
    pub fn by_source(&self) -> Vec<(FundingSource, usize, Money)> {
        let mut totals: BTreeMap<FundingSource, (usize, Money)> = BTreeMap::new();
        for line in &self.lines {
            let mut counted = HashSet::new();
            for (source, amount) in &line.grants {
                let family = source_family(source);
                let total = totals.entry(family.clone()).or_insert((0, Money::ZERO));
                if counted.insert(family) {
                    total.0 += 1;
                }
                total.1 = total.1.checked_add(*amount).unwrap_or(total.1);
            }
        }
        totals.into_iter().map(|(source, (n, sum))| (source, n, sum)).collect()
    }

    /// Per project kind: dossiers approved, rejected, adjourned, and the dirhams granted.
    pub fn by_kind(&self) -> Vec<(ProjectKind, [usize; 3], Money)> {
        ProjectKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let lines: Vec<&MinutesLine> = self.lines.iter().filter(|l| l.kind == kind).collect();
                if lines.is_empty() {
                    return None;
                }
                let count = |outcome: &str| lines.iter().filter(|l| l.outcome == outcome).count();
                let granted = lines
                    .iter()
                    .flat_map(|l| &l.grants)
                    .fold(Money::ZERO, |sum, (_, amount)| sum.checked_add(*amount).unwrap_or(sum));
                Some((kind, [count("approuve"), count("rejete"), count("ajourne")], granted))
            })
            .collect()
    }
}

/// The family a grant is totalled under in minutes: INDH as one (its committees' references
/// aside), each convention and each other sector by name.
pub fn source_family(source: &FundingSource) -> FundingSource {
    match source {
        FundingSource::Indh { .. } => FundingSource::Indh { committee_ref: String::new() },
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn a_session_needs_its_reference_day_place_and_members() {
        let session = CommissionSession::validate(
            " PV-2026-07 ",
            "03/12/2026",
            "Tiznit",
            "A. Alaoui, délégué, président\n\n  B.   Bennani, chef de bureau ",
            day(6),
        )
        .unwrap();
        assert_eq!(session.reference, "PV-2026-07");
        assert_eq!(session.members, ["A. Alaoui, délégué, président", "B. Bennani, chef de bureau"]);
        let errors = CommissionSession::validate("", "07/12/2026", "", "\n", day(6)).unwrap_err();
        for field in ["reference", "held_on", "place", "members"] {
            assert!(errors.0.iter().any(|e| e.field == field), "{field}: {errors:?}");
        }
    }
}
