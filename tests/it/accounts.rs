//! Service accounts through the service layer: uniqueness, logins, roles, enable/disable, delete,
//! and the audit event each change writes.

use satui::domain::role::BasicRole;
use satui::service::{AccountChanges, Entity, Error, Field};

use crate::common::{ACTOR, Fixture, T0, new_account};

#[test]
fn given_a_fresh_store_then_it_has_exactly_one_org_named_main_org_with_id_1_and_no_cap() {
    let fx = Fixture::new();
    let orgs = fx.service.orgs().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!((orgs[0].id, orgs[0].name.as_str(), orgs[0].max_token_lifetime_days), (1, "Main Org.", None));
}

#[test]
fn duplicate_account_name_in_same_org_is_rejected_case_insensitively_but_allowed_in_another_org() {
    let mut fx = Fixture::new();
    let main = fx.main_org();
    let other = fx.service.create_org("Other").unwrap().id;
    fx.account_in(main, "CI-Bot");
    let audit_before = fx.audit_count();

    for clash in ["CI-Bot", "ci-bot", "CI-BOT", "  ci-bot "] {
        let err = fx.service.create_account(main, &new_account(clash, BasicRole::Viewer)).expect_err(clash);
        assert!(matches!(err, Error::Conflict { field: Field::Name, .. }), "{clash:?}: {err}");
        assert!(matches!(err, Error::Conflict { what: Entity::Account, .. }), "{err}");
    }
    assert_eq!(fx.service.account_page(main, "", 0, 50).unwrap().total, 1);
    assert_eq!(fx.audit_count(), audit_before, "a refused create wrote an audit event");

    let elsewhere = fx.account_in(other, "ci-bot");
    assert_eq!(elsewhere.org_id, other);
    assert_eq!(elsewhere.login, format!("sa-{other}-ci-bot"));
}

#[test]
fn given_a_new_account_without_a_role_then_its_role_is_viewer_and_it_is_enabled_and_unmanaged() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    assert_eq!(account.role, BasicRole::Viewer);
    assert!(!account.disabled);
    assert_eq!(account.managed_by, None);
    assert_eq!((account.created_at, account.updated_at), (T0, T0));
}

#[test]
fn given_an_account_name_then_its_login_is_sa_org_id_slug() {
    let mut fx = Fixture::new();
    let org2 = fx.service.create_org("Second").unwrap().id;
    assert_eq!(fx.account("CI Deployer").login, "sa-1-ci-deployer");
    assert_eq!(fx.account_in(org2, "Nightly Build!").login, format!("sa-{org2}-nightly-build"));
}

#[test]
fn given_an_account_when_renamed_then_its_login_stays_the_same_and_the_new_name_is_findable() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let account = fx.account("ci-bot");
    fx.clock.advance(30);
    let changes = AccountChanges { name: Some("Release Robot".into()), ..Default::default() };
    let renamed = fx.service.update_account(account.id, &changes).unwrap();
    assert_eq!(renamed.name, "Release Robot");
    assert_eq!(renamed.login, "sa-1-ci-bot");
    assert_eq!(renamed.updated_at, T0 + 30);
    assert_eq!(fx.service.find_account(org, "release robot").unwrap().id, account.id);
    assert_eq!(fx.service.find_account(org, "sa-1-ci-bot").unwrap().id, account.id);
    assert!(fx.service.find_account(org, "ci-bot").is_err(), "the old name still resolves");
}

#[test]
fn given_two_names_with_the_same_slug_then_the_later_login_gets_a_numeric_suffix() {
    let mut fx = Fixture::new();
    assert_eq!(fx.account("ci bot").login, "sa-1-ci-bot");
    assert_eq!(fx.account("CI_Bot").login, "sa-1-ci-bot-2");
    assert_eq!(fx.account("ci.bot").login, "sa-1-ci-bot-3");
}

#[test]
fn given_a_renamed_account_when_a_new_account_takes_its_old_name_then_the_new_login_does_not_clash() {
    let mut fx = Fixture::new();
    let first = fx.account("ci-bot");
    let changes = AccountChanges { name: Some("old-bot".into()), ..Default::default() };
    fx.service.update_account(first.id, &changes).unwrap();
    let second = fx.account("ci-bot");
    assert_eq!(second.login, "sa-1-ci-bot-2");
    assert_ne!(second.login, fx.service.account(first.id).unwrap().login);
}

#[test]
fn given_two_accounts_when_one_is_renamed_to_the_others_name_in_any_case_then_it_is_rejected() {
    let mut fx = Fixture::new();
    fx.account("alpha");
    let beta = fx.account("beta");
    let changes = AccountChanges { name: Some("ALPHA".into()), ..Default::default() };
    let err = fx.service.update_account(beta.id, &changes).expect_err("rename onto a taken name");
    assert_eq!(err.field(), Some(Field::Name));
    assert_eq!(fx.service.account(beta.id).unwrap().name, "beta");

    // Changing only the case of its own name is fine.
    let changes = AccountChanges { name: Some("Beta".into()), ..Default::default() };
    assert_eq!(fx.service.update_account(beta.id, &changes).unwrap().name, "Beta");
}

#[test]
fn given_an_account_when_its_role_and_description_change_then_both_are_stored_and_audited() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let changes =
        AccountChanges { role: Some(BasicRole::Admin), description: Some("deploys".into()), ..Default::default() };
    let updated = fx.service.update_account(account.id, &changes).unwrap();
    assert_eq!((updated.role, updated.description.as_str()), (BasicRole::Admin, "deploys"));
    let event = &fx.audit()[0];
    assert_eq!(event.action, "sa.update");
    assert!(event.details.contains("role: Viewer -> Admin"), "{}", event.details);
    assert!(event.details.contains("description changed"), "{}", event.details);
}

#[test]
fn given_an_update_that_changes_nothing_then_no_audit_event_is_written() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let before = fx.audit_count();
    let same = AccountChanges { name: Some("ci-bot".into()), role: Some(BasicRole::Viewer), ..Default::default() };
    assert_eq!(fx.service.update_account(account.id, &same).unwrap(), account);
    assert_eq!(fx.audit_count(), before);
}

#[test]
fn given_an_account_when_disabled_and_enabled_then_the_flag_follows_and_each_change_is_audited_once() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    assert!(fx.service.set_account_disabled(account.id, true).unwrap().disabled);
    assert!(fx.service.account(account.id).unwrap().disabled);
    // Disabling again is a no-op and records nothing.
    let before = fx.audit_count();
    assert!(fx.service.set_account_disabled(account.id, true).unwrap().disabled);
    assert_eq!(fx.audit_count(), before);

    assert!(!fx.service.set_account_disabled(account.id, false).unwrap().disabled);
    let actions: Vec<_> = fx.audit().into_iter().map(|e| e.action).collect();
    assert_eq!(actions[..3], ["sa.enable", "sa.disable", "sa.create"]);
}

#[test]
fn given_many_accounts_when_paged_with_a_filter_then_the_page_is_ordered_by_name_and_total_counts_all_matches() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    for name in ["ci-zeta", "ci-alpha", "Ci-Beta", "nightly", "ci-gamma"] {
        fx.account(name);
    }
    let page = fx.service.account_page(org, "CI-", 1, 2).unwrap();
    assert_eq!(page.total, 4);
    let names: Vec<_> = page.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Ci-Beta", "ci-gamma"]);
    // LIKE wildcards in the filter are literal.
    assert_eq!(fx.service.account_page(org, "%", 0, 50).unwrap().total, 0);
    assert_eq!(fx.service.account_page(org, "c_", 0, 50).unwrap().total, 0);
}

#[test]
fn given_an_account_in_another_org_when_looked_up_by_id_from_this_org_then_it_is_not_found() {
    let mut fx = Fixture::new();
    let other = fx.service.create_org("Other").unwrap().id;
    let foreign = fx.account_in(other, "foreign");
    let err = fx.service.find_account(fx.main_org(), &foreign.id.to_string()).expect_err("cross-org lookup");
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn given_an_account_create_then_one_sa_create_event_names_the_actor_time_org_and_login() {
    let mut fx = Fixture::new();
    fx.clock.advance(5);
    let before = fx.audit_count();
    fx.service.create_account(1, &new_account("ci-bot", BasicRole::Editor)).unwrap();
    let events = fx.audit();
    assert_eq!(events.len(), before + 1);
    let event = &events[0];
    assert_eq!(event.action, "sa.create");
    assert_eq!(event.actor, ACTOR);
    assert_eq!(event.at, T0 + 5);
    assert_eq!(event.org_id, Some(1));
    assert!(event.target.contains("ci-bot") && event.target.contains("sa-1-ci-bot"), "{}", event.target);
    assert!(event.details.contains("role=Editor"), "{}", event.details);
}

#[test]
fn given_an_org_when_created_renamed_capped_and_deleted_then_each_step_is_audited_and_the_last_org_is_kept() {
    let mut fx = Fixture::new();
    let org = fx.service.create_org("Staging").unwrap();
    let err = fx.service.create_org("STAGING").expect_err("duplicate org name");
    assert_eq!(err.field(), Some(Field::Name));
    assert_eq!(fx.service.rename_org(org.id, "Stage").unwrap().name, "Stage");
    assert_eq!(fx.service.set_org_cap(org.id, Some(90)).unwrap().max_token_lifetime_days, Some(90));
    for bad in [0, -1, 3651] {
        assert_eq!(fx.service.set_org_cap(org.id, Some(bad)).unwrap_err().field(), Some(Field::Cap), "{bad}");
    }
    assert_eq!(fx.service.set_org_cap(org.id, None).unwrap().max_token_lifetime_days, None);

    let account = fx.account_in(org.id, "staging-bot");
    fx.token(account.id, "deploy", crate::common::days(30));
    fx.service.delete_org(org.id).unwrap();
    assert!(fx.service.account(account.id).is_err(), "the org's accounts survived its deletion");
    assert!(fx.service.tokens(account.id).unwrap().is_empty(), "the org's tokens survived its deletion");

    let main = fx.main_org();
    let err = fx.service.delete_org(main).expect_err("deleted the last org");
    assert!(matches!(err, Error::Refused(_)), "{err}");
    assert_eq!(fx.service.orgs().unwrap().len(), 1);

    let actions: Vec<_> =
        fx.service.audit_page(Some(org.id), "org.", 0, 50).unwrap().0.into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["org.delete", "org.update", "org.update", "org.rename", "org.create"]);
}

#[test]
fn given_a_deleted_org_when_a_new_org_is_created_then_it_does_not_inherit_the_deleted_orgs_id_or_audit_history() {
    let mut fx = Fixture::new();
    let gone = fx.service.create_org("Gone").unwrap();
    fx.account_in(gone.id, "gone-bot");
    fx.service.delete_org(gone.id).unwrap();
    let fresh = fx.service.create_org("Fresh").unwrap();
    assert_ne!(fresh.id, gone.id, "the deleted org's id was reused");
    let history: Vec<_> =
        fx.service.audit_page(Some(fresh.id), "", 0, 50).unwrap().0.into_iter().map(|e| e.action).collect();
    assert_eq!(history, ["org.create"], "the new org shows another org's history");
    let old: Vec<_> =
        fx.service.audit_page(Some(gone.id), "", 0, 50).unwrap().0.into_iter().map(|e| e.action).collect();
    assert_eq!(old, ["org.delete", "sa.create", "org.create"]);
}

/// Filters of one or two characters are answered from the names held in memory; they must
/// give exactly what the SQL filter gives (same rows, order, totals), and follow every change.
#[test]
fn short_filters_from_memory_match_the_sql_filter_and_follow_changes() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let other = fx.service.create_org("Other").unwrap().id;
    let names = [
        "alpha",
        "Beta-Bot",
        "ci_deployer",
        "ci-nightly",
        "100%-sure",
        "Ärger-bot",
        "écrire",
        "x",
        "zz top",
        "naïve",
        "a_b",
        "ab",
        "ba",
        "Émile",
        "日本-bot",
    ];
    for name in names {
        fx.account(name);
        fx.account_in(other, &format!("{name}-other"));
    }
    let conn = rusqlite::Connection::open(&fx.path).unwrap();
    let filters = ["a", "A", "b", "-", "_", "%", "ci", "i-", "ä", "É", "é", "日", "bo", "z ", "sa", "1-", "qq", " "];
    let check = |fx: &Fixture, conn: &rusqlite::Connection| {
        for filter in filters {
            for (offset, limit) in [(0, 50), (0, 3), (2, 3), (40, 50)] {
                let memory = fx.service.account_page(org, filter, offset, limit).unwrap();
                let (rows, total) = satui_store::accounts::page(conn, org, filter, offset, limit).unwrap();
                let ids = |a: &[satui::service::Account]| a.iter().map(|x| x.id).collect::<Vec<_>>();
                assert_eq!(ids(&memory.accounts), ids(&rows), "filter {filter:?} offset {offset} limit {limit}");
                assert_eq!(memory.total, total, "filter {filter:?}");
            }
        }
    };
    check(&fx, &conn);
    // A change by this connection and one by another: both are seen at once.
    fx.account("new-bot");
    assert!(fx.service.account_page(org, "ne", 0, 50).unwrap().accounts.iter().any(|a| a.name == "new-bot"));
    conn.execute("UPDATE service_accounts SET name = 'renamed', name_key = 'renamed' WHERE name = 'x'", []).unwrap();
    assert!(fx.service.account_page(org, "ed", 0, 50).unwrap().accounts.iter().any(|a| a.name == "renamed"));
    check(&fx, &conn);
}
