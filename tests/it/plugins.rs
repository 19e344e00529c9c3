//! Plugin-managed accounts: `satui plugin register PATH/plugin.json` creates `extsvc-<id>` with a
//! managed role holding exactly the plugin's permissions and one token; nobody but
//! `plugin unregister` may change them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use satui::service::{Error, NewToken};
use serde_json::Value;

use crate::common::{
    DAY, Fixture, ONCALL, ONCALL_ACCOUNT, T0, cli_fails, cli_json, cli_ok, cli_verify, days, db_row_counts,
    oncall_permissions, oncall_plugin, satui,
};

struct Store {
    dir: tempfile::TempDir,
    db: PathBuf,
}

fn store() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    Store { dir, db }
}

/// Registers the example plugin from the CLI; returns the token printed on stdout.
fn register(db: &Path) -> String {
    let out = satui(db).args(["plugin", "register"]).arg(oncall_plugin()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "stdout must be exactly the token: {stdout:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(ONCALL_ACCOUNT) && stderr.contains("only once"), "{stderr}");
    stdout.trim_end().to_string()
}

fn pairs(value: &Value) -> BTreeSet<(String, String)> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["action"].as_str().unwrap().to_string(), p["scope"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn given_the_example_plugin_when_registered_then_one_token_line_is_printed_and_it_verifies_as_the_managed_account() {
    let s = store();
    let token = register(&s.db);
    assert!(token.starts_with("sat_") && token.len() == 42, "{token:?}");

    let out = cli_verify(&s.db, &token, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(identity["account"], ONCALL_ACCOUNT);
    assert_eq!(identity["login"], "sa-1-extsvc-grafana-oncall-app");
    assert_eq!(identity["role"], "None");

    let shown = cli_json(&s.db, &["sa", "show", ONCALL_ACCOUNT]);
    assert_eq!(shown["managed_by"], ONCALL);
    assert_eq!(shown["tokens"].as_array().unwrap().len(), 1);
    assert_eq!(shown["tokens"][0]["status"], "active");
    assert!(shown["description"].as_str().unwrap().contains("Grafana OnCall"), "{shown}");
}

#[test]
fn the_managed_role_and_the_effective_permissions_are_exactly_the_plugins_permissions() {
    let s = store();
    let token = register(&s.db);
    let declared = oncall_permissions();

    let role = cli_json(&s.db, &["role", "show", "managed:grafana-oncall-app"]);
    assert_eq!(role["role"]["kind"], "managed");
    assert_eq!(role["role"]["managed_by"], ONCALL);
    assert_eq!(pairs(&role["permissions"]), declared);
    assert_eq!(role["accounts"], serde_json::json!([ONCALL_ACCOUNT]));

    let effective = cli_json(&s.db, &["sa", "permissions", ONCALL_ACCOUNT]);
    assert_eq!(pairs(&effective), declared);
    assert!(
        effective
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["sources"] == serde_json::json!(["role managed:grafana-oncall-app"]))
    );

    let check =
        |action: &str, scope: &str| cli_verify(&s.db, &token, &["--action", action, "--scope", scope]).status.code();
    assert_eq!(check("dashboards:read", "dashboards:uid:abc"), Some(0));
    assert_eq!(check("alert.rules:read", "folders:uid:x"), Some(0));
    assert_eq!(check("grafana-oncall-app.schedules:read", "anything:at:all"), Some(0));
    assert_eq!(check("dashboards:write", "dashboards:uid:abc"), Some(3));
    assert_eq!(check("dashboards:read", "folders:uid:abc"), Some(3));
}

#[test]
fn given_a_managed_account_then_every_admin_change_to_it_from_the_cli_is_refused_naming_the_plugin() {
    let s = store();
    let token = register(&s.db);
    let before = db_row_counts(&s.db);
    let sa = ONCALL_ACCOUNT;
    let refused: &[&[&str]] = &[
        &["sa", "update", sa, "--description", "mine now"],
        &["sa", "update", sa, "--name", "renamed"],
        &["sa", "update", sa, "--role", "Admin"],
        &["sa", "disable", sa],
        &["sa", "enable", sa],
        &["sa", "delete", sa],
        &["token", "create", "--sa", sa, "--name", "extra"],
        &["token", "delete", "--sa", sa, "plugin"],
        &["role", "assign", "fixed:folders:reader", "--sa", sa],
        &["role", "grant", "managed:grafana-oncall-app", "--permission", "dashboards:write"],
        &["role", "ungrant", "managed:grafana-oncall-app", "--permission", "dashboards:read=dashboards:*"],
        &["role", "delete", "managed:grafana-oncall-app"],
    ];
    for args in refused {
        let stderr = cli_fails(&s.db, args, 1);
        assert!(stderr.contains("managed by plugin grafana-oncall-app"), "{args:?}: {stderr}");
    }
    cli_ok(&s.db, &["group", "create", "ops"]);
    let stderr = cli_fails(&s.db, &["group", "add-role", "ops", "--role", "managed:grafana-oncall-app"], 1);
    assert!(stderr.contains("managed by"), "{stderr}");
    cli_ok(&s.db, &["group", "delete", "ops"]);

    let mut expected = before;
    // group create + delete: two audit events, nothing else.
    expected.insert("audit_events", expected["audit_events"] + 2);
    assert_eq!(db_row_counts(&s.db), expected, "a refused command wrote something");
    assert_eq!(cli_verify(&s.db, &token, &[]).status.code(), Some(0), "the plugin's token still works");
    let shown = cli_json(&s.db, &["sa", "show", sa]);
    assert_eq!(shown["disabled"], false);
    assert_eq!(shown["name"], ONCALL_ACCOUNT);
    assert!(!shown["description"].as_str().unwrap().contains("mine"));
}

#[test]
fn given_a_managed_account_then_the_service_refuses_the_same_changes_the_ui_would_ask_for() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let registration = fx.service.register_plugin(org, &oncall_plugin()).unwrap();
    let (account, token) = (registration.account.id, registration.token().unwrap().token.id);
    let before = db_row_counts(&fx.path);
    let changes = satui::service::AccountChanges { name: Some("x".into()), ..Default::default() };
    let new = NewToken { name: "extra".into(), expiry: days(30) };
    let results: Vec<(&str, Result<(), Error>)> = vec![
        ("update", fx.service.update_account(account, &changes).map(drop)),
        ("disable", fx.service.set_account_disabled(account, true).map(drop)),
        ("delete", fx.service.delete_account(account)),
        ("create token", fx.service.create_token(account, &new).map(drop)),
        ("delete token", fx.service.delete_token(token)),
        ("assign", fx.service.assign_role(account, "fixed:folders:reader", true).map(drop)),
    ];
    for (what, result) in results {
        let err = result.expect_err(what);
        assert!(matches!(err, Error::Refused(_)), "{what}: {err}");
        assert!(err.to_string().contains("managed by plugin grafana-oncall-app"), "{what}: {err}");
    }
    assert_eq!(db_row_counts(&fx.path), before);
    assert_eq!(registration.account.managed_by.as_deref(), Some(ONCALL));
    assert_eq!(registration.account.name, ONCALL_ACCOUNT);
    let declared: BTreeSet<_> = registration.permissions.iter().map(|p| (p.action.clone(), p.scope.clone())).collect();
    assert_eq!(declared, oncall_permissions());
}

#[test]
fn the_plugin_token_lives_a_year_or_as_long_as_the_org_cap_allows() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let uncapped = fx.service.register_plugin(org, &oncall_plugin()).unwrap();
    assert_eq!(uncapped.token().unwrap().token.expires_at, Some(T0 + 365 * DAY));
    assert_eq!(uncapped.token().unwrap().token.name, "plugin");
    fx.service.unregister_plugin(ONCALL).unwrap();

    fx.service.set_org_cap(org, Some(30)).unwrap();
    let capped = fx.service.register_plugin(org, &oncall_plugin()).unwrap();
    assert_eq!(capped.token().unwrap().token.expires_at, Some(T0 + 30 * DAY));
    fx.verify(capped.token().unwrap().secret.expose()).expect("the new token verifies");
}

#[test]
fn registering_a_plugin_in_another_org_is_refused_and_writes_nothing() {
    let s = store();
    register(&s.db);
    cli_ok(&s.db, &["org", "create", "Other"]);
    let before = db_row_counts(&s.db);
    let path = oncall_plugin();
    let stderr = cli_fails(&s.db, &["--org", "Other", "plugin", "register", path.to_str().unwrap()], 1);
    assert!(stderr.contains("is already registered in Main Org."), "{stderr}");
    assert_eq!(db_row_counts(&s.db), before);
}

/// As Grafana does on a plugin upgrade: registering again updates the managed role's
/// permissions in place; the account, its id and its token stay.
#[test]
fn registering_again_updates_the_permissions_in_place_and_keeps_the_account_and_token() {
    let s = store();
    let token = register(&s.db);
    let path = oncall_plugin();
    let path = path.to_str().unwrap();
    // The same file again: nothing changes, nothing is printed on stdout as a token.
    let before = db_row_counts(&s.db);
    let out = cli_ok(&s.db, &["plugin", "register", path]);
    assert!(out.contains("nothing changed"), "{out}");
    assert!(!out.contains("sat_"), "no new token: {out}");
    assert_eq!(db_row_counts(&s.db), before);

    // A new version: one permission dropped, one added.
    let text = std::fs::read_to_string(oncall_plugin()).unwrap();
    let mut plugin: serde_json::Value = serde_json::from_str(&text).unwrap();
    let permissions = plugin["iam"]["permissions"].as_array_mut().unwrap();
    let dropped = permissions.remove(0);
    permissions.push(serde_json::json!({"action": "annotations:read", "scope": "annotations:*"}));
    let newer = s.dir.path().join("plugin-v2.json");
    std::fs::write(&newer, plugin.to_string()).unwrap();
    let account_before = cli_json(&s.db, &["sa", "show", ONCALL_ACCOUNT]);
    let value = cli_json(&s.db, &["plugin", "register", newer.to_str().unwrap()]);
    assert_eq!(value["added"], serde_json::json!(["annotations:read annotations:*"]));
    assert_eq!(value["removed"].as_array().unwrap().len(), 1);
    assert!(value.get("key").is_none(), "no new token");
    let account_after = cli_json(&s.db, &["sa", "show", ONCALL_ACCOUNT]);
    assert_eq!(account_after["id"], account_before["id"]);
    assert!(cli_verify(&s.db, &token, &[]).status.success(), "the plugin's token still works");
    let allowed = cli_verify(&s.db, &token, &["--action", "annotations:read", "--scope", "annotations:type:x"]);
    assert!(allowed.status.success(), "the added permission is in effect");
    let action = dropped["action"].as_str().unwrap();
    let scope = dropped["scope"].as_str().unwrap_or("");
    let scope = if scope.is_empty() { "x:y:z".to_string() } else { scope.replace('*', "x") };
    let denied = cli_verify(&s.db, &token, &["--action", action, "--scope", &scope]);
    assert_eq!(denied.status.code(), Some(3), "the dropped permission is gone");
    let audit = cli_json(&s.db, &["audit"]);
    let event = audit.as_array().unwrap().iter().find(|e| e["action"] == "plugin.update").expect("plugin.update");
    assert!(event["details"].as_str().unwrap().contains("added: annotations:read"), "{event}");
}

#[test]
fn plugin_list_names_each_plugin_with_its_org_account_permissions_and_live_tokens() {
    let s = store();
    let empty = satui(&s.db).args(["plugin", "list"]).output().unwrap();
    assert!(empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no plugin is registered"));
    register(&s.db);
    let value = cli_json(&s.db, &["plugin", "list"]);
    let plugin = &value.as_array().unwrap()[0];
    assert_eq!(plugin["plugin"], ONCALL);
    assert_eq!(plugin["org"], "Main Org.");
    assert_eq!(plugin["account"], ONCALL_ACCOUNT);
    assert_eq!(plugin["permissions"], oncall_permissions().len());
    assert_eq!(plugin["live_tokens"], 1);
    let text = cli_ok(&s.db, &["plugin", "list"]);
    assert!(text.starts_with("PLUGIN") && text.contains(ONCALL), "{text}");
}

#[test]
fn unregistering_removes_the_account_its_tokens_and_its_role_and_allows_registering_again() {
    let s = store();
    cli_ok(&s.db, &["sa", "list"]);
    let pristine = db_row_counts(&s.db);
    let token = register(&s.db);
    cli_ok(&s.db, &["group", "create", "ops"]);
    // A managed account holds exactly its plugin's permissions: no group may add to them.
    let refused = cli_fails(&s.db, &["group", "add-member", "ops", "--sa", ONCALL_ACCOUNT], 1);
    assert!(refused.contains("managed by plugin grafana-oncall-app"), "{refused}");

    let out = cli_ok(&s.db, &["plugin", "unregister", ONCALL]);
    assert!(out.contains("unregistered plugin grafana-oncall-app"), "{out}");
    let rejected = cli_verify(&s.db, &token, &[]);
    assert_eq!(rejected.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&rejected.stderr).contains("unknown token"));
    assert!(cli_json(&s.db, &["sa", "list"]).as_array().unwrap().is_empty());
    let roles = cli_json(&s.db, &["role", "list"]);
    assert!(roles.as_array().unwrap().iter().all(|r| r["kind"] != "managed"), "{roles}");
    assert!(cli_json(&s.db, &["group", "list"])[0]["members"].as_array().unwrap().is_empty());
    let mut counts = db_row_counts(&s.db);
    counts.remove("audit_events");
    let mut expected = pristine;
    expected.remove("audit_events");
    expected.insert("groups", 1);
    assert_eq!(counts, expected, "something of the plugin survived");

    assert!(cli_fails(&s.db, &["plugin", "unregister", ONCALL], 1).contains("not registered"));
    let again = register(&s.db);
    assert_ne!(again, token);
    assert_eq!(cli_verify(&s.db, &again, &[]).status.code(), Some(0));
}

#[test]
fn register_with_json_prints_the_account_permissions_and_key() {
    let s = store();
    let path = oncall_plugin();
    let value = cli_json(&s.db, &["plugin", "register", path.to_str().unwrap()]);
    assert_eq!(value["plugin"], ONCALL);
    assert_eq!(value["account"], ONCALL_ACCOUNT);
    assert_eq!(pairs(&value["permissions"]), oncall_permissions());
    let key = value["key"].as_str().unwrap();
    assert_eq!(cli_verify(&s.db, key, &[]).status.code(), Some(0));
}

#[test]
fn bad_plugin_files_are_refused_with_a_clear_one_line_error_and_nothing_written() {
    let s = store();
    let write = |name: &str, text: &str| {
        let path = s.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let perms = r#""iam": {"permissions": [{"action": "dashboards:read", "scope": "dashboards:*"}]}"#;
    let cases: Vec<(PathBuf, &str)> = vec![
        (s.dir.path().join("missing.json"), "missing.json"),
        (write("garbage.json", "this is not json {"), "not valid plugin JSON"),
        (write("array.json", "[1, 2, 3]"), "not valid plugin JSON"),
        (write("noid.json", &format!("{{\"type\": \"app\", {perms}}}")), "has no \"id\""),
        (write("numid.json", &format!("{{\"id\": 42, {perms}}}")), "not valid plugin JSON"),
        (write("badid.json", &format!("{{\"id\": \"Bad Id\", {perms}}}")), "plugin id 'Bad Id'"),
        (write("noperms.json", r#"{"id": "quiet-app"}"#), "no iam.permissions"),
        (write("emptyperms.json", r#"{"id": "quiet-app", "iam": {"permissions": []}}"#), "no iam.permissions"),
        (
            write(
                "unknown.json",
                r#"{"id": "x-app", "iam": {"permissions": [{"action": "dashboards:read", "scope": ""}, {"action": "dashboards:frobnicate", "scope": ""}]}}"#,
            ),
            "unknown action 'dashboards:frobnicate'",
        ),
        (
            // Another plugin's actions are fine (as in Grafana); an unknown core action is not.
            write("foreign.json", r#"{"id": "x-app", "iam": {"permissions": [{"action": "dashboards:frob"}]}}"#),
            "unknown action 'dashboards:frob'",
        ),
        (
            write(
                "scope.json",
                r#"{"id": "x-app", "iam": {"permissions": [{"action": "folders:read", "scope": "folders:ab*"}]}}"#,
            ),
            "malformed scope",
        ),
    ];
    cli_ok(&s.db, &["sa", "list"]);
    let before = db_row_counts(&s.db);
    for (path, needle) in &cases {
        let stderr = cli_fails(&s.db, &["plugin", "register", path.to_str().unwrap()], 1);
        assert!(stderr.contains(needle), "{}: {stderr}", path.display());
        if path.exists() {
            assert!(stderr.contains(&path.display().to_string()), "the error does not name the file: {stderr}");
        }
    }
    assert_eq!(db_row_counts(&s.db), before, "a refused registration wrote something");

    // The plugin's own actions are accepted for that plugin, and duplicates are merged.
    let own = write(
        "own.json",
        r#"{"id": "x-app", "iam": {"permissions": [{"action": "x-app.things:read"}, {"action": "x-app.things:read", "scope": ""}, {"action": "folders:read", "scope": "folders:*"}]}}"#,
    );
    let value = cli_json(&s.db, &["plugin", "register", own.to_str().unwrap()]);
    assert_eq!(value["account"], "extsvc-x-app");
    assert_eq!(value["permissions"].as_array().unwrap().len(), 2, "{value}");
}

#[test]
fn an_admin_cannot_create_an_account_under_the_reserved_plugin_prefix() {
    let s = store();
    let stderr = cli_fails(&s.db, &["sa", "create", ONCALL_ACCOUNT], 1);
    assert!(stderr.contains("reserved"), "{stderr}");
    register(&s.db);
    cli_ok(&s.db, &["sa", "create", "plain"]);
    let stderr = cli_fails(&s.db, &["sa", "update", "plain", "--name", "EXTSVC-mine"], 1);
    assert!(stderr.contains("reserved"), "{stderr}");
}

/// A leaked plugin token must be stoppable: it can be rotated (with grace) and revoked, audited;
/// creating and deleting stay refused.
#[test]
fn a_plugin_token_can_be_rotated_with_grace_and_revoked() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let registration = fx.service.register_plugin(org, &oncall_plugin()).unwrap();
    let satui::service::Registered::New(old) = registration.outcome else { panic!("a first registration") };
    let rotated = fx.service.rotate_token_with_grace(old.token.id, 3600).unwrap();
    assert!(fx.verify(old.secret.expose()).is_ok(), "the old secret works during the grace");
    assert!(fx.verify(rotated.secret.expose()).is_ok());
    let event = &fx.audit()[0];
    assert_eq!(event.action, "token.rotate");
    assert!(event.details.contains("grace=1h"), "{}", event.details);
    fx.service.revoke_token(rotated.token.id).unwrap();
    assert_eq!(fx.verify(rotated.secret.expose()).unwrap_err(), satui::service::Rejection::Revoked);
    assert_eq!(fx.audit()[0].action, "token.revoke");
}
