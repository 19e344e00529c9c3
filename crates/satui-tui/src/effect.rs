//! Effects are what `update` asks the outside world to do, as data. Database effects run on the
//! worker thread through [`execute`]; clipboard effects run on the UI thread. Tests call
//! [`execute`] directly on a real temporary store, and compare effects as values.

use super::action::{Outcome, Select, TokenPreset};
use super::ticket::Ticket;
use satui_domain::token::TokenSecret;
use satui_service::{AccountChanges, Error, Field, NewAccount, NewToken, OrgChanges, Service};

/// Rows fetched per page ("1–50 of 1 204").
pub const PAGE_SIZE: u64 = 50;

/// The first row of the page holding row `index`.
pub fn page_start(index: u64) -> u64 {
    index / PAGE_SIZE * PAGE_SIZE
}

/// When a window starting at `offset` came back short (`got` rows of `total`) and an earlier
/// start would fill it, that start: the last full page.
pub fn full_window(offset: u64, got: usize, total: u64) -> Option<u64> {
    let full = total.saturating_sub(PAGE_SIZE);
    (offset > 0 && (got as u64) < PAGE_SIZE && full < offset).then_some(full)
}

#[derive(Debug, PartialEq)]
pub enum Effect {
    Db(DbEffect),
    /// Copy a token; the secret is zeroized when the effect is dropped.
    Copy(TokenSecret),
}

/// One request to the store.
#[derive(Clone, Debug, PartialEq)]
pub enum DbEffect {
    Read(Read),
    Change(Change),
}

/// A read that feeds the screen.
#[derive(Clone, Debug, PartialEq)]
pub enum Read {
    LoadOrgs,
    LoadAccounts {
        ticket: Ticket,
        org_id: i64,
        filter: String,
        offset: u64,
        select: Select,
    },
    LoadDetail {
        ticket: Ticket,
        account_id: i64,
    },
    LoadGroups {
        ticket: Ticket,
        org_id: i64,
    },
    LoadRoles {
        ticket: Ticket,
        org_id: i64,
    },
    LoadRoleDetail {
        ticket: Ticket,
        org_id: i64,
        name: String,
    },
    LoadOrgSummaries,
    LoadAudit {
        ticket: Ticket,
        org_id: i64,
        filter: String,
        selected: u64,
    },
    /// The page of the tokens view holding row `selected`.
    LoadOrgTokens {
        ticket: Ticket,
        org_id: i64,
        preset: TokenPreset,
        /// The `/` filter: tokens of the accounts whose name or login contains it.
        account: String,
        selected: u64,
    },
    /// The tokens view's total under its quick filter (after the page, so the page never waits).
    CountOrgTokens {
        ticket: Ticket,
        org_id: i64,
        preset: TokenPreset,
        account: String,
    },
    /// Load the org's account names for the filters of one or two characters (no outcome).
    WarmFilter {
        org_id: i64,
    },
    /// Account names matching `query`, for the member picker of a group form.
    SuggestAccounts {
        org_id: i64,
        query: String,
    },
    /// Poll `PRAGMA data_version`; reports ExternalChange when another process wrote.
    CheckForChanges,
    /// The plugins registered in this org.
    LoadPlugins {
        org_id: i64,
    },
    /// Tab in a path field: the directory entries (folders, and files ending `.json`) that
    /// start as `typed` ends, and the longest start they share.
    CompletePath {
        typed: String,
    },
}

impl Read {
    /// The ticket of a read whose answer may be stale by the time it arrives.
    pub fn ticket(&self) -> Option<Ticket> {
        match self {
            Read::LoadAccounts { ticket, .. }
            | Read::LoadDetail { ticket, .. }
            | Read::LoadGroups { ticket, .. }
            | Read::LoadRoles { ticket, .. }
            | Read::LoadRoleDetail { ticket, .. }
            | Read::LoadAudit { ticket, .. }
            | Read::LoadOrgTokens { ticket, .. }
            | Read::CountOrgTokens { ticket, .. } => Some(*ticket),
            Read::LoadOrgs
            | Read::LoadOrgSummaries
            | Read::WarmFilter { .. }
            | Read::SuggestAccounts { .. }
            | Read::CheckForChanges
            | Read::LoadPlugins { .. }
            | Read::CompletePath { .. } => None,
        }
    }
}

/// A change from a form or a confirmation, answered with a message for the status line or a
/// refusal naming the field it is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
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
    /// A new secret; the old one works `grace_seconds` more (0: stops now).
    RotateToken {
        token_id: i64,
        grace_seconds: i64,
    },
    RevokeToken {
        token_id: i64,
    },
    DeleteToken {
        token_id: i64,
    },
    AssignRole {
        account_id: i64,
        role: String,
        assign: bool,
    },
    CreateGroup {
        org_id: i64,
        name: String,
        description: String,
    },
    RenameGroup {
        org_id: i64,
        group: String,
        new_name: String,
    },
    ChangeMember {
        org_id: i64,
        group: String,
        account: String,
        add: bool,
    },
    ChangeGroupRole {
        org_id: i64,
        group: String,
        role: String,
        add: bool,
    },
    DeleteGroup {
        org_id: i64,
        name: String,
    },
    CreateRole {
        org_id: i64,
        name: String,
        description: String,
        permissions: Vec<(String, String)>,
    },
    /// Rename and re-describe a custom role; an unchanged value is left alone.
    UpdateRole {
        org_id: i64,
        role: String,
        new_name: String,
        description: String,
    },
    ChangeRolePermission {
        org_id: i64,
        role: String,
        action: String,
        scope: String,
        grant: bool,
    },
    DeleteRole {
        org_id: i64,
        name: String,
    },
    /// A new org, and its token lifetime cap when one is given.
    CreateOrg {
        name: String,
        cap_days: Option<i64>,
    },
    UpdateOrg {
        org_id: i64,
        changes: OrgChanges,
    },
    DeleteOrg {
        org_id: i64,
    },
    /// Register a plugin from its plugin.json in this org (again: its permissions follow the
    /// file).
    RegisterPlugin {
        org_id: i64,
        /// As typed (`~/` is the home folder).
        path: String,
        /// Registering this plugin again: a file for another plugin is refused.
        again: Option<String>,
    },
    UnregisterPlugin {
        plugin_id: String,
    },
}

impl From<Read> for Effect {
    fn from(read: Read) -> Effect {
        Effect::Db(DbEffect::Read(read))
    }
}

impl From<Change> for Effect {
    fn from(change: Change) -> Effect {
        Effect::Db(DbEffect::Change(change))
    }
}

/// Drops reads that a later read in the same batch makes pointless (typing a filter quickly
/// queues one list query per key; only the last one matters). Writes are never dropped.
pub fn coalesce(batch: Vec<DbEffect>) -> Vec<DbEffect> {
    let last = |wanted: fn(&Read) -> bool| batch.iter().rposition(|e| matches!(e, DbEffect::Read(r) if wanted(r)));
    let last_list = last(|r| matches!(r, Read::LoadAccounts { .. }));
    let last_detail = last(|r| matches!(r, Read::LoadDetail { .. }));
    let last_tokens = last(|r| matches!(r, Read::LoadOrgTokens { .. }));
    let last_count = last(|r| matches!(r, Read::CountOrgTokens { .. }));
    let last_suggest = last(|r| matches!(r, Read::SuggestAccounts { .. }));
    let last_check = last(|r| matches!(r, Read::CheckForChanges));
    batch
        .into_iter()
        .enumerate()
        .filter(|(i, e)| match e {
            DbEffect::Read(Read::LoadAccounts { .. }) => Some(*i) == last_list,
            DbEffect::Read(Read::LoadDetail { .. }) => Some(*i) == last_detail,
            DbEffect::Read(Read::LoadOrgTokens { .. }) => Some(*i) == last_tokens,
            DbEffect::Read(Read::CountOrgTokens { .. }) => Some(*i) == last_count,
            DbEffect::Read(Read::SuggestAccounts { .. }) => Some(*i) == last_suggest,
            DbEffect::Read(Read::CheckForChanges) => Some(*i) == last_check,
            _ => true,
        })
        .map(|(_, e)| e)
        .collect()
}

fn failed(e: Error) -> Outcome {
    Outcome::Failed(e.to_string())
}

/// Runs one database effect and reports what happened. `data_version` is the worker's memory of
/// the last version it saw (for CheckForChanges).
pub fn execute(service: &mut Service, effect: DbEffect, data_version: &mut Option<i64>) -> Option<Outcome> {
    match effect {
        DbEffect::Read(read) => self::read(service, read, data_version),
        DbEffect::Change(change) => {
            let named = named_role(&change);
            Some(self::change(service, change).unwrap_or_else(|e| {
                // A role typed into a form that does not exist belongs under that field.
                let field = e.field().or(named.filter(|_| matches!(e, Error::NotFound { .. })));
                Outcome::Rejected { field, message: e.to_string() }
            }))
        }
    }
}

/// The input of a change that names a role by typed name (a "not found" is about it).
fn named_role(change: &Change) -> Option<Field> {
    matches!(change, Change::AssignRole { .. } | Change::ChangeGroupRole { .. }).then_some(Field::Role)
}

fn read(service: &Service, read: Read, data_version: &mut Option<i64>) -> Option<Outcome> {
    use Read::*;
    let ticket = read.ticket();
    let outcome = match read {
        LoadOrgs => service.orgs().map_or_else(failed, Outcome::Orgs),
        LoadAccounts { ticket, org_id, filter, offset, select } => {
            load_accounts(service, ticket, org_id, &filter, offset, select).unwrap_or_else(failed)
        }
        LoadDetail { ticket, account_id } => match service.account(account_id) {
            Ok(account) => load_detail(service, ticket, account).unwrap_or_else(failed),
            Err(Error::NotFound { .. }) => Outcome::DetailGone { ticket },
            Err(e) => failed(e),
        },
        LoadGroups { ticket, org_id } => {
            service.group_details(org_id).map_or_else(failed, |groups| Outcome::Groups { ticket, groups })
        }
        LoadRoles { ticket, org_id } => {
            service.roles(org_id).map_or_else(failed, |roles| Outcome::Roles { ticket, roles })
        }
        LoadRoleDetail { ticket, org_id, name } => {
            let loaded = service.find_role(org_id, &name).and_then(|role| {
                let permissions = service.role_permissions(&role)?;
                let (accounts, groups) = service.role_holders(org_id, &role)?;
                Ok(Outcome::RoleDetail { ticket, name: role.name, permissions, accounts, groups })
            });
            loaded.unwrap_or_else(failed)
        }
        LoadOrgSummaries => service.org_summaries().map_or_else(failed, Outcome::OrgSummaries),
        LoadAudit { ticket, org_id, filter, selected } => {
            let mut offset = page_start(selected);
            let mut page = service.audit_page(Some(org_id), &filter, offset, PAGE_SIZE);
            if let Some(full) = page.as_ref().ok().and_then(|(rows, total)| full_window(offset, rows.len(), *total)) {
                offset = full;
                page = service.audit_page(Some(org_id), &filter, offset, PAGE_SIZE);
            }
            match page {
                Ok((rows, total)) => {
                    Outcome::Audit { ticket, rows, offset, total, selected: selected.min(total.saturating_sub(1)) }
                }
                Err(e) => failed(e),
            }
        }
        LoadOrgTokens { ticket, org_id, preset, account, selected } => {
            let mut offset = page_start(selected);
            let mut page = service.org_tokens_of(org_id, &preset.filter(), &account, offset, PAGE_SIZE);
            // The count may not be known yet: a short page past the first one ends the list.
            let end = page.as_ref().map_or(0, |rows| offset + rows.len() as u64);
            if let Some(full) = page.as_ref().ok().and_then(|rows| full_window(offset, rows.len(), end)) {
                offset = full;
                page = service.org_tokens_of(org_id, &preset.filter(), &account, offset, PAGE_SIZE);
            }
            match page {
                Ok(rows) => Outcome::OrgTokens { ticket, rows, offset, selected },
                Err(e) => failed(e),
            }
        }
        CountOrgTokens { ticket, org_id, preset, account } => {
            match service.count_org_tokens_of(org_id, &preset.filter(), &account) {
                Ok(total) => Outcome::OrgTokenCount { ticket, total },
                Err(e) => failed(e),
            }
        }
        WarmFilter { org_id } => match service.warm_filter(org_id) {
            Ok(()) => return None,
            Err(e) => failed(e),
        },
        SuggestAccounts { org_id, query } => match service.account_page(org_id, &query, 0, 50) {
            // A plugin's account joins no group: it is not offered.
            Ok(page) => Outcome::AccountSuggestions {
                query,
                names: page.accounts.into_iter().filter(|a| a.managed_by.is_none()).map(|a| a.name).collect(),
            },
            Err(e) => failed(e),
        },
        CheckForChanges if service.ensure_store_still_there().is_err() => {
            let gone = service.ensure_store_still_there().err().map(|e| e.to_string()).unwrap_or_default();
            Outcome::Fatal(gone)
        }
        LoadPlugins { org_id } => match service.plugins() {
            Ok(all) => Outcome::Plugins(all.into_iter().filter(|p| p.account.org_id == org_id).collect()),
            Err(e) => failed(e),
        },
        CompletePath { typed } => {
            let (completed, choices) = complete_path(&typed);
            Outcome::PathCompleted { typed, completed, choices }
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
    // A failed read for part of the screen is said only while that answer is still awaited.
    Some(match (outcome, ticket) {
        (Outcome::Failed(message), Some(ticket)) => Outcome::ReadFailed { ticket, message },
        (outcome, _) => outcome,
    })
}

fn load_accounts(
    service: &Service,
    ticket: Ticket,
    org_id: i64,
    filter: &str,
    offset: u64,
    select: Select,
) -> satui_service::Result<Outcome> {
    let (offset, selected) = match select {
        Select::Index(index) => (offset, index),
        Select::Account(id) => match service.account_position(org_id, filter, id)? {
            Some(position) => (page_start(position), position),
            None => (offset, offset),
        },
    };
    let mut page = service.account_page(org_id, filter, offset, PAGE_SIZE)?;
    if let Some(full) = full_window(offset, page.accounts.len(), page.total) {
        // A short window at the end (or past it, after deletes): show the last full page
        // instead of a lone row.
        page = service.account_page(org_id, filter, full, PAGE_SIZE)?;
    }
    let selected = selected.min(page.total.saturating_sub(1));
    Ok(Outcome::Accounts { ticket, page, selected })
}

fn load_detail(service: &Service, ticket: Ticket, account: satui_service::Account) -> satui_service::Result<Outcome> {
    let tokens = service.tokens(account.id)?;
    let groups = service.account_groups(account.id)?.into_iter().map(|g| g.name).collect();
    let roles = service.account_roles(account.id)?;
    let grants = service.effective_permissions(&account)?;
    Ok(Outcome::Detail { ticket, account, tokens, groups, roles, grants })
}

/// Runs a change and says what happened in words for the status line.
fn change(service: &mut Service, change: Change) -> satui_service::Result<Outcome> {
    use Change::*;
    let saved = |message: String| Ok(Outcome::Saved { message });
    match change {
        CreateAccount { org_id, new } => {
            let account = service.create_account(org_id, &new)?;
            Ok(Outcome::AccountSaved { message: format!("created {}", account.name), account })
        }
        UpdateAccount { account_id, changes } => {
            let account = service.update_account(account_id, &changes)?;
            Ok(Outcome::AccountSaved { message: format!("saved {}", account.name), account })
        }
        SetDisabled { account_id, disabled } => {
            let account = service.set_account_disabled(account_id, disabled)?;
            let verb = if account.disabled { "disabled" } else { "enabled" };
            Ok(Outcome::AccountSaved { message: format!("{verb} {}", account.name), account })
        }
        DeleteAccount { account_id } => {
            let name = service.account(account_id)?.name;
            service.delete_account(account_id)?;
            Ok(Outcome::AccountDeleted { message: format!("deleted {name} and its tokens") })
        }
        CreateToken { account_id, new } => {
            let issued = service.create_token(account_id, &new)?;
            let account = service.account(account_id).map(|a| a.name).unwrap_or_default();
            Ok(Outcome::TokenIssued { issued, account })
        }
        RotateToken { token_id, grace_seconds } => {
            let issued = service.rotate_token_with_grace(token_id, grace_seconds)?;
            let account = service.account(issued.token.sa_id).map(|a| a.name).unwrap_or_default();
            Ok(Outcome::TokenIssued { issued, account })
        }
        RevokeToken { token_id } => {
            let token = service.revoke_token(token_id)?;
            Ok(Outcome::TokenChanged { message: format!("revoked token {}", token.name) })
        }
        DeleteToken { token_id } => {
            let name = service.token(token_id)?.name;
            service.delete_token(token_id)?;
            Ok(Outcome::TokenChanged { message: format!("deleted token {name}") })
        }
        AssignRole { account_id, role, assign } => {
            let changed = service.assign_role(account_id, &role, assign)?;
            saved(match (assign, changed) {
                (true, true) => format!("gave role {role}"),
                (false, true) => format!("took role {role}"),
                (true, false) => format!("already holds {role}"),
                (false, false) => format!("did not hold {role}"),
            })
        }
        CreateGroup { org_id, name, description } => {
            saved(format!("created group {}", service.create_group(org_id, &name, &description)?.name))
        }
        RenameGroup { org_id, group, new_name } => {
            saved(format!("renamed group to {}", service.rename_group(org_id, &group, &new_name)?.name))
        }
        ChangeMember { org_id, group, account, add } => {
            let (account, changed) = service.change_membership_by_ref(org_id, &group, &account, add)?;
            let verb = if add { "added to" } else { "removed from" };
            saved(if changed { format!("{} {verb} {group}", account.name) } else { "nothing to change".to_string() })
        }
        ChangeGroupRole { org_id, group, role, add } => {
            let changed = service.assign_group_role(org_id, &group, &role, add)?;
            let verb = if add { "now holds" } else { "no longer holds" };
            saved(if changed { format!("{group}: {verb} {role}") } else { "nothing to change".into() })
        }
        DeleteGroup { org_id, name } => {
            service.delete_group(org_id, &name)?;
            saved(format!("deleted group {name}"))
        }
        CreateRole { org_id, name, description, permissions } => {
            saved(format!("created role {}", service.create_role(org_id, &name, &description, &permissions)?.name))
        }
        UpdateRole { org_id, role, new_name, description } => {
            let updated = service.update_role(org_id, &role, Some(&new_name), Some(&description))?;
            saved(if updated.name == role {
                format!("updated role {role}")
            } else {
                format!("renamed role {role} to {}", updated.name)
            })
        }
        ChangeRolePermission { org_id, role, action, scope, grant } => {
            let changed = service.change_role_permission(org_id, &role, &action, &scope, grant)?;
            let verb = if grant { "granted" } else { "removed" };
            saved(if changed { format!("{role}: {verb} {action} {scope}") } else { "nothing to change".into() })
        }
        DeleteRole { org_id, name } => {
            service.delete_role(org_id, &name)?;
            saved(format!("deleted role {name}"))
        }
        CreateOrg { name, cap_days } => {
            let org = service.create_org(&name)?;
            if cap_days.is_some() {
                service.set_org_cap(org.id, cap_days)?;
            }
            saved(format!("created organization {}", org.name))
        }
        UpdateOrg { org_id, changes } => saved(format!("saved {}", service.update_org(org_id, &changes)?.name)),
        DeleteOrg { org_id } => {
            let name = service.org(org_id)?.name;
            service.delete_org(org_id)?;
            saved(format!("deleted organization {name} and everything in it"))
        }
        RegisterPlugin { org_id, path, again } => {
            let path = expand_home(&path);
            let registration = match again {
                Some(plugin_id) => service.register_plugin_again(org_id, &path, &plugin_id)?,
                None => service.register_plugin(org_id, &path)?,
            };
            let id = registration.plugin_id.clone();
            Ok(match registration.outcome {
                satui_service::Registered::New(issued) => {
                    Outcome::TokenIssued { issued, account: registration.account.name }
                }
                satui_service::Registered::Updated { added, removed } if added.is_empty() && removed.is_empty() => {
                    Outcome::PluginChanged { message: format!("plugin {id}: the same permissions; nothing changed") }
                }
                satui_service::Registered::Updated { added, removed } => Outcome::PluginChanged {
                    message: format!(
                        "plugin {id}: {} permission(s) added, {} removed; its account and token stay",
                        added.len(),
                        removed.len()
                    ),
                },
            })
        }
        UnregisterPlugin { plugin_id } => {
            service.unregister_plugin(&plugin_id)?;
            Ok(Outcome::PluginChanged {
                message: format!("unregistered plugin {plugin_id}: its account, tokens and role are gone"),
            })
        }
    }
}

/// The entries of `typed`'s folder that start as its last part does: folders (with a `/`) and
/// `.json` files, at most [`PATH_CHOICES`], sorted; and `typed` extended by their common start.
/// `~/` is the home folder.
fn complete_path(typed: &str) -> (String, Vec<String>) {
    let (folder, start) = match typed.rfind('/') {
        Some(at) => (&typed[..=at], &typed[at + 1..]),
        None => ("", typed),
    };
    let on_disk = if folder.is_empty() { ".".into() } else { expand_home(folder) };
    let mut choices: Vec<String> = std::fs::read_dir(&on_disk)
        .into_iter()
        .flatten()
        .flatten()
        .take(PATH_SCAN)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            // The name first: a folder of thousands is not stat-ed entry by entry.
            if !name.starts_with(start) || (name.starts_with('.') && !start.starts_with('.')) {
                return None;
            }
            let dir = entry.file_type().ok()?.is_dir() || entry.path().is_dir();
            (dir || name.ends_with(".json")).then(|| if dir { format!("{name}/") } else { name })
        })
        .collect();
    choices.sort();
    // Shared by every match, before the list is cut for showing.
    let shared = choices.iter().skip(1).fold(choices.first().cloned().unwrap_or_default(), |common, next| {
        common.chars().zip(next.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect()
    });
    choices.truncate(PATH_CHOICES);
    let completed =
        if shared.chars().count() > start.chars().count() { format!("{folder}{shared}") } else { typed.to_string() };
    (completed, choices)
}

/// At most this many entries are read from a folder, and shown.
const PATH_SCAN: usize = 10_000;
pub const PATH_CHOICES: usize = 8;

/// A typed path with `~/` as the home folder.
fn expand_home(path: &str) -> std::path::PathBuf {
    let path = path.trim();
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}
