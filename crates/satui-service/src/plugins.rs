//! Plugin-managed accounts, from a plugin's `plugin.json` `iam.permissions`: an `extsvc-<id>`
//! account with a managed role holding exactly those permissions and a token, created in one
//! transaction. Registering again (a new plugin version) updates the role's permissions in
//! place and keeps the account and its token, as Grafana does. Admins cannot edit, disable,
//! delete or issue tokens for them (they may rotate or revoke a leaked token); only
//! unregistering the plugin removes them.

use std::path::Path;

use serde::Deserialize;

use super::Entity;
use super::{Error, IssuedToken, Result, Service};
use crate::accounts::insert_account_in;
use crate::tokens::issue_in;
use satui_domain::expiry::{ExpiryRequest, Lifetime};
use satui_domain::names::{self, RESERVED_PREFIX};
use satui_domain::permission::{self, Permission};
use satui_domain::role::BasicRole;
use satui_store::roles::{self, Holder, RoleRef};
use satui_store::{accounts, orgs};

#[derive(Deserialize)]
struct PluginJson {
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    iam: Option<Iam>,
}

#[derive(Deserialize)]
struct Iam {
    #[serde(default)]
    permissions: Vec<Permission>,
}

/// What `plugin register` produced: the account and, on a first registration, its token
/// (shown once); on a second one, how the permissions changed.
#[derive(Debug)]
pub struct PluginRegistration {
    pub plugin_id: String,
    pub account: super::Account,
    pub permissions: Vec<Permission>,
    pub outcome: Registered,
}

#[derive(Debug)]
pub enum Registered {
    /// A new account with its first token.
    New(IssuedToken),
    /// Already registered in this org: the role now holds exactly the declared permissions.
    Updated { added: Vec<Permission>, removed: Vec<Permission> },
}

impl PluginRegistration {
    /// The new token, when this registration made one.
    pub fn token(&self) -> Option<&IssuedToken> {
        match &self.outcome {
            Registered::New(issued) => Some(issued),
            Registered::Updated { .. } => None,
        }
    }
}

/// A registered plugin, for `plugin list`.
#[derive(Clone, Debug)]
pub struct PluginSummary {
    pub plugin_id: String,
    pub account: super::Account,
    pub permissions: usize,
    pub live_tokens: usize,
}

impl Service {
    pub fn register_plugin(&mut self, org_id: i64, path: &Path) -> Result<PluginRegistration> {
        let text = self.read_plugin_json(path)?;
        self.register_plugin_json(org_id, &text, &path.display().to_string())
    }

    /// Registers `plugin_id` again from `path`; a file of another plugin is refused, so
    /// "register again" never adds a second plugin by mistake.
    pub fn register_plugin_again(&mut self, org_id: i64, path: &Path, plugin_id: &str) -> Result<PluginRegistration> {
        let text = self.read_plugin_json(path)?;
        let declared = serde_json::from_str::<PluginJson>(&text).ok().and_then(|p| p.id);
        if let Some(other) = declared.filter(|id| id.trim() != plugin_id) {
            return Err(Error::Refused(format!(
                "{}: is plugin {}'s plugin.json, not {plugin_id}'s",
                path.display(),
                satui_domain::text::for_terminal(other.trim())
            )));
        }
        self.register_plugin_json(org_id, &text, &path.display().to_string())
    }

    fn read_plugin_json(&self, path: &Path) -> Result<String> {
        if self.is_store_file(path) {
            return Err(Error::Refused(format!(
                "{}: that is the satui store itself, not a plugin.json",
                path.display()
            )));
        }
        crate::bounded::read_to_string(path, crate::bounded::SMALL_FILE)
            .map_err(|e| Error::Refused(format!("{}: {e}", path.display())))
    }

    /// Like [`Service::register_plugin`] with the plugin.json text in hand; `shown` names its
    /// source in error messages.
    pub fn register_plugin_json(&mut self, org_id: i64, text: &str, shown: &str) -> Result<PluginRegistration> {
        let plugin: PluginJson =
            serde_json::from_str(text).map_err(|e| Error::Refused(format!("{shown}: not valid plugin JSON: {e}")))?;
        let id = plugin.id.ok_or_else(|| Error::Refused(format!("{shown}: has no \"id\"")))?;
        let id = names::validate_plugin_id(&id).map_err(|m| Error::Refused(format!("{shown}: {m}")))?;
        let wanted = plugin.iam.map(|iam| iam.permissions).unwrap_or_default();
        if wanted.is_empty() {
            return Err(Error::Refused(format!("{shown}: declares no iam.permissions; nothing to manage")));
        }
        let mut checked = Vec::new();
        for p in &wanted {
            let p = permission::validate_permission(&p.action, &p.scope, Some(&id))
                .map_err(|m| Error::Refused(format!("{shown}: {m}")))?;
            if !checked.contains(&p) {
                checked.push(p);
            }
        }
        let org = self.org(org_id)?;
        let tx = self.begin()?;
        let now = tx.now;
        if let Some(existing) = accounts::managed_by(&tx, &id)? {
            if existing.org_id != org_id {
                let other = orgs::get(&tx, existing.org_id)?.map(|o| o.name).unwrap_or_default();
                return Err(Error::Refused(format!(
                    "plugin {id} is already registered in {other}; unregister it there first"
                )));
            }
            let role_name = format!("managed:{id}");
            let role = roles::find_by_key(&tx, org_id, &names::name_key(&role_name))?.ok_or_else(|| {
                Error::not_found(Entity::Plugin, format!("the role {role_name} of plugin {id} is missing"))
            })?;
            let held = roles::permissions(&tx, role.id)?;
            let removed: Vec<Permission> = held.iter().filter(|p| !checked.contains(p)).cloned().collect();
            let added: Vec<Permission> = checked.iter().filter(|p| !held.contains(p)).cloned().collect();
            for p in &removed {
                roles::remove_permission(&tx, role.id, p)?;
            }
            for p in &added {
                roles::add_permission(&tx, role.id, p)?;
            }
            if !added.is_empty() || !removed.is_empty() {
                let list = |ps: &[Permission]| ps.iter().map(Permission::describe).collect::<Vec<_>>().join(", ");
                let details = format!("added: {}; removed: {}", list(&added), list(&removed));
                tx.audit(Some(org_id), "plugin.update", &format!("plugin {id}"), &details)?;
            }
            tx.commit()?;
            return Ok(PluginRegistration {
                plugin_id: id,
                account: existing,
                permissions: checked,
                outcome: Registered::Updated { added, removed },
            });
        }
        let name = format!("{RESERVED_PREFIX}{id}");
        let description = format!("Managed by plugin {}", plugin.name.as_deref().unwrap_or(&id));
        let account_id = insert_account_in(&tx, &org, &name, &description, BasicRole::None, false, Some(&id))?;
        let role_name = format!("managed:{id}");
        let role_id = roles::insert(&tx, org_id, &role_name, &role_name, &description, Some(&id), now)?;
        for p in &checked {
            roles::add_permission(&tx, role_id, p)?;
        }
        roles::assign(&tx, Holder::Account(account_id), &RoleRef::Custom(role_id))?;
        let account =
            accounts::get(&tx, account_id)?.ok_or_else(|| Error::not_found(Entity::Account, "account vanished"))?;
        // The plugin's token lives as long as the org allows (a year when uncapped).
        let days = org.max_token_lifetime_days.unwrap_or(365).min(365);
        let request = super::NewToken {
            name: "plugin".to_string(),
            expiry: ExpiryRequest { lifetime: Lifetime::Days(days), extended_max_age_days: None },
        };
        let (token_id, secret) = issue_in(&tx, &org, &account, &request, None, &mut rand::rng())?;
        let details = checked.iter().map(Permission::describe).collect::<Vec<_>>().join(", ");
        tx.audit(Some(org_id), "plugin.register", &format!("plugin {id}"), &details)?;
        tx.commit()?;
        Ok(PluginRegistration {
            plugin_id: id,
            account,
            permissions: checked,
            outcome: Registered::New(IssuedToken { token: self.token(token_id)?, secret }),
        })
    }

    /// Every registered plugin of every org, by plugin id.
    pub fn plugins(&self) -> Result<Vec<PluginSummary>> {
        let now = self.now();
        let mut out = Vec::new();
        for account in accounts::all_managed(self.store.conn())? {
            let Some(plugin_id) = account.managed_by.clone() else { continue };
            let role = roles::find_by_key(
                self.store.conn(),
                account.org_id,
                &names::name_key(&format!("managed:{plugin_id}")),
            )?;
            let permissions = match role {
                Some(role) => roles::permissions(self.store.conn(), role.id)?.len(),
                None => 0,
            };
            let live_tokens = satui_store::tokens::list_for_account(self.store.conn(), account.id)?
                .iter()
                .filter(|t| t.status(account.disabled, now).is_live())
                .count();
            out.push(PluginSummary { plugin_id, account, permissions, live_tokens });
        }
        out.sort_by(|a, b| a.plugin_id.cmp(&b.plugin_id));
        Ok(out)
    }

    /// Removes a plugin's managed account (with its tokens) and its managed role.
    pub fn unregister_plugin(&mut self, plugin_id: &str) -> Result<()> {
        let tx = self.begin()?;
        let account = accounts::managed_by(&tx, plugin_id.trim())?.ok_or_else(|| {
            Error::not_found(Entity::Plugin, format!("plugin {} is not registered", plugin_id.trim()))
        })?;
        if !accounts::delete(&tx, account.id)? {
            return Err(Error::not_found(Entity::Plugin, format!("plugin {} is not registered", plugin_id.trim())));
        }
        roles::delete_managed(&tx, plugin_id.trim())?;
        tx.audit(Some(account.org_id), "plugin.unregister", &format!("plugin {}", plugin_id.trim()), "")?;
        super::accounts::remove_grants_naming(&tx, &account)?;
        tx.commit()?;
        Ok(())
    }
}
