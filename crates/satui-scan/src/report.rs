//! The text and JSON shapes of a scan. The caller prints them (escaped for the terminal); no
//! shape holds anything but the hint of a token.

use serde_json::{Value, json};

use super::{Find, Lookup, ScanReport, Summary};

/// One line per find: `path:line:col  hint  where  status`.
pub fn text_line(find: &Find) -> String {
    let place = format!("{}:{}:{}", find.path, find.position.line, find.position.column);
    let owner = match &find.lookup {
        Lookup::Known(known) => format!("  org '{}', account '{}', token '{}'", known.org, known.account, known.token),
        _ => String::new(),
    };
    let revoked = if find.revoked_now { " → revoked now" } else { "" };
    format!("{place}  {}{owner}  {}{revoked}", find.hint, find.status_text())
}

/// The summary for stderr: what was read and what was found.
pub fn summary_line(summary: &Summary) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "scanned {} ({}) in {:.2} s: {}, {} with a bad checksum, {} of the wrong length",
        plural(summary.files, "file", "files"),
        plural(summary.bytes, "byte", "bytes"),
        summary.seconds,
        plural(summary.finds, "find", "finds"),
        summary.bad_checksum,
        summary.wrong_length,
    );
    if summary.binary_skipped > 0 {
        line.push_str(&format!(", {} skipped", plural(summary.binary_skipped, "binary file", "binary files")));
    }
    if summary.ignored_skipped > 0 {
        let what = plural(summary.ignored_skipped, "file or directory", "files or directories");
        line.push_str(&format!(", {what} left out by ignore rules (--no-ignore scans them)"));
    }
    if summary.special_skipped > 0 {
        let what = plural(summary.special_skipped, "special file", "special files");
        line.push_str(&format!(", {what} (FIFO, socket, device) not read"));
    }
    if summary.links_skipped > 0 {
        let what = plural(summary.links_skipped, "symlink", "symlinks");
        line.push_str(&format!(", {what} not followed (name one to scan what it points to)"));
    }
    line
}

/// `N live tokens found` (and how many this scan revoked).
pub fn live_line(summary: &Summary, revoke: bool) -> String {
    let tokens = if summary.live_tokens == 1 { "token" } else { "tokens" };
    let mut line = format!("{} live {tokens} found", summary.live_tokens);
    if revoke && summary.live_tokens > 0 {
        line.push_str(&format!(", {} revoked now", summary.revoked));
    }
    line
}

pub fn find_json(find: &Find) -> Value {
    let mut value = json!({
        "path": find.path,
        "line": find.position.line,
        "column": find.position.column,
        "hint": find.hint,
        "live": find.live(),
        "status": find.status_text(),
        "state": Value::Null,
        "ends_at": Value::Null,
        "org": Value::Null,
        "account": Value::Null,
        "login": Value::Null,
        "token": Value::Null,
        "token_id": Value::Null,
        "revoked_now": find.revoked_now,
    });
    if let Lookup::Known(known) = &find.lookup {
        value["status"] = json!(known.status);
        value["state"] = json!(known.state);
        value["ends_at"] = json!(known.ends_at.map(satui_domain::time::rfc3339));
        value["org"] = json!(known.org);
        value["account"] = json!(known.account);
        value["login"] = json!(known.login);
        value["token"] = json!(known.token);
        value["token_id"] = json!(known.token_id);
    }
    value
}

/// The `--json` document: every find, the counts, and what could not be read.
pub fn json(report: &ScanReport) -> Value {
    let s = &report.summary;
    json!({
        "finds": report.finds.iter().map(find_json).collect::<Vec<_>>(),
        "files_scanned": s.files,
        "bytes_scanned": s.bytes,
        "finds_count": s.finds,
        "distinct_tokens": s.distinct_tokens,
        "live_tokens": s.live_tokens,
        "revoked": s.revoked,
        "bad_checksum": s.bad_checksum,
        "wrong_length": s.wrong_length,
        "binary_skipped": s.binary_skipped,
        "ignored_skipped": s.ignored_skipped,
        "special_skipped": s.special_skipped,
        "links_skipped": s.links_skipped,
        "notes": report.notes,
        "errors": report.errors,
    })
}
