//! `satui token ...`. A new token goes to stdout once; `verify` reads a token only from stdin or
//! `$SATUI_TOKEN`, never from argv (argv is visible to every local user through `ps`).

use std::io::Read;
use std::path::Path;

use clap::{Args, Subcommand};
use zeroize::Zeroizing;

use super::output::{TOKEN_HEADER, print_json, say, say_err, table, token_json, token_row};
use super::{Cli, CliResult, Failure, selected_org};
use crate::domain::expiry::{self, DEFAULT_LIFETIME_DAYS, DEFAULT_MAX_AGE_DAYS, ExpiryRequest, Lifetime};
use crate::domain::{permission, time};
use crate::service::{Account, IssuedToken, NewToken, OrgTokenFilter, Service, StateFilter, VerifyError};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token; it is printed once on stdout and never again.
    Create(CreateArgs),
    /// List an account's tokens, or with --all every token of the org with filters for upkeep
    /// (hints only, never secrets).
    List(ListArgs),
    /// Delete the org's tokens that were revoked or expired before a date (one audit event).
    Purge {
        /// Tokens revoked or expired before this day (YYYY-MM-DD, at 00:00 UTC) go.
        #[arg(long, value_name = "DATE")]
        before: String,
        /// Only count what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Revoke a token (kept in the list as revoked).
    Revoke {
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
        /// The token: name or id.
        token: String,
    },
    /// Replace a token's secret (same name and settings); the new one is printed once, the old
    /// one is revoked at once or after --grace.
    Rotate {
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
        /// The token: name or id.
        token: String,
        /// How long the old secret keeps working, so a deployment can switch without an outage:
        /// now (default), or a duration up to 7d such as 1h, 24h, 7d.
        #[arg(long, default_value = "now", value_name = "DURATION")]
        grace: String,
    },
    /// Delete a token for good.
    Delete {
        /// The account: name, login or id.
        #[arg(long, value_name = "ACCOUNT")]
        sa: String,
        /// The token: name or id.
        token: String,
    },
    /// Check a token read from stdin or $SATUI_TOKEN. Exit 0 valid, 1 rejected, 3 valid but
    /// the permission asked about is not held.
    Verify {
        /// Also check that the token's account may do this action...
        #[arg(long, requires = "scope")]
        action: Option<String>,
        /// ...on this scope (e.g. folders:uid:abc).
        #[arg(long, requires = "action")]
        scope: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The account: name, login or id.
    #[arg(long, value_name = "ACCOUNT", required_unless_present = "all", conflicts_with = "all")]
    sa: Option<String>,
    /// Every token of the organization, soonest expiry first.
    #[arg(long)]
    all: bool,
    /// Only tokens in this state.
    #[arg(long, value_enum, requires = "all")]
    state: Option<StateArg>,
    /// Only live tokens expiring within this many days.
    #[arg(long, value_name = "DAYS", requires = "all", value_parser = clap::value_parser!(u32).range(1..=3650))]
    expiring_within: Option<u32>,
    /// Only live tokens not used for this many days (never used: counted from creation).
    #[arg(long, value_name = "DAYS", requires = "all", value_parser = clap::value_parser!(u32).range(1..=3650))]
    unused_for: Option<u32>,
    /// Only tokens that never expire.
    #[arg(long, requires = "all")]
    never_expires: bool,
    /// At most this many tokens (with --all).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    limit: u64,
    /// Skip this many (with --all).
    #[arg(long, default_value_t = 0)]
    offset: u64,
}

/// `--state` of `token list --all`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum StateArg {
    /// Not revoked and not expired: active, expiring soon, retiring (also those of a disabled
    /// account and imported ones, which work again once enabled or rotated).
    Live,
    /// Rotated, still valid until its grace ends.
    Retiring,
    /// Past its expiry.
    Expired,
    /// Revoked (its grace, if any, is over).
    Revoked,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The account: name, login or id.
    #[arg(long, value_name = "ACCOUNT")]
    sa: String,
    /// Token name: 1..=190 characters, unique among the account's unrevoked tokens.
    #[arg(long)]
    name: String,
    /// Lifetime in days, 1..=3650 (default 30).
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true, conflicts_with_all = ["never", "expires_at"])]
    expires_in_days: Option<i64>,
    /// The token never expires.
    #[arg(long, conflicts_with = "expires_at")]
    never: bool,
    /// Expire at the start of this day (UTC), YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    expires_at: Option<String>,
    /// Each use pushes the expiry forward by --max-age-days (never past the org cap).
    #[arg(long)]
    extended: bool,
    /// Max age for --extended, 1..=3650 (default 30).
    #[arg(long, value_name = "DAYS", requires = "extended", allow_negative_numbers = true)]
    max_age_days: Option<i64>,
}

impl CreateArgs {
    fn expiry(&self) -> Result<ExpiryRequest, Failure> {
        let lifetime = if self.never {
            Lifetime::Never
        } else if let Some(date) = &self.expires_at {
            Lifetime::Until(time::parse_date(date)?)
        } else {
            let days = self.expires_in_days.unwrap_or(DEFAULT_LIFETIME_DAYS as i64);
            Lifetime::Days(expiry::validate_days(days, "lifetime")?)
        };
        let extended_max_age_days = self.extended.then(|| self.max_age_days.unwrap_or(DEFAULT_MAX_AGE_DAYS as i64));
        Ok(ExpiryRequest { lifetime, extended_max_age_days })
    }
}

pub fn run(service: &mut Service, cli: &Cli, command: &TokenCommand) -> CliResult {
    let org = selected_org(service, cli)?;
    match command {
        TokenCommand::Create(args) => {
            let account = service.find_account(org.id, &args.sa)?;
            let issued = service
                .create_token(account.id, &NewToken { name: args.name.clone(), expiry: args.expiry()? })
                .map_err(with_flags)?;
            print_issued(cli, service, &issued, &account);
        }
        TokenCommand::List(ListArgs {
            all: true,
            state,
            expiring_within,
            unused_for,
            never_expires,
            limit,
            offset,
            ..
        }) => {
            let filter = OrgTokenFilter {
                state: state.map(|s| match s {
                    StateArg::Live => StateFilter::Live,
                    StateArg::Retiring => StateFilter::Retiring,
                    StateArg::Expired => StateFilter::Expired,
                    StateArg::Revoked => StateFilter::Revoked,
                }),
                expiring_within: expiring_within.map(|d| i64::from(d) * expiry::DAY),
                unused_for: unused_for.map(|d| i64::from(d) * expiry::DAY),
                never_used: false,
                never_expires: *never_expires,
            };
            let rows = service.org_tokens(org.id, &filter, *offset, *limit)?;
            let now = service.now();
            if cli.json {
                let values: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        let mut value = token_json(&r.token, r.account_disabled, now);
                        value["account"] = r.account_name.as_str().into();
                        value["login"] = r.account_login.as_str().into();
                        value
                    })
                    .collect();
                print_json(&values.into());
            } else {
                let rows: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        let mut row = vec![r.account_name.clone()];
                        row.extend(token_row(&r.token, r.account_disabled, now));
                        row
                    })
                    .collect();
                let mut header = vec!["ACCOUNT"];
                header.extend(TOKEN_HEADER);
                table(&header, &rows);
                let total = service.count_org_tokens(org.id, &filter)?;
                if (*offset + rows.len() as u64) < total {
                    say_err!(
                        "{}–{} of {total}; --offset {} for more",
                        offset + 1,
                        *offset + rows.len() as u64,
                        offset + rows.len() as u64
                    );
                }
            }
        }
        TokenCommand::List(ListArgs { sa, .. }) => {
            let account = service.find_account(org.id, sa.as_deref().unwrap_or_default())?;
            let tokens = service.tokens(account.id)?;
            let now = service.now();
            if cli.json {
                print_json(&tokens.iter().map(|t| token_json(t, account.disabled, now)).collect::<Vec<_>>().into());
            } else {
                let rows: Vec<_> = tokens.iter().map(|t| token_row(t, account.disabled, now)).collect();
                table(&TOKEN_HEADER, &rows);
            }
        }
        TokenCommand::Revoke { sa, token } => {
            let account = service.find_account(org.id, sa)?;
            let id = service.find_token(&account, token)?.id;
            let token = service.revoke_token(id)?;
            if cli.json {
                print_json(&token_json(&token, account.disabled, service.now()));
            } else {
                say!("revoked token {} ({}) of {}", token.name, token.hint, account.name);
            }
        }
        TokenCommand::Rotate { sa, token, grace } => {
            let grace = expiry::parse_grace(grace).map_err(|m| Failure::with_code(format!("--grace: {m}"), 2))?;
            let account = service.find_account(org.id, sa)?;
            let id = service.find_token(&account, token)?.id;
            let issued = service.rotate_token_with_grace(id, grace)?;
            print_issued(cli, service, &issued, &account);
        }
        TokenCommand::Delete { sa, token } => {
            let account = service.find_account(org.id, sa)?;
            let token = service.find_token(&account, token)?;
            service.delete_token(token.id)?;
            if cli.json {
                let gone = token_json(&token, account.disabled, service.now());
                print_json(&serde_json::json!({ "deleted": { "token": gone } }));
            } else {
                say!("deleted token {} ({}) of {}", token.name, token.hint, account.name);
            }
        }
        TokenCommand::Purge { before, dry_run } => {
            let before_ts = time::parse_date(before).map_err(|m| Failure::with_code(format!("--before: {m}"), 2))?;
            let bar = super::progress::bar(0, "purging");
            let mut progress = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let count = service.purge_tokens_reporting(org.id, before_ts, *dry_run, &mut progress);
            bar.finish_and_clear();
            let count = count?;
            if cli.json {
                print_json(
                    &serde_json::json!({ "purged": if *dry_run { 0 } else { count }, "matching": count, "dry_run": dry_run }),
                );
            } else if *dry_run {
                say!(
                    "{count} token(s) of {} were revoked or expired before {before}; nothing deleted (dry run)",
                    org.name
                );
            } else {
                say!("deleted {count} token(s) of {} revoked or expired before {before}", org.name);
            }
        }
        // Verification reads the token first and never creates a store: see `verify`.
        TokenCommand::Verify { .. } => {}
    }
    Ok(())
}

/// The one place the CLI writes a plaintext token: stdout, once. Everything else goes to stderr
/// so `satui token create ... > file` captures the token alone.
fn print_issued(cli: &Cli, service: &Service, issued: &IssuedToken, account: &Account) {
    let token = &issued.token;
    if cli.json {
        let mut value = token_json(token, account.disabled, service.now());
        value["key"] = issued.secret.expose().into();
        value["account"] = account.name.as_str().into();
        print_json(&value);
    } else {
        println!("{}", issued.secret.expose());
        let expiry =
            token.expires_at.map_or("never expires".to_string(), |at| format!("expires {}", time::date_time(at)));
        say_err!("token '{}' for {}, {expiry}. It is shown only this once: store it now.", token.name, account.name);
    }
}

/// `token verify`: the token is read (stdin or `$SATUI_TOKEN`) and the permission checked against
/// the catalog before the store is opened; a missing store is not created.
pub fn verify(cli: &Cli, db: &Path, action: &Option<String>, scope: &Option<String>) -> CliResult {
    if let Some(action) = action
        && !permission::is_recognised_action(action)
    {
        return Err(Failure::with_code(format!("--action '{action}' is not an action (e.g. dashboards:read)"), 2));
    }
    let presented = read_presented_token()?;
    let mut service = Service::open_existing(db)?;
    match service.verify_token(&presented) {
        Ok(identity) => {
            let allowed = match (action, scope) {
                (Some(action), Some(scope)) => Some(service.account_allows(identity.account_id, action, scope)?),
                _ => None,
            };
            // One JSON document with --json (a script reads the identity), a line of text without.
            if cli.json {
                let mut value = serde_json::to_value(&identity)?;
                if let Some(allowed) = allowed {
                    value["allowed"] = allowed.into();
                }
                print_json(&value);
            } else {
                let expires =
                    identity.expires_at.as_deref().map_or("never expires".to_string(), |at| format!("expires {at}"));
                say!(
                    "valid: token '{}' of {} ({}, {}) in {}, {expires}",
                    identity.token,
                    identity.account,
                    identity.login,
                    identity.role,
                    identity.org
                );
                if allowed == Some(true)
                    && let (Some(action), Some(scope)) = (action, scope)
                {
                    let on = if scope.is_empty() { String::new() } else { format!(" on {scope}") };
                    say!("allowed: {} may {action}{on}", identity.account);
                }
            }
            let (Some(action), Some(scope), Some(allowed)) = (action, scope, allowed) else {
                return Ok(());
            };
            if allowed {
                Ok(())
            } else {
                let on = if scope.is_empty() { String::new() } else { format!(" on {scope}") };
                Err(Failure::with_code(format!("token valid, but {} may not {action}{on}", identity.account), 3))
            }
        }
        Err(VerifyError::Rejected(reason)) => Err(Failure::with_code(format!("token rejected: {reason}"), 1)),
        Err(VerifyError::Store(e)) => Err(e.into()),
    }
}

/// `$SATUI_TOKEN` if set, else the first line of stdin (at most 4 KiB are read).
fn read_presented_token() -> Result<Zeroizing<String>, Failure> {
    // Set but empty (an unset CI secret expands to nothing) falls back to stdin.
    if let Ok(value) = std::env::var("SATUI_TOKEN")
        && !value.trim().is_empty()
    {
        return Ok(Zeroizing::new(value));
    }
    let mut buffer = Zeroizing::new(Vec::with_capacity(64));
    std::io::stdin()
        .take(4096)
        .read_to_end(&mut buffer)
        .map_err(|e| format!("cannot read the token from stdin: {e}"))?;
    let text = String::from_utf8_lossy(&buffer);
    let first_line = text.lines().next().unwrap_or("").trim().to_string();
    if first_line.is_empty() {
        return Err(Failure::from("no token given: pipe it on stdin or set SATUI_TOKEN"));
    }
    Ok(Zeroizing::new(first_line))
}

/// A form-field error said in the CLI's words: which flag to give (the service names fields).
fn with_flags(e: crate::service::Error) -> Failure {
    use crate::service::{Error, Field};
    let flags = match e.field() {
        Some(Field::Lifetime) => Some("give --expires-in-days DAYS or --expires-at DATE"),
        Some(Field::MaxAge) => Some("give --max-age-days DAYS"),
        _ => None,
    };
    match (flags, &e) {
        (Some(flags), Error::Invalid { message, .. }) => Failure::from(format!("{message}: {flags}")),
        _ => Failure::from(e),
    }
}
