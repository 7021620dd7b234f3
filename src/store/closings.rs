//! Closed years as the database keeps them (`year_closings`): written once, read back as stored.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::StoreError;

/// A closed year as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClosing {
    /// The year.
    pub year: i32,
    /// When it was closed (RFC 3339).
    pub closed_at: String,
    /// Who closed it.
    pub closed_by: String,
    /// The frozen figures, JSON.
    pub figures: String,
    /// SHA-256 of `figures`, hex.
    pub sha256: String,
    /// Hex Ed25519 signature.
    pub signature: String,
    /// Fingerprint of the keys that signed.
    pub signer: String,
}

/// Stores a closing; a year already closed is refused by the primary key.
pub fn insert(conn: &Connection, c: &StoredClosing) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO year_closings (year, closed_at, closed_by, figures, sha256, signature, signer)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![c.year, c.closed_at, c.closed_by, c.figures, c.sha256, c.signature, c.signer],
    )?;
    Ok(())
}

/// The closing of `year`, if it was closed.
pub fn get(conn: &Connection, year: i32) -> Result<Option<StoredClosing>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT year, closed_at, closed_by, figures, sha256, signature, signer FROM year_closings WHERE year = ?1",
            [year],
            |r| {
                Ok(StoredClosing {
                    year: r.get(0)?,
                    closed_at: r.get(1)?,
                    closed_by: r.get(2)?,
                    figures: r.get(3)?,
                    sha256: r.get(4)?,
                    signature: r.get(5)?,
                    signer: r.get(6)?,
                })
            },
        )
        .optional()?)
}
