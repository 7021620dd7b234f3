//! CSV import.
