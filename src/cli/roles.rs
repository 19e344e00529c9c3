//! `satui role ...`: built-in, custom and managed roles, and assigning them to accounts.

use clap::Subcommand;
use serde_json::json;

use super::output::{account_json, print_json, say, table};
use super::{Cli, CliResult, flag_or_old, selected_org};
use crate::domain::permission::{Catalog, parse_permission};
use crate::domain::role::RoleKind;
use crate::service::Service;

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// List roles: the org's custom and managed roles, the basic roles, and Grafana's fixed roles
    /// by group.
    List {
        /// Only roles of this kind.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
    },
    /// Show a role's permissions and who holds it.
    Show {
        /// The role's name (case-insensitive).
        role: String,
    },
    /// The catalog of actions and the scopes they take.
    Actions,
    /// Create a custom role: --permission ACTION[=SCOPE], repeatable.
    Create {
        /// The role's name: unique in the org, not a basic role's name, not starting fixed: or
        /// managed:.
        name: String,
        /// What the role is for.
        #[arg(long, default_value = "")]
        description: String,
        /// A permission: a catalog action, optionally `=SCOPE` (no scope: any scope). Repeatable.
        #[arg(long = "permission", value_name = "ACTION[=SCOPE]")]
        permissions: Vec<String>,
    },
    /// Add a permission to a custom role.
    Grant {
        /// The custom role's name.
        role: String,
        /// A catalog action, optionally `=SCOPE` (e.g. folders:read=folders:uid:*).
        #[arg(long, value_name = "ACTION[=SCOPE]", required_unless_present = "old_permission")]
        permission: Option<String>,
        /// The form before 0.4, `role grant ROLE ACTION[=SCOPE]`: accepted with a deprecation line.
        #[arg(hide = true, conflicts_with = "permission")]
        old_permission: Option<String>,
    },
    /// Remove a permission from a custom role.
    Ungrant {
        /// The custom role's name.
        role: String,
        /// The permission to remove, written as it was granted.
        #[arg(long, value_name = "ACTION[=SCOPE]", required_unless_present = "old_permission")]
        permission: Option<String>,
        /// The form before 0.4, `role ungrant ROLE ACTION[=SCOPE]`: accepted with a deprecation line.
        #[arg(hide = true, conflicts_with = "permission")]
        old_permission: Option<String>,
    },
    /// Rename a custom role (holders keep it).
    Rename {
        /// The custom role's name.
        role: String,
        /// Its new name (unique in the org, case-insensitive).
        new_name: String,
    },
    /// Change a custom role's description.
    Update {
        /// The custom role's name.
        role: String,
        /// What the role is for.
        #[arg(long)]
        description: String,
    },
    /// Delete a custom role (its assignments go with it).
    Delete {
        /// The custom role's name.
        role: String,
    },
    /// Give an account a fixed or custom role.
    Assign {
        /// A fixed or custom role's name (basic roles are set with `sa update --role`).
        role: String,
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
    /// Take a role away from an account.
    Unassign {
        /// The role's name.
        role: String,
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
    },
}

/// `--kind` of `role list`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum KindArg {
    /// None, Viewer, Editor, Admin.
    Basic,
    /// Grafana's built-in fixed roles (read-only).
    Fixed,
    /// The org's own roles.
    Custom,
    /// Roles of plugin-managed accounts.
    Managed,
}

impl KindArg {
    fn matches(self, kind: RoleKind) -> bool {
        matches!(
            (self, kind),
            (KindArg::Basic, RoleKind::Basic)
                | (KindArg::Fixed, RoleKind::Fixed)
                | (KindArg::Custom, RoleKind::Custom)
                | (KindArg::Managed, RoleKind::Managed)
        )
    }
}

pub fn run_role(service: &mut Service, cli: &Cli, command: &RoleCommand) -> CliResult {
    let org = selected_org(service, cli)?;
    match command {
        RoleCommand::List { kind } => {
            let roles: Vec<_> =
                service.roles(org.id)?.into_iter().filter(|r| kind.is_none_or(|k| k.matches(r.kind))).collect();
            if cli.json {
                print_json(&serde_json::to_value(&roles)?);
            } else {
                let rows: Vec<_> = roles
                    .iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.kind.to_string(),
                            r.group.clone().unwrap_or_default(),
                            r.description.clone(),
                        ]
                    })
                    .collect();
                table(&["NAME", "KIND", "GROUP", "DESCRIPTION"], &rows);
            }
        }
        RoleCommand::Show { role } => {
            let role = service.find_role(org.id, role)?;
            let permissions = service.role_permissions(&role)?;
            let (accounts, groups) = service.role_holders(org.id, &role)?;
            if cli.json {
                print_json(&json!({"role": role, "permissions": permissions, "accounts": accounts, "groups": groups}));
            } else {
                let group = role.group.as_ref().map(|g| format!(", group {g}")).unwrap_or_default();
                say!("{} ({}{group}){}", role.name, role.kind, if role.read_only() { ", read-only" } else { "" });
                let rows: Vec<_> = permissions.iter().map(|p| vec![shown_action(&p.action), p.scope.clone()]).collect();
                table(&["ACTION", "SCOPE"], &rows);
                say!("held by accounts: {}", if accounts.is_empty() { "-".to_string() } else { accounts.join(", ") });
                say!("held by groups:   {}", if groups.is_empty() { "-".to_string() } else { groups.join(", ") });
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
            let created = service.create_role(org.id, name, description, &parsed)?;
            // What was stored, not what was typed: a permission given twice is kept once.
            let role = service.find_role(org.id, &created.name)?;
            let stored = service.role_permissions(&role)?;
            if cli.json {
                print_json(&json!({ "role": role, "permissions": stored }));
            } else {
                say!("created role {} with {} permission(s)", role.name, stored.len());
            }
        }
        RoleCommand::Grant { role, permission, old_permission }
        | RoleCommand::Ungrant { role, permission, old_permission } => {
            let grant = matches!(command, RoleCommand::Grant { .. });
            let verb = if grant { "grant" } else { "ungrant" };
            let permission = flag_or_old(&format!("role {verb}"), "--permission", permission, old_permission)?;
            let (action, scope) = parse_permission(permission);
            let changed = service.change_role_permission(org.id, role, &action, &scope, grant)?;
            let verb = match (grant, changed) {
                (true, true) => "granted",
                (false, true) => "removed",
                (true, false) => "already had",
                (false, false) => "did not have",
            };
            if cli.json {
                let summary = service.find_role(org.id, role)?;
                let permissions = service.role_permissions(&summary)?;
                let given = json!({ "action": action, "scope": scope });
                print_json(
                    &json!({ "role": summary, "permission": given, "changed": changed, "permissions": permissions }),
                );
            } else {
                say!("{role}: {verb} {permission}");
            }
        }
        RoleCommand::Rename { role, new_name } => {
            let updated = service.update_role(org.id, role, Some(new_name), None)?;
            role_changed(service, cli, org.id, &updated.name, &format!("renamed role {role} to {}", updated.name))?;
        }
        RoleCommand::Update { role, description } => {
            let updated = service.update_role(org.id, role, None, Some(description))?;
            role_changed(service, cli, org.id, &updated.name, &format!("updated role {}", updated.name))?;
        }
        RoleCommand::Delete { role } => {
            let summary = service.find_role(org.id, role)?;
            service.delete_role(org.id, role)?;
            if cli.json {
                print_json(&json!({ "deleted": { "role": summary } }));
            } else {
                say!("deleted role {role}");
            }
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
            if cli.json {
                let roles = service.account_roles(account.id)?;
                print_json(
                    &json!({ "account": account_json(&account), "role": role, "changed": changed, "roles": roles }),
                );
            } else {
                say!("{} {verb} {role}", account.name);
            }
        }
    }
    Ok(())
}

/// An action as listed: marked when it is neither in today's catalog nor a plugin's (a custom
/// role made against an older catalog keeps it and it keeps working, but nothing uses it).
pub(super) fn shown_action(action: &str) -> String {
    if crate::domain::permission::is_recognised_action(action) {
        action.to_string()
    } else {
        format!("{action} (unknown action)")
    }
}

/// A change's answer: the role as it now is (`--json`), or `text`.
fn role_changed(service: &Service, cli: &Cli, org_id: i64, name: &str, text: &str) -> CliResult {
    if cli.json {
        let role = service.find_role(org_id, name)?;
        let permissions = service.role_permissions(&role)?;
        print_json(&json!({ "role": role, "permissions": permissions }));
    } else {
        say!("{text}");
    }
    Ok(())
}
