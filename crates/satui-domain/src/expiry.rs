//! Token lifetimes, the org cap, sliding ("Extended") expiry and token status. Times are Unix
//! seconds passed in by the caller, so every rule here is testable without a clock.

use serde::Serialize;

pub const DAY: i64 = 86_400;
pub const MAX_DAYS: i64 = 3650;
/// A token expiring within this many days shows as "expiring soon".
pub const EXPIRING_SOON_DAYS: i64 = 7;
/// The lifetime the UI form and the CLI pick when none is given.
pub const DEFAULT_LIFETIME_DAYS: u32 = 30;
/// The max age the UI form offers when Extended is switched on.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 30;

/// How long a new token lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifetime {
    Never,
    Days(u32),
    /// An explicit instant (a date picked by the admin).
    Until(i64),
}

/// What a token request asks for, before it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiryRequest {
    pub lifetime: Lifetime,
    /// `Some(max_age_days)` when Extended is on.
    pub extended_max_age_days: Option<i64>,
}

/// Which input an expiry error is about, so a form can put the message under the right field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryField {
    Lifetime,
    MaxAge,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiryError {
    pub field: ExpiryField,
    pub message: String,
}

fn err(field: ExpiryField, message: String) -> ExpiryError {
    ExpiryError { field, message }
}

/// Checks a number of days typed by a user: 1..=3650.
pub fn validate_days(days: i64, what: &str) -> Result<u32, String> {
    if days <= 0 {
        return Err(format!("{what} must be at least 1 day (got {days})"));
    }
    if days > MAX_DAYS {
        return Err(format!("{what} must be at most {MAX_DAYS} days (got {days})"));
    }
    Ok(days as u32)
}

/// The checked expiry settings of a new token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expiry {
    pub expires_at: Option<i64>,
    pub max_age_days: Option<u32>,
}

/// Turns a request into an expiry, enforcing every rule: positive lifetimes, the 3650-day limit,
/// a date in the future, the org cap, and "Extended needs a lifetime".
pub fn resolve(request: ExpiryRequest, org_cap_days: Option<u32>, now: i64) -> Result<Expiry, ExpiryError> {
    use ExpiryField::{Lifetime as LifetimeField, MaxAge};
    let expires_at = match request.lifetime {
        Lifetime::Never => {
            if let Some(cap) = org_cap_days {
                return Err(err(
                    LifetimeField,
                    format!("this organization caps token lifetime at {cap} days, so a token must expire"),
                ));
            }
            None
        }
        Lifetime::Days(days) => {
            let days = validate_days(days as i64, "lifetime").map_err(|m| err(LifetimeField, m))?;
            if let Some(cap) = org_cap_days.filter(|&cap| days > cap) {
                return Err(err(
                    LifetimeField,
                    format!("lifetime of {days} days exceeds this organization's cap of {cap} days"),
                ));
            }
            Some(now + days as i64 * DAY)
        }
        Lifetime::Until(at) => {
            if at <= now {
                return Err(err(LifetimeField, "expiry date must be in the future".to_string()));
            }
            let limit_days = org_cap_days.map(i64::from).unwrap_or(MAX_DAYS);
            if at > now + limit_days * DAY {
                return Err(err(LifetimeField, format!("expiry date is more than {limit_days} days away")));
            }
            Some(at)
        }
    };
    let max_age_days = match request.extended_max_age_days {
        None => None,
        Some(_) if expires_at.is_none() => {
            return Err(err(
                MaxAge,
                "Extended needs a lifetime: a token that never expires has nothing to extend".to_string(),
            ));
        }
        Some(days) => {
            let days = validate_days(days, "max age").map_err(|m| err(MaxAge, m))?;
            if let Some(cap) = org_cap_days.filter(|&cap| days > cap) {
                return Err(err(
                    MaxAge,
                    format!("max age of {days} days exceeds this organization's cap of {cap} days"),
                ));
            }
            Some(days)
        }
    };
    Ok(Expiry { expires_at, max_age_days })
}

/// The new expiry after a successful use of an Extended token: `max(expires_at, now + max_age)`,
/// but never past `created_at + cap` (the cap is the org's current setting).
pub fn extend(expires_at: i64, max_age_days: u32, created_at: i64, org_cap_days: Option<u32>, now: i64) -> i64 {
    let wanted = expires_at.max(now + max_age_days as i64 * DAY);
    match org_cap_days {
        Some(cap) => wanted.min(created_at + cap as i64 * DAY).max(expires_at),
        None => wanted,
    }
}

/// A token is expired from the instant `expires_at` is reached.
pub fn is_expired(expires_at: Option<i64>, now: i64) -> bool {
    expires_at.is_some_and(|at| at <= now)
}

/// When a token stops (or stopped) working: the earliest of its expiry and its revocation, where
/// a revocation in the future is the end of a rotation's grace. An Extended token's expiry is
/// already its last recorded use plus the max age, bounded by the org cap (each recorded use
/// slides it, see [`extend`]), so the stored expiry is its end. `None`: it never ends.
///
/// Every surface uses this one instant: lists and their order, filters, counts, `token verify`,
/// the API's `expiration`, the export and the scan report. The store keeps the same formula as
/// the generated column `tokens.ends_at` (migration 007), which the lists walk.
pub fn ends_at(expires_at: Option<i64>, revoked_at: Option<i64>) -> Option<i64> {
    match (expires_at, revoked_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether a token whose end is `ends_at` still works at `now` (its account permitting).
pub fn is_live(ends_at: Option<i64>, now: i64) -> bool {
    ends_at.is_none_or(|at| at > now)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenStatus {
    Active,
    ExpiringSoon,
    /// Rotated with a grace period: still valid until its revocation time.
    Retiring,
    Expired,
    Revoked,
    /// The token is fine but its account is disabled.
    Inactive,
    /// Imported from an export: its secret was never in the file, so it cannot authenticate
    /// until rotated.
    Imported,
}

impl TokenStatus {
    pub fn of(expires_at: Option<i64>, revoked_at: Option<i64>, account_disabled: bool, now: i64) -> TokenStatus {
        if revoked_at.is_some_and(|at| at <= now) {
            TokenStatus::Revoked
        } else if is_expired(expires_at, now) {
            TokenStatus::Expired
        } else if revoked_at.is_some() {
            TokenStatus::Retiring
        } else if account_disabled {
            TokenStatus::Inactive
        } else if expires_at.is_some_and(|at| at - now <= EXPIRING_SOON_DAYS * DAY) {
            TokenStatus::ExpiringSoon
        } else {
            TokenStatus::Active
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::ExpiringSoon => "expiring soon",
            TokenStatus::Retiring => "retiring",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
            TokenStatus::Inactive => "inactive",
            TokenStatus::Imported => "imported",
        }
    }

    /// Whether a token in this state authenticates (its account permitting).
    pub fn authenticates(self) -> bool {
        matches!(self, TokenStatus::Active | TokenStatus::ExpiringSoon | TokenStatus::Retiring)
    }

    /// Live, as upkeep, `plugin list` and `satui scan` count it: neither revoked nor expired,
    /// whatever its account's state (docs/choices.md).
    pub fn is_live(self) -> bool {
        !matches!(self, TokenStatus::Revoked | TokenStatus::Expired)
    }
}

/// The one wording of when a token stops or stopped working, for every list (CLI, UI):
/// "expires in 30 d (2026-12-23)", "never expires", "expired 2026-10-01",
/// "revoked 2026-11-23", "retiring until 2026-11-24 13:00". `dates` adds the date to a relative
/// time where there is room.
pub fn describe_state(
    status: TokenStatus,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    now: i64,
    dates: bool,
) -> String {
    let date = |at: i64| super::time::date(at);
    match status {
        TokenStatus::Revoked => format!("revoked {}", revoked_at.map(date).unwrap_or_default()),
        TokenStatus::Expired => format!("expired {}", expires_at.map(date).unwrap_or_default()),
        TokenStatus::Retiring => {
            format!("retiring until {}", revoked_at.map(super::time::date_time).unwrap_or_default())
        }
        _ => match expires_at {
            None => "never expires".to_string(),
            Some(at) if dates => format!("expires in {} ({})", span(at - now), date(at)),
            Some(at) => format!("expires in {}", span(at - now)),
        },
    }
}

/// The longest rotation grace: a week.
pub const MAX_GRACE_SECONDS: i64 = 7 * DAY;

/// A rotation's grace period typed by an admin: `now` or `0`, or a duration such as `1h`,
/// `24h`, `7d`, `90m`, `1h30m` (at most 7 days). In seconds.
pub fn parse_grace(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if text.is_empty() || text == "now" || text == "0" {
        return Ok(0);
    }
    if text.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("grace '{text}' needs a unit: s, m, h or d (e.g. 24h)"));
    }
    // humantime reads "1h", "90m", "1h30m", "1h 30m", "7d", "1 week".
    let duration = humantime::parse_duration(text)
        .map_err(|_| format!("grace '{text}' is not a duration such as 1h, 24h or 7d"))?;
    let total = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
    if total > MAX_GRACE_SECONDS {
        return Err(format!("a grace period is at most 7 days (got {})", span(total)));
    }
    Ok(total)
}

/// "in 12 d", "in 5 h", "expired 3 d ago", "never".
pub fn describe_expiry(expires_at: Option<i64>, now: i64) -> String {
    match expires_at {
        None => "never expires".to_string(),
        Some(at) if at <= now => format!("expired {} ago", span(now - at)),
        Some(at) => format!("expires in {}", span(at - now)),
    }
}

/// A short human span, rounded to the nearest unit: "3 d", "5 h", "12 min", "40 s" (so a
/// 30-day token a few seconds old still reads "30 d").
pub fn span(seconds: i64) -> String {
    let round = |unit: i64| (seconds + unit / 2) / unit;
    match seconds {
        s if s >= DAY => format!("{} d", round(DAY)),
        s if s >= 3600 => format!("{} h", round(3600)),
        s if s >= 60 => format!("{} min", round(60)),
        s => format!("{s} s"),
    }
}
