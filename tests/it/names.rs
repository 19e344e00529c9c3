//! Name rules for accounts and tokens, checked through the service (nothing is written when a name
//! is refused) and through the pure domain functions.

use proptest::prelude::*;
use satui::domain::names::{self, MAX_ACCOUNT_NAME_CHARS};
use satui::service::{Entity, Error, Field, NewAccount};

use crate::common::{Fixture, days, new_token};

/// Creates an account with `name` and expects a name error with nothing written.
fn assert_account_name_refused(name: &str) -> String {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let audit_before = fx.audit_count();
    let err = fx
        .service
        .create_account(org, &NewAccount { name: name.to_string(), ..NewAccount::default() })
        .expect_err(&format!("{name:?} was accepted"));
    assert_eq!(err.field(), Some(Field::Name), "{name:?}: {err}");
    assert_eq!(fx.service.account_page(org, "", 0, 100).unwrap().total, 0, "{name:?} wrote an account");
    assert_eq!(fx.audit_count(), audit_before, "{name:?} wrote an audit event");
    err.to_string()
}

#[test]
fn given_an_empty_or_blank_account_name_when_created_then_it_is_rejected_and_nothing_is_written() {
    for name in ["", " ", "   \t  "] {
        let message = assert_account_name_refused(name);
        assert!(message.contains("empty"), "{name:?}: {message}");
    }
}

#[test]
fn given_an_account_name_of_191_chars_when_created_then_it_is_rejected_but_190_chars_are_accepted() {
    let message = assert_account_name_refused(&"a".repeat(MAX_ACCOUNT_NAME_CHARS + 1));
    assert!(message.contains("190"), "{message}");

    let mut fx = Fixture::new();
    // Counted in characters, not bytes: 190 two-byte characters fit.
    let long = "é".repeat(MAX_ACCOUNT_NAME_CHARS);
    let account = fx.account(&long);
    assert_eq!(account.name, long);
    assert_account_name_refused(&"é".repeat(MAX_ACCOUNT_NAME_CHARS + 1));
}

#[test]
fn given_surrounding_spaces_when_an_account_is_created_then_the_name_is_trimmed_before_the_length_check() {
    let mut fx = Fixture::new();
    let padded = format!("  {}  ", "b".repeat(MAX_ACCOUNT_NAME_CHARS));
    let account = fx.account(&padded);
    assert_eq!(account.name, "b".repeat(MAX_ACCOUNT_NAME_CHARS));
}

#[test]
fn given_control_characters_in_an_account_name_when_created_then_it_is_rejected() {
    for name in ["ci\nbot", "ci\tbot", "ci\u{7}bot", "ci\u{0}bot", "ci\u{1b}[31mbot", "ci\u{7f}bot", "ci\u{85}bot"] {
        let message = assert_account_name_refused(name);
        assert!(message.contains("control"), "{name:?}: {message}");
    }
}

#[test]
fn given_bidi_override_or_isolate_characters_in_an_account_name_when_created_then_it_is_rejected() {
    for c in
        ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']
    {
        assert_account_name_refused(&format!("admin{c}txt.exe"));
    }
    // The directional marks (LRM, RLM, ALM) reorder text too.
    for c in ['\u{200E}', '\u{200F}', '\u{061C}'] {
        assert_account_name_refused(&format!("ci{c}bot"));
    }
}

#[test]
fn given_the_reserved_extsvc_prefix_in_any_case_when_an_admin_creates_an_account_then_it_is_rejected() {
    for name in ["extsvc-grafana-app", "EXTSVC-grafana-app", "  Extsvc-x"] {
        let message = assert_account_name_refused(name);
        assert!(message.contains("reserved"), "{name:?}: {message}");
    }
    // Only a prefix is reserved.
    let mut fx = Fixture::new();
    assert_eq!(fx.account("my-extsvc-bot").name, "my-extsvc-bot");
}

#[test]
fn given_an_existing_account_when_renamed_to_an_invalid_name_then_the_rename_is_rejected_and_nothing_changes() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let audit_before = fx.audit_count();
    for bad in ["", "extsvc-ci", "ci\u{202E}bot", &"x".repeat(191)] {
        let changes = satui::service::AccountChanges { name: Some(bad.to_string()), ..Default::default() };
        let err = fx.service.update_account(account.id, &changes).expect_err(bad);
        assert_eq!(err.field(), Some(Field::Name));
    }
    assert_eq!(fx.service.account(account.id).unwrap(), account);
    assert_eq!(fx.audit_count(), audit_before);
}

#[test]
fn given_a_description_of_501_chars_or_with_control_characters_when_created_then_it_is_rejected() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    for description in ["d".repeat(501), "line\u{7}bell".to_string(), "rtl\u{202E}".to_string()] {
        let new = NewAccount { name: "ci-bot".into(), description: description.clone(), ..NewAccount::default() };
        let err = fx.service.create_account(org, &new).expect_err(&description);
        assert_eq!(err.field(), Some(Field::Description), "{description:?}");
    }
    let ok = NewAccount { name: "ci-bot".into(), description: "d".repeat(500), ..NewAccount::default() };
    assert_eq!(fx.service.create_account(org, &ok).unwrap().description.chars().count(), 500);
}

#[test]
fn given_names_when_slugified_then_runs_of_non_alphanumerics_become_one_dash_and_ends_are_trimmed() {
    assert_eq!(names::slugify("CI Deployer"), "ci-deployer");
    assert_eq!(names::slugify("  --Nightly__Build!!  "), "nightly-build");
    assert_eq!(names::slugify("a.b/c"), "a-b-c");
    assert_eq!(names::slugify("🚀🚀"), "account");
    assert_eq!(names::login_for(3, "ci-bot", 1), "sa-3-ci-bot");
    assert_eq!(names::login_for(3, "ci-bot", 2), "sa-3-ci-bot-2");
}

#[test]
fn given_token_names_when_validated_then_display_names_up_to_190_chars_pass_and_invisible_or_control_text_fails() {
    // Grafana and Terraform name tokens like this; the old lowercase-label names stay valid.
    for good in ["deploy", "deploy-main", "CI token", "Terraform (prod) #2", "日本語", "🚀 release", &"a".repeat(190)]
    {
        assert_eq!(names::validate_token_name(good).as_deref(), Ok(good), "{good:?} refused");
    }
    assert_eq!(names::validate_token_name("  padded  ").as_deref(), Ok("padded"), "trimmed");
    for bad in ["", "  ", "a\nb", "a\u{1b}[2J", "zero\u{200b}width", "rtl\u{202e}x", "\u{3164}", &"a".repeat(191)] {
        assert!(names::validate_token_name(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn given_an_invalid_token_name_when_a_token_is_created_then_it_is_rejected_under_the_name_field_and_nothing_is_written()
{
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let audit_before = fx.audit_count();
    for bad in ["", "   ", "tab\there", "soft\u{ad}hyphen", &"t".repeat(191)] {
        let err = fx.service.create_token(account.id, &new_token(bad, days(30))).expect_err(bad);
        assert_eq!(err.field(), Some(Field::Name), "{bad:?}: {err}");
    }
    assert!(fx.service.tokens(account.id).unwrap().is_empty());
    assert_eq!(fx.audit_count(), audit_before);
}

#[test]
fn given_a_token_name_when_it_is_already_live_on_the_account_then_it_is_rejected_but_another_account_may_use_it() {
    let mut fx = Fixture::new();
    let first = fx.account("first");
    let second = fx.account("second");
    fx.token(first.id, "deploy", days(30));
    let err = fx.service.create_token(first.id, &new_token("deploy", days(7))).expect_err("duplicate accepted");
    assert!(matches!(err, Error::Conflict { field: Field::Name, .. }), "{err}");
    assert!(err.to_string().contains("deploy"), "{err}");
    assert_eq!(fx.service.tokens(first.id).unwrap().len(), 1);

    let other = fx.token(second.id, "deploy", days(30));
    assert_eq!(other.token.name, "deploy");
}

fn forbidden(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || ['\u{061C}', '\u{200E}', '\u{200F}'].contains(&c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_accepted_account_name_is_trimmed_bounded_and_free_of_control_and_bidi_characters(raw in "\\PC{0,8}[\\x00-\\x1f\\u{061c}\\u{200e}\\u{200f}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069} a-zA-Z]{0,4}\\PC{0,8}") {
        if let Ok(name) = names::validate_account_name(&raw) {
            prop_assert_eq!(name.trim(), name.as_str());
            prop_assert!(!name.is_empty());
            prop_assert!(name.chars().count() <= MAX_ACCOUNT_NAME_CHARS);
            prop_assert!(!name.chars().any(forbidden), "{:?} accepted", name);
            prop_assert!(!name.to_lowercase().starts_with("extsvc-"));
        }
    }

    #[test]
    fn any_slug_is_lowercase_alphanumeric_labels_joined_by_single_dashes(raw in "\\PC{0,40}") {
        let slug = names::slugify(&raw);
        prop_assert!(!slug.is_empty());
        prop_assert!(slug.split('-').all(|part| !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())), "{:?} -> {:?}", raw, slug);
    }
}

#[test]
fn invisible_and_format_characters_are_refused_in_every_kind_of_name() {
    let invisible = [
        "ci\u{200b}-deployer",
        "line\u{2028}break",
        "soft\u{ad}hyphen",
        "bom\u{feff}",
        "mongolian\u{180e}vs",
        "cgj\u{34f}x",
        "tag\u{e0041}\u{e007f}",
        "\u{3164}",
        "word\u{2060}joiner",
    ];
    for name in invisible {
        for (what, result) in [
            ("account", names::validate_account_name(name)),
            ("org", names::validate_org_name(name)),
            ("group", names::validate_label_name(name, "group")),
            ("token", names::validate_token_name(name)),
        ] {
            let error = result.expect_err(name);
            assert!(error.contains("invisible") || error.contains("visible character"), "{what} {name:?}: {error}");
        }
    }
    // Joiners shape real text and emoji: they are allowed.
    for name in ["نام\u{200c}کاربری", "👨\u{200d}👩\u{200d}👧 family", "❤\u{fe0f} team"] {
        assert_eq!(names::validate_account_name(name).as_deref(), Ok(name));
    }
    // ...but not alone.
    assert!(names::validate_account_name("\u{200d}\u{fe0f}").is_err());
}

#[test]
fn uniqueness_sees_through_invisible_characters_and_space_runs() {
    assert_eq!(names::name_key("CI\u{200d}-Deployer"), names::name_key("ci-deployer"));
    assert_eq!(names::name_key("ci \u{a0}\u{3000} deployer"), names::name_key("CI deployer"));
    let mut fx = Fixture::new();
    fx.account("ci-deployer");
    fx.account("prod deployer");
    let org = fx.main_org();
    for look_alike in ["ci\u{200d}-deployer", "prod\u{a0}deployer", "PROD   deployer"] {
        let new = satui::service::NewAccount { name: look_alike.into(), ..Default::default() };
        let error = fx.service.create_account(org, &new).expect_err(look_alike);
        assert!(matches!(error, Error::Conflict { what: Entity::Account, .. }), "{look_alike:?}: {error}");
    }
}
