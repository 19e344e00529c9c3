//! Effects are what `update` asks the outside world to do, as data. Database effects run on the
//! worker thread through [`execute`]; clipboard effects run on the UI thread. Tests call
//! [`execute`] directly on a real temporary store.

use super::action::{Outcome, Select};
use super::form::Submission;
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
    LoadGroups {
        org_id: i64,
    },
    LoadRoles {
        org_id: i64,
    },
    LoadRoleDetail {
        org_id: i64,
        name: String,
    },
    LoadOrgSummaries,
    LoadAudit {
        request: u64,
        org_id: i64,
        filter: String,
        selected: u64,
    },
    /// A submitted form of the groups, roles, orgs or account-role kind.
    Apply(Submission),
    DeleteGroup {
        org_id: i64,
        name: String,
    },
    DeleteRole {
        org_id: i64,
        name: String,
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
            Ok(account) => match load_detail(service, account) {
                Ok(outcome) => outcome,
                Err(e) => failed(e),
            },
            Err(Error::NotFound(_)) => Outcome::DetailGone(account_id),
            Err(e) => failed(e),
        },
        LoadGroups { org_id } => {
            let details =
                service.groups(org_id).and_then(|groups| groups.iter().map(|g| service.group_detail(g)).collect());
            details.map_or_else(failed, Outcome::Groups)
        }
        LoadRoles { org_id } => service.roles(org_id).map_or_else(failed, Outcome::Roles),
        LoadRoleDetail { org_id, name } => {
            let loaded = service.find_role(org_id, &name).and_then(|role| {
                let permissions = service.role_permissions(&role)?;
                let (accounts, groups) = service.role_holders(org_id, &role)?;
                Ok(Outcome::RoleDetail { name: role.name, permissions, accounts, groups })
            });
            loaded.unwrap_or_else(failed)
        }
        LoadOrgSummaries => service.org_summaries().map_or_else(failed, Outcome::OrgSummaries),
        LoadAudit { request, org_id, filter, selected } => {
            let offset = selected / page_size * page_size;
            match service.audit_page(Some(org_id), &filter, offset, page_size) {
                Ok((rows, total)) => {
                    Outcome::Audit { request, rows, offset, total, selected: selected.min(total.saturating_sub(1)) }
                }
                Err(e) => failed(e),
            }
        }
        Apply(submission) => apply(service, submission).unwrap_or_else(rejected),
        DeleteGroup { org_id, name } => match service.delete_group(org_id, &name) {
            Ok(()) => Outcome::Saved { message: format!("deleted group {name}") },
            Err(e) => failed(e),
        },
        DeleteRole { org_id, name } => match service.delete_role(org_id, &name) {
            Ok(()) => Outcome::Saved { message: format!("deleted role {name}") },
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

fn load_detail(service: &Service, account: crate::service::Account) -> crate::service::Result<Outcome> {
    let tokens = service.tokens(account.id)?;
    let groups = service.account_groups(account.id)?.into_iter().map(|g| g.name).collect();
    let roles = service.account_roles(account.id)?;
    let grants = service.effective_permissions(&account)?;
    Ok(Outcome::Detail { account, tokens, groups, roles, grants })
}

/// Runs a submitted form of the secondary views against the service.
fn apply(service: &mut Service, submission: Submission) -> crate::service::Result<Outcome> {
    let message = match submission {
        Submission::AccountRole { account_id, role, assign } => {
            let changed = service.assign_role(account_id, &role, assign)?;
            match (assign, changed) {
                (true, true) => format!("gave role {role}"),
                (false, true) => format!("took role {role}"),
                (true, false) => format!("already holds {role}"),
                (false, false) => format!("did not hold {role}"),
            }
        }
        Submission::NewGroup { org_id, name, description } => {
            format!("created group {}", service.create_group(org_id, &name, &description)?.name)
        }
        Submission::RenameGroup { org_id, group, new_name } => {
            format!("renamed group to {}", service.rename_group(org_id, &group, &new_name)?.name)
        }
        Submission::GroupMember { org_id, group, account, add } => {
            let account = service
                .find_account(org_id, &account)
                .map_err(|e| Error::Invalid { field: crate::service::Field::Name, message: e.to_string() })?;
            let changed = service.change_membership(org_id, &group, account.id, add)?;
            let verb = if add { "added to" } else { "removed from" };
            if changed { format!("{} {verb} {group}", account.name) } else { "nothing to change".to_string() }
        }
        Submission::GroupRole { org_id, group, role, add } => {
            let changed = service.assign_group_role(org_id, &group, &role, add).map_err(|e| match e {
                Error::NotFound(message) => Error::Invalid { field: crate::service::Field::Name, message },
                other => other,
            })?;
            if changed {
                format!("{group}: {} {role}", if add { "now holds" } else { "no longer holds" })
            } else {
                "nothing to change".into()
            }
        }
        Submission::NewRole { org_id, name, description, permission } => {
            format!("created role {}", service.create_role(org_id, &name, &description, &[permission])?.name)
        }
        Submission::RolePermission { org_id, role, permission, add } => {
            let changed = service.change_role_permission(org_id, &role, &permission.0, &permission.1, add)?;
            if changed {
                format!("{role}: {} {} {}", if add { "granted" } else { "removed" }, permission.0, permission.1)
            } else {
                "nothing to change".into()
            }
        }
        Submission::NewOrg { name } => format!("created organization {}", service.create_org(&name)?.name),
        Submission::EditOrg { org_id, name, cap } => {
            service.rename_org(org_id, &name)?;
            let org = service.set_org_cap(org_id, cap)?;
            format!("saved {}", org.name)
        }
        Submission::DeleteOrg { org_id } => {
            let name = service.org(org_id)?.name;
            service.delete_org(org_id)?;
            format!("deleted organization {name} and everything in it")
        }
        Submission::NewAccount { .. } | Submission::EditAccount { .. } | Submission::NewToken { .. } => {
            return Err(Error::Refused("internal: account forms have their own effects".into()));
        }
    };
    Ok(Outcome::Saved { message })
}
