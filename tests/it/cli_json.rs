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
        (&["role", "grant", "deployers", "--permission", "folders:read=folders:*"], |v| {
            v["changed"] == true && v["permissions"].as_array().is_some_and(|p| p.len() == 2)
        }),
        (&["role", "ungrant", "deployers", "--permission", "folders:read=folders:*"], |v| v["changed"] == true),
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
        (&["group", "add-role", "platform", "--role", "deployers"], |v| {
            v["changed"] == true && v["group"]["roles"][0] == "deployers"
        }),
        (&["group", "remove-role", "platform", "--role", "deployers"], |v| v["changed"] == true),
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
        &["role", "grant", "readers", "--permission", "folders:read=folders:*"],
        &["role", "ungrant", "readers", "--permission", "folders:read=folders:*"],
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
        &["group", "add-role", "platform", "--role", "fixed:dashboards:reader"],
        &["group", "remove-role", "platform", "--role", "fixed:dashboards:reader"],
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
    // Each leaf's first answer, for the generated page of JSON shapes.
    let mut shapes: Vec<(String, Value)> = Vec::new();
    // (A title's value becomes [walk answer, demo answer] below; both are merged into one shape.)
    let mut record = |args: &[&str], value: Value| {
        let leaf: Vec<&str> = args.iter().take_while(|a| !a.starts_with('-')).take(2).copied().collect();
        let title = leaf.iter().take(if leaf[0] == "audit" || leaf[0] == "export" { 1 } else { 2 }).copied();
        let title = title.collect::<Vec<_>>().join(" ");
        if !shapes.iter().any(|(t, _)| *t == title) {
            shapes.push((title, value));
        }
    };
    let mut secret = String::new();
    for args in steps {
        let out = crate::common::satui(&db).arg("--json").args(*args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let parsed: Result<Value, _> = serde_json::from_str(&text);
        assert!(parsed.is_ok(), "{args:?} printed no single JSON document: {text:?}");
        if args == &["export"] {
            std::fs::write(&export, &text).unwrap();
        }
        let parsed = parsed.unwrap();
        if args.starts_with(&["token", "create"]) && secret.is_empty() {
            secret = parsed["key"].as_str().unwrap().to_string();
            // token verify reads the token from $SATUI_TOKEN: its answer with --json.
            let out = crate::common::satui(&db)
                .args(["--json", "token", "verify", "--action", "dashboards:read", "--scope", "dashboards:*"])
                .env("SATUI_TOKEN", &secret)
                .output()
                .unwrap();
            let verified: Value = serde_json::from_slice(&out.stdout).expect("token verify --json");
            record(&["token", "verify"], verified);
        }
        record(args, parsed);
    }
    let fresh = |name: &str| dir.path().join(name);
    let export = export.to_str().unwrap();
    let scanned = dir.path().join("notes.txt");
    // A leaked token the store knows, and one it no longer does (the walk's first: its account
    // was deleted).
    cli_ok(&db, &["sa", "create", "leaker"]);
    let leaked = cli_json(&db, &["token", "create", "--sa", "leaker", "--name", "leak"]);
    let leaked = leaked["key"].as_str().unwrap();
    std::fs::write(&scanned, format!("TOKEN={leaked}\nOLD={secret}\n")).unwrap();
    for (store, args) in [
        (fresh("seeded.db"), vec!["seed", "--accounts", "3", "--tokens-per-account", "1"]),
        (fresh("imported.db"), vec!["import", export]),
        (db.clone(), vec!["scan", scanned.to_str().unwrap()]),
    ] {
        let out = crate::common::satui(&store).arg("--json").args(&args).output().unwrap();
        // scan exits 4 when it finds a live token (a CI gate), and still prints its report.
        let expected = if args[0] == "scan" { Some(4) } else { Some(0) };
        assert_eq!(out.status.code(), expected, "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        let parsed = serde_json::from_str::<Value>(&text);
        assert!(parsed.is_ok(), "{args:?} printed no single JSON document: {text:?}");
        record(&args[..1], parsed.unwrap());
    }
    // The reading commands once more on the demo store, whose data fills what the walk's small
    // store leaves empty or null (a managed account, groups, extended and revoked tokens).
    let demo = dir.path().join("demo.db");
    satui::demo::build_store(&demo, satui::clock::Clock::now(&satui::clock::SystemClock)).unwrap();
    for args in [
        &["org", "list"][..],
        &["sa", "list"],
        &["sa", "show", "ci-deployer"],
        &["sa", "permissions", "ci-deployer"],
        &["token", "list", "--all"],
        &["role", "list"],
        &["role", "show", "dashboard-publisher"],
        &["group", "list"],
        &["plugin", "list"],
        &["audit"],
        &["export"],
    ] {
        let value = cli_json(&demo, args);
        let leaf: Vec<&str> = args.iter().take_while(|a| !a.starts_with('-')).take(2).copied().collect();
        let title = if leaf[0] == "audit" || leaf[0] == "export" { leaf[0].to_string() } else { leaf[..2].join(" ") };
        let entry = shapes.iter_mut().find(|(t, _)| *t == title).expect("the walk ran it");
        entry.1 = Value::Array(vec![entry.1.take(), value]);
    }
    check_json_page(&shapes);
}

/// docs/guide/json.md: each command's `--json` answer as a shape, generated from the answers
/// above (so the page cannot drift from the program). `SATUI_UPDATE_DOCS=1` rewrites it.
fn check_json_page(shapes: &[(String, Value)]) {
    let mut page = String::from(
        "# `--json`: what each command prints\n\n\
         <!-- Generated by tests/it/cli_json.rs from the real answers of every command; do not edit.\n     \
         Regenerate: SATUI_UPDATE_DOCS=1 cargo test --test it every_command_of_the_clap_tree -->\n\n\
         With `--json` every command prints exactly one JSON document on stdout and nothing else there;\n\
         messages and warnings go to stderr. A change prints the object as it now is, a delete\n\
         `{\"deleted\": …}`. Times are RFC 3339 strings in UTC unless the key says seconds;\n\
         `T | null` means the key is always there and may be null; `key?` that it may be absent.\n\
         Without `--json` the same commands print text for people, which may change between releases;\n\
         these shapes only grow (a new key is not a breaking change).\n",
    );
    let mut sorted: Vec<(String, Shape)> = shapes
        .iter()
        .map(|(title, value)| {
            let shape = match value {
                // A walk answer and a demo answer of the same command.
                Value::Array(pair) if pair.len() == 2 && DEMO_TITLES.contains(&title.as_str()) => {
                    Shape::of(&pair[0]).merge(Shape::of(&pair[1]))
                }
                value => Shape::of(value),
            };
            (title.clone(), shape)
        })
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    // What a key holds when it is not null or empty, from every answer: a key seen only as null
    // (or an empty list) in one answer reads its type from the others.
    let mut known = std::collections::BTreeMap::new();
    for (_, shape) in &sorted {
        learn(shape, &mut known);
    }
    for (title, shape) in &sorted {
        let shape = fill(shape.clone(), &known);
        page.push_str(&format!("\n## `satui {title} --json`\n\n```\n{}\n```\n", render(&shape, 0)));
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide/json.md");
    if std::env::var_os("SATUI_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &page).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == page,
        "docs/guide/json.md is out of date: run SATUI_UPDATE_DOCS=1 cargo test --test it every_command_of_the_clap_tree"
    );
}

/// The commands run a second time on the demo store.
const DEMO_TITLES: &[&str] = &[
    "org list",
    "sa list",
    "sa show",
    "sa permissions",
    "token list",
    "role list",
    "role show",
    "group list",
    "plugin list",
    "audit",
    "export",
];

/// Records what each object key holds when it holds something (not null, not an empty list).
fn learn(shape: &Shape, known: &mut std::collections::BTreeMap<String, Vec<Shape>>) {
    match shape {
        Shape::Array(Some(item)) => learn(item, known),
        Shape::Union(kinds) => kinds.iter().for_each(|k| learn(k, known)),
        Shape::Object(map) => {
            for (key, (value, _)) in map {
                learn(value, known);
                let solid = match value {
                    Shape::Null | Shape::Array(None) => None,
                    Shape::Union(kinds) => kinds.iter().find(|k| **k != Shape::Null).cloned(),
                    other => Some(other.clone()),
                };
                if let Some(solid) = solid.filter(|s| !matches!(s, Shape::Object(_))) {
                    known.entry(key.clone()).or_default().push(solid);
                }
            }
        }
        _ => {}
    }
}

/// Gives a key seen only as null (or an empty list) the type it has elsewhere.
fn fill(shape: Shape, known: &std::collections::BTreeMap<String, Vec<Shape>>) -> Shape {
    match shape {
        Shape::Array(Some(item)) => Shape::Array(Some(Box::new(fill(*item, known)))),
        Shape::Object(map) => Shape::Object(
            map.into_iter()
                .map(|(key, (value, always))| {
                    // What the key holds most often elsewhere (times are strings everywhere
                    // but in the export, which keeps Unix seconds).
                    let usual = known.get(&key).and_then(|seen| {
                        seen.iter().max_by_key(|shape| seen.iter().filter(|other| other == shape).count())
                    });
                    let value = match (value, usual) {
                        (Shape::Null, Some(solid)) => Shape::Union(vec![solid.clone(), Shape::Null]),
                        (Shape::Array(None), Some(solid @ Shape::Array(Some(_)))) => solid.clone(),
                        (value, _) => fill(value, known),
                    };
                    (key, (value, always))
                })
                .collect(),
        ),
        other => other,
    }
}

/// The type of a JSON answer: several values of an array merge into one shape.
#[derive(Clone, PartialEq)]
enum Shape {
    Null,
    Bool,
    Number,
    String,
    Array(Option<Box<Shape>>),
    /// Keys with their shape and whether every value had them.
    Object(std::collections::BTreeMap<String, (Shape, bool)>),
    Union(Vec<Shape>),
}

impl Shape {
    fn of(value: &Value) -> Shape {
        match value {
            Value::Null => Shape::Null,
            Value::Bool(_) => Shape::Bool,
            Value::Number(_) => Shape::Number,
            Value::String(_) => Shape::String,
            Value::Array(items) => Shape::Array(items.iter().map(Shape::of).reduce(Shape::merge).map(Box::new)),
            Value::Object(map) => Shape::Object(map.iter().map(|(k, v)| (k.clone(), (Shape::of(v), true))).collect()),
        }
    }

    fn merge(self, other: Shape) -> Shape {
        match (self, other) {
            (a, b) if a == b => a,
            (Shape::Array(a), Shape::Array(b)) => Shape::Array(match (a, b) {
                (Some(a), Some(b)) => Some(Box::new(a.merge(*b))),
                (a, b) => a.or(b),
            }),
            (Shape::Object(mut a), Shape::Object(b)) => {
                for (key, entry) in a.iter_mut() {
                    if !b.contains_key(key) {
                        entry.1 = false;
                    }
                }
                for (key, (shape, always)) in b {
                    match a.remove(&key) {
                        Some((mine, mine_always)) => {
                            a.insert(key, (mine.merge(shape), mine_always && always));
                        }
                        None => {
                            a.insert(key, (shape, false));
                        }
                    }
                }
                Shape::Object(a)
            }
            (Shape::Union(mut kinds), other) => {
                match kinds.iter().position(|k| std::mem::discriminant(k) == std::mem::discriminant(&other)) {
                    Some(i) => {
                        let mine = kinds.remove(i);
                        kinds.insert(i, mine.merge(other));
                    }
                    None => kinds.push(other),
                }
                Shape::Union(kinds)
            }
            (a, Shape::Union(kinds)) => Shape::Union(vec![a]).merge_all(kinds),
            (a, b) => Shape::Union(vec![a, b]),
        }
    }

    fn merge_all(self, others: Vec<Shape>) -> Shape {
        others.into_iter().fold(self, Shape::merge)
    }
}

fn render(shape: &Shape, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    match shape {
        Shape::Null => "null".to_string(),
        Shape::Bool => "boolean".to_string(),
        Shape::Number => "number".to_string(),
        Shape::String => "string".to_string(),
        Shape::Array(None) => "[]".to_string(),
        Shape::Array(Some(item)) => format!("[{}]", render(item, indent)),
        Shape::Object(map) if map.is_empty() => "{}".to_string(),
        Shape::Object(map) => {
            let mut out = String::from("{\n");
            for (key, (shape, always)) in map {
                let mark = if *always { "" } else { "?" };
                out.push_str(&format!("{pad}{key}{mark}: {},\n", render(shape, indent + 1)));
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
            out
        }
        Shape::Union(kinds) => {
            // Null last: "string | null".
            let mut parts: Vec<String> =
                kinds.iter().filter(|k| **k != Shape::Null).map(|k| render(k, indent)).collect();
            if kinds.contains(&Shape::Null) {
                parts.push("null".to_string());
            }
            parts.join(" | ")
        }
    }
}
