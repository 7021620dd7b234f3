//! Official documents as PDF: bilingual (Arabic first, French second) A4 pages with the
//! letterhead of the Haut-Commissariat, shaped Arabic that stays extractable, QR codes that carry
//! a signed summary, and bytes that depend only on the content (DESIGN §6).

pub mod annual;
pub mod bilan;
pub mod bilan_files;
pub mod canvas;
pub mod certificate;
pub mod dossier;
pub mod fonts;
pub mod letterhead;
pub mod lists;
pub mod minutes;
pub mod qr;
pub mod retention;
pub mod statement;
pub mod table;
pub mod text;
