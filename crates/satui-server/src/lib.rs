//! `satui serve`: Grafana's service-account HTTP API over the same store, and token
//! verification for applications and reverse proxies (forward auth).
//!
//! - `routes.rs`: the endpoints; `dto.rs`: the JSON shapes; `auth.rs`: who a token acts as;
//!   `error.rs`: Grafana's error bodies; `pool.rs`: store connections and the use writer.
//! - Loopback by default; any other address needs TLS (rustls), so bearer tokens never cross a
//!   network in clear text. Ctrl-C or SIGTERM stop it gracefully.

mod auth;
mod dto;
mod error;
mod pool;
mod routes;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use error::ApiError;
pub use routes::MAX_BODY;
use satui_domain::clock::{Clock, SystemClock};

/// The address `satui serve` listens on when none is given (3000 is Grafana's own).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3939";
/// A request body not received within this is answered 408. This is the only timeout around a
/// whole request: waiting for a store connection and for the write lock have their own bounds,
/// and a transaction once begun is never cut short (see `pool.rs`).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
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
    /// Store connections for requests (a blocking thread each).
    pub connections: usize,
}

/// Where to listen, checked: a non-loopback address only with TLS.
pub fn listen_address(listen: &str, tls: bool) -> Result<SocketAddr, String> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| format!("--listen '{listen}' is not an address with a port (e.g. {DEFAULT_LISTEN})"))?;
    if !is_loopback(addr.ip()) && !tls {
        return Err(format!(
            "--listen {addr} is reachable from other machines: give --tls-cert and --tls-key so tokens never travel in clear text, or listen on 127.0.0.1"
        ));
    }
    Ok(addr)
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub fn run(options: &ServeOptions) -> Result<(), String> {
    let addr = listen_address(&options.listen, options.tls.is_some())?;
    let tls = options.tls.as_ref().map(|(cert, key)| tls_config(cert, key)).transpose()?;
    let pool = pool::Pool::open(&options.db, options.connections, Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = std::net::TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
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
) -> Result<(), String> {
    let app = routes::router(routes::App { pool })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(body_in_time))
        .layer(middleware::from_fn(move |request, next| access_log(request, next, quiet)));
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    match tls {
        Some(config) => {
            let handle = axum_server::Handle::new();
            let stopper = handle.clone();
            tokio::spawn(async move {
                shutdown.await;
                stopper.graceful_shutdown(Some(SHUTDOWN_GRACE));
            });
            axum_server::from_tcp_rustls(listener, config)
                .map_err(|e| e.to_string())?
                .handle(handle)
                .serve(app.into_make_service())
                .await
                .map_err(|e| format!("server stopped: {e}"))
        }
        None => {
            let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .map_err(|e| format!("server stopped: {e}"))
        }
    }
}

/// A pool of store connections for [`serve`] (tests inject their clock).
pub fn open_pool(db: &Path, connections: usize, clock: Arc<dyn Clock>) -> Result<Arc<pool::Pool>, String> {
    pool::Pool::open(db, connections, clock).map_err(|e| e.to_string())
}

/// The certificate and key for TLS, with the ring crypto provider (no cmake needed to build).
pub fn tls_config(cert: &Path, key: &Path) -> Result<axum_server::tls_rustls::RustlsConfig, String> {
    let read = |path: &Path| {
        satui_service::bounded::read(path, satui_service::bounded::SMALL_FILE)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let (cert_pem, key_pem) = (read(cert)?, read(key)?);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = rustls_pki_types_certs(&cert_pem).map_err(|e| format!("{}: {e}", cert.display()))?;
    let key = rustls_pki_types_key(&key_pem).map_err(|e| format!("{}: {e}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| format!("the TLS certificate and key do not fit together: {e}"))?;
    Ok(axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)))
}

fn rustls_pki_types_certs(pem: &[u8]) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in the file".to_string());
    }
    Ok(certs)
}

fn rustls_pki_types_key(pem: &[u8]) -> Result<rustls::pki_types::PrivateKeyDer<'static>, String> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::PrivateKeyDer::from_pem_slice(pem).map_err(|e| format!("not a PEM private key: {e}"))
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

/// Reads the whole request body (at most [`MAX_BODY`] bytes) before the handler runs, within
/// [`BODY_TIMEOUT`]: a client that trickles its body is answered 408 and never holds a store
/// connection; a larger body is answered 413.
async fn body_in_time(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Ok(Err(_)) => ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body is larger than {} KiB", MAX_BODY / 1024),
        )
        .into_response(),
        Err(_) => ApiError::new(axum::http::StatusCode::REQUEST_TIMEOUT, "the request body did not arrive in time")
            .into_response(),
    }
}

/// One line per request: method, path (no query, no headers, no body: never a token), status,
/// time taken and the login that acted.
async fn access_log(request: Request, next: Next, quiet: bool) -> Response {
    if quiet {
        return next.run(request).await;
    }
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    let login = response.extensions().get::<routes::ActingLogin>().map_or("-".to_string(), |l| l.0.clone());
    eprintln!(
        "{} {method} {} {} {:.1}ms {}",
        satui_domain::time::rfc3339(chrono::Utc::now().timestamp()),
        satui_domain::text::for_terminal(&path),
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0,
        satui_domain::text::for_terminal(&login),
    );
    response
}
