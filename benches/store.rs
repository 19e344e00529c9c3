//! Store and service benchmarks on a seeded store (see benches/common): opening and the first
//! page, paging, filtering, account detail, token verification.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion, Throughput};
use satui::clock::ManualClock;
use satui::domain::expiry::{ExpiryRequest, Lifetime};
use satui::domain::token::TokenSecret;
use satui::service::{NewToken, Service};
use satui::tui::effect::{self, DbEffect, Read};
use satui::tui::state::PAGE_SIZE;
use satui::tui::ticket::{Part, Ticket};

/// Accounts that get a fresh token for the verify benches.
const VERIFY_TOKENS: usize = 1_000;

fn open(path: &std::path::Path) -> Service {
    let mut service = Service::open_with_clock(path, Arc::new(ManualClock::new(common::NOW))).expect("open");
    service.set_actor("bench");
    service
}

fn bench_open(c: &mut Criterion, store: &common::BenchStore) {
    c.bench_function("open_store_and_first_page", |b| {
        b.iter(|| {
            let service = open(&store.path);
            let org = service.default_org().expect("org");
            black_box(service.account_page(org.id, "", 0, PAGE_SIZE).expect("page"))
        })
    });
}

fn bench_paging(c: &mut Criterion, service: &Service, org_id: i64) {
    let total = service.account_page(org_id, "", 0, 1).expect("page").total;
    let mut group = c.benchmark_group("page");
    for (label, offset) in [("first", 0), ("middle", total / 2), ("last", total.saturating_sub(PAGE_SIZE))] {
        group.bench_function(label, |b| {
            b.iter(|| black_box(service.account_page(org_id, "", offset, PAGE_SIZE).expect("page")))
        });
    }
    group.finish();
}

fn bench_filter(c: &mut Criterion, service: &Service, org_id: i64) {
    let mut group = c.benchmark_group("filter");
    // 1, 2 and 5 characters. 1 and 2 characters are checked on every entry of the list index
    // ("qz" matches nothing: the whole index for nothing); 3 or more use the trigram index
    // ("expor" matches 6%, "qzxjv" nothing) unless they match more than 20 000 accounts ("sa-1"
    // matches every login: scanned like a short filter).
    for filter in ["e", "ci", "qz", "expor", "qzxjv", "sa-1"] {
        let total = service.account_page(org_id, filter, 0, PAGE_SIZE).expect("page").total;
        eprintln!("filter {filter:?}: {total} matches");
        group.bench_with_input(BenchmarkId::new("first_page", filter), &filter, |b, filter| {
            b.iter(|| black_box(service.account_page(org_id, filter, 0, PAGE_SIZE).expect("page")))
        });
    }
    // The last page of a filtered list: the deepest OFFSET a user can reach while filtering.
    for filter in ["e", "expor"] {
        let total = service.account_page(org_id, filter, 0, 1).expect("page").total;
        let last = total.saturating_sub(1) / PAGE_SIZE * PAGE_SIZE;
        group.bench_with_input(BenchmarkId::new("last_page", filter), &filter, |b, filter| {
            b.iter(|| black_box(service.account_page(org_id, filter, last, PAGE_SIZE).expect("page")))
        });
    }
    group.finish();
}

fn bench_detail(c: &mut Criterion, service: &mut Service, org_id: i64) {
    let page = service.account_page(org_id, "", 0, PAGE_SIZE).expect("page");
    let ids: Vec<i64> = page.accounts.iter().map(|a| a.id).collect();
    let mut group = c.benchmark_group("detail");
    let mut i = 0;
    group.bench_function("account_and_tokens", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            let account = service.account(ids[i]).expect("account");
            black_box((service.tokens(account.id).expect("tokens"), account))
        })
    });
    // What the UI's worker runs when the selection moves (tokens, groups, roles, permissions).
    let mut version = None;
    group.bench_function("ui_load_detail_effect", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            black_box(effect::execute(
                service,
                DbEffect::Read(Read::LoadDetail { ticket: Ticket { part: Part::Detail, id: 1 }, account_id: ids[i] }),
                &mut version,
            ))
        })
    });
    group.finish();
}

fn bench_verify(c: &mut Criterion, service: &mut Service, org_id: i64) {
    // Fresh tokens on enabled accounts spread over the list (seeded secrets are not kept).
    let total = service.account_page(org_id, "", 0, 1).expect("page").total;
    let stride = (total / VERIFY_TOKENS as u64).max(1);
    let mut secrets = Vec::new();
    let mut offset = 0;
    while secrets.len() < VERIFY_TOKENS && offset < total {
        let page = service.account_page(org_id, "", offset, 1).expect("page");
        offset += stride;
        let Some(account) = page.accounts.into_iter().next().filter(|a| !a.disabled) else { continue };
        let new = NewToken {
            name: "bench-verify".to_string(),
            expiry: ExpiryRequest { lifetime: Lifetime::Days(90), extended_max_age_days: Some(30) },
        };
        secrets.push(service.create_token(account.id, &new).expect("create token").secret);
    }
    // The first use writes last_used_at; later uses within a minute only read, as in production.
    for secret in &secrets {
        service.verify_token(secret.expose()).expect("valid token");
    }
    let unknown = TokenSecret::generate(&mut rand::rng());
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    let mut i = 0;
    group.bench_function("valid", |b| {
        b.iter(|| {
            i = (i + 1) % secrets.len();
            black_box(service.verify_token(secrets[i].expose()).expect("valid"))
        })
    });
    group.bench_function("unknown", |b| b.iter(|| black_box(service.verify_token(unknown.expose()).is_err())));
    let typo = {
        let mut text = secrets[0].expose().to_string();
        let last = if text.ends_with('a') { "b" } else { "a" };
        text.replace_range(text.len() - 1.., last);
        text
    };
    group.bench_function("bad_checksum", |b| b.iter(|| black_box(service.verify_token(&typo).is_err())));
    group.finish();
}

/// The tokens view (6): the first page and the count of each quick filter, over every token
/// of the org.
fn bench_tokens_view(c: &mut Criterion, service: &Service, org_id: i64) {
    use satui::service::{OrgTokenFilter, StateFilter};
    let day = satui::domain::expiry::DAY;
    let filters: [(&str, OrgTokenFilter); 8] = [
        ("all", OrgTokenFilter::default()),
        ("expiring_7d", OrgTokenFilter { expiring_within: Some(7 * day), ..Default::default() }),
        ("retiring", OrgTokenFilter { state: Some(StateFilter::Retiring), ..Default::default() }),
        ("expired", OrgTokenFilter { state: Some(StateFilter::Expired), ..Default::default() }),
        ("revoked", OrgTokenFilter { state: Some(StateFilter::Revoked), ..Default::default() }),
        ("never_used", OrgTokenFilter { never_used: true, ..Default::default() }),
        ("unused_90d", OrgTokenFilter { unused_for: Some(90 * day), ..Default::default() }),
        ("never_expires", OrgTokenFilter { never_expires: true, ..Default::default() }),
    ];
    let mut group = c.benchmark_group("tokens_view");
    // `/` in the tokens view: the tokens of the accounts a text matches (all tokens, no quick filter).
    let one = service.account_page(org_id, "", 50_000, 1).expect("page").accounts[0].name.clone();
    for (label, text) in [("one_account", one.as_str()), ("ci_2911_accounts", "ci"), ("e_93041_accounts", "e")] {
        let all = OrgTokenFilter::default();
        group.bench_function(BenchmarkId::new("account_first_page", label), |b| {
            b.iter(|| black_box(service.org_tokens_of(org_id, &all, text, 0, PAGE_SIZE).expect("page")))
        });
        group.bench_function(BenchmarkId::new("account_count", label), |b| {
            b.iter(|| black_box(service.count_org_tokens_of(org_id, &all, text).expect("count")))
        });
    }
    for (label, filter) in filters {
        let total = service.count_org_tokens(org_id, &filter).expect("count");
        eprintln!("tokens view {label}: {total} tokens");
        group.bench_function(BenchmarkId::new("first_page", label), |b| {
            b.iter(|| black_box(service.org_tokens(org_id, &filter, 0, PAGE_SIZE).expect("page")))
        });
        group.bench_function(BenchmarkId::new("count", label), |b| {
            b.iter(|| black_box(service.count_org_tokens(org_id, &filter).expect("count")))
        });
    }
    group.finish();
}

/// The Orgs view: every org with its account and token counts (kept counts, no scan).
fn bench_org_summaries(c: &mut Criterion, service: &Service) {
    c.bench_function("orgs/summaries", |b| b.iter(|| black_box(service.org_summaries().expect("summaries"))));
}

fn main() {
    let store = common::seeded();
    let mut c = common::criterion();
    bench_open(&mut c, &store);
    let mut service = open(&store.path);
    let org_id = service.default_org().expect("org").id;
    bench_paging(&mut c, &service, org_id);
    bench_filter(&mut c, &service, org_id);
    bench_tokens_view(&mut c, &service, org_id);
    bench_org_summaries(&mut c, &service);
    bench_detail(&mut c, &mut service, org_id);
    bench_verify(&mut c, &mut service, org_id);
    c.final_summary();
}
