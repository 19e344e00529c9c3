//! What an import file may hold: exactly what the commands could have made. Every value goes
//! through the validator its command uses (names, logins, hints, descriptions, plugin ids,
//! permissions, day counts), and the facts that only hold across values are checked here:
//! reserved and managed roles, at most 20 live tokens, consistent dates. The first violation
//! refuses the whole file, naming it; nothing is written.

use std::collections::{HashMap, HashSet};

use super::MAX_LIVE_TOKENS;
use super::export_format::{AccountExport, Export, FORMAT, OrgExport, RoleExport, TokenExport, VERSION};
use super::roles::reserved_role_name;
use satui_domain::expiry::{self, DAY};
use satui_domain::names::{self, RESERVED_PREFIX, name_key};
use satui_domain::permission::{self, Catalog};
use satui_domain::role::BasicRole;
use satui_domain::text::for_terminal;
use satui_domain::token;

/// 2000-01-01: no satui store is older; an earlier time is a forged value.
const EARLIEST: i64 = 946_684_800;
/// 9999-12-31T23:59:59Z. Not "now": the file may come from a machine whose clock runs ahead
/// (times only have to be consistent with each other), but nothing past the calendar's end.
const LATEST: i64 = 253_402_300_799;

pub(super) type Check = std::result::Result<(), String>;

fn fail<T>(message: String) -> std::result::Result<T, String> {
    Err(message)
}

/// The largest org id an import restores (a login's org number): far above any real store.
pub(super) const MAX_ORG_ID: i64 = 1_000_000_000;

/// Checks a whole export against every rule, as of `now`.
pub(super) fn check(data: &Export, now: i64) -> Check {
    if data.format != FORMAT || data.version != VERSION {
        return fail(format!("not a {FORMAT} version {VERSION} file"));
    }
    if data.orgs.is_empty() {
        return fail("the file holds no organization".into());
    }
    let mut org_keys = HashSet::new();
    let mut logins = HashSet::new();
    let mut plugins = HashSet::new();
    let mut login_orgs = HashSet::new();
    for org in &data.orgs {
        let org_name = names::validate_org_name(&org.name)?;
        if org_name != org.name {
            return fail(format!("organization '{}' has spaces around its name", for_terminal(&org.name)));
        }
        if !org_keys.insert(name_key(&org.name)) {
            return fail(format!("organization '{}' appears twice", for_terminal(&org.name)));
        }
        if let Some(cap) = org.max_token_lifetime_days {
            expiry::validate_days(cap.into(), "max token lifetime")?;
        }
        instant(org.created_at, &format!("organization '{}' created_at", for_terminal(&org.name)))?;
        check_org(org, now, &mut logins, &mut plugins).map_err(|m| format!("{}: {m}", for_terminal(&org.name)))?;
        // The org's accounts all carry one org number in their logins, and no other org's: the
        // import gives the org that id, so `sa-2-…` always names an account of org 2 (a
        // forward-auth proxy trusts X-Satui-Login).
        if let Some(number) = login_org(org).map_err(|m| format!("{}: {m}", for_terminal(&org.name)))?
            && !login_orgs.insert(number)
        {
            return fail(format!(
                "{}: its logins name org {number}, as another organization's do",
                for_terminal(&org.name)
            ));
        }
    }
    Ok(())
}

/// The org number the logins of an org's accounts name (None for an org without accounts).
pub(super) fn login_org(org: &OrgExport) -> std::result::Result<Option<i64>, String> {
    let mut number = None;
    for a in &org.accounts {
        let (org_number, _) = names::login_parts(&a.login)
            .ok_or_else(|| format!("account '{}': login is malformed", for_terminal(&a.name)))?;
        if !(1..=MAX_ORG_ID).contains(&org_number) {
            return Err(format!(
                "account '{}': login names org {org_number}, beyond any org id",
                for_terminal(&a.name)
            ));
        }
        match number {
            None => number = Some(org_number),
            Some(n) if n == org_number => {}
            Some(n) => {
                return Err(format!(
                    "account '{}': login '{}' names org {org_number}, the others org {n}",
                    for_terminal(&a.name),
                    for_terminal(&a.login)
                ));
            }
        }
    }
    Ok(number)
}

/// A time that could have been read off a clock: from 2000 to the end of year 9999.
fn instant(at: i64, what: &str) -> Check {
    if !(EARLIEST..=LATEST).contains(&at) {
        return fail(format!("{what} is out of range ({at})"));
    }
    Ok(())
}

/// A stored name is exactly what validation makes of it (trimmed, allowed characters).
fn exact(validated: std::result::Result<String, String>, raw: &str, what: &str) -> Check {
    if validated? != raw {
        return fail(format!("{what} '{}' has spaces around it", for_terminal(raw)));
    }
    Ok(())
}

fn check_org(org: &OrgExport, now: i64, logins: &mut HashSet<String>, plugins: &mut HashSet<String>) -> Check {
    let catalog = Catalog::get();
    // Custom roles by key; managed roles by plugin.
    let mut custom_roles = HashSet::new();
    let mut managed_roles: HashMap<String, String> = HashMap::new();
    let mut role_keys = HashSet::new();
    for role in &org.roles {
        check_role(role)?;
        if !role_keys.insert(name_key(&role.name)) {
            return fail(format!("role '{}' appears twice", for_terminal(&role.name)));
        }
        match &role.managed_by {
            Some(plugin) => {
                managed_roles.insert(name_key(&role.name), plugin.clone());
            }
            None => {
                custom_roles.insert(name_key(&role.name));
            }
        }
    }
    // A role an account or group may be given: a fixed role or one of the org's custom roles.
    let assignable = |name: &str, holder: &str| -> Check {
        if name.parse::<BasicRole>().is_ok() {
            return fail(format!("{holder} holds basic role '{name}' as an extra role; it has exactly one"));
        }
        if custom_roles.contains(&name_key(name)) || catalog.fixed_role(name).is_some() {
            return Ok(());
        }
        if managed_roles.contains_key(&name_key(name)) {
            return fail(format!("{holder} holds '{}', which only its plugin's account may hold", for_terminal(name)));
        }
        fail(format!("{holder} holds unknown role '{}'", for_terminal(name)))
    };
    let mut account_keys = HashMap::new();
    let mut managed_accounts = HashSet::new();
    for a in &org.accounts {
        let holder = format!("account '{}'", for_terminal(&a.name));
        check_account(a, now, &managed_roles).map_err(|m| format!("{holder}: {m}"))?;
        if account_keys.insert(name_key(&a.name), a.managed_by.is_some()).is_some() {
            return fail(format!("{holder} appears twice"));
        }
        if !logins.insert(a.login.clone()) {
            return fail(format!("{holder}: login '{}' is used twice", for_terminal(&a.login)));
        }
        match &a.managed_by {
            Some(plugin) => {
                if !plugins.insert(plugin.clone()) {
                    return fail(format!("plugin {plugin} manages more than one account; a plugin has one"));
                }
                managed_accounts.insert(plugin.clone());
            }
            None => {
                let mut held = HashSet::new();
                for role in &a.roles {
                    assignable(role, &holder)?;
                    if !held.insert(name_key(role)) {
                        return fail(format!("{holder} holds '{}' twice", for_terminal(role)));
                    }
                }
            }
        }
    }
    for (role, plugin) in &managed_roles {
        if !managed_accounts.contains(plugin) {
            return fail(format!(
                "role '{}' is managed by plugin {plugin}, which has no account here",
                for_terminal(role)
            ));
        }
    }
    let mut group_keys = HashSet::new();
    for g in &org.groups {
        let holder = format!("group '{}'", for_terminal(&g.name));
        exact(names::validate_label_name(&g.name, "group"), &g.name, "group name")?;
        names::validate_description(&g.description).map_err(|m| format!("{holder}: {m}"))?;
        instant(g.created_at, &format!("{holder} created_at"))?;
        if !group_keys.insert(name_key(&g.name)) {
            return fail(format!("{holder} appears twice"));
        }
        let mut members = HashSet::new();
        for member in &g.members {
            match account_keys.get(&name_key(member)) {
                None => return fail(format!("{holder} lists unknown member '{}'", for_terminal(member))),
                Some(true) => {
                    return fail(format!("managed account '{}' cannot be a group member", for_terminal(member)));
                }
                Some(false) => {}
            }
            if !members.insert(name_key(member)) {
                return fail(format!("{holder} lists '{}' twice", for_terminal(member)));
            }
        }
        let mut held = HashSet::new();
        for role in &g.roles {
            assignable(role, &holder)?;
            if !held.insert(name_key(role)) {
                return fail(format!("{holder} holds '{}' twice", for_terminal(role)));
            }
        }
    }
    Ok(())
}

fn check_role(role: &RoleExport) -> Check {
    let shown = for_terminal(&role.name);
    exact(names::validate_label_name(&role.name, "role"), &role.name, "role name")?;
    names::validate_description(&role.description).map_err(|m| format!("role '{shown}': {m}"))?;
    match &role.managed_by {
        // A role of a plugin is named `managed:<plugin id>`, nothing else.
        Some(plugin) => {
            names::validate_plugin_id(plugin).map_err(|m| format!("role '{shown}': {m}"))?;
            if role.name != format!("managed:{plugin}") {
                return fail(format!("role '{shown}' is managed by {plugin} but not named managed:{plugin}"));
            }
        }
        None if reserved_role_name(&role.name) => {
            return fail(format!("role '{shown}' has a name reserved for built-in and plugin roles"));
        }
        None => {}
    }
    let mut seen = HashSet::new();
    for p in &role.permissions {
        let checked = permission::validate_permission(&p.action, &p.scope, role.managed_by.as_deref())
            .map_err(|m| format!("role '{shown}': {}", for_terminal(&m)))?;
        if checked != *p || !seen.insert(checked) {
            return fail(format!(
                "role '{shown}': permission {} is listed twice or untrimmed",
                for_terminal(&p.action)
            ));
        }
    }
    Ok(())
}

fn check_account(a: &AccountExport, now: i64, managed_roles: &HashMap<String, String>) -> Check {
    match &a.managed_by {
        Some(plugin) => {
            names::validate_plugin_id(plugin)?;
            if a.name != format!("{RESERVED_PREFIX}{plugin}") {
                return fail(format!("a managed account is named {RESERVED_PREFIX}{plugin}"));
            }
            // As `plugin register` makes it: basic role None, enabled, the login of its name.
            if a.role != BasicRole::None || a.disabled {
                return fail(
                    "a managed account has basic role None and is enabled, as plugin register makes it".into(),
                );
            }
            let slug_ok = names::login_parts(&a.login).is_some_and(|(_, slug)| slug == names::slugify(&a.name));
            if !slug_ok {
                return fail(format!("a managed account's login is sa-<org>-{}", names::slugify(&a.name)));
            }
            // Exactly its plugin's role, and nothing else.
            let own = format!("managed:{plugin}");
            let holds_own = a.roles.len() == 1 && name_key(&a.roles[0]) == name_key(&own);
            if !holds_own || managed_roles.get(&name_key(&own)) != Some(plugin) {
                return fail(format!("a managed account holds exactly its plugin's role {own}"));
            }
        }
        None => exact(names::validate_account_name(&a.name), &a.name, "account name")?,
    }
    names::validate_description(&a.description)?;
    names::validate_login(&a.login)?;
    // The extsvc- namespace of logins belongs to plugins' accounts.
    if a.managed_by.is_none() && names::login_parts(&a.login).is_some_and(|(_, slug)| slug.starts_with(RESERVED_PREFIX))
    {
        return fail(format!(
            "login '{}' is in the {RESERVED_PREFIX} namespace of plugin accounts",
            for_terminal(&a.login)
        ));
    }
    instant(a.created_at, "created_at")?;
    instant(a.updated_at, "updated_at")?;
    if a.updated_at < a.created_at {
        return fail("updated_at is before created_at".into());
    }
    let mut live_names = HashSet::new();
    let mut live = 0;
    for t in &a.tokens {
        check_token(t, a).map_err(|m| format!("token '{}': {m}", for_terminal(&t.name)))?;
        let revoked = t.revoked_at.is_some_and(|at| at <= now);
        let expired = expiry::is_expired(t.expires_at, now);
        if t.revoked_at.is_none() && !live_names.insert(name_key(&t.name)) {
            return fail(format!("two unrevoked tokens are named '{}'", for_terminal(&t.name)));
        }
        if !revoked && !expired {
            live += 1;
        }
    }
    if live > MAX_LIVE_TOKENS {
        return fail(format!("{live} live tokens; an account holds at most {MAX_LIVE_TOKENS}"));
    }
    Ok(())
}

fn check_token(t: &TokenExport, a: &AccountExport) -> Check {
    exact(names::validate_token_name(&t.name), &t.name, "token name")?;
    token::validate_hint(&t.hint)?;
    instant(t.created_at, "created_at")?;
    if t.created_at < a.created_at {
        return fail("created before its account".into());
    }
    if let Some(used) = t.last_used_at {
        instant(used, "last_used_at")?;
        if used < t.created_at {
            return fail("used before it was created".into());
        }
    }
    let days = |d: u32, what: &str| expiry::validate_days(i64::from(d), what).map(|d| i64::from(d) * DAY);
    match (t.lifetime_days, t.expires_at) {
        (None, None) => {
            if t.max_age_days.is_some() {
                return fail("Extended needs a lifetime".into());
            }
        }
        (Some(lifetime), Some(expires_at)) => {
            let lifetime = days(lifetime, "lifetime")?;
            let mut latest = t.created_at + lifetime;
            if let Some(max_age) = t.max_age_days {
                // Each use may push the expiry to that use + max age.
                let last_use = t.last_used_at.unwrap_or(t.created_at);
                latest = latest.max(last_use + days(max_age, "max age")?);
            }
            if expires_at <= t.created_at || expires_at > latest {
                return fail(format!("expires_at {expires_at} does not fit its lifetime"));
            }
        }
        _ => return fail("a lifetime and an expiry go together (both or neither)".into()),
    }
    if let Some(revoked) = t.revoked_at {
        instant(revoked, "revoked_at")?;
        if revoked < t.created_at {
            return fail("revoked before it was created".into());
        }
    }
    Ok(())
}
