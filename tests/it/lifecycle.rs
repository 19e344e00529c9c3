//! Token lifecycle: rotation with a grace period (both secrets work until it ends, then only
//! the new one), revoking a retiring token, refusals, and the audit trail.

use satui::domain::expiry::{self, ExpiryRequest, Lifetime, TokenStatus};
use satui::service::{Error, Rejection};

use crate::common::{DAY, Fixture, T0, days, new_token};

#[test]
fn during_the_grace_both_secrets_work_and_after_it_only_the_new_one() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let old = fx.token(account.id, "deploy", days(30));
    let new = fx.service.rotate_token_with_grace(old.token.id, 3600).unwrap();
    let retiring = fx.service.token(old.token.id).unwrap();
    assert_eq!(retiring.revoked_at, Some(T0 + 3600));
    assert_eq!(retiring.status(false, T0), TokenStatus::Retiring);
    assert_eq!(
        expiry::describe_state(TokenStatus::Retiring, retiring.expires_at, retiring.revoked_at, T0, true),
        "retiring until 2027-01-15 09:00"
    );
    assert!(fx.verify(old.secret.expose()).is_ok());
    assert!(fx.verify(new.secret.expose()).is_ok());
    fx.clock.set(T0 + 3599);
    assert!(fx.verify(old.secret.expose()).is_ok(), "one second before the end");
    fx.clock.set(T0 + 3600);
    assert_eq!(fx.verify(old.secret.expose()).unwrap_err(), Rejection::Revoked);
    assert!(fx.verify(new.secret.expose()).is_ok());
    assert_eq!(fx.service.token(old.token.id).unwrap().status(false, T0 + 3600), TokenStatus::Revoked);
    // The audit says so.
    let rotate = fx.audit().into_iter().find(|e| e.action == "token.rotate").unwrap();
    assert!(rotate.details.contains("grace=1h retiring_until=2027-01-15T09:00:00Z"), "{}", rotate.details);
    assert!(rotate.details.contains(&format!("replaces={}", old.token.hint)), "{}", rotate.details);
}

#[test]
fn revoking_a_retiring_token_ends_its_grace_at_once() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let old = fx.token(account.id, "deploy", days(30));
    fx.service.rotate_token_with_grace(old.token.id, 7 * DAY).unwrap();
    fx.clock.advance(60);
    let revoked = fx.service.revoke_token(old.token.id).unwrap();
    assert_eq!(revoked.revoked_at, Some(T0 + 60));
    assert_eq!(fx.verify(old.secret.expose()).unwrap_err(), Rejection::Revoked);
    assert!(fx.audit()[0].details.contains("ended its rotation grace"), "{}", fx.audit()[0].details);
    // And it cannot be revoked twice.
    assert!(matches!(fx.service.revoke_token(old.token.id), Err(Error::Refused(_))));
}

#[test]
fn a_grace_never_runs_past_the_old_tokens_own_expiry_nor_past_a_week() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let short = ExpiryRequest { lifetime: Lifetime::Until(T0 + 2 * 3600), extended_max_age_days: None };
    let old = fx.token(account.id, "short", short);
    fx.service.rotate_token_with_grace(old.token.id, 7 * DAY).unwrap();
    assert_eq!(fx.service.token(old.token.id).unwrap().revoked_at, Some(T0 + 2 * 3600), "stops at its expiry");
    let other = fx.token(account.id, "other", days(30));
    let too_long = fx.service.rotate_token_with_grace(other.token.id, 7 * DAY + 1).unwrap_err();
    assert!(too_long.to_string().contains("7 days"), "{too_long}");
    assert_eq!(expiry::parse_grace("8d").unwrap_err(), "a grace period is at most 7 days (got 8 d)");
    for (text, seconds) in [
        ("now", 0),
        ("0", 0),
        ("1h", 3600),
        ("24h", 86_400),
        ("7d", 7 * DAY),
        ("1h30m", 5400),
        ("90m", 5400),
        ("1 week", 7 * DAY),
    ] {
        assert_eq!(expiry::parse_grace(text), Ok(seconds), "{text}");
    }
    for bad in ["1", "1x", "h", "-1h", "2 weeks"] {
        assert!(expiry::parse_grace(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_revoked_or_retiring_token_is_not_rotated_again() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let old = fx.token(account.id, "deploy", days(30));
    let new = fx.service.rotate_token_with_grace(old.token.id, 3600).unwrap();
    let retiring = fx.service.rotate_token_with_grace(old.token.id, 0).unwrap_err().to_string();
    assert!(retiring.contains("is retiring") && retiring.contains("rotate its successor"), "{retiring}");
    fx.clock.advance(10);
    fx.service.revoke_token(new.token.id).unwrap();
    let revoked = fx.service.rotate_token(new.token.id).unwrap_err().to_string();
    assert!(revoked.contains("is revoked"), "{revoked}");
}

#[test]
fn a_rotation_with_grace_at_the_live_token_limit_still_works() {
    let mut fx = Fixture::new();
    let account = fx.account("busy");
    let mut first = None;
    for i in 0..20 {
        let t = fx.token(account.id, &format!("t{i}"), days(30));
        first.get_or_insert(t);
    }
    let extra = fx.service.create_token(account.id, &new_token("one-more", days(30))).unwrap_err();
    assert!(extra.to_string().contains("20 live tokens"), "{extra}");
    let first = first.unwrap();
    fx.service.rotate_token_with_grace(first.token.id, 3600).expect("the token being replaced does not count");
}

#[test]
fn the_cli_rotates_with_grace_and_lists_the_old_token_as_retiring() {
    let fx = Fixture::new();
    let db = &fx.path;
    crate::common::cli_ok(db, &["sa", "create", "ci-bot"]);
    crate::common::cli_ok(db, &["token", "create", "--sa", "ci-bot", "--name", "deploy"]);
    let out = crate::common::satui(db)
        .args(["token", "rotate", "--sa", "ci-bot", "deploy", "--grace", "24h"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list = crate::common::cli_ok(db, &["token", "list", "--sa", "ci-bot"]);
    assert!(list.lines().any(|l| l.contains("retiring") && l.contains("retiring until")), "{list}");
    let bad = crate::common::cli_fails(db, &["token", "rotate", "--sa", "ci-bot", "deploy", "--grace", "9d"], 2);
    assert!(bad.contains("at most 7 days"), "{bad}");
}
