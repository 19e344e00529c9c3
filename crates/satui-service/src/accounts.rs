//! Service accounts: create, edit, enable/disable, delete, find, page.

use super::Entity;
use super::{Account, Error, Field, Result, Service, Write};
use satui_domain::names;
use satui_domain::role::BasicRole;
use satui_store::accounts::{self, NewAccountRow};
use satui_store::{name_index, orgs, roles};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub description: String,
    pub role: BasicRole,
    /// Created disabled (Grafana's `isDisabled` on create), in the same transaction.
    pub disabled: bool,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub role: Option<BasicRole>,
    pub disabled: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct AccountPage {
    pub accounts: Vec<Account>,
    pub offset: u64,
    /// Matches of the filter in the whole org, not just this page.
    pub total: u64,
}

fn describe(account: &Account) -> String {
    format!("sa {} ({})", account.name, account.login)
}

impl Service {
    pub fn account(&self, id: i64) -> Result<Account> {
        accounts::get(self.store.conn(), id)?
            .ok_or_else(|| Error::not_found(Entity::Account, format!("no service account with id {id}")))
    }

    /// Finds an account of an org by id, login or name (case-insensitive).
    pub fn find_account(&self, org_id: i64, reference: &str) -> Result<Account> {
        let conn = self.store.conn();
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<i64>()
            && let Some(account) = accounts::get(conn, id)?.filter(|a| a.org_id == org_id)
        {
            return Ok(account);
        }
        if let Some(account) = accounts::find_by_login(conn, reference)?.filter(|a| a.org_id == org_id) {
            return Ok(account);
        }
        let org = self.org(org_id)?;
        accounts::find_by_key(conn, org_id, &names::name_key(reference))?.ok_or_else(|| {
            Error::not_found(Entity::Account, format!("no service account '{reference}' in {}", org.name))
        })
    }

    pub fn account_page(&self, org_id: i64, filter: &str, offset: u64, limit: u64) -> Result<AccountPage> {
        let key = names::name_key(filter);
        let short = (1..=name_index::SHORT_FILTER_CHARS).contains(&key.chars().count());
        let (accounts, total) = if short {
            // Too short for the trigram index: answered from the names held in memory.
            name_index::page(self.store.conn(), &self.store.name_index, org_id, &key, offset, limit)?
        } else {
            accounts::page(self.store.conn(), org_id, filter, offset, limit)?
        };
        Ok(AccountPage { accounts, offset, total })
    }

    /// Loads the org's account names for short filters ahead of the first keystroke (the UI
    /// asks once it shows an org).
    pub fn warm_filter(&self, org_id: i64) -> Result<()> {
        Ok(name_index::warm(self.store.conn(), &self.store.name_index, org_id)?)
    }

    /// Accounts of an org as the HTTP API searches them (login order), each with its token count.
    pub fn search_accounts(
        &self,
        org_id: i64,
        search: &accounts::Search<'_>,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<(Account, i64)>, u64)> {
        Ok(accounts::search(self.store.conn(), org_id, search, offset, limit)?)
    }

    /// The index of an account in the filtered, name-ordered list of its org.
    pub fn account_position(&self, org_id: i64, filter: &str, account_id: i64) -> Result<Option<u64>> {
        Ok(accounts::position(self.store.conn(), org_id, filter, account_id)?)
    }

    pub fn create_account(&mut self, org_id: i64, new: &NewAccount) -> Result<Account> {
        let name = names::validate_account_name(&new.name).map_err(|m| Error::invalid(Field::Name, m))?;
        let org = self.org(org_id)?;
        let tx = self.begin()?;
        let id = insert_account_in(&tx, &org, &name, &new.description, new.role, new.disabled, None)?;
        tx.commit()?;
        self.account(id)
    }

    /// Refuses changes to an account a plugin manages.
    pub fn ensure_unmanaged(account: &Account) -> Result<()> {
        Service::refuse_managed(&account.name, account.managed_by.as_deref())
    }

    /// The same rule for a list row that carries only the account's name and manager.
    pub fn refuse_managed(account_name: &str, managed_by: Option<&str>) -> Result<()> {
        match managed_by {
            Some(plugin) => Err(Error::Refused(format!("'{account_name}' is managed by plugin {plugin}"))),
            None => Ok(()),
        }
    }

    /// Changes name, description or role. The login never changes, so scripts keep working.
    pub fn update_account(&mut self, id: i64, changes: &AccountChanges) -> Result<Account> {
        // Check the input first (pure), then read and write inside one transaction, so a change
        // another process made in between is never overwritten with stale values.
        let name = match &changes.name {
            Some(name) => Some(names::validate_account_name(name).map_err(|m| Error::invalid(Field::Name, m))?),
            None => None,
        };
        let description = match &changes.description {
            Some(text) => Some(names::validate_description(text).map_err(|m| Error::invalid(Field::Description, m))?),
            None => None,
        };
        let tx = self.begin()?;
        let old = account_in(&tx, id)?;
        Service::ensure_unmanaged(&old)?;
        let mut updated = old.clone();
        updated.name = name.unwrap_or(updated.name);
        updated.description = description.unwrap_or(updated.description);
        updated.role = changes.role.unwrap_or(updated.role);
        updated.disabled = changes.disabled.unwrap_or(updated.disabled);
        let mut details = Vec::new();
        if updated.name != old.name {
            details.push(format!("name: {} -> {}", old.name, updated.name));
        }
        if updated.description != old.description {
            details.push("description changed".to_string());
        }
        if updated.role != old.role {
            details.push(format!("role: {} -> {}", old.role, updated.role));
        }
        let toggled = updated.disabled != old.disabled;
        if details.is_empty() && !toggled {
            return Ok(old);
        }
        let key = names::name_key(&updated.name);
        if accounts::find_by_key(&tx, old.org_id, &key)?.is_some_and(|other| other.id != id) {
            let org = orgs::get(&tx, old.org_id)?.map(|o| o.name).unwrap_or_default();
            return Err(Error::conflict(
                Entity::Account,
                format!("a service account named '{}' already exists in {org}", updated.name),
            ));
        }
        if !accounts::update(&tx, &updated, &key, tx.now)? {
            return Err(Error::deleted_meanwhile(Entity::Account, format!("with id {id}")));
        }
        // One transaction; each kind of change keeps its own event (as `sa update`, `sa disable`).
        if !details.is_empty() {
            tx.audit(Some(old.org_id), "sa.update", &describe(&updated), &details.join(", "))?;
        }
        if toggled {
            let action = if updated.disabled { "sa.disable" } else { "sa.enable" };
            tx.audit(Some(old.org_id), action, &describe(&updated), "")?;
        }
        tx.commit()?;
        self.account(id)
    }

    /// Disabling keeps the tokens but makes every one of them fail verification until re-enabled.
    pub fn set_account_disabled(&mut self, id: i64, disabled: bool) -> Result<Account> {
        let tx = self.begin()?;
        let now = tx.now;
        let mut account = account_in(&tx, id)?;
        Service::ensure_unmanaged(&account)?;
        if account.disabled == disabled {
            return Ok(account);
        }
        account.disabled = disabled;
        if !accounts::update(&tx, &account, &names::name_key(&account.name), now)? {
            return Err(Error::deleted_meanwhile(Entity::Account, format!("with id {id}")));
        }
        let action = if disabled { "sa.disable" } else { "sa.enable" };
        tx.audit(Some(account.org_id), action, &describe(&account), "")?;
        tx.commit()?;
        self.account(id)
    }

    /// Deletes an account and, through the foreign key, all its tokens. Grants scoped to
    /// exactly this account (`serviceaccounts:id:N`) go too, each with an audit event: ids are
    /// never reused, but a grant naming a deleted account is a trap all the same.
    pub fn delete_account(&mut self, id: i64) -> Result<()> {
        let tx = self.begin()?;
        let account = account_in(&tx, id)?;
        Service::ensure_unmanaged(&account)?;
        delete_account_in(&tx, &account)?;
        tx.commit()?;
        Ok(())
    }
}

/// Deletes an account inside the caller's transaction, with the grants scoped to its id and the
/// audit events; an account another writer deleted first is not found.
pub(crate) fn delete_account_in(tx: &Write<'_>, account: &Account) -> Result<()> {
    if !accounts::delete(tx, account.id)? {
        return Err(Error::not_found(Entity::Account, format!("no service account with id {}", account.id)));
    }
    tx.audit(Some(account.org_id), "sa.delete", &describe(account), "")?;
    remove_grants_naming(tx, account)
}

/// Takes away every grant scoped to exactly this (deleted) account, each with an audit event.
pub(crate) fn remove_grants_naming(tx: &Write<'_>, account: &Account) -> Result<()> {
    let scope = satui_domain::permission::account_scope(account.id);
    audit_removed_grants(tx, &roles::remove_scope(tx, &scope)?, &account.login)
}

/// One `role.permission.remove` event per grant removed because the account it named is gone.
pub(crate) fn audit_removed_grants(tx: &Write<'_>, removed: &[roles::RemovedGrant], login: &str) -> Result<()> {
    for grant in removed {
        let details = format!("{} (its service account {login} was deleted)", grant.permission.describe());
        tx.audit(Some(grant.org_id), "role.permission.remove", &format!("role {}", grant.role), &details)?;
    }
    Ok(())
}

/// Inserts an account and its audit event inside the caller's transaction (so plugin
/// registration can create an account, a role and a token atomically).
pub(crate) fn insert_account_in(
    tx: &Write<'_>,
    org: &crate::Org,
    name: &str,
    description: &str,
    role: BasicRole,
    disabled: bool,
    managed_by: Option<&str>,
) -> Result<i64> {
    let description = names::validate_description(description).map_err(|m| Error::invalid(Field::Description, m))?;
    let key = names::name_key(name);
    if accounts::find_by_key(tx, org.id, &key)?.is_some() {
        return Err(Error::conflict(
            Entity::Account,
            format!("a service account named '{name}' already exists in {}", org.name),
        ));
    }
    // Two names can share a slug ("CI bot" and "ci-bot"); later ones get -2, -3, ...
    let slug = names::slugify(name);
    let mut attempt = 1;
    let login = loop {
        let candidate = names::login_for(org.id, &slug, attempt);
        if !accounts::login_taken(tx, &candidate)? {
            break candidate;
        }
        attempt += 1;
    };
    let row =
        NewAccountRow { org_id: org.id, name, login: &login, description: &description, role, disabled, managed_by };
    let id = accounts::insert(tx, &row, &key, tx.now)?;
    let details = format!(
        "role={role}{}{}",
        if disabled { " disabled" } else { "" },
        managed_by.map(|p| format!(" managed_by={p}")).unwrap_or_default()
    );
    tx.audit(Some(org.id), "sa.create", &format!("sa {name} ({login})"), &details)?;
    Ok(id)
}

/// Reads an account inside a transaction.
pub(crate) fn account_in(tx: &rusqlite::Connection, id: i64) -> Result<Account> {
    accounts::get(tx, id)?.ok_or_else(|| Error::not_found(Entity::Account, format!("no service account with id {id}")))
}
