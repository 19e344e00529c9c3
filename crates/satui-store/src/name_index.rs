//! The names and logins of one org's accounts, in list order, held in memory for the filters
//! of one or two characters: too short for the trigram index, they would otherwise scan the
//! whole list index twice (page and count) on every keystroke. Matching 100 000 short strings
//! in memory takes a millisecond or two; the index is rebuilt when anything wrote to the store
//! (another process: `PRAGMA data_version`; this connection: its change counter).

use std::cell::RefCell;

use rusqlite::Connection;

use super::Result;
use super::accounts::{Account, rows_by_id};

/// Filters up to this many characters (of their name key) are answered from memory.
pub const SHORT_FILTER_CHARS: usize = 2;

pub struct NameIndex {
    org_id: i64,
    stamp: (i64, u64),
    /// (id, "name_key\nlogin") in list order (name_key, id). The filter never holds a newline,
    /// so a match never spans the two.
    entries: Vec<(i64, Box<str>)>,
}

fn stamp(conn: &Connection) -> Result<(i64, u64)> {
    let version: i64 = conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
    Ok((version, conn.total_changes()))
}

fn load(conn: &Connection, org_id: i64, stamp: (i64, u64)) -> Result<NameIndex> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name_key || char(10) || login FROM service_accounts INDEXED BY service_accounts_list
         WHERE org_id = ?1 ORDER BY name_key, id",
    )?;
    let entries = stmt
        .query_map([org_id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?.into_boxed_str())))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(NameIndex { org_id, stamp, entries })
}

/// Makes sure `cache` holds the current names of `org_id` (loading them when stale).
pub fn warm(conn: &Connection, cache: &RefCell<Option<NameIndex>>, org_id: i64) -> Result<()> {
    let now = stamp(conn)?;
    let fresh = cache.borrow().as_ref().is_some_and(|index| index.org_id == org_id && index.stamp == now);
    if !fresh {
        *cache.borrow_mut() = Some(load(conn, org_id, now)?);
    }
    Ok(())
}

/// Every account of `org_id` in list order, each with whether its name key or login contains
/// `key` (a name key): the one pass both answers below are made of.
fn each_match(
    conn: &Connection,
    cache: &RefCell<Option<NameIndex>>,
    org_id: i64,
    key: &str,
    mut visit: impl FnMut(i64, bool),
) -> Result<()> {
    warm(conn, cache, org_id)?;
    let cache = cache.borrow();
    let index = cache.as_ref().expect("warmed above");
    let finder = memchr::memmem::Finder::new(key.as_bytes());
    for (id, text) in &index.entries {
        visit(*id, finder.find(text.as_bytes()).is_some());
    }
    Ok(())
}

/// The ids of the accounts of `org_id` whose name key or login contains `key` (a name key),
/// and the ids of the others.
pub fn partition_ids(
    conn: &Connection,
    cache: &RefCell<Option<NameIndex>>,
    org_id: i64,
    key: &str,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let (mut hits, mut misses) = (Vec::new(), Vec::new());
    each_match(conn, cache, org_id, key, |id, hit| if hit { hits.push(id) } else { misses.push(id) })?;
    Ok((hits, misses))
}

/// One page of the accounts whose name key or login contains `key` (already a name key), in
/// list order, and how many match: what `accounts::page` answers, from memory.
pub fn page(
    conn: &Connection,
    cache: &RefCell<Option<NameIndex>>,
    org_id: i64,
    key: &str,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Account>, u64)> {
    let mut total = 0u64;
    let mut ids = Vec::new();
    each_match(conn, cache, org_id, key, |id, hit| {
        if hit {
            if total >= offset && (ids.len() as u64) < limit {
                ids.push(id);
            }
            total += 1;
        }
    })?;
    Ok((rows_by_id(conn, &ids)?, total))
}
