//! `satui sa ...`

use clap::Subcommand;

use super::output::{TOKEN_HEADER, account_json, print_json, say, say_err, table, token_json, token_row};
use super::{Cli, CliResult, selected_org};
use crate::domain::role::BasicRole;
use crate::domain::time;
use crate::service::{AccountChanges, NewAccount, Service};

#[derive(Debug, Subcommand)]
pub enum SaCommand {
    /// List service accounts of the org, by name.
    List {
        /// Only accounts whose name or login contains this text.
        #[arg(long, default_value = "")]
        filter: String,
        /// At most this many accounts (1..=10000).
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=MAX_LIST_LIMIT))]
        limit: u64,
        /// Skip this many accounts first (for paging).
        #[arg(long, default_value_t = 0)]
        offset: u64,
    },
    /// Create a service account.
    Create {
        /// The account's name (1..=190 characters, unique in the org; its login is made from it).
        name: String,
        /// Basic role: None, Viewer, Editor or Admin.
        #[arg(long, default_value = "Viewer")]
        role: BasicRole,
        /// What the account is for (at most 500 characters).
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Show an account (by name, login or id) with its groups, direct roles and tokens.
    Show {
        /// The account: name, login or id.
        account: String,
    },
    /// Change an account's name, description or role (its login stays).
    Update {
        /// The account: name, login or id.
        account: String,
        /// The new name (the login stays the same).
        #[arg(long)]
        name: Option<String>,
        /// The new description.
        #[arg(long)]
        description: Option<String>,
        /// The new basic role: None, Viewer, Editor or Admin.
        #[arg(long)]
        role: Option<BasicRole>,
    },
    /// Enable an account: its tokens work again.
    Enable {
        /// The account: name, login or id.
        account: String,
    },
    /// Disable an account: its tokens stop working until it is enabled.
    Disable {
        /// The account: name, login or id.
        account: String,
    },
    /// Delete an account and all its tokens.
    Delete {
        /// The account: name, login or id.
        account: String,
    },
    /// Effective permissions: basic role ∪ direct roles ∪ group roles, with where each comes from.
    Permissions {
        /// The account: name, login or id.
        account: String,
    },
}

/// Most accounts one `sa list` prints (`--limit` above it is a usage error, not a silent cap).
pub const MAX_LIST_LIMIT: u64 = 10_000;

pub fn run(service: &mut Service, cli: &Cli, command: &SaCommand) -> CliResult {
    let org = selected_org(service, cli)?;
    match command {
        SaCommand::List { filter, limit, offset } => {
            let page = service.account_page(org.id, filter, *offset, *limit)?;
            if cli.json {
                print_json(&page.accounts.iter().map(account_json).collect::<Vec<_>>().into());
            } else {
                let rows: Vec<_> = page
                    .accounts
                    .iter()
                    .map(|a| {
                        vec![
                            a.id.to_string(),
                            a.name.clone(),
                            a.login.clone(),
                            a.role.to_string(),
                            if a.disabled { "disabled" } else { "enabled" }.to_string(),
                            a.managed_by.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                table(&["ID", "NAME", "LOGIN", "ROLE", "STATUS", "MANAGED BY"], &rows);
                let shown = page.accounts.len() as u64;
                if shown < page.total {
                    say_err!("{}–{} of {} in {}", offset + 1, offset + shown, page.total, org.name);
                }
            }
        }
        SaCommand::Create { name, role, description } => {
            let account = service.create_account(
                org.id,
                &NewAccount { name: name.clone(), description: description.clone(), role: *role, disabled: false },
            )?;
            if cli.json {
                print_json(&account_json(&account));
            } else {
                say!("created {} ({}, {})", account.name, account.login, account.role);
            }
        }
        SaCommand::Show { account } => {
            let account = service.find_account(org.id, account)?;
            let tokens = service.tokens(account.id)?;
            let groups: Vec<String> = service.account_groups(account.id)?.into_iter().map(|g| g.name).collect();
            let roles = service.account_roles(account.id)?;
            let now = service.now();
            if cli.json {
                let mut value = account_json(&account);
                value["groups"] = groups.into();
                value["roles"] = roles.into();
                value["tokens"] =
                    tokens.iter().map(|t| token_json(t, account.disabled, now)).collect::<Vec<_>>().into();
                print_json(&value);
            } else {
                say!("name         {}", account.name);
                say!("login        {}", account.login);
                say!("id           {}", account.id);
                say!("org          {}", org.name);
                say!("role         {}", account.role);
                say!("status       {}", if account.disabled { "disabled" } else { "enabled" });
                if let Some(plugin) = &account.managed_by {
                    say!("managed by   {plugin}");
                }
                say!("description  {}", account.description);
                say!("groups       {}", list_or_dash(&groups));
                say!("roles        {}", list_or_dash(&roles));
                say!("created      {}", time::date_time(account.created_at));
                say!("updated      {}", time::date_time(account.updated_at));
                say!();
                let rows: Vec<_> = tokens.iter().map(|t| token_row(t, account.disabled, now)).collect();
                table(&TOKEN_HEADER, &rows);
            }
        }
        SaCommand::Update { account, name, description, role } => {
            let id = service.find_account(org.id, account)?.id;
            let changes =
                AccountChanges { name: name.clone(), description: description.clone(), role: *role, disabled: None };
            let account = service.update_account(id, &changes)?;
            if cli.json {
                print_json(&account_json(&account));
            } else {
                say!("updated {} ({}, {})", account.name, account.login, account.role);
            }
        }
        SaCommand::Enable { account } | SaCommand::Disable { account } => {
            let disable = matches!(command, SaCommand::Disable { .. });
            let id = service.find_account(org.id, account)?.id;
            let account = service.set_account_disabled(id, disable)?;
            if cli.json {
                print_json(&account_json(&account));
            } else {
                say!("{} {}", if disable { "disabled" } else { "enabled" }, account.name);
            }
        }
        SaCommand::Permissions { account } => return print_permissions(service, cli, account),
        SaCommand::Delete { account } => {
            let account = service.find_account(org.id, account)?;
            service.delete_account(account.id)?;
            if cli.json {
                print_json(&serde_json::json!({ "deleted": { "account": account_json(&account) } }));
            } else {
                say!("deleted {} and its tokens", account.name);
            }
        }
    }
    Ok(())
}

/// Names joined by `, `, or `-` for none (as the other tables write an empty cell).
fn list_or_dash(names: &[String]) -> String {
    if names.is_empty() { "-".to_string() } else { names.join(", ") }
}

/// `satui sa permissions ACCOUNT`
fn print_permissions(service: &Service, cli: &Cli, account: &str) -> CliResult {
    let org = selected_org(service, cli)?;
    let account = service.find_account(org.id, account)?;
    let grants = service.effective_permissions(&account)?;
    if cli.json {
        print_json(&serde_json::to_value(&grants)?);
    } else {
        let rows: Vec<_> = grants
            .iter()
            .map(|g| vec![super::roles::shown_action(&g.action), g.scope.clone(), g.sources.join(", ")])
            .collect();
        table(&["ACTION", "SCOPE", "FROM"], &rows);
    }
    Ok(())
}
