//! `satui role ...`, `satui group ...`, `satui plugin ...`, `satui sa permissions`.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::output::{print_json, table};
use super::{Cli, CliResult, selected_org};
use crate::domain::permission::{Catalog, parse_permission};
use crate::service::Service;

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// List roles: basic, fixed (built-in, read-only), and the org's custom and managed roles.
    List,
    /// Show a role's permissions and who holds it.
    Show { role: String },
    /// The catalog of actions and the scopes they take.
    Actions,
    /// Create a custom role: --permission ACTION[=SCOPE], repeatable.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long = "permission", value_name = "ACTION[=SCOPE]")]
        permissions: Vec<String>,
    },
    /// Add a permission to a custom role.
    Grant {
        role: String,
        #[arg(value_name = "ACTION[=SCOPE]")]
        permission: String,
    },
    /// Remove a permission from a custom role.
    Ungrant {
        role: String,
        #[arg(value_name = "ACTION[=SCOPE]")]
        permission: String,
    },
    /// Delete a custom role (its assignments go with it).
    Delete { role: String },
    /// Give an account a fixed or custom role.
    Assign {
        role: String,
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
    /// Take a role away from an account.
    Unassign {
        role: String,
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// List groups with their members and roles.
    List,
    /// Create a group.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Rename a group.
    Rename { group: String, new_name: String },
    /// Delete a group (members stay; they lose the group's roles).
    Delete { group: String },
    /// Add an account to a group (it gains the group's roles).
    AddMember {
        group: String,
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
    /// Remove an account from a group.
    RemoveMember {
        group: String,
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
    /// Give a group a fixed or custom role.
    AddRole { group: String, role: String },
    /// Take a role away from a group.
    RemoveRole { group: String, role: String },
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create the plugin's managed account, role and token from its plugin.json.
    Register { path: PathBuf },
    /// Remove a plugin's managed account, tokens and role.
    Unregister { id: String },
}

pub fn run_role(service: &mut Service, cli: &Cli, command: &RoleCommand) -> CliResult {
    let org = selected_org(service, cli)?;
    match command {
        RoleCommand::List => {
            let roles = service.roles(org.id)?;
            if cli.json {
                print_json(&serde_json::to_value(&roles)?);
            } else {
                let rows: Vec<_> =
                    roles.iter().map(|r| vec![r.name.clone(), r.kind.to_string(), r.description.clone()]).collect();
                table(&["NAME", "KIND", "DESCRIPTION"], &rows);
            }
        }
        RoleCommand::Show { role } => {
            let role = service.find_role(org.id, role)?;
            let permissions = service.role_permissions(&role)?;
            let (accounts, groups) = service.role_holders(org.id, &role)?;
            if cli.json {
                print_json(&json!({"role": role, "permissions": permissions, "accounts": accounts, "groups": groups}));
            } else {
                println!("{} ({}){}", role.name, role.kind, if role.read_only() { ", read-only" } else { "" });
                let rows: Vec<_> = permissions.iter().map(|p| vec![p.action.clone(), p.scope.clone()]).collect();
                table(&["ACTION", "SCOPE"], &rows);
                println!(
                    "held by accounts: {}",
                    if accounts.is_empty() { "-".to_string() } else { accounts.join(", ") }
                );
                println!("held by groups:   {}", if groups.is_empty() { "-".to_string() } else { groups.join(", ") });
            }
        }
        RoleCommand::Actions => {
            let catalog = Catalog::get();
            if cli.json {
                let values: Vec<_> = catalog
                    .actions
                    .iter()
                    .map(|a| json!({"action": a.action, "scopes": a.scopes, "description": a.description}))
                    .collect();
                print_json(&values.into());
            } else {
                let rows: Vec<_> = catalog
                    .actions
                    .iter()
                    .map(|a| vec![a.action.clone(), a.scopes.join(" "), a.description.clone()])
                    .collect();
                table(&["ACTION", "SCOPES", "DESCRIPTION"], &rows);
            }
        }
        RoleCommand::Create { name, description, permissions } => {
            let parsed: Vec<_> = permissions.iter().map(|p| parse_permission(p)).collect();
            let role = service.create_role(org.id, name, description, &parsed)?;
            println!("created role {} with {} permission(s)", role.name, parsed.len());
        }
        RoleCommand::Grant { role, permission } | RoleCommand::Ungrant { role, permission } => {
            let grant = matches!(command, RoleCommand::Grant { .. });
            let (action, scope) = parse_permission(permission);
            let changed = service.change_role_permission(org.id, role, &action, &scope, grant)?;
            let verb = match (grant, changed) {
                (true, true) => "granted",
                (false, true) => "removed",
                (true, false) => "already had",
                (false, false) => "did not have",
            };
            println!("{role}: {verb} {permission}");
        }
        RoleCommand::Delete { role } => {
            service.delete_role(org.id, role)?;
            println!("deleted role {role}");
        }
        RoleCommand::Assign { role, sa } | RoleCommand::Unassign { role, sa } => {
            let assign = matches!(command, RoleCommand::Assign { .. });
            let account = service.find_account(org.id, sa)?;
            let changed = service.assign_role(account.id, role, assign)?;
            let verb = match (assign, changed) {
                (true, true) => "now holds",
                (false, true) => "no longer holds",
                (true, false) => "already holds",
                (false, false) => "did not hold",
            };
            println!("{} {verb} {role}", account.name);
        }
    }
    Ok(())
}

pub fn run_group(service: &mut Service, cli: &Cli, command: &GroupCommand) -> CliResult {
    let org = selected_org(service, cli)?;
    match command {
        GroupCommand::List => {
            let details =
                service.groups(org.id)?.iter().map(|g| service.group_detail(g)).collect::<Result<Vec<_>, _>>()?;
            if cli.json {
                let values: Vec<_> = details
                    .iter()
                    .map(|d| json!({"id": d.group.id, "name": d.group.name, "description": d.group.description, "members": d.members, "roles": d.roles}))
                    .collect();
                print_json(&values.into());
            } else {
                let rows: Vec<_> = details
                    .iter()
                    .map(|d| vec![d.group.name.clone(), d.members.join(", "), d.roles.join(", ")])
                    .collect();
                table(&["NAME", "MEMBERS", "ROLES"], &rows);
            }
        }
        GroupCommand::Create { name, description } => {
            let group = service.create_group(org.id, name, description)?;
            println!("created group {}", group.name);
        }
        GroupCommand::Rename { group, new_name } => {
            let group = service.rename_group(org.id, group, new_name)?;
            println!("renamed group to {}", group.name);
        }
        GroupCommand::Delete { group } => {
            service.delete_group(org.id, group)?;
            println!("deleted group {group}");
        }
        GroupCommand::AddMember { group, sa } | GroupCommand::RemoveMember { group, sa } => {
            let add = matches!(command, GroupCommand::AddMember { .. });
            let account = service.find_account(org.id, sa)?;
            let changed = service.change_membership(org.id, group, account.id, add)?;
            let verb = match (add, changed) {
                (true, true) => "added to",
                (false, true) => "removed from",
                (true, false) => "already in",
                (false, false) => "was not in",
            };
            println!("{} {verb} {group}", account.name);
        }
        GroupCommand::AddRole { group, role } | GroupCommand::RemoveRole { group, role } => {
            let add = matches!(command, GroupCommand::AddRole { .. });
            let changed = service.assign_group_role(org.id, group, role, add)?;
            let verb = match (add, changed) {
                (true, true) => "now holds",
                (false, true) => "no longer holds",
                (true, false) => "already holds",
                (false, false) => "did not hold",
            };
            println!("{group}: {verb} {role}");
        }
    }
    Ok(())
}

pub fn run_plugin(service: &mut Service, cli: &Cli, command: &PluginCommand) -> CliResult {
    match command {
        PluginCommand::Register { path } => {
            let org = selected_org(service, cli)?;
            let registration = service.register_plugin(org.id, path)?;
            if cli.json {
                print_json(&json!({
                    "plugin": registration.plugin_id,
                    "account": registration.account.name,
                    "login": registration.account.login,
                    "permissions": registration.permissions,
                    "token": registration.token.token.name,
                    "key": registration.token.secret.expose(),
                }));
            } else {
                // The token alone on stdout, once; the rest on stderr.
                println!("{}", registration.token.secret.expose());
                eprintln!(
                    "registered plugin {} as {} with {} permission(s); the token above is shown only once",
                    registration.plugin_id,
                    registration.account.name,
                    registration.permissions.len()
                );
            }
        }
        PluginCommand::Unregister { id } => {
            service.unregister_plugin(id)?;
            println!("unregistered plugin {id}: its account, tokens and role are gone");
        }
    }
    Ok(())
}

/// `satui sa permissions ACCOUNT`
pub fn print_permissions(service: &Service, cli: &Cli, account: &str) -> CliResult {
    let org = selected_org(service, cli)?;
    let account = service.find_account(org.id, account)?;
    let grants = service.effective_permissions(&account)?;
    if cli.json {
        print_json(&serde_json::to_value(&grants)?);
    } else {
        let rows: Vec<_> =
            grants.iter().map(|g| vec![g.action.clone(), g.scope.clone(), g.sources.join(", ")]).collect();
        table(&["ACTION", "SCOPE", "FROM"], &rows);
    }
    Ok(())
}
