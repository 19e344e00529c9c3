//! One truth about when a token stops working: the domain's `expiry::ends_at` (its expiry, or the
//! end of a rotation's grace when sooner). Every surface is checked against it for every token
//! the demo holds (active, expiring soon, retiring, expired, revoked, inactive, extended, never):
//! the service's list and its order, `token list --all` with its filters, the HTTP API's token
//! fields, the export, and for tokens whose secret the test knows, `token verify`, the API's
//! verify and the scan report.

use std::collections::{BTreeMap, BTreeSet};

use satui::clock::Clock;
use satui::domain::expiry::{self, DAY, TokenStatus};
use satui::domain::role::BasicRole;
use satui::domain::time::rfc3339;
use satui::service::{OrgToken, OrgTokenFilter};
use serde_json::Value;

use crate::common::{Fixture, cli_json, days, extended, new_account, satui};
use crate::server::Server;

/// The demo store built at the real "now" (the command line has no injected clock), plus a
/// token of ours rotated with a one-hour grace and an Extended one, whose secrets the test keeps.
struct Demo {
    fx: Fixture,
    now: i64,
    retiring_secret: String,
    extended_secret: String,
    admin_secret: String,
}

fn demo() -> Demo {
    let mut fx = Fixture::new();
    let now = satui::clock::SystemClock.now();
    fx.clock.set(now);
    satui::demo::build_store(&fx.path, now).unwrap();
    let org = fx.main_org();
    let admin = fx.service.create_account(org, &new_account("end-checker", BasicRole::Admin)).unwrap();
    let admin_secret = fx.token(admin.id, "checker", days(30)).secret.expose().to_string();
    let rotated = fx.token(admin.id, "rotated", days(30));
    fx.service.rotate_token_with_grace(rotated.token.id, 3600).unwrap();
    let slides = fx.token(admin.id, "slides", extended(10, 20));
    Demo {
        now,
        retiring_secret: rotated.secret.expose().to_string(),
        extended_secret: slides.secret.expose().to_string(),
        admin_secret,
        fx,
    }
}

fn all_tokens(d: &Demo, org: i64) -> Vec<OrgToken> {
    d.fx.service.org_tokens(org, &OrgTokenFilter::default(), 0, 10_000).unwrap()
}

fn time_field(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

#[test]
fn every_surface_reads_the_one_end_of_every_demo_token() {
    let d = demo();
    let now = d.now;
    let orgs = d.fx.service.orgs().unwrap();
    let mut states = BTreeSet::new();
    for org in &orgs {
        let listed = all_tokens(&d, org.id);
        // The service's list (behind view 6) is in the one end order, live before ended.
        assert!(
            listed.windows(2).all(|w| w[0].token.cmp_by_end(&w[1].token, now).is_lt()),
            "{} in end order",
            org.name
        );
        for row in &listed {
            states.insert(format!("{:?}", row.token.status(row.account_disabled, now)));
        }

        // token list --all --json: the same order, and ends_at is the one end.
        let org_arg = org.name.as_str();
        let cli = cli_json(&d.fx.path, &["token", "list", "--all", "--org", org_arg]);
        let cli = cli.as_array().unwrap();
        assert_eq!(
            cli.iter().map(|t| t["id"].as_i64().unwrap()).collect::<Vec<_>>(),
            listed.iter().map(|r| r.token.id).collect::<Vec<_>>(),
            "{} listed in the same order",
            org.name
        );
        for (json, row) in cli.iter().zip(&listed) {
            assert_eq!(time_field(&json["ends_at"]), row.token.ends_at().map(rfc3339), "{}", row.token.name);
        }

        // --expiring-within 7: exactly the live tokens ending within 7 days, by the end.
        let week: BTreeSet<i64> =
            cli_json(&d.fx.path, &["token", "list", "--all", "--org", org_arg, "--expiring-within", "7"])
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap())
                .collect();
        let expected: BTreeSet<i64> = listed
            .iter()
            .filter(|r| r.token.ends_at().is_some_and(|at| at > now + 60 && at <= now + 7 * DAY - 60))
            .map(|r| r.token.id)
            .collect();
        assert!(expected.is_subset(&week), "{}: {expected:?} ⊆ {week:?}", org.name);
        for id in &week {
            let row = listed.iter().find(|r| r.token.id == *id).unwrap();
            let end = row.token.ends_at().expect("an expiring token ends");
            assert!(expiry::is_live(Some(end), now) && end <= now + 7 * DAY + 60, "{}", row.token.name);
        }
    }
    for state in ["Active", "ExpiringSoon", "Retiring", "Expired", "Revoked", "Inactive"] {
        assert!(states.contains(state), "the demo holds a {state} token: {states:?}");
    }

    // The HTTP API: expiration, hasExpired, isRevoked and secondsUntilExpiration of every token
    // of the Main Org read the same end.
    let main = d.fx.main_org();
    let listed = all_tokens(&d, main);
    let server = Server::start(&d.fx);
    let by_account: BTreeMap<i64, Vec<&OrgToken>> = listed.iter().fold(BTreeMap::new(), |mut map, row| {
        map.entry(row.account_id).or_default().push(row);
        map
    });
    for (account, rows) in &by_account {
        let (status, body) =
            server.call("GET", &format!("/api/serviceaccounts/{account}/tokens"), Some(&d.admin_secret), None);
        assert_eq!(status, 200, "{body}");
        for row in rows {
            let item = body.as_array().unwrap().iter().find(|t| t["id"] == row.token.id).unwrap();
            let end = row.token.ends_at();
            let status = row.token.status(row.account_disabled, now);
            assert_eq!(time_field(&item["expiration"]), end.map(rfc3339), "{}", row.token.name);
            assert_eq!(item["hasExpired"], status == TokenStatus::Expired, "{}", row.token.name);
            assert_eq!(item["isRevoked"], status == TokenStatus::Revoked, "{}", row.token.name);
            let seconds = item["secondsUntilExpiration"].as_f64().unwrap() as i64;
            match end.filter(|at| *at > now && at - now <= 7 * DAY) {
                Some(at) => assert_eq!(seconds, at - now, "{}", row.token.name),
                None => assert_eq!(seconds, 0, "{}", row.token.name),
            }
        }
    }

    // Verify, three ways, for the token in its grace: the end of the grace, not its expiry.
    let retiring = listed.iter().find(|r| r.token.name == "rotated" && r.token.revoked_at.is_some()).unwrap();
    let grace_end = retiring.token.ends_at().unwrap();
    assert!(grace_end <= now + 3600 && retiring.token.expires_at.unwrap() > now + 29 * DAY);
    let (status, body) = server.call("GET", "/api/satui/verify", Some(&d.retiring_secret), None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(time_field(&body["expires_at"]), Some(rfc3339(grace_end)));
    drop(server);
    let out =
        satui(&d.fx.path).args(["--json", "token", "verify"]).env("SATUI_TOKEN", &d.retiring_secret).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(time_field(&identity["expires_at"]), Some(rfc3339(grace_end)));
    // An Extended token's answer is its slid end, the one the store now keeps.
    let out =
        satui(&d.fx.path).args(["--json", "token", "verify"]).env("SATUI_TOKEN", &d.extended_secret).output().unwrap();
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    let slides = all_tokens(&d, main).into_iter().find(|r| r.token.name == "slides").unwrap();
    assert!(slides.token.ends_at().unwrap() >= now + 20 * DAY, "the use slid it to last use + max age");
    assert_eq!(time_field(&identity["expires_at"]), slides.token.ends_at().map(rfc3339));

    // The export writes each token's end beside the fields it follows from.
    let export = cli_json(&d.fx.path, &["export"]);
    let mut exported = 0;
    for org in export["orgs"].as_array().unwrap() {
        for account in org["accounts"].as_array().unwrap() {
            for token in account["tokens"].as_array().unwrap() {
                let end = expiry::ends_at(token["expires_at"].as_i64(), token["revoked_at"].as_i64());
                assert_eq!(token["ends_at"].as_i64(), end, "{token}");
                exported += 1;
            }
        }
    }
    assert!(exported > 10);

    // The scan report of a file holding the retiring token.
    let leak = d.fx.dir.path().join("leak");
    std::fs::create_dir(&leak).unwrap();
    std::fs::write(leak.join("config.env"), format!("TOKEN={}\n", d.retiring_secret)).unwrap();
    let out = satui(&d.fx.path).args(["--json", "scan"]).arg(&leak).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = &report["finds"][0];
    assert_eq!(find["status"], "retiring", "{report}");
    assert_eq!(time_field(&find["ends_at"]), Some(rfc3339(grace_end)));
}
