//! This installation's own tables: its identity, accounts, keys, settings and counters.
//! None of these travel in sync bundles.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::StoreError;
use crate::domain::codes::SiteCode;
use crate::domain::role::Role;
use crate::domain::site::{Level, Site};
use crate::identity::{PublicKeys, WrappedKeys};

/// Reads the installation's identity; `None` before set-up.
pub fn get(conn: &Connection) -> Result<Option<Site>, StoreError> {
    let row = conn
        .query_row("SELECT code, name, level, province_code, region_code, parent_code FROM site", [], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get(1)?,
                r.get::<_, String>(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })
        .optional()?;
    let Some((code, name, level, province_code, region_code, parent)) = row else { return Ok(None) };
    let bad = |message: String| StoreError::Corrupt { table: "site", message };
    Ok(Some(Site {
        code: SiteCode::parse(&code).map_err(bad)?,
        name,
        level: Level::parse(&level).map_err(bad)?,
        province_code,
        region_code,
        parent: parent.map(|p| SiteCode::parse(&p)).transpose().map_err(bad)?,
    }))
}

/// Records the installation's identity (once).
pub fn create(conn: &Connection, site: &Site, created_at: &str) -> Result<(), StoreError> {
    if let Some(existing) = get(conn)? {
        return Err(StoreError::AlreadyInitialised(existing.code.to_string()));
    }
    conn.execute(
        "INSERT INTO site (singleton, code, name, level, province_code, region_code, parent_code, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            site.code.as_str(),
            site.name,
            site.level.code(),
            site.province_code,
            site.region_code,
            site.parent.as_ref().map(SiteCode::as_str),
            created_at
        ],
    )?;
    Ok(())
}

/// An account as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRow {
    /// UUID.
    pub id: String,
    /// Login (unique, case-insensitive).
    pub login: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Argon2id hash.
    pub password_hash: String,
    /// Set when the account was disabled.
    pub disabled_at: Option<String>,
}

impl std::fmt::Debug for UserRow {
    /// Everything but the password hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("login", &self.login)
            .field("role", &self.role)
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

const USER_COLUMNS: &str = "id, login, full_name, role, password_hash, disabled_at";

fn read_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, String, String, String, Option<String>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_user(raw: (String, String, String, String, String, Option<String>)) -> Result<UserRow, StoreError> {
    let (id, login, full_name, role, password_hash, disabled_at) = raw;
    let role = Role::parse(&role).map_err(|message| StoreError::Corrupt { table: "users", message })?;
    Ok(UserRow { id, login, full_name, role, password_hash, disabled_at })
}

/// Finds an account by login (any case).
pub fn user_by_login(conn: &Connection, login: &str) -> Result<Option<UserRow>, StoreError> {
    conn.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE login = ?1"), [login.trim()], read_user)
        .optional()?
        .map(to_user)
        .transpose()
}

/// Every account, by login.
pub fn users(conn: &Connection) -> Result<Vec<UserRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY login"))?;
    let raw = stmt.query_map([], read_user)?.collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_user).collect()
}

/// Adds an account.
pub fn insert_user(conn: &Connection, user: &UserRow, now: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO users (id, login, full_name, role, password_hash, disabled_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?6)",
        params![user.id, user.login, user.full_name, user.role.code(), user.password_hash, now],
    )?;
    Ok(())
}

/// Replaces an account's password hash.
pub fn set_password_hash(conn: &Connection, user_id: &str, hash: &str, now: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1", params![user_id, hash, now])?;
    Ok(())
}

/// Disables an account and removes its copy of the keys.
pub fn disable_user(conn: &Connection, user_id: &str, now: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE users SET disabled_at = ?2, updated_at = ?2 WHERE id = ?1", params![user_id, now])?;
    conn.execute("DELETE FROM key_wraps WHERE user_id = ?1", [user_id])?;
    Ok(())
}

/// Records a new current key pair; returns its id.
pub fn insert_keys(conn: &Connection, keys: &PublicKeys, now: &str) -> Result<i64, StoreError> {
    conn.execute("UPDATE site_keys SET retired_at = ?1 WHERE retired_at IS NULL", [now])?;
    conn.execute(
        "INSERT INTO site_keys (ed25519, age_recipient, created_at) VALUES (?1, ?2, ?3)",
        params![keys.ed25519, keys.age_recipient, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Every key pair this site ever had, the current one last (old certificates verify with theirs).
pub fn all_keys(conn: &Connection) -> Result<Vec<PublicKeys>, StoreError> {
    let mut stmt = conn.prepare("SELECT ed25519, age_recipient FROM site_keys ORDER BY id")?;
    let out = stmt
        .query_map([], |r| Ok(PublicKeys { ed25519: r.get(0)?, age_recipient: r.get(1)? }))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// The current public keys and their id.
pub fn current_keys(conn: &Connection) -> Result<Option<(i64, PublicKeys)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, ed25519, age_recipient FROM site_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, PublicKeys { ed25519: r.get(1)?, age_recipient: r.get(2)? })),
        )
        .optional()?)
}

/// Stores the keys numbered `key_id` sealed to the keys before them (see migration 0011).
pub fn set_sealed_for_previous(conn: &Connection, key_id: i64, sealed: &[u8]) -> Result<(), StoreError> {
    conn.execute("UPDATE site_keys SET sealed_for_previous = ?2 WHERE id = ?1", params![key_id, sealed])?;
    Ok(())
}

/// The newest keys an account holds a wrap for: their id and the wrap.
pub fn newest_wrap(conn: &Connection, user_id: &str) -> Result<Option<(i64, WrappedKeys)>, StoreError> {
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT key_id, wrapped FROM key_wraps WHERE user_id = ?1 ORDER BY key_id DESC LIMIT 1",
            [user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    found
        .map(|(id, json)| {
            serde_json::from_str(&json)
                .map(|w| (id, w))
                .map_err(|e| StoreError::Corrupt { table: "key_wraps", message: e.to_string() })
        })
        .transpose()
}

/// Keys made by a rotation, as a later login reads them.
#[derive(Debug, Clone)]
pub struct HandedOverKeys {
    /// Their public part.
    pub keys: PublicKeys,
    /// The secret keys sealed to the keys before them (none for keys made otherwise).
    pub sealed: Option<Vec<u8>>,
}

/// The keys made after `key_id`, oldest first.
pub fn keys_after(conn: &Connection, key_id: i64) -> Result<Vec<HandedOverKeys>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT ed25519, age_recipient, sealed_for_previous FROM site_keys WHERE id > ?1 ORDER BY id")?;
    let rows = stmt
        .query_map([key_id], |r| {
            Ok(HandedOverKeys { keys: PublicKeys { ed25519: r.get(0)?, age_recipient: r.get(1)? }, sealed: r.get(2)? })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Stores (or replaces) an account's wrapped copy of a key pair.
pub fn put_wrap(conn: &Connection, user_id: &str, key_id: i64, wrapped: &WrappedKeys) -> Result<(), StoreError> {
    let json = serde_json::to_string(wrapped)
        .map_err(|e| StoreError::Corrupt { table: "key_wraps", message: e.to_string() })?;
    conn.execute(
        "INSERT INTO key_wraps (user_id, key_id, wrapped) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, key_id) DO UPDATE SET wrapped = excluded.wrapped",
        params![user_id, key_id, json],
    )?;
    Ok(())
}

/// An account's wrapped copy of a key pair.
pub fn get_wrap(conn: &Connection, user_id: &str, key_id: i64) -> Result<Option<WrappedKeys>, StoreError> {
    let json: Option<String> = conn
        .query_row("SELECT wrapped FROM key_wraps WHERE user_id = ?1 AND key_id = ?2", params![user_id, key_id], |r| {
            r.get(0)
        })
        .optional()?;
    json.map(|j| {
        serde_json::from_str(&j).map_err(|e| StoreError::Corrupt { table: "key_wraps", message: e.to_string() })
    })
    .transpose()
}

/// Takes the next number of a sequence (1, 2, …); never gives the same number twice.
pub fn next_counter(conn: &Connection, name: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "INSERT INTO counters (name, value) VALUES (?1, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        [name],
        |r| r.get(0),
    )?)
}

/// The wrapped copies of the current keys, per login (for a backup's header: whoever holds the
/// keys can open the backup with their password, even without the live database).
pub fn current_wraps(conn: &Connection) -> Result<Vec<(String, WrappedKeys)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT u.login, w.wrapped FROM key_wraps w JOIN users u ON u.id = w.user_id
         WHERE w.key_id = (SELECT max(id) FROM site_keys WHERE retired_at IS NULL) AND u.disabled_at IS NULL
         ORDER BY u.login",
    )?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(login, json)| {
            serde_json::from_str(&json)
                .map(|w| (login, w))
                .map_err(|e| StoreError::Corrupt { table: "key_wraps", message: e.to_string() })
        })
        .collect()
}

/// Records the site this installation reports to.
pub fn set_parent(conn: &Connection, code: &str) -> Result<(), StoreError> {
    conn.execute("UPDATE site SET parent_code = ?1", [code])?;
    Ok(())
}

/// Reads a setting.
pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

/// Removes a setting (nothing happens when it is not set).
pub fn clear_setting(conn: &Connection, key: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(())
}

/// Writes a setting.
pub fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
