//! The audit log: append-only rows naming who changed what. Callers never pass secrets here.

use rusqlite::{Connection, Row, params};
pub use satui_domain::model::AuditEvent;

use super::{Result, like_pattern};

pub struct NewEvent<'a> {
    pub org_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub details: &'a str,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    Ok(AuditEvent {
        id: row.get(0)?,
        at: row.get(1)?,
        org_id: row.get(2)?,
        actor: row.get(3)?,
        action: row.get(4)?,
        target: row.get(5)?,
        details: row.get(6)?,
    })
}

pub fn insert(conn: &Connection, event: &NewEvent<'_>, now: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_events (at, org_id, actor, action, target, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![now, event.org_id, event.actor, event.action, event.target, event.details])?;
    Ok(())
}

/// Newest first; `org_id` None means every org; `filter` matches action, actor or target.
pub fn page(
    conn: &Connection,
    org_id: Option<i64>,
    filter: &str,
    offset: u64,
    limit: u64,
) -> Result<(Vec<AuditEvent>, u64)> {
    let pattern = like_pattern(filter.trim());
    // An org's log includes the store-wide events (seed, import), which belong to no org.
    let matches = "(?1 IS NULL OR org_id = ?1 OR org_id IS NULL) AND (action LIKE ?2 ESCAPE '\\' OR actor LIKE ?2 ESCAPE '\\' OR target LIKE ?2 ESCAPE '\\')";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM audit_events WHERE {matches}"))?
        .query_row(params![org_id, pattern], |r| r.get(0))?;
    // Newest first by time. For one org, its events and the store-wide ones are two walks of
    // the (org_id, at, id) index merged in order, so a page never sorts the whole log.
    let text = "(action LIKE ?2 ESCAPE '\\' OR actor LIKE ?2 ESCAPE '\\' OR target LIKE ?2 ESCAPE '\\')";
    let columns = "id, at, org_id, actor, action, target, details";
    let sql = if org_id.is_some() {
        format!(
            "SELECT {columns} FROM audit_events WHERE org_id = ?1 AND {text}
             UNION ALL
             SELECT {columns} FROM audit_events WHERE org_id IS NULL AND {text}
             ORDER BY at DESC, id DESC LIMIT ?3 OFFSET ?4"
        )
    } else {
        format!("SELECT {columns} FROM audit_events WHERE {text} ORDER BY at DESC, id DESC LIMIT ?3 OFFSET ?4")
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params![org_id, pattern, limit as i64, offset as i64], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rows, total as u64))
}
