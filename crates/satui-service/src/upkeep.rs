//! The org-wide token list and its upkeep: pages and counts for the tokens view and
//! `token list --all` (with the account filter), and the purge of old revoked or expired tokens.

use super::{Error, Field, Result, Service};
use satui_domain::time;
use satui_store::tokens;

/// Tokens deleted per transaction by a purge.
const PURGE_BATCH: u64 = 5_000;

impl Service {
    /// One page of an org's tokens with their accounts, soonest expiry first.
    pub fn org_tokens(
        &self,
        org_id: i64,
        filter: &tokens::OrgTokenFilter,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<tokens::OrgToken>> {
        self.org_tokens_of(org_id, filter, "", offset, limit)
    }

    /// How many of an org's tokens match `filter`.
    pub fn count_org_tokens(&self, org_id: i64, filter: &tokens::OrgTokenFilter) -> Result<u64> {
        self.count_org_tokens_of(org_id, filter, "")
    }

    /// Like [`Service::org_tokens`], only of the accounts whose name or login contains
    /// `account` (as the accounts list filters; empty: every account).
    pub fn org_tokens_of(
        &self,
        org_id: i64,
        filter: &tokens::OrgTokenFilter,
        account: &str,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<tokens::OrgToken>> {
        let conn = self.store.conn();
        let accounts = match self.accounts_split(org_id, account)? {
            None => return Ok(tokens::org_page(conn, org_id, filter, None, self.now(), offset, limit)?),
            Some((hits, _)) if hits.is_empty() => return Ok(Vec::new()),
            Some(split) => split,
        };
        // Name the shorter list: the matching accounts, or all but the others.
        let restrict = match &accounts {
            (hits, misses) if hits.len() <= misses.len() => tokens::Accounts::Only(hits),
            (_, misses) => tokens::Accounts::Except(misses),
        };
        Ok(tokens::org_page(conn, org_id, filter, Some(restrict), self.now(), offset, limit)?)
    }

    /// Like [`Service::count_org_tokens`], only of the accounts `account` matches. When most
    /// accounts match, it counts the others' tokens and subtracts: the fewer accounts probed,
    /// the faster.
    pub fn count_org_tokens_of(&self, org_id: i64, filter: &tokens::OrgTokenFilter, account: &str) -> Result<u64> {
        let conn = self.store.conn();
        let Some((hits, misses)) = self.accounts_split(org_id, account)? else {
            return Ok(tokens::org_count(conn, org_id, filter, None, self.now())?);
        };
        if hits.is_empty() {
            return Ok(0);
        }
        let only = |ids: &[i64]| tokens::org_count(conn, org_id, filter, Some(tokens::Accounts::Only(ids)), self.now());
        if hits.len() <= misses.len() {
            return Ok(only(&hits)?);
        }
        let all = tokens::org_count(conn, org_id, filter, None, self.now())?;
        let others = if misses.is_empty() { 0 } else { only(&misses)? };
        Ok(all.saturating_sub(others))
    }

    /// The accounts a filter text matches and the others (None: no filter).
    fn accounts_split(&self, org_id: i64, account: &str) -> Result<Option<(Vec<i64>, Vec<i64>)>> {
        let key = satui_domain::names::name_key(account);
        if key.is_empty() {
            return Ok(None);
        }
        let split = satui_store::name_index::partition_ids(self.store.conn(), &self.store.name_index, org_id, &key)?;
        Ok(Some(split))
    }

    /// Deletes the org's tokens revoked or expired before `before` (a batch per transaction, so
    /// other writers never wait long), with one audit event giving the count; `dry_run` only
    /// counts. Returns the count.
    pub fn purge_tokens(&mut self, org_id: i64, before: i64, dry_run: bool) -> Result<u64> {
        self.purge_tokens_reporting(org_id, before, dry_run, &mut |_, _| {})
    }

    /// [`Service::purge_tokens`], telling `progress` (deleted so far, to delete) after each batch.
    pub fn purge_tokens_reporting(
        &mut self,
        org_id: i64,
        before: i64,
        dry_run: bool,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<u64> {
        let org = self.org(org_id)?;
        if before > self.now() {
            return Err(Error::invalid(Field::Lifetime, "--before must not be in the future".to_string()));
        }
        if dry_run {
            return Ok(tokens::count_purgeable(self.store.conn(), org_id, before)?);
        }
        // The audit event goes with the first batch, its count taken in that transaction: no
        // row can join the set later (revoked or expired before a past date stays so), so it
        // is exact unless another writer deletes some of them meanwhile.
        let mut deleted = 0;
        let mut first = true;
        let mut planned = 0;
        loop {
            let tx = self.begin()?;
            if first {
                let count = tokens::count_purgeable(&tx, org_id, before)?;
                if count == 0 {
                    return Ok(0);
                }
                planned = count;
                let details = format!("count={count} before={}", time::rfc3339(before));
                tx.audit(Some(org_id), "token.purge", &format!("org {}", org.name), &details)?;
                first = false;
            }
            let removed = tokens::purge(&tx, org_id, before, PURGE_BATCH)?;
            tx.commit()?;
            deleted += removed;
            progress(deleted, planned);
            if removed < PURGE_BATCH {
                return Ok(deleted);
            }
        }
    }
}
