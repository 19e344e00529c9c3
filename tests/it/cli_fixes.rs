//! Command-line details from the UI/CLI issue: `sa show` names groups and direct roles, `audit`
//! names each event's org, `seed --org` and `demo --db` are honoured (never silently ignored), and
//! a `--limit` past its maximum is a usage error instead of a silent cap.

use std::ffi::OsStr;

use super::common::{cli_fails, cli_json, cli_ok};
use super::pty::Session;

#[test]
fn sa_show_prints_the_accounts_groups_and_direct_roles() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("show.db");
    cli_ok(&db, &["sa", "create", "ci-deployer", "--role", "Editor"]);
    cli_ok(&db, &["sa", "create", "loner"]);
    cli_ok(&db, &["group", "create", "deployers"]);
    cli_ok(&db, &["group", "create", "ci"]);
    cli_ok(&db, &["group", "add-member", "deployers", "--sa", "ci-deployer"]);
    cli_ok(&db, &["group", "add-member", "ci", "--sa", "ci-deployer"]);
    cli_ok(&db, &["role", "create", "publisher", "--permission", "dashboards:create=folders:*"]);
    cli_ok(&db, &["role", "assign", "publisher", "--sa", "ci-deployer"]);
    cli_ok(&db, &["role", "assign", "fixed:folders:reader", "--sa", "ci-deployer"]);

    let text = cli_ok(&db, &["sa", "show", "ci-deployer"]);
    let line =
        |label: &str| text.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no {label}: {text}"));
    assert_eq!(line("groups "), "groups       ci, deployers");
    let mut roles: Vec<&str> = line("roles ").trim_start_matches("roles").trim().split(", ").collect();
    roles.sort_unstable();
    assert_eq!(roles, ["fixed:folders:reader", "publisher"]);

    let json = cli_json(&db, &["sa", "show", "ci-deployer"]);
    assert_eq!(json["groups"], serde_json::json!(["ci", "deployers"]));
    let mut roles: Vec<&str> = json["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    roles.sort_unstable();
    assert_eq!(roles, ["fixed:folders:reader", "publisher"]);
    assert!(json["tokens"].is_array(), "tokens stay: {json}");

    // None: a dash in text, empty lists in JSON.
    let text = cli_ok(&db, &["sa", "show", "loner"]);
    assert!(text.lines().any(|l| l == "groups       -") && text.lines().any(|l| l == "roles        -"), "{text}");
    let json = cli_json(&db, &["sa", "show", "loner"]);
    assert_eq!((json["groups"].clone(), json["roles"].clone()), (serde_json::json!([]), serde_json::json!([])));
}

#[test]
fn audit_names_each_events_org() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("audit.db");
    cli_ok(&db, &["org", "create", "Staging"]);
    cli_ok(&db, &["--org", "Staging", "sa", "create", "stage-bot"]);
    cli_ok(&db, &["sa", "create", "main-bot"]);
    cli_ok(&db, &["org", "create", "Gone"]);
    cli_ok(&db, &["org", "delete", "Gone", "--confirm", "Gone"]);

    let table = cli_ok(&db, &["audit"]);
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("TIME") && header.contains("  ORG  ") && header.contains("ACTOR"), "{header}");
    let row = |target: &str| table.lines().find(|l| l.contains(target)).unwrap_or_else(|| panic!("{target}: {table}"));
    assert!(row("sa stage-bot").contains("  Staging  "), "{table}");
    assert!(row("sa main-bot").contains("  Main Org.  "), "{table}");

    let events = cli_json(&db, &["audit"]);
    let events = events.as_array().unwrap();
    let org_of = |target: &str| {
        let event = events.iter().find(|e| e["target"].as_str().unwrap().starts_with(target)).unwrap();
        event["org"].as_str().unwrap().to_string()
    };
    assert_eq!(org_of("sa stage-bot"), "Staging");
    assert_eq!(org_of("sa main-bot"), "Main Org.");
    // Audit rows outlive a deleted org; the org is named by id then.
    assert!(org_of("org Gone").contains("(deleted)"), "{}", org_of("org Gone"));
    assert!(events.iter().all(|e| e["org"].is_string()), "every event has an org field");
}

#[test]
fn audit_events_without_an_org_have_an_empty_org() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seeded.db");
    cli_ok(&db, &["seed", "--accounts", "2", "--tokens-per-account", "0"]);
    let events = cli_json(&db, &["audit", "--filter", "seed"]);
    assert_eq!(events[0]["action"], "seed");
    assert_eq!(events[0]["org"], "");
    assert!(events[0]["org_id"].is_null());
}

#[test]
fn seed_fills_the_org_named_by_org() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seed-org.db");
    cli_ok(&db, &["org", "create", "Staging"]);
    cli_ok(&db, &["--org", "Staging", "seed", "--accounts", "5", "--tokens-per-account", "1"]);
    let staging = cli_json(&db, &["--org", "Staging", "sa", "list"]);
    assert_eq!(staging.as_array().unwrap().len(), 5);
    assert!(staging.as_array().unwrap().iter().all(|a| a["login"].as_str().unwrap().starts_with("sa-2-")));
    let main = cli_json(&db, &["sa", "list"]);
    assert_eq!(main.as_array().unwrap().len(), 0, "Main Org. got accounts: {main}");
}

#[test]
fn seed_into_an_org_that_does_not_exist_fails_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seed-none.db");
    let err = cli_fails(&db, &["--org", "Nope", "seed", "--accounts", "5"], 1);
    assert!(err.contains("Nope"), "{err}");
    assert_eq!(cli_json(&db, &["sa", "list"]).as_array().unwrap().len(), 0);
    assert_eq!(cli_json(&db, &["audit"]).as_array().unwrap().len(), 0, "no seed event");
}

#[test]
fn a_limit_past_the_maximum_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limits.db");
    cli_ok(&db, &["sa", "create", "bot"]);
    for (args, max) in [
        (&["sa", "list", "--limit", "1000000"][..], "10000"),
        (&["audit", "--limit", "1000000"], "100000"),
        (&["token", "list", "--all", "--limit", "1000000"], "100000"),
    ] {
        let err = cli_fails(&db, args, 2);
        assert!(err.contains(&format!("1..={max}")), "{args:?}: {err}");
    }
    // At the maximum it is fine.
    assert_eq!(cli_json(&db, &["sa", "list", "--limit", "10000"]).as_array().unwrap().len(), 1);
    assert!(cli_json(&db, &["audit", "--limit", "100000"]).as_array().is_some());
}

#[test]
fn demo_with_db_refuses_a_file_that_exists() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("real.db");
    cli_ok(&db, &["sa", "create", "precious"]);
    let before = std::fs::read(&db).unwrap();
    let err = cli_fails(&db, &["demo"], 1);
    assert!(err.contains("real.db: already exists; `satui demo --db FILE` builds a new demo store"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the store was changed");
    assert_eq!(cli_json(&db, &["sa", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn demo_with_db_builds_the_demo_store_there_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut session = Session::start_args(&[OsStr::new("demo"), OsStr::new("--db"), db.as_os_str()], dir.path(), &[]);
    session.wait_for("DEMO");
    session.send("q");
    assert!(session.wait_exit(), "satui demo --db did not quit cleanly");
    let accounts = cli_json(&db, &["sa", "list"]);
    let names: Vec<&str> = accounts.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"ci-deployer") && names.contains(&"extsvc-grafana-oncall-app"), "{names:?}");
}

#[test]
fn demo_never_fills_the_store_named_by_satui_db() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.db");
    let mut session = Session::start_args(&[OsStr::new("demo")], dir.path(), &[("SATUI_DB", real.to_str().unwrap())]);
    session.wait_for("DEMO");
    session.send("q");
    assert!(session.wait_exit(), "satui demo did not quit cleanly");
    assert!(!real.exists(), "the demo wrote to $SATUI_DB");
}
