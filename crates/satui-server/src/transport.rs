//! Where `satui serve` listens and with which certificate: loopback by default, any other
//! address only with TLS (rustls with the ring provider, which builds without cmake), so bearer
//! tokens never cross a network in clear text.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use crate::{DEFAULT_LISTEN, ServeError};

/// Where to listen, checked: a non-loopback address only with TLS.
pub fn listen_address(listen: &str, tls: bool) -> Result<SocketAddr, ServeError> {
    let addr: SocketAddr = listen.parse().map_err(|_| {
        ServeError::Address(format!("--listen '{listen}' is not an address with a port (e.g. {DEFAULT_LISTEN})"))
    })?;
    if !is_loopback(addr.ip()) && !tls {
        return Err(ServeError::Address(format!(
            "--listen {addr} is reachable from other machines: give --tls-cert and --tls-key so tokens never travel in clear text, or listen on 127.0.0.1"
        )));
    }
    Ok(addr)
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

/// The certificate and key for TLS, each file read with a size limit.
pub fn tls_config(cert: &Path, key: &Path) -> Result<axum_server::tls_rustls::RustlsConfig, ServeError> {
    let tls = |path: &Path, message: String| ServeError::Tls { path: path.to_path_buf(), message };
    let read = |path: &Path| {
        satui_service::bounded::read(path, satui_service::bounded::SMALL_FILE).map_err(|e| tls(path, e.to_string()))
    };
    let (cert_pem, key_pem) = (read(cert)?, read(key)?);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs = certificates(&cert_pem).map_err(|m| tls(cert, m))?;
    let private_key = private_key(&key_pem).map_err(|m| tls(key, m))?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(ServeError::TlsSetup)?
        .with_no_client_auth()
        .with_single_cert(certs, private_key)
        .map_err(ServeError::TlsSetup)?;
    Ok(axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)))
}

fn certificates(pem: &[u8]) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let certs: Vec<_> = rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("not a PEM certificate: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in the file".to_string());
    }
    Ok(certs)
}

fn private_key(pem: &[u8]) -> Result<rustls::pki_types::PrivateKeyDer<'static>, String> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::PrivateKeyDer::from_pem_slice(pem).map_err(|e| format!("not a PEM private key: {e}"))
}
