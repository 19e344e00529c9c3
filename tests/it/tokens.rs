//! Tokens through the service layer: format, checksum, verification outcomes, revoke, rotate,
//! delete, the live-token limit, and account state.

use proptest::prelude::*;
use satui::domain::role::BasicRole;
use satui::domain::token::{self, CHECKSUM_LEN, PREFIX, RANDOM_LEN, TOKEN_LEN, TokenFormatError, TokenSecret};
use satui::service::{Error, Rejection, Service};

use crate::common::{Fixture, T0, days, extended, never, new_account, new_token, tamper};

fn is_base62(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[test]
fn given_a_new_token_then_it_is_sat_plus_38_base62_chars_and_its_hint_shows_only_the_last_4() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    let text = issued.secret.expose();
    assert_eq!(TOKEN_LEN, 42);
    assert_eq!(text.len(), PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN);
    assert!(text.starts_with("sat_"), "{}", issued.token.hint);
    assert!(is_base62(&text[4..]));
    assert_eq!(issued.token.hint, format!("sat_…{}", &text[38..]));
    assert_eq!(fx.service.tokens(account.id).unwrap()[0].hint, issued.token.hint);
}

#[test]
fn given_two_issued_tokens_then_their_secrets_differ() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let a = fx.token(account.id, "a", days(30));
    let b = fx.token(account.id, "b", days(30));
    assert_ne!(a.secret.expose(), b.secret.expose());
    assert_ne!(a.secret.expose()[4..36], b.secret.expose()[4..36]);
}

#[test]
fn given_a_valid_token_when_verified_then_the_identity_names_the_org_account_login_role_and_token() {
    let mut fx = Fixture::new();
    let account = fx.service.create_account(1, &new_account("CI Bot", BasicRole::Editor)).unwrap();
    let issued = fx.token(account.id, "deploy", days(30));
    let identity = fx.verify(issued.secret.expose()).expect("a fresh token verifies");
    assert_eq!(identity.org_id, 1);
    assert_eq!(identity.org, "Main Org.");
    assert_eq!(identity.account_id, account.id);
    assert_eq!(identity.account, "CI Bot");
    assert_eq!(identity.login, "sa-1-ci-bot");
    assert_eq!(identity.role, BasicRole::Editor);
    assert_eq!((identity.token_id, identity.token.as_str()), (issued.token.id, "deploy"));
    assert_eq!(identity.expires_at.as_deref(), Some(satui::domain::time::rfc3339(T0 + 30 * 86_400).as_str()));
}

#[test]
fn given_surrounding_whitespace_when_a_token_is_verified_then_it_is_still_accepted() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", never());
    let identity = fx.verify(&format!("  {}\n", issued.secret.expose())).expect("trimmed token verifies");
    assert_eq!(identity.expires_at, None);
}

#[test]
fn given_a_store_with_no_tokens_when_a_tampered_token_is_verified_then_it_is_bad_checksum_not_unknown() {
    // A store with no tokens at all: if the hash were looked up first, the answer would be Unknown.
    let mut issuer = Fixture::new();
    let account = issuer.account("ci-bot");
    let real = issuer.token(account.id, "deploy", days(30));
    let mut empty = Fixture::new();
    for index in PREFIX.len()..TOKEN_LEN {
        let tampered = tamper(real.secret.expose(), index);
        assert_eq!(empty.verify(&tampered).unwrap_err(), Rejection::BadChecksum, "position {index}");
        assert_eq!(token::check_format(&tampered), Err(TokenFormatError::BadChecksum), "position {index}");
    }
    // The same tampered strings are also refused by the store that holds the real token.
    let tampered = tamper(real.secret.expose(), 10);
    assert_eq!(issuer.verify(&tampered).unwrap_err(), Rejection::BadChecksum);
    // A well-formed token that was never issued gets past the checksum and is Unknown.
    let stranger = TokenSecret::generate(&mut rand::rng());
    assert_eq!(empty.verify(stranger.expose()).unwrap_err(), Rejection::Unknown);
}

#[test]
fn given_strings_of_the_wrong_shape_when_verified_then_they_are_malformed() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let real = fx.token(account.id, "deploy", days(30)).secret.expose().to_string();
    let cases = [
        String::new(),
        "sat_".to_string(),
        format!("SAT_{}", &real[4..]),
        format!("sak_{}", &real[4..]),
        real[..TOKEN_LEN - 1].to_string(),
        format!("{real}0"),
        format!("{}-{}", &real[..20], &real[21..]),
        format!("{}é{}", &real[..20], &real[22..]),
        real[4..].to_string(),
        format!("sat_{}", "=".repeat(38)),
        format!("{} {}", &real[..20], &real[21..]),
    ];
    for case in &cases {
        assert_eq!(fx.verify(case).unwrap_err(), Rejection::Malformed, "{case:?}");
    }
    assert!(fx.service.tokens(account.id).unwrap()[0].last_used_at.is_none(), "a rejected string recorded a use");
}

#[test]
fn given_a_revoked_token_when_verified_then_it_is_revoked_and_revoking_again_is_refused() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    fx.clock.advance(10);
    let revoked = fx.service.revoke_token(issued.token.id).unwrap();
    assert_eq!(revoked.revoked_at, Some(T0 + 10));
    assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::Revoked);
    let err = fx.service.revoke_token(issued.token.id).unwrap_err();
    assert!(matches!(err, Error::Refused(_)), "{err}");
    // Revoked stays revoked however much later it is presented.
    fx.clock.advance(400 * 86_400);
    assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::Revoked);
}

#[test]
fn given_a_revoked_token_then_its_name_can_be_reused_by_a_new_token() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let old = fx.token(account.id, "deploy", days(30));
    fx.service.revoke_token(old.token.id).unwrap();
    let new = fx.token(account.id, "deploy", days(30));
    assert!(fx.verify(new.secret.expose()).is_ok());
    assert_eq!(fx.service.tokens(account.id).unwrap().len(), 2);
}

#[test]
fn given_a_token_when_rotated_then_the_old_one_is_revoked_and_the_new_one_verifies_under_the_same_name_and_settings() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let old = fx.token(account.id, "deploy", extended(60, 14));
    fx.clock.advance(3600);
    let new = fx.service.rotate_token(old.token.id).unwrap();
    assert_ne!(new.secret.expose(), old.secret.expose());
    assert_ne!(new.token.id, old.token.id);
    assert_eq!(new.token.name, "deploy");
    assert_eq!(new.token.lifetime_days, Some(60));
    assert_eq!(new.token.max_age_days, Some(14));
    assert_eq!(new.token.expires_at, Some(T0 + 3600 + 60 * 86_400));
    assert_eq!(fx.service.token(old.token.id).unwrap().revoked_at, Some(T0 + 3600));
    assert_eq!(fx.verify(old.secret.expose()).unwrap_err(), Rejection::Revoked);
    assert_eq!(fx.verify(new.secret.expose()).unwrap().token_id, new.token.id);
    assert_eq!(fx.audit()[0].action, "token.rotate");
    // The name now finds the live token.
    assert_eq!(fx.service.find_token(&account, "deploy").unwrap().id, new.token.id);
    // A revoked token cannot be rotated.
    assert!(matches!(fx.service.rotate_token(old.token.id), Err(Error::Refused(_))));
}

#[test]
fn given_a_token_when_deleted_then_it_is_unknown_and_gone_from_the_list() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let keep = fx.token(account.id, "keep", days(30));
    let gone = fx.token(account.id, "gone", days(30));
    fx.service.delete_token(gone.token.id).unwrap();
    assert_eq!(fx.verify(gone.secret.expose()).unwrap_err(), Rejection::Unknown);
    let names: Vec<_> = fx.service.tokens(account.id).unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["keep"]);
    assert!(fx.verify(keep.secret.expose()).is_ok());
    assert!(matches!(fx.service.token(gone.token.id), Err(Error::NotFound { .. })));
}

#[test]
fn given_an_account_with_tokens_when_the_account_is_deleted_then_its_tokens_are_deleted_too() {
    let mut fx = Fixture::new();
    let doomed = fx.account("doomed");
    let survivor = fx.account("survivor");
    let a = fx.token(doomed.id, "a", days(30));
    let b = fx.token(doomed.id, "b", never());
    let other = fx.token(survivor.id, "a", days(30));
    fx.service.delete_account(doomed.id).unwrap();
    assert_eq!(fx.verify(a.secret.expose()).unwrap_err(), Rejection::Unknown);
    assert_eq!(fx.verify(b.secret.expose()).unwrap_err(), Rejection::Unknown);
    assert!(fx.service.tokens(doomed.id).unwrap().is_empty());
    assert!(fx.service.token(a.token.id).is_err());
    assert!(fx.verify(other.secret.expose()).is_ok());
    assert_eq!(fx.service.org_summaries().unwrap()[0].tokens, 1);
    assert_eq!(fx.audit()[0].action, "sa.delete");
}

#[test]
fn given_a_disabled_account_when_its_token_is_verified_then_it_is_rejected_and_works_again_once_re_enabled() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    fx.service.set_account_disabled(account.id, true).unwrap();
    assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::AccountDisabled);
    assert_eq!(fx.service.token(issued.token.id).unwrap().last_used_at, None, "a refused use was recorded");
    fx.service.set_account_disabled(account.id, false).unwrap();
    assert_eq!(fx.verify(issued.secret.expose()).unwrap().account_id, account.id);
}

#[test]
fn given_20_live_tokens_when_a_21st_is_created_then_it_is_refused_with_a_clear_error_and_nothing_is_written() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    for i in 0..20 {
        fx.token(account.id, &format!("t{i}"), days(30));
    }
    let audit_before = fx.audit_count();
    let err = fx.service.create_token(account.id, &new_token("t20", days(30))).expect_err("21st token accepted");
    assert!(matches!(err, Error::Refused(_)), "{err}");
    assert!(err.to_string().contains("20 live tokens"), "{err}");
    assert_eq!(fx.service.tokens(account.id).unwrap().len(), 20);
    assert_eq!(fx.audit_count(), audit_before);
    // The limit is per account.
    let other = fx.account("other");
    fx.token(other.id, "t0", days(30));
}

#[test]
fn given_20_tokens_some_expired_or_revoked_then_those_do_not_count_toward_the_limit() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    for i in 0..5 {
        fx.token(account.id, &format!("short{i}"), days(1));
    }
    for i in 0..15 {
        fx.token(account.id, &format!("long{i}"), days(30));
    }
    assert!(fx.service.create_token(account.id, &new_token("extra", days(30))).is_err());

    fx.clock.advance(86_400); // the five one-day tokens expire now
    for i in 0..5 {
        fx.token(account.id, &format!("new{i}"), days(30));
    }
    assert!(fx.service.create_token(account.id, &new_token("extra", days(30))).is_err());

    let victim = fx.service.find_token(&account, "long0").unwrap();
    fx.service.revoke_token(victim.id).unwrap();
    fx.token(account.id, "extra", days(30));
    assert_eq!(fx.service.tokens(account.id).unwrap().len(), 26);
}

#[test]
fn given_an_account_at_the_limit_when_a_token_is_rotated_then_rotation_still_works() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    for i in 0..20 {
        fx.token(account.id, &format!("t{i}"), days(30));
    }
    let target = fx.service.find_token(&account, "t7").unwrap();
    let rotated = fx.service.rotate_token(target.id).unwrap();
    assert!(fx.verify(rotated.secret.expose()).is_ok());
}

#[test]
fn given_an_unknown_account_id_when_a_token_is_created_then_it_is_not_found() {
    let mut fx = Fixture::new();
    let err = fx.service.create_token(999, &new_token("deploy", days(30))).expect_err("token for nobody");
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn given_each_token_mutation_then_exactly_one_audit_event_with_the_hint_is_written_at_the_clock_time() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let steps: [(&str, i64); 4] = [("token.create", 1), ("token.rotate", 2), ("token.revoke", 3), ("token.delete", 4)];
    let issued = fx.token(account.id, "deploy", days(30));
    let mut last = issued.token.clone();
    for (action, tick) in steps {
        fx.clock.set(T0 + tick * 100);
        let before = fx.audit_count();
        match action {
            "token.create" => last = fx.token(account.id, "other", days(30)).token,
            "token.rotate" => last = fx.service.rotate_token(issued.token.id).unwrap().token,
            "token.revoke" => last = fx.service.revoke_token(last.id).unwrap(),
            _ => fx.service.delete_token(last.id).unwrap(),
        }
        let events = fx.audit();
        assert_eq!(events.len(), before + 1, "{action}");
        let event = &events[0];
        assert_eq!(event.action, action);
        assert_eq!(event.at, T0 + tick * 100, "{action}");
        assert_eq!(event.org_id, Some(1));
        assert!(event.target.contains("ci-bot"), "{action}: {}", event.target);
        assert!(event.details.contains(&format!("hint={}", last.hint)), "{action}: {}", event.details);
    }
}

#[test]
fn given_a_successful_verify_then_no_audit_event_is_written_and_no_admin_data_changes() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    let before = fx.audit_count();
    fx.verify(issued.secret.expose()).unwrap();
    assert_eq!(fx.audit_count(), before);
    assert_eq!(fx.service.account(account.id).unwrap(), account);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_single_character_change_to_a_generated_token_is_caught_by_the_format_check(
        index in 0usize..TOKEN_LEN,
        replacement in "[0-9A-Za-z_!]",
    ) {
        let secret = TokenSecret::generate(&mut rand::rng());
        let original = secret.expose();
        let mut changed = original.to_string();
        changed.replace_range(index..index + 1, &replacement);
        prop_assume!(changed != original);
        prop_assert!(token::check_format(&changed).is_err(), "{} accepted", index);
        prop_assert!(TokenSecret::parse(&changed).is_err());
        prop_assert!(token::check_format(original).is_ok());
    }
}

#[test]
fn given_another_process_holding_the_write_lock_then_verification_still_answers_at_once() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    let other = rusqlite::Connection::open(&fx.path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let identity = fx.verify(issued.secret.expose()).expect("a valid token is valid while another process writes");
    assert_eq!(identity.token, "deploy");
    // Blocked, it would wait out the 10 s busy timeout; it gives up on recording the use after
    // 50 ms instead. Half the busy timeout is a bound a loaded CI machine always meets.
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "waited {:?}", started.elapsed());
    other.execute_batch("ROLLBACK").unwrap();
    // The use could not be recorded then; the next verification records it.
    assert_eq!(fx.service.token(issued.token.id).unwrap().last_used_at, None);
    fx.verify(issued.secret.expose()).unwrap();
    assert_eq!(fx.service.token(issued.token.id).unwrap().last_used_at, Some(T0));
}

#[test]
fn the_rules_the_ui_asks_before_confirming_refuse_a_revoked_token_and_allow_a_live_one() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let live = fx.token(account.id, "live", days(30)).token;
    assert!(Service::ensure_revocable(&live, T0).is_ok());
    assert!(Service::ensure_rotatable(&live, T0).is_ok());
    let revoked = fx.service.revoke_token(live.id).unwrap();
    let revoke = Service::ensure_revocable(&revoked, T0).unwrap_err().to_string();
    assert_eq!(revoke, "token 'live' is already revoked");
    let rotate = Service::ensure_rotatable(&revoked, T0).unwrap_err().to_string();
    assert_eq!(rotate, "token 'live' is revoked; create a new one instead");
}

#[test]
fn given_two_commands_that_read_the_same_token_when_both_rotate_then_the_second_fails_clearly() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let token = fx.token(account.id, "deploy", days(30)).token;
    let mut other = Service::open_with_clock(&fx.path, fx.clock.clone()).unwrap();
    // Both have resolved "deploy" to the same token; the first rotation wins.
    let first = fx.service.rotate_token(token.id).unwrap();
    let second = other.rotate_token(token.id).unwrap_err().to_string();
    // Refused before or inside its transaction, depending on when it read the row.
    assert!(second.contains("revoked"), "{second}");
    assert!(fx.verify(first.secret.expose()).is_ok(), "the first command's new secret still works");
    assert_eq!(fx.service.tokens(account.id).unwrap().len(), 2, "one rotation, not two");
}

#[test]
fn given_a_token_a_rotation_just_made_then_rotating_it_again_at_once_is_refused_and_later_allowed() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let token = fx.token(account.id, "deploy", days(30)).token;
    let first = fx.service.rotate_token(token.id).unwrap();
    let again = fx.service.rotate_token(first.token.id).unwrap_err().to_string();
    assert!(again.contains("was rotated 0 s ago by another command"), "{again}");
    assert!(fx.verify(first.secret.expose()).is_ok(), "the first rotation's secret is untouched");
    fx.clock.advance(2);
    let second = fx.service.rotate_token(first.token.id).expect("a deliberate second rotation");
    assert_eq!(second.token.rotated_from, Some(first.token.id));
}
