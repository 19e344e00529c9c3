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

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelValue, EncodeMetric, LabelValueEncoder, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::registry::Registry;

use satui_service::{Rejection, TokenCensus};

/// Live tokens ending within this many seconds get an end-time series each.
pub const ENDING_WITHIN: i64 = 30 * 86_400;
/// At most this many end-time series, whatever the store holds (1 000 000 tokens included).
pub const ENDING_SERIES: u64 = 1_000;

/// What a token check decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(usize)]
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

const OUTCOMES: [Outcome; 6] =
    [Outcome::Ok, Outcome::Invalid, Outcome::Expired, Outcome::Revoked, Outcome::Disabled, Outcome::Forbidden];

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

/// The route pattern a request matched (`/api/serviceaccounts/{id}`, never the path itself: ids
/// and junk paths would make series without bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Route(&'static str);

impl Route {
    pub fn of(request: &Request) -> Route {
        match request.extensions().get::<MatchedPath>() {
            Some(matched) => Route(intern(matched.as_str())),
            None => Route("unmatched"),
        }
    }

    fn as_str(&self) -> &str {
        self.0
    }
}

/// The route patterns this thread has seen, each kept once for the process's life. Patterns
/// come from the router, never from a request, so there are a dozen; and keeping them per thread
/// means no request writes to memory another thread reads (cloning the router's shared
/// `Arc<str>` would, on every request).
fn intern(pattern: &str) -> &'static str {
    thread_local! {
        static SEEN: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if let Some(known) = seen.iter().find(|known| **known == pattern) {
            return *known;
        }
        let kept: &'static str = Box::leak(pattern.into());
        seen.push(kept);
        kept
    })
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        self.as_str().encode(encoder)
    }
}

/// The method as a label: the standard ones by name, any other as `other` (a client may send
/// any token as a method, and each would be a series of its own).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// The server's metrics: counters updated as requests run, and the census the store watcher
/// refreshes.
pub struct Metrics {
    registry: Registry,
    counts: Arc<Shards>,
    cache_entries: Gauge,
    use_queue: Gauge,
    store_up: Gauge,
    census: Arc<Mutex<Option<TokenCensus>>>,
    /// The org a scrape's census is limited to (see [`Metrics::encode`]).
    census_org: Arc<Mutex<Option<String>>>,
    /// One scrape at a time (each sets `census_org` for its own encoding).
    scrape: Mutex<()>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("satui");
        let counts = Arc::new(Shards::default());
        registry.register_collector(Box::new(CountsCollector(counts.clone())));
        let cache_entries = Gauge::default();
        registry.register("verify_cache_entries", "Tokens in the verification cache", cache_entries.clone());
        let use_queue = Gauge::default();
        registry.register("use_writer_queue", "Token uses waiting for the background writer", use_queue.clone());
        let store_up = Gauge::default();
        registry.register("store_up", "1 when the last store check (at least once a second) passed", store_up.clone());
        let census = Arc::new(Mutex::new(None));
        let census_org = Arc::new(Mutex::new(None));
        registry.register_collector(Box::new(CensusCollector { census: census.clone(), only: census_org.clone() }));
        Metrics { registry, counts, cache_entries, use_queue, store_up, census, census_org, scrape: Mutex::new(()) }
    }

    pub fn verification(&self, outcome: Outcome) {
        self.counts.with(|counts| counts.outcomes[outcome as usize] += 1);
    }

    pub fn cache_hit(&self) {
        self.counts.with(|counts| counts.cache_hits += 1);
    }

    pub fn cache_miss(&self) {
        self.counts.with(|counts| counts.cache_misses += 1);
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

    /// Counts one answered request and its time.
    pub fn request(&self, route: Route, method: &Method, status: u16, seconds: f64) {
        let method = method_label(method);
        self.counts.with(|counts| counts.route(route).add(method, status, seconds));
    }

    /// The text a scrape gets; with `org`, the token census holds only that org's series (a
    /// scraper with a token sees its own org's names and counts, never another's).
    pub fn encode(&self, org: Option<&str>) -> String {
        let _one_at_a_time = self.scrape.lock().unwrap_or_else(|p| p.into_inner());
        let set = |value: Option<&str>| {
            *self.census_org.lock().unwrap_or_else(|p| p.into_inner()) = value.map(str::to_string)
        };
        set(org);
        let mut out = String::new();
        // Writing into a String cannot fail; an error would be a bug in a collector.
        if prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        set(None);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Upper bounds of the latency histogram's buckets, in seconds: 0.1 ms to about 3 s, doubling
/// (forward auth answers in well under a millisecond from the cache, a search page in tens of
/// milliseconds); a last bucket takes the rest.
const LATENCY_BUCKETS: [f64; 16] = {
    let mut bounds = [0.0001; 16];
    let mut i = 1;
    while i < 16 {
        bounds[i] = bounds[i - 1] * 2.0;
        i += 1;
    }
    bounds
};

/// Counts kept per thread: a request touches only its own thread's shard, so the two or more
/// runtime threads never contend for a lock or a cache line per request (a shared
/// prometheus-client family and histogram cost a tenth of `/api/health`'s rate). A scrape adds
/// the shards up.
struct Shards([Shard; SHARDS]);

const SHARDS: usize = 16;

/// One thread's counts, on cache lines of its own.
#[derive(Default)]
#[repr(align(128))]
struct Shard(Mutex<Counts>);

impl Default for Shards {
    fn default() -> Shards {
        Shards(std::array::from_fn(|_| Shard::default()))
    }
}

impl Shards {
    fn with(&self, count: impl FnOnce(&mut Counts)) {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        thread_local! {
            static SHARD: usize = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % SHARDS;
        }
        let shard = SHARD.with(|shard| *shard);
        count(&mut self.0[shard].0.lock().unwrap_or_else(|p| p.into_inner()));
    }

    fn total(&self) -> Counts {
        let mut total = Counts::default();
        for shard in &self.0 {
            total.add(&shard.0.lock().unwrap_or_else(|p| p.into_inner()));
        }
        total
    }
}

#[derive(Default)]
struct Counts {
    /// A dozen routes at most, each with a few answers: a short list scanned is cheaper per
    /// request than hashing the route's name.
    routes: Vec<(Route, RouteCounts)>,
    /// By [`Outcome`] as an index.
    outcomes: [u64; OUTCOMES.len()],
    cache_hits: u64,
    cache_misses: u64,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        for (route, counts) in &other.routes {
            let total = self.route(*route);
            for (key, n) in &counts.answers {
                *total.answer(*key) += n;
            }
            for (total, n) in total.buckets.iter_mut().zip(counts.buckets) {
                *total += n;
            }
            total.seconds += counts.seconds;
        }
        for (total, n) in self.outcomes.iter_mut().zip(other.outcomes) {
            *total += n;
        }
        self.cache_hits += other.cache_hits;
        self.cache_misses += other.cache_misses;
    }
}

/// One route's answers by method and status, and its latency histogram.
#[derive(Default)]
struct RouteCounts {
    answers: Vec<((&'static str, u16), u64)>,
    /// Per bucket of [`LATENCY_BUCKETS`], and a last one for the rest (not cumulative).
    buckets: [u64; LATENCY_BUCKETS.len() + 1],
    seconds: f64,
}

impl Counts {
    /// The counts of `route` (the same pattern interned by another thread is the same route).
    fn route(&mut self, route: Route) -> &mut RouteCounts {
        let found = self.routes.iter().position(|(known, _)| std::ptr::eq(known.0, route.0) || *known == route);
        let index = found.unwrap_or_else(|| {
            self.routes.push((route, RouteCounts::default()));
            self.routes.len() - 1
        });
        &mut self.routes[index].1
    }
}

impl RouteCounts {
    fn answer(&mut self, key: (&'static str, u16)) -> &mut u64 {
        let index = self.answers.iter().position(|(known, _)| *known == key).unwrap_or_else(|| {
            self.answers.push((key, 0));
            self.answers.len() - 1
        });
        &mut self.answers[index].1
    }

    fn add(&mut self, method: &'static str, status: u16, seconds: f64) {
        *self.answer((method, status)) += 1;
        let bucket = LATENCY_BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(LATENCY_BUCKETS.len());
        self.buckets[bucket] += 1;
        self.seconds += seconds;
    }
}

/// Encodes the per-thread counts, added up, at each scrape: requests, their latency, token
/// checks by outcome (every outcome, zero included) and the cache's hits and misses.
struct CountsCollector(Arc<Shards>);

impl std::fmt::Debug for CountsCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CountsCollector")
    }
}

impl Collector for CountsCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counts = self.0.total();
        let mut routes: Vec<(&Route, &RouteCounts)> = counts.routes.iter().map(|(r, c)| (r, c)).collect();
        routes.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let mut requests = encoder.encode_descriptor(
            "http_requests",
            "HTTP requests answered, by route, method and status",
            None,
            MetricType::Counter,
        )?;
        for (route, counts) in &routes {
            let mut answers: Vec<_> = counts.answers.iter().collect();
            answers.sort();
            for ((method, status), n) in answers {
                let status = status.to_string();
                let labels = [("route", route.as_str()), ("method", method), ("status", status.as_str())];
                requests.encode_family(&labels)?.encode_counter::<NoLabelSet, _, u64>(n, None)?;
            }
        }
        let mut latency = encoder.encode_descriptor(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer, by route",
            None,
            MetricType::Histogram,
        )?;
        for (route, counts) in &routes {
            let bounds = LATENCY_BUCKETS.iter().copied().chain(std::iter::once(f64::INFINITY));
            let buckets: Vec<(f64, u64)> = bounds.zip(counts.buckets).collect();
            let count = counts.buckets.iter().sum();
            latency.encode_family(&[("route", route.as_str())])?.encode_histogram::<NoLabelSet>(
                counts.seconds,
                count,
                &buckets,
                None,
            )?;
        }
        let mut outcomes = encoder.encode_descriptor(
            "verifications",
            "Token checks by outcome (ok, invalid, expired, revoked, disabled, forbidden)",
            None,
            MetricType::Counter,
        )?;
        for outcome in OUTCOMES {
            outcomes
                .encode_family(&[("outcome", outcome.label())])?
                .encode_counter::<NoLabelSet, _, u64>(&counts.outcomes[outcome as usize], None)?;
        }
        for (name, help, n) in [
            ("verify_cache_hits", "Token checks answered from the verification cache", counts.cache_hits),
            ("verify_cache_misses", "Token checks that read the store", counts.cache_misses),
        ] {
            encoder
                .encode_descriptor(name, help, None, MetricType::Counter)?
                .encode_counter::<NoLabelSet, _, u64>(&n, None)?;
        }
        Ok(())
    }
}

/// Encodes the latest census at each scrape (nothing before the first one finished), limited to
/// one org when the scrape asks.
#[derive(Debug)]
struct CensusCollector {
    census: Arc<Mutex<Option<TokenCensus>>>,
    only: Arc<Mutex<Option<String>>>,
}

impl Collector for CensusCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let census = self.census.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(mut census) = census else { return Ok(()) };
        if let Some(org) = self.only.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            census.orgs.retain(|o| o.org == org);
            census.ending.retain(|t| t.org == org);
        }
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
