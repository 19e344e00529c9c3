//! Effects are what `update` asks the outside world to do, as data. Database effects run on the
//! worker thread through [`execute`]; clipboard effects run on the UI thread. Tests call
//! [`execute`] directly on a real temporary store.

use super::action::{Outcome, Select};
use crate::domain::token::TokenSecret;
use crate::service::{AccountChanges, Error, NewAccount, NewToken, Service};

#[derive(Debug)]
pub enum Effect {
    Db(DbEffect),
    /// Copy a token; the secret is zeroized when the effect is dropped.
    Copy(TokenSecret),
}

#[derive(Clone, Debug)]
pub enum DbEffect {
    LoadOrgs,
    LoadAccounts {
        request: u64,
        org_id: i64,
        filter: String,
        offset: u64,
        select: Select,
    },
    LoadDetail {
        account_id: i64,
    },
    CreateAccount {
        org_id: i64,
        new: NewAccount,
    },
    UpdateAccount {
        account_id: i64,
        changes: AccountChanges,
    },
    SetDisabled {
        account_id: i64,
        disabled: bool,
    },
    DeleteAccount {
        account_id: i64,
    },
    CreateToken {
        account_id: i64,
        new: NewToken,
    },
    RotateToken {
        token_id: i64,
    },
    RevokeToken {
        token_id: i64,
    },
    DeleteToken {
        token_id: i64,
    },
    /// Poll `PRAGMA data_version`; reports ExternalChange when another process wrote.
    CheckForChanges,
}

impl From<DbEffect> for Effect {
    fn from(effect: DbEffect) -> Effect {
        Effect::Db(effect)
    }
}

/// Drops reads that a later read in the same batch makes pointless (typing a filter quickly
/// queues one list query per key; only the last one matters). Writes are never dropped.
pub fn coalesce(batch: Vec<DbEffect>) -> Vec<DbEffect> {
    let last_list = batch.iter().rposition(|e| matches!(e, DbEffect::LoadAccounts { .. }));
    let last_detail = batch.iter().rposition(|e| matches!(e, DbEffect::LoadDetail { .. }));
    let last_check = batch.iter().rposition(|e| matches!(e, DbEffect::CheckForChanges));
    batch
        .into_iter()
        .enumerate()
        .filter(|(i, e)| match e {
            DbEffect::LoadAccounts { .. } => Some(*i) == last_list,
            DbEffect::LoadDetail { .. } => Some(*i) == last_detail,
            DbEffect::CheckForChanges => Some(*i) == last_check,
            _ => true,
        })
        .map(|(_, e)| e)
        .collect()
}

fn rejected(e: Error) -> Outcome {
    match e {
        Error::Invalid { field, message } => Outcome::Rejected { field: Some(field), message },
        other => Outcome::Rejected { field: None, message: other.to_string() },
    }
}

fn failed(e: Error) -> Outcome {
    Outcome::Failed(e.to_string())
}

/// Runs one database effect and reports what happened. `data_version` is the worker's memory of
/// the last version it saw (for CheckForChanges).
pub fn execute(service: &mut Service, effect: DbEffect, data_version: &mut Option<i64>) -> Option<Outcome> {
    use DbEffect::*;
    let page_size = super::state::PAGE_SIZE;
    let outcome = match effect {
        LoadOrgs => service.orgs().map_or_else(failed, Outcome::Orgs),
        LoadAccounts { request, org_id, filter, offset, select } => {
            let (offset, selected) = match select {
                Select::Index(index) => (offset, index),
                Select::Account(id) => match service.account_position(org_id, &filter, id) {
                    Ok(Some(position)) => (position / page_size * page_size, position),
                    Ok(None) => (offset, offset),
                    Err(e) => return Some(failed(e)),
                },
            };
            match service.account_page(org_id, &filter, offset, page_size) {
                Ok(page) if page.accounts.is_empty() && page.total > 0 => {
                    // The window fell off the end (rows were deleted): load the last page.
                    let last = (page.total - 1) / page_size * page_size;
                    match service.account_page(org_id, &filter, last, page_size) {
                        Ok(page) => Outcome::Accounts { request, selected: selected.min(page.total - 1), page },
                        Err(e) => failed(e),
                    }
                }
                Ok(page) => Outcome::Accounts { request, selected: selected.min(page.total.saturating_sub(1)), page },
                Err(e) => failed(e),
            }
        }
        LoadDetail { account_id } => match service.account(account_id) {
            Ok(account) => match service.tokens(account_id) {
                Ok(tokens) => Outcome::Detail { account, tokens },
                Err(e) => failed(e),
            },
            Err(Error::NotFound(_)) => Outcome::DetailGone(account_id),
            Err(e) => failed(e),
        },
        CreateAccount { org_id, new } => match service.create_account(org_id, &new) {
            Ok(account) => Outcome::AccountSaved { message: format!("created {}", account.name), account },
            Err(e) => rejected(e),
        },
        UpdateAccount { account_id, changes } => match service.update_account(account_id, &changes) {
            Ok(account) => Outcome::AccountSaved { message: format!("saved {}", account.name), account },
            Err(e) => rejected(e),
        },
        SetDisabled { account_id, disabled } => match service.set_account_disabled(account_id, disabled) {
            Ok(account) => {
                let verb = if account.disabled { "disabled" } else { "enabled" };
                Outcome::AccountSaved { message: format!("{verb} {}", account.name), account }
            }
            Err(e) => failed(e),
        },
        DeleteAccount { account_id } => {
            let name = service.account(account_id).map(|a| a.name).unwrap_or_default();
            match service.delete_account(account_id) {
                Ok(()) => Outcome::AccountDeleted { message: format!("deleted {name} and its tokens") },
                Err(e) => failed(e),
            }
        }
        CreateToken { account_id, new } => match service.create_token(account_id, &new) {
            Ok(issued) => {
                let account = service.account(account_id).map(|a| a.name).unwrap_or_default();
                Outcome::TokenIssued { issued, account }
            }
            Err(e) => rejected(e),
        },
        RotateToken { token_id } => match service.rotate_token(token_id) {
            Ok(issued) => {
                let account = service.account(issued.token.sa_id).map(|a| a.name).unwrap_or_default();
                Outcome::TokenIssued { issued, account }
            }
            Err(e) => failed(e),
        },
        RevokeToken { token_id } => match service.revoke_token(token_id) {
            Ok(token) => Outcome::TokenChanged { message: format!("revoked token {}", token.name) },
            Err(e) => failed(e),
        },
        DeleteToken { token_id } => {
            let name = service.token(token_id).map(|t| t.name).unwrap_or_default();
            match service.delete_token(token_id) {
                Ok(()) => Outcome::TokenChanged { message: format!("deleted token {name}") },
                Err(e) => failed(e),
            }
        }
        CheckForChanges => match service.data_version() {
            Ok(version) => {
                let changed = data_version.is_some_and(|seen| seen != version);
                *data_version = Some(version);
                if !changed {
                    return None;
                }
                Outcome::ExternalChange
            }
            Err(e) => failed(e),
        },
    };
    Some(outcome)
}
