//! The endpoints. Each handler is thin: read the request, then in one blocking task
//! authenticate the token, check one permission pair, call one service method, and shape the
//! answer with the DTOs.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Json, Router};
use serde_json::json;

use super::auth::Caller;
use super::dto::{self, AccountItem, AccountProfile, SearchResult, TokenItem};
use super::error::ApiError;
use super::extract::{AccountId, Api, App, JsonObject, TokenPath};
use super::pool::Lane;
use super::watch::StoreHealth;
use crate::metrics::Outcome;
use satui_domain::expiry::{DAY, ExpiryRequest, Lifetime};
use satui_domain::permission;
use satui_service::{Account, AccountChanges, AccountSearch, Entity, Error, NewAccount, NewToken, Service};

/// `perpage` when none (or a nonsense one) is given, as Grafana.
const DEFAULT_PER_PAGE: u64 = 1000;
/// No page is bigger than this, whatever is asked.
const MAX_PER_PAGE: u64 = 10_000;

/// Every route; `documents` are routes without state the caller adds (the OpenAPI document,
/// which is made from these routes, so it cannot be named here).
pub fn router(app: App, documents: Router) -> Router {
    use axum::routing::{delete, patch, post};
    // Health is answered from the watcher's last check by a route without state: axum clones a
    // route's state for every request, and the `Arc` count of the app is a cache line every
    // runtime thread would write on each probe. One handle per server, kept for the process's
    // life.
    let store: &'static StoreHealth = Box::leak(Box::new(app.pool.watch.health.clone()));
    let stateless = Router::new().route("/api/health", get(move || health(store))).merge(documents);
    Router::new()
        .route("/api/frontend/settings", get(frontend_settings))
        .route("/api/serviceaccounts/search", get(search))
        .route("/api/serviceaccounts", reading_body(post(create_account)))
        .route("/api/serviceaccounts/", reading_body(post(create_account)))
        .route(
            "/api/serviceaccounts/{id}",
            get(get_account).delete(delete_account).merge(reading_body(patch(update_account))),
        )
        .route("/api/serviceaccounts/{id}/tokens", get(list_tokens).merge(reading_body(post(create_token))))
        .route("/api/serviceaccounts/{id}/tokens/{token_id}", delete(delete_token))
        .route("/api/access-control/user/permissions", get(user_permissions))
        .route("/api/satui/verify", get(verify))
        .route("/metrics", get(metrics))
        .with_state(app)
        .merge(stateless)
        // Last, so they cover every route above: a wrong method or path gets `{"message"}` too.
        .fallback(|| async { ApiError::not_found("Not found") })
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed") })
}

/// The handlers that read a request's body: at most `MAX_BODY` bytes, each part within
/// `BODY_TIMEOUT` (a client that stalls mid-body gets 408 rather than holding a connection).
/// Only they carry the two layers: on every route they cost a twentieth of a health probe's
/// rate (BENCHMARKS.md), and the other handlers never read a body.
fn reading_body(methods: MethodRouter<App>) -> MethodRouter<App> {
    methods
        .layer::<_, std::convert::Infallible>(axum::extract::DefaultBodyLimit::max(crate::MAX_BODY))
        .layer::<_, std::convert::Infallible>(tower_http::timeout::RequestBodyTimeoutLayer::new(crate::BODY_TIMEOUT))
}

fn id_scope(id: i64) -> String {
    permission::account_scope(id)
}

/// The account `id` of the caller's org, or Grafana's 404.
fn account_of_org(service: &Service, caller: &Caller, id: i64) -> Result<Account, ApiError> {
    match service.account(id) {
        Ok(account) if account.org_id == caller.identity.org_id => Ok(account),
        Ok(_) | Err(Error::NotFound { .. }) => Err(ApiError::not_found("service account not found")),
        Err(e) => Err(e.into()),
    }
}

fn json(status: StatusCode, value: impl serde::Serialize) -> Result<Response, ApiError> {
    Ok((status, Json(value)).into_response())
}

#[utoipa::path(get, path = "/api/health", tag = "health",
    responses((status = 200, body = dto::Health), (status = 503, description = "the store cannot be used", body = dto::Health)))]
pub(crate) async fn health(store: &'static StoreHealth) -> Response {
    // The watcher checks the store at least twice a second; a health probe never takes a
    // connection, so probes cannot queue behind requests (or crowd them out).
    let database = store.is_ok();
    let status = if database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = dto::Health {
        database: if database { "ok" } else { "failing" },
        version: env!("CARGO_PKG_VERSION"),
        commit: option_env!("SATUI_COMMIT").unwrap_or("unknown"),
    };
    (status, Json(body)).into_response()
}

/// `GET /metrics`: no token from this machine (a scraper on loopback: every org), otherwise a
/// token whose account may read every account of its org, and then its org's token series only.
async fn metrics(
    State(app): State<App>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    api: Api,
) -> Result<Response, ApiError> {
    let local = peer.is_some_and(|axum::Extension(info)| info.0.ip().to_canonical().is_loopback());
    let org = if local {
        None
    } else {
        // Every account of its org, and then only its org's token series: a grant on one account
        // (or one org) must not show every org's account and token names.
        let caller = api.caller().await?;
        caller.require("serviceaccounts:read", "serviceaccounts:*")?;
        Some(caller.identity.org.clone())
    };
    let body = app.pool.metrics.encode(org.as_deref());
    Ok(([(axum::http::header::CONTENT_TYPE, prometheus_client::encoding::prometheus_text::CONTENT_TYPE)], body)
        .into_response())
}

/// What `grafana-client`'s `health.check()` and `connect()` read.
async fn frontend_settings() -> Response {
    Json(json!({
        "buildInfo": {
            "version": env!("CARGO_PKG_VERSION"),
            "commit": option_env!("SATUI_COMMIT").unwrap_or("unknown"),
            "edition": "satui",
            "env": "production",
        }
    }))
    .into_response()
}

#[utoipa::path(get, path = "/api/serviceaccounts/search", tag = "service accounts", security(("bearer" = [])),
    params(("query" = Option<String>, Query, description = "part of the name or login"),
        ("page" = Option<i64>, Query), ("perpage" = Option<i64>, Query, description = "1 to 10 000, default 1 000"),
        ("disabled" = Option<bool>, Query), ("expiredTokens" = Option<bool>, Query), ("accesscontrol" = Option<bool>, Query)),
    responses((status = 200, body = SearchResult), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody), (status = 403, body = dto::ErrorBody)))]
pub(crate) async fn search(api: Api) -> Result<Response, ApiError> {
    let params = &api.params;
    let page = params.get("page").and_then(|p| p.trim().parse::<i64>().ok()).filter(|p| *p >= 1).unwrap_or(1) as u64;
    let per_page = params
        .get("perpage")
        .and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| *p >= 1)
        .map_or(DEFAULT_PER_PAGE, |p| (p as u64).min(MAX_PER_PAGE));
    let query = params.get("query").unwrap_or("").to_string();
    let (disabled, expired, with_access) =
        (params.flag("disabled"), params.flag("expiredTokens"), params.flag("accesscontrol"));
    api.run(Lane::Read, move |service, caller| {
        caller.require("serviceaccounts:read", "")?;
        let now = service.now();
        // Counted over what the caller may read only: a total over the whole org would tell a
        // caller limited to one account how many others match its query.
        let readable = caller.readable_accounts();
        let filter = AccountSearch {
            query: &query,
            disabled_only: disabled,
            expired_tokens_at: expired.then_some(now),
            only_ids: readable.as_deref(),
        };
        let offset = (page - 1).saturating_mul(per_page);
        let (rows, total) = service.search_accounts(caller.identity.org_id, &filter, offset, per_page)?;
        let items = rows
            .iter()
            // An account may be allowed to read only some accounts (serviceaccounts:id:N).
            .filter(|(a, _)| caller.can("serviceaccounts:read", &id_scope(a.id)))
            .map(|(account, tokens)| {
                let mut item = AccountItem::new(account, *tokens);
                item.access_control = with_access.then(|| dto::access_control(caller.rights().iter(), account.id));
                item
            })
            .collect();
        json(StatusCode::OK, SearchResult { total_count: total, service_accounts: items, page, per_page })
    })
    .await
}

#[utoipa::path(post, path = "/api/serviceaccounts", tag = "service accounts", security(("bearer" = [])),
    request_body = dto::CreateAccountForm,
    responses((status = 201, body = AccountItem), (status = 400, body = dto::ErrorBody), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody), (status = 403, body = dto::ErrorBody)))]
pub(crate) async fn create_account(
    api: Api,
    JsonObject(form): JsonObject<dto::CreateAccountForm>,
) -> Result<Response, ApiError> {
    api.run(Lane::Write, move |service, caller| {
        caller.require("serviceaccounts:create", "")?;
        let form = form.get()?;
        let name =
            form.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| ApiError::bad_request("Bad request data"))?;
        let role = dto::parse_role(form.role.as_deref()).map_err(|_| ApiError::bad_request("Bad request data"))?;
        let role = role.unwrap_or_default();
        caller.may_assign(role)?;
        let new = NewAccount { name, description: String::new(), role, disabled: form.is_disabled.unwrap_or(false) };
        let account = service.create_account(caller.identity.org_id, &new).map_err(account_error)?;
        let mut item = AccountItem::new(&account, 0);
        // Grafana's create answer carries no avatar.
        item.avatar_url = String::new();
        json(StatusCode::CREATED, item)
    })
    .await
}

/// Grafana's words for what goes wrong with an account (also when another writer deleted it
/// between the handler's check and the change's transaction).
fn account_error(e: Error) -> ApiError {
    match e {
        Error::Conflict { what: Entity::Account, .. } => ApiError::bad_request("service account already exists"),
        Error::NotFound { .. } => ApiError::not_found("service account not found"),
        other => other.into(),
    }
}

#[utoipa::path(get, path = "/api/serviceaccounts/{id}", tag = "service accounts", security(("bearer" = [])),
    params(("id" = i64, Path), ("accesscontrol" = Option<bool>, Query)),
    responses((status = 200, body = AccountProfile), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody), (status = 403, body = dto::ErrorBody), (status = 404, body = dto::ErrorBody)))]
pub(crate) async fn get_account(api: Api, AccountId(id): AccountId) -> Result<Response, ApiError> {
    let with_access = api.params.flag("accesscontrol");
    api.run(Lane::Read, move |service, caller| {
        let id = id.get()?;
        caller.require("serviceaccounts:read", &id_scope(id))?;
        let account = account_of_org(service, caller, id)?;
        let mut profile = profile(service, &account)?;
        profile.access_control = with_access.then(|| dto::access_control(caller.rights().iter(), id));
        json(StatusCode::OK, profile)
    })
    .await
}

fn profile(service: &Service, account: &Account) -> Result<AccountProfile, ApiError> {
    let teams = service.account_groups(account.id)?.into_iter().map(|g| g.name).collect();
    let tokens = service.tokens(account.id)?.len() as i64;
    Ok(AccountProfile::new(account, teams, tokens))
}

#[utoipa::path(patch, path = "/api/serviceaccounts/{id}", tag = "service accounts", security(("bearer" = [])),
    params(("id" = i64, Path), ("accesscontrol" = Option<bool>, Query)), request_body = dto::UpdateAccountForm,
    responses((status = 200, body = dto::UpdatedAccount), (status = 400, body = dto::ErrorBody), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody),
        (status = 403, body = dto::ErrorBody), (status = 404, body = dto::ErrorBody)))]
pub(crate) async fn update_account(
    api: Api,
    AccountId(id): AccountId,
    JsonObject(form): JsonObject<dto::UpdateAccountForm>,
) -> Result<Response, ApiError> {
    let with_access = api.params.flag("accesscontrol");
    api.run(Lane::Write, move |service, caller| {
        let id = id.get()?;
        caller.require("serviceaccounts:write", &id_scope(id))?;
        let form = form.get()?;
        let role = dto::parse_role(form.role.as_deref()).map_err(|_| ApiError::bad_request("Bad request data"))?;
        if let Some(role) = role {
            caller.may_assign(role)?;
        }
        let account = account_of_org(service, caller, id)?;
        if account.managed_by.is_some() {
            return Err(ApiError::bad_request("external service account cannot be updated"));
        }
        let changes = AccountChanges { name: form.name, description: None, role, disabled: form.is_disabled };
        let account = service.update_account(id, &changes).map_err(account_error)?;
        let mut profile = profile(service, &account)?;
        // Grafana's PATCH answer leaves the token count out.
        profile.tokens = 0;
        profile.access_control = with_access.then(|| dto::access_control(caller.rights().iter(), id));
        json(
            StatusCode::OK,
            dto::UpdatedAccount {
                id,
                message: "Service account updated".to_string(),
                name: account.name.clone(),
                serviceaccount: profile,
            },
        )
    })
    .await
}

#[utoipa::path(delete, path = "/api/serviceaccounts/{id}", tag = "service accounts", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = dto::Message), (status = 400, body = dto::ErrorBody), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody),
        (status = 403, body = dto::ErrorBody), (status = 404, body = dto::ErrorBody)))]
pub(crate) async fn delete_account(api: Api, AccountId(id): AccountId) -> Result<Response, ApiError> {
    api.run(Lane::Write, move |service, caller| {
        let id = id.get()?;
        caller.require("serviceaccounts:delete", &id_scope(id))?;
        let account = account_of_org(service, caller, id)?;
        if account.managed_by.is_some() {
            return Err(ApiError::bad_request("external service account cannot be deleted"));
        }
        service.delete_account(id).map_err(account_error)?;
        json(StatusCode::OK, dto::Message { message: "Service account deleted".to_string() })
    })
    .await
}

#[utoipa::path(get, path = "/api/serviceaccounts/{id}/tokens", tag = "tokens", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TokenItem>), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody), (status = 403, body = dto::ErrorBody), (status = 404, body = dto::ErrorBody)))]
pub(crate) async fn list_tokens(api: Api, AccountId(id): AccountId) -> Result<Response, ApiError> {
    api.run(Lane::Read, move |service, caller| {
        let id = id.get()?;
        caller.require("serviceaccounts:read", &id_scope(id))?;
        // Grafana answers an empty list for an account it does not find.
        let Ok(account) = account_of_org(service, caller, id) else {
            return json(StatusCode::OK, Vec::<TokenItem>::new());
        };
        let now = service.now();
        let mut tokens = service.tokens(account.id)?;
        tokens.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        json(StatusCode::OK, tokens.iter().map(|t| TokenItem::new(t, now)).collect::<Vec<_>>())
    })
    .await
}

#[utoipa::path(post, path = "/api/serviceaccounts/{id}/tokens", tag = "tokens", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = dto::CreateTokenForm,
    responses((status = 200, body = dto::NewTokenResult), (status = 400, body = dto::ErrorBody), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody),
        (status = 403, body = dto::ErrorBody), (status = 404, body = dto::ErrorBody)))]
pub(crate) async fn create_token(
    api: Api,
    AccountId(id): AccountId,
    JsonObject(form): JsonObject<dto::CreateTokenForm>,
) -> Result<Response, ApiError> {
    api.run(Lane::Write, move |service, caller| {
        let id = id.get()?;
        caller.require("serviceaccounts:write", &id_scope(id))?;
        let account = account_of_org(service, caller, id)?;
        let form = form.get()?;
        let name =
            form.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| ApiError::bad_request("Bad request data"))?;
        let seconds_to_live = form.seconds_to_live.unwrap_or(0);
        if seconds_to_live < 0 {
            return Err(ApiError::bad_request("invalid SecondsToLive value"));
        }
        if account.managed_by.is_some() {
            return Err(ApiError::bad_request("cannot add external service account token"));
        }
        caller.may_act_as(&service.access_rights(account.id, account.role)?)?;
        let org = service.org(account.org_id)?;
        let lifetime = match (seconds_to_live, org.max_token_lifetime_days) {
            (0, Some(cap)) => {
                return Err(ApiError::bad_request(format!(
                    "this organization caps token lifetime at {cap} days: set secondsToLive (at most {})",
                    i64::from(cap) * DAY
                )));
            }
            (0, None) => Lifetime::Never,
            (seconds, _) => Lifetime::Until(service.now().saturating_add(seconds)),
        };
        let new = NewToken { name, expiry: ExpiryRequest { lifetime, extended_max_age_days: None } };
        let issued = service.create_token(account.id, &new).map_err(|e| match e {
            Error::Conflict { what: Entity::Token, .. } => {
                ApiError::bad_request("service account token with given name already exists")
            }
            Error::NotFound { .. } => ApiError::not_found("service account not found"),
            other => other.into(),
        })?;
        let key = issued.secret.expose().to_string();
        json(StatusCode::OK, dto::NewTokenResult { id: issued.token.id, name: issued.token.name.clone(), key })
    })
    .await
}

#[utoipa::path(delete, path = "/api/serviceaccounts/{id}/tokens/{tokenId}", tag = "tokens", security(("bearer" = [])),
    params(("id" = i64, Path), ("tokenId" = i64, Path)),
    responses((status = 200, body = dto::Message), (status = 400, body = dto::ErrorBody), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody),
        (status = 403, body = dto::ErrorBody), (status = 404, body = dto::ErrorBody)))]
pub(crate) async fn delete_token(api: Api, TokenPath(ids): TokenPath) -> Result<Response, ApiError> {
    api.run(Lane::Write, move |service, caller| {
        let (id, token_id) = ids.get()?;
        caller.require("serviceaccounts:write", &id_scope(id))?;
        let account = account_of_org(service, caller, id)?;
        let token = match service.token(token_id) {
            Ok(token) if token.sa_id == account.id => token,
            Ok(_) | Err(Error::NotFound { .. }) => {
                return Err(ApiError::not_found("service account token not found"));
            }
            Err(e) => return Err(e.into()),
        };
        if account.managed_by.is_some() {
            return Err(ApiError::bad_request("cannot delete external service account token"));
        }
        caller.may_act_as(&service.access_rights(account.id, account.role)?)?;
        service.delete_token(token.id).map_err(|e| match e {
            Error::NotFound { .. } => ApiError::not_found("service account token not found"),
            other => other.into(),
        })?;
        json(StatusCode::OK, dto::Message { message: "Service account token deleted".to_string() })
    })
    .await
}

/// `{action: [scopes]}` of the token's account (unscoped grants as `""`).
#[utoipa::path(get, path = "/api/access-control/user/permissions", tag = "access control", security(("bearer" = [])),
    responses((status = 200, description = "action → scopes", body = BTreeMap<String, Vec<String>>), (status = 401, description = "no token, or a bad one", body = dto::ErrorBody),))]
pub(crate) async fn user_permissions(api: Api) -> Result<Response, ApiError> {
    api.run(Lane::Read, |_, caller| {
        let mut map: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for p in caller.rights().iter() {
            map.entry(p.action.as_str()).or_default().insert(p.scope.as_str());
        }
        json(StatusCode::OK, map)
    })
    .await
}

/// Forward auth for reverse proxies: 200 with the identity (body and `X-Satui-*` headers) when
/// the token is good and allows `action` on `scope` (when asked), 401 for a bad token, 403 when
/// not allowed, 400 for an action that does not exist (after the token is checked).
#[utoipa::path(get, path = "/api/satui/verify", tag = "forward auth", security(("bearer" = [])),
    params(("action" = Option<String>, Query), ("scope" = Option<String>, Query)),
    responses((status = 200, body = dto::VerifiedIdentity), (status = 400, description = "not an action", body = dto::ErrorBody),
        (status = 401, description = "no token, or a bad one", body = dto::ErrorBody), (status = 403, body = dto::ErrorBody)))]
pub(crate) async fn verify(api: Api) -> Result<Response, ApiError> {
    let action = api.params.get("action").map(str::trim).filter(|a| !a.is_empty()).map(str::to_string);
    let scope = api.params.get("scope").unwrap_or("").trim();
    // A token in the verification cache is answered here, on the request's own task: no store
    // connection, no blocking thread.
    let caller = api.caller().await?;
    if let Some(action) = &action {
        let refused = if !permission::is_recognised_action(action) {
            Some(ApiError::bad_request(format!("'{action}' is not an action (e.g. dashboards:read)")))
        } else {
            caller.require(action, scope).err()
        };
        if let Some(refused) = refused {
            api.metrics().verification(Outcome::Forbidden);
            return Err(refused);
        }
    }
    api.metrics().verification(Outcome::Ok);
    let identity = &caller.identity;
    let mut response = Json(dto::VerifiedIdentity::new(identity)).into_response();
    let presented = caller.presented();
    response.headers_mut().extend(presented.headers.iter().cloned());
    response.extensions_mut().insert(presented.login.clone());
    Ok(response)
}
