//! `--json` on the commands that change something (issue 23, part): exactly one JSON document on
//! stdout, describing what is now so (or `{"deleted": …}`), and text without it.

use serde_json::Value;

use crate::common::{cli_json, cli_ok};

#[test]
fn every_change_command_prints_one_json_document_with_json_and_text_without() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("json.db");
    cli_ok(&db, &["sa", "create", "ci-bot"]);
    cli_ok(&db, &["token", "create", "--sa", "ci-bot", "--name", "deploy", "--never"]);
    // A command, and what its answer must say.
    type Step = (&'static [&'static str], fn(&Value) -> bool);
    let steps: &[Step] = &[
        (&["role", "create", "deployers", "--permission", "dashboards:read", "--permission", "dashboards:read"], |v| {
            v["role"]["name"] == "deployers" && v["permissions"].as_array().is_some_and(|p| p.len() == 1)
        }),
        (&["role", "grant", "deployers", "folders:read=folders:*"], |v| {
            v["changed"] == true && v["permissions"].as_array().is_some_and(|p| p.len() == 2)
        }),
        (&["role", "ungrant", "deployers", "folders:read=folders:*"], |v| v["changed"] == true),
        (&["role", "assign", "deployers", "--sa", "ci-bot"], |v| {
            v["account"]["name"] == "ci-bot"
                && v["roles"].as_array().is_some_and(|r| r.iter().any(|n| n == "deployers"))
        }),
        (&["role", "unassign", "deployers", "--sa", "ci-bot"], |v| v["changed"] == true),
        (&["group", "create", "ops"], |v| v["name"] == "ops"),
        (&["group", "rename", "ops", "platform"], |v| v["name"] == "platform"),
        (&["group", "add-member", "platform", "--sa", "ci-bot"], |v| {
            v["changed"] == true && v["group"]["members"].as_array().is_some_and(|m| m.len() == 1)
        }),
        (&["group", "add-role", "platform", "deployers"], |v| {
            v["changed"] == true && v["group"]["roles"][0] == "deployers"
        }),
        (&["group", "remove-role", "platform", "deployers"], |v| v["changed"] == true),
        (&["group", "remove-member", "platform", "--sa", "ci-bot"], |v| v["changed"] == true),
        (&["group", "delete", "platform"], |v| v["deleted"]["group"]["name"] == "platform"),
        (&["role", "delete", "deployers"], |v| v["deleted"]["role"]["name"] == "deployers"),
        (&["token", "delete", "--sa", "ci-bot", "deploy"], |v| v["deleted"]["token"]["name"] == "deploy"),
        (&["sa", "delete", "ci-bot"], |v| v["deleted"]["account"]["name"] == "ci-bot"),
    ];
    for (args, holds) in steps {
        let answer = cli_json(&db, args);
        assert!(holds(&answer), "{args:?}: {answer}");
    }
    // Without --json the same kind of command prints text, not JSON.
    let text = cli_ok(&db, &["group", "create", "ops"]);
    assert!(serde_json::from_str::<Value>(&text).is_err() && text.contains("created group ops"), "{text}");
}

/// A CLI error names the flag to give, not a form field to choose.
#[test]
fn a_lifetime_error_names_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("flags.db");
    cli_ok(&db, &["org", "set-cap", "1", "30"]);
    cli_ok(&db, &["sa", "create", "bot"]);
    for args in [&["--never"][..], &["--expires-in-days", "90"][..]] {
        let mut all = vec!["token", "create", "--sa", "bot", "--name", "t"];
        all.extend_from_slice(args);
        let error = crate::common::cli_fails(&db, &all, 1);
        assert!(error.contains("give --expires-in-days DAYS or --expires-at DATE"), "{args:?}: {error}");
    }
}

/// Every leaf command of the clap tree, run with `--json` on one store in this order, prints
/// exactly one JSON document on stdout. A command added without an entry here fails the test.
#[test]
fn every_command_of_the_clap_tree_speaks_json() {
    use clap::CommandFactory;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tree.db");
    let plugin = crate::common::oncall_plugin();
    let plugin = plugin.to_str().unwrap();
    let export = dir.path().join("export.json");
    // Commands that open the UI, serve forever or print generated text are not in the walk;
    // seed, import and scan run on stores of their own, after it.
    let outside = ["demo", "serve", "completions", "man", "help"];
    let own_store = ["seed", "import", "scan"];
    let steps: &[&[&str]] = &[
        &["org", "create", "Staging"],
        &["org", "list"],
        &["org", "rename", "Staging", "Stage"],
        &["org", "set-cap", "Stage", "90"],
        &["sa", "create", "ci-bot", "--role", "Editor"],
        &["sa", "list"],
        &["sa", "show", "ci-bot"],
        &["sa", "update", "ci-bot", "--description", "builds"],
        &["sa", "disable", "ci-bot"],
        &["sa", "enable", "ci-bot"],
        &["sa", "permissions", "ci-bot"],
        &["token", "create", "--sa", "ci-bot", "--name", "deploy"],
        &["token", "list", "--sa", "ci-bot"],
        &["token", "rotate", "--sa", "ci-bot", "deploy"],
        &["token", "revoke", "--sa", "ci-bot", "deploy"],
        &["token", "purge", "--before", "2026-01-01", "--dry-run"],
        &["token", "create", "--sa", "ci-bot", "--name", "gone"],
        &["token", "delete", "--sa", "ci-bot", "gone"],
        &["role", "list"],
        &["role", "actions"],
        &["role", "create", "readers", "--permission", "dashboards:read"],
        &["role", "show", "readers"],
        &["role", "grant", "readers", "folders:read=folders:*"],
        &["role", "ungrant", "readers", "folders:read=folders:*"],
        &["role", "assign", "readers", "--sa", "ci-bot"],
        &["role", "unassign", "readers", "--sa", "ci-bot"],
        &["role", "rename", "readers", "viewers"],
        &["role", "update", "viewers", "--description", "read only"],
        &["role", "delete", "viewers"],
        &["group", "create", "ops"],
        &["group", "list"],
        &["group", "rename", "ops", "platform"],
        &["group", "add-member", "platform", "--sa", "ci-bot"],
        &["group", "remove-member", "platform", "--sa", "ci-bot"],
        &["group", "add-role", "platform", "fixed:dashboards:reader"],
        &["group", "remove-role", "platform", "fixed:dashboards:reader"],
        &["group", "delete", "platform"],
        &["plugin", "register", plugin],
        &["plugin", "list"],
        &["plugin", "unregister", "grafana-oncall-app"],
        &["audit"],
        &["export"],
        &["sa", "delete", "ci-bot"],
        &["org", "delete", "Stage", "--confirm", "Stage"],
    ];
    // The walk: every leaf of the tree is either outside or has a step.
    let mut leaves = Vec::new();
    for top in satui::cli::Cli::command().get_subcommands() {
        let subs: Vec<_> = top.get_subcommands().filter(|s| s.get_name() != "help").collect();
        if subs.is_empty() {
            leaves.push(vec![top.get_name().to_string()]);
        }
        for sub in subs {
            leaves.push(vec![top.get_name().to_string(), sub.get_name().to_string()]);
        }
    }
    for leaf in &leaves {
        let covered = outside.contains(&leaf[0].as_str())
            || own_store.contains(&leaf[0].as_str())
            || leaf == &["token".to_string(), "verify".to_string()] // reads a token: tests above
            || steps.iter().any(|s| s.len() >= leaf.len() && s[..leaf.len()] == leaf.iter().map(String::as_str).collect::<Vec<_>>()[..]);
        assert!(covered, "`satui {}` has no --json step here", leaf.join(" "));
    }
    for args in steps {
        let out = crate::common::satui(&db).arg("--json").args(*args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let parsed: Result<Value, _> = serde_json::from_str(&text);
        assert!(parsed.is_ok(), "{args:?} printed no single JSON document: {text:?}");
        if args == &["export"] {
            std::fs::write(&export, &text).unwrap();
        }
    }
    let fresh = |name: &str| dir.path().join(name);
    let export = export.to_str().unwrap();
    let scanned = dir.path().join("notes.txt");
    std::fs::write(&scanned, "nothing secret").unwrap();
    for (store, args) in [
        (fresh("seeded.db"), vec!["seed", "--accounts", "3", "--tokens-per-account", "1"]),
        (fresh("imported.db"), vec!["import", export]),
        (fresh("scanned.db"), vec!["scan", scanned.to_str().unwrap()]),
    ] {
        let out = crate::common::satui(&store).arg("--json").args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(serde_json::from_str::<Value>(&text).is_ok(), "{args:?} printed no single JSON document: {text:?}");
    }
}
