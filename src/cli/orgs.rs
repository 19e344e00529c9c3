//! `satui org ...`

use clap::Subcommand;

use super::output::{org_json, print_json, say, table};
use super::{Cli, CliResult, Failure};
use crate::domain::time;
use crate::service::Service;

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// List organizations with their account and token counts.
    List,
    /// Create an organization.
    Create {
        /// The new organization's name (unique, case-insensitive).
        name: String,
    },
    /// Rename an organization.
    Rename {
        /// The organization: name or id.
        #[arg(value_name = "ORG")]
        org: String,
        /// Its new name.
        new_name: String,
    },
    /// Set or clear the cap on token lifetime (applies to new tokens and to extensions).
    SetCap {
        /// The organization: name or id.
        #[arg(value_name = "ORG")]
        org: String,
        /// Days (1..=3650), or `none` to remove the cap.
        days: String,
    },
    /// Delete an organization and everything in it; `--confirm` must repeat its name.
    Delete {
        /// The organization: name or id.
        #[arg(value_name = "ORG")]
        org: String,
        /// The organization's name again, to confirm.
        #[arg(long, value_name = "NAME")]
        confirm: String,
    },
}

pub fn run(service: &mut Service, cli: &Cli, command: &OrgCommand) -> CliResult {
    match command {
        OrgCommand::List => {
            let orgs = service.org_summaries()?;
            if cli.json {
                let values: Vec<_> = orgs
                    .iter()
                    .map(|s| {
                        let mut v = org_json(&s.org);
                        v["accounts"] = s.accounts.into();
                        v["tokens"] = s.tokens.into();
                        v
                    })
                    .collect();
                print_json(&values.into());
            } else {
                let rows: Vec<_> = orgs
                    .iter()
                    .map(|s| {
                        vec![
                            s.org.id.to_string(),
                            s.org.name.clone(),
                            s.accounts.to_string(),
                            s.tokens.to_string(),
                            s.org.max_token_lifetime_days.map_or("-".to_string(), |d| format!("{d} d")),
                            time::date(s.org.created_at),
                        ]
                    })
                    .collect();
                table(&["ID", "NAME", "ACCOUNTS", "TOKENS", "TOKEN CAP", "CREATED"], &rows);
            }
        }
        OrgCommand::Create { name } => {
            let org = service.create_org(name)?;
            report(cli, &org, "created");
        }
        OrgCommand::Rename { org, new_name } => {
            let id = service.find_org(org)?.id;
            let org = service.rename_org(id, new_name)?;
            report(cli, &org, "renamed");
        }
        OrgCommand::SetCap { org, days } => {
            let id = service.find_org(org)?.id;
            let cap = match days.trim() {
                "none" | "never" => None,
                text => Some(text.parse::<i64>().map_err(|_| format!("'{text}' is not a number of days or 'none'"))?),
            };
            let org = service.set_org_cap(id, cap)?;
            report(cli, &org, "updated");
        }
        OrgCommand::Delete { org, confirm } => {
            let org = service.find_org(org)?;
            if confirm.trim() != org.name {
                return Err(Failure::from(format!("--confirm must repeat the name exactly: '{}'", org.name)));
            }
            service.delete_org(org.id)?;
            if cli.json {
                print_json(&serde_json::json!({ "deleted": { "org": org_json(&org) } }));
            } else {
                say!("deleted organization {}", org.name);
            }
        }
    }
    Ok(())
}

fn report(cli: &Cli, org: &crate::service::Org, verb: &str) {
    if cli.json {
        print_json(&org_json(org));
    } else {
        say!("{verb} organization {} (id {})", org.name, org.id);
    }
}
