//! `satui serve`: Grafana's service-account HTTP API over the same store, and token
//! verification for applications and reverse proxies (forward auth).
//!
//! - `routes.rs`: the endpoints; `extract.rs`: what a handler reads (the caller, a path id, a
//!   JSON object body) with one error type; `dto.rs`: the JSON shapes; `auth.rs`: who a token
//!   acts as; `error.rs`: Grafana's error bodies; `pool.rs`: store connections in two lanes and
//!   the use writer; `cache.rs` and `watch.rs`: the verification cache and the store watcher
//!   that keeps it current; `metrics.rs`: `GET /metrics`; `log.rs`: the batched access log;
//!   `observe.rs`: the middleware that counts, times and logs each request; `transport.rs`:
//!   the address and TLS.
//! - Cross-cutting work is tower layers: the body limit, the body-read timeout, the observer.
//! - Loopback by default; any other address needs TLS (rustls), so bearer tokens never cross a
//!   network in clear text. Ctrl-C or SIGTERM stop it gracefully.

mod auth;
mod cache;
mod dto;
mod error;
mod extract;
mod log;
mod metrics;
mod observe;
mod openapi;
mod pool;
mod routes;
mod transport;
mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use error::ApiError;
pub use log::LogFormat;
pub use openapi::document as openapi_document;
use satui_domain::clock::{Clock, SystemClock};
pub use transport::{listen_address, tls_config};

/// Largest request body, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// The address `satui serve` listens on when none is given (3000 is Grafana's own).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3939";
/// A request body not received within this is answered 408. This is the only timeout around
/// reading a request: waiting for a store connection and for the write lock have their own
/// bounds, and a transaction once begun is never cut short (see `pool.rs`).
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a graceful shutdown waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub db: PathBuf,
    pub listen: String,
    /// PEM certificate chain and private key; required for a non-loopback address.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// No access log.
    pub quiet: bool,
    pub log_format: LogFormat,
    /// Store connections for reads and verification (a blocking thread each).
    pub connections: usize,
}

/// Why `satui serve` could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `--listen` is not an address, or not one satui listens on without TLS.
    #[error("{0}")]
    Address(String),
    #[error("{}: {message}", path.display())]
    Tls { path: PathBuf, message: String },
    #[error("the TLS certificate and key do not fit together: {0}")]
    TlsSetup(#[source] rustls::Error),
    #[error(transparent)]
    Store(#[from] satui_service::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the server: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("server stopped: {0}")]
    Stopped(#[source] std::io::Error),
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(options: &ServeOptions) -> Result<(), ServeError> {
    let addr = listen_address(&options.listen, options.tls.is_some())?;
    let tls = options.tls.as_ref().map(|(cert, key)| tls_config(cert, key)).transpose()?;
    let pool = pool::Pool::open(&options.db, options.connections, Arc::new(SystemClock))?;
    let _log = log::init(options.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let listener = std::net::TcpListener::bind(addr).map_err(|source| ServeError::Listen { addr, source })?;
        let bound = listener.local_addr().map_err(ServeError::Runtime)?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        eprintln!("satui serve: listening on {scheme}://{bound} (store {})", options.db.display());
        serve(listener, pool, tls, options.quiet, shutdown_signal()).await
    })
}

/// Serves on `listener` until `shutdown` completes; for `run` and for tests (port 0).
pub async fn serve(
    listener: std::net::TcpListener,
    pool: Arc<pool::Pool>,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    quiet: bool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    // The metrics live as long as the process (a server is started once; tests start a few
    // dozen), so the observer reaches them with no `Arc` count to write per request.
    let metrics: &'static metrics::Metrics = Box::leak(Box::new(pool.metrics.clone()));
    let observer = observe::ObserveLayer { metrics, quiet };
    let documents = axum::Router::new().route("/api/openapi.json", axum::routing::get(openapi::serve));
    let app = routes::router(extract::App { pool }, documents).layer(observer);
    listener.set_nonblocking(true).map_err(ServeError::Runtime)?;
    match tls {
        Some(config) => {
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(SHUTDOWN_GRACE));
            });
            axum_server::from_tcp_rustls(listener, config)
                .map_err(ServeError::Runtime)?
                .handle(handle)
                .serve(app.into_make_service_with_connect_info::<SocketAddr>())
                .await
                .map_err(ServeError::Stopped)
        }
        None => {
            let listener = tokio::net::TcpListener::from_std(listener).map_err(ServeError::Runtime)?;
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(ServeError::Stopped)
        }
    }
}

/// A pool of store connections for [`serve`] (tests inject their clock).
pub fn open_pool(db: &Path, connections: usize, clock: Arc<dyn Clock>) -> Result<Arc<pool::Pool>, ServeError> {
    Ok(pool::Pool::open(db, connections, clock)?)
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    eprintln!("satui serve: stopping");
}
