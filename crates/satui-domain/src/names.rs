//! Name rules for organizations, service accounts and tokens. Pure functions, no I/O: the service
//! layer and the UI form validators both call these, so a rule exists exactly once.

use super::text;

/// Longest service-account name, counted in characters after trimming.
pub const MAX_ACCOUNT_NAME_CHARS: usize = 190;
/// Longest organization name, counted in characters after trimming.
pub const MAX_ORG_NAME_CHARS: usize = 190;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest token name, counted in characters after trimming (as Grafana's).
pub const MAX_TOKEN_NAME_CHARS: usize = 190;
/// Longest login (`sa-<org>-<slug>`); slugs come from names of at most 190 characters.
pub const MAX_LOGIN_CHARS: usize = 220;
/// Names with this prefix belong to accounts that plugins manage.
pub const RESERVED_PREFIX: &str = "extsvc-";

/// Checks a display name (org, account, role, group, token) and returns it trimmed: not empty,
/// not too long, and nothing a terminal would act on or a reader could not see (see
/// [`super::text`]).
fn display_name(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("{what} name must not be empty"));
    }
    if let Some(reason) = text::forbidden_reason(name) {
        return Err(format!("{what} name must not contain {reason}"));
    }
    if text::fold_invisible(name).trim().is_empty() {
        return Err(format!("{what} name must contain a visible character"));
    }
    let count = name.chars().count();
    if count > max {
        return Err(format!("{what} name is {count} characters; the limit is {max}"));
    }
    Ok(name.to_string())
}

/// Validates a service-account name typed by an admin (the `extsvc-` prefix is refused).
pub fn validate_account_name(raw: &str) -> Result<String, String> {
    let name = display_name(raw, "account", MAX_ACCOUNT_NAME_CHARS)?;
    // The login is made from the slug, so "Extsvc Grafana Oncall App" would take the login a
    // plugin's account gets (sa-1-extsvc-grafana-oncall-app): the slug is checked too.
    if name_key(&name).starts_with(RESERVED_PREFIX) || slugify(&name).starts_with(RESERVED_PREFIX) {
        return Err(format!("names starting with '{RESERVED_PREFIX}' are reserved for plugin-managed accounts"));
    }
    Ok(name)
}

/// Validates a name given to a managed account (the reserved prefix is allowed here).
pub fn validate_managed_account_name(raw: &str) -> Result<String, String> {
    display_name(raw, "account", MAX_ACCOUNT_NAME_CHARS)
}

/// Validates an organization name.
pub fn validate_org_name(raw: &str) -> Result<String, String> {
    display_name(raw, "organization", MAX_ORG_NAME_CHARS)
}

/// Validates a role or group name (same shape as other display names).
pub fn validate_label_name(raw: &str, what: &str) -> Result<String, String> {
    display_name(raw, what, MAX_ORG_NAME_CHARS)
}

/// Validates a description: at most 500 characters, no control characters except newlines and tabs.
pub fn validate_description(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    let count = text.chars().count();
    if count > MAX_DESCRIPTION_CHARS {
        return Err(format!("description is {count} characters; the limit is {MAX_DESCRIPTION_CHARS}"));
    }
    if let Some(reason) = text::forbidden_reason(&text.replace(['\n', '\t'], " ")) {
        return Err(format!("description must not contain {reason}"));
    }
    Ok(text.to_string())
}

/// The key that uniqueness is checked on: case-insensitive, and blind to what cannot be seen
/// (`CI-Bot`, `ci-bot` and `ci\u{200B}-bot` all clash; so do names that differ only in the kind
/// or number of spaces).
pub fn name_key(name: &str) -> String {
    text::fold_invisible(name.trim()).to_lowercase()
}

/// The slug of a login: lowercase ASCII letters and digits, every other run of characters becomes
/// one `-`, no leading or trailing `-`. A name with no ASCII letters or digits gets `account`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() { "account".to_string() } else { slug }
}

/// The login of an account: `sa-<orgId>-<slug>`, plus `-<n>` when the plain form is taken.
pub fn login_for(org_id: i64, slug: &str, attempt: u32) -> String {
    if attempt <= 1 { format!("sa-{org_id}-{slug}") } else { format!("sa-{org_id}-{slug}-{attempt}") }
}

/// Token names: 1..=190 characters after trimming, with the same character rules as account
/// names (Grafana and Terraform users name tokens like `CI token`). Uniqueness among an account's
/// live tokens is case-insensitive ([`name_key`]).
pub fn validate_token_name(raw: &str) -> Result<String, String> {
    display_name(raw, "token", MAX_TOKEN_NAME_CHARS)
}

/// A login as satui makes them: `sa-<org id>-<slug>` where the slug is lowercase ASCII letters
/// and digits in dash-separated runs (a `-2` suffix included).
pub fn validate_login(login: &str) -> Result<String, String> {
    let malformed = || format!("login '{}' is not of the form sa-<org id>-<slug>", super::text::for_terminal(login));
    let rest = login.strip_prefix("sa-").ok_or_else(malformed)?;
    let (org, slug) = rest.split_once('-').ok_or_else(malformed)?;
    let org_ok = !org.is_empty() && org.len() <= 19 && org.bytes().all(|b| b.is_ascii_digit());
    let slug_ok = slug
        .split('-')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if !org_ok || !slug_ok || login.len() > MAX_LOGIN_CHARS {
        return Err(malformed());
    }
    Ok(login.to_string())
}

/// The org number and slug of a well-formed login (`sa-2-ci-bot` → `(2, "ci-bot")`).
pub fn login_parts(login: &str) -> Option<(i64, &str)> {
    let (org, slug) = login.strip_prefix("sa-")?.split_once('-')?;
    Some((org.parse().ok()?, slug))
}

/// Plugin ids look like `grafana-oncall-app`: lowercase letters, digits and single dashes.
pub fn validate_plugin_id(id: &str) -> Result<String, String> {
    let id = id.trim();
    let ok = !id.is_empty()
        && id.len() <= 100
        && id
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if ok {
        Ok(id.to_string())
    } else {
        Err(format!("plugin id '{}' must be lowercase letters, digits and single dashes", text::for_terminal(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_collapses_runs_and_trims() {
        assert_eq!(slugify("  CI Deployer!! 2 "), "ci-deployer-2");
        assert_eq!(slugify("émoji 🚀"), "moji");
        assert_eq!(slugify("🚀"), "account");
    }

    #[test]
    fn logins() {
        for good in ["sa-1-ci-bot", "sa-12-account", "sa-3-ci-bot-2"] {
            assert_eq!(validate_login(good).as_deref(), Ok(good));
        }
        for bad in ["", "sa-", "sa-1-", "sa-x-bot", "sa-1-Bot", "sa-1-a--b", "bot", "sa-1-a b", "sa-1-é"] {
            assert!(validate_login(bad).is_err(), "{bad:?} accepted");
        }
    }
}
