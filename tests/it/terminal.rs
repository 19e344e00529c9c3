//! Stored text never reaches the terminal raw: names, logins, hints and descriptions holding
//! escape sequences, OSC 52, newlines, C1 controls or invisible characters (from an old store or
//! a foreign writer) are printed as visible escapes by every text and JSON output.

use crate::common::{Fixture, cli_ok, satui};

/// What a hostile writer puts in: clear screen, retitle, write the clipboard (OSC 52), a C1 CSI,
/// a bell, a newline that would forge a `status` line, a zero-width space and a bidi override.
const HOSTILE: &str =
    "evil\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]52;c;QUJD\u{7}\u{9b}31m\nstatus       disabled\u{200b}\u{202e}";

/// A store with hostile text in every field the CLI prints, written straight into the file.
fn hostile_store() -> Fixture {
    let mut fx = Fixture::new();
    let bot = fx.account("victim");
    fx.token(bot.id, "deploy", crate::common::days(30));
    fx.service.create_role(1, "writers", "", &[]).unwrap();
    fx.service.create_group(1, "ops", "").unwrap();
    fx.service.change_membership(1, "ops", bot.id, true).unwrap();
    let conn = rusqlite::Connection::open(&fx.path).unwrap();
    for sql in [
        "UPDATE service_accounts SET name = ?1, description = ?1, login = 'sa-1-x' || ?1",
        "UPDATE tokens SET name = ?1, hint = 'sat_…' || ?1",
        "UPDATE roles SET name = 'writers' || ?1, description = ?1",
        "UPDATE groups SET name = 'ops' || ?1, description = ?1",
        "UPDATE orgs SET name = 'Main' || ?1",
        "UPDATE audit_events SET actor = ?1, target = ?1, details = ?1",
    ] {
        conn.execute(sql, [HOSTILE]).unwrap();
    }
    fx
}

fn assert_inert(what: &str, out: &str) {
    for (bad, name) in
        [('\u{1b}', "ESC"), ('\u{7}', "BEL"), ('\u{9b}', "CSI"), ('\u{200b}', "ZWSP"), ('\u{202e}', "RLO")]
    {
        assert!(!out.contains(bad), "{what}: a raw {name} reached the terminal:\n{out}");
    }
    assert!(!out.lines().any(|l| l.starts_with("status       disabled")), "{what}: a forged line:\n{out}");
}

#[test]
fn text_outputs_escape_stored_text() {
    let fx = hostile_store();
    let account = "1";
    for args in [
        &["sa", "list"][..],
        &["sa", "show", account],
        &["token", "list", "--sa", account],
        &["role", "list"],
        &["group", "list"],
        &["org", "list"],
        &["audit"],
        &["sa", "permissions", account],
    ] {
        let out = cli_ok(&fx.path, args);
        assert_inert(&format!("{args:?}"), &out);
        assert!(out.contains("\\e[2J") || args[0] == "sa" && args[1] == "permissions", "{args:?}: {out}");
    }
    // `sa show` prints each field on one line: the description's newline is shown as \n.
    let show = cli_ok(&fx.path, &["sa", "show", account]);
    assert_eq!(show.lines().filter(|l| l.starts_with("status")).count(), 1, "{show}");
    assert!(show.contains("\\nstatus       disabled\\u{200b}\\u{202e}"), "{show}");
}

#[test]
fn json_outputs_escape_what_a_terminal_would_act_on_and_keep_the_value() {
    let fx = hostile_store();
    for args in [&["sa", "list"][..], &["token", "list", "--sa", "1"], &["audit"], &["export"], &["group", "list"]] {
        let out = satui(&fx.path).arg("--json").args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert_inert(&format!("--json {args:?}"), &text);
        // The escapes are JSON's own, so the value read back is the stored text, exactly.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(value.to_string().contains("\\u001b[2J"), "{args:?}");
        assert!(contains_str(&value, HOSTILE), "{args:?}: the stored text did not survive");
    }
}

fn contains_str(value: &serde_json::Value, wanted: &str) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains(wanted),
        serde_json::Value::Array(items) => items.iter().any(|v| contains_str(v, wanted)),
        serde_json::Value::Object(map) => map.values().any(|v| contains_str(v, wanted)),
        _ => false,
    }
}

#[test]
fn an_error_quoting_hostile_input_is_one_escaped_line() {
    let fx = Fixture::new();
    let out = satui(&fx.path).args(["sa", "show", HOSTILE]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert_inert("error", &stderr);
}
