//! Export to JSON and import into an empty store. Never secrets, never hashes: imported tokens
//! keep their metadata but get a fresh random hash nobody knows, so they cannot authenticate
//! until rotated.

use rand::RngExt;
use satui_domain::permission::Permission;

use super::export_format::{AccountExport, Export, FORMAT, GroupExport, OrgExport, RoleExport, TokenExport, VERSION};
use super::{Error, Result, Service};
use satui_domain::names;
use satui_store::bulk::{self, SeedAccountRow, SeedTokenRow};
use satui_store::roles::{self as role_store, Holder, RoleRef};
use satui_store::{accounts, groups, orgs, tokens};

fn invalid(message: String) -> Error {
    Error::Refused(format!("import refused, nothing written: {message}"))
}

/// A grant on one account in an export file (in the store it names the id).
const ACCOUNT_LOGIN_SCOPE: &str = "serviceaccounts:login:";

impl Service {
    /// Everything, or one org, as data (no secrets, no hashes).
    pub fn export(&self, only_org: Option<i64>) -> Result<Export> {
        // One read transaction: every query sees the same snapshot, so a change another process
        // commits meanwhile is either wholly in the export or wholly out of it.
        let _snapshot = self.store.snapshot()?;
        let conn = self.store.conn();
        let mut out = Vec::new();
        for org in orgs::list(conn)?.into_iter().filter(|o| only_org.is_none_or(|id| id == o.id)) {
            // By name, not by internal id: ids are renumbered on import, names are not.
            let role_names = |holder: Holder| -> Result<Vec<String>> {
                let mut held = self.role_names(holder)?;
                held.sort_by_key(|name| names::name_key(name));
                Ok(held)
            };
            let mut roles = Vec::new();
            for role in role_store::list(conn, org.id)? {
                // A grant on one account names it by login in the file: ids are renumbered on
                // import, logins are not (the import turns the login back into the new id).
                let permissions = role_store::permissions(conn, role.id)?
                    .into_iter()
                    .map(|p| match satui_domain::permission::scoped_account(&p.scope) {
                        Some(id) => match accounts::get(conn, id) {
                            Ok(Some(account)) => {
                                Ok(Permission::new(&p.action, &format!("{ACCOUNT_LOGIN_SCOPE}{}", account.login)))
                            }
                            Ok(None) => Ok(p),
                            Err(e) => Err(e),
                        },
                        None => Ok(p),
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                roles.push(RoleExport {
                    permissions,
                    name: role.name,
                    description: role.description,
                    managed_by: role.managed_by,
                });
            }
            let mut group_list = Vec::new();
            for group in groups::list(conn, org.id)? {
                group_list.push(GroupExport {
                    members: groups::members(conn, group.id)?.into_iter().map(|(_, n)| n).collect(),
                    roles: role_names(Holder::Group(group.id))?,
                    name: group.name,
                    description: group.description,
                    created_at: group.created_at,
                });
            }
            let mut account_list = Vec::new();
            let total = accounts::page(conn, org.id, "", 0, 1)?.1;
            for account in accounts::page(conn, org.id, "", 0, total.max(1))?.0 {
                let token_list = tokens::list_for_account(conn, account.id)?
                    .into_iter()
                    .rev()
                    .map(|t| TokenExport {
                        ends_at: t.ends_at(),
                        name: t.name,
                        hint: t.hint,
                        created_at: t.created_at,
                        lifetime_days: t.lifetime_days,
                        expires_at: t.expires_at,
                        max_age_days: t.max_age_days,
                        last_used_at: t.last_used_at,
                        revoked_at: t.revoked_at,
                    })
                    .collect();
                account_list.push(AccountExport {
                    roles: role_names(Holder::Account(account.id))?,
                    tokens: token_list,
                    name: account.name,
                    login: account.login,
                    description: account.description,
                    role: account.role,
                    disabled: account.disabled,
                    managed_by: account.managed_by,
                    created_at: account.created_at,
                    updated_at: account.updated_at,
                });
            }
            out.push(OrgExport {
                name: org.name,
                max_token_lifetime_days: org.max_token_lifetime_days,
                created_at: org.created_at,
                roles,
                groups: group_list,
                accounts: account_list,
            });
        }
        Ok(Export { format: FORMAT.to_string(), version: VERSION, orgs: out })
    }

    /// Restores an export into an empty store (a fresh one holds only an empty Main Org.).
    /// Everything is validated before the first write; any error writes nothing.
    pub fn import(&mut self, data: &Export) -> Result<usize> {
        super::import_rules::check(data, self.now()).map_err(invalid)?;
        let tx = self.begin()?;
        if !orgs::is_fresh(&tx)? {
            return Err(invalid("the store is not empty; import only restores into a fresh store".into()));
        }
        orgs::delete_all(&tx)?;
        // Each org gets the id its accounts' logins name (checked unique above); the others the
        // ids after the largest of those.
        let named: Vec<Option<i64>> =
            data.orgs.iter().map(|org| super::import_rules::login_org(org).ok().flatten()).collect();
        let mut next = named.iter().flatten().max().copied().unwrap_or(0);
        let mut rng = rand::rng();
        let mut count = 0;
        // Grants on one account: (role id, org id, role name, permission as in the file).
        let mut on_accounts = Vec::new();
        for (org, named) in data.orgs.iter().zip(named) {
            let id = named.unwrap_or_else(|| {
                next += 1;
                next
            });
            let org_id = orgs::insert_with_id(&tx, id, &org.name, &names::name_key(&org.name), org.created_at)?;
            if !orgs::set_cap(&tx, org_id, org.max_token_lifetime_days)? {
                return Err(Error::deleted_meanwhile(crate::Entity::Org, format!("with id {org_id}")));
            }
            let mut role_ids = std::collections::HashMap::new();
            for role in &org.roles {
                let id = role_store::insert(
                    &tx,
                    org_id,
                    &role.name,
                    &names::name_key(&role.name),
                    &role.description,
                    role.managed_by.as_deref(),
                    org.created_at,
                )?;
                for p in &role.permissions {
                    if p.scope.starts_with(satui_domain::permission::ACCOUNT_SCOPE_PREFIX)
                        || p.scope.starts_with(ACCOUNT_LOGIN_SCOPE)
                    {
                        // Named accounts get their ids once every org's accounts are in.
                        on_accounts.push((id, org_id, role.name.clone(), p.clone()));
                    } else {
                        role_store::add_permission(&tx, id, p)?;
                    }
                }
                role_ids.insert(names::name_key(&role.name), id);
            }
            let reference = |name: &str| -> RoleRef {
                match role_ids.get(&names::name_key(name)) {
                    Some(id) => RoleRef::Custom(*id),
                    None => RoleRef::Fixed(name.to_string()),
                }
            };
            let mut account_ids = std::collections::HashMap::new();
            for a in &org.accounts {
                let key = names::name_key(&a.name);
                let id = bulk::insert_account(
                    &tx,
                    &SeedAccountRow {
                        org_id,
                        name: &a.name,
                        name_key: &key,
                        login: &a.login,
                        description: &a.description,
                        role: a.role,
                        disabled: a.disabled,
                        managed_by: a.managed_by.as_deref(),
                        created_at: a.created_at,
                        updated_at: a.updated_at,
                    },
                )?;
                account_ids.insert(key, id);
                for role in &a.roles {
                    role_store::assign(&tx, Holder::Account(id), &reference(role))?;
                }
                for t in &a.tokens {
                    // A hash of 32 random bytes: no token string can match it.
                    let hash: [u8; 32] = rng.random();
                    bulk::insert_token(
                        &tx,
                        &SeedTokenRow {
                            sa_id: id,
                            name: &t.name,
                            hash: &hash,
                            hint: &t.hint,
                            created_at: t.created_at,
                            lifetime_days: t.lifetime_days,
                            expires_at: t.expires_at,
                            max_age_days: t.max_age_days,
                            last_used_at: t.last_used_at,
                            revoked_at: t.revoked_at,
                            imported: true,
                        },
                    )?;
                }
                count += 1;
            }
            for g in &org.groups {
                let id = groups::insert(&tx, org_id, &g.name, &names::name_key(&g.name), &g.description, g.created_at)?;
                for member in &g.members {
                    if let Some(sa) = account_ids.get(&names::name_key(member)) {
                        groups::add_member(&tx, id, *sa)?;
                    }
                }
                for role in &g.roles {
                    role_store::assign(&tx, Holder::Group(id), &reference(role))?;
                }
            }
            let details =
                format!("{} accounts, {} roles, {} groups", org.accounts.len(), org.roles.len(), org.groups.len());
            tx.audit(Some(org_id), "import", &format!("org {}", org.name), &details)?;
        }
        for (role_id, org_id, role, p) in on_accounts {
            // By login: the account as imported. An id from another store names nothing here,
            // and neither does a login the file does not hold: the grant goes, with an event.
            let account = match p.scope.strip_prefix(ACCOUNT_LOGIN_SCOPE) {
                Some(login) => accounts::find_by_login(&tx, login)?,
                None => None,
            };
            match account {
                Some(account) => {
                    let scope = satui_domain::permission::account_scope(account.id);
                    role_store::add_permission(&tx, role_id, &Permission::new(&p.action, &scope))?;
                }
                None => {
                    let details = format!("{} (names no service account of this import)", p.describe());
                    tx.audit(Some(org_id), "role.permission.remove", &format!("role {role}"), &details)?;
                }
            }
        }
        tx.commit()?;
        Ok(count)
    }
}
