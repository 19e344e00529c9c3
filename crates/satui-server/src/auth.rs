//! Who a request acts as: the token in `Authorization: Bearer <token>` (or Basic with user
//! `api_key` and the token as password), its account and org, and that account's effective
//! permissions. Grafana's answers: 401 with "Invalid API key", "Expired API key", "Revoked API
//! key", "API key does not belong to the requested organization"; 403 naming the action needed.

use axum::http::HeaderMap;
use base64::Engine;
use zeroize::Zeroizing;

use std::sync::Arc;

use super::error::ApiError;
use crate::cache::CachedToken;
use crate::metrics::Outcome;
use crate::pool::Pool;
use satui_domain::role::BasicRole;
use satui_service::{AccessRights, Identity, Rejection, UseState, token_hash};

/// What a request presented: the token, and the org it asked for (`X-Grafana-Org-Id` or
/// `targetOrgId`), if any.
pub struct Credentials {
    token: Zeroizing<String>,
    /// Every org the request names: `targetOrgId` and `X-Grafana-Org-Id`, each checked.
    orgs: Vec<String>,
}

impl Credentials {
    /// Reads the credentials from the headers; none is a 401 at once.
    pub fn from_headers(headers: &HeaderMap, target_orgs: &[&str]) -> Result<Credentials, ApiError> {
        let header = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let token = if let Some(bearer) = strip_scheme(header, "Bearer") {
            Zeroizing::new(bearer.trim().to_string())
        } else if let Some(basic) = strip_scheme(header, "Basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(basic.trim())
                .map(Zeroizing::new)
                .map_err(|_| ApiError::unauthorized("Unauthorized"))?;
            let text = std::str::from_utf8(&decoded).map_err(|_| ApiError::unauthorized("Unauthorized"))?;
            match text.split_once(':') {
                Some(("api_key", token)) => Zeroizing::new(token.to_string()),
                // satui has no passwords: only the api_key form of Basic auth carries a token.
                _ => return Err(ApiError::unauthorized("Invalid username or password")),
            }
        } else {
            return Err(ApiError::unauthorized("Unauthorized"));
        };
        // Every value counts: a second header or parameter naming another org is not skipped.
        let header_values =
            headers.get_all("x-grafana-org-id").iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let orgs = target_orgs.iter().map(|o| o.to_string()).chain(header_values).collect();
        Ok(Credentials { token, orgs })
    }
}

fn strip_scheme<'a>(header: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = header.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// The account a request acts as, with what it may do.
pub struct Caller {
    pub identity: Identity,
    /// The cached store answer the identity came from; its access rights are the account's.
    token: Arc<CachedToken>,
    /// The token's hash, to check it again on a write connection ([`Caller::recheck`]).
    hash: [u8; 32],
}

/// Grafana's 401 for a token that does not work.
fn refused(rejection: Rejection) -> ApiError {
    match rejection {
        Rejection::Expired => ApiError::unauthorized("Expired API key"),
        Rejection::Revoked => ApiError::unauthorized("Revoked API key"),
        Rejection::AccountDisabled => ApiError::unauthorized("Unauthorized: the service account is disabled"),
        Rejection::Malformed | Rejection::BadChecksum | Rejection::Unknown => ApiError::unauthorized("Invalid API key"),
    }
}

impl Caller {
    /// Checks the token (from the verification cache, or the store on a miss), then every org
    /// the request names; queues the use for the background writer. Counts the outcome; a
    /// success is counted by the caller, which may still refuse the request (`forbidden`).
    pub async fn authenticate(pool: &Arc<Pool>, credentials: &Credentials) -> Result<Caller, ApiError> {
        let rejected = |rejection: Rejection| {
            pool.metrics.verification(Outcome::of(rejection));
            refused(rejection)
        };
        let hash = token_hash(&credentials.token).map_err(rejected)?;
        let token = pool.token_access(hash).await?.ok_or_else(|| rejected(Rejection::Unknown))?;
        let (identity, record) = token.access.check(pool.now(), token.state()).map_err(rejected)?;
        // Each org the request names must be the token's: one that is not a number is refused,
        // never ignored (Grafana would ignore it, and `?targetOrgId=abc` then hid a header
        // naming another org).
        for named in &credentials.orgs {
            let refused = match named.trim().parse::<i64>() {
                Ok(org) if org == identity.org_id => continue,
                Ok(_) => ApiError::unauthorized("API key does not belong to the requested organization"),
                Err(_) => ApiError::unauthorized("the requested organization id is not a number"),
            };
            pool.metrics.verification(Outcome::Invalid);
            return Err(refused);
        }
        if let Some(record) = record {
            token.used(UseState { last_used_at: Some(record.at), expires_at: record.expires_at });
            pool.record_use(record);
        }
        Ok(Caller { identity, token, hash })
    }

    /// The caller read again from the store on `service`'s connection, at its clock: a change
    /// must not run with a token or rights that changed while it waited for a write connection
    /// (up to the lane's patience). Uses this process has queued but not yet written count.
    pub fn recheck(&self, service: &satui_service::Service) -> Result<Caller, ApiError> {
        let access = service.token_access(&self.hash)?.ok_or_else(|| refused(Rejection::Unknown))?;
        let state = access.use_state().latest(self.token.state());
        let (identity, _) = access.check(service.now(), state).map_err(refused)?;
        Ok(Caller { identity, token: Arc::new(CachedToken::new(access)), hash: self.hash })
    }

    /// The identity's forward-auth headers and access-log login, made once per cached token.
    pub fn presented(&self) -> &crate::cache::Presented {
        self.token.presented(&self.identity)
    }

    /// The account's permissions.
    pub fn rights(&self) -> &AccessRights {
        self.token.access.rights()
    }

    /// Whether the account may do `action` on `scope` (an empty scope asks only about the action).
    pub fn can(&self, action: &str, scope: &str) -> bool {
        self.rights().allows(action, scope)
    }

    /// 403 unless the account may do `action` on `scope`.
    pub fn require(&self, action: &str, scope: &str) -> Result<(), ApiError> {
        if self.can(action, scope) { Ok(()) } else { Err(ApiError::access_denied(action)) }
    }

    /// The accounts the caller may read, when it may not read every one (None: all of them):
    /// the ids of its `serviceaccounts:read` grants scoped to one account.
    pub fn readable_accounts(&self) -> Option<Vec<i64>> {
        let all = satui_domain::permission::Permission::new("serviceaccounts:read", "serviceaccounts:id:*");
        if satui_domain::permission::covers(self.rights().iter(), &all) {
            return None;
        }
        let ids = self
            .rights()
            .iter()
            .filter(|p| p.action == "serviceaccounts:read")
            .filter_map(|p| satui_domain::permission::scoped_account(&p.scope))
            .collect();
        Some(ids)
    }

    /// A token of an account acts with all of that account's permissions, so the caller may
    /// create or delete one only when it holds every one of them itself (stricter than Grafana,
    /// which lets a `serviceaccounts:write` holder mint an Admin account's token).
    pub fn may_act_as(&self, target: &AccessRights) -> Result<(), ApiError> {
        if target.iter().all(|wanted| satui_domain::permission::covers(self.rights().iter(), wanted)) {
            Ok(())
        } else {
            Err(ApiError::new(axum::http::StatusCode::FORBIDDEN, "can not assign a role higher than user's role"))
        }
    }

    /// Grafana refuses to give an account a role above the caller's own.
    pub fn may_assign(&self, role: BasicRole) -> Result<(), ApiError> {
        if role <= self.identity.role {
            Ok(())
        } else {
            Err(ApiError::new(axum::http::StatusCode::FORBIDDEN, "can not assign a role higher than user's role"))
        }
    }
}
