//! What a handler reads from a request, through axum extractors with one error type
//! ([`ApiError`]). The path id and the body are read before the handler runs but their errors
//! are held back ([`Deferred`]) until the token has been checked, so a request without a valid
//! token always gets 401 first, whatever else is wrong with it.

use std::convert::Infallible;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::auth::{Caller, Credentials};
use super::error::ApiError;
use super::log::ActingLogin;
use super::pool::Lane;
use super::pool::Pool;
use crate::MAX_BODY;
use satui_service::Service;

/// What every handler can reach: the store connections.
#[derive(Clone)]
pub struct App {
    pub pool: std::sync::Arc<Pool>,
}

/// A value whose error is reported only when the handler asks for it (after authentication).
pub struct Deferred<T>(Result<T, ApiError>);

impl<T> Deferred<T> {
    pub fn get(self) -> Result<T, ApiError> {
        self.0
    }
}

/// Query parameters, decoded leniently (Grafana ignores what it cannot read).
pub struct Params(Vec<(String, String)>);

impl Params {
    fn parse(raw: Option<&str>) -> Params {
        Params(form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value given for `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// Go's `strconv.ParseBool`: 1, t, T, true, TRUE, True.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("1" | "t" | "T" | "true" | "TRUE" | "True"))
    }
}

/// An API request: the server, the query and the credentials it presented. [`Api::run`]
/// authenticates the token and runs the handler's work with the caller on a store connection.
pub struct Api {
    app: App,
    pub params: Params,
    credentials: Result<Credentials, ApiError>,
}

impl FromRequestParts<App> for Api {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Api, Infallible> {
        let params = Params::parse(parts.uri.query());
        let credentials = Credentials::from_headers(&parts.headers, &params.all("targetOrgId"));
        Ok(Api { app: app.clone(), params, credentials })
    }
}

impl Api {
    /// Authenticates (see [`Caller::authenticate`]) without a store connection when the token
    /// is in the verification cache.
    pub async fn caller(&self) -> Result<Caller, ApiError> {
        match &self.credentials {
            Ok(credentials) => Caller::authenticate(&self.app.pool, credentials).await,
            Err(no_token) => {
                self.metrics().verification(crate::metrics::Outcome::Invalid);
                Err(no_token.clone())
            }
        }
    }

    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.app.pool.metrics
    }

    /// Authenticates, then runs `work` with the caller on a connection of `lane`, the service's
    /// audit actor set to the caller's login. Whatever it answers carries the acting login for
    /// the access log.
    pub async fn run(
        self,
        lane: Lane,
        work: impl FnOnce(&mut Service, &Caller) -> Result<Response, ApiError> + Send + 'static,
    ) -> Result<Response, ApiError> {
        let caller = self.caller().await?;
        self.metrics().verification(crate::metrics::Outcome::Ok);
        self.app
            .pool
            .run(lane, move |service| {
                let caller = match lane {
                    Lane::Write => match caller.recheck(service) {
                        Ok(caller) => caller,
                        Err(refused) => return Ok(refused.into_response()),
                    },
                    Lane::Read => caller,
                };
                service.set_actor(caller.identity.login.clone());
                let mut response = work(service, &caller).unwrap_or_else(IntoResponse::into_response);
                response.extensions_mut().insert(ActingLogin(caller.identity.login.as_str().into()));
                Ok(response)
            })
            .await?
    }
}

/// The account id of `/api/serviceaccounts/{id}`: Grafana resolves a non-numeric id (a UID it
/// does not know) to 404 "Not found".
pub struct AccountId(pub Deferred<i64>);

impl<S: Send + Sync> FromRequestParts<S> for AccountId {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<AccountId, Infallible> {
        let ids = path_segments(parts, state).await;
        Ok(AccountId(Deferred(parse_account_id(ids.first().map(String::as_str)))))
    }
}

/// `/api/serviceaccounts/{id}/tokens/{tokenId}`: the account id as above, and a non-numeric
/// token id is 400 "Token ID is invalid".
pub struct TokenPath(pub Deferred<(i64, i64)>);

impl<S: Send + Sync> FromRequestParts<S> for TokenPath {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<TokenPath, Infallible> {
        let ids = path_segments(parts, state).await;
        let parsed = parse_account_id(ids.first().map(String::as_str)).and_then(|account| {
            let token = ids.get(1).and_then(|t| t.parse::<i64>().ok());
            token.map(|token| (account, token)).ok_or_else(|| ApiError::bad_request("Token ID is invalid"))
        });
        Ok(TokenPath(Deferred(parsed)))
    }
}

async fn path_segments<S: Send + Sync>(parts: &mut Parts, state: &S) -> Vec<String> {
    axum::extract::Path::<Vec<String>>::from_request_parts(parts, state).await.map(|p| p.0).unwrap_or_default()
}

fn parse_account_id(raw: Option<&str>) -> Result<i64, ApiError> {
    raw.and_then(|id| id.parse::<i64>().ok()).ok_or_else(|| ApiError::not_found("Not found"))
}

/// A JSON body that must be an object, as Grafana's handlers bind it: an empty body is `{}`;
/// an array, a string or a number is 400 "Bad request data" (never read by position); a body
/// over the limit is 413, one that does not arrive in time 408.
pub struct JsonObject<T>(pub Deferred<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonObject<T> {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &S) -> Result<JsonObject<T>, Infallible> {
        let bytes = Bytes::from_request(request, state).await;
        Ok(JsonObject(Deferred(bytes.map_err(body_error).and_then(|bytes| object(&bytes)))))
    }
}

fn object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bad = || ApiError::bad_request("Bad request data");
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { bytes };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| bad())?;
    if !value.is_object() {
        return Err(bad());
    }
    serde_json::from_value(value).map_err(|_| bad())
}

fn body_error(e: BytesRejection) -> ApiError {
    match e {
        BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("request body is larger than {} KiB", MAX_BODY / 1024))
        }
        // The body timeout (tower-http's RequestBodyTimeoutLayer) or a connection that broke off.
        BytesRejection::FailedToBufferBody(_) => {
            ApiError::new(StatusCode::REQUEST_TIMEOUT, "the request body did not arrive in time")
        }
        _ => ApiError::bad_request("Bad request data"),
    }
}
