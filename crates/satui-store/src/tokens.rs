//! API tokens. Only the SHA-256 of a token is stored; this module never sees a plaintext.

use rusqlite::{Connection, OptionalExtension, Row, params};
pub use satui_domain::model::{OrgToken, OrgTokenFilter, StateFilter, Token};

use super::Result;
use satui_domain::names;
use satui_domain::role::BasicRole;

pub struct NewTokenRow<'a> {
    pub sa_id: i64,
    pub name: &'a str,
    pub hash: &'a [u8; 32],
    pub hint: &'a str,
    pub lifetime_days: Option<u32>,
    pub expires_at: Option<i64>,
    pub max_age_days: Option<u32>,
    pub rotated_from: Option<i64>,
}

/// Everything `token verify` needs, fetched in one indexed lookup by hash.
#[derive(Clone, Debug)]
pub struct VerifyRow {
    pub token: Token,
    pub org_id: i64,
    pub org_name: String,
    pub org_cap_days: Option<u32>,
    pub account_id: i64,
    pub account_name: String,
    pub account_login: String,
    pub account_role: BasicRole,
    pub account_disabled: bool,
}

const COLUMNS: &str = "t.id, t.sa_id, t.name, t.hint, t.created_at, t.lifetime_days, t.expires_at, t.max_age_days, t.last_used_at, t.revoked_at, t.rotated_from, t.imported";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Token> {
    Ok(Token {
        id: row.get("id")?,
        sa_id: row.get("sa_id")?,
        name: row.get("name")?,
        hint: row.get("hint")?,
        created_at: row.get("created_at")?,
        lifetime_days: row.get("lifetime_days")?,
        expires_at: row.get("expires_at")?,
        max_age_days: row.get("max_age_days")?,
        last_used_at: row.get("last_used_at")?,
        revoked_at: row.get("revoked_at")?,
        rotated_from: row.get("rotated_from")?,
        imported: row.get("imported")?,
    })
}

pub fn insert(conn: &Connection, row: &NewTokenRow<'_>, now: i64) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO tokens
           (sa_id, name, hash, hint, created_at, lifetime_days, expires_at, max_age_days, name_key, rotated_from, org_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT org_id FROM service_accounts WHERE id = ?1))",
    )?
    .execute(params![
        row.sa_id,
        row.name,
        &row.hash[..],
        row.hint,
        now,
        row.lifetime_days,
        row.expires_at,
        row.max_age_days,
        names::name_key(row.name),
        row.rotated_from
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<Token>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tokens t WHERE t.id = ?1"))?;
    Ok(stmt.query_row([id], from_row).optional()?)
}

/// An account's tokens, newest first.
pub fn list_for_account(conn: &Connection, sa_id: i64) -> Result<Vec<Token>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tokens t WHERE t.sa_id = ?1 ORDER BY t.created_at DESC, t.id DESC"
    ))?;
    let rows = stmt.query_map([sa_id], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The unrevoked token of an account with this name, case-insensitively (names are unique among
/// those).
pub fn find_live_by_name(conn: &Connection, sa_id: i64, name: &str) -> Result<Option<Token>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tokens t WHERE t.sa_id = ?1 AND t.name_key = ?2 AND t.revoked_at IS NULL"
    ))?;
    Ok(stmt.query_row(params![sa_id, names::name_key(name)], from_row).optional()?)
}

/// Tokens of an account with this name (case-insensitively), the unrevoked one first, then
/// newest first (a rotated name has revoked predecessors).
pub fn find_by_name(conn: &Connection, sa_id: i64, name: &str) -> Result<Vec<Token>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tokens t WHERE t.sa_id = ?1 AND t.name_key = ?2
         ORDER BY t.revoked_at IS NULL DESC, t.id DESC"
    ))?;
    let rows =
        stmt.query_map(params![sa_id, names::name_key(name)], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Tokens that can still authenticate (not revoked, or retiring; not expired), leaving out
/// `except` (the token a rotation replaces).
pub fn count_live(conn: &Connection, sa_id: i64, now: i64, except: Option<i64>) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM tokens WHERE sa_id = ?1 AND ends_at > ?2 AND id IS NOT ?3")?
        .query_row(params![sa_id, now, except], |r| r.get(0))?)
}

pub fn find_for_verify(conn: &Connection, hash: &[u8; 32]) -> Result<Option<VerifyRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, o.id AS org_id, o.name AS org_name, o.max_token_lifetime_days AS org_cap_days,
                a.id AS account_id, a.name AS account_name, a.login AS account_login, a.role AS account_role,
                a.disabled AS account_disabled
         FROM tokens t JOIN service_accounts a ON a.id = t.sa_id JOIN orgs o ON o.id = a.org_id
         WHERE t.hash = ?1"
    ))?;
    let row = stmt
        .query_row([&hash[..]], |row| {
            let role: String = row.get("account_role")?;
            Ok(VerifyRow {
                token: from_row(row)?,
                org_id: row.get("org_id")?,
                org_name: row.get("org_name")?,
                org_cap_days: row.get("org_cap_days")?,
                account_id: row.get("account_id")?,
                account_name: row.get("account_name")?,
                account_login: row.get("account_login")?,
                account_role: role.parse().unwrap_or_default(),
                account_disabled: row.get("account_disabled")?,
            })
        })
        .optional()?;
    Ok(row)
}

/// Revokes a token at `at` (now, or the end of a rotation's grace). Works on a live token and
/// on a retiring one (whose grace it replaces); returns false when the token was already revoked
/// at `now` (or is gone).
pub fn revoke(conn: &Connection, id: i64, at: i64, now: i64) -> Result<bool> {
    let n = conn
        .prepare_cached("UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND (revoked_at IS NULL OR revoked_at > ?3)")?
        .execute(params![id, at, now])?;
    Ok(n > 0)
}

/// Marks a live (never revoked) token to stop at `at`: now, or the end of a rotation's grace.
/// Returns false when it was already revoked or retiring.
pub fn retire(conn: &Connection, id: i64, at: i64) -> Result<bool> {
    let n = conn
        .prepare_cached("UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![id, at])?;
    Ok(n > 0)
}

/// Deletes the row; false when there was none (another writer deleted it first).
pub fn delete(conn: &Connection, id: i64) -> Result<bool> {
    Ok(conn.prepare_cached("DELETE FROM tokens WHERE id = ?1")?.execute([id])? > 0)
}

/// Records a use: last_used_at and (for Extended tokens) the moved expiry. `max()` keeps the later
/// expiry if two processes record a use at once (and stays NULL for a token that never expires).
pub fn record_use(conn: &Connection, id: i64, now: i64, expires_at: Option<i64>) -> Result<()> {
    conn.prepare_cached("UPDATE tokens SET last_used_at = ?2, expires_at = max(expires_at, ?3) WHERE id = ?1")?
        .execute(params![id, now, expires_at])?;
    Ok(())
}

const NEVER: &str = "9223372036854775807";

/// Which accounts' tokens a list keeps: these only, or all but these (the shorter list of the
/// two is the one SQLite has to hold).
#[derive(Clone, Copy, Debug)]
pub enum Accounts<'a> {
    Only(&'a [i64]),
    Except(&'a [i64]),
}

impl Accounts<'_> {
    fn ids(&self) -> &[i64] {
        match self {
            Accounts::Only(ids) | Accounts::Except(ids) => ids,
        }
    }
}

/// Restricting to these accounts' tokens uses the per-account index below this many accounts
/// (their tokens are read and sorted); above, the filter's own walk checks each token's account.
const FEW_ACCOUNTS: usize = 2_000;

/// A token is live while its end (`tokens.ends_at`, "never" as i64::MAX) lies after ?2.
const LIVE: &str = "t.ends_at > ?2";

/// Which side of `now` a list walks: the live tokens (soonest end first), the ended ones (most
/// recently ended first), each along the end index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Live,
    Ended,
}

impl Side {
    fn condition(self) -> &'static str {
        match self {
            Side::Live => LIVE,
            Side::Ended => "t.ends_at <= ?2",
        }
    }

    fn direction(self) -> &'static str {
        match self {
            Side::Live => "ASC",
            Side::Ended => "DESC",
        }
    }
}

/// The sides a filter's matches can lie on, in list order (live tokens before ended ones).
fn sides(filter: &OrgTokenFilter) -> &'static [Side] {
    let live_only = matches!(filter.state, Some(StateFilter::Live | StateFilter::Retiring))
        || filter.expiring_within.is_some()
        || filter.never_expires
        || filter.never_used
        || filter.unused_for.is_some();
    match filter.state {
        Some(StateFilter::Expired | StateFilter::Revoked) => &[Side::Ended],
        _ if live_only => &[Side::Live],
        _ => &[Side::Live, Side::Ended],
    }
}

/// The SQL of a filter: its WHERE clause, the index that walks its matches in end order, and
/// the index that counts them without reading the table. Every condition on time reads the one
/// end of a token (`ends_at`, domain's `expiry::ends_at`). `accounts`: how many accounts the
/// tokens are restricted to (their ids bound as ?7), if any.
fn filter_sql(filter: &OrgTokenFilter, accounts: Option<Accounts<'_>>) -> (String, &'static str, &'static str) {
    let mut conditions = vec!["t.org_id = ?1".to_string()];
    let mut walk = "tokens_by_org_end";
    let mut count: Option<&'static str> = None;
    match filter.state {
        Some(StateFilter::Live) => conditions.push(LIVE.to_string()),
        Some(StateFilter::Retiring) => {
            conditions.push(format!("t.revoked_at > ?2 AND {LIVE}"));
            walk = "tokens_revoked_by_org";
        }
        Some(StateFilter::Expired) => {
            conditions.push("t.ends_at <= ?2 AND (t.revoked_at IS NULL OR t.revoked_at > ?2)".to_string());
        }
        Some(StateFilter::Revoked) => {
            conditions.push("t.revoked_at <= ?2".to_string());
            count = Some("tokens_revoked_by_org");
        }
        None => {}
    }
    if filter.expiring_within.is_some() {
        // The end, so a token retiring within the window counts: one range of the end index.
        conditions.push(format!("{LIVE} AND t.ends_at <= ?3"));
    }
    if filter.never_expires {
        // Not retiring either: a rotated token in its grace ends within days.
        conditions.push(format!("t.ends_at = {NEVER}"));
    }
    if filter.never_used {
        conditions.push(format!("t.last_used_at IS NULL AND {LIVE}"));
        walk = "tokens_unused_by_org";
    }
    if filter.unused_for.is_some() {
        conditions.push(format!("coalesce(t.last_used_at, t.created_at) < ?4 AND {LIVE}"));
        // Long-unused tokens sit anywhere in end order: walk the last-use index (its other
        // columns decide "live" without the table) and sort the few matches by end.
        walk = "tokens_by_org_last_use";
        count = Some("tokens_by_org_last_use");
    }
    match accounts {
        Some(Accounts::Only(ids)) => {
            conditions.push("t.sa_id IN (SELECT value FROM json_each(?7))".to_string());
            // Counting probes each account's tokens; a page does too for a few accounts, and
            // for many walks the filter's index, where matches come soon.
            let walk = if ids.len() <= FEW_ACCOUNTS { "tokens_by_account" } else { walk };
            return (conditions.join(" AND "), walk, "tokens_by_account");
        }
        Some(Accounts::Except(_)) => conditions.push("t.sa_id NOT IN (SELECT value FROM json_each(?7))".to_string()),
        None => {}
    }
    (conditions.join(" AND "), walk, count.unwrap_or(walk))
}

/// The accounts as the JSON array ?7 binds.
fn id_list(ids: &[i64]) -> String {
    format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
}

/// Binds the parameters a filter statement uses: ?1 org, ?2 now, ?3 the expiring limit, ?4 the
/// unused limit, ?5/?6 limit and offset.
fn bind_filter(
    stmt: &mut rusqlite::CachedStatement<'_>,
    org_id: i64,
    filter: &OrgTokenFilter,
    accounts: Option<Accounts<'_>>,
    now: i64,
    page: (i64, i64),
) -> rusqlite::Result<()> {
    let values: [(&str, i64); 6] = [
        ("?1", org_id),
        ("?2", now),
        ("?3", now.saturating_add(filter.expiring_within.unwrap_or(0))),
        ("?4", now.saturating_sub(filter.unused_for.unwrap_or(0))),
        ("?5", page.0),
        ("?6", page.1),
    ];
    for (name, value) in values {
        if let Some(i) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(i, value)?;
        }
    }
    if let (Some(i), Some(accounts)) = (stmt.parameter_index("?7")?, accounts) {
        stmt.raw_bind_parameter(i, id_list(accounts.ids()))?;
    }
    Ok(())
}

/// One page of an org's tokens matching `filter` (and, when given, of these accounts only) in
/// end order (`Token::cmp_by_end`): live tokens soonest end first (never-ending last), then the
/// ended ones, most recently ended first. Each side is a walk of the end index: a millisecond
/// whatever the org's size.
pub fn org_page(
    conn: &Connection,
    org_id: i64,
    filter: &OrgTokenFilter,
    accounts: Option<Accounts<'_>>,
    now: i64,
    offset: u64,
    limit: u64,
) -> Result<Vec<OrgToken>> {
    let sides = sides(filter);
    let (mut offset, mut limit) = (offset, limit);
    let mut out = Vec::new();
    for (i, &side) in sides.iter().enumerate() {
        let page = side_page(conn, org_id, filter, accounts, side, now, offset, limit)?;
        let got = page.len() as u64;
        out.extend(page);
        if got >= limit || i + 1 == sides.len() {
            break;
        }
        // The page runs past this side: the next side starts where this one's matches end.
        let matched =
            if got > 0 { offset + got } else { count_matches(conn, org_id, filter, accounts, Some(side), now)? };
        offset = offset.saturating_sub(matched);
        limit -= got;
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn side_page(
    conn: &Connection,
    org_id: i64,
    filter: &OrgTokenFilter,
    accounts: Option<Accounts<'_>>,
    side: Side,
    now: i64,
    offset: u64,
    limit: u64,
) -> Result<Vec<OrgToken>> {
    let (where_sql, walk, _) = filter_sql(filter, accounts);
    let (condition, dir) = (side.condition(), side.direction());
    // With one end (never), the end index is already in (revoked_at, id) order there; naming
    // the end in ORDER BY would make SQLite sort every match.
    let order = if filter.never_expires {
        format!("t.revoked_at {dir}, t.id {dir}")
    } else {
        format!("t.ends_at {dir}, t.revoked_at {dir}, t.id {dir}")
    };
    let mut stmt = conn.prepare_cached(&format!(
        // The page of token ids first (an index walk, or a sort of the matches when the walk is
        // not in end order), then the rows and their accounts for those fifty only.
        "WITH page AS (
           SELECT t.id, t.ends_at, t.revoked_at FROM tokens t INDEXED BY {walk}
           WHERE {where_sql} AND {condition} ORDER BY {order} LIMIT ?5 OFFSET ?6)
         SELECT {COLUMNS}, a.id AS account_id, a.name AS account_name, a.login AS account_login,
                a.disabled AS account_disabled, a.managed_by AS managed_by
         FROM page JOIN tokens t ON t.id = page.id JOIN service_accounts a ON a.id = t.sa_id
         ORDER BY page.ends_at {dir}, page.revoked_at {dir}, page.id {dir}"
    ))?;
    let clamp = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    bind_filter(&mut stmt, org_id, filter, accounts, now, (clamp(limit), clamp(offset)))?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(OrgToken {
            token: from_row(row)?,
            account_id: row.get("account_id")?,
            account_name: row.get("account_name")?,
            account_login: row.get("account_login")?,
            account_disabled: row.get("account_disabled")?,
            managed_by: row.get("managed_by")?,
        });
    }
    Ok(out)
}

/// The index-only count of a filter's matches, on one side of `now` or both.
fn count_matches(
    conn: &Connection,
    org_id: i64,
    filter: &OrgTokenFilter,
    accounts: Option<Accounts<'_>>,
    side: Option<Side>,
    now: i64,
) -> Result<u64> {
    let (where_sql, _, count) = filter_sql(filter, accounts);
    let side = side.map_or(String::new(), |side| format!(" AND {}", side.condition()));
    let mut stmt =
        conn.prepare_cached(&format!("SELECT count(*) FROM tokens t INDEXED BY {count} WHERE {where_sql}{side}"))?;
    bind_filter(&mut stmt, org_id, filter, accounts, now, (0, 0))?;
    let total: i64 = stmt.raw_query().next()?.map_or(Ok(0), |r| r.get(0))?;
    Ok(total as u64)
}

/// How many of an org's tokens match `filter`: the kept count for all of them, else an
/// index-only count.
pub fn org_count(
    conn: &Connection,
    org_id: i64,
    filter: &OrgTokenFilter,
    accounts: Option<Accounts<'_>>,
    now: i64,
) -> Result<u64> {
    if *filter == OrgTokenFilter::default() && accounts.is_none() {
        return super::orgs::token_count(conn, org_id);
    }
    count_matches(conn, org_id, filter, accounts, None, now)
}

/// Deletes at most `limit` of the org's tokens that ended (were revoked or expired) before
/// `before` (the service calls it a batch per transaction; `count_purgeable` answers a dry run).
/// Returns how many it deleted.
pub fn purge(conn: &Connection, org_id: i64, before: i64, limit: u64) -> Result<u64> {
    let n = conn
        .prepare_cached(
            "DELETE FROM tokens WHERE id IN (
               SELECT id FROM tokens INDEXED BY tokens_by_org_end WHERE org_id = ?1 AND ends_at < ?2 LIMIT ?3)",
        )?
        .execute(params![org_id, before, i64::try_from(limit).unwrap_or(i64::MAX)])?;
    Ok(n as u64)
}

/// How many of the org's tokens ended before `before`: one range of the end index.
pub fn count_purgeable(conn: &Connection, org_id: i64, before: i64) -> Result<u64> {
    let ended: i64 = conn
        .prepare_cached("SELECT count(*) FROM tokens INDEXED BY tokens_by_org_end WHERE org_id = ?1 AND ends_at < ?2")?
        .query_row(params![org_id, before], |r| r.get(0))?;
    Ok(ended as u64)
}

/// How many tokens of one org are in each state at an instant (for `/metrics`). The windows
/// count live tokens whose end is within them, so a retiring token counts as expiring too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgTokenCounts {
    pub org: String,
    pub live: u64,
    pub retiring: u64,
    pub expiring_1d: u64,
    pub expiring_7d: u64,
    pub expiring_30d: u64,
    pub expired: u64,
    pub revoked: u64,
}

/// Every org's token counts at `now`: one pass over the end index (org, end, revocation).
pub fn counts_by_org(conn: &Connection, now: i64) -> Result<Vec<OrgTokenCounts>> {
    const DAY: i64 = 86_400;
    let mut stmt = conn.prepare_cached(
        "SELECT o.name,
                coalesce(sum(t.ends_at > ?1), 0),
                coalesce(sum(t.ends_at > ?1 AND t.revoked_at IS NOT NULL), 0),
                coalesce(sum(t.ends_at > ?1 AND t.ends_at <= ?2), 0),
                coalesce(sum(t.ends_at > ?1 AND t.ends_at <= ?3), 0),
                coalesce(sum(t.ends_at > ?1 AND t.ends_at <= ?4), 0),
                coalesce(sum(t.ends_at <= ?1 AND (t.revoked_at IS NULL OR t.revoked_at > ?1)), 0),
                coalesce(sum(t.revoked_at <= ?1), 0)
         FROM orgs o LEFT JOIN tokens t INDEXED BY tokens_by_org_end ON t.org_id = o.id
         GROUP BY o.id ORDER BY o.id",
    )?;
    let rows = stmt.query_map(params![now, now + DAY, now + 7 * DAY, now + 30 * DAY], |r| {
        let n = |i: usize| r.get::<_, i64>(i).map(|v| v as u64);
        Ok(OrgTokenCounts {
            org: r.get(0)?,
            live: n(1)?,
            retiring: n(2)?,
            expiring_1d: n(3)?,
            expiring_7d: n(4)?,
            expiring_30d: n(5)?,
            expired: n(6)?,
            revoked: n(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A live token that ends soon, named for a person (no secret, no hint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndingToken {
    pub org: String,
    pub account: String,
    pub token: String,
    pub ends_at: i64,
}

/// At most `limit` live tokens ending after `now` and by `until`, soonest first, across orgs.
pub fn ending_between(conn: &Connection, now: i64, until: i64, limit: u64) -> Result<Vec<EndingToken>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.name, a.name, t.name, t.ends_at
         FROM tokens t JOIN service_accounts a ON a.id = t.sa_id JOIN orgs o ON o.id = t.org_id
         WHERE t.ends_at > ?1 AND t.ends_at <= ?2
         ORDER BY t.ends_at, t.id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![now, until, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(EndingToken { org: r.get(0)?, account: r.get(1)?, token: r.get(2)?, ends_at: r.get(3)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
