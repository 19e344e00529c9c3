//! `satui seed`: deterministic bulk data for benchmarks.

use clap::Args;

use super::{Cli, CliResult, Failure};
use crate::service::Service;

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Organizations to create.
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
}

pub fn run(_service: &mut Service, _cli: &Cli, _args: &SeedArgs) -> CliResult {
    Err(Failure::from("seed is not implemented yet"))
}
