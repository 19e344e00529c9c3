//! Token lifetimes, the org cap, Extended (sliding) expiry and last-use recording, driven by a
//! manual clock.

use satui::domain::expiry::{self, ExpiryField, ExpiryRequest, Lifetime, TokenStatus};
use satui::service::{Field, Rejection};

use crate::common::{DAY, Fixture, MINUTE, T0, days, extended, never, new_token};

/// Asks for a token with `expiry` and expects an error under `field`, with nothing written.
fn assert_refused(fx: &mut Fixture, account_id: i64, expiry: ExpiryRequest, field: Field) -> String {
    let before = (fx.service.tokens(account_id).unwrap().len(), fx.audit_count());
    let err = fx.service.create_token(account_id, &new_token("t", expiry)).expect_err("an invalid expiry was accepted");
    assert_eq!(err.field(), Some(field), "{expiry:?}: {err}");
    assert_eq!((fx.service.tokens(account_id).unwrap().len(), fx.audit_count()), before, "{expiry:?} wrote");
    err.to_string()
}

#[test]
fn given_a_lifetime_of_0_or_3651_days_when_a_token_is_created_then_it_is_rejected_and_1_and_3650_are_accepted() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    assert!(assert_refused(&mut fx, account.id, days(0), Field::Lifetime).contains("at least 1"));
    assert!(assert_refused(&mut fx, account.id, days(3651), Field::Lifetime).contains("at most 3650"));
    assert_eq!(fx.token(account.id, "one", days(1)).token.expires_at, Some(T0 + DAY));
    assert_eq!(fx.token(account.id, "max", days(3650)).token.expires_at, Some(T0 + 3650 * DAY));
}

#[test]
fn given_negative_or_zero_day_counts_when_validated_then_they_are_rejected() {
    for bad in [i64::MIN, -1, 0, 3651, i64::MAX] {
        assert!(expiry::validate_days(bad, "lifetime").is_err(), "{bad} accepted");
    }
    assert_eq!(expiry::validate_days(1, "lifetime"), Ok(1));
    assert_eq!(expiry::validate_days(3650, "lifetime"), Ok(3650));
    let negative_max_age = ExpiryRequest { lifetime: Lifetime::Days(30), extended_max_age_days: Some(-5) };
    assert_eq!(expiry::resolve(negative_max_age, None, T0).unwrap_err().field, ExpiryField::MaxAge);
}

#[test]
fn given_an_expiry_date_now_or_in_the_past_or_beyond_the_limit_then_it_is_rejected() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let until = |at| ExpiryRequest { lifetime: Lifetime::Until(at), extended_max_age_days: None };
    assert_refused(&mut fx, account.id, until(T0), Field::Lifetime);
    assert_refused(&mut fx, account.id, until(T0 - DAY), Field::Lifetime);
    assert_refused(&mut fx, account.id, until(T0 + 3650 * DAY + 1), Field::Lifetime);
    let token = fx.token(account.id, "dated", until(T0 + 10 * DAY + 5)).token;
    assert_eq!(token.expires_at, Some(T0 + 10 * DAY + 5));
    fx.service.set_org_cap(1, Some(5)).unwrap();
    assert_refused(&mut fx, account.id, until(T0 + 6 * DAY), Field::Lifetime);
}

#[test]
fn given_an_org_cap_when_a_longer_lifetime_is_asked_for_then_it_is_rejected_and_the_cap_itself_is_accepted() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    fx.service.set_org_cap(1, Some(90)).unwrap();
    let message = assert_refused(&mut fx, account.id, days(91), Field::Lifetime);
    assert!(message.contains("90"), "{message}");
    assert_eq!(fx.token(account.id, "capped", days(90)).token.expires_at, Some(T0 + 90 * DAY));
}

#[test]
fn given_an_org_cap_when_a_never_expiring_token_is_asked_for_then_it_is_rejected_but_without_a_cap_it_is_allowed() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let forever = fx.token(account.id, "forever", never()).token;
    assert_eq!((forever.expires_at, forever.lifetime_days), (None, None));
    fx.service.set_org_cap(1, Some(365)).unwrap();
    assert_refused(&mut fx, account.id, never(), Field::Lifetime);
}

#[test]
fn given_a_cap_in_another_org_then_it_does_not_limit_this_org() {
    let mut fx = Fixture::new();
    let other = fx.service.create_org("Capped").unwrap().id;
    fx.service.set_org_cap(other, Some(7)).unwrap();
    let account = fx.account("ci-bot");
    assert!(fx.service.create_token(account.id, &new_token("long", days(365))).is_ok());
    let capped = fx.account_in(other, "capped-bot");
    assert_refused(&mut fx, capped.id, days(8), Field::Lifetime);
}

#[test]
fn given_extended_without_a_lifetime_when_a_token_is_created_then_it_is_rejected_under_max_age() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let request = ExpiryRequest { lifetime: Lifetime::Never, extended_max_age_days: Some(30) };
    let message = assert_refused(&mut fx, account.id, request, Field::MaxAge);
    assert!(message.contains("lifetime"), "{message}");
}

#[test]
fn given_a_max_age_of_0_or_3651_or_over_the_cap_when_a_token_is_created_then_it_is_rejected() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    assert_refused(&mut fx, account.id, extended(30, 0), Field::MaxAge);
    assert_refused(&mut fx, account.id, extended(30, -1), Field::MaxAge);
    assert_refused(&mut fx, account.id, extended(30, 3651), Field::MaxAge);
    fx.service.set_org_cap(1, Some(60)).unwrap();
    assert_refused(&mut fx, account.id, extended(30, 61), Field::MaxAge);
    let ok = fx.token(account.id, "ok", extended(30, 60)).token;
    assert_eq!((ok.lifetime_days, ok.max_age_days, ok.extended()), (Some(30), Some(60), true));
}

#[test]
fn given_a_token_when_the_clock_reaches_exactly_its_expiry_then_it_is_expired_and_one_second_before_it_is_valid() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(7));
    let expires_at = issued.token.expires_at.unwrap();
    fx.clock.set(expires_at - 1);
    assert!(fx.verify(issued.secret.expose()).is_ok());
    fx.clock.set(expires_at);
    assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::Expired);
    assert_eq!(TokenStatus::of(Some(expires_at), None, false, expires_at), TokenStatus::Expired);
}

#[test]
fn given_a_plain_token_when_used_then_its_expiry_never_moves() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(2));
    for _ in 0..3 {
        fx.clock.advance(12 * 3600);
        let identity = fx.verify(issued.secret.expose()).unwrap();
        assert_eq!(identity.expires_at.as_deref(), Some(satui::domain::time::rfc3339(T0 + 2 * DAY).as_str()));
    }
    assert_eq!(fx.service.token(issued.token.id).unwrap().expires_at, Some(T0 + 2 * DAY));
}

#[test]
fn given_an_extended_token_when_used_then_expiry_becomes_the_later_of_expiry_and_now_plus_max_age() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    // Lifetime 30 d, max age 7 d: early uses do not shorten the expiry.
    let long = fx.token(account.id, "long", extended(30, 7));
    // Lifetime 1 d, max age 10 d: a use pushes the expiry to now + 10 d.
    let short = fx.token(account.id, "short", extended(1, 10));

    fx.clock.set(T0 + 3600);
    fx.verify(long.secret.expose()).unwrap();
    fx.verify(short.secret.expose()).unwrap();
    assert_eq!(fx.service.token(long.token.id).unwrap().expires_at, Some(T0 + 30 * DAY));
    assert_eq!(fx.service.token(short.token.id).unwrap().expires_at, Some(T0 + 3600 + 10 * DAY));

    // Used again 25 days later, the long one now slides to now + 7 d.
    fx.clock.set(T0 + 25 * DAY);
    fx.verify(long.secret.expose()).unwrap();
    assert_eq!(fx.service.token(long.token.id).unwrap().expires_at, Some(T0 + 32 * DAY));

    // Kept in use every 9 days, the short one lives far past its lifetime.
    let mut now = T0 + 3600;
    for _ in 0..5 {
        now += 9 * DAY;
        fx.clock.set(now);
        let identity = fx.verify(short.secret.expose()).unwrap();
        assert_eq!(identity.expires_at.as_deref(), Some(satui::domain::time::rfc3339(now + 10 * DAY).as_str()));
    }
    assert_eq!(fx.service.token(short.token.id).unwrap().expires_at, Some(now + 10 * DAY));
}

#[test]
fn given_an_org_cap_when_an_extended_token_is_used_then_its_expiry_stops_at_creation_plus_the_cap() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    fx.service.set_org_cap(1, Some(20)).unwrap();
    let issued = fx.token(account.id, "deploy", extended(5, 10));
    let created = issued.token.created_at;
    let hard_stop = created + 20 * DAY;

    let mut now = T0;
    while now + 4 * DAY < hard_stop {
        now += 4 * DAY;
        fx.clock.set(now);
        fx.verify(issued.secret.expose()).expect("in use within the cap");
        let expires_at = fx.service.token(issued.token.id).unwrap().expires_at.unwrap();
        assert_eq!(expires_at, (now + 10 * DAY).min(hard_stop), "at +{} d", (now - T0) / DAY);
    }
    assert_eq!(fx.service.token(issued.token.id).unwrap().expires_at, Some(hard_stop));
    fx.clock.set(hard_stop - 1);
    assert!(fx.verify(issued.secret.expose()).is_ok());
    fx.clock.set(hard_stop);
    assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::Expired);
}

#[test]
fn given_a_cap_lowered_after_creation_when_an_extended_token_is_used_then_it_never_extends_past_the_new_cap_nor_shrinks()
 {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", extended(30, 30));
    fx.service.set_org_cap(1, Some(10)).unwrap();
    fx.clock.set(T0 + 2 * DAY);
    fx.verify(issued.secret.expose()).unwrap();
    // created + cap (10 d) is earlier than the current expiry (30 d): the expiry is kept, not cut.
    assert_eq!(fx.service.token(issued.token.id).unwrap().expires_at, Some(T0 + 30 * DAY));
    assert_eq!(expiry::extend(T0 + 30 * DAY, 30, T0, Some(10), T0 + 2 * DAY), T0 + 30 * DAY);
    assert_eq!(expiry::extend(T0 + DAY, 30, T0, Some(10), T0 + 2 * 3600), T0 + 10 * DAY);
}

#[test]
fn given_an_expired_extended_token_then_using_it_never_revives_it_and_its_expiry_is_unchanged() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", extended(1, 30));
    let expires_at = issued.token.expires_at.unwrap();
    fx.clock.set(expires_at + 5);
    for step in 0..3 {
        assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::Expired, "attempt {step}");
        fx.clock.advance(2 * MINUTE);
    }
    let stored = fx.service.token(issued.token.id).unwrap();
    assert_eq!(stored.expires_at, Some(expires_at));
    assert_eq!(stored.last_used_at, None, "an expired token recorded a use");
    // Nor does rotation bring the old secret back: it is revoked, and a new secret is issued.
    let rotated = fx.service.rotate_token(issued.token.id).unwrap();
    fx.clock.advance(10 * DAY);
    assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::Revoked);
    assert_ne!(rotated.secret.expose(), issued.secret.expose());
}

#[test]
fn given_repeated_uses_then_last_used_at_is_written_at_most_once_a_minute() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    let last_used = |fx: &Fixture| fx.service.token(issued.token.id).unwrap().last_used_at;
    assert_eq!(last_used(&fx), None);

    fx.clock.set(T0 + 100);
    fx.verify(issued.secret.expose()).unwrap();
    assert_eq!(last_used(&fx), Some(T0 + 100));

    let version = fx.service.data_version().unwrap();
    fx.clock.set(T0 + 100 + MINUTE - 1);
    fx.verify(issued.secret.expose()).unwrap();
    assert_eq!(last_used(&fx), Some(T0 + 100), "written again within the minute");
    assert_eq!(fx.service.data_version().unwrap(), version);

    fx.clock.set(T0 + 100 + MINUTE);
    fx.verify(issued.secret.expose()).unwrap();
    assert_eq!(last_used(&fx), Some(T0 + 100 + MINUTE));
}

#[test]
fn given_token_states_then_status_is_revoked_before_expired_before_inactive_before_expiring_soon() {
    let now = T0;
    assert_eq!(TokenStatus::of(Some(now - 1), Some(now - 5), true, now), TokenStatus::Revoked);
    assert_eq!(TokenStatus::of(Some(now), None, true, now), TokenStatus::Expired);
    assert_eq!(TokenStatus::of(Some(now + DAY), None, true, now), TokenStatus::Inactive);
    assert_eq!(TokenStatus::of(Some(now + 7 * DAY), None, false, now), TokenStatus::ExpiringSoon);
    assert_eq!(TokenStatus::of(Some(now + 7 * DAY + 1), None, false, now), TokenStatus::Active);
    assert_eq!(TokenStatus::of(None, None, false, now), TokenStatus::Active);
}

#[test]
fn given_a_date_lifetime_then_it_is_stored_as_whole_days_rounded_up_and_rotation_reuses_them() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let until = |at| ExpiryRequest { lifetime: Lifetime::Until(at), extended_max_age_days: None };
    let exact = fx.token(account.id, "exact", until(T0 + 10 * DAY)).token;
    assert_eq!(exact.lifetime_days, Some(10), "exactly ten days is ten");
    let past = fx.token(account.id, "past", until(T0 + 10 * DAY + 1)).token;
    assert_eq!(past.lifetime_days, Some(11), "a second past ten days counts as eleven");
    let short = fx.token(account.id, "short", until(T0 + 1)).token;
    assert_eq!(short.lifetime_days, Some(1), "under a day is one day");
    // Rotation gives the new secret the same number of days from the moment of rotation.
    fx.clock.set(T0 + 3 * DAY);
    let rotated = fx.service.rotate_token(past.id).unwrap().token;
    assert_eq!(rotated.expires_at, Some(T0 + 3 * DAY + 11 * DAY));
}

#[test]
fn given_a_date_exactly_at_the_cap_or_the_limit_then_it_is_accepted_and_one_second_later_refused() {
    let until = |at| ExpiryRequest { lifetime: Lifetime::Until(at), extended_max_age_days: None };
    assert_eq!(expiry::resolve(until(T0 + 3650 * DAY), None, T0).unwrap().expires_at, Some(T0 + 3650 * DAY));
    assert!(expiry::resolve(until(T0 + 3650 * DAY + 1), None, T0).is_err());
    assert_eq!(expiry::resolve(until(T0 + 30 * DAY), Some(30), T0).unwrap().expires_at, Some(T0 + 30 * DAY));
    let over = expiry::resolve(until(T0 + 30 * DAY + 1), Some(30), T0).unwrap_err();
    assert_eq!(over.field, ExpiryField::Lifetime);
    assert!(over.message.contains("30 days"), "{}", over.message);
    // A max age exactly at the cap is allowed; one day more is not.
    let extended_at = |max_age| ExpiryRequest { lifetime: Lifetime::Days(10), extended_max_age_days: Some(max_age) };
    assert_eq!(expiry::resolve(extended_at(30), Some(30), T0).unwrap().max_age_days, Some(30));
    assert_eq!(expiry::resolve(extended_at(31), Some(30), T0).unwrap_err().field, ExpiryField::MaxAge);
}

#[test]
fn spans_round_to_the_nearest_unit_below_a_day_too() {
    let cases = [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (89, "1 min"),
        (90, "2 min"),
        (3599, "60 min"),
        (3600, "1 h"),
        (5399, "1 h"),
        (5400, "2 h"),
        (DAY - 1, "24 h"),
        (DAY, "1 d"),
        (DAY + DAY / 2, "2 d"),
    ];
    for (seconds, expected) in cases {
        assert_eq!(expiry::span(seconds), expected, "{seconds} s");
    }
}

#[test]
fn expiry_descriptions_say_when_it_was_or_will_be() {
    assert_eq!(expiry::describe_expiry(None, T0), "never expires");
    assert_eq!(expiry::describe_expiry(Some(T0 + 5 * 3600), T0), "expires in 5 h");
    assert_eq!(expiry::describe_expiry(Some(T0 - 3 * DAY), T0), "expired 3 d ago");
    assert_eq!(expiry::describe_expiry(Some(T0), T0), "expired 0 s ago", "the instant it is reached");
    assert_eq!(expiry::describe_expiry(Some(T0 + 1), T0), "expires in 1 s");
}

#[test]
fn every_status_has_its_label() {
    let labels = [
        (TokenStatus::Active, "active"),
        (TokenStatus::ExpiringSoon, "expiring soon"),
        (TokenStatus::Expired, "expired"),
        (TokenStatus::Revoked, "revoked"),
        (TokenStatus::Inactive, "inactive"),
    ];
    for (status, label) in labels {
        assert_eq!(status.label(), label);
    }
}

/// What each state means, written out: which authenticate, which count as live.
#[test]
fn each_token_state_authenticates_and_counts_as_live_as_written_here() {
    use TokenStatus::*;
    let table = [
        (Active, true, true),
        (ExpiringSoon, true, true),
        (Retiring, true, true),
        (Inactive, false, true),
        (Imported, false, true),
        (Expired, false, false),
        (Revoked, false, false),
    ];
    for (status, authenticates, live) in table {
        assert_eq!((status.authenticates(), status.is_live()), (authenticates, live), "{status:?}");
    }
}

#[test]
fn the_one_wording_of_a_tokens_end() {
    let now = T0;
    let at = |days: i64| T0 + days * DAY;
    let date = |t: i64| satui::domain::time::date(t);
    let says = |status, expires, revoked, dates| expiry::describe_state(status, expires, revoked, now, dates);
    assert_eq!(says(TokenStatus::Revoked, Some(at(3)), Some(at(-2)), false), format!("revoked {}", date(at(-2))));
    assert_eq!(says(TokenStatus::Expired, Some(at(-1)), None, true), format!("expired {}", date(at(-1))));
    assert_eq!(says(TokenStatus::Active, Some(at(30)), None, false), "expires in 30 d");
    assert_eq!(says(TokenStatus::Active, Some(at(30)), None, true), format!("expires in 30 d ({})", date(at(30))));
    assert_eq!(says(TokenStatus::Active, None, None, true), "never expires");
}

#[test]
fn a_grace_that_is_not_a_duration_says_which_mistake_it_is() {
    assert!(expiry::parse_grace("12").unwrap_err().contains("needs a unit"));
    assert!(expiry::parse_grace("1x").unwrap_err().contains("is not a duration such as 1h"));
    assert!(expiry::parse_grace("soon").unwrap_err().contains("is not a duration such as 1h"));
    assert!(expiry::parse_grace("-1h").unwrap_err().contains("is not a duration such as 1h"));
}
