//! Field-level validation errors, in French, collected rather than stopping at the first.

use std::fmt;

/// One problem with one field of a form or of a CSV line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's machine name (`cin`, `birth_date`, …), as the form and the CSV know it.
    pub field: &'static str,
    /// What is wrong and what to do, in French.
    pub message: String,
}

/// Every problem found in one record. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, message: message.into() });
    }

    /// Runs a parser and keeps its value, or records its error under `field`.
    pub fn check<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    /// True when nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if it has one (what a form shows under that field).
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// Adds every problem of `other`.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }

    /// Keeps only the problems of the fields `still` finds wrong: a form's error goes as soon
    /// as its field is right, and no new one appears before the next save.
    pub fn keep_those_in(&mut self, still: &FieldErrors) {
        self.0.retain(|e| still.for_field(e.field).is_some());
    }

    /// `Ok(value)` when no error was recorded, else `Err(self)`.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value()) } else { Err(self) }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ; ")?;
            }
            write!(f, "{} : {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Trims a form string; `None` when nothing is left.
pub fn non_empty(raw: &str) -> Option<&str> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then_some(trimmed)
}
