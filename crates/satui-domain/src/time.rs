//! Formatting of Unix-second timestamps for people and for JSON.

use chrono::{DateTime, NaiveDate, Utc};

/// `2026-11-02`
pub fn date(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "?".to_string())
}

/// `2026-11-02 14:05`
pub fn date_time(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "?".to_string())
}

/// RFC 3339, for JSON output: `2026-11-02T14:05:00Z`.
pub fn rfc3339(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| "?".to_string())
}

/// Parses `YYYY-MM-DD` into the Unix second at the start of that day, UTC.
pub fn parse_date(text: &str) -> Result<i64, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp())
        .ok_or_else(|| format!("'{}' is not a date in the form YYYY-MM-DD", text.trim()))
}
