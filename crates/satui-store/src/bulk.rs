//! Rows written as they are, for `satui seed` and `satui import`: they carry their own timestamps
//! and states (a token can arrive revoked, used or long expired) and go through prepared, cached
//! statements. The caller groups them into transactions; nothing here commits or writes audit
//! events.

use rusqlite::{Connection, params};

use super::Result;
use satui_domain::names;
use satui_domain::role::BasicRole;

/// An account row exactly as it is stored.
pub struct SeedAccountRow<'a> {
    pub org_id: i64,
    pub name: &'a str,
    pub name_key: &'a str,
    pub login: &'a str,
    pub description: &'a str,
    pub role: BasicRole,
    pub disabled: bool,
    pub managed_by: Option<&'a str>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A token row exactly as it is stored: the hash and the hint, never a plaintext.
pub struct SeedTokenRow<'a> {
    pub sa_id: i64,
    pub name: &'a str,
    pub hash: &'a [u8; 32],
    pub hint: &'a str,
    pub created_at: i64,
    pub lifetime_days: Option<u32>,
    pub expires_at: Option<i64>,
    pub max_age_days: Option<u32>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Restored by an import (its secret is unknown).
    pub imported: bool,
}

pub fn insert_account(conn: &Connection, row: &SeedAccountRow<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO service_accounts
           (org_id, name, name_key, login, description, role, disabled, managed_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        row.org_id,
        row.name,
        row.name_key,
        row.login,
        row.description,
        row.role.as_str(),
        row.disabled,
        row.managed_by,
        row.created_at,
        row.updated_at
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_token(conn: &Connection, row: &SeedTokenRow<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO tokens
           (sa_id, name, hash, hint, created_at, lifetime_days, expires_at, max_age_days, last_used_at, revoked_at,
            name_key, imported, org_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, (SELECT org_id FROM service_accounts WHERE id = ?1))",
    )?
    .execute(params![
        row.sa_id,
        row.name,
        &row.hash[..],
        row.hint,
        row.created_at,
        row.lifetime_days,
        row.expires_at,
        row.max_age_days,
        row.last_used_at,
        row.revoked_at,
        names::name_key(row.name),
        row.imported
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The highest service-account id ever handed out that still exists (0 on an empty store).
pub fn max_account_id(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(id), 0) FROM service_accounts")?.query_row([], |r| r.get(0))?)
}

/// Service accounts in the whole store.
pub fn count_accounts(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM service_accounts")?.query_row([], |r| r.get(0))?)
}

/// Tokens in the whole store.
pub fn count_tokens(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM tokens")?.query_row([], |r| r.get(0))?)
}

/// How many accounts the store holds, in every org.
pub fn account_count(conn: &Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT count(*) FROM service_accounts")?.query_row([], |r| r.get(0))?)
}

/// Runs `work` with settings for bulk loading, then restores them: a bigger page cache, and
/// `synchronous = OFF`. Each batch rewrites pages all over the token hash index, so the WAL
/// checkpoints after nearly every commit; with `synchronous = NORMAL` each of those waits for an
/// fsync, which made seeding three times slower. A crash of the machine (not of satui) during the
/// work can therefore damage this store; the final checkpoint runs with the usual setting and
/// makes the finished store durable (and folds the WAL back, so it does not stay hundreds of
/// megabytes).
pub fn with_bulk_settings<T, E: From<super::StoreError>>(
    conn: &Connection,
    cache_kib: i64,
    work: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let setting = |name: &str| -> Result<i64> { Ok(conn.pragma_query_value(None, name, |r| r.get(0))?) };
    let previous_cache = setting("cache_size")?;
    let previous_sync = setting("synchronous")?;
    let set = |name: &str, value: i64| -> Result<()> { Ok(conn.pragma_update(None, name, value)?) };
    set("cache_size", -cache_kib)?;
    set("synchronous", 0)?;
    let result = work();
    set("synchronous", previous_sync)?;
    set("cache_size", previous_cache)?;
    if result.is_ok() {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(super::StoreError::from)?;
    }
    result
}
