//! A token's plaintext is shown once and stored nowhere: not in the database file, the WAL, the
//! audit log, a Debug print, JSON listings, or an error message.

use std::fs;
use std::path::Path;

use satui::service::Rejection;

use crate::common::{Fixture, contains_bytes, days, extended, never, satui};

/// Every byte of every file next to the store (db, -wal, -shm), concatenated.
fn store_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(fs::read(&path).unwrap());
        }
    }
    all
}

fn assert_nowhere(haystack: &[u8], secrets: &[String], place: &str) {
    for secret in secrets {
        let random = &secret[4..36];
        assert!(!contains_bytes(haystack, secret.as_bytes()), "a token appears in {place}");
        assert!(!contains_bytes(haystack, random.as_bytes()), "a token's random part appears in {place}");
        // Any 12-character window of the random part would already be a leak.
        for start in 0..=random.len() - 12 {
            assert!(!contains_bytes(haystack, &random.as_bytes()[start..start + 12]), "a piece of a token in {place}");
        }
    }
}

#[test]
fn given_issued_rotated_and_used_tokens_then_no_plaintext_is_in_the_db_file_the_wal_or_any_audit_row() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let mut secrets = Vec::new();
    let a = fx.token(account.id, "deploy", days(30));
    let b = fx.token(account.id, "nightly", extended(7, 7));
    let c = fx.token(account.id, "forever", never());
    fx.verify(a.secret.expose()).unwrap();
    fx.verify(b.secret.expose()).unwrap();
    let rotated = fx.service.rotate_token(c.token.id).unwrap();
    fx.service.revoke_token(b.token.id).unwrap();
    for issued in [&a, &b, &c, &rotated] {
        secrets.push(issued.secret.expose().to_string());
    }

    let wal = fx.path.with_file_name("satui.db-wal");
    assert!(wal.exists(), "expected a WAL file while the store is open");
    assert_nowhere(&fs::read(&wal).unwrap(), &secrets, "the WAL file");
    assert_nowhere(&store_bytes(fx.dir.path()), &secrets, "the store files (open)");

    let events = fx.audit();
    assert!(events.len() >= 6, "expected the create/rotate/revoke events, got {}", events.len());
    for event in &events {
        let row = format!("{}\u{0}{}\u{0}{}\u{0}{}", event.actor, event.action, event.target, event.details);
        assert_nowhere(row.as_bytes(), &secrets, &format!("audit event {}", event.action));
    }

    // After close the WAL is folded into the main file: check that file too.
    let Fixture { dir, path, service, .. } = fx;
    drop(service);
    assert_nowhere(&fs::read(&path).unwrap(), &secrets, "the database file (closed)");
    assert_nowhere(&store_bytes(dir.path()), &secrets, "the store files (closed)");
}

#[test]
fn given_an_issued_token_when_debug_printed_then_the_secret_is_not_shown() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    let debug = format!("{issued:?} {:?} {:#?}", issued.secret, issued);
    assert_nowhere(debug.as_bytes(), &[issued.secret.expose().to_string()], "a Debug print");
    assert!(debug.contains("redacted"), "{debug}");
}

#[test]
fn given_a_bad_token_when_verified_then_the_error_message_does_not_echo_the_input() {
    let mut fx = Fixture::new();
    let account = fx.account("ci-bot");
    let issued = fx.token(account.id, "deploy", days(30));
    let secret = issued.secret.expose().to_string();
    let mut tampered = secret.clone().into_bytes();
    tampered[20] = if tampered[20] == b'Z' { b'Y' } else { b'Z' };
    let tampered = String::from_utf8(tampered).unwrap();
    let hunter2 = "sat_hunter2hunter2hunter2hunter2".to_string();

    for (input, expected) in [(tampered.as_str(), Rejection::BadChecksum), (hunter2.as_str(), Rejection::Malformed)] {
        let err = fx.service.verify_token(input).unwrap_err();
        let message = format!("{err} {err:?}");
        assert!(matches!(err, satui::service::VerifyError::Rejected(r) if r == expected), "{message}");
        assert!(!message.contains(&input[4..]), "the message echoes the input: {message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
    fx.service.revoke_token(issued.token.id).unwrap();
    let err = fx.service.verify_token(&secret).unwrap_err();
    assert!(!format!("{err} {err:?}").contains(&secret[4..]));
}

#[test]
fn given_tokens_created_on_the_command_line_then_json_listings_and_the_audit_log_never_contain_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    satui(&db).args(["sa", "create", "ci-bot"]).assert().success();
    let mut secrets = Vec::new();
    for name in ["deploy", "nightly"] {
        let out = satui(&db).args(["token", "create", "--sa", "ci-bot", "--name", name]).output().unwrap();
        assert!(out.status.success());
        secrets.push(String::from_utf8(out.stdout).unwrap().trim().to_string());
    }
    let out = satui(&db).args(["--json", "token", "rotate", "--sa", "ci-bot", "nightly"]).output().unwrap();
    let rotated: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    secrets.push(rotated["key"].as_str().expect("rotate --json has the key").to_string());

    for args in [
        &["--json", "token", "list", "--sa", "ci-bot"][..],
        &["--json", "sa", "show", "ci-bot"],
        &["sa", "show", "ci-bot"],
        &["token", "list", "--sa", "ci-bot"],
        &["--json", "sa", "list"],
        &["--json", "audit"],
        &["audit"],
    ] {
        let out = satui(&db).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(out.stdout.len() > 20, "{args:?} printed nothing");
        assert_nowhere(&out.stdout, &secrets, &format!("stdout of {args:?}"));
        assert_nowhere(&out.stderr, &secrets, &format!("stderr of {args:?}"));
    }
    let listed: serde_json::Value = serde_json::from_slice(
        &satui(&db).args(["--json", "token", "list", "--sa", "ci-bot"]).output().unwrap().stdout,
    )
    .unwrap();
    let hints: Vec<_> = listed.as_array().unwrap().iter().map(|t| t["hint"].as_str().unwrap().to_string()).collect();
    assert_eq!(hints.len(), 3);
    assert!(hints.iter().all(|h| h.starts_with("sat_…") && h.chars().count() == 9), "{hints:?}");
    assert!(listed.as_array().unwrap().iter().all(|t| t.get("key").is_none()));
    assert_nowhere(&store_bytes(dir.path()), &secrets, "the CLI's store files");
}
