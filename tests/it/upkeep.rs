//! Token upkeep: the org-wide token list behind the tokens view and `token list --all` (each
//! quick filter against a store holding a token in every state), and `token purge`.

use satui::domain::expiry::{ExpiryRequest, Lifetime};
use satui::service::{OrgTokenFilter, StateFilter};

use crate::common::{DAY, Fixture, T0, cli_fails, cli_json, cli_ok, days, never, satui};

/// A store whose org holds one token in each state at T0 (created 100 days before), plus a
/// token of another org that no filter of this org may show.
fn store_with_every_state() -> Fixture {
    let mut fx = Fixture::new();
    fx.clock.set(T0 - 100 * DAY);
    let a = fx.account("alpha").id;
    let b = fx.account("beta").id;
    let soon = ExpiryRequest { lifetime: Lifetime::Days(103), extended_max_age_days: None };
    fx.token(a, "expiring", soon); // expires T0 + 3 d
    fx.token(a, "old-expired", days(50)); // expired T0 - 50 d
    fx.token(b, "forever", never());
    let revoked = fx.token(b, "revoked", days(365)).token.id;
    fx.service.revoke_token(revoked).unwrap(); // revoked T0 - 100 d
    let used = fx.token(b, "used-lately", days(200));
    let retiring = fx.token(a, "retiring", days(300)).token.id;
    fx.clock.set(T0 - DAY);
    fx.verify(used.secret.expose()).unwrap(); // used yesterday
    fx.service.rotate_token_with_grace(retiring, 3 * DAY).unwrap(); // retiring until T0 + 2 d; new "retiring" live
    let other_org = fx.service.create_org("Other").unwrap().id;
    let c = fx.account_in(other_org, "gamma").id;
    fx.token(c, "elsewhere", days(3));
    fx.clock.set(T0);
    fx
}

fn names(fx: &Fixture, filter: OrgTokenFilter) -> Vec<String> {
    let org = fx.main_org();
    let rows = fx.service.org_tokens(org, &filter, 0, 100).unwrap();
    let count = fx.service.count_org_tokens(org, &filter).unwrap();
    assert_eq!(count, rows.len() as u64, "count and page disagree for {filter:?}");
    rows.iter().map(|r| format!("{}/{}", r.account_name, r.token.name)).collect()
}

fn state(state: StateFilter) -> OrgTokenFilter {
    OrgTokenFilter { state: Some(state), ..Default::default() }
}

#[test]
fn every_filter_shows_exactly_its_tokens_soonest_end_first() {
    let fx = store_with_every_state();
    // End order: live tokens soonest end first (the one retiring in 2 days before the one
    // expiring in 3), never-ending last; then the ended ones, most recently ended first. The
    // other org's token never appears.
    assert_eq!(
        names(&fx, OrgTokenFilter::default()),
        [
            "alpha/retiring",
            "alpha/expiring",
            "beta/used-lately",
            "alpha/retiring",
            "beta/forever",
            "alpha/old-expired",
            "beta/revoked",
        ]
    );
    assert_eq!(
        names(&fx, state(StateFilter::Live)),
        ["alpha/retiring", "alpha/expiring", "beta/used-lately", "alpha/retiring", "beta/forever"]
    );
    assert_eq!(names(&fx, state(StateFilter::Expired)), ["alpha/old-expired"]);
    assert_eq!(names(&fx, state(StateFilter::Revoked)), ["beta/revoked"]);
    let retiring = fx.service.org_tokens(fx.main_org(), &state(StateFilter::Retiring), 0, 10).unwrap();
    assert_eq!(retiring.len(), 1);
    assert_eq!(retiring[0].token.revoked_at, Some(T0 + 2 * DAY), "the one whose grace runs");
    let week = OrgTokenFilter { expiring_within: Some(7 * DAY), ..Default::default() };
    assert_eq!(names(&fx, week), ["alpha/retiring", "alpha/expiring"], "by the end: the grace ends within the week");
    let forever = OrgTokenFilter { never_expires: true, ..Default::default() };
    assert_eq!(names(&fx, forever), ["beta/forever"]);
    let never_used = OrgTokenFilter { never_used: true, ..Default::default() };
    assert_eq!(names(&fx, never_used), ["alpha/retiring", "alpha/expiring", "alpha/retiring", "beta/forever"]);
    // Unused for 90 days: created 100 days ago and never used; the one used yesterday and the
    // rotation's new token (created yesterday) are not.
    let unused = OrgTokenFilter { unused_for: Some(90 * DAY), ..Default::default() };
    assert_eq!(names(&fx, unused), ["alpha/retiring", "alpha/expiring", "beta/forever"]);
}

#[test]
fn pages_walk_the_same_order_without_gaps_or_repeats() {
    let fx = store_with_every_state();
    let org = fx.main_org();
    let all = fx.service.org_tokens(org, &OrgTokenFilter::default(), 0, 100).unwrap();
    let mut paged = Vec::new();
    for offset in (0..10).step_by(3) {
        paged.extend(fx.service.org_tokens(org, &OrgTokenFilter::default(), offset, 3).unwrap());
    }
    assert_eq!(paged, all);
    assert!(fx.service.org_tokens(org, &OrgTokenFilter::default(), 1_000, 50).unwrap().is_empty());
}

#[test]
fn purge_dry_run_counts_and_a_real_purge_deletes_exactly_those_with_one_audit_event() {
    let mut fx = store_with_every_state();
    let org = fx.main_org();
    let before_all = fx.service.count_org_tokens(org, &OrgTokenFilter::default()).unwrap();
    let events = fx.audit_count();
    // Before T0 - 60 d: only the token revoked at T0 - 100 d (the expired one ended at T0 - 50 d).
    assert_eq!(fx.service.purge_tokens(org, T0 - 60 * DAY, true).unwrap(), 1);
    // Before now: the revoked one and the expired one; the retiring one's grace is still running.
    assert_eq!(fx.service.purge_tokens(org, T0, true).unwrap(), 2);
    assert_eq!(
        fx.service.count_org_tokens(org, &OrgTokenFilter::default()).unwrap(),
        before_all,
        "dry runs delete nothing"
    );
    assert_eq!(fx.audit_count(), events, "dry runs write no audit event");

    assert_eq!(fx.service.purge_tokens(org, T0, false).unwrap(), 2);
    assert_eq!(names(&fx, state(StateFilter::Revoked)), Vec::<String>::new());
    assert_eq!(names(&fx, state(StateFilter::Expired)), Vec::<String>::new());
    assert_eq!(fx.service.count_org_tokens(org, &OrgTokenFilter::default()).unwrap(), before_all - 2);
    let audit = fx.audit();
    assert_eq!(audit.len(), events + 1);
    assert_eq!(audit[0].action, "token.purge");
    assert!(audit[0].details.starts_with("count=2 "), "{}", audit[0].details);
    // The other org keeps its token; a date in the future is refused.
    let other = fx.service.find_org("Other").unwrap().id;
    assert_eq!(fx.service.count_org_tokens(other, &OrgTokenFilter::default()).unwrap(), 1);
    assert!(fx.service.purge_tokens(org, T0 + DAY, false).is_err());
    assert_eq!(fx.service.purge_tokens(org, T0, false).unwrap(), 0, "nothing left to purge");
    assert_eq!(fx.audit_count(), events + 1, "an empty purge writes no event");
}

#[test]
fn the_org_counts_follow_creates_and_deletes() {
    let mut fx = store_with_every_state();
    let org = fx.main_org();
    let summaries = fx.service.org_summaries().unwrap();
    let main = summaries.iter().find(|s| s.org.id == org).unwrap();
    assert_eq!((main.accounts, main.tokens), (2, 7));
    let beta = fx.service.find_account(org, "beta").unwrap();
    fx.service.delete_account(beta.id).unwrap();
    let main = fx.service.org_summaries().unwrap().into_iter().find(|s| s.org.id == org).unwrap();
    assert_eq!((main.accounts, main.tokens), (1, 4), "deleting an account takes its tokens off the count");
}

/// The command line over a store whose tokens were made relative to the real clock (the CLI
/// has no injected clock).
#[test]
fn token_list_all_filters_and_purge_on_the_command_line() {
    let mut fx = Fixture::new();
    let now = satui::clock::Clock::now(&satui::clock::SystemClock);
    fx.clock.set(now - 40 * DAY);
    let a = fx.account("ci-bot").id;
    fx.token(a, "short", days(10)); // expired 30 days ago
    fx.token(a, "soon", days(43)); // expires in 3 days
    fx.token(a, "forever", never());
    let gone = fx.token(a, "gone", days(100)).token.id;
    fx.service.revoke_token(gone).unwrap();
    // The service closes here; the directory lives on with the store in it.
    let Fixture { dir: _dir, path: db, .. } = fx;

    let list = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["token", "list", "--all"];
        all.extend_from_slice(args);
        let value = cli_json(&db, &all);
        value.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
    };
    // Live first by end, then the ended ones, most recently ended first.
    assert_eq!(list(&[]), ["soon", "forever", "short", "gone"]);
    assert_eq!(list(&["--state", "expired"]), ["short"]);
    assert_eq!(list(&["--state", "revoked"]), ["gone"]);
    assert_eq!(list(&["--state", "live"]), ["soon", "forever"]);
    assert_eq!(list(&["--expiring-within", "7"]), ["soon"]);
    assert_eq!(list(&["--never-expires"]), ["forever"]);
    assert_eq!(list(&["--unused-for", "30"]), ["soon", "forever"]);
    assert_eq!(list(&["--limit", "2", "--offset", "1"]), ["forever", "short"], "a page across both sides");
    assert_eq!(list(&["--limit", "2", "--offset", "3"]), ["gone"]);
    let first = &cli_json(&db, &["token", "list", "--all"])[0];
    assert_eq!(first["account"], "ci-bot");
    assert!(first["hint"].as_str().unwrap().starts_with("sat_…"));
    let text = cli_ok(&db, &["token", "list", "--all"]);
    assert!(text.starts_with("ACCOUNT"), "{text}");
    // Bad options: usage errors that change nothing.
    cli_fails(&db, &["token", "list", "--state", "live"], 2);
    cli_fails(&db, &["token", "list", "--all", "--expiring-within", "0"], 2);
    cli_fails(&db, &["token", "list", "--all", "--limit", "1000000"], 2);
    cli_fails(&db, &["token", "purge", "--before", "yesterday"], 2);

    let tomorrow = satui::domain::time::date(now + DAY);
    let dry = cli_ok(&db, &["token", "purge", "--before", &satui::domain::time::date(now), "--dry-run"]);
    assert!(dry.contains("2 token(s)") && dry.contains("nothing deleted"), "{dry}");
    assert_eq!(list(&[]).len(), 4);
    cli_fails(&db, &["token", "purge", "--before", &tomorrow], 1);
    let out =
        satui(&db).args(["--json", "token", "purge", "--before", &satui::domain::time::date(now)]).output().unwrap();
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["purged"], 2);
    assert_eq!(list(&[]), ["soon", "forever"]);
}

/// A never-expiring token rotated with a grace stops when the grace ends: it is not listed as
/// never expiring (its successor is).
#[test]
fn a_retiring_token_is_not_listed_as_never_expiring() {
    let mut fx = store_with_every_state();
    let org = fx.main_org();
    let forever = fx
        .service
        .org_tokens(org, &OrgTokenFilter { never_expires: true, ..Default::default() }, 0, 10)
        .unwrap()
        .remove(0);
    fx.service.rotate_token_with_grace(forever.token.id, DAY).unwrap();
    let listed =
        fx.service.org_tokens(org, &OrgTokenFilter { never_expires: true, ..Default::default() }, 0, 10).unwrap();
    assert_eq!(listed.len(), 1);
    assert_ne!(listed[0].token.id, forever.token.id, "the successor, not the retiring one");
    assert_eq!(
        names(&fx, state(StateFilter::Retiring)),
        ["beta/forever", "alpha/retiring"],
        "the sooner grace end first"
    );
}

/// The tokens view's `/` narrows to accounts whose name or login contains the text: the same
/// rows, in the same order, as filtering the whole list by hand, on the path for a few accounts
/// and on the one for thousands.
#[test]
fn the_account_filter_of_the_token_list_keeps_exactly_those_accounts_tokens() {
    let fx = Fixture::new();
    let options =
        satui::service::SeedOptions { orgs: 1, accounts_per_org: 2_500, tokens_per_account: 2, seed: 3, force: false };
    fx.service.seed(&options, &mut |_, _| {}).unwrap();
    let org = fx.main_org();
    for filter in [
        OrgTokenFilter::default(),
        state(StateFilter::Live),
        OrgTokenFilter { never_expires: true, ..Default::default() },
    ] {
        let all = fx.service.org_tokens(org, &filter, 0, 100_000).unwrap();
        // All 2 500 accounts (the walk checks each token's account), one account's name (the
        // per-account index), a letter, nothing.
        let one = all[all.len() / 2].account_name.clone();
        // And a text most but not all accounts match (counted as all minus the others).
        let accounts_matching = |text: &str| {
            let names: std::collections::BTreeSet<&str> = all
                .iter()
                .filter(|r| r.account_name.to_lowercase().contains(text) || r.account_login.contains(text))
                .map(|r| r.account_login.as_str())
                .collect();
            names.len()
        };
        let everyone = accounts_matching("");
        let most = ["e", "a", "o", "i", "n", "r", "t", "s", "l", "c"]
            .into_iter()
            .find(|t| (everyone / 2..everyone).contains(&accounts_matching(t)))
            .expect("a letter most accounts have");
        for text in ["sa-1-", one.as_str(), "x", "zzzz", most] {
            let expected: Vec<i64> = all
                .iter()
                .filter(|r| r.account_name.to_lowercase().contains(text) || r.account_login.contains(text))
                .map(|r| r.token.id)
                .collect();
            let got: Vec<i64> =
                fx.service.org_tokens_of(org, &filter, text, 0, 100_000).unwrap().iter().map(|r| r.token.id).collect();
            assert_eq!(got, expected, "{text:?} {filter:?}");
            assert_eq!(fx.service.count_org_tokens_of(org, &filter, text).unwrap(), expected.len() as u64);
            let page: Vec<i64> =
                fx.service.org_tokens_of(org, &filter, text, 10, 50).unwrap().iter().map(|r| r.token.id).collect();
            assert_eq!(page, expected.iter().skip(10).take(50).copied().collect::<Vec<_>>(), "{text:?} paged");
        }
    }
}
