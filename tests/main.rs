//! Integration tests: one binary, one module per area (ripgrep's layout).

mod annual;
mod audit_chain;
mod backup;
mod bilan;
mod boundaries;
mod cli;
mod commission;
mod common;
mod crash;
#[cfg(feature = "crash-points")]
mod crash_points;
mod csv_import;
mod delegation;
mod documents;
mod duplicates;
mod free_text;
mod gui;
mod hostile;
mod keys;
mod layout;
mod properties;
mod retention;
mod reviews;
mod roles;
mod search;
mod stick;
mod sync;
mod today;
mod transfers;
mod trust;
mod workflow;
mod worklist;
mod writes;
mod xlsx_import;
