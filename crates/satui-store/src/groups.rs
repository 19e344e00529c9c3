//! Groups of accounts within an org.

use rusqlite::{Connection, OptionalExtension, Row, params};
pub use satui_domain::model::{Group, GroupDetail};

use super::Result;

const COLUMNS: &str = "id, org_id, name, description, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Group> {
    Ok(Group {
        id: row.get(0)?,
        org_id: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub fn list(conn: &Connection, org_id: i64) -> Result<Vec<Group>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM groups WHERE org_id = ?1 ORDER BY name_key"))?;
    let rows = stmt.query_map([org_id], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Group>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM groups WHERE id = ?1"))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

pub fn find_by_key(conn: &Connection, org_id: i64, name_key: &str) -> Result<Option<Group>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM groups WHERE org_id = ?1 AND name_key = ?2"))?;
    Ok(stmt.query_row(params![org_id, name_key], from_row).optional()?)
}

pub fn insert(conn: &Connection, org_id: i64, name: &str, name_key: &str, description: &str, now: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO groups (org_id, name, name_key, description, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![org_id, name, name_key, description, now])?;
    Ok(conn.last_insert_rowid())
}

/// False when the row is gone.
pub fn rename(conn: &Connection, id: i64, name: &str, name_key: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE groups SET name = ?2, name_key = ?3 WHERE id = ?1")?
        .execute(params![id, name, name_key])?
        > 0)
}

/// Deletes the row; false when there was none (another writer deleted it first).
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM groups WHERE id = ?1")?.execute([id])? > 0)
}

pub fn add_member(conn: &Connection, group_id: i64, sa_id: i64) -> Result<bool> {
    let n = conn
        .prepare_cached("INSERT OR IGNORE INTO group_members (group_id, sa_id) VALUES (?1, ?2)")?
        .execute(params![group_id, sa_id])?;
    Ok(n > 0)
}

pub fn remove_member(conn: &Connection, group_id: i64, sa_id: i64) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM group_members WHERE group_id = ?1 AND sa_id = ?2")?
        .execute(params![group_id, sa_id])?;
    Ok(n > 0)
}

/// Names of a group's members, by name.
pub fn members(conn: &Connection, group_id: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.name FROM group_members m JOIN service_accounts a ON a.id = m.sa_id WHERE m.group_id = ?1 ORDER BY a.name_key",
    )?;
    let rows = stmt.query_map([group_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The groups an account belongs to, by name.
pub fn of_account(conn: &Connection, sa_id: i64) -> Result<Vec<Group>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM groups g JOIN group_members m ON m.group_id = g.id WHERE m.sa_id = ?1 ORDER BY g.name_key",
        COLUMNS.split(", ").map(|c| format!("g.{c}")).collect::<Vec<_>>().join(", ")
    ))?;
    let rows = stmt.query_map([sa_id], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every group of an org with its members and roles, in one query (members by name; roles as
/// [`super::roles::assigned`] orders them: custom roles first, then fixed roles by name).
pub fn details(conn: &Connection, org_id: i64) -> Result<Vec<GroupDetail>> {
    let mut stmt = conn.prepare_cached(
        "SELECT g.id, g.org_id, g.name, g.description, g.created_at,
            (SELECT json_group_array(name) FROM (
                SELECT a.name FROM group_members m JOIN service_accounts a ON a.id = m.sa_id
                WHERE m.group_id = g.id ORDER BY a.name_key)),
            (SELECT json_group_array(name) FROM (
                SELECT coalesce(ra.fixed_role, r.name) AS name FROM role_assignments ra
                LEFT JOIN roles r ON r.id = ra.role_id
                WHERE ra.holder_group = g.id ORDER BY ra.fixed_role, ra.role_id))
         FROM groups g WHERE g.org_id = ?1 ORDER BY g.name_key",
    )?;
    let rows = stmt
        .query_map([org_id], |row| {
            let names = |i: usize| -> rusqlite::Result<Vec<String>> {
                let json: String = row.get(i)?;
                serde_json::from_str(&json)
                    .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
            };
            Ok(GroupDetail { group: from_row(row)?, members: names(5)?, roles: names(6)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
