//! `satui seed`: deterministic bulk data for benchmarks. The work is in [`crate::seed`]; this
//! module maps arguments, draws the progress bar and prints the summary.

use std::time::Instant;

use clap::Args;
use serde_json::json;

use super::output::{print_json, say};
use super::{Cli, CliResult};
use crate::service::SeedOptions;
use crate::service::Service;

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Organizations to fill: the one named by --org (default: the first org) first, then new
    /// ones.
    #[arg(long, default_value_t = 1)]
    pub orgs: u32,
    /// Service accounts per organization.
    #[arg(long, default_value_t = 1000)]
    pub accounts: u32,
    /// Tokens per account.
    #[arg(long, default_value_t = 2)]
    pub tokens_per_account: u32,
    /// Random seed: the same seed gives the same store.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Seed even though the store already holds accounts (bulk data mixes with them).
    #[arg(long)]
    pub force: bool,
}

pub fn run(service: &mut Service, cli: &Cli, args: &SeedArgs) -> CliResult {
    let options = SeedOptions {
        orgs: args.orgs,
        accounts_per_org: args.accounts,
        tokens_per_account: args.tokens_per_account,
        seed: args.seed,
        force: args.force,
    };
    // `--org` picks the org filled first; a name that does not exist fails here, before any
    // row is written (it is never silently replaced by the default org).
    let first_org = match &cli.org {
        Some(reference) => Some(service.find_org(reference)?.id),
        None => None,
    };
    let started = Instant::now();
    let bar = super::progress::bar(options.rows(), "seeding");
    let mut progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let result = match first_org {
        Some(org_id) => service.seed_into(org_id, &options, &mut progress),
        None => service.seed(&options, &mut progress),
    };
    // Gone whatever happened, so an error prints on a clean line.
    bar.finish_and_clear();
    let summary = result?;
    let elapsed = started.elapsed().as_secs_f64();
    if cli.json {
        let mut value = serde_json::to_value(&summary)?;
        value["elapsed_seconds"] = json!((elapsed * 1000.0).round() / 1000.0);
        print_json(&value);
    } else {
        say!(
            "seeded {} org{}, {} accounts ({} disabled), {} tokens ({} active, {} expired, {} revoked; {} never expire, {} extended) in {elapsed:.2} s",
            summary.orgs,
            if summary.orgs == 1 { "" } else { "s" },
            summary.accounts,
            summary.disabled_accounts,
            summary.tokens,
            summary.active_tokens,
            summary.expired_tokens,
            summary.revoked_tokens,
            summary.never_expiring_tokens,
            summary.extended_tokens,
        );
    }
    Ok(())
}
