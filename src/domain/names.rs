//! Name rules for organizations, service accounts and tokens. Pure functions, no I/O: the service
//! layer and the UI form validators both call these, so a rule exists exactly once.

/// Longest service-account name, counted in characters after trimming.
pub const MAX_ACCOUNT_NAME_CHARS: usize = 190;
/// Longest organization name, counted in characters after trimming.
pub const MAX_ORG_NAME_CHARS: usize = 190;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// Longest token name (a DNS-label-like string).
pub const MAX_TOKEN_NAME_CHARS: usize = 63;
/// Names with this prefix belong to accounts that plugins manage.
pub const RESERVED_PREFIX: &str = "extsvc-";

/// Checks a display name (org or account) and returns it trimmed.
fn display_name(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(format!("{what} name must not be empty"));
    }
    if name.chars().any(is_forbidden_char) {
        return Err(format!("{what} name must not contain control characters"));
    }
    let count = name.chars().count();
    if count > max {
        return Err(format!("{what} name is {count} characters; the limit is {max}"));
    }
    Ok(name.to_string())
}

/// Control characters and the Unicode bidi overrides, isolates and marks, which can make a name
/// render as something it is not (the "Trojan Source" trick).
fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Validates a service-account name typed by an admin (the `extsvc-` prefix is refused).
pub fn validate_account_name(raw: &str) -> Result<String, String> {
    let name = display_name(raw, "account", MAX_ACCOUNT_NAME_CHARS)?;
    if name_key(&name).starts_with(RESERVED_PREFIX) {
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
    if text.chars().any(|c| c != '\n' && c != '\t' && is_forbidden_char(c)) {
        return Err("description must not contain control characters".to_string());
    }
    Ok(text.to_string())
}

/// The case-insensitive key that uniqueness is checked on (`CI-Bot` and `ci-bot` clash).
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
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

/// Token names follow `^[a-z0-9]+(?:-[a-z0-9]+)*$` and are at most 63 characters.
pub fn validate_token_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("token name must not be empty".to_string());
    }
    if name.len() > MAX_TOKEN_NAME_CHARS {
        return Err(format!("token name is {} characters; the limit is {MAX_TOKEN_NAME_CHARS}", name.chars().count()));
    }
    let shape_ok = name
        .split('-')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if !shape_ok {
        return Err("token name may use lowercase letters, digits and single dashes between them (e.g. deploy-main)"
            .to_string());
    }
    Ok(name.to_string())
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
    fn token_names() {
        assert!(validate_token_name("deploy-main").is_ok());
        for bad in ["", "Deploy", "a--b", "-a", "a-", "a_b", &"a".repeat(64)] {
            assert!(validate_token_name(bad).is_err(), "{bad:?} accepted");
        }
    }
}
