//! Groups: create, rename, delete, members, roles.

use super::Entity;
use super::{Error, Field, Result, Service};
use satui_domain::names;
use satui_store::groups;
use satui_store::roles::Holder;

pub use satui_domain::model::{Group, GroupDetail};

impl Service {
    pub fn groups(&self, org_id: i64) -> Result<Vec<Group>> {
        Ok(groups::list(self.store.conn(), org_id)?)
    }

    pub fn find_group(&self, org_id: i64, name: &str) -> Result<Group> {
        groups::find_by_key(self.store.conn(), org_id, &names::name_key(name))?
            .ok_or_else(|| Error::not_found(Entity::Group, format!("no group named '{}'", name.trim())))
    }

    /// Every group of an org with its members and roles (one query).
    pub fn group_details(&self, org_id: i64) -> Result<Vec<GroupDetail>> {
        Ok(groups::details(self.store.conn(), org_id)?)
    }

    /// The groups an account is in.
    pub fn account_groups(&self, account_id: i64) -> Result<Vec<Group>> {
        Ok(groups::of_account(self.store.conn(), account_id)?)
    }

    pub fn create_group(&mut self, org_id: i64, name: &str, description: &str) -> Result<Group> {
        let org = self.org(org_id)?;
        let name = names::validate_label_name(name, "group").map_err(|m| Error::invalid(Field::Name, m))?;
        let description =
            names::validate_description(description).map_err(|m| Error::invalid(Field::Description, m))?;
        let key = names::name_key(&name);
        let tx = self.begin()?;
        let now = tx.now;
        if groups::find_by_key(&tx, org_id, &key)?.is_some() {
            return Err(Error::conflict(
                Entity::Group,
                format!("a group named '{name}' already exists in {}", org.name),
            ));
        }
        let id = groups::insert(&tx, org_id, &name, &key, &description, now)?;
        tx.audit(Some(org_id), "group.create", &format!("group {name}"), "")?;
        tx.commit()?;
        groups::get(self.store.conn(), id)?.ok_or_else(|| Error::not_found(Entity::Group, "group vanished"))
    }

    pub fn rename_group(&mut self, org_id: i64, name: &str, new_name: &str) -> Result<Group> {
        let group = self.find_group(org_id, name)?;
        let new_name = names::validate_label_name(new_name, "group").map_err(|m| Error::invalid(Field::Name, m))?;
        let key = names::name_key(&new_name);
        let tx = self.begin()?;
        if groups::find_by_key(&tx, org_id, &key)?.is_some_and(|g| g.id != group.id) {
            return Err(Error::conflict(Entity::Group, format!("a group named '{new_name}' already exists")));
        }
        if !groups::rename(&tx, group.id, &new_name, &key)? {
            return Err(Error::deleted_meanwhile(Entity::Group, format!("with id {}", group.id)));
        }
        let details = format!("was {}", group.name);
        tx.audit(Some(org_id), "group.rename", &format!("group {new_name}"), &details)?;
        tx.commit()?;
        groups::get(self.store.conn(), group.id)?.ok_or_else(|| Error::not_found(Entity::Group, "group vanished"))
    }

    pub fn delete_group(&mut self, org_id: i64, name: &str) -> Result<()> {
        let group = self.find_group(org_id, name)?;
        let tx = self.begin()?;
        if !groups::delete(&tx, group.id)? {
            return Err(Error::deleted_meanwhile(Entity::Group, format!("'{}'", group.name)));
        }
        tx.audit(Some(org_id), "group.delete", &format!("group {}", group.name), "")?;
        tx.commit()?;
        Ok(())
    }

    /// Adds or removes a member named by id, login or name (as typed in a form or on the
    /// command line). Returns the account and whether anything changed; an unknown account is
    /// an input error on [`Field::Account`].
    pub fn change_membership_by_ref(
        &mut self,
        org_id: i64,
        group: &str,
        account: &str,
        add: bool,
    ) -> Result<(super::Account, bool)> {
        let account = self.find_account(org_id, account).map_err(|e| match e {
            Error::NotFound { message, .. } => Error::invalid(Field::Account, message),
            other => other,
        })?;
        let changed = self.change_membership(org_id, group, account.id, add)?;
        Ok((account, changed))
    }

    /// Adds or removes a member. Returns false when nothing changed.
    pub fn change_membership(&mut self, org_id: i64, group: &str, account_id: i64, add: bool) -> Result<bool> {
        let group = self.find_group(org_id, group)?;
        let account = self.account(account_id)?;
        // A managed account holds exactly its plugin's permissions: no group can add to them.
        Service::ensure_unmanaged(&account)?;
        if account.org_id != org_id {
            return Err(Error::Refused(format!("'{}' is in another organization", account.name)));
        }
        let tx = self.begin()?;
        let changed = if add {
            groups::add_member(&tx, group.id, account.id)?
        } else {
            groups::remove_member(&tx, group.id, account.id)?
        };
        if changed {
            let action = if add { "group.member.add" } else { "group.member.remove" };
            tx.audit(Some(org_id), action, &format!("group {}", group.name), &format!("sa={}", account.name))?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Gives a group a fixed or custom role (or takes it away).
    pub fn assign_group_role(&mut self, org_id: i64, group: &str, role: &str, assign: bool) -> Result<bool> {
        let group = self.find_group(org_id, group)?;
        self.change_assignment(org_id, Holder::Group(group.id), &format!("group {}", group.name), role, assign)
    }
}
