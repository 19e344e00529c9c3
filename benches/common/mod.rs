//! Shared by the bench binaries: a store seeded once per binary in a temporary directory.
//!
//! Size: `SATUI_BENCH_ACCOUNTS` accounts (default 100 000) × `SATUI_BENCH_TOKENS` tokens each
//! (default 10) in one org, seed `SATUI_BENCH_SEED` (default 1). Under `cargo test --benches`
//! (criterion's test mode, no `--bench` argument) the default drops to 2 000 accounts so a test
//! run stays fast.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Instant;

use std::sync::Arc;

use satui::clock::ManualClock;
use satui::service::Service;
use satui::service::{SeedOptions, SeedSummary};

/// 2026-11-23 12:00:00 UTC: the benches run on a fixed clock, so `verify` records a use once per
/// token and then only reads.
pub const NOW: i64 = 1_795_435_200;

pub struct BenchStore {
    /// Deleted when the bench binary ends.
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub summary: SeedSummary,
}

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Is criterion measuring (`cargo bench`) rather than smoke-testing (`cargo test --benches`)?
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

pub fn options() -> SeedOptions {
    let default_accounts = if measuring() { 100_000 } else { 2_000 };
    SeedOptions {
        orgs: 1,
        accounts_per_org: env_u32("SATUI_BENCH_ACCOUNTS", default_accounts),
        tokens_per_account: env_u32("SATUI_BENCH_TOKENS", 10),
        seed: u64::from(env_u32("SATUI_BENCH_SEED", 1)),
        force: false,
    }
}

/// Seeds a new store through `satui::seed` (the code behind `satui seed`).
pub fn seeded() -> BenchStore {
    let options = options();
    let dir = tempfile::Builder::new().prefix("satui-bench-").tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let started = Instant::now();
    let summary = {
        let mut service = Service::open_with_clock(&path, Arc::new(ManualClock::new(NOW))).expect("open bench store");
        service.set_actor("bench");
        service.seed(&options, &mut |_, _| {}).expect("seed bench store")
    };
    eprintln!(
        "bench store: {} accounts × {} tokens ({} tokens) seeded in {:.1} s at {}",
        summary.accounts,
        options.tokens_per_account,
        summary.tokens,
        started.elapsed().as_secs_f64(),
        path.display()
    );
    BenchStore { dir, path, summary }
}

/// Modest criterion settings so the whole `cargo bench` takes a few minutes.
pub fn criterion() -> criterion::Criterion {
    criterion::Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args()
}
