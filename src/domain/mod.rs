//! The domain: the register's vocabulary, validation and workflow rules (DESIGN §2).
//!
//! Pure Rust: no I/O, no clock, no database, no GUI. Everything here is plain values that the
//! store persists, the application core acts on and the screens display. Validation turns raw
//! form strings (`*Draft`) into typed values or a list of French field errors.

pub mod amount_words;
pub mod applicant;
pub mod certificate;
pub mod codes;
pub mod commission;
pub mod dates;
pub mod dossier;
pub mod errors;
pub mod funding;
pub mod indicators;
pub mod money;
pub mod names;
pub mod print;
pub mod project;
pub mod review;
pub mod role;
pub mod site;
pub mod text;
pub mod transfer;
pub mod visit;

pub use errors::{FieldError, FieldErrors};
pub use money::Money;
