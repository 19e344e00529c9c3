//! `GET /metrics`: what the server did and what the store holds, in the Prometheus text format
//! (0.0.4, through `prometheus-client`).
//!
//! Counted as requests run: requests by route, method and status; a latency histogram by route;
//! token checks by outcome; verification cache hits and misses; the uses waiting for the
//! background writer. Read from the store by a background census (`watch.rs`, every
//! [`crate::watch::CENSUS_EVERY`]): tokens by org and state, and the end time of the live tokens
//! ending within 30 days (at most [`ENDING_SERIES`] of them, soonest first; how many did not fit
//! is a gauge of its own). A scrape only encodes what is in memory: it never touches the store,
//! so it never waits for the write lock.
//!
//! Names only, never a secret or a hint: labels are org, account and token names, which
//! `prometheus-client` escapes.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use satui_service::{Rejection, TokenCensus};

/// Live tokens ending within this many seconds get an end-time series each.
pub const ENDING_WITHIN: i64 = 30 * 86_400;
/// At most this many end-time series, whatever the store holds (1 000 000 tokens included).
pub const ENDING_SERIES: u64 = 1_000;

/// What a token check decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Ok,
    /// Malformed, a bad checksum, or no such token.
    Invalid,
    Expired,
    Revoked,
    Disabled,
    /// A good token whose account may not do what `/api/satui/verify` asked.
    Forbidden,
}

impl Outcome {
    pub fn of(rejection: Rejection) -> Outcome {
        match rejection {
            Rejection::Malformed | Rejection::BadChecksum | Rejection::Unknown => Outcome::Invalid,
            Rejection::Expired => Outcome::Expired,
            Rejection::Revoked => Outcome::Revoked,
            Rejection::AccountDisabled => Outcome::Disabled,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Invalid => "invalid",
            Outcome::Expired => "expired",
            Outcome::Revoked => "revoked",
            Outcome::Disabled => "disabled",
            Outcome::Forbidden => "forbidden",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// The server's metrics: counters updated as requests run, and the census the store watcher
/// refreshes.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    verifications: Family<OutcomeLabels, Counter>,
    cache_hits: Counter,
    cache_misses: Counter,
    cache_entries: Gauge,
    use_queue: Gauge,
    store_up: Gauge,
    census: Arc<Mutex<Option<TokenCensus>>>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("satui");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by route, method and status", requests.clone());
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer, by route",
            latency.clone(),
        );
        let verifications = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "verifications",
            "Token checks by outcome (ok, invalid, expired, revoked, disabled, forbidden)",
            verifications.clone(),
        );
        let cache_hits = Counter::default();
        registry.register("verify_cache_hits", "Token checks answered from the verification cache", cache_hits.clone());
        let cache_misses = Counter::default();
        registry.register("verify_cache_misses", "Token checks that read the store", cache_misses.clone());
        let cache_entries = Gauge::default();
        registry.register("verify_cache_entries", "Tokens in the verification cache", cache_entries.clone());
        let use_queue = Gauge::default();
        registry.register("use_writer_queue", "Token uses waiting for the background writer", use_queue.clone());
        let store_up = Gauge::default();
        registry.register("store_up", "1 when the last store check (at least once a second) passed", store_up.clone());
        let census = Arc::new(Mutex::new(None));
        registry.register_collector(Box::new(CensusCollector(census.clone())));
        Metrics {
            registry,
            requests,
            latency,
            verifications,
            cache_hits,
            cache_misses,
            cache_entries,
            use_queue,
            store_up,
            census,
        }
    }

    pub fn verification(&self, outcome: Outcome) {
        self.verifications.get_or_create(&OutcomeLabels { outcome: outcome.label() }).inc();
    }

    pub fn cache_hit(&self) {
        self.cache_hits.inc();
    }

    pub fn cache_miss(&self) {
        self.cache_misses.inc();
    }

    pub fn cache_entries(&self, n: usize) {
        self.cache_entries.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    pub fn use_queue(&self) -> &Gauge {
        &self.use_queue
    }

    pub fn store_up(&self, up: bool) {
        self.store_up.set(i64::from(up));
    }

    pub fn set_census(&self, census: TokenCensus) {
        *self.census.lock().unwrap_or_else(|p| p.into_inner()) = Some(census);
    }

    /// The text a scrape gets.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail; an error would be a bug in a collector.
        if prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// 0.1 ms to about 3 s, doubling: forward auth answers in well under a millisecond from the
/// cache, a search page in tens of milliseconds.
fn latency_histogram() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 16))
}

/// The tower middleware that counts each request and times it, by the route it matched (the
/// pattern, `/api/serviceaccounts/{id}`, never the path itself: ids and junk paths would make
/// series without bound).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let method = request.method().as_str().to_string();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    metrics.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(seconds);
    metrics.requests.get_or_create(&RequestLabels { route, method, status: response.status().as_u16() }).inc();
    response
}

/// Encodes the latest census at each scrape (nothing before the first one finished).
#[derive(Debug)]
struct CensusCollector(Arc<Mutex<Option<TokenCensus>>>);

impl Collector for CensusCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let census = self.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(census) = census else { return Ok(()) };
        let tokens = encoder.encode_descriptor(
            "tokens",
            "Tokens by org and state: live, retiring (rotated, in grace), expiring_1d/7d/30d (live, ending within), expired, revoked",
            None,
            MetricType::Gauge,
        )?;
        let mut tokens = tokens;
        for org in &census.orgs {
            for (state, n) in [
                ("live", org.live),
                ("retiring", org.retiring),
                ("expiring_1d", org.expiring_1d),
                ("expiring_7d", org.expiring_7d),
                ("expiring_30d", org.expiring_30d),
                ("expired", org.expired),
                ("revoked", org.revoked),
            ] {
                let labels = [("org", org.org.as_str()), ("state", state)];
                ConstGauge::new(i64::try_from(n).unwrap_or(i64::MAX)).encode(tokens.encode_family(&labels)?)?;
            }
        }
        let mut ending = encoder.encode_descriptor(
            "token_end_timestamp_seconds",
            "When a live token ending within 30 days stops working (Unix time), soonest first",
            None,
            MetricType::Gauge,
        )?;
        for token in &census.ending {
            let labels =
                [("org", token.org.as_str()), ("account", token.account.as_str()), ("token", token.token.as_str())];
            ConstGauge::new(token.ends_at).encode(ending.encode_family(&labels)?)?;
        }
        let within_30d: u64 = census.orgs.iter().map(|o| o.expiring_30d).sum();
        let left_out = within_30d.saturating_sub(census.ending.len() as u64);
        ConstGauge::new(i64::try_from(left_out).unwrap_or(i64::MAX)).encode(encoder.encode_descriptor(
            "token_end_series_left_out",
            "Live tokens ending within 30 days without an end-time series (beyond the first 1000)",
            None,
            MetricType::Gauge,
        )?)?;
        ConstGauge::new(census.at).encode(encoder.encode_descriptor(
            "token_census_timestamp_seconds",
            "When the token counts were read from the store (Unix time)",
            None,
            MetricType::Gauge,
        )?)?;
        Ok(())
    }
}
