//! Who a request acts as: the token in `Authorization: Bearer <token>` (or Basic with user
//! `api_key` and the token as password), its account and org, and that account's effective
//! permissions. Grafana's answers: 401 with "Invalid API key", "Expired API key", "Revoked API
//! key", "API key does not belong to the requested organization"; 403 naming the action needed.

use axum::http::HeaderMap;
use base64::Engine;
use zeroize::Zeroizing;

use super::error::ApiError;
use satui_domain::role::BasicRole;
use satui_service::{AccessRights, Identity, Rejection, Service, UseRecord, VerifyError};

/// What a request presented: the token, and the org it asked for (`X-Grafana-Org-Id` or
/// `targetOrgId`), if any.
pub struct Credentials {
    token: Zeroizing<String>,
    org: Option<String>,
}

impl Credentials {
    /// Reads the credentials from the headers; none is a 401 at once.
    pub fn from_headers(headers: &HeaderMap, target_org: Option<&str>) -> Result<Credentials, ApiError> {
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
        let org = target_org
            .map(str::to_string)
            .or_else(|| headers.get("x-grafana-org-id").and_then(|v| v.to_str().ok()).map(str::to_string));
        Ok(Credentials { token, org })
    }
}

fn strip_scheme<'a>(header: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = header.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// The account a request acts as, with what it may do.
pub struct Caller {
    pub identity: Identity,
    pub rights: AccessRights,
}

impl Caller {
    /// Checks the token and loads the account's permissions; records the use in the background.
    /// Sets the service's audit actor to the account's login.
    pub fn authenticate(
        service: &mut Service,
        credentials: &Credentials,
        record_use: impl FnOnce(UseRecord),
    ) -> Result<Caller, ApiError> {
        let (identity, record) = service.check_token(&credentials.token).map_err(|e| match e {
            VerifyError::Rejected(Rejection::Expired) => ApiError::unauthorized("Expired API key"),
            VerifyError::Rejected(Rejection::Revoked) => ApiError::unauthorized("Revoked API key"),
            VerifyError::Rejected(Rejection::AccountDisabled) => {
                ApiError::unauthorized("Unauthorized: the service account is disabled")
            }
            VerifyError::Rejected(_) => ApiError::unauthorized("Invalid API key"),
            VerifyError::Store(e) => ApiError::from(e),
        })?;
        // Grafana reads the org header as a number and ignores it otherwise.
        if let Some(org) = credentials.org.as_deref().and_then(|o| o.trim().parse::<i64>().ok())
            && org != identity.org_id
        {
            return Err(ApiError::unauthorized("API key does not belong to the requested organization"));
        }
        if let Some(record) = record {
            record_use(record);
        }
        let rights = service.access_rights(identity.account_id, identity.role)?;
        service.set_actor(identity.login.clone());
        Ok(Caller { identity, rights })
    }

    /// Whether the account may do `action` on `scope` (an empty scope asks only about the action).
    pub fn can(&self, action: &str, scope: &str) -> bool {
        self.rights.allows(action, scope)
    }

    /// 403 unless the account may do `action` on `scope`.
    pub fn require(&self, action: &str, scope: &str) -> Result<(), ApiError> {
        if self.can(action, scope) { Ok(()) } else { Err(ApiError::access_denied(action)) }
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
