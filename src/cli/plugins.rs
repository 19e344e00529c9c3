//! `satui plugin ...`: plugin-managed accounts from a plugin.json.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::output::{print_json, say, say_err, table};
use super::{Cli, CliResult, selected_org};
use crate::service::{Registered, Service};

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create the plugin's managed account, role and token from its plugin.json; for a plugin
    /// already registered in this org, update its role's permissions (account and token stay).
    Register {
        /// The plugin's plugin.json (its `iam.permissions` are what the account may do).
        path: PathBuf,
    },
    /// Remove a plugin's managed account, tokens and role.
    Unregister {
        /// The plugin id, e.g. grafana-oncall-app.
        #[arg(value_name = "PLUGIN")]
        id: String,
    },
    /// Every registered plugin: its org, account, permissions and live tokens.
    List,
}

pub fn run_plugin(service: &mut Service, cli: &Cli, command: &PluginCommand) -> CliResult {
    match command {
        PluginCommand::Register { path } => {
            let org = selected_org(service, cli)?;
            let registration = service.register_plugin(org.id, path)?;
            let Some(issued) = registration.token() else {
                let Registered::Updated { added, removed } = &registration.outcome else { return Ok(()) };
                if cli.json {
                    let list = |ps: &[crate::domain::permission::Permission]| {
                        ps.iter().map(|p| p.describe()).collect::<Vec<_>>()
                    };
                    print_json(&json!({
                        "plugin": registration.plugin_id,
                        "account": registration.account.name,
                        "login": registration.account.login,
                        "permissions": registration.permissions,
                        "added": list(added),
                        "removed": list(removed),
                    }));
                } else if added.is_empty() && removed.is_empty() {
                    say!(
                        "plugin {} is registered already with these permissions; nothing changed",
                        registration.plugin_id
                    );
                } else {
                    say!(
                        "updated plugin {}: {} permission(s) added, {} removed; its account and token are unchanged",
                        registration.plugin_id,
                        added.len(),
                        removed.len()
                    );
                }
                return Ok(());
            };
            if cli.json {
                print_json(&json!({
                    "plugin": registration.plugin_id,
                    "account": registration.account.name,
                    "login": registration.account.login,
                    "permissions": registration.permissions,
                    "token": issued.token.name,
                    "key": issued.secret.expose(),
                }));
            } else {
                // The token alone on stdout, once; the rest on stderr.
                println!("{}", issued.secret.expose());
                say_err!(
                    "registered plugin {} as {} with {} permission(s); the token above is shown only once",
                    registration.plugin_id,
                    registration.account.name,
                    registration.permissions.len()
                );
            }
        }
        PluginCommand::Unregister { id } => {
            service.unregister_plugin(id)?;
            if cli.json {
                print_json(&serde_json::json!({ "deleted": { "plugin": id.trim() } }));
            } else {
                say!("unregistered plugin {id}: its account, tokens and role are gone");
            }
        }
        PluginCommand::List => {
            let plugins = service.plugins()?;
            let orgs = service.orgs()?;
            let org_name = |id: i64| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default();
            if cli.json {
                let values: Vec<_> = plugins
                    .iter()
                    .map(|p| {
                        json!({
                            "plugin": p.plugin_id,
                            "org": org_name(p.account.org_id),
                            "account": p.account.name,
                            "login": p.account.login,
                            "permissions": p.permissions,
                            "live_tokens": p.live_tokens,
                        })
                    })
                    .collect();
                print_json(&values.into());
            } else if plugins.is_empty() {
                say_err!("no plugin is registered; satui plugin register PATH/plugin.json adds one");
            } else {
                let rows: Vec<Vec<String>> = plugins
                    .iter()
                    .map(|p| {
                        vec![
                            p.plugin_id.clone(),
                            org_name(p.account.org_id),
                            p.account.name.clone(),
                            p.permissions.to_string(),
                            p.live_tokens.to_string(),
                        ]
                    })
                    .collect();
                table(&["PLUGIN", "ORG", "ACCOUNT", "PERMISSIONS", "LIVE TOKENS"], &rows);
            }
        }
    }
    Ok(())
}
