//! The one middleware around every request: times it, counts it in the metrics and writes its
//! access-log line. A tower layer of its own rather than `axum::middleware::from_fn` (which
//! boxes a future and clones the inner service per request) and no tracing span per request:
//! with them the layer cost a fifth of `/api/health`'s rate (BENCHMARKS.md). The layer writes
//! nothing shared by the runtime threads per request: the metrics are reached through a plain
//! reference (an `Arc` clone per request writes its count, one cache line every thread fights
//! over), the route's name is interned per thread, counts go to the thread's own shard.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{Method, Uri};
use axum::response::Response;

use crate::metrics::{Metrics, Route};

#[derive(Clone, Copy)]
pub struct ObserveLayer {
    /// The server's metrics, kept for the process's life (one per `serve`).
    pub metrics: &'static Metrics,
    /// No access-log lines (errors are still logged).
    pub quiet: bool,
}

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe { inner, layer: *self }
    }
}

#[derive(Clone)]
pub struct Observe<S> {
    inner: S,
    layer: ObserveLayer,
}

impl<S: tower::Service<Request, Response = Response>> tower::Service<Request> for Observe<S> {
    type Response = Response;
    type Error = S::Error;
    type Future = Observed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Observed<S::Future> {
        let seen = Seen {
            started: Instant::now(),
            route: Route::of(&request),
            method: request.method().clone(),
            // A clone of the URI shares the connection's bytes; the path is read only if a line
            // is written.
            uri: request.uri().clone(),
            layer: self.layer,
        };
        Observed { inner: self.inner.call(request), seen: Some(seen) }
    }
}

/// What is known of a request before its answer.
struct Seen {
    started: Instant,
    route: Route,
    method: Method,
    uri: Uri,
    layer: ObserveLayer,
}

pin_project_lite::pin_project! {
    /// The inner service's answer, counted and logged when it is ready.
    pub struct Observed<F> {
        #[pin]
        inner: F,
        seen: Option<Seen>,
    }
}

impl<F: Future<Output = Result<Response, E>>, E> Future for Observed<F> {
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let answer = ready!(this.inner.poll(cx));
        if let (Ok(response), Some(seen)) = (&answer, this.seen.take()) {
            let answered_at = Instant::now();
            let latency = answered_at.saturating_duration_since(seen.started);
            let layer = &seen.layer;
            layer.metrics.request(seen.route, &seen.method, response.status().as_u16(), latency.as_secs_f64());
            crate::log::answered(&seen.method, seen.uri.path(), response, answered_at, latency, layer.quiet);
        }
        Poll::Ready(answer)
    }
}
