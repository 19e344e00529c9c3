//! `satui scan --sarif`: the log validates against the official SARIF 2.1.0 schema
//! (tests/fixtures/sarif-schema-2.1.0.json, from the OASIS sarif-spec repository), carries what
//! GitHub code scanning reads, and a broken log does not pass the same check.

use serde_json::Value;

use crate::scan::Tree;

/// What a test does to a valid log, named.
type Breakage = (&'static str, fn(&mut Value));

fn schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator.iter_errors(log).map(|e| format!("{e} at {}", e.instance_path())).collect()
}

fn sarif(tree: &Tree, args: &[&str]) -> (Option<i32>, Value) {
    let out = tree.scan(&[&["--sarif"][..], args].concat());
    (out.status.code(), serde_json::from_slice(&out.stdout).expect("SARIF is JSON"))
}

#[test]
fn the_log_is_valid_sarif_2_1_0_with_both_rules_and_a_result_per_find() {
    let tree = Tree::new();
    let (code, log) = sarif(&tree, &["--hidden"]);
    assert_eq!(code, Some(4));
    let validator = schema();
    assert_eq!(errors(&validator, &log), Vec::<String>::new());
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "satui");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    // Cargo.toml names no homepage or repository, so no made-up link either.
    assert_eq!(driver.get("informationUri").is_some(), !env!("CARGO_PKG_REPOSITORY").is_empty());
    let rules: Vec<(&str, &str)> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["defaultConfiguration"]["level"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, [("satui/live-token", "error"), ("satui/token", "warning")]);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    let live: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "satui/live-token").collect();
    assert_eq!(live.len(), 3, "the live token at .env, crlf.txt and min.json");
    assert!(live.iter().all(|r| r["level"] == "error" && r["ruleIndex"] == 0));
    let first = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(first["artifactLocation"]["uri"], ".env");
    assert_eq!(first["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!((first["region"]["startLine"].as_u64(), first["region"]["startColumn"].as_u64()), (Some(2), Some(13)));
    assert!(results[0]["message"]["text"].as_str().unwrap().contains("token 'deploy' of account 'ci-bot'"));
}

#[test]
fn columns_count_code_points_and_fingerprints_follow_path_and_hint() {
    let tree = Tree::new();
    let (_, log) = sarif(&tree, &["unicode.md", "crlf.txt", ".env"]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let at = |uri: &str| {
        results.iter().find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri).unwrap()
    };
    // "clé: «" is 6 code points but 8 bytes: the text output says column 9, SARIF says 7.
    let region = &at("unicode.md")["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startColumn"].as_u64(), region["endColumn"].as_u64()), (Some(7), Some(49)));
    assert_eq!(at("unicode.md")["ruleId"], "satui/token");
    assert_eq!(at("unicode.md")["level"], "warning");
    let fingerprint = |r: &Value| r["partialFingerprints"]["satuiTokenLocation/v1"].as_str().unwrap().to_string();
    // The same token in two files: two fingerprints. Scanned again: the same ones.
    assert_ne!(fingerprint(at("crlf.txt")), fingerprint(&results[0]));
    let (_, again) = sarif(&tree, &["crlf.txt"]);
    assert_eq!(fingerprint(&again["runs"][0]["results"][0]), fingerprint(at("crlf.txt")));
}

#[test]
fn errors_become_notifications_and_a_broken_log_fails_the_schema() {
    let tree = Tree::new();
    let (code, log) = sarif(&tree, &["unicode.md", "no-such-file"]);
    assert_eq!(code, Some(1));
    let validator = schema();
    assert_eq!(errors(&validator, &log), Vec::<String>::new());
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["toolExecutionNotifications"][0]["level"], "error");
    // Each of these breaks the log, and the validator says so.
    let breakages: [Breakage; 4] = [
        ("no version", |log| {
            log.as_object_mut().unwrap().remove("version");
        }),
        ("a level SARIF does not have", |log| log["runs"][0]["results"][0]["level"] = "fatal".into()),
        ("line 0", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into()
        }),
        ("an unknown column kind", |log| log["runs"][0]["columnKind"] = "bytes".into()),
    ];
    for (what, breakage) in breakages {
        let mut broken = log.clone();
        breakage(&mut broken);
        assert!(!validator.is_valid(&broken), "{what}: still valid");
    }
}
