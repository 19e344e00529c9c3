//! Custom and plugin-managed roles, their permissions, and role assignments to accounts and
//! groups (fixed roles are referenced by name).

use rusqlite::{Connection, OptionalExtension, Row, params};
pub use satui_domain::model::{Holder, Role};

use super::Result;
use satui_domain::permission::Permission;

/// A role reference as stored in an assignment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleRef {
    Custom(i64),
    Fixed(String),
}

const COLUMNS: &str = "id, org_id, name, description, managed_by, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Role> {
    Ok(Role {
        id: row.get(0)?,
        org_id: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        managed_by: row.get(4)?,
        created_at: row.get(5)?,
    })
}

pub fn list(conn: &Connection, org_id: i64) -> Result<Vec<Role>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM roles WHERE org_id = ?1 ORDER BY name_key"))?;
    let rows = stmt.query_map([org_id], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Role>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM roles WHERE id = ?1"))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

pub fn find_by_key(conn: &Connection, org_id: i64, name_key: &str) -> Result<Option<Role>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM roles WHERE org_id = ?1 AND name_key = ?2"))?;
    Ok(stmt.query_row(params![org_id, name_key], from_row).optional()?)
}

pub fn insert(
    conn: &Connection,
    org_id: i64,
    name: &str,
    name_key: &str,
    description: &str,
    managed_by: Option<&str>,
    now: i64,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO roles (org_id, name, name_key, description, managed_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![org_id, name, name_key, description, managed_by, now])?;
    Ok(conn.last_insert_rowid())
}

/// Writes a custom role's name and description; false when the row is gone.
pub fn update(conn: &Connection, id: i64, name: &str, name_key: &str, description: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("UPDATE roles SET name = ?2, name_key = ?3, description = ?4 WHERE id = ?1")?
        .execute(params![id, name, name_key, description])?
        > 0)
}

/// Deletes the row; false when there was none (another writer deleted it first).
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM roles WHERE id = ?1")?.execute([id])? > 0)
}

/// Deletes the roles a plugin manages (with their permissions and assignments).
pub fn delete_managed(conn: &Connection, plugin_id: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM roles WHERE managed_by = ?1")?.execute([plugin_id])?;
    Ok(())
}

pub fn permissions(conn: &Connection, role_id: i64) -> Result<Vec<Permission>> {
    let mut stmt =
        conn.prepare_cached("SELECT action, scope FROM role_permissions WHERE role_id = ?1 ORDER BY action, scope")?;
    let rows = stmt
        .query_map([role_id], |r| Ok(Permission { action: r.get(0)?, scope: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn add_permission(conn: &Connection, role_id: i64, permission: &Permission) -> Result<bool> {
    let n = conn
        .prepare_cached("INSERT OR IGNORE INTO role_permissions (role_id, action, scope) VALUES (?1, ?2, ?3)")?
        .execute(params![role_id, permission.action, permission.scope])?;
    Ok(n > 0)
}

pub fn remove_permission(conn: &Connection, role_id: i64, permission: &Permission) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM role_permissions WHERE role_id = ?1 AND action = ?2 AND scope = ?3")?
        .execute(params![role_id, permission.action, permission.scope])?;
    Ok(n > 0)
}

/// A grant taken away because what its scope names is gone.
pub struct RemovedGrant {
    pub org_id: i64,
    pub role: String,
    pub permission: Permission,
}

/// Removes every grant, in every role, whose scope is exactly `scope` (such as
/// `serviceaccounts:id:6` when account 6 is deleted); returns what was removed.
pub fn remove_scope(conn: &Connection, scope: &str) -> Result<Vec<RemovedGrant>> {
    let removed = conn
        .prepare_cached(
            "SELECT r.org_id, r.name, p.action FROM role_permissions p JOIN roles r ON r.id = p.role_id
             WHERE p.scope = ?1 ORDER BY r.org_id, r.name_key, p.action",
        )?
        .query_map([scope], |r| {
            Ok(RemovedGrant {
                org_id: r.get(0)?,
                role: r.get(1)?,
                permission: Permission { action: r.get(2)?, scope: scope.to_string() },
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    conn.prepare_cached("DELETE FROM role_permissions WHERE scope = ?1")?.execute([scope])?;
    Ok(removed)
}

/// Removes the grants, in roles of other orgs, scoped to exactly one of `org_id`'s accounts
/// (the org's own roles go with the org); returns what was removed with the account's login.
pub fn remove_scopes_of_org_accounts(conn: &Connection, org_id: i64) -> Result<Vec<(String, RemovedGrant)>> {
    let removed = conn
        .prepare_cached(
            "SELECT a.login, r.org_id, r.name, p.action, p.scope
             FROM service_accounts a
             JOIN role_permissions p ON p.scope = 'serviceaccounts:id:' || a.id
             JOIN roles r ON r.id = p.role_id
             WHERE a.org_id = ?1 AND r.org_id <> ?1",
        )?
        .query_map([org_id], |r| {
            let grant = RemovedGrant {
                org_id: r.get(1)?,
                role: r.get(2)?,
                permission: Permission { action: r.get(3)?, scope: r.get(4)? },
            };
            Ok((r.get(0)?, grant))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (_, grant) in &removed {
        conn.prepare_cached("DELETE FROM role_permissions WHERE scope = ?1")?.execute([&grant.permission.scope])?;
    }
    Ok(removed)
}

fn holder_columns(holder: Holder) -> (Option<i64>, Option<i64>) {
    match holder {
        Holder::Account(id) => (Some(id), None),
        Holder::Group(id) => (None, Some(id)),
    }
}

fn ref_columns(role: &RoleRef) -> (Option<i64>, Option<&str>) {
    match role {
        RoleRef::Custom(id) => (Some(*id), None),
        RoleRef::Fixed(name) => (None, Some(name.as_str())),
    }
}

/// Returns false when the holder already had the role.
pub fn assign(conn: &Connection, holder: Holder, role: &RoleRef) -> Result<bool> {
    let (sa, group) = holder_columns(holder);
    let (role_id, fixed) = ref_columns(role);
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO role_assignments (holder_sa, holder_group, role_id, fixed_role) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![sa, group, role_id, fixed])?;
    Ok(n > 0)
}

/// Returns false when the holder did not have the role.
pub fn unassign(conn: &Connection, holder: Holder, role: &RoleRef) -> Result<bool> {
    let (sa, group) = holder_columns(holder);
    let (role_id, fixed) = ref_columns(role);
    let n = conn
        .prepare_cached(
            "DELETE FROM role_assignments WHERE holder_sa IS ?1 AND holder_group IS ?2 AND role_id IS ?3 AND fixed_role IS ?4",
        )?
        .execute(params![sa, group, role_id, fixed])?;
    Ok(n > 0)
}

/// The roles a holder has directly.
pub fn assigned(conn: &Connection, holder: Holder) -> Result<Vec<RoleRef>> {
    let (sa, group) = holder_columns(holder);
    let mut stmt = conn.prepare_cached(
        "SELECT role_id, fixed_role FROM role_assignments WHERE holder_sa IS ?1 AND holder_group IS ?2 ORDER BY fixed_role, role_id",
    )?;
    let rows = stmt
        .query_map(params![sa, group], |r| {
            let id: Option<i64> = r.get(0)?;
            let fixed: Option<String> = r.get(1)?;
            Ok(match (id, fixed) {
                (Some(id), _) => RoleRef::Custom(id),
                (None, name) => RoleRef::Fixed(name.unwrap_or_default()),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Accounts and groups of `org_id` holding a role directly: (accounts, groups) names.
pub fn holders(conn: &Connection, org_id: i64, role: &RoleRef) -> Result<(Vec<String>, Vec<String>)> {
    let (role_id, fixed) = ref_columns(role);
    let mut stmt = conn.prepare_cached(
        "SELECT a.name FROM role_assignments r JOIN service_accounts a ON a.id = r.holder_sa
         WHERE a.org_id = ?1 AND r.role_id IS ?2 AND r.fixed_role IS ?3 ORDER BY a.name_key",
    )?;
    let accounts =
        stmt.query_map(params![org_id, role_id, fixed], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT g.name FROM role_assignments r JOIN groups g ON g.id = r.holder_group
         WHERE g.org_id = ?1 AND r.role_id IS ?2 AND r.fixed_role IS ?3 ORDER BY g.name_key",
    )?;
    let groups =
        stmt.query_map(params![org_id, role_id, fixed], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok((accounts, groups))
}

/// Everything an account holds besides its basic role, in two indexed queries: the permissions
/// of the custom and managed roles given to it or to its groups, and the names of the fixed
/// roles given to it or to its groups (their permissions are in the catalog).
pub fn rights_of_account(conn: &Connection, sa_id: i64) -> Result<(Vec<Permission>, Vec<String>)> {
    let holders = "(ra.holder_sa = ?1 OR ra.holder_group IN (SELECT group_id FROM group_members WHERE sa_id = ?1))";
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT DISTINCT rp.action, rp.scope FROM role_assignments ra JOIN role_permissions rp ON rp.role_id = ra.role_id
         WHERE {holders}"
    ))?;
    let permissions = stmt
        .query_map([sa_id], |r| Ok(Permission { action: r.get(0)?, scope: r.get(1)? }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT DISTINCT ra.fixed_role FROM role_assignments ra WHERE ra.fixed_role IS NOT NULL AND {holders}"
    ))?;
    let fixed = stmt.query_map([sa_id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok((permissions, fixed))
}
