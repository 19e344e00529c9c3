//! The OpenAPI description of satui's HTTP API, generated from the handlers' `#[utoipa::path]`
//! annotations and the DTOs (utoipa), so it cannot drift from the code: served at
//! `/api/openapi.json` and checked into `docs/openapi.json` (a test keeps the two equal).

use axum::Json;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "satui",
        description = "Grafana's service-account HTTP API over a satui store, and forward-auth verification. \
                       The service-account part is a subset of Grafana's (docs/http-api.md lists every difference)."
    ),
    paths(
        routes::health,
        routes::search,
        routes::create_account,
        routes::get_account,
        routes::update_account,
        routes::delete_account,
        routes::list_tokens,
        routes::create_token,
        routes::delete_token,
        routes::user_permissions,
        routes::verify,
    ),
    modifiers(&Bearer)
)]
struct ApiDoc;

/// Tokens go as `Authorization: Bearer <token>` (or Basic with user `api_key`).
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document, as JSON.
pub fn document() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// `GET /api/openapi.json` (no token needed: it describes, it holds no data).
pub async fn serve() -> Response {
    Json(document()).into_response()
}
