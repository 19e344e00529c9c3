//! `satui seed`: deterministic bulk data for benchmarks and for trying satui at scale.
//!
//! On a new store, the same options and seed give the same names, logins, roles and token hints
//! on any machine (timestamps are counted back from "now", so they move with the clock). Rows go
//! through the real schema, constraints, indexes and triggers, in `BEGIN IMMEDIATE` transactions
//! of [`BATCH_ROWS`] rows with prepared, cached statements; one `seed` audit event, written with the first batch, records the run
//! instead of one event per row. Token secrets are drawn with [`TokenSecret::generate`] from a
//! seeded generator and only their hash and hint are stored; the plaintexts are zeroized at once.
//! Anyone who knows the options and the seed can draw them again, so seed only throwaway stores.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rusqlite::{Transaction, TransactionBehavior};
use serde::Serialize;

use super::MAX_LIVE_TOKENS;
use satui_domain::expiry::DAY;
use satui_domain::names;
use satui_domain::role::BasicRole;
use satui_domain::token::TokenSecret;
use satui_store::bulk::{self, SeedAccountRow, SeedTokenRow};
use satui_store::{Store, StoreError, accounts, audit, orgs};

/// Rows (accounts plus tokens) written per transaction.
pub const BATCH_ROWS: u64 = 10_000;
/// Most tokens per account `seed` accepts (past [`MAX_LIVE_TOKENS`] the extra ones are revoked).
pub const MAX_TOKENS_PER_ACCOUNT: u32 = 1_000;
/// Most organizations `seed` creates.
pub const MAX_ORGS: u32 = 1_000;
/// SQLite page cache while seeding (KiB, as `PRAGMA cache_size` takes negative numbers): the
/// token hash index is written in random order and must stay in memory to be fast.
const SEED_CACHE_KIB: i64 = 256 * 1024;

/// What to generate. `accounts_per_org` accounts go into each of `orgs` organizations: the
/// store's default org (Main Org. on a new store) first, then new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    pub orgs: u32,
    pub accounts_per_org: u32,
    pub tokens_per_account: u32,
    pub seed: u64,
    /// Seed a store that already holds accounts (by default only an empty one is seeded, so a
    /// real store is not filled with bulk data by mistake).
    pub force: bool,
}

impl SeedOptions {
    pub fn accounts(&self) -> u64 {
        u64::from(self.orgs) * u64::from(self.accounts_per_org)
    }

    pub fn tokens(&self) -> u64 {
        self.accounts() * u64::from(self.tokens_per_account)
    }

    /// Accounts plus tokens: the unit of the progress callback.
    pub fn rows(&self) -> u64 {
        self.accounts() + self.tokens()
    }
}

/// What a run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeedSummary {
    pub orgs: u32,
    pub accounts: u64,
    pub disabled_accounts: u64,
    pub tokens: u64,
    /// Not revoked and not expired (as of the seeding clock).
    pub active_tokens: u64,
    pub expired_tokens: u64,
    pub revoked_tokens: u64,
    pub never_expiring_tokens: u64,
    pub extended_tokens: u64,
    pub seed: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] crate::Error),
}

impl From<StoreError> for SeedError {
    fn from(e: StoreError) -> Self {
        SeedError::Store(e.into())
    }
}

impl From<rusqlite::Error> for SeedError {
    fn from(e: rusqlite::Error) -> Self {
        SeedError::Store(e.into())
    }
}

const ORG_WORDS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Vandelay",
    "Aperture",
    "Monarch",
    "Oscorp",
    "Gringotts",
];
const SYSTEMS: &[&str] = &[
    "ci",
    "cd",
    "billing",
    "metrics",
    "grafana",
    "loki",
    "tempo",
    "alerting",
    "backup",
    "payments",
    "search",
    "inventory",
    "orders",
    "auth",
    "reporting",
    "ingest",
    "etl",
    "warehouse",
    "crm",
    "mobile",
    "web",
    "kafka",
    "postgres",
    "redis",
    "kubernetes",
    "terraform",
    "ansible",
    "jenkins",
    "github",
    "gitlab",
    "argo",
    "vault",
    "prometheus",
    "mimir",
];
const JOBS: &[&str] = &[
    "deployer",
    "exporter",
    "reader",
    "writer",
    "sync",
    "scraper",
    "agent",
    "runner",
    "bot",
    "uploader",
    "monitor",
    "provisioner",
    "importer",
    "notifier",
    "auditor",
    "scheduler",
];
const ENVS: &[&str] = &["prod", "staging", "dev", "qa", "test", "eu", "us", "apac", "edge", "lab", "canary", "dr"];
const TOKEN_WORDS: &[&str] = &[
    "deploy",
    "ci",
    "read",
    "write",
    "scrape",
    "backup",
    "sync",
    "ingest",
    "nightly",
    "release",
    "cron",
    "alert",
    "push",
    "pull",
    "terraform",
    "dashboard",
];

fn pick<'a>(rng: &mut StdRng, words: &[&'a str]) -> &'a str {
    words[rng.random_range(0..words.len())]
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// A generated account, before it has an id.
struct AccountPlan {
    name: String,
    description: String,
    role: BasicRole,
    disabled: bool,
    created_at: i64,
    updated_at: i64,
}

/// `billing-exporter-prod-42`, or now and then `Billing Exporter (prod) 42`. The index makes the
/// name, and so the slug and the login, unique within the org.
fn plan_account(rng: &mut StdRng, index: u32, now: i64) -> AccountPlan {
    let (system, job, env) = (pick(rng, SYSTEMS), pick(rng, JOBS), pick(rng, ENVS));
    let name = if rng.random_ratio(3, 10) {
        format!("{} {} ({env}) {index}", capitalize(system), capitalize(job))
    } else {
        format!("{system}-{job}-{env}-{index}")
    };
    let description =
        if rng.random_bool(0.5) { format!("{} for {system} in {env}", capitalize(job)) } else { String::new() };
    let role = match rng.random_range(0..100) {
        0..10 => BasicRole::None,
        10..60 => BasicRole::Viewer,
        60..90 => BasicRole::Editor,
        _ => BasicRole::Admin,
    };
    let disabled = rng.random_ratio(1, 20);
    let created_at = now - rng.random_range(DAY..2 * 365 * DAY);
    let updated_at = if rng.random_bool(0.3) { rng.random_range(created_at..now) } else { created_at };
    AccountPlan { name, description, role, disabled, created_at, updated_at }
}

/// A generated token's metadata (the secret is drawn separately).
struct TokenPlan {
    name: String,
    created_at: i64,
    lifetime_days: Option<u32>,
    expires_at: Option<i64>,
    max_age_days: Option<u32>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// Lifetimes: never, 30 or 90 days, a quarter of them Extended; creation dates skewed to the
/// recent past so every state shows up: active, expiring soon, expired, revoked, used and unused.
fn plan_token(rng: &mut StdRng, account_created: i64, index: u32, now: i64) -> TokenPlan {
    let name = format!("{}-{}", pick(rng, TOKEN_WORDS), index + 1);
    let age_days = match rng.random_range(0..10) {
        0..5 => rng.random_range(0..30),
        5..8 => rng.random_range(30..120),
        _ => rng.random_range(120..730),
    };
    let created_at = (now - age_days * DAY - rng.random_range(0..DAY)).max(account_created);
    let lifetime_days = match rng.random_range(0..10) {
        0..2 => None,
        2..6 => Some(30),
        _ => Some(90),
    };
    let mut expires_at = lifetime_days.map(|days| created_at + i64::from(days) * DAY);
    let max_age_days = (lifetime_days.is_some() && rng.random_ratio(1, 4)).then_some(30);
    let revoked_at = rng.random_ratio(2, 25).then(|| rng.random_range(created_at..=now));
    // A use happens while the token still works; an Extended token's expiry slides past it.
    let usable_until = [Some(now), revoked_at, expires_at].into_iter().flatten().min().unwrap_or(now);
    let last_used_at =
        (rng.random_ratio(3, 5) && usable_until > created_at).then(|| rng.random_range(created_at..usable_until));
    if let (Some(at), Some(used), Some(max_age)) = (expires_at, last_used_at, max_age_days) {
        expires_at = Some(at.max(used + i64::from(max_age) * DAY));
    }
    TokenPlan { name, created_at, lifetime_days, expires_at, max_age_days, last_used_at, revoked_at }
}

/// Adds `options`' data to `store`. On a new store the result depends only on the options; on a
/// store with accounts, the new ones are numbered after the existing ids (see below) and the
/// extra orgs are reused when they exist. Each batch holds whole accounts with all their tokens,
/// so an interrupted run leaves complete accounts only. `progress(done, total)` is called after
/// each committed batch, in rows (accounts plus tokens). `now` is the clock the dates count back
/// from; `actor` is the name the one `seed` audit event records. `first_org` (`--org`) is the org
/// filled first instead of the store's default one.
pub(crate) fn bulk_fill(
    store: &Store,
    options: &SeedOptions,
    first_org: Option<i64>,
    now: i64,
    actor: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SeedSummary, SeedError> {
    if options.orgs == 0 || options.orgs > MAX_ORGS {
        return Err(SeedError::Invalid(format!("--orgs must be between 1 and {MAX_ORGS} (got {})", options.orgs)));
    }
    if options.tokens_per_account > MAX_TOKENS_PER_ACCOUNT {
        return Err(SeedError::Invalid(format!(
            "--tokens-per-account must be at most {MAX_TOKENS_PER_ACCOUNT} (got {})",
            options.tokens_per_account
        )));
    }
    bulk::with_bulk_settings(store.conn(), SEED_CACHE_KIB, || {
        seed_rows(store, options, first_org, now, actor, progress)
    })
}

fn seed_rows(
    store: &Store,
    options: &SeedOptions,
    first_org: Option<i64>,
    now: i64,
    actor: &str,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<SeedSummary, SeedError> {
    let conn = store.conn();
    let mut summary = SeedSummary { orgs: options.orgs, seed: options.seed, ..SeedSummary::default() };
    let total = options.rows();
    let mut done = 0u64;

    // The orgs in the first transaction. Seeding a store that already has accounts (another
    // seed, or real ones) numbers the new accounts after the highest id and draws from a
    // generator mixed with that number, so names and token hashes do not clash with earlier
    // runs; on a new store the base is 0 and only the seed matters.
    let mut tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let base = u32::try_from(bulk::max_account_id(&tx)?)
        .map_err(|_| SeedError::Invalid("the store's account ids are too large to seed".to_string()))?;
    if base.checked_add(options.accounts_per_org).is_none() {
        return Err(SeedError::Invalid("too many accounts for this store".to_string()));
    }
    let existing = bulk::account_count(&tx)?;
    if existing > 0 && !options.force {
        return Err(SeedError::Invalid(format!(
            "the store already holds {existing} accounts; seed fills new stores (add --force to seed it anyway)"
        )));
    }
    // Recorded before the first batch: an interrupted seed still leaves its trace in the log.
    let details = format!(
        "seed={} orgs={} accounts={} tokens={}",
        options.seed,
        options.orgs,
        options.accounts(),
        options.tokens()
    );
    let event = audit::NewEvent { org_id: None, actor, action: "seed", target: "store", details: &details };
    audit::insert(&tx, &event, now)?;
    let mut rng = StdRng::seed_from_u64(options.seed ^ (u64::from(base) << 32));
    let first = match first_org {
        Some(id) => orgs::get(&tx, id)?,
        None => orgs::list(&tx)?.into_iter().min_by_key(|o| o.id),
    };
    let first = first.ok_or_else(|| SeedError::Invalid("the store has no such organization".to_string()))?;
    let mut org_ids = vec![first.id];
    for i in 2..=options.orgs {
        // Fixed names (not drawn), so another run finds and fills the same orgs.
        let name = format!("{} {i}", ORG_WORDS[(i as usize - 2) % ORG_WORDS.len()]);
        let key = names::name_key(&name);
        let id = match orgs::find_by_key(&tx, &key)? {
            Some(org) => org.id,
            None => orgs::insert(&tx, &name, &key, now)?,
        };
        if !org_ids.contains(&id) {
            org_ids.push(id);
        }
    }

    let mut in_batch = 0u64;
    for &org_id in &org_ids {
        for index in base + 1..=base + options.accounts_per_org {
            let plan = plan_account(&mut rng, index, now);
            let key = names::name_key(&plan.name);
            let login = names::login_for(org_id, &names::slugify(&plan.name), 1);
            if base > 0 && (accounts::find_by_key(&tx, org_id, &key)?.is_some() || accounts::login_taken(&tx, &login)?)
            {
                return Err(SeedError::Invalid(format!(
                    "the generated account '{}' already exists; seed another store or use another --seed",
                    plan.name
                )));
            }
            let sa_id = bulk::insert_account(
                &tx,
                &SeedAccountRow {
                    org_id,
                    name: &plan.name,
                    name_key: &key,
                    login: &login,
                    description: &plan.description,
                    role: plan.role,
                    disabled: plan.disabled,
                    managed_by: None,
                    created_at: plan.created_at,
                    updated_at: plan.updated_at,
                },
            )?;
            summary.accounts += 1;
            summary.disabled_accounts += u64::from(plan.disabled);
            let mut live = 0i64;
            for t in 0..options.tokens_per_account {
                let mut token = plan_token(&mut rng, plan.created_at, t, now);
                let secret = TokenSecret::generate(&mut rng);
                let expired = token.expires_at.is_some_and(|at| at <= now);
                if token.revoked_at.is_none() && !expired {
                    if live >= MAX_LIVE_TOKENS {
                        // The service never lets an account hold more live tokens than this.
                        token.revoked_at = Some(now);
                    } else {
                        live += 1;
                    }
                }
                let (hash, hint) = (secret.hash(), secret.hint());
                drop(secret);
                bulk::insert_token(
                    &tx,
                    &SeedTokenRow {
                        sa_id,
                        name: &token.name,
                        hash: &hash,
                        hint: &hint,
                        created_at: token.created_at,
                        lifetime_days: token.lifetime_days,
                        expires_at: token.expires_at,
                        max_age_days: token.max_age_days,
                        last_used_at: token.last_used_at,
                        revoked_at: token.revoked_at,
                        imported: false,
                    },
                )?;
                summary.tokens += 1;
                summary.never_expiring_tokens += u64::from(token.lifetime_days.is_none());
                summary.extended_tokens += u64::from(token.max_age_days.is_some());
                if token.revoked_at.is_some() {
                    summary.revoked_tokens += 1;
                } else if expired {
                    summary.expired_tokens += 1;
                } else {
                    summary.active_tokens += 1;
                }
            }
            in_batch += 1 + u64::from(options.tokens_per_account);
            if in_batch >= BATCH_ROWS {
                tx.commit()?;
                done += in_batch;
                in_batch = 0;
                progress(done, total);
                tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            }
        }
    }
    tx.commit()?;
    done += in_batch;
    progress(done, total);
    Ok(summary)
}
