//! The reference lists in the database: loaded at set-up, reloaded when the shipped version
//! changes, read by validation and screens.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension as _, params};

use super::StoreError;
use super::audit::timestamp;
use super::records::{ROW_COLUMNS, Row, read_row};
use crate::domain::dossier::{Checklist, ChecklistItem};
use crate::domain::project::ProjectKind;
use crate::reference::Reference;

/// Loads `reference` into the database unless the same version is already there.
/// Returns true when it (re)loaded.
pub fn load(conn: &Connection, reference: &Reference, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let loaded: Option<String> =
        conn.query_row("SELECT version FROM ref_versions WHERE list = 'shipped'", [], |r| r.get(0)).optional()?;
    if loaded.as_deref() == Some(reference.version.as_str()) {
        return Ok(false);
    }
    conn.execute_batch("DELETE FROM ref_provinces; DELETE FROM ref_regions; DELETE FROM ref_checklist; DELETE FROM ref_funding_sources;")?;
    for r in &reference.regions {
        conn.execute(
            "INSERT INTO ref_regions (code, name_fr, name_ar) VALUES (?1, ?2, ?3)",
            params![r.code, r.name_fr, r.name_ar],
        )?;
    }
    for p in &reference.provinces {
        conn.execute(
            "INSERT INTO ref_provinces (code, region_code, name_fr, name_ar, prefecture) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![p.code, p.region_code, p.name_fr, p.name_ar, p.prefecture],
        )?;
    }
    for (position, item) in reference.checklist.iter().enumerate() {
        conn.execute(
            "INSERT INTO ref_checklist (kind, code, label_fr, label_ar, required, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![item.kind.code(), item.code, item.label_fr, item.label_ar, item.required, position as i64],
        )?;
    }
    for s in &reference.funding_sources {
        conn.execute(
            "INSERT INTO ref_funding_sources (code, label_fr, label_ar, detail_fr) VALUES (?1, ?2, ?3, ?4)",
            params![s.code, s.label_fr, s.label_ar, s.detail_fr],
        )?;
    }
    conn.execute(
        "INSERT INTO ref_versions (list, version, loaded_at) VALUES ('shipped', ?1, ?2)
         ON CONFLICT (list) DO UPDATE SET version = excluded.version, loaded_at = excluded.loaded_at",
        params![reference.version, timestamp(now)],
    )?;
    Ok(true)
}

/// True when `code` is a known prefecture or province.
pub fn province_exists(conn: &Connection, code: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM ref_provinces WHERE code = ?1)", [code.trim()], |r| r.get(0))?)
}

/// The region of a province.
pub fn region_of(conn: &Connection, province_code: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT region_code FROM ref_provinces WHERE code = ?1", [province_code.trim()], |r| r.get(0))
        .optional()?)
}

/// True when `code` is a known region.
pub fn region_exists(conn: &Connection, code: &str) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM ref_regions WHERE code = ?1)", [code.trim()], |r| r.get(0))?)
}

/// The checklist of a project kind, in its order: the one published (by this site or received
/// from above; the latest written when several sites published one), else the one shipped.
pub fn checklist(conn: &Connection, kind: ProjectKind) -> Result<Vec<ChecklistItem>, StoreError> {
    match published_checklist(conn, kind)? {
        Some(row) => Ok(row.value.items),
        None => shipped_checklist(conn, kind),
    }
}

/// The live published checklist of a kind (the latest written), if any: this site's own, or one
/// from a delegation — never one an office defined for itself and sent up.
pub fn published_checklist(conn: &Connection, kind: ProjectKind) -> Result<Option<Row<Checklist>>, StoreError> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM checklists WHERE kind = ?1 AND deleted_at IS NULL
           AND owner NOT IN (SELECT code FROM peers WHERE level = 'bureau')
         ORDER BY updated_at DESC, rid DESC LIMIT 1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([kind.code()])?;
    rows.next()?.map(read_row).transpose()
}

/// The checklist of a kind as shipped with Daftar.
pub fn shipped_checklist(conn: &Connection, kind: ProjectKind) -> Result<Vec<ChecklistItem>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, label_fr, label_ar, required FROM ref_checklist WHERE kind = ?1 ORDER BY position",
    )?;
    let items = stmt
        .query_map([kind.code()], |r| {
            Ok(ChecklistItem { code: r.get(0)?, kind, label_fr: r.get(1)?, label_ar: r.get(2)?, required: r.get(3)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(items)
}
