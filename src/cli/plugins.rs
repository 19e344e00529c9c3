//! `satui plugin ...`: plugin-managed accounts from a plugin.json.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::output::{print_json, say, say_err};
use super::{Cli, CliResult, selected_org};
use crate::service::Service;

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create the plugin's managed account, role and token from its plugin.json.
    Register { path: PathBuf },
    /// Remove a plugin's managed account, tokens and role.
    Unregister { id: String },
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
            say!("unregistered plugin {id}: its account, tokens and role are gone");
        }
    }
    Ok(())
}
