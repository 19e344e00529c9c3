//! `satui export` / `satui import`: a round trip restores the same data, never carries a secret
//! or a hash, refuses a non-empty store, and validates everything before writing anything.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use satui::clock::ManualClock;
use satui::domain::role::BasicRole;
use satui::service::{AccountChanges, Rejection, Service, VerifyError};
use serde_json::Value;

use crate::common::{
    DAY, Fixture, ONCALL_ACCOUNT, T0, cli_fails, cli_json, cli_ok, cli_verify, contains_bytes, days, db_row_counts,
    extended, never, new_account, oncall_plugin,
};

fn perm(action: &str, scope: &str) -> (String, String) {
    (action.to_string(), scope.to_string())
}

/// A store with two orgs and a bit of everything; the service is closed again so the CLI can
/// work on the file. Returns the plaintext of every token ever issued.
struct Built {
    dir: tempfile::TempDir,
    db: PathBuf,
    secrets: Vec<String>,
}

fn build() -> Built {
    let mut fx = Fixture::new();
    let mut secrets = Vec::new();
    let main = fx.main_org();
    let staging = fx.service.create_org("Staging").unwrap().id;
    fx.service.set_org_cap(staging, Some(90)).unwrap();

    // Created in non-alphabetical order, so ids and names sort differently.
    let zeta = [perm("folders:read", "folders:uid:*"), perm("dashboards:read", "")];
    fx.service.create_role(main, "zeta-readers", "reads things", &zeta).unwrap();
    fx.service.create_role(main, "Alpha Writers", "", &[perm("dashboards:write", "dashboards:*")]).unwrap();
    fx.service.create_role(staging, "ops", "", &[perm("datasources:query", "datasources:uid:*")]).unwrap();

    let ci = fx.service.create_account(main, &new_account("CI Bot", BasicRole::Editor)).unwrap();
    let changes = AccountChanges { description: Some("deploys main".into()), ..Default::default() };
    fx.service.update_account(ci.id, &changes).unwrap();
    let nightly = fx.service.create_account(main, &new_account("nightly", BasicRole::Viewer)).unwrap();
    let quiet = fx.service.create_account(main, &new_account("Quiet", BasicRole::None)).unwrap();
    let deploy = fx.service.create_account(staging, &new_account("Deploy Bot", BasicRole::Admin)).unwrap();
    for role in ["zeta-readers", "fixed:folders:reader", "Alpha Writers"] {
        fx.service.assign_role(ci.id, role, true).unwrap();
    }
    fx.service.assign_role(deploy.id, "ops", true).unwrap();

    fx.service.create_group(main, "Deployers", "ships releases").unwrap();
    fx.service.create_group(main, "empty", "").unwrap();
    for role in ["zeta-readers", "fixed:dashboards:reader", "Alpha Writers"] {
        fx.service.assign_group_role(main, "deployers", role, true).unwrap();
    }
    for account in [&nightly, &ci] {
        fx.service.change_membership(main, "Deployers", account.id, true).unwrap();
    }
    fx.service.create_group(staging, "ops", "").unwrap();
    fx.service.change_membership(staging, "ops", deploy.id, true).unwrap();
    fx.service.assign_group_role(staging, "ops", "ops", true).unwrap();
    let plugin = fx.service.register_plugin(staging, &oncall_plugin()).unwrap();
    secrets.push(plugin.token().unwrap().secret.expose().to_string());

    // Tokens in every state: active, extended and used, never expiring, expired, revoked,
    // rotated (a revoked predecessor under the same name), inactive (disabled account).
    let mut issue = |fx: &mut Fixture, account: i64, name: &str, expiry| {
        let issued = fx.token(account, name, expiry);
        secrets.push(issued.secret.expose().to_string());
        issued
    };
    issue(&mut fx, ci.id, "active", days(30));
    let slide = issue(&mut fx, ci.id, "slide", extended(30, 10));
    issue(&mut fx, ci.id, "forever", never());
    issue(&mut fx, ci.id, "short", days(7));
    let revoked = issue(&mut fx, ci.id, "revoked", days(30));
    let rotated = issue(&mut fx, ci.id, "rotated", days(60));
    issue(&mut fx, nightly.id, "nightly", days(30));
    issue(&mut fx, deploy.id, "deploy", days(90));
    fx.clock.advance(DAY);
    fx.verify(slide.secret.expose()).unwrap();
    fx.service.revoke_token(revoked.token.id).unwrap();
    let new = fx.service.rotate_token(rotated.token.id).unwrap();
    secrets.push(new.secret.expose().to_string());
    fx.service.set_account_disabled(nightly.id, true).unwrap();
    fx.clock.advance(7 * DAY);
    assert_eq!(fx.verify(&secrets[4]).unwrap_err(), Rejection::Expired, "the short token expired");
    drop(quiet);

    let Fixture { dir, path, service, .. } = fx;
    drop(service);
    Built { dir, db: path, secrets }
}

fn export_text(db: &Path, args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("export");
    cli_ok(db, &all)
}

fn fresh_db(dir: &Path, name: &str) -> PathBuf {
    let db = dir.join(name);
    cli_ok(&db, &["sa", "list"]);
    db
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

fn import(db: &Path, file: &Path) -> std::process::Output {
    crate::common::satui(db).arg("import").arg(file).output().unwrap()
}

/// Every key of every object in a JSON value.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn export_then_import_into_a_fresh_store_then_export_again_gives_the_same_json() {
    let built = build();
    let first_text = export_text(&built.db, &[]);
    let first: Value = serde_json::from_str(&first_text).unwrap();
    assert_eq!((first["format"].as_str(), first["version"].as_u64()), (Some("satui-export"), Some(1)));
    let orgs = first["orgs"].as_array().unwrap();
    assert_eq!(orgs.iter().map(|o| o["name"].as_str().unwrap()).collect::<Vec<_>>(), ["Main Org.", "Staging"]);
    assert_eq!(orgs[1]["max_token_lifetime_days"], 90);
    assert_eq!(orgs[0]["accounts"].as_array().unwrap().len(), 3);
    let staging_accounts = orgs[1]["accounts"].as_array().unwrap();
    assert!(staging_accounts.iter().any(|a| a["name"] == ONCALL_ACCOUNT && a["managed_by"] == "grafana-oncall-app"));
    let ci = &orgs[0]["accounts"][0];
    assert_eq!(ci["name"], "CI Bot");
    assert_eq!(ci["tokens"].as_array().unwrap().len(), 7, "{ci}");
    assert_eq!(orgs[0]["accounts"][1]["disabled"], true);

    let out_dir = tempfile::tempdir().unwrap();
    let file = write_json(out_dir.path(), "export.json", &first);
    let restored = fresh_db(out_dir.path(), "restored.db");
    let out = import(&restored, &file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("2 organization(s) and 5 account(s)"), "{stdout}");

    let second: Value = serde_json::from_str(&export_text(&restored, &[])).unwrap();
    assert_eq!(second, first, "the round trip changed the data");

    // The restored store behaves like the original: groups grant, the plugin's account is managed.
    let perms = cli_json(&restored, &["sa", "permissions", "CI Bot"]);
    let folder =
        perms.as_array().unwrap().iter().find(|g| g["action"] == "folders:read" && g["scope"] == "folders:uid:*");
    let sources = &folder.expect("folders:read from zeta-readers")["sources"];
    assert_eq!(sources, &serde_json::json!(["group Deployers → role zeta-readers", "role zeta-readers"]));
    let refused = cli_fails(&restored, &["--org", "Staging", "sa", "delete", ONCALL_ACCOUNT], 1);
    assert!(refused.contains("managed by plugin grafana-oncall-app"), "{refused}");
    cli_ok(&restored, &["plugin", "unregister", "grafana-oncall-app"]);
}

#[test]
fn the_export_holds_no_hash_and_no_token_plaintext() {
    let built = build();
    let text = export_text(&built.db, &[]);
    let value: Value = serde_json::from_str(&text).unwrap();
    let mut all_keys = Vec::new();
    keys(&value, &mut all_keys);
    for forbidden in ["hash", "key", "secret", "token_hash"] {
        assert!(!all_keys.iter().any(|k| k == forbidden), "the export has a '{forbidden}' field");
    }
    assert_eq!(built.secrets.len(), 10);
    for secret in &built.secrets {
        assert!(!contains_bytes(text.as_bytes(), secret.as_bytes()), "a token is in the export");
        assert!(!contains_bytes(text.as_bytes(), &secret.as_bytes()[4..36]), "a token's random part is in the export");
        let hint = format!("sat_…{}", &secret[38..]);
        assert!(text.contains(&hint), "the hint {hint} is missing");
    }
}

#[test]
fn imported_tokens_keep_their_metadata_but_do_not_authenticate() {
    let built = build();
    let text = export_text(&built.db, &[]);
    let file = built.dir.path().join("export.json");
    std::fs::write(&file, &text).unwrap();
    let restored = built.dir.path().join("restored.db");
    cli_ok(&restored, &["import", file.to_str().unwrap()]);

    for secret in &built.secrets {
        let out = cli_verify(&restored, secret, &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("unknown token"));
    }
    let mut service = Service::open_with_clock(&restored, Arc::new(ManualClock::new(T0 + 8 * DAY))).unwrap();
    for secret in &built.secrets {
        assert!(matches!(service.verify_token(secret), Err(VerifyError::Rejected(Rejection::Unknown))));
    }
    let main = service.default_org().unwrap();
    let ci = service.find_account(main.id, "CI Bot").unwrap();
    let tokens = service.tokens(ci.id).unwrap();
    assert_eq!(tokens.len(), 7);
    assert_eq!(tokens.iter().filter(|t| t.revoked_at.is_some()).count(), 2);
    let slide = tokens.iter().find(|t| t.name == "slide").unwrap();
    assert_eq!((slide.last_used_at, slide.max_age_days), (Some(T0 + DAY), Some(10)));

    // A rotated imported token is a fresh secret that works.
    let rotated = service.rotate_token(tokens.iter().find(|t| t.name == "active").unwrap().id).unwrap();
    service.verify_token(rotated.secret.expose()).expect("a rotated imported token authenticates");
}

#[test]
fn import_into_a_store_that_is_not_empty_is_refused_and_writes_nothing() {
    let built = build();
    let text = export_text(&built.db, &[]);
    let file = built.dir.path().join("export.json");
    std::fs::write(&file, &text).unwrap();
    let before = db_row_counts(&built.db);
    let stderr = cli_fails(&built.db, &["import", file.to_str().unwrap()], 1);
    assert!(stderr.contains("not empty") && stderr.contains("nothing written"), "{stderr}");
    assert_eq!(db_row_counts(&built.db), before);

    // A store holding only one account is not empty either.
    let other = built.dir.path().join("other.db");
    cli_ok(&other, &["sa", "create", "lonely"]);
    let before = db_row_counts(&other);
    assert!(cli_fails(&other, &["import", file.to_str().unwrap()], 1).contains("not empty"));
    let org_only = built.dir.path().join("org-only.db");
    cli_ok(&org_only, &["org", "create", "Second"]);
    assert!(cli_fails(&org_only, &["import", file.to_str().unwrap()], 1).contains("not empty"));
    assert_eq!(db_row_counts(&other), before);
}

#[test]
fn export_of_one_org_holds_only_that_org_and_imports_on_its_own() {
    let built = build();
    let one: Value = serde_json::from_str(&export_text(&built.db, &["--org", "Staging"])).unwrap();
    let orgs = one["orgs"].as_array().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["name"], "Staging");
    let file = write_json(built.dir.path(), "staging.json", &one);
    let restored = built.dir.path().join("staging.db");
    cli_ok(&restored, &["import", file.to_str().unwrap()]);
    let again: Value = serde_json::from_str(&export_text(&restored, &[])).unwrap();
    assert_eq!(again, one);
    let listed = cli_json(&restored, &["org", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "the fresh store's Main Org. is replaced: {listed}");
}

#[test]
fn an_export_file_with_any_bad_part_is_refused_whole_and_writes_nothing() {
    let built = build();
    let good: Value = serde_json::from_str(&export_text(&built.db, &[])).unwrap();
    type Edit = fn(&mut Value);
    let cases: &[(&str, Edit, &str)] = &[
        (
            "unknown account role",
            |v| push(&mut v["orgs"][0]["accounts"][0]["roles"], "ghost-role"),
            "unknown role 'ghost-role'",
        ),
        (
            "unknown group role",
            |v| push(&mut v["orgs"][0]["groups"][0]["roles"], "fixed:nope"),
            "unknown role 'fixed:nope'",
        ),
        // A custom role of another org is unknown here.
        ("role of another org", |v| push(&mut v["orgs"][0]["accounts"][0]["roles"], "ops"), "unknown role 'ops'"),
        (
            "duplicate account",
            |v| {
                let mut copy = v["orgs"][0]["accounts"][1].clone();
                copy["name"] = Value::from("NIGHTLY");
                copy["login"] = Value::from("sa-1-nightly-2");
                v["orgs"][0]["accounts"].as_array_mut().unwrap().push(copy);
            },
            "appears twice",
        ),
        (
            "duplicate login",
            |v| v["orgs"][1]["accounts"][0]["login"] = v["orgs"][0]["accounts"][0]["login"].clone(),
            "used twice",
        ),
        ("bad login", |v| v["orgs"][0]["accounts"][0]["login"] = Value::from("root"), "login 'root'"),
        (
            "bad token name",
            |v| v["orgs"][0]["accounts"][0]["tokens"][0]["name"] = Value::from("Bad\u{200b}Name"),
            "token name",
        ),
        (
            "two live tokens with one name",
            |v| {
                let tokens = v["orgs"][0]["accounts"][0]["tokens"].as_array_mut().unwrap();
                let live = tokens.iter().find(|t| t["revoked_at"].is_null()).unwrap().clone();
                tokens.push(live);
            },
            "two unrevoked tokens",
        ),
        ("unknown member", |v| push(&mut v["orgs"][0]["groups"][0]["members"], "ghost"), "unknown member 'ghost'"),
        (
            "duplicate role",
            |v| {
                let mut copy = v["orgs"][0]["roles"][0].clone();
                copy["name"] = Value::from("ALPHA writers");
                v["orgs"][0]["roles"].as_array_mut().unwrap().push(copy);
            },
            "appears twice",
        ),
        (
            "duplicate group",
            |v| {
                let copy = v["orgs"][0]["groups"][0].clone();
                v["orgs"][0]["groups"].as_array_mut().unwrap().push(copy);
            },
            "appears twice",
        ),
        ("duplicate org", |v| v["orgs"][1]["name"] = Value::from("main org."), "appears twice"),
        (
            "unknown action",
            |v| v["orgs"][0]["roles"][0]["permissions"][0]["action"] = Value::from("dashboards:frobnicate"),
            "unknown action",
        ),
        (
            "malformed scope",
            |v| v["orgs"][0]["roles"][0]["permissions"][0]["scope"] = Value::from("a::b"),
            "malformed scope",
        ),
        (
            "role named like a fixed role",
            |v| v["orgs"][0]["roles"][0]["name"] = Value::from("FIXED:folders:reader"),
            "reserved",
        ),
        ("role named like a basic role", |v| v["orgs"][0]["roles"][0]["name"] = Value::from("editor"), "reserved"),
        (
            "one plugin managing two accounts",
            |v| {
                let role = v["orgs"][1]["roles"][0].clone();
                let mut account = v["orgs"][1]["accounts"][1].clone();
                assert_eq!(account["managed_by"], "grafana-oncall-app");
                account["login"] = Value::from("sa-1-extsvc-grafana-oncall-app");
                v["orgs"][0]["roles"].as_array_mut().unwrap().push(role);
                v["orgs"][0]["accounts"].as_array_mut().unwrap().push(account);
            },
            "grafana-oncall-app",
        ),
        ("reserved account name", |v| v["orgs"][0]["accounts"][0]["name"] = Value::from("extsvc-fake"), "reserved"),
        ("empty org name", |v| v["orgs"][0]["name"] = Value::from("  "), "empty"),
        ("cap out of range", |v| v["orgs"][1]["max_token_lifetime_days"] = Value::from(0), "max token lifetime"),
        ("wrong format", |v| v["format"] = Value::from("something-else"), "not a satui-export"),
        ("wrong version", |v| v["version"] = Value::from(99), "not a satui-export"),
        ("no orgs", |v| v["orgs"] = Value::Array(vec![]), "no organization"),
        ("bad role value", |v| v["orgs"][0]["accounts"][0]["role"] = Value::from("Superuser"), "not a satui export"),
        // What a hostile file tried (issue 11): a role claiming a plugin to take a built-in name.
        (
            "fixed role name claimed through managed_by",
            |v| {
                v["orgs"][0]["roles"][0]["name"] = Value::from("fixed:dashboards:reader");
                v["orgs"][0]["roles"][0]["managed_by"] = Value::from("grafana-oncall-app");
            },
            "not named managed:grafana-oncall-app",
        ),
        (
            "basic role name claimed through managed_by",
            |v| {
                v["orgs"][0]["roles"][0]["name"] = Value::from("Admin");
                v["orgs"][0]["roles"][0]["managed_by"] = Value::from("x");
            },
            "not named managed:x",
        ),
        (
            "managed role without its plugin account",
            |v| {
                let mut role = v["orgs"][0]["roles"][0].clone();
                role["name"] = Value::from("managed:ghost-app");
                role["managed_by"] = Value::from("ghost-app");
                v["orgs"][0]["roles"].as_array_mut().unwrap().push(role);
            },
            "no account here",
        ),
        (
            "managed role on an ordinary account",
            |v| {
                let role = v["orgs"][1]["accounts"][1]["roles"][0].clone();
                v["orgs"][1]["accounts"][0]["roles"].as_array_mut().unwrap().push(role);
            },
            "only its plugin's account may hold",
        ),
        (
            "managed_by not a plugin id",
            |v| v["orgs"][1]["accounts"][1]["managed_by"] = Value::from("../x"),
            "plugin id",
        ),
        ("login with an escape", |v| v["orgs"][0]["accounts"][0]["login"] = Value::from("sa-1-\u{1b}[2J"), "login"),
        ("login of another shape", |v| v["orgs"][0]["accounts"][0]["login"] = Value::from("sa-root"), "login"),
        (
            "hint holding a secret's worth of text",
            |v| v["orgs"][0]["accounts"][0]["tokens"][0]["hint"] = Value::from("sat_abcdefghijklmnopqrstuvwxyz"),
            "hint",
        ),
        (
            "role description with an escape",
            |v| v["orgs"][0]["roles"][0]["description"] = Value::from("\u{1b}]52;c;QUJD\u{7}"),
            "control characters",
        ),
        (
            "group description with a forged line",
            |v| v["orgs"][0]["groups"][0]["description"] = Value::from("ok\u{2028}role Admin"),
            "invisible",
        ),
        (
            "lifetime past u32",
            |v| v["orgs"][0]["accounts"][0]["tokens"][0]["lifetime_days"] = Value::from(4_294_967_295u64),
            "at most 3650",
        ),
        (
            "expiry at the end of time",
            |v| v["orgs"][0]["accounts"][0]["tokens"][0]["expires_at"] = Value::from(i64::MAX),
            "does not fit its lifetime",
        ),
        ("a created_at before 2000", |v| v["orgs"][0]["accounts"][0]["created_at"] = Value::from(-1), "out of range"),
        (
            "twenty-one live tokens",
            |v| {
                let tokens = v["orgs"][0]["accounts"][0]["tokens"].as_array_mut().unwrap();
                let live = tokens.iter().find(|t| t["revoked_at"].is_null()).unwrap().clone();
                for i in 0..21 {
                    let mut copy = live.clone();
                    copy["name"] = Value::from(format!("extra-{i}"));
                    copy["expires_at"] = Value::Null;
                    copy["lifetime_days"] = Value::Null;
                    copy["max_age_days"] = Value::Null;
                    tokens.push(copy);
                }
            },
            "at most 20",
        ),
        (
            "managed account in a group",
            |v| {
                let managed = v["orgs"][1]["accounts"][1]["name"].clone();
                v["orgs"][1]["groups"] = serde_json::json!([{
                    "name": "g", "description": "", "created_at": 1_800_000_000, "members": [managed], "roles": []
                }]);
            },
            "cannot be a group member",
        ),
        // Issue 22: a plugin's account is exactly what `plugin register` makes.
        (
            "managed account made Admin",
            |v| v["orgs"][1]["accounts"][1]["role"] = Value::from("Admin"),
            "basic role None",
        ),
        ("managed account disabled", |v| v["orgs"][1]["accounts"][1]["disabled"] = Value::from(true), "is enabled"),
        (
            "ordinary account in the extsvc- login namespace",
            |v| v["orgs"][0]["accounts"][0]["login"] = Value::from("sa-1-extsvc-grafana-oncall-app"),
            "namespace of plugin accounts",
        ),
        (
            "a token used before it was created",
            |v| {
                let token = &mut v["orgs"][0]["accounts"][0]["tokens"][0];
                token["last_used_at"] = Value::from(token["created_at"].as_i64().unwrap() - 1);
            },
            "used before it was created",
        ),
        (
            "an expiry past the lifetime",
            |v| {
                let token = v["orgs"][0]["accounts"][0]["tokens"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|t| t["lifetime_days"].is_number() && t["max_age_days"].is_null())
                    .unwrap();
                let latest = token["created_at"].as_i64().unwrap() + token["lifetime_days"].as_i64().unwrap() * 86_400;
                token["expires_at"] = Value::from(latest + 1);
            },
            "does not fit its lifetime",
        ),
        (
            "a token revoked before it was created",
            |v| {
                let token = &mut v["orgs"][0]["accounts"][0]["tokens"][0];
                token["revoked_at"] = Value::from(token["created_at"].as_i64().unwrap() - 1);
            },
            "revoked before it was created",
        ),
        (
            "an Extended expiry past its last use plus max age",
            |v| {
                let token = v["orgs"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .flat_map(|o| o["accounts"].as_array_mut().unwrap().iter_mut())
                    .flat_map(|a| a["tokens"].as_array_mut().unwrap().iter_mut())
                    .find(|t| t["max_age_days"].is_number())
                    .expect("the built store has an Extended token");
                let created = token["created_at"].as_i64().unwrap();
                let last_use = token["last_used_at"].as_i64().unwrap_or(created);
                let lifetime = token["lifetime_days"].as_i64().unwrap() * 86_400;
                let max_age = token["max_age_days"].as_i64().unwrap() * 86_400;
                token["expires_at"] = Value::from((created + lifetime).max(last_use + max_age) + 1);
            },
            "does not fit its lifetime",
        ),
        (
            "managed account holding an extra role",
            |v| push(&mut v["orgs"][1]["accounts"][1]["roles"], "fixed:dashboards:reader"),
            "holds exactly its plugin's role",
        ),
        (
            "a permission listed twice",
            |v| {
                let role = v["orgs"][0]["roles"].as_array_mut().unwrap().iter_mut().find(|r| r["managed_by"].is_null());
                let permissions = role.unwrap()["permissions"].as_array_mut().unwrap();
                let first = permissions[0].clone();
                permissions.push(first);
            },
            "listed twice or untrimmed",
        ),
        (
            "an untrimmed permission",
            |v| {
                let role = v["orgs"][0]["roles"].as_array_mut().unwrap().iter_mut().find(|r| r["managed_by"].is_null());
                let permission = &mut role.unwrap()["permissions"][0];
                let scope = permission["scope"].as_str().unwrap().to_string();
                permission["scope"] = Value::from(format!("{scope} "));
            },
            "listed twice or untrimmed",
        ),
        ("login of another org", |v| v["orgs"][0]["accounts"][0]["login"] = Value::from("sa-2-squatter"), "names org"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path(), "fresh.db");
    let pristine = db_row_counts(&db);
    for (i, (what, edit, needle)) in cases.iter().enumerate() {
        let mut bad = good.clone();
        edit(&mut bad);
        assert_ne!(bad, good, "{what}: the edit changed nothing");
        let file = write_json(dir.path(), &format!("bad-{i}.json"), &bad);
        let stderr = cli_fails(&db, &["import", file.to_str().unwrap()], 1);
        assert!(stderr.contains(needle), "{what}: {stderr}");
        assert_eq!(db_row_counts(&db), pristine, "{what}: something was written");
    }
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{ not json").unwrap();
    assert!(cli_fails(&db, &["import", garbage.to_str().unwrap()], 1).contains("not a satui export"));
    let missing = dir.path().join("missing.json");
    assert!(cli_fails(&db, &["import", missing.to_str().unwrap()], 1).contains("missing.json"));
    assert_eq!(db_row_counts(&db), pristine);

    // The unchanged file still imports into that same store, also with a token used and revoked
    // in the very second it was made (the edges of "used/revoked before it was created").
    let mut good = good;
    let token = &mut good["orgs"][0]["accounts"][0]["tokens"][0];
    token["last_used_at"] = token["created_at"].clone();
    token["revoked_at"] = token["created_at"].clone();
    let file = write_json(dir.path(), "good.json", &good);
    cli_ok(&db, &["import", file.to_str().unwrap()]);
}

fn push(array: &mut Value, item: &str) {
    array.as_array_mut().expect("an array").push(Value::from(item));
}
