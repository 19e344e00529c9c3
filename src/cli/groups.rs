//! `satui group ...`: groups of accounts, their members and roles.

use clap::Subcommand;
use serde_json::json;

use super::Failure;
use super::output::{account_json, print_json, say, table};
use super::{Cli, CliResult, flag_or_old, selected_org};
use crate::service::Service;

#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// List groups with their members and roles.
    List,
    /// Create a group.
    Create {
        /// The group's name (unique in the org, case-insensitive).
        name: String,
        /// What the group is for.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Rename a group.
    Rename {
        /// The group's name.
        group: String,
        /// Its new name.
        new_name: String,
    },
    /// Delete a group (members stay; they lose the group's roles).
    Delete {
        /// The group's name.
        group: String,
    },
    /// Add an account to a group (it gains the group's roles).
    AddMember {
        /// The group's name.
        group: String,
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
    /// Remove an account from a group.
    RemoveMember {
        /// The group's name.
        group: String,
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
    /// Give a group a fixed or custom role.
    AddRole {
        /// The group's name.
        group: String,
        /// A fixed or custom role's name.
        #[arg(long, value_name = "ROLE", required_unless_present = "old_role")]
        role: Option<String>,
        /// The form before 0.4, `group add-role GROUP ROLE`: accepted with a deprecation line.
        #[arg(hide = true, conflicts_with = "role")]
        old_role: Option<String>,
    },
    /// Take a role away from a group.
    RemoveRole {
        /// The group's name.
        group: String,
        /// The role's name.
        #[arg(long, value_name = "ROLE", required_unless_present = "old_role")]
        role: Option<String>,
        /// The form before 0.4, `group remove-role GROUP ROLE`: accepted with a deprecation line.
        #[arg(hide = true, conflicts_with = "role")]
        old_role: Option<String>,
    },
}

pub fn run_group(service: &mut Service, cli: &Cli, command: &GroupCommand) -> CliResult {
    let org = selected_org(service, cli)?;
    match command {
        GroupCommand::List => {
            let details = service.group_details(org.id)?;
            if cli.json {
                let values: Vec<_> = details.iter().map(detail_json).collect();
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
            if cli.json {
                print_json(&group_json(service, org.id, &group.name)?);
            } else {
                say!("created group {}", group.name);
            }
        }
        GroupCommand::Rename { group, new_name } => {
            let group = service.rename_group(org.id, group, new_name)?;
            if cli.json {
                print_json(&group_json(service, org.id, &group.name)?);
            } else {
                say!("renamed group to {}", group.name);
            }
        }
        GroupCommand::Delete { group } => {
            let gone = group_json(service, org.id, group)?;
            service.delete_group(org.id, group)?;
            if cli.json {
                print_json(&json!({ "deleted": { "group": gone } }));
            } else {
                say!("deleted group {group}");
            }
        }
        GroupCommand::AddMember { group, sa } | GroupCommand::RemoveMember { group, sa } => {
            let add = matches!(command, GroupCommand::AddMember { .. });
            let (account, changed) = service.change_membership_by_ref(org.id, group, sa, add)?;
            let verb = match (add, changed) {
                (true, true) => "added to",
                (false, true) => "removed from",
                (true, false) => "already in",
                (false, false) => "was not in",
            };
            if cli.json {
                let detail = group_json(service, org.id, group)?;
                print_json(&json!({ "group": detail, "account": account_json(&account), "changed": changed }));
            } else {
                say!("{} {verb} {group}", account.name);
            }
        }
        GroupCommand::AddRole { group, role, old_role } | GroupCommand::RemoveRole { group, role, old_role } => {
            let add = matches!(command, GroupCommand::AddRole { .. });
            let subcommand = if add { "group add-role" } else { "group remove-role" };
            let role = flag_or_old(subcommand, "--role", role, old_role)?;
            let changed = service.assign_group_role(org.id, group, role, add)?;
            let verb = match (add, changed) {
                (true, true) => "now holds",
                (false, true) => "no longer holds",
                (true, false) => "already holds",
                (false, false) => "did not hold",
            };
            if cli.json {
                let detail = group_json(service, org.id, group)?;
                print_json(&json!({ "group": detail, "role": role, "changed": changed }));
            } else {
                say!("{group}: {verb} {role}");
            }
        }
    }
    Ok(())
}

/// A group as every `--json` answer shows it: id, name, description, members and roles.
fn detail_json(d: &crate::service::GroupDetail) -> serde_json::Value {
    json!({"id": d.group.id, "name": d.group.name, "description": d.group.description, "members": d.members, "roles": d.roles})
}

/// The group named `name` of the org as it now is, for a change's `--json` answer.
fn group_json(service: &Service, org_id: i64, name: &str) -> Result<serde_json::Value, Failure> {
    let key = crate::domain::names::name_key(name);
    let details = service.group_details(org_id)?;
    let detail = details.iter().find(|d| crate::domain::names::name_key(&d.group.name) == key);
    Ok(detail.map(detail_json).unwrap_or(serde_json::Value::Null))
}
