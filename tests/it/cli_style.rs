//! One argument rule for every command (docs/guide/cli.md, "Arguments"): the object a command is
//! about is positional and named for its group's noun (`sa show ACCOUNT`, `token revoke TOKEN`,
//! `group add-role GROUP`); every other object is a flag named for its kind (`--sa`, `--role`,
//! `--permission`, `--org`). Old positional forms work for one release with a deprecation line.

use clap::CommandFactory;

use crate::common::{cli_json, cli_ok, satui};

/// Positionals that are values, not objects in the store.
const VALUES: &[&str] = &["NEW_NAME", "DAYS", "PATH", "FILE", "NAME", "DESCRIPTION"];

#[test]
fn every_positional_is_the_commands_own_object_or_a_value() {
    let noun = |group: &str| match group {
        "sa" => Some("ACCOUNT"),
        "token" => Some("TOKEN"),
        "role" => Some("ROLE"),
        "group" => Some("GROUP"),
        "org" => Some("ORG"),
        "plugin" => Some("PLUGIN"),
        _ => None,
    };
    let mut seen = Vec::new();
    for group in satui::cli::Cli::command().get_subcommands() {
        let Some(own) = noun(group.get_name()) else { continue };
        for sub in group.get_subcommands() {
            for arg in sub.get_positionals().filter(|a| !a.is_hide_set()) {
                let name = arg
                    .get_value_names()
                    .and_then(|names| names.first().map(|n| n.to_string()))
                    .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
                seen.push(format!("{} {} {name}", group.get_name(), sub.get_name()));
                assert!(
                    name == own || VALUES.contains(&name.as_str()),
                    "`{} {}` takes {name} as a positional: only its own {own} (or a value) may be",
                    group.get_name(),
                    sub.get_name()
                );
            }
            // The account a token/role/group command acts on is always --sa.
            for arg in sub.get_arguments().filter(|a| !a.is_positional() && !a.is_hide_set()) {
                if arg.get_value_names().is_some_and(|n| n.first().is_some_and(|n| n == "ACCOUNT")) {
                    assert_eq!(arg.get_long(), Some("sa"), "{} {}", group.get_name(), sub.get_name());
                }
            }
        }
    }
    assert!(seen.len() > 15, "the walk saw the commands: {seen:?}");
}

#[test]
fn the_old_positional_forms_still_work_and_say_they_are_deprecated() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("style.db");
    cli_ok(&db, &["role", "create", "deployers"]);
    cli_ok(&db, &["group", "create", "ops"]);
    for (old, new) in [
        (&["role", "grant", "deployers", "dashboards:read"][..], "role grant … --permission dashboards:read"),
        (&["group", "add-role", "ops", "deployers"][..], "group add-role … --role deployers"),
        (&["group", "remove-role", "ops", "deployers"][..], "group remove-role … --role deployers"),
        (&["role", "ungrant", "deployers", "dashboards:read"][..], "role ungrant … --permission dashboards:read"),
    ] {
        let out = satui(&db).args(old).output().unwrap();
        assert!(out.status.success(), "{old:?}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("deprecated") && stderr.contains(new), "{old:?}: {stderr}");
        // With --json, stdout is still exactly one document.
        let out = satui(&db).arg("--json").args(old).output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("one JSON document");
    }
    // The old and the new form together, or neither: a usage error that changes nothing.
    let both = satui(&db).args(["group", "add-role", "ops", "deployers", "--role", "deployers"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2));
    let neither = satui(&db).args(["group", "add-role", "ops"]).output().unwrap();
    assert_eq!(neither.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&neither.stderr).contains("--role"), "names the flag");
    assert_eq!(cli_json(&db, &["group", "list"])[0]["roles"], serde_json::json!([]));
}

/// With `$SATUI_DB` set, a usage error does not print `--db <PATH>` as if it were required.
#[test]
fn usage_errors_under_satui_db_do_not_ask_for_db() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let out =
        assert_cmd::Command::cargo_bin("satui").unwrap().env("SATUI_DB", &db).args(["sa", "show"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Usage: satui sa show <ACCOUNT>"), "{stderr}");
    assert!(!stderr.contains("--db"), "{stderr}");
    // And $SATUI_DB still names the store.
    let out = assert_cmd::Command::cargo_bin("satui")
        .unwrap()
        .env("SATUI_DB", &db)
        .env_remove("SATUI_TOKEN")
        .args(["sa", "create", "env-bot"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(db.exists());
}
