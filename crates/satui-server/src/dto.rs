//! The wire contract: Grafana's JSON shapes for service accounts and tokens, in one place.
//! Field names and optional fields follow Grafana's `serviceaccounts` models.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use satui_domain::expiry::{self, DAY, EXPIRING_SOON_DAYS};
use satui_domain::permission::Permission;
use satui_domain::role::BasicRole;
use satui_domain::time;
use satui_service::{Account, Token};

/// A search result item and the create answer (`ServiceAccountDTO`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountItem {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub login: String,
    pub org_id: i64,
    pub is_disabled: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_external: bool,
    pub role: String,
    pub tokens: i64,
    pub avatar_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control: Option<BTreeMap<String, bool>>,
}

impl AccountItem {
    pub fn new(account: &Account, tokens: i64) -> AccountItem {
        AccountItem {
            id: account.id,
            uid: uid(account),
            name: account.name.clone(),
            login: account.login.clone(),
            org_id: account.org_id,
            is_disabled: account.disabled,
            is_external: account.managed_by.is_some(),
            role: account.role.to_string(),
            tokens,
            avatar_url: avatar_url(&account.login),
            access_control: None,
        }
    }
}

/// GET by id, and the `serviceaccount` of a PATCH answer (`ServiceAccountProfileDTO`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountProfile {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub login: String,
    pub org_id: i64,
    pub is_disabled: bool,
    pub created_at: String,
    pub updated_at: String,
    pub avatar_url: String,
    pub role: String,
    /// satui's groups of the account (Grafana's teams).
    pub teams: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_external: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_by: Option<String>,
    #[serde(skip_serializing_if = "is_zero")]
    pub tokens: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control: Option<BTreeMap<String, bool>>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl AccountProfile {
    pub fn new(account: &Account, teams: Vec<String>, tokens: i64) -> AccountProfile {
        AccountProfile {
            id: account.id,
            uid: uid(account),
            name: account.name.clone(),
            login: account.login.clone(),
            org_id: account.org_id,
            is_disabled: account.disabled,
            created_at: time::rfc3339(account.created_at),
            updated_at: time::rfc3339(account.updated_at),
            avatar_url: avatar_url(&account.login),
            role: account.role.to_string(),
            teams,
            is_external: account.managed_by.is_some(),
            required_by: account.managed_by.clone(),
            tokens,
            access_control: None,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    pub total_count: u64,
    pub service_accounts: Vec<AccountItem>,
    pub page: u64,
    pub per_page: u64,
}

/// A token as listed (`TokenDTO`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenItem {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used_at: Option<String>,
    pub expiration: Option<String>,
    /// Grafana fills this only for a token expiring within 7 days (else 0).
    pub seconds_until_expiration: f64,
    pub has_expired: bool,
    pub is_revoked: bool,
}

impl TokenItem {
    /// Every time field reads the token's one end (`expiry::ends_at`): a token rotated with a
    /// grace expires at the end of the grace; a revoked one is `isRevoked`, not `hasExpired`.
    pub fn new(token: &Token, now: i64) -> TokenItem {
        let ends_at = token.ends_at();
        let ended = !expiry::is_live(ends_at, now);
        let is_revoked = token.revoked_at.is_some_and(|at| at <= now);
        let soon = ends_at.filter(|at| !ended && at - now <= EXPIRING_SOON_DAYS * DAY);
        TokenItem {
            id: token.id,
            name: token.name.clone(),
            created: time::rfc3339(token.created_at),
            last_used_at: token.last_used_at.map(time::rfc3339),
            expiration: ends_at.map(time::rfc3339),
            seconds_until_expiration: soon.map_or(0.0, |at| (at - now) as f64),
            has_expired: ended && !is_revoked,
            is_revoked,
        }
    }
}

/// Request bodies. Unknown fields are ignored, as Grafana ignores them; `null` for an optional
/// field means "not given", as Go's JSON binding reads it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateAccountForm {
    /// Required; absent, null or blank is 400.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub is_disabled: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateAccountForm {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub is_disabled: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTokenForm {
    /// Required; absent, null or blank is 400.
    #[serde(default)]
    pub name: Option<String>,
    /// Absent or null is 0: never expires (refused in an org with a cap).
    #[serde(default)]
    pub seconds_to_live: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NewTokenResult {
    pub id: i64,
    pub name: String,
    pub key: String,
}

/// A role as Grafana binds it: exactly `None`, `Viewer`, `Editor` or `Admin` (no other case, no
/// spaces); empty means Viewer, absent or null means "not given".
pub fn parse_role(raw: Option<&str>) -> Result<Option<BasicRole>, ()> {
    match raw {
        None => Ok(None),
        Some("") => Ok(Some(BasicRole::Viewer)),
        Some(text) => BasicRole::ALL.into_iter().find(|role| role.as_str() == text).map(Some).ok_or(()),
    }
}

/// The caller's permitted actions on one account, as Grafana's `accessControl` map: the
/// `serviceaccounts:` actions it holds on that account's scope. Actions that take no scope
/// (`serviceaccounts:create`) are not about one account, and Grafana leaves them out.
pub fn access_control<'a>(
    permissions: impl Iterator<Item = &'a Permission>,
    account_id: i64,
) -> BTreeMap<String, bool> {
    use satui_domain::permission::{Catalog, scope_matches};
    let scope = satui_domain::permission::account_scope(account_id);
    let scoped = |action: &str| Catalog::get().action(action).is_some_and(|info| !info.scopes.is_empty());
    permissions
        .filter(|p| p.action.starts_with("serviceaccounts") && scoped(&p.action) && scope_matches(&p.scope, &scope))
        .map(|p| (p.action.clone(), true))
        .collect()
}

/// A stable identifier derived from the account (satui has no separate UIDs).
fn uid(account: &Account) -> String {
    format!("sa{}-{}", account.org_id, account.id)
}

/// Grafana's avatar path shape; satui serves no avatars, so the hash only has to be stable.
fn avatar_url(login: &str) -> String {
    let digest = Sha256::digest(format!("{login}@localhost").as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("/avatar/{hex}")
}

/// The body of every error: Grafana's `{"message"}` (a permission denial adds `accessErrorId`
/// and `title`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_error_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// `GET /api/health`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `failing` (with status 503) when the store cannot be used.
    pub database: &'static str,
    pub version: &'static str,
    pub commit: &'static str,
}

/// Who a token acts as (`/api/satui/verify`); the same values come as `X-Satui-*` headers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifiedIdentity {
    pub org_id: i64,
    pub org: String,
    pub account_id: i64,
    pub account: String,
    pub login: String,
    /// The account's basic role: None, Viewer, Editor or Admin.
    pub role: String,
    pub token_id: i64,
    pub token: String,
    /// RFC 3339, or null for a token that never expires.
    pub expires_at: Option<String>,
}

impl VerifiedIdentity {
    pub fn new(identity: &satui_service::Identity) -> VerifiedIdentity {
        VerifiedIdentity {
            org_id: identity.org_id,
            org: identity.org.clone(),
            account_id: identity.account_id,
            account: identity.account.clone(),
            login: identity.login.clone(),
            role: identity.role.to_string(),
            token_id: identity.token_id,
            token: identity.token.clone(),
            expires_at: identity.expires_at.clone(),
        }
    }
}

/// A change's plain answer (`{"message": "Service account deleted"}`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Message {
    pub message: String,
}

/// `PATCH /api/serviceaccounts/{id}`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UpdatedAccount {
    pub id: i64,
    pub message: String,
    pub name: String,
    pub serviceaccount: AccountProfile,
}
