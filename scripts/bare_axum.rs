//! The reference for scripts/bench_serve.sh: a bare axum server answering `GET /api/health` with
//! the same small JSON body as `satui serve` (and `/api/satui/verify` with a fixed identity of the
//! same size), on the same runtime and the same machine, so every `satui serve` figure in
//! BENCHMARKS.md is a ratio measured side by side. Nothing else: no store, no log, no layers.
//!
//!   cargo run --release --example bare_axum -- 127.0.0.1:3942

use axum::Json;
use axum::routing::get;
use serde_json::json;

fn main() {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3942".to_string());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async move {
        let app = axum::Router::new()
            .route(
                "/api/health",
                get(|| async { Json(json!({"database": "ok", "version": "0.1.0", "commit": "unknown"})) }),
            )
            .route(
                "/api/satui/verify",
                get(|| async {
                    Json(json!({
                        "org_id": 1, "org": "Main Org.", "account_id": 1, "account": "bench-admin",
                        "login": "sa-1-bench-admin", "role": "Admin", "token_id": 1, "token": "bench",
                        "expires_at": null
                    }))
                }),
            );
        let listener = tokio::net::TcpListener::bind(&address).await.expect("bind");
        eprintln!("bare axum: listening on http://{address}");
        axum::serve(listener, app).await.expect("serve");
    });
}
