//! `--sarif`: the scan as a SARIF 2.1.0 log that GitHub code scanning accepts. Two rules: a
//! live token is an error, any other satui token a warning. Columns are counted in code points
//! (`columnKind: unicodeCodePoints`); the fingerprint of a result is a hash of its path and
//! hint, so an alert stays one alert when lines move above it.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Find, Lookup, ScanReport};
use satui_domain::token::TOKEN_LEN;

pub const LIVE_RULE: &str = "satui/live-token";
pub const TOKEN_RULE: &str = "satui/token";
/// The fingerprint key (versioned, so a change of recipe does not match old alerts).
pub const FINGERPRINT: &str = "satuiTokenLocation/v1";

fn rules() -> Value {
    json!([
        {
            "id": LIVE_RULE,
            "name": "LiveSatuiToken",
            "shortDescription": { "text": "A live satui token is in the code" },
            "fullDescription": {
                "text": "A satui API token that the store knows and that still works (or would, once its account is enabled again) is written in this file. Anyone who can read the file can act as its service account."
            },
            "help": {
                "text": "Revoke the token (`satui token revoke`, or `satui scan --revoke`), issue a new one if it is still needed, keep it in a secret store, and remove it from the file and its history.",
                "markdown": "Revoke the token (`satui token revoke`, or `satui scan --revoke`), issue a new one if it is still needed, keep it in a secret store, and remove it from the file and its history."
            },
            "defaultConfiguration": { "level": "error" },
            "properties": { "tags": ["security", "secret"], "precision": "very-high", "security-severity": "9.0" }
        },
        {
            "id": TOKEN_RULE,
            "name": "SatuiToken",
            "shortDescription": { "text": "A satui token is in the code" },
            "fullDescription": {
                "text": "A well-formed satui API token (its checksum is right) is written in this file. It is revoked or expired, or the store that was asked does not know it."
            },
            "help": {
                "text": "Remove the token from the file. If the store that issued it is not the one scanned, check it there (`satui scan --db PATH`).",
                "markdown": "Remove the token from the file. If the store that issued it is not the one scanned, check it there (`satui scan --db PATH`)."
            },
            "defaultConfiguration": { "level": "warning" },
            "properties": { "tags": ["security", "secret"], "precision": "very-high", "security-severity": "3.0" }
        }
    ])
}

/// The driver's home page: Cargo.toml's `homepage`, else `repository`, else none at all.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")].into_iter().find(|uri| !uri.is_empty())
}

/// A path as a URI reference: relative paths stay relative (to `%SRCROOT%`, the checkout),
/// absolute ones become `file://` URIs; every byte outside RFC 3986's unreserved set and `/`
/// is percent-encoded.
fn artifact_location(path: &std::path::Path) -> Value {
    let mut relative = path.as_os_str().as_encoded_bytes();
    while let Some(rest) = relative.strip_prefix(b"./") {
        relative = rest;
    }
    let encoded: String = relative
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    if relative.starts_with(b"/") {
        json!({ "uri": format!("file://{encoded}") })
    } else {
        json!({ "uri": encoded, "uriBaseId": "%SRCROOT%" })
    }
}

fn fingerprint(find: &Find) -> String {
    let digest = Sha256::digest(format!("{}\n{}", find.path, find.hint).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn result(find: &Find) -> Value {
    let (rule, index, level) = if find.live() { (LIVE_RULE, 0, "error") } else { (TOKEN_RULE, 1, "warning") };
    let about = match &find.lookup {
        Lookup::Known(known) => format!(
            "token '{}' of account '{}' in org '{}', {}",
            known.token,
            known.account,
            known.org,
            find.status_text()
        ),
        _ => find.status_text(),
    };
    let what = if find.live() { "Live satui token" } else { "satui token" };
    let revoked = if find.revoked_now { " This scan revoked it." } else { "" };
    json!({
        "ruleId": rule,
        "ruleIndex": index,
        "level": level,
        "message": { "text": format!("{what} {}: {about}.{revoked}", find.hint) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(&find.file),
                "region": {
                    "startLine": find.position.line,
                    "startColumn": find.position.char_column,
                    "endLine": find.position.line,
                    "endColumn": find.position.char_column + TOKEN_LEN as u64,
                }
            }
        }],
        "partialFingerprints": { FINGERPRINT: fingerprint(find) },
    })
}

/// The whole log: one run, the two rules, a result per find, and the errors and notes as
/// notifications of the invocation.
pub fn log(report: &ScanReport) -> Value {
    let mut driver = json!({
        "name": "satui",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules(),
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = json!(uri);
    }
    let notification = |level: &str, text: &String| json!({ "level": level, "message": { "text": text } });
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| notification("error", e))
        .chain(report.notes.iter().map(|n| notification("note", n)))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": report.finds.iter().map(result).collect::<Vec<_>>(),
        }]
    })
}
