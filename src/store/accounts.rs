//! Service accounts, with paged and filtered listing.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError, like_pattern};
use crate::domain::role::BasicRole;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub login: String,
    pub description: String,
    pub role: BasicRole,
    pub disabled: bool,
    /// The plugin id of a managed account.
    pub managed_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a new row holds; ids and timestamps are filled in by the store.
pub struct NewAccountRow<'a> {
    pub org_id: i64,
    pub name: &'a str,
    pub login: &'a str,
    pub description: &'a str,
    pub role: BasicRole,
    pub managed_by: Option<&'a str>,
}

const COLUMNS: &str = "id, org_id, name, login, description, role, disabled, managed_by, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Account> {
    let role: String = row.get(5)?;
    Ok(Account {
        id: row.get(0)?,
        org_id: row.get(1)?,
        name: row.get(2)?,
        login: row.get(3)?,
        description: row.get(4)?,
        // The CHECK constraint keeps this column to the four names; Viewer is a safe fallback.
        role: role.parse().unwrap_or_default(),
        disabled: row.get(6)?,
        managed_by: row.get(7)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Account>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM service_accounts WHERE id = ?1"))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

pub fn find_by_key(conn: &Connection, org_id: i64, name_key: &str) -> Result<Option<Account>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM service_accounts WHERE org_id = ?1 AND name_key = ?2"))?;
    Ok(stmt.query_row(params![org_id, name_key], from_row).optional()?)
}

pub fn find_by_login(conn: &Connection, login: &str) -> Result<Option<Account>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM service_accounts WHERE login = ?1"))?;
    Ok(stmt.query_row([login], from_row).optional()?)
}

pub fn login_taken(conn: &Connection, login: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM service_accounts WHERE login = ?1")?;
    Ok(stmt.exists([login])?)
}

pub fn insert(conn: &Connection, row: &NewAccountRow<'_>, name_key: &str, now: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO service_accounts (org_id, name, name_key, login, description, role, managed_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![row.org_id, row.name, name_key, row.login, row.description, row.role.as_str(), row.managed_by, now])?;
    Ok(conn.last_insert_rowid())
}

pub fn update(conn: &Connection, account: &Account, name_key: &str, now: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE service_accounts SET name = ?2, name_key = ?3, description = ?4, role = ?5, disabled = ?6, updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        account.id,
        account.name,
        name_key,
        account.description,
        account.role.as_str(),
        account.disabled,
        now
    ])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM service_accounts WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Where an account sits in the name order of its org's (filtered) list; None when the filter
/// hides it. Lets the UI jump to a just-created account.
pub fn position(conn: &Connection, org_id: i64, filter: &str, id: i64) -> Result<Option<u64>> {
    let Some(account) = get(conn, id)?.filter(|a| a.org_id == org_id) else { return Ok(None) };
    let key = account.name.to_lowercase();
    let filter = filter.trim().to_lowercase();
    if !filter.is_empty() && !key.contains(&filter) && !account.login.contains(&filter) {
        return Ok(None);
    }
    let pattern = like_pattern(&filter);
    let before: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM service_accounts WHERE org_id = ?1
               AND (name_key LIKE ?2 ESCAPE '\\' OR login LIKE ?2 ESCAPE '\\')
               AND (name_key < ?3 OR (name_key = ?3 AND id < ?4))",
        )?
        .query_row(params![org_id, pattern, key, id], |r| r.get(0))?;
    Ok(Some(before as u64))
}

/// One page of an org's accounts, ordered by name, optionally filtered by a substring of the name
/// or login. Returns the page and the total number of matches.
pub fn page(conn: &Connection, org_id: i64, filter: &str, offset: u64, limit: u64) -> Result<(Vec<Account>, u64)> {
    let to_i64 = |n: u64| i64::try_from(n).map_err(|_| StoreError::Sqlite("page offset out of range".into()));
    let filter = filter.trim();
    if filter.is_empty() {
        let total: i64 = conn
            .prepare_cached("SELECT count(*) FROM service_accounts WHERE org_id = ?1")?
            .query_row([org_id], |r| r.get(0))?;
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM service_accounts WHERE org_id = ?1 ORDER BY name_key, id LIMIT ?2 OFFSET ?3"
        ))?;
        let rows = stmt.query_map(params![org_id, to_i64(limit)?, to_i64(offset)?], from_row)?;
        return Ok((rows.collect::<rusqlite::Result<_>>()?, total as u64));
    }
    let pattern = like_pattern(&filter.to_lowercase());
    let matches = "org_id = ?1 AND (name_key LIKE ?2 ESCAPE '\\' OR login LIKE ?2 ESCAPE '\\')";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM service_accounts WHERE {matches}"))?
        .query_row(params![org_id, pattern], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM service_accounts WHERE {matches} ORDER BY name_key, id LIMIT ?3 OFFSET ?4"
    ))?;
    let rows = stmt.query_map(params![org_id, pattern, to_i64(limit)?, to_i64(offset)?], from_row)?;
    Ok((rows.collect::<rusqlite::Result<_>>()?, total as u64))
}
