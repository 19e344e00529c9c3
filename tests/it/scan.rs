//! `satui scan`: a fixture tree with tokens in every state and every kind of file, scanned by
//! the real binary. Exact places and states, exit codes, ignore rules, `--revoke` and its audit
//! event, a missing store left missing, and never a token in any output.

use std::path::Path;
use std::process::Output;

use proptest::prelude::*;
use satui::domain::token::{TOKEN_LEN, TokenSecret};
use satui::scan::finder::{Finder, LineCounter};
use serde_json::Value;
use tempfile::TempDir;

use crate::common::{DAY, Fixture, days, never, satui, tamper};

/// A store with tokens in every state, and a tree of files that leak them.
pub struct Tree {
    pub fx: Fixture,
    pub dir: TempDir,
    pub live_id: i64,
    pub live: String,
    pub revoked: String,
    pub expired: String,
    pub unknown: String,
    /// Every token-like string in the tree, none of which may ever be printed.
    pub secrets: Vec<String>,
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

impl Tree {
    pub fn new() -> Tree {
        let mut fx = Fixture::new();
        // The binary runs on the real clock: issue the tokens 30 days ago, so the 7-day one
        // has expired by now and the others have not.
        fx.clock.set(chrono::Utc::now().timestamp() - 30 * DAY);
        let account = fx.account("ci-bot");
        let live = fx.token(account.id, "deploy", never());
        let revoked = fx.token(account.id, "old", never());
        fx.service.revoke_token(revoked.token.id).unwrap();
        let expired = fx.token(account.id, "weekly", days(7));
        let unknown = TokenSecret::generate(&mut rand::rng()).expose().to_string();
        let (live_text, live_id) = (live.secret.expose().to_string(), live.token.id);
        let bad = tamper(&live_text, 10);
        let short = live_text[..TOKEN_LEN - 1].to_string();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, ".env", format!("# settings\nSATUI_TOKEN={live_text}\nOLD={}\n", revoked.secret.expose()));
        write(
            d,
            "config/app.yaml",
            format!("api:\n  token: \"{}\"\n  typo: {bad}\n  cut: {short}\n", expired.secret.expose()),
        );
        let filler: String = (0..2000).map(|i| format!("\"k{i}\":\"v{i}\",")).collect();
        write(d, "min.json", format!("{{{filler}\"a\":\"{unknown}\",\"b\":\"{live_text}\"}}"));
        write(d, "crlf.txt", format!("line one\r\nsecond {live_text}\r\nthird\r\n"));
        write(d, "unicode.md", format!("# Ünïcödé ✓\nclé: «{unknown}»\n"));
        write(d, ".gitignore", "ignored.txt\n");
        write(d, "ignored.txt", format!("{live_text}\n"));
        let mut binary = b"\x00\x01\x02ELF\n".to_vec();
        binary.extend_from_slice(format!(" {live_text} ").as_bytes());
        write(d, "image.bin", binary);
        let secrets = vec![
            live_text.clone(),
            revoked.secret.expose().to_string(),
            expired.secret.expose().to_string(),
            unknown.clone(),
            bad,
            short,
        ];
        Tree {
            revoked: revoked.secret.expose().to_string(),
            expired: expired.secret.expose().to_string(),
            fx,
            dir,
            live_id,
            live: live_text,
            unknown,
            secrets,
        }
    }

    /// `satui scan ARGS` in the tree's directory, against the tree's store.
    pub fn scan(&self, args: &[&str]) -> Output {
        self.scan_with(&self.fx.path, args, None)
    }

    pub fn scan_with(&self, db: &Path, args: &[&str], stdin: Option<String>) -> Output {
        let mut cmd = satui(db);
        cmd.current_dir(self.dir.path()).arg("scan").args(args);
        if let Some(input) = stdin {
            cmd.write_stdin(input);
        }
        let out = cmd.output().expect("run satui scan");
        self.assert_no_secret(&out);
        out
    }

    /// No output holds a token, or even its random part.
    pub fn assert_no_secret(&self, out: &Output) {
        for secret in &self.secrets {
            for stream in [&out.stdout, &out.stderr] {
                assert!(!crate::common::contains_bytes(stream, &secret.as_bytes()[4..36]), "a token was printed");
            }
        }
    }
}

fn stdout(out: &Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone()).unwrap().lines().map(str::to_string).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// `path:line:col` and the status at the end of each text line.
fn places(out: &Output) -> Vec<(String, String)> {
    stdout(out)
        .iter()
        .map(|line| {
            let place = line.split("  ").next().unwrap().to_string();
            let status = line.rsplit("  ").next().unwrap().to_string();
            (place, status)
        })
        .collect()
}

fn hint(token: &str) -> String {
    format!("sat_…{}", &token[TOKEN_LEN - 4..])
}

#[test]
fn every_find_is_reported_at_its_place_with_its_state_sorted_by_path_line_and_column() {
    let tree = Tree::new();
    let out = tree.scan(&["--hidden"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let json_len = std::fs::metadata(tree.dir.path().join("min.json")).unwrap().len() as usize;
    let b_column = json_len - TOKEN_LEN - 2 + 1;
    let a_column = b_column - TOKEN_LEN - 7;
    let expected: Vec<(String, String)> = [
        (".env:2:13", "active, never expires"),
        (".env:3:5", "revoked"),
        ("config/app.yaml:2:11", "expired"),
        ("crlf.txt:2:8", "active, never expires"),
        (&format!("min.json:1:{a_column}"), "unknown (not in the store)"),
        (&format!("min.json:1:{b_column}"), "active, never expires"),
        ("unicode.md:2:9", "unknown (not in the store)"),
    ]
    .iter()
    .map(|(p, s)| (p.to_string(), s.to_string()))
    .collect();
    let got = places(&out);
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for ((place, status), (want_place, want_status)) in got.iter().zip(&expected) {
        assert_eq!(place, want_place);
        assert!(status.starts_with(want_status.as_str()), "{place}: {status} (want {want_status})");
    }
    let lines = stdout(&out);
    assert!(lines[0].contains(&hint(&tree.live)), "{}", lines[0]);
    assert!(lines[0].contains("org 'Main Org.', account 'ci-bot', token 'deploy'"), "{}", lines[0]);
    let err = stderr(&out);
    assert!(err.contains("7 finds, 1 with a bad checksum, 1 of the wrong length, 1 binary file skipped"), "{err}");
    assert!(err.contains("satui: 1 live token found\n"), "{err}");
}

/// A leak scanner's defaults: a `.env` at the top of a repository is read without asking (the
/// commonest leak); `.gitmodules` too; `.git/` internals are not; what .gitignore leaves out
/// (a gitignored `.env.local` included) is counted, and `--no-ignore` reads it.
#[test]
fn hidden_files_are_scanned_by_default_and_what_ignore_rules_skip_is_counted() {
    let tree = Tree::new();
    let d = tree.dir.path();
    write(d, ".gitmodules", format!("[submodule \"x\"]\n\turl = https://{}@example.com/x.git\n", tree.live));
    write(d, ".git/config", format!("[remote]\n\ttoken = {}\n", tree.live));
    write(d, ".gitignore", "ignored.txt\n.env.local\n");
    write(d, ".env.local", format!("TOKEN={}\n", tree.live));
    let out = tree.scan(&[]);
    assert_eq!(out.status.code(), Some(4), "a live token in .env fails the gate");
    let plain: Vec<String> = places(&out).into_iter().map(|p| p.0).collect();
    assert!(plain.contains(&".env:2:13".to_string()) && plain.contains(&".env:3:5".to_string()), "{plain:?}");
    assert!(plain.iter().any(|p| p.starts_with(".gitmodules:2:")), "{plain:?}");
    assert!(!plain.iter().any(|p| p.starts_with(".git/")), "git's own files are not read: {plain:?}");
    assert!(!plain.iter().any(|p| p.starts_with("ignored") || p.starts_with(".env.local")), "{plain:?}");
    let err = stderr(&out);
    assert!(err.contains("2 files or directories left out by ignore rules (--no-ignore scans them)"), "{err}");
    let all: Vec<String> = places(&tree.scan(&["--no-ignore"])).into_iter().map(|p| p.0).collect();
    assert!(all.contains(&"ignored.txt:1:1".to_string()) && all.contains(&".env.local:1:7".to_string()), "{all:?}");
    assert!(!all.iter().any(|p| p.starts_with("image.bin")), "binary files stay skipped: {all:?}");
    // --hidden, which used to be needed, still works and says it is no longer needed.
    let out = tree.scan(&["--hidden"]);
    assert!(stderr(&out).contains("deprecated: --hidden does nothing now"), "{}", stderr(&out));
}

#[test]
fn a_binary_or_ignored_file_named_on_the_command_line_is_scanned() {
    let tree = Tree::new();
    let out = tree.scan(&["image.bin", "ignored.txt"]);
    assert_eq!(out.status.code(), Some(4));
    let got: Vec<String> = places(&out).into_iter().map(|p| p.0).collect();
    assert_eq!(got, ["ignored.txt:1:1", "image.bin:2:2"]);
}

#[test]
fn standard_input_is_scanned_as_dash() {
    let tree = Tree::new();
    let out = tree.scan_with(&tree.fx.path, &["-"], Some(format!("x\n\tkey = {}\n", tree.live)));
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(places(&out), [("<stdin>:2:8".to_string(), "active, never expires".to_string())]);
}

#[test]
fn no_live_token_exits_0() {
    let tree = Tree::new();
    let out = tree.scan(&["config", "unicode.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: Vec<String> = places(&out).into_iter().map(|p| p.0).collect();
    assert_eq!(got, ["config/app.yaml:2:11", "unicode.md:2:9"]);
    assert!(stderr(&out).contains("satui: 0 live tokens found"));
}

#[test]
fn revoke_revokes_each_live_token_once_with_where_it_leaked() {
    let tree = Tree::new();
    let out = tree.scan(&["--hidden", "--revoke"]);
    assert_eq!(out.status.code(), Some(4), "live tokens were found, even though now revoked");
    assert!(stderr(&out).contains("1 live token found, 1 revoked now"), "{}", stderr(&out));
    assert!(stdout(&out)[0].ends_with("→ revoked now"), "{:?}", stdout(&out));
    let token = tree.fx.service.token(tree.live_id).unwrap();
    assert!(token.revoked_at.is_some());
    let events: Vec<_> =
        tree.fx.audit().into_iter().filter(|e| e.action == "token.revoke" && e.details.contains("leaked")).collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].details.ends_with("leaked: .env:2"), "{}", events[0].details);
    assert_eq!(events[0].target, "token deploy of ci-bot");
    // Nothing live is left.
    assert_eq!(tree.scan(&["--hidden", "--revoke"]).status.code(), Some(0));
    assert_eq!(tree.fx.audit().iter().filter(|e| e.details.contains("leaked")).count(), 1);
}

#[test]
fn a_missing_store_is_not_created_and_finds_are_unknown() {
    let tree = Tree::new();
    let db = tree.dir.path().join("nowhere").join("satui.db");
    let out = tree.scan_with(&db, &["crlf.txt", "--revoke"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(places(&out), [("crlf.txt:2:8".to_string(), "unknown (no store)".to_string())]);
    assert!(!db.exists() && !db.parent().unwrap().exists());
    // $SATUI_DB is honoured the same way.
    let out = assert_cmd::Command::cargo_bin("satui")
        .unwrap()
        .args(["scan", "crlf.txt"])
        .current_dir(tree.dir.path())
        .env("SATUI_DB", &db)
        .output()
        .unwrap();
    tree.assert_no_secret(&out);
    assert_eq!(places(&out), [("crlf.txt:2:8".to_string(), "unknown (no store)".to_string())]);
    assert!(!db.exists(), "{}", stderr(&out));
}

#[test]
fn json_output_names_each_find_and_the_counts() {
    let tree = Tree::new();
    let out = tree.scan(&["--json", "--hidden"]);
    assert_eq!(out.status.code(), Some(4));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &doc["finds"][0];
    assert_eq!(first["path"], ".env");
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(2), Some(13)));
    assert_eq!(first["hint"], hint(&tree.live));
    assert_eq!((first["status"].as_str(), first["state"].as_str()), (Some("active"), Some("never expires")));
    assert_eq!(
        (&first["org"], &first["account"], &first["token"]),
        (&"Main Org.".into(), &"ci-bot".into(), &"deploy".into())
    );
    assert_eq!((first["live"].as_bool(), first["token_id"].as_i64()), (Some(true), Some(tree.live_id)));
    assert_eq!(doc["finds"][1]["status"], "revoked");
    assert_eq!(doc["finds"][1]["live"], false);
    let unknown = doc["finds"].as_array().unwrap().iter().find(|f| f["path"] == "unicode.md").unwrap();
    assert_eq!(unknown["status"], "unknown (not in the store)");
    assert!(unknown["org"].is_null() && unknown["token_id"].is_null());
    assert_eq!(unknown["hint"], hint(&tree.unknown));
    for (key, n) in [("finds_count", 7), ("live_tokens", 1), ("bad_checksum", 1), ("wrong_length", 1)] {
        assert_eq!(doc[key], n, "{key}");
    }
    assert_eq!(doc["distinct_tokens"], 4);
    assert!(doc["files_scanned"].as_u64().unwrap() >= 6);
    let _ = (&tree.revoked, &tree.expired);
}

#[test]
fn usage_errors_exit_2_and_a_missing_path_exits_1() {
    let tree = Tree::new();
    for args in [&["--json", "--sarif"][..], &["--threads", "0"], &["--bogus"]] {
        let out = tree.scan(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
    }
    let out = tree.scan(&["unicode.md", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).lines().next().unwrap().starts_with("satui: no-such-dir: "), "{}", stderr(&out));
    // A live token outranks the error.
    let out = tree.scan(&[".env", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(4));
}

/// Text around a token: anything, but a word character may not touch it.
fn surrounding() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9 _=:\"'\\n\\r\\té✓-]{0,200}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn the_finder_finds_a_token_wherever_it_is_placed(before in surrounding(), after in surrounding()) {
        let token = TokenSecret::generate(&mut rand::rng());
        let text = format!("{before} {} {after}", token.expose());
        let finds = Finder::new().find(text.as_bytes());
        let at = before.len() + 1;
        prop_assert!(finds.offsets.contains(&at), "{:?}", finds);
        prop_assert_eq!(finds.bad_checksum, 0);
        let position = LineCounter::new().position(text.as_bytes(), 0, at as u64);
        prop_assert_eq!(position.line, 1 + before.matches('\n').count() as u64);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        prop_assert_eq!(position.column, (at - line_start + 1) as u64);
        prop_assert_eq!(position.char_column, text[line_start..at].chars().count() as u64 + 1);
    }
}

/// A FIFO and a symlink named on the command line are read (a live admin token behind a symlink
/// is found); met while walking, they are counted and never opened, so a FIFO with no writer
/// does not hang the walk.
#[cfg(unix)]
#[test]
fn named_fifos_and_symlinks_are_read_and_walked_ones_are_counted_not_opened() {
    let tree = Tree::new();
    let d = tree.dir.path();
    let fifo = d.join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::os::unix::fs::symlink(d.join("crlf.txt"), d.join("link.txt")).unwrap();
    // Walked: the FIFO has no writer; opening it would wait for ever.
    let started = std::time::Instant::now();
    let out = tree.scan(&[]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    let err = stderr(&out);
    assert!(err.contains("1 special file (FIFO, socket, device) not read"), "{err}");
    assert!(err.contains("1 symlink not followed"), "{err}");
    assert!(!places(&out).iter().any(|p| p.0.starts_with("link.txt")));
    // Named: both are read.
    let writer = {
        let (fifo, token) = (fifo.clone(), tree.live.clone());
        std::thread::spawn(move || std::fs::write(fifo, format!("x {token}\n")).unwrap())
    };
    let out = tree.scan(&["pipe", "link.txt"]);
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let got: Vec<String> = places(&out).into_iter().map(|p| p.0).collect();
    assert_eq!(got, ["link.txt:2:8", "pipe:1:3"]);
}

/// With `--org`, `--revoke` revokes only that org's tokens; other orgs' finds are reported (and
/// still fail the gate).
#[test]
fn revoke_with_org_leaves_other_orgs_tokens_alone() {
    let mut tree = Tree::new();
    let staging = tree.fx.service.create_org("Staging").unwrap().id;
    let other = tree.fx.account_in(staging, "stage-bot");
    let theirs = tree.fx.token(other.id, "stage", never());
    write(tree.dir.path(), "both.env", format!("A={}\nB={}\n", tree.live, theirs.secret.expose()));
    let out = satui(&tree.fx.path)
        .current_dir(tree.dir.path())
        .args(["--org", "Staging", "scan", "--revoke", "--json", "both.env"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["revoked"], 1);
    assert_eq!(report["live_tokens"], 2, "both are reported as live leaks");
    assert!(tree.fx.service.token(theirs.token.id).unwrap().revoked_at.is_some(), "Staging's token revoked");
    assert!(tree.fx.service.token(tree.live_id).unwrap().revoked_at.is_none(), "Main Org.'s token left alone");
}

/// A file name that is not UTF-8 keeps its bytes: escaped `\xNN` in text, JSON and the audit
/// detail, percent-encoded in the SARIF URI (which then names the real file).
#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_keeps_its_bytes_everywhere() {
    use std::os::unix::ffi::OsStrExt;
    let tree = Tree::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xE9.env");
    std::fs::write(tree.dir.path().join(name), format!("T={}\n", tree.live)).unwrap();
    // Revoked where it leaked: the audit detail names the file with its byte escaped.
    let out = satui(&tree.fx.path).current_dir(tree.dir.path()).arg("scan").arg("--revoke").arg(name).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let revoke = tree.fx.audit().into_iter().find(|e| e.action == "token.revoke").unwrap();
    assert!(revoke.details.contains("leaked: caf\\xE9.env:1"), "{revoke:?}");
    let json = tree.scan(&["--json"]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let find = report["finds"].as_array().unwrap().iter().find(|f| f["path"] == "caf\\xE9.env").cloned();
    assert!(find.is_some(), "{report}");
    let sarif = tree.scan(&["--sarif"]);
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let uris: Vec<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().to_string())
        .collect();
    assert!(uris.contains(&"caf%E9.env".to_string()), "{uris:?}");
    // Text goes through the terminal escaping, which writes a backslash as `\\`.
    let text = String::from_utf8(tree.scan(&[]).stdout).unwrap();
    assert!(text.contains("caf\\\\xE9.env:1:3"), "{text}");
    // The token was revoked at its first find (.env sorts first); the find in the other file
    // names the same token, so check the escaping where the path is the reason.
    let out = tree.scan(&["--json"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{FFFD}'), "no lossy replacement character");
}

/// Through the binary: a file several chunks long with a token across a chunk edge, and a
/// UTF-16 file with a byte-order mark.
#[test]
fn a_token_across_a_chunk_edge_and_one_in_utf16_are_found() {
    let tree = Tree::new();
    let chunk = satui::scan::walk::CHUNK;
    let before = chunk - 20;
    let mut big = "a\n".repeat(before / 2);
    big.push_str(&tree.live);
    big.push('\n');
    big.push_str(&"b".repeat(3 * chunk));
    write(tree.dir.path(), "big.log", &big);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in format!("line\r\nkey={}\r\n", tree.live).encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    write(tree.dir.path(), "win.txt", utf16);
    let out = tree.scan(&["big.log", "win.txt"]);
    let got: Vec<String> = places(&out).into_iter().map(|p| p.0).collect();
    assert_eq!(got, [format!("big.log:{}:1", before / 2 + 1), "win.txt:2:5".to_string()]);
}
