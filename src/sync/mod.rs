//! Sync bundles: the signed, encrypted files that carry changes from an office to its delegation
//! and replies back (DESIGN §5, `docs/bundle-format.md`). This module knows the file format;
//! the core (`app::sync`) decides what goes in and applies what comes out.

pub mod envelope;
pub mod keyring;
pub mod payload;
