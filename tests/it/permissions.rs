//! Permissions as pure domain rules: Grafana-style scope matching, scope and action validation,
//! and the built-in catalog compiled from `assets/permissions.json`.

use std::collections::BTreeSet;

use proptest::prelude::*;
use satui::domain::permission::{
    Catalog, Permission, action_shape_ok, allows, parse_permission, scope_matches, validate_permission, validate_scope,
};
use satui::domain::role::BasicRole;

#[test]
fn scope_matching_table_covers_exact_prefix_global_empty_and_partial_segment_cases() {
    // (granted, requested, expected)
    let table: &[(&str, &str, bool)] = &[
        // exact
        ("folders:uid:abc", "folders:uid:abc", true),
        ("folders:uid:abc", "folders:uid:abd", false),
        ("dashboards:uid:1", "folders:uid:1", false),
        // prefix wildcard
        ("folders:uid:*", "folders:uid:abc", true),
        ("folders:uid:*", "folders:uid:a-b.c_d", true),
        ("folders:*", "folders:uid:abc", true),
        ("folders:*", "folders:uid:*", true),
        ("folders:uid:*", "folders:uid:*", true),
        ("folders:uid:*", "dashboards:uid:abc", false),
        ("folders:uid:*", "folders:name:abc", false),
        // global wildcard and the empty grant cover everything
        ("*", "folders:uid:abc", true),
        ("*", "*", true),
        ("*", "", true),
        ("", "folders:uid:abc", true),
        ("", "*", true),
        ("", "", true),
        // no partial-segment surprises
        ("folders:*", "foldersx:uid:a", false),
        ("folders:*", "folders", false),
        ("folders:uid:a", "folders:uid:ab", false),
        ("folders:uid:ab", "folders:uid:a", false),
        ("folders:uid:abc", "folders:uid:*", false),
        ("folders:uid:abc", "folders:*", false),
        ("folders:uid:abc", "*", false),
        ("folders:uid:*", "*", false),
        ("folders:*", "*", false),
        ("folders:uid:abc", "", false),
    ];
    let failures: Vec<String> = table
        .iter()
        .filter(|(granted, requested, expected)| scope_matches(granted, requested) != *expected)
        .map(|(granted, requested, expected)| format!("scope_matches({granted:?}, {requested:?}) != {expected}"))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn allows_needs_the_same_action_and_a_covering_scope() {
    let grants = [
        Permission::new("dashboards:read", "folders:uid:*"),
        Permission::new("folders:read", "folders:uid:abc"),
        Permission::new("users:read", ""),
    ];
    let table: &[(&str, &str, bool)] = &[
        ("dashboards:read", "folders:uid:xyz", true),
        ("dashboards:read", "folders:name:xyz", false),
        ("dashboards:write", "folders:uid:xyz", false),
        ("folders:read", "folders:uid:abc", true),
        ("folders:read", "folders:uid:abcd", false),
        ("folders:read", "folders:uid:*", false),
        // an empty grant means any scope
        ("users:read", "global.users:id:7", true),
        ("users:read", "*", true),
        // an empty request asks only about the action
        ("folders:read", "", true),
        ("dashboards:read", "", true),
        ("dashboards:delete", "", false),
        ("", "", false),
    ];
    for (action, scope, expected) in table {
        assert_eq!(allows(&grants, action, scope), *expected, "allows({action:?}, {scope:?})");
    }
    assert!(!allows(&[], "dashboards:read", ""), "no grants allow nothing");
}

#[test]
fn validate_scope_rejects_malformed_wildcards_empty_segments_and_spaces() {
    let bad = [
        "folders:ab*",
        "*:x",
        "a::b",
        "folders:uid:a b",
        "folders uid",
        "folders:*:abc",
        "folders:**",
        ":folders",
        "folders:",
        ":",
        "*:*",
        "folders:uid:ab?",
        "dashböards:uid:1",
        "folders:uid:\tabc",
    ];
    for scope in bad {
        let err = validate_scope(scope).expect_err(scope);
        assert!(err.contains("malformed scope"), "{scope:?}: {err}");
    }
    let too_long = format!("folders:uid:{}", "a".repeat(200));
    assert!(validate_scope(&too_long).unwrap_err().contains("200"));
}

#[test]
fn validate_scope_accepts_well_formed_scopes_and_trims_them() {
    for scope in [
        "folders:uid:*",
        "folders:*",
        "*",
        "",
        "folders",
        "folders:uid:abc",
        "global.users:id:7",
        "datasources:uid:a/b",
    ] {
        assert_eq!(validate_scope(scope).as_deref(), Ok(scope), "{scope:?}");
    }
    assert_eq!(validate_scope("  folders:uid:*  ").as_deref(), Ok("folders:uid:*"));
    assert_eq!(validate_scope("   ").as_deref(), Ok(""));
}

#[test]
fn validate_permission_accepts_catalog_actions_and_plugin_namespaced_actions_only_for_plugins() {
    assert_eq!(
        validate_permission(" dashboards:read ", "folders:uid:*", None),
        Ok(Permission::new("dashboards:read", "folders:uid:*"))
    );
    let unknown = validate_permission("dashboards:frobnicate", "", None).unwrap_err();
    assert!(unknown.contains("unknown action 'dashboards:frobnicate'"), "{unknown}");
    assert!(validate_permission("dashboards:read", "folders:ab*", None).unwrap_err().contains("malformed scope"));

    let own = "grafana-oncall-app.schedules:read";
    assert!(validate_permission(own, "", None).is_err(), "a plugin action outside a plugin is unknown");
    assert_eq!(validate_permission(own, "", Some("grafana-oncall-app")), Ok(Permission::new(own, "")));
    // As Grafana registers it: a plugin may ask for another plugin's actions (the LLM app asks
    // for OnCall's), and `plugins.app:access` on another plugin's id.
    assert_eq!(validate_permission(own, "", Some("grafana-llm-app")), Ok(Permission::new(own, "")));
    assert!(validate_permission("plugins.app:access", "plugins:id:grafana-incident-app", Some("x-app")).is_ok());
    assert!(validate_permission("grafana-oncall-app.bad action:x", "", Some("grafana-oncall-app")).is_err());
    // Not a plugin namespace (no dashed plugin id before the kind): still unknown.
    assert!(validate_permission("dashboards:frob", "", Some("grafana-oncall-app")).is_err());
    assert!(validate_permission("Grafana-App.x:read", "", Some("grafana-oncall-app")).is_err());
}

#[test]
fn action_shape_and_cli_permission_parsing() {
    // Grafana's real shapes, including the verb-less and app-platform ones.
    for ok in [
        "dashboards:read",
        "alert.rules:write",
        "a-b_c.d:e_f-g",
        "featuremgmt.read",
        "notifications.alerting.grafana.app/routingtrees:read",
    ] {
        assert!(action_shape_ok(ok), "{ok}");
    }
    for bad in ["", "dashboards", "dashboards:", ":read", "a:b:c", "dash boards:read", "dashboards:re*d"] {
        assert!(!action_shape_ok(bad), "{bad:?}");
    }
    assert_eq!(parse_permission("dashboards:read"), ("dashboards:read".to_string(), String::new()));
    assert_eq!(
        parse_permission(" dashboards:read = folders:uid:* "),
        ("dashboards:read".to_string(), "folders:uid:*".to_string())
    );
}

#[test]
fn the_catalog_parses_and_is_not_empty() {
    let catalog = Catalog::get();
    assert!(catalog.actions.len() >= 50, "only {} actions", catalog.actions.len());
    assert!(!catalog.fixed_roles.is_empty());
    for role in BasicRole::ALL {
        assert!(catalog.basic_roles.contains_key(role.as_str()), "basic role {role} missing from the catalog");
    }
    for wanted in ["dashboards:read", "folders:read", "datasources:query", "serviceaccounts:write", "teams:read"] {
        assert!(catalog.action(wanted).is_some(), "{wanted} missing from the catalog");
    }
    let distinct: BTreeSet<&str> = catalog.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(distinct.len(), catalog.actions.len(), "an action is listed twice");
    let fixed: BTreeSet<&str> = catalog.fixed_roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(fixed.len(), catalog.fixed_roles.len(), "a fixed role is listed twice");
    assert!(catalog.fixed_roles.iter().all(|r| r.name.starts_with("fixed:")));
}

#[test]
fn every_built_in_permission_names_a_catalog_action_with_a_valid_scope() {
    let catalog = Catalog::get();
    let basic = catalog.basic_roles.iter().flat_map(|(name, ps)| ps.iter().map(move |p| (format!("basic {name}"), p)));
    let fixed = catalog.fixed_roles.iter().flat_map(|r| r.permissions.iter().map(move |p| (r.name.clone(), p)));
    let mut checked = 0;
    for (role, p) in basic.chain(fixed) {
        assert!(catalog.action(&p.action).is_some(), "{role}: action {} is not in the catalog", p.action);
        assert_eq!(validate_scope(&p.scope).as_deref(), Ok(p.scope.as_str()), "{role}: {}", p.describe());
        checked += 1;
    }
    assert!(checked > 100, "only {checked} built-in permissions");
    for action in &catalog.actions {
        assert!(action_shape_ok(&action.action), "{}", action.action);
        for scope in &action.scopes {
            assert!(validate_scope(scope).is_ok(), "{}: scope {scope}", action.action);
        }
    }
}

#[test]
fn basic_roles_nest_viewer_within_editor_within_admin_and_none_is_empty() {
    let catalog = Catalog::get();
    let set = |role: BasicRole| catalog.basic_role(role).iter().cloned().collect::<BTreeSet<Permission>>();
    let (viewer, editor, admin) = (set(BasicRole::Viewer), set(BasicRole::Editor), set(BasicRole::Admin));
    assert!(catalog.basic_role(BasicRole::None).is_empty());
    assert!(!viewer.is_empty());
    // Each role allows everything the weaker one does (Admin's `folders:create` on `folders:*`
    // covers Editor's on `folders:uid:general`, which Grafana excludes from Admin as a pair).
    for (weaker, stronger, name) in [(&viewer, &editor, "Editor"), (&editor, &admin, "Admin")] {
        let missing: Vec<_> = weaker.iter().filter(|p| !allows(stronger.iter(), &p.action, &p.scope)).collect();
        assert!(missing.is_empty(), "{name} does not allow {missing:?}");
    }
    assert!(viewer.len() < editor.len() && editor.len() < admin.len(), "each basic role should add something");
    assert!(allows(&viewer, "dashboards:read", "dashboards:uid:abc"));
    assert!(!allows(&viewer, "dashboards:delete", "dashboards:uid:abc"));
}

/// Valid scopes: `*`, empty, or 1–3 segments with an optional `*` as the last one.
fn valid_scope() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("*".to_string()),
        "[a-z][a-z0-9._-]{0,8}(:[a-zA-Z0-9._/-]{1,8}){0,2}",
        "[a-z][a-z0-9._-]{0,8}(:[a-zA-Z0-9._/-]{1,8}){0,1}:\\*",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_valid_scope_is_accepted_unchanged_and_covers_itself(scope in valid_scope()) {
        prop_assert_eq!(validate_scope(&scope), Ok(scope.clone()));
        prop_assert!(scope_matches(&scope, &scope), "{:?} does not match itself", scope);
        let grants = [Permission::new("dashboards:read", &scope)];
        prop_assert!(allows(&grants, "dashboards:read", &scope));
    }

    #[test]
    fn validate_scope_never_panics_and_what_it_accepts_is_a_fixed_point(raw in "\\PC{0,30}|[a-z:*. ]{0,20}") {
        if let Ok(scope) = validate_scope(&raw) {
            prop_assert_eq!(validate_scope(&scope), Ok(scope.clone()));
            prop_assert!(scope_matches(&scope, &scope));
            prop_assert!(!scope.contains(' '));
            prop_assert!(!scope.contains('*') || scope == "*" || scope.ends_with(":*"), "{:?}", scope);
        }
    }

    #[test]
    fn a_kind_wildcard_never_matches_another_kind(
        kind in "[a-z]{1,6}",
        other in "[a-z]{1,6}",
        rest in "[a-z0-9]{1,6}",
    ) {
        prop_assume!(kind != other);
        let granted = format!("{kind}:*");
        let same_kind = format!("{kind}:uid:{rest}");
        let other_kind = format!("{other}:uid:{rest}");
        let longer_kind = format!("{kind}{rest}:uid:x");
        prop_assert!(scope_matches(&granted, &same_kind));
        prop_assert!(!scope_matches(&granted, &other_kind));
        prop_assert!(!scope_matches(&granted, &longer_kind));
    }
}

/// What a caller may hand out (issue 22): a grant covers a wanted permission only for the same
/// action and a scope at least as wide; "any scope" is covered only by "any scope" or `*`.
#[test]
fn covers_is_the_same_action_on_a_scope_at_least_as_wide() {
    let grants = [Permission::new("folders:read", "folders:*"), Permission::new("teams:read", "")];
    let covered =
        |action: &str, scope: &str| satui::domain::permission::covers(&grants, &Permission::new(action, scope));
    assert!(covered("folders:read", "folders:uid:abc"));
    assert!(covered("folders:read", "folders:uid:*"));
    assert!(covered("folders:read", "folders:*"));
    assert!(!covered("folders:read", ""), "a narrow grant does not cover any scope");
    assert!(!covered("folders:read", "*"));
    assert!(!covered("folders:write", "folders:uid:abc"), "another action");
    assert!(!covered("dashboards:read", "folders:uid:abc"));
    assert!(covered("teams:read", ""), "an any-scope grant covers any scope");
    assert!(covered("teams:read", "teams:id:3"));
    let star = [Permission::new("folders:read", "*")];
    assert!(satui::domain::permission::covers(&star, &Permission::new("folders:read", "")));
    assert!(!satui::domain::permission::covers(&[], &Permission::new("folders:read", "folders:*")));
}

#[test]
fn a_scope_of_exactly_200_characters_is_fine_and_201_is_not() {
    let at = |n: usize| format!("folders:uid:{}", "a".repeat(n - "folders:uid:".len()));
    assert_eq!(validate_scope(&at(200)).map(|s| s.len()), Ok(200));
    assert!(validate_scope(&at(201)).unwrap_err().contains("longer than 200"));
}

#[test]
fn the_scope_of_one_account_is_its_id() {
    assert_eq!(satui::domain::permission::account_scope(6), "serviceaccounts:id:6");
}
