//! Errors as Grafana answers them: a status code and a JSON body with a `message` (and, for a
//! permission denial, Grafana's `accessErrorId` and `title`). No handler answers 500 for
//! anything a client sent; a 500 means the store itself failed.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::dto::ErrorBody;

use satui_service::{Error, StoreProblem};

#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    /// For a 500: what went wrong, for the log (never the client).
    internal: Option<String>,
}

/// Set on a 500 response for the access log to report (see `log.rs`).
#[derive(Clone, Debug)]
pub struct InternalError(pub String);

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        let body = ErrorBody { message: message.into(), access_error_id: None, title: None };
        ApiError { status, body: serde_json::to_value(body).unwrap_or(Value::Null), internal: None }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }

    /// Grafana's RBAC denial: 403 naming the action that was needed.
    pub fn access_denied(action: &str) -> ApiError {
        let id: u64 = rand::random::<u64>() % 10_000_000_000;
        ApiError {
            status: StatusCode::FORBIDDEN,
            body: serde_json::to_value(ErrorBody {
                message: format!(
                    "You'll need additional permissions to perform this action. Permissions needed: {action}"
                ),
                access_error_id: Some(format!("ACE{id:010}")),
                title: Some("Access denied".to_string()),
            })
            .unwrap_or(Value::Null),
            internal: None,
        }
    }

    /// The store failed (not the client): 500 without details; the access log reports them.
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        let mut error = ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error");
        error.internal = Some(e.to_string());
        error
    }

    /// Maps a service error, by variant, once: bad input and rule refusals → 400 (Grafana's code
    /// for rules such as managed accounts), a taken name → 409, not found → 404, a busy or moved
    /// store → 503, a refused write → 507, anything else → 500 (logged, not shown).
    pub fn from_service(e: Error) -> ApiError {
        match e {
            Error::Invalid { .. } | Error::Refused(_) => ApiError::bad_request(e.to_string()),
            Error::Conflict { .. } => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            Error::NotFound { message, .. } => ApiError::not_found(message),
            Error::Store { problem: StoreProblem::Busy, .. } => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "the store is busy; nothing was done, try again")
            }
            Error::Store { problem: StoreProblem::Disk, message, .. } => {
                ApiError::new(StatusCode::INSUFFICIENT_STORAGE, message)
            }
            Error::Store { problem: StoreProblem::Gone, .. } => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the store file was deleted or replaced while satui serve ran: nothing was written; restart satui serve",
            ),
            other => ApiError::internal(other),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError::from_service(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(detail) = self.internal {
            response.extensions_mut().insert(InternalError(detail));
        }
        response
    }
}
