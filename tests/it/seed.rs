//! `satui seed`: deterministic bulk data, counts that match the summary, the service's token
//! limit, and the paged, filtered list over seeded data agreeing with a plain scan.

use satui::service::{Account, AccountChanges};
use satui::service::{SeedOptions, SeedSummary};
use satui_store::accounts;

use crate::common::{ACTOR, Fixture, T0, satui};

const SMALL: SeedOptions = SeedOptions { orgs: 2, accounts_per_org: 50, tokens_per_account: 3, seed: 7, force: false };

fn seeded(options: &SeedOptions) -> (Fixture, SeedSummary) {
    let fx = Fixture::new();
    let summary = fx.service.seed(options, &mut |_, _| {}).expect("seed");
    (fx, summary)
}

/// Every account of every org in list order, with its tokens' hints.
fn snapshot(fx: &Fixture) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    for org in fx.service.orgs().expect("orgs") {
        let page = fx.service.account_page(org.id, "", 0, 10_000).expect("page");
        for account in page.accounts {
            let mut hints: Vec<String> =
                fx.service.tokens(account.id).expect("tokens").into_iter().map(|t| t.hint).collect();
            hints.sort();
            out.push((account.name, account.login, hints));
        }
    }
    out
}

fn count(fx: &Fixture, sql: &str) -> u64 {
    rusqlite::Connection::open(&fx.path).expect("open").query_row(sql, [], |r| r.get::<_, i64>(0)).expect(sql) as u64
}

#[test]
fn given_the_same_seed_twice_then_names_logins_and_token_hints_are_identical() {
    let (a, summary_a) = seeded(&SMALL);
    let (b, summary_b) = seeded(&SMALL);
    let (snap_a, snap_b) = (snapshot(&a), snapshot(&b));
    assert_eq!(snap_a.len(), 100);
    assert_eq!(snap_a, snap_b);
    assert_eq!(summary_a, summary_b);
    let (c, _) = seeded(&SeedOptions { seed: 8, ..SMALL });
    assert_ne!(snapshot(&c), snap_a, "another seed gives other data");
}

#[test]
fn given_a_seeded_store_then_counts_match_the_summary_and_one_audit_event_sums_it_up() {
    let (fx, summary) = seeded(&SMALL);
    assert_eq!((summary.orgs, summary.accounts, summary.tokens), (2, 100, 300));
    assert_eq!(count(&fx, "SELECT count(*) FROM orgs"), 2);
    assert_eq!(count(&fx, "SELECT count(*) FROM service_accounts"), 100);
    assert_eq!(count(&fx, "SELECT count(*) FROM service_accounts WHERE disabled = 1"), summary.disabled_accounts);
    assert_eq!(count(&fx, "SELECT count(*) FROM tokens"), 300);
    assert_eq!(count(&fx, "SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL"), summary.revoked_tokens);
    let expired = format!("SELECT count(*) FROM tokens WHERE revoked_at IS NULL AND expires_at <= {T0}");
    assert_eq!(count(&fx, &expired), summary.expired_tokens);
    assert_eq!(count(&fx, "SELECT count(*) FROM tokens WHERE expires_at IS NULL"), summary.never_expiring_tokens);
    assert_eq!(count(&fx, "SELECT count(*) FROM tokens WHERE max_age_days IS NOT NULL"), summary.extended_tokens);
    assert_eq!(summary.active_tokens + summary.expired_tokens + summary.revoked_tokens, summary.tokens);
    for org in fx.service.orgs().expect("orgs") {
        assert_eq!(fx.service.account_page(org.id, "", 0, 1).expect("page").total, 50, "{}", org.name);
    }
    let audit = fx.audit();
    assert_eq!(audit.len(), 1, "one event for the whole run, not one per row");
    assert_eq!((audit[0].action.as_str(), audit[0].actor.as_str()), ("seed", ACTOR));
    assert!(audit[0].details.contains("accounts=100") && audit[0].details.contains("tokens=300"));
    // Only hashes and hints are stored: every hint has the secret-free shape.
    let bad_hints = count(&fx, "SELECT count(*) FROM tokens WHERE hint NOT LIKE 'sat_…____' OR length(hash) <> 32");
    assert_eq!(bad_hints, 0);
}

#[test]
fn given_a_spread_of_token_states_then_every_state_appears() {
    let (_, summary) =
        seeded(&SeedOptions { orgs: 1, accounts_per_org: 100, tokens_per_account: 5, seed: 1, force: false });
    assert!(summary.active_tokens > 0 && summary.expired_tokens > 0 && summary.revoked_tokens > 0);
    assert!(summary.never_expiring_tokens > 0 && summary.extended_tokens > 0 && summary.disabled_accounts > 0);
}

#[test]
fn given_more_tokens_per_account_than_the_live_limit_then_the_extra_ones_are_revoked() {
    let (fx, _) = seeded(&SeedOptions { orgs: 1, accounts_per_org: 3, tokens_per_account: 30, seed: 3, force: false });
    let live = format!(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM tokens
           WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {T0}) GROUP BY sa_id)"
    );
    assert!(count(&fx, &live) <= satui::service::MAX_LIVE_TOKENS as u64);
}

/// The list in name order, filtered the plain way, to check the store's paging against.
fn naive(all: &[Account], filter: &str) -> Vec<i64> {
    let filter = filter.trim().to_lowercase();
    let mut rows: Vec<&Account> =
        all.iter().filter(|a| a.name.to_lowercase().contains(&filter) || a.login.contains(&filter)).collect();
    rows.sort_by_key(|a| (a.name.to_lowercase(), a.id));
    rows.into_iter().map(|a| a.id).collect()
}

const FILTERS: &[&str] = &[
    "", "e", "ci", "prod-", "(qa)", " EXPOR ", "sa-1-", "sa-2-", "-2-", "zzz", "_", "%", "\\", "\"x", "\"ab\"", "r (",
    "ör",
];

/// Every page shape of every filter, through the trigram search and through the scan, against
/// a plain filter over all accounts of each org.
fn assert_pages_match_a_plain_scan(fx: &Fixture) {
    let conn = &rusqlite::Connection::open(&fx.path).expect("open");
    for org in fx.service.orgs().expect("orgs") {
        let all = fx.service.account_page(org.id, "", 0, 10_000).expect("all").accounts;
        for filter in FILTERS {
            let expected = naive(&all, filter);
            let shapes = [(0, 7), (0, 50), (5, 7), (49, 50), (expected.len() as u64, 5), (1_000, 5), (3, 0)];
            for (offset, limit) in shapes {
                let want: Vec<i64> = expected.iter().copied().skip(offset as usize).take(limit as usize).collect();
                for max_hits in [0, accounts::SEARCH_MAX_MATCHES] {
                    let (rows, total) =
                        accounts::page_with_search_limit(conn, org.id, filter, offset, limit, max_hits).expect("page");
                    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
                    let what = format!("org {} filter {filter:?} offset {offset} limit {limit} max {max_hits}", org.id);
                    assert_eq!(ids, want, "{what}");
                    assert_eq!(total, expected.len() as u64, "total of {what}");
                }
            }
            for (index, id) in expected.iter().enumerate().step_by(37) {
                assert_eq!(fx.service.account_position(org.id, filter, *id).expect("position"), Some(index as u64));
            }
        }
    }
    let check = "INSERT INTO service_accounts_search (service_accounts_search) VALUES ('integrity-check')";
    conn.execute(check, []).expect("the search index matches the accounts");
}

#[test]
fn given_a_seeded_store_then_pages_totals_and_positions_agree_with_a_plain_scan() {
    let (one_org, _) =
        seeded(&SeedOptions { orgs: 1, accounts_per_org: 200, tokens_per_account: 0, seed: 12, force: false });
    assert_pages_match_a_plain_scan(&one_org);
    let (fx, _) =
        seeded(&SeedOptions { orgs: 2, accounts_per_org: 150, tokens_per_account: 0, seed: 11, force: false });
    assert_pages_match_a_plain_scan(&fx);
    let org = fx.main_org();
    let all = fx.service.account_page(org, "", 0, 10_000).expect("all").accounts;
    let hidden = all.iter().find(|a| !a.name.contains("prod")).expect("an account outside prod");
    assert_eq!(fx.service.account_position(org, "prod", hidden.id).expect("position"), None);
}

#[test]
fn given_renames_deletes_and_a_deleted_org_then_the_search_index_follows() {
    let (mut fx, _) =
        seeded(&SeedOptions { orgs: 3, accounts_per_org: 40, tokens_per_account: 1, seed: 5, force: false });
    let orgs = fx.service.orgs().expect("orgs");
    let main = fx.main_org();
    let page = fx.service.account_page(main, "", 0, 10).expect("page").accounts;
    let renamed = AccountChanges { name: Some("Renamed Zebra Account".to_string()), ..AccountChanges::default() };
    fx.service.update_account(page[0].id, &renamed).expect("rename");
    fx.service.set_account_disabled(page[1].id, true).expect("disable");
    fx.service.delete_account(page[2].id).expect("delete");
    fx.account("zebra crossing bot");
    let doomed = orgs.iter().find(|o| o.id != main).expect("another org");
    fx.service.delete_org(doomed.id).expect("delete org");
    assert_eq!(fx.service.account_page(main, "zebra", 0, 50).expect("search").total, 2);
    assert_eq!(fx.service.account_page(main, &page[2].name, 0, 50).expect("search").total, 0);
    assert_pages_match_a_plain_scan(&fx);
}

#[test]
fn given_a_store_that_already_has_accounts_then_seeding_adds_more_without_clashes() {
    let (fx, first) = seeded(&SMALL);
    let refused = fx.service.seed(&SMALL, &mut |_, _| {}).expect_err("a store with accounts is seeded only with force");
    assert!(refused.to_string().contains("--force"), "{refused}");
    let second = fx.service.seed(&SeedOptions { force: true, ..SMALL }, &mut |_, _| {}).expect("second seed");
    assert_eq!(first.accounts, second.accounts);
    assert_eq!(count(&fx, "SELECT count(*) FROM service_accounts"), 200);
    assert_eq!(count(&fx, "SELECT count(*) FROM orgs"), 2, "the extra org is reused");
}

#[test]
fn given_satui_seed_on_the_command_line_then_it_exits_0_with_a_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("seed.db");
    let out = satui(&db)
        .args(["seed", "--orgs", "2", "--accounts", "50", "--tokens-per-account", "3", "--seed", "7"])
        .output()
        .expect("run satui seed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("seeded 2 orgs, 100 accounts"), "{stdout}");
    assert!(out.stderr.is_empty(), "no progress line when stderr is not a terminal");
    let listed = satui(&db).args(["sa", "list", "--json"]).output().expect("sa list");
    assert!(listed.status.success());
    // A store that holds accounts is seeded again only with --force.
    let again = satui(&db).args(["seed", "--accounts", "5"]).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let json = satui(&db)
        .args(["seed", "--accounts", "5", "--tokens-per-account", "1", "--json", "--force"])
        .output()
        .unwrap();
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json summary");
    assert_eq!(summary["accounts"], 5);
    let bad = satui(&db).args(["seed", "--orgs", "0"]).output().expect("run");
    assert_eq!(bad.status.code(), Some(1));
    // Never the default store by accident: an explicit --db (or $SATUI_DB) is required.
    let home = tempfile::tempdir().unwrap();
    let implicit = assert_cmd::Command::cargo_bin("satui")
        .unwrap()
        .env_remove("SATUI_DB")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .args(["seed", "--accounts", "5"])
        .output()
        .unwrap();
    assert_eq!(implicit.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&implicit.stderr).contains("--db"));
    assert!(!home.path().join("data").exists(), "the default store was created");
}

#[test]
fn a_killed_seed_has_already_left_its_audit_event() {
    let (fx, _) = seeded(&SeedOptions { orgs: 1, accounts_per_org: 10, tokens_per_account: 1, seed: 2, force: false });
    let conn = rusqlite::Connection::open(&fx.path).unwrap();
    // The event is in the same transaction as the first batch: no committed row without it.
    let (first_event, first_account): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT min(id) FROM audit_events WHERE action = 'seed'), (SELECT min(id) FROM service_accounts)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(first_event > 0 && first_account > 0);
    let details: String =
        conn.query_row("SELECT details FROM audit_events WHERE action = 'seed'", [], |r| r.get(0)).unwrap();
    assert_eq!(details, "seed=2 orgs=1 accounts=10 tokens=10");
}
