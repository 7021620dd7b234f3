//! Follow-up visits to a funded project, and the jobs they verified.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dates::parse_past_date_fr;
use super::errors::FieldErrors;
use super::project::Jobs;
use super::text::{self, Fields, FreeText};

/// A follow-up visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// The project visited.
    pub project_id: Uuid,
    /// When.
    pub visited_on: NaiveDate,
    /// Jobs seen on the spot (total and for the resistance family).
    pub jobs_verified: Jobs,
    /// Whether the activity was running.
    pub active: bool,
    /// The visitor's observations.
    pub observations: String,
}

impl Visit {
    /// Validates a visit typed in a form.
    pub fn validate(
        project_id: Uuid,
        visited_on: &str,
        jobs_total: &str,
        jobs_family: &str,
        active: bool,
        observations: &str,
        today: NaiveDate,
    ) -> Result<Visit, FieldErrors> {
        let mut errors = FieldErrors::new();
        let visited_on = errors.check("visited_on", parse_past_date_fr(visited_on, today));
        let jobs = Jobs::parse(jobs_total, jobs_family, &mut errors, ("jobs_total", "jobs_family"));
        match (visited_on, jobs) {
            (Some(visited_on), Some(jobs_verified)) if errors.is_empty() => Ok(Visit {
                project_id,
                visited_on,
                jobs_verified,
                active,
                observations: observations.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

impl FreeText for Visit {
    fn free_text(&self) -> Fields<'_> {
        vec![("Observations", &self.observations, text::LONG)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_jobs_follow_the_same_rule() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        assert!(Visit::validate(Uuid::nil(), "10/10/2026", "5", "3", true, "", today).is_ok());
        let errors = Visit::validate(Uuid::nil(), "10/10/2027", "2", "3", true, "", today).unwrap_err();
        assert!(errors.for_field("visited_on").is_some() && errors.for_field("jobs_family").is_some());
    }
}
