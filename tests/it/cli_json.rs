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
