//! The command line: clap commands over the service layer. Errors become one line on stderr and
//! exit code 1; clap's usage errors exit 2.

mod accounts;
mod audit;
mod groups;
mod orgs;
mod output;
mod plugins;
mod progress;
mod roles;
mod scan;
mod seed;
pub mod shell;
mod tokens;
mod transfer;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::service::StoreProblem;
use crate::service::{Org, Service};

#[derive(Debug, Parser)]
#[command(name = "satui", version, about = "Service accounts and API tokens, from a terminal")]
pub struct Cli {
    /// The store to use (created on first run). Default: $SATUI_DB, else the platform data dir.
    // $SATUI_DB is read by `store_path`, not by clap: clap would print `--db <PATH>` in every
    // usage error as if it were required.
    #[arg(long, global = true, value_name = "PATH")]
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

impl Cli {
    /// The store named by `--db` or, failing that, a non-empty `$SATUI_DB`.
    pub fn named_store(&self) -> Option<PathBuf> {
        self.db.clone().or_else(|| std::env::var_os("SATUI_DB").filter(|v| !v.is_empty()).map(PathBuf::from))
    }

    /// The store a command works on: the named one, else the platform default.
    pub fn store_path(&self) -> PathBuf {
        self.named_store().unwrap_or_else(crate::paths::default_db_path)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the UI on a throwaway store seeded with demo data (deleted on quit). With
    /// `--db FILE` (typed, not $SATUI_DB) the demo store is built at FILE, which must not exist
    /// yet, and kept.
    Demo {
        /// Start with the guided tour: about a dozen steps, each saying what to press and moving
        /// on when you have done it (Esc leaves it, T brings it back).
        #[arg(long)]
        tour: bool,
    },
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
    /// Find leaked satui tokens in files; say which are live; exit 4 when any is.
    Scan(scan::ScanArgs),
    /// Serve Grafana's service-account HTTP API and token verification over this store.
    Serve(ServeArgs),
    /// Print a shell completion script to stdout (e.g. `satui completions bash > ~/.local/share/bash-completion/completions/satui`).
    Completions {
        /// The shell to write the script for.
        #[arg(value_enum)]
        shell: shell::Shell,
    },
    /// Print the man page satui(1) as roff to stdout, every subcommand included
    /// (e.g. `satui man > ~/.local/share/man/man1/satui.1`).
    Man,
}

/// `satui serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on; anything but loopback needs --tls-cert and --tls-key.
    #[arg(long, default_value = crate::server::DEFAULT_LISTEN, value_name = "ADDR:PORT")]
    pub listen: String,
    /// PEM certificate chain for HTTPS.
    #[arg(long, requires = "tls_key", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
    /// No access log on stderr (errors are still logged).
    #[arg(long)]
    pub quiet: bool,
    /// Log lines as plain text or as one JSON object per line.
    #[arg(long, value_enum, default_value_t = LogFormatArg::Text, value_name = "FORMAT")]
    pub log_format: LogFormatArg,
    /// Store connections serving requests at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub connections: u16,
}

/// `--log-format` of `satui serve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormatArg {
    /// One line per event: time, level, the request's method and path, status, time taken, login.
    Text,
    /// One JSON object per line (for log shippers).
    Json,
}

impl From<LogFormatArg> for crate::server::LogFormat {
    fn from(arg: LogFormatArg) -> Self {
        match arg {
            LogFormatArg::Text => crate::server::LogFormat::Text,
            LogFormatArg::Json => crate::server::LogFormat::Json,
        }
    }
}

/// A failure to report: one line, exit code 1 (or another code, for `token verify`).
pub struct Failure {
    pub message: String,
    pub code: u8,
    /// An error of the store file itself (damaged, unreadable) whose message does not name it.
    pub about_store: bool,
}

/// The service's errors, mapped once: exit 1, and a damaged store named by the caller (its
/// message does not name the file).
impl From<crate::service::Error> for Failure {
    fn from(e: crate::service::Error) -> Self {
        let about_store = e.store_problem() == Some(StoreProblem::Damaged);
        Failure { message: e.to_string(), code: 1, about_store }
    }
}

impl From<crate::service::SeedError> for Failure {
    fn from(e: crate::service::SeedError) -> Self {
        match e {
            crate::service::SeedError::Store(e) => Failure::from(e),
            invalid => Failure::from(invalid.to_string()),
        }
    }
}

/// Serializing our own types to JSON fails only on a bug (a map with non-text keys).
impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::from(format!("cannot write JSON: {e}"))
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure { message, code: 1, about_store: false }
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::from(message.to_string())
    }
}

impl Failure {
    pub fn with_code(message: impl Into<String>, code: u8) -> Failure {
        Failure { message: message.into(), code, about_store: false }
    }
}

pub type CliResult = Result<(), Failure>;

/// The value of a flag that names an object, or of the positional it replaced (the argument
/// rule, docs/guide/cli.md: the command's own object is positional, every other object a flag
/// named for its kind). The old form still works for one release and says so on stderr.
pub fn flag_or_old<'a>(
    command: &str,
    flag: &str,
    value: &'a Option<String>,
    old: &'a Option<String>,
) -> Result<&'a str, Failure> {
    match (value, old) {
        (Some(value), _) => Ok(value),
        (None, Some(old)) => {
            output::say_err!(
                "satui: deprecated: `{command} … {old}` is written `{command} … {flag} {old}`; the old form goes in the next release"
            );
            Ok(old)
        }
        (None, None) => Err(Failure::with_code(format!("{command} needs {flag}"), 2)),
    }
}

/// Runs a non-UI command against the store at `db`. Commands check what they can before the
/// store is opened (an import file, the token to verify), so a command that fails there creates
/// no store; commands that only read never create one.
pub fn run(cli: &Cli, command: &Command, db: &std::path::Path) -> ExitCode {
    let outcome = match command {
        // Its own exit codes (4: live tokens found) and summary; never creates a store.
        Command::Scan(args) => return scan::run(cli, args, db),
        // Shell integration: no store is opened or created.
        Command::Completions { shell } => {
            write_stdout(&shell::completions(*shell));
            Ok(())
        }
        Command::Man => {
            write_stdout(shell::man_page().as_bytes());
            Ok(())
        }
        Command::Import(args) => {
            transfer::read(args).and_then(|data| with_store(db, true, |service| transfer::import(service, cli, &data)))
        }
        Command::Token(tokens::TokenCommand::Verify { action, scope }) => tokens::verify(cli, db, action, scope),
        Command::Seed(_) if cli.named_store().is_none() => {
            Err(Failure::from("seed writes bulk data into a store: name a new one with --db PATH (or $SATUI_DB)"))
        }
        Command::Export | Command::Audit(_) => with_store(db, false, |service| dispatch(service, cli, command)),
        _ => with_store(db, true, |service| dispatch(service, cli, command)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(mut failure) => {
            if failure.about_store {
                failure.message = format!("{}: {}", db.display(), failure.message);
            }
            if !failure.message.is_empty() {
                // Escaped: one line whatever the message quotes.
                output::say_err!("satui: {}", failure.message);
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Writes generated text (a completion script, the man page) to stdout as it is: it is satui's
/// own text, not stored data, so it is not escaped like [`output::say`] lines.
fn write_stdout(bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // A closed pipe ends the process through SIGPIPE (see main); other errors have no one to tell.
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// Opens the store (creating it when `create` is set) and runs `work` on it.
fn with_store(db: &std::path::Path, create: bool, work: impl FnOnce(&mut Service) -> CliResult) -> CliResult {
    let mut service = if create { Service::open(db) } else { Service::open_existing(db) }?;
    work(&mut service)
}

fn dispatch(service: &mut Service, cli: &Cli, command: &Command) -> CliResult {
    match command {
        Command::Org(cmd) => orgs::run(service, cli, cmd),
        Command::Sa(cmd) => accounts::run(service, cli, cmd),
        Command::Token(cmd) => tokens::run(service, cli, cmd),
        Command::Role(cmd) => roles::run_role(service, cli, cmd),
        Command::Group(cmd) => groups::run_group(service, cli, cmd),
        Command::Plugin(cmd) => plugins::run_plugin(service, cli, cmd),
        Command::Audit(args) => audit::run(service, cli, args),
        Command::Export => transfer::export(service, cli),
        Command::Seed(args) => seed::run(service, cli, args),
        // Handled before the store is opened, or by main (the UI, the server).
        Command::Import(_)
        | Command::Demo { .. }
        | Command::Serve(_)
        | Command::Scan(_)
        | Command::Completions { .. }
        | Command::Man => Ok(()),
    }
}

/// The org named by `--org`, or the default one.
fn selected_org(service: &Service, cli: &Cli) -> Result<Org, Failure> {
    Ok(match &cli.org {
        Some(reference) => service.find_org(reference)?,
        None => service.default_org()?,
    })
}
