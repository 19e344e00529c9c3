//! Service accounts, with paged and filtered listing.

use rusqlite::{Connection, OptionalExtension, Row, params};
pub use satui_domain::model::{Account, Search};

use super::{Result, like_pattern};
use satui_domain::role::BasicRole;

/// What a new row holds; ids and timestamps are filled in by the store.
pub struct NewAccountRow<'a> {
    pub org_id: i64,
    pub name: &'a str,
    pub login: &'a str,
    pub description: &'a str,
    pub role: BasicRole,
    pub disabled: bool,
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

/// The account a plugin manages, if it is registered.
pub fn managed_by(conn: &Connection, plugin_id: &str) -> Result<Option<Account>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM service_accounts WHERE managed_by = ?1"))?;
    Ok(stmt.query_row([plugin_id], from_row).optional()?)
}

/// Every plugin-managed account of every org.
pub fn all_managed(conn: &Connection) -> Result<Vec<Account>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM service_accounts WHERE managed_by IS NOT NULL"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn login_taken(conn: &Connection, login: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM service_accounts WHERE login = ?1")?;
    Ok(stmt.exists([login])?)
}

pub fn insert(conn: &Connection, row: &NewAccountRow<'_>, name_key: &str, now: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO service_accounts
           (org_id, name, name_key, login, description, role, managed_by, created_at, updated_at, disabled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
    )?
    .execute(params![
        row.org_id,
        row.name,
        name_key,
        row.login,
        row.description,
        row.role.as_str(),
        row.managed_by,
        now,
        row.disabled
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Writes the account's fields; false when the row is gone.
pub fn update(conn: &Connection, account: &Account, name_key: &str, now: i64) -> Result<bool> {
    let changed = conn
        .prepare_cached(
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
    Ok(changed > 0)
}

/// Deletes up to `limit` accounts of an org (with their tokens, by cascade); returns how many.
pub fn delete_some_of_org(conn: &Connection, org_id: i64, limit: u64) -> Result<u64> {
    let n = conn
        .prepare_cached(
            "DELETE FROM service_accounts WHERE id IN (SELECT id FROM service_accounts WHERE org_id = ?1 LIMIT ?2)",
        )?
        .execute(params![org_id, i64::try_from(limit).unwrap_or(i64::MAX)])?;
    Ok(n as u64)
}

/// Deletes the row; false when there was none (another writer deleted it first).
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM service_accounts WHERE id = ?1")?.execute([id])? > 0)
}

/// The index of the list order (org_id, name_key, id) that also holds `login` (migration 003), so
/// a filter is checked on index entries without visiting table rows. Named in the queries below
/// because SQLite's planner prefers the UNIQUE (org_id, name_key) index, which orders rows the
/// same way but makes every filtered row a table lookup (10-25× slower at 100 000 accounts).
const LIST_INDEX: &str = "service_accounts_list";
/// Filters at least this long can use the trigram index `service_accounts_search` (migration 003).
const SEARCH_MIN_CHARS: usize = 3;
/// A filter matching more accounts than this (in the whole store) is served by scanning the list
/// index instead: its page fills within a few rows, while collecting and counting that many
/// search hits would cost more than the scan.
pub const SEARCH_MAX_MATCHES: u64 = 20_000;

/// Where an account sits in the name order of its org's (filtered) list; None when the filter
/// hides it. Lets the UI jump to a just-created account.
pub fn position(conn: &Connection, org_id: i64, filter: &str, id: i64) -> Result<Option<u64>> {
    let Some(account) = get(conn, id)?.filter(|a| a.org_id == org_id) else { return Ok(None) };
    let key = account.name.to_lowercase();
    let filter = filter.trim().to_lowercase();
    if !filter.is_empty() && !key.contains(&filter) && !account.login.contains(&filter) {
        return Ok(None);
    }
    // name_key is unique in an org, so the rows before this one are those with a smaller key.
    let before: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM {} AND name_key < ?3", scan_from_where(&filter)))?
        .query_row(params![org_id, like_pattern(&filter), key], |r| r.get(0))?;
    Ok(Some(before as u64))
}

/// The FROM and WHERE of a list scan: ?1 is the org, ?2 the LIKE pattern of `filter`. A filter is
/// checked on each entry of the list index. Without a filter the pattern is '%%' and the
/// condition on it is a constant true that only keeps the parameters numbered the same.
fn scan_from_where(filter: &str) -> String {
    if filter.is_empty() {
        "service_accounts WHERE org_id = ?1 AND ?2 = '%%'".to_string()
    } else {
        format!(
            "service_accounts INDEXED BY {LIST_INDEX}
             WHERE org_id = ?1 AND (name_key LIKE ?2 ESCAPE '\\' OR login LIKE ?2 ESCAPE '\\')"
        )
    }
}

/// The trigram index's hits for `filter` in the whole store, as an FTS5 query string and a
/// count; None when the filter is too short for trigrams or has more than `max_hits` hits.
fn search_hits(conn: &Connection, filter: &str, max_hits: u64) -> Result<Option<(String, u64)>> {
    if filter.chars().count() < SEARCH_MIN_CHARS {
        return Ok(None);
    }
    // One FTS5 string: the trigram tokenizer turns it into consecutive trigrams, so it matches
    // exactly the rows that contain it. Counting stops one past the limit.
    let phrase = format!("\"{}\"", filter.replace('"', "\"\""));
    let cap = i64::try_from(max_hits.saturating_add(1)).unwrap_or(i64::MAX);
    let hits: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM service_accounts_search WHERE service_accounts_search MATCH ?1 LIMIT ?2)",
        )?
        .query_row(params![phrase, cap], |r| r.get(0))?;
    Ok((hits as u64 <= max_hits).then_some((phrase, hits as u64)))
}

/// The trigram hits (?2) that belong to the org (?1), each looked up by id.
const SEARCH_HITS_IN_ORG: &str = "service_accounts_search
     CROSS JOIN service_accounts a ON a.id = service_accounts_search.rowid
     WHERE service_accounts_search MATCH ?2 AND a.org_id = ?1";

/// How a page is read.
enum Plan {
    /// The list index in order, the filter (if any) checked on each entry.
    Scan,
    /// The list index in order, keeping the trigram hits: for pages early among many hits.
    /// (Other searches go to [`search_lookup`].)
    SearchWalk { hits: u64 },
}

/// The accounts with these ids, in the order given (ids that no longer exist are left out).
pub fn rows_by_id(conn: &Connection, ids: &[i64]) -> Result<Vec<Account>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
    let mut rows: Vec<Account> = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM service_accounts WHERE id IN (SELECT value FROM json_each(?1))"
        ))?
        .query_map([list], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.sort_by_key(|a| ids.iter().position(|id| *id == a.id));
    Ok(rows)
}

/// One page of an org's accounts, ordered by name, optionally filtered by a substring of the name
/// or login. Returns the page and the total number of matches.
///
/// How, by filter (numbers for 100 000 accounts in `BENCHMARKS.md`):
/// - none: the UNIQUE (org_id, name_key) index, in order;
/// - 3 or more characters with at most [`SEARCH_MAX_MATCHES`] hits in the trigram index: when
///   the page lies early among the hits, the list index is walked in order keeping the hits
///   (stops as soon as the page is full); otherwise the hits' names are looked up and sorted
///   (no more than that many rows), and only the page's rows are read;
/// - anything else: the list index in order, the filter checked on each entry.
///
/// The total rarely costs a second pass: a page shorter than `limit` ended the list (total =
/// offset + rows); a search knows its hits (one org) or counts them by id; after a full page of a
/// scan only the entries past its last name are counted (name_key is unique in an org, so "after
/// this row" is `name_key > last`, an index range).
pub fn page(conn: &Connection, org_id: i64, filter: &str, offset: u64, limit: u64) -> Result<(Vec<Account>, u64)> {
    page_with_search_limit(conn, org_id, filter, offset, limit, SEARCH_MAX_MATCHES)
}

/// [`page`] with another limit on search hits (0 never uses the trigram index); for tests.
#[doc(hidden)]
pub fn page_with_search_limit(
    conn: &Connection,
    org_id: i64,
    filter: &str,
    offset: u64,
    limit: u64,
    max_search_hits: u64,
) -> Result<(Vec<Account>, u64)> {
    // An offset past every row is just past the end: an empty page.
    let to_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let (limit_sql, offset_sql) = (to_i64(limit), to_i64(offset));
    // Filters match the name key, so they fold case, invisible characters and spaces the same way.
    let filter = satui_domain::names::name_key(filter);
    let (plan, needle) = match search_hits(conn, &filter, max_search_hits)? {
        Some((_, 0)) => return Ok((Vec::new(), 0)),
        // Hits spread over the name order, so a page within the first eighth of them is found
        // after walking about an eighth of the list index.
        Some((phrase, hits)) if offset.saturating_add(limit).saturating_mul(8) <= hits => {
            (Plan::SearchWalk { hits }, phrase)
        }
        Some((phrase, _)) => return search_lookup(conn, org_id, &phrase, offset, limit),
        None => (Plan::Scan, like_pattern(&filter)),
    };
    let sql = match plan {
        Plan::Scan => format!("SELECT {COLUMNS}, name_key FROM {} ORDER BY name_key, id", scan_from_where(&filter)),
        Plan::SearchWalk { .. } => format!(
            "SELECT {COLUMNS}, name_key FROM service_accounts INDEXED BY {LIST_INDEX}
             WHERE org_id = ?1 AND id IN
               (SELECT rowid FROM service_accounts_search WHERE service_accounts_search MATCH ?2)
             ORDER BY name_key, id"
        ),
    };
    let rows: Vec<(Account, String)> = conn
        .prepare_cached(&format!("{sql} LIMIT ?3 OFFSET ?4"))?
        .query_map(params![org_id, needle, limit_sql, offset_sql], |row| Ok((from_row(row)?, row.get(10)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let shown = rows.len() as u64;
    let total = match (rows.last(), plan) {
        (Some(_), _) if shown < limit => offset + shown,
        (None, _) if offset == 0 && limit > 0 => 0,
        (_, Plan::SearchWalk { hits }) => {
            // With no other org every hit is in this one; else count the org's hits by id.
            let only_org: bool = conn
                .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM orgs WHERE id <> ?1)")?
                .query_row([org_id], |r| r.get(0))?;
            if only_org {
                hits
            } else {
                let n: i64 = conn
                    .prepare_cached(&format!("SELECT count(*) FROM {SEARCH_HITS_IN_ORG}"))?
                    .query_row(params![org_id, needle], |r| r.get(0))?;
                n as u64
            }
        }
        (Some((_, last_key)), Plan::Scan) => {
            let after: i64 = conn
                .prepare_cached(&format!("SELECT count(*) FROM {} AND name_key > ?3", scan_from_where(&filter)))?
                .query_row(params![org_id, needle, last_key], |r| r.get(0))?;
            offset + shown + after as u64
        }
        // Past the end, or an empty page asked for: count them all.
        (None, Plan::Scan) => {
            let all: i64 = conn
                .prepare_cached(&format!("SELECT count(*) FROM {}", scan_from_where(&filter)))?
                .query_row(params![org_id, needle], |r| r.get(0))?;
            all as u64
        }
    };
    Ok((rows.into_iter().map(|(account, _)| account).collect(), total))
}

/// A search with few hits, or a page deep among them: the (name_key, id) of every hit in the org
/// (at most [`SEARCH_MAX_MATCHES`]) sorted here, which also gives the total, then the page's rows
/// by id. (Sorting whole rows in SQLite's temporary B-tree took twice as long.)
fn search_lookup(conn: &Connection, org_id: i64, phrase: &str, offset: u64, limit: u64) -> Result<(Vec<Account>, u64)> {
    let mut keys: Vec<(String, i64)> = conn
        .prepare_cached(&format!("SELECT a.name_key, a.id FROM {SEARCH_HITS_IN_ORG}"))?
        .query_map(params![org_id, phrase], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    keys.sort_unstable();
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(keys.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(usize::MAX)).min(keys.len());
    let mut rows = Vec::with_capacity(end - start);
    for (_, id) in &keys[start..end] {
        rows.extend(get(conn, *id)?);
    }
    Ok((rows, keys.len() as u64))
}

/// One page of an org's accounts matching `search`, in login order (as Grafana lists them),
/// each with its number of tokens; and the count of all matches. Only the filters asked for
/// are in the SQL, so an unfiltered page walks the (org, login) index.
pub fn search(
    conn: &Connection,
    org_id: i64,
    search: &Search<'_>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<(Account, i64)>, u64)> {
    let key = satui_domain::names::name_key(search.query);
    let pattern = like_pattern(&key);
    let mut filter = String::from("FROM service_accounts a WHERE a.org_id = ?1");
    if !key.is_empty() {
        filter.push_str(" AND (a.name_key LIKE ?2 ESCAPE '\\' OR a.login LIKE ?2 ESCAPE '\\')");
    }
    if search.disabled_only {
        filter.push_str(" AND a.disabled = 1");
    }
    if search.expired_tokens_at.is_some() {
        // Expired, as the token lists' state filter says: ended, and not by a revocation.
        filter.push_str(
            " AND EXISTS (SELECT 1 FROM tokens t WHERE t.sa_id = a.id AND t.ends_at <= ?3
                            AND (t.revoked_at IS NULL OR t.revoked_at > ?3))",
        );
    }
    if search.only_ids.is_some() {
        filter.push_str(" AND a.id IN (SELECT value FROM json_each(?6))");
    }
    let only_ids = search.only_ids.map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string()));
    // Each statement binds the parameters its text uses.
    let expired = search.expired_tokens_at.unwrap_or(0);
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let bind = |stmt: &mut rusqlite::CachedStatement<'_>| -> rusqlite::Result<()> {
        for name in ["?1", "?2", "?3", "?4", "?5", "?6"] {
            if let Some(index) = stmt.parameter_index(name)? {
                match name {
                    "?1" => stmt.raw_bind_parameter(index, org_id)?,
                    "?2" => stmt.raw_bind_parameter(index, &pattern)?,
                    "?3" => stmt.raw_bind_parameter(index, expired)?,
                    "?4" => stmt.raw_bind_parameter(index, clamp(limit))?,
                    "?6" => stmt.raw_bind_parameter(index, only_ids.as_deref().unwrap_or("[]"))?,
                    _ => stmt.raw_bind_parameter(index, clamp(offset))?,
                }
            }
        }
        Ok(())
    };
    let mut count = conn.prepare_cached(&format!("SELECT count(*) {filter}"))?;
    bind(&mut count)?;
    let total: i64 = count.raw_query().next()?.map_or(Ok(0), |row| row.get(0))?;
    let columns = COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns}, (SELECT count(*) FROM tokens t WHERE t.sa_id = a.id) {filter}
         ORDER BY a.login LIMIT ?4 OFFSET ?5"
    ))?;
    bind(&mut stmt)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push((from_row(row)?, row.get(10)?));
    }
    Ok((out, total as u64))
}
