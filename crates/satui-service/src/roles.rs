//! Roles: the built-in basic and fixed roles (read-only, from the catalog), custom roles per org
//! with their permissions, assignments to accounts, and effective permissions.

use serde::Serialize;

use super::Entity;
use super::{Account, Error, Field, Result, Service};
use satui_domain::names;
use satui_domain::permission::{self, Catalog, Permission};
use satui_domain::role::{BasicRole, RoleKind};
use satui_store::roles::{self, Holder, RoleRef};
use satui_store::{accounts, groups};

pub use satui_domain::model::Role;

/// Any role as the UI and CLI list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleSummary {
    pub name: String,
    pub kind: RoleKind,
    pub description: String,
    /// Set for custom and managed roles.
    pub id: Option<i64>,
    pub managed_by: Option<String>,
    /// Grafana's role group for a fixed role ("Dashboards", "Alerting", ...).
    pub group: Option<String>,
}

impl RoleSummary {
    pub fn read_only(&self) -> bool {
        self.kind.read_only()
    }
}

/// One effective permission and every place it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub action: String,
    pub scope: String,
    pub sources: Vec<String>,
}

impl Service {
    /// The org's own roles (custom, then managed) first, where an admin looks for them; then the
    /// basic roles; then the fixed roles by Grafana's group and name.
    pub fn roles(&self, org_id: i64) -> Result<Vec<RoleSummary>> {
        let catalog = Catalog::get();
        let mut all: Vec<RoleSummary> = Vec::new();
        let mut own = roles::list(self.store.conn(), org_id)?;
        own.sort_by_key(|r| (r.managed_by.is_some(), names::name_key(&r.name)));
        for role in own {
            all.push(RoleSummary {
                name: role.name,
                kind: if role.managed_by.is_some() { RoleKind::Managed } else { RoleKind::Custom },
                description: role.description,
                id: Some(role.id),
                managed_by: role.managed_by,
                group: None,
            });
        }
        all.extend(BasicRole::ALL.iter().map(|r| RoleSummary {
            name: r.to_string(),
            kind: RoleKind::Basic,
            description: format!("basic role: {} permissions", catalog.basic_role(*r).len()),
            id: None,
            managed_by: None,
            group: None,
        }));
        let mut fixed: Vec<&satui_domain::permission::FixedRole> = catalog.fixed_roles.iter().collect();
        // By Grafana's group as a reader sorts it (Alerting before API Keys), then by name.
        fixed.sort_by_key(|r| (r.group.to_lowercase(), r.name.clone()));
        all.extend(fixed.into_iter().map(|r| RoleSummary {
            name: r.name.clone(),
            kind: RoleKind::Fixed,
            description: if r.description.is_empty() { r.display_name.clone() } else { r.description.clone() },
            id: None,
            managed_by: None,
            group: Some(r.group.clone()),
        }));
        Ok(all)
    }

    /// Finds a role by name: basic, fixed (`fixed:...`) or one of the org's own.
    pub fn find_role(&self, org_id: i64, name: &str) -> Result<RoleSummary> {
        let key = names::name_key(name);
        self.roles(org_id)?
            .into_iter()
            .find(|r| names::name_key(&r.name) == key)
            .ok_or_else(|| Error::not_found(Entity::Role, format!("no role named '{}'", name.trim())))
    }

    /// The permissions a role grants.
    pub fn role_permissions(&self, role: &RoleSummary) -> Result<Vec<Permission>> {
        let catalog = Catalog::get();
        Ok(match role.kind {
            RoleKind::Basic => {
                role.name.parse::<BasicRole>().map(|r| catalog.basic_role(r).to_vec()).unwrap_or_default()
            }
            RoleKind::Fixed => catalog.fixed_role(&role.name).map(|r| r.permissions.clone()).unwrap_or_default(),
            RoleKind::Custom | RoleKind::Managed => roles::permissions(self.store.conn(), role.id.unwrap_or_default())?,
        })
    }

    /// Accounts and groups of the org that hold a role directly (for basic roles: the accounts
    /// with that basic role are not listed here; see the account list).
    pub fn role_holders(&self, org_id: i64, role: &RoleSummary) -> Result<(Vec<String>, Vec<String>)> {
        match role_ref(role) {
            Some(reference) => Ok(roles::holders(self.store.conn(), org_id, &reference)?),
            None => Ok((Vec::new(), Vec::new())),
        }
    }

    pub fn create_role(
        &mut self,
        org_id: i64,
        name: &str,
        description: &str,
        permissions: &[(String, String)],
    ) -> Result<Role> {
        let org = self.org(org_id)?;
        let name = names::validate_label_name(name, "role").map_err(|m| Error::invalid(Field::Name, m))?;
        if reserved_role_name(&name) {
            return Err(Error::invalid(Field::Name, format!("'{name}' is reserved for built-in roles")));
        }
        let description =
            names::validate_description(description).map_err(|m| Error::invalid(Field::Description, m))?;
        let mut checked = permissions
            .iter()
            .map(|(a, s)| permission::validate_permission(a, s, None))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|m| Error::invalid(Field::Role, m))?;
        // The same permission given twice is stored once; so it is audited (and reported) once.
        let mut seen = std::collections::HashSet::new();
        checked.retain(|p| seen.insert(p.clone()));
        let tx = self.begin()?;
        let now = tx.now;
        if roles::find_by_key(&tx, org_id, &names::name_key(&name))?.is_some() {
            return Err(Error::conflict(Entity::Role, format!("a role named '{name}' already exists in {}", org.name)));
        }
        let id = roles::insert(&tx, org_id, &name, &names::name_key(&name), &description, None, now)?;
        for p in &checked {
            roles::add_permission(&tx, id, p)?;
        }
        let details = checked.iter().map(Permission::describe).collect::<Vec<_>>().join(", ");
        tx.audit(Some(org_id), "role.create", &format!("role {name}"), &details)?;
        tx.commit()?;
        roles::get(self.store.conn(), id)?.ok_or_else(|| Error::not_found(Entity::Role, "role vanished"))
    }

    /// Renames a custom role and/or changes its description; each kind of change is audited
    /// (`role.rename` with the old name, `role.update` for the description); nothing changes, no
    /// event. Built-in and plugin roles are refused, as for every other change of a role.
    pub fn update_role(
        &mut self,
        org_id: i64,
        name: &str,
        new_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Role> {
        let old = self.custom_role(org_id, name)?;
        let renamed = match new_name {
            Some(new_name) => {
                let new_name =
                    names::validate_label_name(new_name, "role").map_err(|m| Error::invalid(Field::Name, m))?;
                if reserved_role_name(&new_name) {
                    return Err(Error::invalid(Field::Name, format!("'{new_name}' is reserved for built-in roles")));
                }
                new_name
            }
            None => old.name.clone(),
        };
        let description = match description {
            Some(text) => names::validate_description(text).map_err(|m| Error::invalid(Field::Description, m))?,
            None => old.description.clone(),
        };
        if renamed == old.name && description == old.description {
            return Ok(old);
        }
        let key = names::name_key(&renamed);
        let tx = self.begin()?;
        if roles::find_by_key(&tx, org_id, &key)?.is_some_and(|other| other.id != old.id) {
            return Err(Error::conflict(Entity::Role, format!("a role named '{renamed}' already exists")));
        }
        if !roles::update(&tx, old.id, &renamed, &key, &description)? {
            return Err(Error::deleted_meanwhile(Entity::Role, format!("'{}'", old.name)));
        }
        if renamed != old.name {
            tx.audit(Some(org_id), "role.rename", &format!("role {renamed}"), &format!("was {}", old.name))?;
        }
        if description != old.description {
            tx.audit(Some(org_id), "role.update", &format!("role {renamed}"), "description changed")?;
        }
        tx.commit()?;
        roles::get(self.store.conn(), old.id)?.ok_or_else(|| Error::not_found(Entity::Role, "role vanished"))
    }

    fn custom_role(&self, org_id: i64, name: &str) -> Result<Role> {
        let role = self.find_role(org_id, name)?;
        match (role.kind, role.id) {
            (RoleKind::Custom, Some(id)) => roles::get(self.store.conn(), id)?
                .ok_or_else(|| Error::not_found(Entity::Role, format!("no role '{name}'"))),
            (RoleKind::Managed, _) => Err(Error::Refused(format!(
                "role '{}' is managed by plugin {}",
                role.name,
                role.managed_by.unwrap_or_default()
            ))),
            _ => Err(Error::Refused(format!("'{}' is a built-in {} role and cannot be changed", role.name, role.kind))),
        }
    }

    /// Adds (`grant = true`) or removes a permission of a custom role.
    pub fn change_role_permission(
        &mut self,
        org_id: i64,
        role: &str,
        action: &str,
        scope: &str,
        grant: bool,
    ) -> Result<bool> {
        let role = self.custom_role(org_id, role)?;
        let p = if grant {
            permission::validate_permission(action, scope, None).map_err(|m| Error::invalid(Field::Role, m))?
        } else {
            Permission::new(action.trim(), scope.trim())
        };
        let tx = self.begin()?;
        let changed =
            if grant { roles::add_permission(&tx, role.id, &p)? } else { roles::remove_permission(&tx, role.id, &p)? };
        if changed {
            let action = if grant { "role.permission.add" } else { "role.permission.remove" };
            tx.audit(Some(org_id), action, &format!("role {}", role.name), &p.describe())?;
        }
        tx.commit()?;
        Ok(changed)
    }

    pub fn delete_role(&mut self, org_id: i64, name: &str) -> Result<()> {
        let role = self.custom_role(org_id, name)?;
        let tx = self.begin()?;
        if !roles::delete(&tx, role.id)? {
            return Err(Error::deleted_meanwhile(Entity::Role, format!("'{}'", role.name)));
        }
        tx.audit(Some(org_id), "role.delete", &format!("role {}", role.name), "")?;
        tx.commit()?;
        Ok(())
    }

    /// Gives an account (directly) a fixed or custom role.
    pub fn assign_role(&mut self, account_id: i64, role: &str, assign: bool) -> Result<bool> {
        let account = self.account(account_id)?;
        Service::ensure_unmanaged(&account)?;
        self.change_assignment(
            account.org_id,
            Holder::Account(account.id),
            &format!("sa {}", account.name),
            role,
            assign,
        )
    }

    pub(crate) fn change_assignment(
        &mut self,
        org_id: i64,
        holder: Holder,
        target: &str,
        role: &str,
        assign: bool,
    ) -> Result<bool> {
        let summary = self.find_role(org_id, role)?;
        let reference = match (summary.kind, role_ref(&summary)) {
            (RoleKind::Basic, _) => {
                return Err(Error::Refused(format!(
                    "{} is a basic role: set it with `sa update --role`, an account has exactly one",
                    summary.name
                )));
            }
            (RoleKind::Managed, _) => {
                return Err(Error::Refused(format!("role '{}' is managed by a plugin", summary.name)));
            }
            (_, Some(reference)) => reference,
            _ => return Err(Error::not_found(Entity::Role, format!("no role named '{role}'"))),
        };
        let tx = self.begin()?;
        let changed =
            if assign { roles::assign(&tx, holder, &reference)? } else { roles::unassign(&tx, holder, &reference)? };
        if changed {
            let action = if assign { "role.assign" } else { "role.unassign" };
            tx.audit(Some(org_id), action, target, &format!("role={}", summary.name))?;
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Names of the roles an account holds directly (not counting its basic role and groups).
    pub fn account_roles(&self, account_id: i64) -> Result<Vec<String>> {
        self.role_names(Holder::Account(account_id))
    }

    pub(crate) fn role_names(&self, holder: Holder) -> Result<Vec<String>> {
        let conn = self.store.conn();
        roles::assigned(conn, holder)?
            .into_iter()
            .map(|r| match r {
                RoleRef::Fixed(name) => Ok(name),
                RoleRef::Custom(id) => Ok(roles::get(conn, id)?.map(|r| r.name).unwrap_or_default()),
            })
            .collect()
    }

    /// Effective permissions = basic role ∪ direct roles ∪ roles of the account's groups, each
    /// with where it came from.
    pub fn effective_permissions(&self, account: &Account) -> Result<Vec<Grant>> {
        let conn = self.store.conn();
        let catalog = Catalog::get();
        let mut grants: Vec<(Permission, String)> = catalog
            .basic_role(account.role)
            .iter()
            .map(|p| (p.clone(), format!("basic role {}", account.role)))
            .collect();
        let add_role = |reference: &RoleRef, via: &str, grants: &mut Vec<(Permission, String)>| -> Result<()> {
            let (name, permissions) = match reference {
                RoleRef::Fixed(name) => {
                    (name.clone(), catalog.fixed_role(name).map(|r| r.permissions.clone()).unwrap_or_default())
                }
                RoleRef::Custom(id) => {
                    (roles::get(conn, *id)?.map(|r| r.name).unwrap_or_default(), roles::permissions(conn, *id)?)
                }
            };
            grants.extend(permissions.into_iter().map(|p| (p, format!("{via}role {name}"))));
            Ok(())
        };
        for reference in roles::assigned(conn, Holder::Account(account.id))? {
            add_role(&reference, "", &mut grants)?;
        }
        for group in groups::of_account(conn, account.id)? {
            for reference in roles::assigned(conn, Holder::Group(group.id))? {
                add_role(&reference, &format!("group {} → ", group.name), &mut grants)?;
            }
        }
        grants.sort();
        let mut merged: Vec<Grant> = Vec::new();
        for (p, source) in grants {
            match merged.last_mut() {
                Some(last) if last.action == p.action && last.scope == p.scope => {
                    if !last.sources.contains(&source) {
                        last.sources.push(source);
                    }
                }
                _ => merged.push(Grant { action: p.action, scope: p.scope, sources: vec![source] }),
            }
        }
        Ok(merged)
    }

    /// Whether an account's effective permissions allow `action` on `scope`.
    pub fn account_allows(&self, account_id: i64, action: &str, scope: &str) -> Result<bool> {
        let account = accounts::get(self.store.conn(), account_id)?
            .ok_or_else(|| Error::not_found(Entity::Account, format!("no service account with id {account_id}")))?;
        Ok(self.access_rights(account.id, account.role)?.allows(action, scope))
    }

    /// What an account may do, for checking requests: the same permissions as
    /// [`Service::effective_permissions`] without their sources, read in two queries, the basic
    /// role's taken from the catalog without a copy.
    pub fn access_rights(&self, account_id: i64, role: BasicRole) -> Result<AccessRights> {
        let catalog = Catalog::get();
        let (mut extra, fixed) = roles::rights_of_account(self.store.conn(), account_id)?;
        for name in fixed {
            extra.extend(catalog.fixed_role(&name).into_iter().flat_map(|r| r.permissions.iter().cloned()));
        }
        Ok(AccessRights { basic: catalog.basic_role(role), extra })
    }
}

/// An account's permissions for checking (see [`Service::access_rights`]).
#[derive(Clone, Debug)]
pub struct AccessRights {
    basic: &'static [Permission],
    extra: Vec<Permission>,
}

impl AccessRights {
    pub fn allows(&self, action: &str, scope: &str) -> bool {
        permission::allows(self.iter(), action, scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Permission> {
        self.basic.iter().chain(self.extra.iter())
    }
}

/// Names a custom role may not take: the basic roles and the `fixed:` and `managed:` prefixes,
/// compared case-insensitively like every other role name (else a custom `FIXED:x` would shadow
/// or be mistaken for the built-in `fixed:x`).
pub(crate) fn reserved_role_name(name: &str) -> bool {
    let key = names::name_key(name);
    name.parse::<BasicRole>().is_ok() || key.starts_with("fixed:") || key.starts_with("managed:")
}

fn role_ref(role: &RoleSummary) -> Option<RoleRef> {
    match (role.kind, role.id) {
        (RoleKind::Fixed, _) => Some(RoleRef::Fixed(role.name.clone())),
        (_, Some(id)) => Some(RoleRef::Custom(id)),
        _ => None,
    }
}
