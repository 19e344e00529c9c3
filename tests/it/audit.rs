//! The audit log: every change writes its event (time, org, actor, action, target) in the same
//! transaction, no-ops and refusals write none, no event ever holds a token, and
//! `satui audit --json` lists them newest first.

use satui::clock::Clock;
use satui::service::{AccountChanges, AuditEvent, Error, OrgChanges, Service};

use crate::common::{
    ACTOR, Fixture, ONCALL, cli_json, cli_ok, contains_bytes, days, never, new_account, oncall_plugin, os_user,
};
use satui::domain::role::BasicRole;

/// Runs one mutation and checks that it wrote exactly the events `actions` (oldest first), each
/// naming the current actor, the clock's time and `target`, and left older events alone.
fn step<T>(
    fx: &mut Fixture,
    actions: &[&str],
    target: &str,
    change: impl FnOnce(&mut Service) -> Result<T, Error>,
) -> T {
    let before = fx.audit();
    fx.clock.advance(1);
    let out = change(&mut fx.service).unwrap_or_else(|e| panic!("{actions:?}: {e}"));
    let after = fx.audit();
    let added = &after[..after.len() - before.len()];
    let mut written: Vec<&str> = added.iter().map(|e| e.action.as_str()).collect();
    written.reverse();
    assert_eq!(written, actions, "events written");
    assert_eq!(&after[added.len()..], &before[..], "{actions:?} changed older events");
    let newest = &added[0];
    assert!(newest.target.contains(target), "{actions:?}: target {:?} lacks {target:?}", newest.target);
    for event in added {
        assert_eq!(event.actor, fx.service.actor(), "{}", event.action);
        assert_eq!(event.at, fx.clock.now(), "{}", event.action);
    }
    out
}

/// A mutation that changes nothing must write nothing.
fn no_event<T: std::fmt::Debug>(fx: &mut Fixture, what: &str, change: impl FnOnce(&mut Service) -> Result<T, Error>) {
    let before = fx.audit_count();
    let out = change(&mut fx.service);
    assert_eq!(fx.audit_count(), before, "{what} ({out:?}) wrote an event");
}

fn assert_no_secret(events: &[AuditEvent], secrets: &[String]) {
    for event in events {
        let text = format!("{}|{}|{}|{}", event.actor, event.action, event.target, event.details);
        for secret in secrets {
            assert!(!contains_bytes(text.as_bytes(), secret.as_bytes()), "{} holds a token", event.action);
            assert!(
                !contains_bytes(text.as_bytes(), &secret.as_bytes()[4..36]),
                "{} holds a token's secret part",
                event.action
            );
            for start in 0..=20 {
                let piece = &secret.as_bytes()[4 + start..4 + start + 12];
                assert!(!contains_bytes(text.as_bytes(), piece), "{} holds a piece of a token", event.action);
            }
        }
    }
}

#[test]
fn every_service_mutation_writes_exactly_its_event_with_actor_time_and_target_and_never_a_secret() {
    let mut fx = Fixture::new();
    let main = fx.main_org();
    let mut secrets = Vec::new();

    let org = step(&mut fx, &["org.create"], "org Staging", |s| s.create_org("Staging")).id;
    step(&mut fx, &["org.rename"], "org Stage", |s| s.rename_org(org, "Stage"));
    step(&mut fx, &["org.update"], "org Stage", |s| s.set_org_cap(org, Some(30)));
    step(&mut fx, &["org.update"], "org Stage", |s| s.set_org_cap(org, None));

    let bot = step(&mut fx, &["sa.create"], "sa ci-bot (sa-1-ci-bot)", |s| {
        s.create_account(main, &new_account("ci-bot", BasicRole::None))
    });
    let changes =
        AccountChanges { description: Some("builds".into()), role: Some(BasicRole::Viewer), ..Default::default() };
    step(&mut fx, &["sa.update"], "sa ci-bot", |s| s.update_account(bot.id, &changes));
    step(&mut fx, &["sa.disable"], "sa ci-bot", |s| s.set_account_disabled(bot.id, true));
    step(&mut fx, &["sa.enable"], "sa ci-bot", |s| s.set_account_disabled(bot.id, false));

    let first = step(&mut fx, &["token.create"], "token deploy of ci-bot", |s| {
        s.create_token(bot.id, &crate::common::new_token("deploy", days(30)))
    });
    let second = step(&mut fx, &["token.create"], "token nightly of ci-bot", |s| {
        s.create_token(bot.id, &crate::common::new_token("nightly", never()))
    });
    step(&mut fx, &["token.revoke"], "token deploy of ci-bot", |s| s.revoke_token(first.token.id));
    let rotated = step(&mut fx, &["token.rotate"], "token nightly of ci-bot", |s| s.rotate_token(second.token.id));
    step(&mut fx, &["token.delete"], "token deploy of ci-bot", |s| s.delete_token(first.token.id));
    for issued in [&first, &second, &rotated] {
        secrets.push(issued.secret.expose().to_string());
    }

    let read = [("folders:read".to_string(), "folders:uid:*".to_string())];
    step(&mut fx, &["role.create"], "role readers", |s| s.create_role(main, "readers", "", &read));
    step(&mut fx, &["role.permission.add"], "role readers", |s| {
        s.change_role_permission(main, "readers", "dashboards:read", "", true)
    });
    step(&mut fx, &["role.permission.remove"], "role readers", |s| {
        s.change_role_permission(main, "readers", "dashboards:read", "", false)
    });
    step(&mut fx, &["role.assign"], "sa ci-bot", |s| s.assign_role(bot.id, "readers", true));
    step(&mut fx, &["role.unassign"], "sa ci-bot", |s| s.assign_role(bot.id, "readers", false));

    step(&mut fx, &["group.create"], "group ops", |s| s.create_group(main, "ops", ""));
    step(&mut fx, &["group.rename"], "group Operations", |s| s.rename_group(main, "ops", "Operations"));
    step(&mut fx, &["group.member.add"], "group Operations", |s| s.change_membership(main, "operations", bot.id, true));
    step(&mut fx, &["group.member.remove"], "group Operations", |s| {
        s.change_membership(main, "operations", bot.id, false)
    });
    step(&mut fx, &["role.assign"], "group Operations", |s| s.assign_group_role(main, "operations", "readers", true));
    step(&mut fx, &["role.unassign"], "group Operations", |s| {
        s.assign_group_role(main, "operations", "readers", false)
    });
    step(&mut fx, &["group.delete"], "group Operations", |s| s.delete_group(main, "operations"));
    step(&mut fx, &["role.delete"], "role readers", |s| s.delete_role(main, "readers"));
    step(&mut fx, &["sa.delete"], "sa ci-bot", |s| s.delete_account(bot.id));

    // Registering creates the account and its token inside one transaction, each recorded.
    let plugin = step(&mut fx, &["sa.create", "token.create", "plugin.register"], "plugin grafana-oncall-app", |s| {
        s.register_plugin(main, &oncall_plugin())
    });
    secrets.push(plugin.token().unwrap().secret.expose().to_string());
    step(&mut fx, &["plugin.unregister"], "plugin grafana-oncall-app", |s| s.unregister_plugin(ONCALL));

    fx.service.set_actor("alice");
    step(&mut fx, &["org.delete"], "org Stage", |s| s.delete_org(org));

    let events = fx.audit();
    assert_no_secret(&events, &secrets);
    assert!(events.iter().all(|e| e.actor == ACTOR || (e.actor == "alice" && e.action == "org.delete")));
    let org_of = |action: &str| events.iter().find(|e| e.action == action).unwrap().org_id;
    assert_eq!(org_of("org.delete"), Some(org), "an org's events keep its id after it is gone");
    assert_eq!(org_of("sa.delete"), Some(main));
    assert_eq!(org_of("plugin.register"), Some(main));
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "not newest first: {ids:?}");
}

#[test]
fn changes_that_change_nothing_write_no_event() {
    let mut fx = Fixture::new();
    let main = fx.main_org();
    let bot = fx.account("ci-bot");
    fx.service.create_role(main, "r", "", &[("folders:read".into(), String::new())]).unwrap();
    fx.service.create_group(main, "g", "").unwrap();
    fx.service.assign_role(bot.id, "r", true).unwrap();
    fx.service.change_membership(main, "g", bot.id, true).unwrap();
    fx.service.assign_group_role(main, "g", "r", true).unwrap();

    no_event(&mut fx, "enable an enabled account", |s| s.set_account_disabled(bot.id, false));
    no_event(&mut fx, "update without changes", |s| s.update_account(bot.id, &AccountChanges::default()));
    let same = AccountChanges { name: Some("ci-bot".into()), ..Default::default() };
    no_event(&mut fx, "update to the same name", |s| s.update_account(bot.id, &same));
    no_event(&mut fx, "assign a held role", |s| s.assign_role(bot.id, "r", true));
    no_event(&mut fx, "unassign a role not held", |s| s.assign_role(bot.id, "fixed:folders:reader", false));
    no_event(&mut fx, "add a member twice", |s| s.change_membership(main, "g", bot.id, true));
    no_event(&mut fx, "give a group a role twice", |s| s.assign_group_role(main, "g", "r", true));
    no_event(&mut fx, "grant a held permission", |s| s.change_role_permission(main, "r", "folders:read", "", true));
    no_event(&mut fx, "ungrant a missing permission", |s| {
        s.change_role_permission(main, "r", "folders:write", "", false)
    });
    no_event(&mut fx, "a refused change", |s| s.delete_org(main));
    let unchanged = OrgChanges { name: Some("Main Org.".into()), cap_days: Some(None) };
    no_event(&mut fx, "save the org form unchanged", |s| s.update_org(main, &unchanged));
    no_event(&mut fx, "rename an org to its name", |s| s.rename_org(main, "Main Org."));
    no_event(&mut fx, "set the cap it has", |s| s.set_org_cap(main, None));
    no_event(&mut fx, "a bad role", |s| s.create_role(main, "x", "", &[("nope:nope".into(), String::new())]));
    no_event(&mut fx, "read the catalog", |s| s.roles(main));
    let token = fx.token(bot.id, "t", days(30));
    no_event(&mut fx, "verify a token", |s| {
        s.verify_token(token.secret.expose()).map_err(|e| Error::Refused(e.to_string()))
    });
}

#[test]
fn import_writes_one_event_per_imported_org_naming_the_actor() {
    let mut source = Fixture::new();
    let main = source.main_org();
    source.service.create_org("Second").unwrap();
    source.account_in(main, "ci-bot");
    let data = source.service.export(None).unwrap();

    let mut fx = Fixture::new();
    let count = step(&mut fx, &["import", "import"], "org ", |s| s.import(&data));
    assert_eq!(count, 1);
    let events = fx.audit();
    let mut targets: Vec<_> = events.iter().map(|e| e.target.as_str()).collect();
    targets.sort();
    assert_eq!(targets, ["org Main Org.", "org Second"]);
    assert!(events.iter().any(|e| e.details.contains("1 accounts")), "{events:?}");
}

#[test]
fn cli_changes_are_listed_by_audit_json_newest_first_with_the_os_user_as_actor() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let plugin = oncall_plugin();
    let plugin = plugin.to_str().unwrap();
    let commands: &[(&[&str], &str)] = &[
        (&["org", "create", "Staging"], "org.create"),
        (&["org", "rename", "Staging", "Stage"], "org.rename"),
        (&["org", "set-cap", "Stage", "30"], "org.update"),
        (&["sa", "create", "ci-bot"], "sa.create"),
        (&["sa", "update", "ci-bot", "--role", "Editor"], "sa.update"),
        (&["sa", "disable", "ci-bot"], "sa.disable"),
        (&["sa", "enable", "ci-bot"], "sa.enable"),
        (&["token", "create", "--sa", "ci-bot", "--name", "deploy"], "token.create"),
        (&["token", "rotate", "--sa", "ci-bot", "deploy"], "token.rotate"),
        (&["token", "revoke", "--sa", "ci-bot", "deploy"], "token.revoke"),
        (&["role", "create", "readers", "--permission", "folders:read=folders:uid:*"], "role.create"),
        (&["role", "grant", "readers", "--permission", "dashboards:read"], "role.permission.add"),
        (&["role", "ungrant", "readers", "--permission", "dashboards:read"], "role.permission.remove"),
        (&["role", "assign", "readers", "--sa", "ci-bot"], "role.assign"),
        (&["role", "unassign", "readers", "--sa", "ci-bot"], "role.unassign"),
        (&["group", "create", "ops"], "group.create"),
        (&["group", "rename", "ops", "operations"], "group.rename"),
        (&["group", "add-member", "operations", "--sa", "ci-bot"], "group.member.add"),
        (&["group", "remove-member", "operations", "--sa", "ci-bot"], "group.member.remove"),
        (&["group", "add-role", "operations", "--role", "readers"], "role.assign"),
        (&["group", "remove-role", "operations", "--role", "readers"], "role.unassign"),
        (&["group", "delete", "operations"], "group.delete"),
        (&["role", "delete", "readers"], "role.delete"),
        (&["plugin", "register", plugin], "plugin.register"),
        (&["plugin", "unregister", "grafana-oncall-app"], "plugin.unregister"),
        (&["sa", "delete", "ci-bot"], "sa.delete"),
        (&["org", "delete", "Stage", "--confirm", "Stage"], "org.delete"),
    ];
    let mut secrets = Vec::new();
    for (args, _) in commands {
        let out = cli_ok(&db, args);
        if out.starts_with("sat_") {
            secrets.push(out.trim_end().to_string());
        }
    }
    assert_eq!(secrets.len(), 3, "create, rotate and register each print a token");

    let events = cli_json(&db, &["audit"]);
    let events = events.as_array().expect("a JSON array");
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    let mut expected: Vec<&str> = Vec::new();
    for (_, action) in commands {
        if *action == "plugin.register" {
            expected.extend(["sa.create", "token.create"]);
        }
        expected.push(action);
    }
    expected.reverse();
    assert_eq!(actions, expected);
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "not newest first: {ids:?}");
    let user = os_user();
    for event in events {
        assert_eq!(event["actor"], user.as_str(), "{event}");
        assert!(event["at"].as_str().is_some_and(|t| t.ends_with('Z')), "{event}");
        assert!(event["org_id"].is_i64(), "{event}");
        let text = event.to_string();
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()) && !text.contains(&secret[4..36]), "a token in {text}");
        }
    }
    let table = cli_ok(&db, &["audit"]);
    for secret in &secrets {
        assert!(!table.contains(&secret[4..36]), "a token in the audit table");
    }

    let filtered = cli_json(&db, &["audit", "--filter", "group."]);
    let filtered: Vec<&str> = filtered.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(filtered, ["group.delete", "group.member.remove", "group.member.add", "group.rename", "group.create"]);
    let limited = cli_json(&db, &["audit", "--limit", "2", "--offset", "1"]);
    assert_eq!(limited.as_array().unwrap().len(), 2);
    assert_eq!(limited[0]["id"], events[1]["id"]);
    let main_only = cli_json(&db, &["--org", "Main Org.", "audit"]);
    assert!(main_only.as_array().unwrap().iter().all(|e| e["org_id"] == 1));
    assert_eq!(main_only.as_array().unwrap().len(), events.iter().filter(|e| e["org_id"] == 1).count());
}

#[test]
fn cli_import_writes_import_events() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = (dir.path().join("a.db"), dir.path().join("b.db"));
    cli_ok(&source, &["sa", "create", "ci-bot"]);
    let file = dir.path().join("export.json");
    std::fs::write(&file, cli_ok(&source, &["export"])).unwrap();
    cli_ok(&target, &["import", file.to_str().unwrap()]);
    let events = cli_json(&target, &["audit"]);
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["action"], "import");
    assert_eq!(events[0]["target"], "org Main Org.");
    assert_eq!(events[0]["actor"], os_user().as_str());
}

#[test]
fn saving_an_org_with_a_new_name_and_cap_is_one_event_and_a_bad_cap_changes_nothing() {
    let mut fx = Fixture::new();
    let main = fx.main_org();
    let both = OrgChanges { name: Some("Prod".into()), cap_days: Some(Some(90)) };
    let org = step(&mut fx, &["org.update"], "org Prod", |s| s.update_org(main, &both));
    assert_eq!((org.name.as_str(), org.max_token_lifetime_days), ("Prod", Some(90)));
    assert_eq!(fx.audit()[0].details, "name: Main Org. -> Prod, max_token_lifetime_days=90");
    // Half a save never lands: a bad cap refuses the rename that came with it.
    let before = crate::common::db_row_counts(&fx.path);
    let bad = OrgChanges { name: Some("Renamed".into()), cap_days: Some(Some(0)) };
    let error = fx.service.update_org(main, &bad).unwrap_err();
    assert!(matches!(error, Error::Invalid { field: satui::service::Field::Cap, .. }), "{error:?}");
    assert_eq!(fx.service.org(main).unwrap().name, "Prod");
    assert_eq!(crate::common::db_row_counts(&fx.path), before);
}
