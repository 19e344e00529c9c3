//! The command line: clap commands over the service layer. Errors become one line on stderr and
//! exit code 1; clap's usage errors exit 2.

mod accounts;
mod audit;
mod groups;
mod orgs;
mod output;
mod plugins;
mod roles;
mod seed;
mod tokens;
mod transfer;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::service::{Org, Service};

#[derive(Debug, Parser)]
#[command(name = "satui", version, about = "Service accounts and API tokens, from a terminal")]
pub struct Cli {
    /// The store to use (created on first run). Default: the platform data dir.
    #[arg(long, global = true, env = "SATUI_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Organization, by name or id (default: the first one, Main Org.).
    #[arg(long, global = true, value_name = "NAME|ID")]
    pub org: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the UI on a throwaway store seeded with demo data.
    Demo,
    /// Organizations.
    #[command(subcommand)]
    Org(orgs::OrgCommand),
    /// Service accounts.
    #[command(subcommand)]
    Sa(accounts::SaCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(tokens::TokenCommand),
    /// Roles: built-in, custom, assignments.
    #[command(subcommand)]
    Role(roles::RoleCommand),
    /// Groups of accounts.
    #[command(subcommand)]
    Group(groups::GroupCommand),
    /// Plugin-managed accounts.
    #[command(subcommand)]
    Plugin(plugins::PluginCommand),
    /// The audit log, newest first.
    Audit(audit::AuditArgs),
    /// Print orgs, accounts, roles, groups and token metadata as JSON (never secrets or hashes).
    Export,
    /// Restore an export into an empty store; validates everything first, writes nothing on error.
    Import(transfer::ImportArgs),
    /// Fill the store with deterministic bulk data (for benchmarks).
    Seed(seed::SeedArgs),
}

/// A failure to report: one line, exit code 1 (or another code, for `token verify`).
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure { message: e.to_string(), code: 1 }
    }
}

pub type CliResult = Result<(), Failure>;

/// Runs a non-UI command against the store at `db`.
pub fn run(cli: &Cli, command: &Command, db: &std::path::Path) -> ExitCode {
    let outcome = Service::open(db).map_err(Failure::from).and_then(|mut service| match command {
        Command::Org(cmd) => orgs::run(&mut service, cli, cmd),
        Command::Sa(cmd) => accounts::run(&mut service, cli, cmd),
        Command::Token(cmd) => tokens::run(&mut service, cli, cmd),
        Command::Role(cmd) => roles::run_role(&mut service, cli, cmd),
        Command::Group(cmd) => groups::run_group(&mut service, cli, cmd),
        Command::Plugin(cmd) => plugins::run_plugin(&mut service, cli, cmd),
        Command::Audit(args) => audit::run(&service, cli, args),
        Command::Export => transfer::export(&service, cli),
        Command::Import(args) => transfer::import(&mut service, args),
        Command::Seed(args) => seed::run(&mut service, cli, args),
        Command::Demo => Ok(()),
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                // Escaped: one line whatever the message quotes.
                output::say_err!("satui: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// The org named by `--org`, or the default one.
fn selected_org(service: &Service, cli: &Cli) -> Result<Org, Failure> {
    Ok(match &cli.org {
        Some(reference) => service.find_org(reference)?,
        None => service.default_org()?,
    })
}
