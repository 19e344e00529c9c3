//! Permissions `{action, scope}` and Grafana's scope matching. Pure: the catalog of known actions
//! and built-in roles is parsed from `assets/permissions.json`, compiled into the binary.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::role::BasicRole;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Permission {
    pub action: String,
    /// Empty means any scope.
    #[serde(default)]
    pub scope: String,
}

impl Permission {
    pub fn new(action: &str, scope: &str) -> Permission {
        Permission { action: action.to_string(), scope: scope.to_string() }
    }

    /// `dashboards:read on folders:*` / `dashboards:read (any scope)`.
    pub fn describe(&self) -> String {
        if self.scope.is_empty() { self.action.clone() } else { format!("{} {}", self.action, self.scope) }
    }
}

/// What every scope naming one service account starts with.
pub const ACCOUNT_SCOPE_PREFIX: &str = "serviceaccounts:id:";

/// The scope naming one service account, as Grafana writes it (`serviceaccounts:id:6`).
pub fn account_scope(account_id: i64) -> String {
    format!("{ACCOUNT_SCOPE_PREFIX}{account_id}")
}

/// The account a scope names, when it is exactly [`account_scope`] of one (`serviceaccounts:id:05`
/// is not: scopes compare as text).
pub fn scoped_account(scope: &str) -> Option<i64> {
    let id = scope.strip_prefix(ACCOUNT_SCOPE_PREFIX)?.parse::<i64>().ok()?;
    (account_scope(id) == scope).then_some(id)
}

/// Whether a granted scope covers a requested one. A grant ending in `*` matches by prefix
/// (`folders:uid:*` covers `folders:uid:abc`, `*` covers everything); an empty grant covers any
/// scope. Wildcards are whole segments (see [`validate_scope`]), so `folders:*` never matches
/// `foldersx:...`.
pub fn scope_matches(granted: &str, requested: &str) -> bool {
    if granted.is_empty() || granted == "*" {
        return true;
    }
    match granted.strip_suffix('*') {
        Some(prefix) => requested.starts_with(prefix),
        None => granted == requested,
    }
}

/// Whether any of `grants` allows `action` on `scope` (an empty requested scope asks only about
/// the action).
pub fn allows<'a>(grants: impl IntoIterator<Item = &'a Permission>, action: &str, scope: &str) -> bool {
    grants.into_iter().any(|p| p.action == action && (scope.is_empty() || scope_matches(&p.scope, scope)))
}

/// Whether `grants` cover `wanted` in full: the same action on a scope at least as wide (an
/// empty wanted scope, "any scope", is covered only by an empty or `*` grant). What a caller may
/// hand out: never a permission it does not hold itself.
pub fn covers<'a>(grants: impl IntoIterator<Item = &'a Permission>, wanted: &Permission) -> bool {
    grants.into_iter().any(|g| {
        g.action == wanted.action
            && (g.scope.is_empty()
                || g.scope == "*"
                || (!wanted.scope.is_empty() && scope_matches(&g.scope, &wanted.scope)))
    })
}

/// A scope is empty, `*`, or `kind(:attribute(:identifier)?)?` where `*` may only stand as the
/// whole last segment: `folders:*`, `folders:uid:*`, `folders:uid:abc`.
pub fn validate_scope(scope: &str) -> Result<String, String> {
    let scope = scope.trim();
    if scope.is_empty() || scope == "*" {
        return Ok(scope.to_string());
    }
    if scope.len() > 200 {
        return Err("scope is longer than 200 characters".to_string());
    }
    let segments: Vec<&str> = scope.split(':').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        let ok = if *segment == "*" {
            i == last && i > 0
        } else {
            !segment.is_empty()
                && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
        };
        if !ok {
            return Err(format!(
                "malformed scope '{scope}': use kind:attribute:identifier with '*' only as a whole last segment (e.g. folders:uid:*)"
            ));
        }
    }
    Ok(scope.to_string())
}

/// An action looks like `dashboards:read` or `alert.rules:write`.
pub fn action_shape_ok(action: &str) -> bool {
    // Grafana's actions are `kind:verb` (`alert.rules:read`), a few have no verb part
    // (`featuremgmt.read`) and app-platform ones carry a group path
    // (`notifications.alerting.grafana.app/routingtrees:read`).
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 200
            && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
    };
    match action.split_once(':') {
        Some((kind, verb)) => ok(kind) && ok(verb) && !verb.contains(':'),
        None => ok(action) && action.contains('.'),
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct ActionInfo {
    pub action: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct FixedRole {
    pub name: String,
    #[serde(default)]
    pub display_name: String,
    /// Grafana's role group ("Dashboards", "Alerting", ...), for listing 90 roles navigably.
    #[serde(default)]
    pub group: String,
    /// The basic roles Grafana grants it to (each also reaches the stronger ones)...
    #[serde(default)]
    pub grants: Vec<String>,
    /// ...except these.
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub description: String,
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Deserialize)]
pub struct Catalog {
    /// The Grafana source the catalog was generated from (scripts/catalog/).
    #[serde(default)]
    pub grafana_version: String,
    /// Grafana's default folder and dashboard permissions per basic role (satui has no folders,
    /// so they stand for every folder and dashboard): basic role → {"folders"|"dashboards": actions}.
    #[serde(default)]
    pub default_resource_permissions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    pub actions: Vec<ActionInfo>,
    pub basic_roles: BTreeMap<String, Vec<Permission>>,
    pub fixed_roles: Vec<FixedRole>,
}

const CATALOG_JSON: &str = include_str!("../../../assets/permissions.json");

impl Catalog {
    /// The built-in catalog. It is compiled in and checked by a test, so parsing cannot fail at
    /// run time; an empty catalog is the fallback if it ever did.
    pub fn get() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            serde_json::from_str(CATALOG_JSON).unwrap_or(Catalog {
                grafana_version: String::new(),
                default_resource_permissions: BTreeMap::new(),
                actions: Vec::new(),
                basic_roles: BTreeMap::new(),
                fixed_roles: Vec::new(),
            })
        })
    }

    pub fn action(&self, action: &str) -> Option<&ActionInfo> {
        self.actions.iter().find(|a| a.action == action)
    }

    pub fn basic_role(&self, role: BasicRole) -> &[Permission] {
        self.basic_roles.get(role.as_str()).map_or(&[], Vec::as_slice)
    }

    pub fn fixed_role(&self, name: &str) -> Option<&FixedRole> {
        self.fixed_roles.iter().find(|r| r.name == name)
    }
}

/// Checks a permission for a role: a known action and a well-formed scope. A plugin's role
/// (`plugin` is its id) may also hold actions in any plugin's namespace
/// (`<plugin-id>.<kind>:<verb>`, `<plugin-id>:<verb>`), as Grafana registers them: Grafana's LLM
/// app asks for OnCall's and IRM's actions.
pub fn validate_permission(action: &str, scope: &str, plugin: Option<&str>) -> Result<Permission, String> {
    let action = action.trim();
    let known = Catalog::get().action(action).is_some();
    if !(known || (plugin.is_some() && is_plugin_action(action))) {
        return Err(format!("unknown action '{action}': see `satui role actions` for the catalog"));
    }
    Ok(Permission { action: action.to_string(), scope: validate_scope(scope)? })
}

/// An action in a plugin's namespace: its part before the first `.` or `:` is a plugin id
/// (lowercase, dashed: `grafana-oncall-app`).
pub fn is_plugin_action(action: &str) -> bool {
    let namespace = action.split(['.', ':']).next().unwrap_or("");
    action_shape_ok(action) && namespace.contains('-') && super::names::validate_plugin_id(namespace).is_ok()
}

/// Whether an action means something: one of the catalog's, or one in a plugin's namespace
/// (`<plugin-id>.<kind>:<verb>` or `<plugin-id>:<verb>`, plugin ids being dashed like
/// `grafana-oncall-app`). `dashboards:frob` is neither.
pub fn is_recognised_action(action: &str) -> bool {
    let action = action.trim();
    Catalog::get().action(action).is_some() || is_plugin_action(action)
}

/// Parses `action` or `action=scope` (the CLI form).
pub fn parse_permission(text: &str) -> (String, String) {
    match text.split_once('=') {
        Some((action, scope)) => (action.trim().to_string(), scope.trim().to_string()),
        None => (text.trim().to_string(), String::new()),
    }
}
