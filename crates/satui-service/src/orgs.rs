//! Organizations: create, rename, cap, delete.

use super::Entity;
use super::{Error, Field, Org, OrgSummary, Result, Service};
use satui_domain::{expiry, names};
use satui_store::{accounts, orgs, roles};

/// Accounts deleted per transaction when an org goes (about 0.1 s of work with their tokens).
const ORG_DELETE_BATCH: u64 = 1000;

/// What to change on an org; `None` leaves a setting as it is (`cap_days: Some(None)` clears the
/// cap).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgChanges {
    pub name: Option<String>,
    pub cap_days: Option<Option<i64>>,
}

impl Service {
    /// A store holding nothing yet dates its first org by this service's clock, so a demo or a
    /// test with an injected clock is the same on every day it is built.
    pub(crate) fn date_fresh_store(&mut self) -> Result<()> {
        let tx = self.begin()?;
        if orgs::is_fresh(&tx)? {
            orgs::set_created_at(&tx, 1, tx.now)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn orgs(&self) -> Result<Vec<Org>> {
        Ok(orgs::list(self.store.conn())?)
    }

    pub fn org_summaries(&self) -> Result<Vec<OrgSummary>> {
        Ok(orgs::list_with_counts(self.store.conn())?)
    }

    pub fn org(&self, id: i64) -> Result<Org> {
        org_in(self.store.conn(), id)
    }

    /// Finds an org by id or by name (case-insensitive).
    pub fn find_org(&self, reference: &str) -> Result<Org> {
        let conn = self.store.conn();
        if let Ok(id) = reference.trim().parse::<i64>()
            && let Some(org) = orgs::get(conn, id)?
        {
            return Ok(org);
        }
        orgs::find_by_key(conn, &names::name_key(reference))?
            .ok_or_else(|| Error::not_found(Entity::Org, format!("no organization named '{}'", reference.trim())))
    }

    /// The org used when none is named: the oldest one (Main Org. on a fresh store).
    pub fn default_org(&self) -> Result<Org> {
        let all = self.orgs()?;
        all.into_iter()
            .min_by_key(|o| o.id)
            .ok_or_else(|| Error::not_found(Entity::Org, "the store has no organization".to_string()))
    }

    pub fn create_org(&mut self, name: &str) -> Result<Org> {
        let name = names::validate_org_name(name).map_err(|m| Error::invalid(Field::Name, m))?;
        let key = names::name_key(&name);
        let tx = self.begin()?;
        let now = tx.now;
        if orgs::find_by_key(&tx, &key)?.is_some() {
            return Err(Error::conflict(Entity::Org, format!("an organization named '{name}' already exists")));
        }
        let id = orgs::insert(&tx, &name, &key, now)?;
        tx.audit(Some(id), "org.create", &format!("org {name}"), "")?;
        tx.commit()?;
        self.org(id)
    }

    pub fn rename_org(&mut self, id: i64, name: &str) -> Result<Org> {
        self.update_org(id, &OrgChanges { name: Some(name.to_string()), cap_days: None })
    }

    /// Sets or clears `max_token_lifetime_days` (1..=3650). Existing tokens keep their expiry; the
    /// cap applies to new tokens and to every later extension.
    pub fn set_org_cap(&mut self, id: i64, cap_days: Option<i64>) -> Result<Org> {
        self.update_org(id, &OrgChanges { name: None, cap_days: Some(cap_days) })
    }

    /// Renames an org and/or sets its cap in one transaction with one audit event. A change that
    /// changes nothing writes nothing (no event either).
    pub fn update_org(&mut self, id: i64, changes: &OrgChanges) -> Result<Org> {
        let name = changes
            .name
            .as_deref()
            .map(names::validate_org_name)
            .transpose()
            .map_err(|m| Error::invalid(Field::Name, m))?;
        let cap = changes
            .cap_days
            .map(|cap| cap.map(|d| expiry::validate_days(d, "max token lifetime")).transpose())
            .transpose()
            .map_err(|m| Error::invalid(Field::Cap, m))?;
        let tx = self.begin()?;
        let old = orgs::get(&tx, id)?
            .ok_or_else(|| Error::not_found(Entity::Token, format!("no organization with id {id}")))?;
        let renamed = name.filter(|n| *n != old.name);
        let recapped = cap.filter(|c| *c != old.max_token_lifetime_days);
        if renamed.is_none() && recapped.is_none() {
            return Ok(old);
        }
        let shown = renamed.clone().unwrap_or_else(|| old.name.clone());
        if let Some(new_name) = &renamed {
            let key = names::name_key(new_name);
            if orgs::find_by_key(&tx, &key)?.is_some_and(|other| other.id != id) {
                return Err(Error::conflict(Entity::Org, format!("an organization named '{new_name}' already exists")));
            }
            if !orgs::rename(&tx, id, new_name, &key)? {
                return Err(Error::deleted_meanwhile(Entity::Org, format!("with id {id}")));
            }
        }
        let cap_detail = recapped.map(|cap| {
            cap.map_or("max_token_lifetime_days=none".to_string(), |d| format!("max_token_lifetime_days={d}"))
        });
        if let Some(cap) = recapped
            && !orgs::set_cap(&tx, id, cap)?
        {
            return Err(Error::deleted_meanwhile(Entity::Org, format!("with id {id}")));
        }
        let target = format!("org {shown}");
        match (&renamed, cap_detail) {
            (Some(_), None) => tx.audit(Some(id), "org.rename", &target, &format!("was {}", old.name))?,
            (None, Some(cap)) => tx.audit(Some(id), "org.update", &target, &cap)?,
            (Some(_), Some(cap)) => {
                tx.audit(Some(id), "org.update", &target, &format!("name: {} -> {shown}, {cap}", old.name))?
            }
            (None, None) => {}
        }
        tx.commit()?;
        self.org(id)
    }

    /// Deletes an org and everything in it. The last org cannot be deleted.
    ///
    /// A big org is deleted a batch of accounts at a time, each batch its own short transaction,
    /// so other processes' writes (and verification's use records) wait milliseconds, not the
    /// seconds a million-token org takes. The audit event is written with the first batch; an
    /// interrupted delete leaves the org, partly emptied, to be deleted again.
    pub fn delete_org(&mut self, id: i64) -> Result<()> {
        let mut first = true;
        loop {
            let tx = self.begin()?;
            let org = org_in(&tx, id)?;
            if orgs::count(&tx)? <= 1 {
                return Err(Error::Refused(format!("'{}' is the last organization and cannot be deleted", org.name)));
            }
            if first {
                tx.audit(Some(id), "org.delete", &format!("org {}", org.name), "")?;
                // Roles of other orgs may name this org's accounts by id: those grants go now.
                for (login, grant) in roles::remove_scopes_of_org_accounts(&tx, id)? {
                    super::accounts::audit_removed_grants(&tx, std::slice::from_ref(&grant), &login)?;
                }
                first = false;
            }
            let removed = accounts::delete_some_of_org(&tx, id, ORG_DELETE_BATCH)?;
            if removed < ORG_DELETE_BATCH {
                if !orgs::delete(&tx, id)? {
                    return Err(Error::not_found(Entity::Org, format!("no organization with id {id}")));
                }
                tx.commit()?;
                return Ok(());
            }
            tx.commit()?;
        }
    }
}

/// Reads an org inside a transaction (or on the plain connection).
pub(crate) fn org_in(conn: &rusqlite::Connection, id: i64) -> Result<Org> {
    orgs::get(conn, id)?.ok_or_else(|| Error::not_found(Entity::Org, format!("no organization with id {id}")))
}
