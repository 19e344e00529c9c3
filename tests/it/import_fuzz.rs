//! Import fuzzed: a valid export (the demo store's) with one field replaced by a hostile value,
//! an array item duplicated or dropped. Every mutated file is either refused with nothing
//! written, or what it created is state the commands could have created: every name, login,
//! hint and permission passes the commands' validators, reserved names stay reserved, managed
//! roles sit only on their plugin's account, no account has more than 20 live tokens.

use std::collections::HashSet;
use std::sync::OnceLock;

use proptest::prelude::*;
use satui::domain::names;
use satui::domain::permission;
use satui::domain::token::validate_hint;
use satui::service::{Export, Service};
use serde_json::Value;

use crate::common::db_row_counts;

/// 2026-11-23 12:00 UTC, the demo's clock.
const NOW: i64 = 1_795_435_200;

fn demo_export() -> &'static Value {
    static EXPORT: OnceLock<Value> = OnceLock::new();
    EXPORT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        satui::demo::build_store(&path, NOW).unwrap();
        let service = Service::open(&path).unwrap();
        serde_json::to_value(service.export(None).unwrap()).unwrap()
    })
}

/// Every place in the export that holds a value: a JSON pointer for each leaf and array.
fn paths(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| paths(v, format!("{at}/{k}"), out)),
        Value::Array(items) => {
            out.push(at.clone());
            items.iter().enumerate().for_each(|(i, v)| paths(v, format!("{at}/{i}"), out));
        }
        _ => out.push(at),
    }
}

fn all_paths() -> &'static [String] {
    static PATHS: OnceLock<Vec<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut out = Vec::new();
        paths(demo_export(), String::new(), &mut out);
        out
    })
}

fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::from(true)),
        prop_oneof![
            Just(0i64),
            Just(-1),
            Just(1),
            Just(i64::MAX),
            Just(i64::MIN),
            Just(u32::MAX as i64),
            Just(3650),
            Just(3651),
            Just(NOW),
            Just(NOW + 400 * 86_400),
        ]
        .prop_map(Value::from),
        prop_oneof![
            Just(""),
            Just("Admin"),
            Just("viewer"),
            Just("fixed:dashboards:reader"),
            Just("FIXED:x"),
            Just("managed:grafana-oncall-app"),
            Just("grafana-oncall-app"),
            Just("extsvc-grafana-oncall-app"),
            Just("extsvc-evil"),
            Just("sa-1-ci-deployer"),
            Just("sa-99-x"),
            Just("root"),
            Just("sat_…abcd"),
            Just("sat_…"),
            Just("evil\u{1b}[2J"),
            Just("zero\u{200b}width"),
            Just("line\nbreak"),
            Just("dashboards:read"),
            Just("folders:*"),
            Just("*"),
            Just("a::b"),
        ]
        .prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    Set(usize, Value),
    Duplicate(usize),
    Drop(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let n = all_paths().len();
    prop_oneof![
        4 => (0..n, hostile_value()).prop_map(|(i, v)| Mutation::Set(i, v)),
        1 => (0..n).prop_map(Mutation::Duplicate),
        1 => (0..n).prop_map(Mutation::Drop),
    ]
}

fn apply(file: &mut Value, mutation: &Mutation) {
    let pointer = |i: usize| all_paths()[i].clone();
    match mutation {
        Mutation::Set(i, value) => {
            if let Some(slot) = file.pointer_mut(&pointer(*i)) {
                *slot = value.clone();
            }
        }
        Mutation::Duplicate(i) | Mutation::Drop(i) => {
            if let Some(Value::Array(items)) = file.pointer_mut(&pointer(*i))
                && !items.is_empty()
            {
                if matches!(mutation, Mutation::Duplicate(_)) {
                    items.push(items[0].clone());
                } else {
                    items.remove(0);
                }
            }
        }
    }
}

/// The state an import left, read back through the service: could the commands have made it?
fn assert_state_the_commands_could_make(service: &Service) {
    let data = service.export(None).unwrap();
    for org in &data.orgs {
        names::validate_org_name(&org.name).unwrap();
        let plugin_accounts: HashSet<&str> = org.accounts.iter().filter_map(|a| a.managed_by.as_deref()).collect();
        for role in &org.roles {
            names::validate_label_name(&role.name, "role").unwrap();
            names::validate_description(&role.description).unwrap();
            match &role.managed_by {
                Some(plugin) => {
                    assert_eq!(role.name, format!("managed:{plugin}"));
                    assert!(plugin_accounts.contains(plugin.as_str()), "managed role without its account");
                }
                None => {
                    let key = names::name_key(&role.name);
                    assert!(
                        role.name.parse::<satui::domain::role::BasicRole>().is_err()
                            && !key.starts_with("fixed:")
                            && !key.starts_with("managed:"),
                        "custom role took a reserved name: {}",
                        role.name
                    );
                }
            }
            for p in &role.permissions {
                permission::validate_permission(&p.action, &p.scope, role.managed_by.as_deref()).unwrap();
            }
        }
        for a in &org.accounts {
            names::validate_login(&a.login).unwrap();
            names::validate_description(&a.description).unwrap();
            match &a.managed_by {
                Some(plugin) => {
                    names::validate_plugin_id(plugin).unwrap();
                    assert_eq!(a.name, format!("extsvc-{plugin}"));
                    assert_eq!(a.roles, vec![format!("managed:{plugin}")], "a managed account holds only its role");
                }
                None => {
                    names::validate_account_name(&a.name).unwrap();
                    assert!(a.roles.iter().all(|r| !names::name_key(r).starts_with("managed:")));
                }
            }
            let mut live = 0;
            for t in &a.tokens {
                names::validate_token_name(&t.name).unwrap();
                validate_hint(&t.hint).unwrap();
                assert!(t.lifetime_days.is_none_or(|d| (1..=3650).contains(&d)));
                assert!(t.max_age_days.is_none_or(|d| (1..=3650).contains(&d)));
                assert_eq!(t.lifetime_days.is_some(), t.expires_at.is_some());
                assert!(t.expires_at.is_none_or(|at| at > t.created_at && at < 253_402_300_800));
                if t.revoked_at.is_none() && t.expires_at.is_none_or(|at| at > NOW) {
                    live += 1;
                }
            }
            assert!(live <= 20, "{} live tokens", live);
        }
        for g in &org.groups {
            names::validate_label_name(&g.name, "group").unwrap();
            names::validate_description(&g.description).unwrap();
            for m in &g.members {
                let member = org.accounts.iter().find(|a| a.name == *m).expect("member exists");
                assert!(member.managed_by.is_none(), "a managed account joined a group");
            }
        }
    }
}

proptest! {
    // 96 cases in CI (each builds a store); PROPTEST_CASES asks for more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_mutated_export_is_refused_whole_or_imports_only_what_the_commands_allow(
        mutations in prop::collection::vec(mutation(), 1..3)
    ) {
        let mut file = demo_export().clone();
        for m in &mutations {
            apply(&mut file, m);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fresh.db");
        let clock = std::sync::Arc::new(satui::clock::ManualClock::new(NOW));
        let mut service = Service::open_with_clock(&path, clock).unwrap();
        let fresh = db_row_counts(&path);
        let parsed: Result<Export, _> = serde_json::from_value(file);
        match parsed.map(|data| service.import(&data)) {
            Ok(Ok(_)) => assert_state_the_commands_could_make(&service),
            Ok(Err(e)) => {
                prop_assert!(e.to_string().starts_with("import refused, nothing written"), "{e}");
                prop_assert_eq!(db_row_counts(&path), fresh);
            }
            // Not even the export's shape: the CLI refuses it before opening the store.
            Err(_) => {}
        }
    }
}

#[test]
fn the_unmutated_demo_export_imports() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let mut service = Service::open(&path).unwrap();
    let data: Export = serde_json::from_value(demo_export().clone()).unwrap();
    service.import(&data).expect("the demo's export imports");
    assert_state_the_commands_could_make(&service);
}
