//! Organizations.

use rusqlite::{Connection, OptionalExtension, Row, params};
pub use satui_domain::model::{Org, OrgSummary};

use super::Result;

const COLUMNS: &str = "id, name, max_token_lifetime_days, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Org> {
    Ok(Org { id: row.get(0)?, name: row.get(1)?, max_token_lifetime_days: row.get(2)?, created_at: row.get(3)? })
}

pub fn list(conn: &Connection) -> Result<Vec<Org>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orgs ORDER BY name_key, id"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn list_with_counts(conn: &Connection) -> Result<Vec<OrgSummary>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, coalesce(c.accounts, 0), coalesce(c.tokens, 0)
         FROM orgs LEFT JOIN org_counts c ON c.org_id = orgs.id ORDER BY name_key, id"
    ))?;
    let rows = stmt
        .query_map([], |row| Ok(OrgSummary { org: from_row(row)?, accounts: row.get(4)?, tokens: row.get(5)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// How many tokens an org holds (kept by triggers, no scan).
pub fn token_count(conn: &Connection, id: i64) -> Result<u64> {
    let n: Option<i64> = conn
        .prepare_cached("SELECT tokens FROM org_counts WHERE org_id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Org>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orgs WHERE id = ?1"))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

pub fn find_by_key(conn: &Connection, name_key: &str) -> Result<Option<Org>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orgs WHERE name_key = ?1"))?;
    Ok(stmt.query_row([name_key], from_row).optional()?)
}

/// Inserts an org under an id no org has had before: SQLite would hand a deleted org's id to the
/// next one, and the audit log (which outlives deleted orgs) would then mix their histories.
pub fn insert(conn: &Connection, name: &str, name_key: &str, now: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO orgs (id, name, name_key, created_at)
         VALUES (max(coalesce((SELECT max(id) FROM orgs), 0), coalesce((SELECT max(org_id) FROM audit_events), 0)) + 1,
                 ?1, ?2, ?3)",
    )?
    .execute(params![name, name_key, now])?;
    Ok(conn.last_insert_rowid())
}

/// False when the row is gone.
/// Inserts an org under a chosen id (an import restores the id its accounts' logins name).
pub fn insert_with_id(conn: &Connection, id: i64, name: &str, name_key: &str, now: i64) -> Result<i64> {
    conn.prepare_cached("INSERT INTO orgs (id, name, name_key, created_at) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, name, name_key, now])?;
    Ok(id)
}

pub fn rename(conn: &Connection, id: i64, name: &str, name_key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE orgs SET name = ?2, name_key = ?3 WHERE id = ?1")?
        .execute(params![id, name, name_key])?
        > 0)
}

/// False when the row is gone.
pub fn set_cap(conn: &Connection, id: i64, cap_days: Option<u32>) -> Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE orgs SET max_token_lifetime_days = ?2 WHERE id = ?1")?
        .execute(params![id, cap_days])?
        > 0)
}

/// Deletes the row; false when there was none (another writer deleted it first).
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM orgs WHERE id = ?1")?.execute([id])? > 0)
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM orgs")?.query_row([], |r| r.get(0))?)
}

/// Dates a fresh store's first org (which the first migration stamps with the system clock).
pub fn set_created_at(conn: &Connection, id: i64, at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE orgs SET created_at = ?2 WHERE id = ?1")?.execute(params![id, at])?;
    Ok(())
}

/// Whether the store is as a first run leaves it: one org and no accounts, roles or groups.
pub fn is_fresh(conn: &Connection) -> Result<bool> {
    let occupied: i64 = conn
        .prepare_cached(
            "SELECT (SELECT count(*) FROM service_accounts) + (SELECT count(*) FROM roles)
                  + (SELECT count(*) FROM groups) + (SELECT count(*) FROM orgs) - 1",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(occupied == 0)
}

/// Deletes every org (and, by cascade, everything in them); for an import into a fresh store.
pub fn delete_all(conn: &Connection) -> Result<()> {
    conn.prepare_cached("DELETE FROM orgs")?.execute([])?;
    Ok(())
}
