//! The `satui` binary end to end: exit codes, one-line errors, JSON shapes, and the token that
//! goes to stdout once and can be piped into `token verify`.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

use crate::common::{satui, tamper};

struct Store {
    _dir: TempDir,
    db: PathBuf,
}

fn store() -> Store {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    Store { _dir: dir, db }
}

fn json(db: &Path, args: &[&str]) -> Value {
    let out = satui(db).arg("--json").args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"))
}

fn account_count(db: &Path) -> usize {
    json(db, &["sa", "list"]).as_array().unwrap().len()
}

fn audit_count(db: &Path) -> usize {
    json(db, &["audit"]).as_array().unwrap().len()
}

/// Runs a command that must fail with `code`; returns its stderr, which must be one line.
fn fails(db: &Path, args: &[&str], code: i32) -> String {
    let out = satui(db).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8(out.stderr).unwrap();
    if code == 1 {
        assert_eq!(stderr.lines().count(), 1, "{args:?}: stderr is not one line: {stderr:?}");
        assert!(stderr.starts_with("satui: "), "{stderr:?}");
    } else {
        assert!(stderr.starts_with("error:"), "{args:?}: {stderr:?}");
    }
    stderr
}

fn create_token(db: &Path, args: &[&str]) -> String {
    let out = satui(db).args(["token", "create"]).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "stdout is not exactly one line: {stdout:?}");
    stdout.trim_end().to_string()
}

#[test]
fn given_an_account_when_a_token_is_created_then_stdout_is_exactly_the_token_and_piping_it_to_verify_succeeds() {
    let s = store();
    satui(&s.db)
        .args(["sa", "create", "ci-bot", "--role", "Editor"])
        .assert()
        .success()
        .stdout(predicate::str::contains("sa-1-ci-bot"));
    let token = create_token(&s.db, &["--sa", "ci-bot", "--name", "deploy"]);
    assert!(token.starts_with("sat_") && token.len() == 42, "{token:?}");

    // Text without --json, one JSON document with it.
    let out = satui(&s.db).args(["token", "verify"]).write_stdin(format!("{token}\n")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("valid: token 'deploy' of ci-bot (sa-1-ci-bot, "), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    let out = satui(&s.db).args(["token", "verify", "--json"]).write_stdin(format!("{token}\n")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(identity["login"], "sa-1-ci-bot");
    assert_eq!(identity["account"], "ci-bot");
    assert_eq!(identity["role"], "Editor");
    assert_eq!(identity["token"], "deploy");
    assert_eq!(identity["org"], "Main Org.");
    assert!(identity["expires_at"].is_string());

    let listed = json(&s.db, &["token", "list", "--sa", "ci-bot"]);
    assert!(listed[0]["last_used_at"].is_string(), "the use was not recorded: {listed}");
}

#[test]
fn given_a_token_with_one_character_changed_when_verified_then_exit_1_with_a_one_line_reason_not_echoing_it() {
    let s = store();
    satui(&s.db).args(["sa", "create", "ci-bot"]).assert().success();
    let token = create_token(&s.db, &["--sa", "ci-bot", "--name", "deploy"]);
    let tampered = tamper(&token, 17);
    let out = satui(&s.db).args(["token", "verify"]).write_stdin(tampered.clone()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains("checksum"), "{stderr}");
    assert!(!stderr.contains(&tampered[4..36]), "stderr echoes the token: {stderr}");

    for (input, reason) in [("", "no token"), ("not-a-token\n", "malformed")] {
        let out = satui(&s.db).args(["token", "verify"]).write_stdin(input).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{input:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
        assert!(stderr.contains(reason), "{input:?}: {stderr}");
        assert!(!stderr.contains("not-a-token"), "{stderr}");
    }
}

#[test]
fn given_a_token_in_satui_token_when_verified_then_it_is_used_instead_of_stdin() {
    let s = store();
    satui(&s.db).args(["sa", "create", "ci-bot"]).assert().success();
    let token = create_token(&s.db, &["--sa", "ci-bot", "--name", "deploy"]);
    let out = satui(&s.db)
        .args(["token", "verify", "--json"])
        .env("SATUI_TOKEN", &token)
        .write_stdin("garbage\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let identity: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(identity["login"], "sa-1-ci-bot");

    satui(&s.db).args(["token", "verify"]).env("SATUI_TOKEN", tamper(&token, 30)).assert().code(1);
}

#[test]
fn given_revoke_rotate_and_delete_on_the_command_line_then_verify_follows_each_change() {
    let s = store();
    satui(&s.db).args(["sa", "create", "ci-bot"]).assert().success();
    let first = create_token(&s.db, &["--sa", "ci-bot", "--name", "deploy", "--extended", "--max-age-days", "10"]);
    let out = satui(&s.db).args(["token", "rotate", "--sa", "ci-bot", "deploy"]).output().unwrap();
    assert!(out.status.success());
    let second = String::from_utf8(out.stdout).unwrap().trim_end().to_string();
    assert_ne!(first, second);
    let verify = |token: &str| satui(&s.db).args(["token", "verify"]).env("SATUI_TOKEN", token).output().unwrap();
    let old = verify(&first);
    assert_eq!(old.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&old.stderr).contains("revoked"));
    assert_eq!(verify(&second).status.code(), Some(0));

    let revoked = json(&s.db, &["token", "revoke", "--sa", "ci-bot", "deploy"]);
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["extended"], true);
    assert_eq!(revoked["max_age_days"], 10);
    assert_eq!(verify(&second).status.code(), Some(1));

    let listed = json(&s.db, &["token", "list", "--sa", "ci-bot"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let id = listed[0]["id"].as_i64().unwrap().to_string();
    satui(&s.db).args(["token", "delete", "--sa", "ci-bot", &id]).assert().success();
    assert_eq!(json(&s.db, &["token", "list", "--sa", "ci-bot"]).as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&verify(&second).stderr).contains("unknown token"));
}

#[test]
fn given_json_output_then_sa_create_list_show_and_token_create_have_the_documented_fields() {
    let s = store();
    let created = json(&s.db, &["sa", "create", "CI Bot", "--role", "admin", "--description", "deploys"]);
    assert_eq!(created["login"], "sa-1-ci-bot");
    assert_eq!(created["role"], "Admin");
    assert_eq!(created["disabled"], false);
    assert_eq!(created["org_id"], 1);
    assert_eq!(created["description"], "deploys");

    let issued = json(&s.db, &["token", "create", "--sa", "sa-1-ci-bot", "--name", "deploy", "--expires-in-days", "7"]);
    let key = issued["key"].as_str().expect("token create --json has key");
    assert!(key.starts_with("sat_") && key.len() == 42);
    assert_eq!(issued["name"], "deploy");
    assert_eq!(issued["account"], "CI Bot");
    assert_eq!(issued["hint"], format!("sat_…{}", &key[38..]));
    assert_eq!(issued["status"], "expiring-soon");
    assert_eq!(issued["has_expired"], false);
    assert_eq!(issued["seconds_until_expiration"], 7 * 86_400);

    let list = json(&s.db, &["sa", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "CI Bot");

    let shown = json(&s.db, &["sa", "show", "ci bot"]);
    assert_eq!(shown["id"], created["id"]);
    assert_eq!(shown["tokens"].as_array().unwrap().len(), 1);
    assert_eq!(shown["tokens"][0]["name"], "deploy");
    assert!(shown["tokens"][0].get("key").is_none());
}

#[test]
fn given_never_and_extended_options_then_the_token_gets_those_settings() {
    let s = store();
    satui(&s.db).args(["sa", "create", "ci-bot"]).assert().success();
    let never = json(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "forever", "--never"]);
    assert_eq!(never["expires_at"], Value::Null);
    assert_eq!(never["status"], "active");
    let ext = json(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "slide", "--extended"]);
    assert_eq!((ext["extended"].clone(), ext["max_age_days"].clone()), (Value::Bool(true), Value::from(30)));
    assert_eq!(ext["seconds_until_expiration"], 30 * 86_400, "default lifetime is 30 days");
}

#[test]
fn given_bad_inputs_then_each_fails_with_a_short_error_and_changes_nothing() {
    let s = store();
    satui(&s.db).args(["sa", "create", "ci-bot"]).assert().success();
    create_token(&s.db, &["--sa", "ci-bot", "--name", "deploy"]);
    let (accounts, events) = (account_count(&s.db), audit_count(&s.db));
    let tokens = || json(&s.db, &["token", "list", "--sa", "ci-bot"]).as_array().unwrap().len();
    let token_count = tokens();

    let role = fails(&s.db, &["sa", "create", "other", "--role", "Superuser"], 2);
    assert!(role.contains("Superuser"), "{role}");
    let clash = fails(&s.db, &["sa", "create", "CI-BOT"], 1);
    assert!(clash.contains("a service account named 'CI-BOT' already exists in Main Org."), "{clash}");
    assert!(fails(&s.db, &["sa", "create", "extsvc-x"], 1).contains("reserved"));
    assert!(fails(&s.db, &["sa", "create", ""], 1).contains("empty"));
    assert!(fails(&s.db, &["sa", "create", "a\nb"], 1).contains("control"));
    assert!(fails(&s.db, &["sa", "show", "ghost"], 1).contains("ghost"));
    assert!(fails(&s.db, &["sa", "delete", "ghost"], 1).contains("ghost"));
    assert!(fails(&s.db, &["--org", "Nowhere", "sa", "list"], 1).contains("Nowhere"));
    assert!(fails(&s.db, &["token", "create", "--sa", "ghost", "--name", "x"], 1).contains("ghost"));
    let dup = fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "deploy"], 1);
    assert!(dup.contains("'ci-bot' already has a token named 'deploy'"), "{dup}");
    // Names are case-insensitive: DEPLOY is the live deploy token's name too.
    let upper = fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "DEPLOY"], 1);
    assert!(upper.contains("'ci-bot' already has a token named 'DEPLOY'"), "{upper}");
    let bad = fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "bad\u{200b}name"], 1);
    assert!(bad.contains("token name must not contain invisible characters"), "{bad}");
    let negative = fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "neg", "--expires-in-days", "-5"], 1);
    assert!(negative.contains("-5"), "{negative}");
    fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "zero", "--expires-in-days", "0"], 1);
    fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "big", "--expires-in-days", "3651"], 1);
    fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "past", "--expires-at", "2001-01-01"], 1);
    fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "date", "--expires-at", "tomorrow"], 1);
    fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "x", "--never", "--extended"], 1);
    fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "x", "--extended", "--max-age-days", "-1"], 1);
    let usage = fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "x", "--max-age-days", "5"], 2);
    assert!(usage.contains("--extended"), "{usage}");
    fails(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "x", "--never", "--expires-in-days", "5"], 2);
    fails(&s.db, &["token", "revoke", "--sa", "ci-bot", "ghost"], 1);
    fails(&s.db, &["sa", "frobnicate"], 2);

    assert_eq!(account_count(&s.db), accounts, "an account was written");
    assert_eq!(tokens(), token_count, "a token was written");
    assert_eq!(audit_count(&s.db), events, "an audit event was written");
}

#[test]
fn given_sa_update_disable_enable_and_delete_then_the_account_follows_and_the_audit_log_lists_every_change() {
    let s = store();
    satui(&s.db).args(["sa", "create", "ci-bot"]).assert().success();
    let token = create_token(&s.db, &["--sa", "ci-bot", "--name", "deploy"]);
    let updated = json(&s.db, &["sa", "update", "ci-bot", "--name", "release-bot", "--role", "None"]);
    assert_eq!((updated["name"].as_str(), updated["login"].as_str()), (Some("release-bot"), Some("sa-1-ci-bot")));
    assert_eq!(updated["role"], "None");

    assert_eq!(json(&s.db, &["sa", "disable", "release-bot"])["disabled"], true);
    let out = satui(&s.db).args(["token", "verify"]).env("SATUI_TOKEN", &token).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("disabled"));
    assert_eq!(json(&s.db, &["token", "list", "--sa", "release-bot"])[0]["status"], "inactive");
    assert_eq!(json(&s.db, &["sa", "enable", "sa-1-ci-bot"])["disabled"], false);
    satui(&s.db).args(["token", "verify"]).env("SATUI_TOKEN", &token).assert().code(0);

    satui(&s.db).args(["sa", "delete", "release-bot"]).assert().success().stdout(predicate::str::contains("deleted"));
    assert_eq!(account_count(&s.db), 0);
    satui(&s.db).args(["token", "verify"]).env("SATUI_TOKEN", &token).assert().code(1);

    let events = json(&s.db, &["audit"]);
    let actions: Vec<_> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["sa.delete", "sa.enable", "sa.disable", "sa.update", "token.create", "sa.create"]);
    assert!(events[0]["actor"].as_str().is_some_and(|a| !a.is_empty()));
    assert!(events[0]["at"].as_str().is_some_and(|t| t.ends_with('Z')));
}

#[test]
fn given_org_commands_then_orgs_are_created_renamed_capped_and_deleted_but_the_last_one_is_kept() {
    let s = store();
    let created = json(&s.db, &["org", "create", "Staging"]);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["name"], "Staging");
    let clash = fails(&s.db, &["org", "create", "staging"], 1);
    assert!(clash.contains("an organization named 'staging' already exists"), "{clash}");

    assert_eq!(json(&s.db, &["org", "rename", "Staging", "Stage"])["name"], "Stage");
    assert_eq!(json(&s.db, &["org", "set-cap", "Stage", "30"])["max_token_lifetime_days"], 30);
    fails(&s.db, &["org", "set-cap", "Stage", "0"], 1);
    fails(&s.db, &["org", "set-cap", "Stage", "lots"], 1);

    // The cap governs tokens of that org's accounts.
    satui(&s.db).args(["--org", "Stage", "sa", "create", "stage-bot"]).assert().success();
    let too_long = ["--org", "Stage", "token", "create", "--sa", "stage-bot", "--name", "t", "--expires-in-days", "31"];
    assert!(fails(&s.db, &too_long, 1).contains("cap"));
    fails(&s.db, &["--org", "Stage", "token", "create", "--sa", "stage-bot", "--name", "t", "--never"], 1);
    create_token(&s.db, &["--org", &id.to_string(), "--sa", "stage-bot", "--name", "t", "--expires-in-days", "30"]);
    let listed = json(&s.db, &["org", "list"]);
    let stage = listed.as_array().unwrap().iter().find(|o| o["id"] == id).unwrap().clone();
    assert_eq!((stage["accounts"].as_i64(), stage["tokens"].as_i64()), (Some(1), Some(1)));
    assert_eq!(json(&s.db, &["org", "set-cap", "Stage", "none"])["max_token_lifetime_days"], Value::Null);

    assert!(fails(&s.db, &["org", "delete", "Stage", "--confirm", "stage"], 1).contains("Stage"));
    fails(&s.db, &["org", "delete", "Stage"], 2);
    satui(&s.db).args(["org", "delete", "Stage", "--confirm", "Stage"]).assert().success();
    assert_eq!(json(&s.db, &["org", "list"]).as_array().unwrap().len(), 1);

    let last = fails(&s.db, &["org", "delete", "Main Org.", "--confirm", "Main Org."], 1);
    assert!(last.contains("last organization"), "{last}");
    assert_eq!(json(&s.db, &["org", "list"])[0]["name"], "Main Org.");

    let org_events = json(&s.db, &["audit", "--filter", "org."]);
    let actions: Vec<_> = org_events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["org.delete", "org.update", "org.update", "org.rename", "org.create"]);
}

#[test]
fn given_a_path_that_is_not_a_satui_store_then_every_command_exits_1_naming_the_path_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.txt");
    std::fs::write(&db, b"just some notes, definitely not SQLite\n").unwrap();
    let stderr = fails(&db, &["sa", "list"], 1);
    assert!(stderr.contains(&db.display().to_string()), "{stderr}");
    assert_eq!(std::fs::read(&db).unwrap(), b"just some notes, definitely not SQLite\n");
}

#[test]
fn given_the_satui_db_variable_then_it_selects_the_store_when_db_is_not_given() {
    let s = store();
    let mut cmd = assert_cmd::Command::cargo_bin("satui").unwrap();
    cmd.env("SATUI_DB", &s.db).env_remove("SATUI_TOKEN").args(["sa", "create", "env-bot"]).assert().success();
    assert_eq!(json(&s.db, &["sa", "list"])[0]["name"], "env-bot");
}

#[test]
fn given_a_disabled_account_when_a_token_is_created_with_json_then_its_status_says_inactive() {
    let s = store();
    satui(&s.db).args(["sa", "create", "ci-bot"]).assert().success();
    satui(&s.db).args(["sa", "disable", "ci-bot"]).assert().success();
    let issued = json(&s.db, &["token", "create", "--sa", "ci-bot", "--name", "deploy"]);
    assert_eq!(issued["status"], "inactive");
    assert_eq!(json(&s.db, &["token", "list", "--sa", "ci-bot"])[0]["status"], "inactive");
    let rotated = json(&s.db, &["token", "rotate", "--sa", "ci-bot", "deploy"]);
    assert_eq!(rotated["status"], "inactive");
}
