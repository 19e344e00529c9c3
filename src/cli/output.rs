//! Text tables and JSON shapes for command output. Everything the CLI prints goes out through
//! [`say`], [`table`] or [`print_json`], which escape stored text for the terminal (control
//! characters, escape sequences, newlines, bidi and invisible characters), so an imported or
//! foreign-written name can neither act on the terminal nor forge extra lines.

use serde_json::{Value, json};

use crate::domain::text::{for_terminal, is_forbidden_in_name};

/// `println!` for lines that quote stored or typed text: the whole line is escaped for the
/// terminal (satui's own format strings hold no control characters, so only quoted text changes).
macro_rules! say {
    () => {
        println!()
    };
    ($($arg:tt)*) => {
        println!("{}", $crate::domain::text::for_terminal(&format!($($arg)*)))
    };
}

/// `eprintln!` with the same escaping as [`say`].
macro_rules! say_err {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::domain::text::for_terminal(&format!($($arg)*)))
    };
}

pub(crate) use {say, say_err};

use crate::domain::expiry::{TokenStatus, describe_state};
use crate::domain::time;
use crate::service::{Account, AuditEvent, Org, Token};

/// Prints rows as left-aligned columns under a header; every cell is escaped for the terminal
/// and measured by the cells it takes on screen.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let cells = |row: &[String]| row.iter().map(|c| for_terminal(c).into_owned()).collect::<Vec<_>>();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let width = |text: &str| unicode_width::UnicodeWidthStr::width(text);
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell.as_str()));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.extend(std::iter::repeat_n(' ', widths[i] - width(cell) + 2));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// JSON for scripts. serde escapes ASCII control characters; the rest of what a terminal could
/// act on or hide (C1 controls, bidi and invisible characters) is written as `\uXXXX` too, which
/// is the same JSON value.
pub fn print_json(value: &Value) {
    println!("{}", json_text(value));
}

pub fn json_text(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    if !text.chars().any(|c| !c.is_ascii() && is_forbidden_in_name(c)) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !c.is_ascii() && is_forbidden_in_name(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn opt_time(ts: Option<i64>) -> Value {
    ts.map_or(Value::Null, |t| Value::String(time::rfc3339(t)))
}

pub fn org_json(org: &Org) -> Value {
    json!({
        "id": org.id,
        "name": org.name,
        "max_token_lifetime_days": org.max_token_lifetime_days,
        "created_at": time::rfc3339(org.created_at),
    })
}

pub fn account_json(account: &Account) -> Value {
    json!({
        "id": account.id,
        "org_id": account.org_id,
        "name": account.name,
        "login": account.login,
        "description": account.description,
        "role": account.role,
        "disabled": account.disabled,
        "managed_by": account.managed_by,
        "created_at": time::rfc3339(account.created_at),
        "updated_at": time::rfc3339(account.updated_at),
    })
}

pub fn token_json(token: &Token, account_disabled: bool, now: i64) -> Value {
    let status = token.status(account_disabled, now);
    json!({
        "id": token.id,
        "account_id": token.sa_id,
        "name": token.name,
        "hint": token.hint,
        "status": status,
        "created_at": time::rfc3339(token.created_at),
        "expires_at": opt_time(token.expires_at),
        // The one instant it stops working (expiry, or the end of a rotation's grace).
        "ends_at": opt_time(token.ends_at()),
        "seconds_until_expiration": token.ends_at().map(|at| (at - now).max(0)),
        "has_expired": matches!(status, TokenStatus::Expired),
        "extended": token.extended(),
        "max_age_days": token.max_age_days,
        "last_used_at": opt_time(token.last_used_at),
        "revoked_at": opt_time(token.revoked_at),
        "retiring_until": opt_time(token.revoked_at.filter(|at| *at > now)),
        "rotated_from": token.rotated_from,
        "imported": token.imported,
    })
}

pub fn token_row(token: &Token, account_disabled: bool, now: i64) -> Vec<String> {
    let status = token.status(account_disabled, now);
    vec![
        token.id.to_string(),
        token.name.clone(),
        token.hint.clone(),
        status.label().to_string(),
        describe_state(status, token.expires_at, token.revoked_at, now, true),
        token.max_age_days.map_or("-".to_string(), |d| format!("{d} d")),
        token.last_used_at.map_or("never".to_string(), time::date_time),
    ]
}

pub const TOKEN_HEADER: [&str; 7] = ["ID", "NAME", "HINT", "STATUS", "EXPIRY", "EXTENDED", "LAST USED"];

pub fn event_json(event: &AuditEvent) -> Value {
    json!({
        "id": event.id,
        "at": time::rfc3339(event.at),
        "org_id": event.org_id,
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "details": event.details,
    })
}
