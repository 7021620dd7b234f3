//! Daftar (دفتر, « le registre ») — the register of the local offices of the
//! Haut-Commissariat aux Anciens Résistants et Anciens Membres de l'Armée de Libération.
//!
//! The library holds everything; the `daftar` binary is a thin launcher. Layers, from the
//! bottom up (DESIGN §3):
//!
//! * [`domain`] — types, validation and workflow rules, pure Rust without I/O;
//! * [`reference`] — the reference lists shipped in `assets/` (regions, provinces,
//!   checklists, funding sources);
//! * [`identity`] — the installation's keys and their password wrapping;
//! * [`store`] — the SQLite file: migrations, records, outbox, audit chain, search;
//! * [`app`] — the application core: sessions, permissions, actions, demo data, CSV import;
//! * [`ui`] — the egui desktop application (no SQL: it sends requests to the core);
//! * [`cli`] — the command-line face of the same core.

pub mod app;
pub mod cli;
pub mod clock;
pub mod crash_points;
pub mod diagnostics;
pub mod documents;
pub mod domain;
pub mod identity;
pub mod parallel;
pub mod platform;
pub mod reference;
pub mod store;
pub mod sync;
pub mod ui;

/// The version of this build, with the git commit when it was known at build time.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("DAFTAR_GIT_COMMIT"), ")");

/// mimalloc: an import or a bilan allocates and frees millions of small strings; glibc's
/// allocator spent a tenth of an import's time on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
