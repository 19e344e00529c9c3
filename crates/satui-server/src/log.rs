//! Logs through `tracing`: one access-log event per request (method and path in its span; the
//! status, time taken and the login that acted in the event) and an error event for every 500,
//! as text or JSON lines on stderr. Never a header, a query string or a body, so never a token.

use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::InternalError;
use crate::extract::ActingLogin;

/// The form of the log lines (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Installs the process's log subscriber (once; later calls change nothing). Lines are written
/// by a background thread through a buffer flushed after each burst (tracing-appender), so a
/// request never waits for stderr; the returned guard flushes what is left when dropped (keep it
/// until the server stops). Under overload the log drops lines rather than slow requests (past
/// 128 000 waiting lines).
pub fn init(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let (writer, guard) = tracing_appender::non_blocking(std::io::BufWriter::new(std::io::stderr()));
    let builder = tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    guard
}

type MakeSpan = fn(&Request) -> Span;

/// tower-http's `TraceLayer`, set up for the access log (`quiet`: no access events, errors
/// still logged).
pub fn layer(
    quiet: bool,
) -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan, (), impl Fn(&Response, Duration, &Span) + Clone> {
    TraceLayer::new_for_http().make_span_with(request_span as MakeSpan).on_request(()).on_response(
        move |response: &Response, latency: Duration, _span: &Span| {
            if let Some(InternalError(detail)) = response.extensions().get::<InternalError>() {
                tracing::error!(status = response.status().as_u16(), "internal error: {detail}");
            }
            if quiet {
                return;
            }
            let login = response.extensions().get::<ActingLogin>().map_or("-", |l| l.0.as_str());
            tracing::info!(
                "{} {:.1}ms {}",
                response.status().as_u16(),
                latency.as_secs_f64() * 1000.0,
                satui_domain::text::for_terminal(login)
            );
        },
    )
}

/// The span of a request: its method and path (escaped for the terminal), not its query.
fn request_span(request: &Request) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %satui_domain::text::for_terminal(request.uri().path()),
    )
}
