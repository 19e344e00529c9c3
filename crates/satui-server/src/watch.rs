//! Background work on the store, off the request path:
//!
//! - **the watcher** (one thread, one connection): writes queued token uses in batches, reads
//!   `PRAGMA data_version` every [`CHECK_EVERY`] and empties the verification cache when another
//!   connection or process committed, and checks the store (file still there, readable) at least
//!   every [`HEALTH_EVERY`] for `/api/health` and `/metrics`. Its own use writes do not move its
//!   `data_version` (SQLite counts other connections' commits only), so recording uses never
//!   empties the cache; an Extended token's slide is kept in the cache entry instead.
//! - **the census** (one thread, one connection): token counts by org and state for `/metrics`,
//!   every [`CENSUS_EVERY`].
//!
//! A use waits at most [`USE_PATIENCE`] for another process's write lock; when the store stays
//! busy the uses are kept (latest per token) for the next round, so the watcher is never blocked
//! long enough to miss its next check.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use satui_domain::clock::Clock;
use satui_service::{Service, UseRecord};

use crate::cache::VerifyCache;
use crate::metrics::{ENDING_SERIES, ENDING_WITHIN, Metrics};

/// How often the watcher asks SQLite whether anyone else committed: the longest a change made
/// elsewhere can go unseen by the cache.
pub const CHECK_EVERY: Duration = Duration::from_millis(100);
/// How often the store itself is checked for `/api/health`.
pub const HEALTH_EVERY: Duration = Duration::from_millis(500);
/// `/api/health` says failing when the last check is older than this (the watcher is stuck).
pub const HEALTH_STALE: Duration = Duration::from_secs(3);
/// How often `/metrics`' token counts are re-read.
pub const CENSUS_EVERY: Duration = Duration::from_secs(15);
/// How long a batch of uses waits for another process's write lock before it is kept for later.
const USE_PATIENCE: Duration = Duration::from_millis(50);
/// Uses kept while the store stays busy (one per token); past this the oldest rounds are dropped
/// and those tokens record their use on a later verification.
const MAX_PENDING_USES: usize = 100_000;

/// The store's state as the watcher last saw it.
pub struct StoreHealth {
    ok: AtomicBool,
    /// Milliseconds after `started` of the last check.
    checked_ms: AtomicU64,
    started: Instant,
}

impl StoreHealth {
    fn new() -> StoreHealth {
        StoreHealth { ok: AtomicBool::new(true), checked_ms: AtomicU64::new(0), started: Instant::now() }
    }

    fn record(&self, ok: bool) {
        self.ok.store(ok, Ordering::SeqCst);
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.checked_ms.store(ms, Ordering::SeqCst);
    }

    /// Whether the store passed its last check, and that check is recent.
    pub fn is_ok(&self) -> bool {
        let since =
            self.started.elapsed().saturating_sub(Duration::from_millis(self.checked_ms.load(Ordering::SeqCst)));
        self.ok.load(Ordering::SeqCst) && since <= HEALTH_STALE
    }
}

/// The request side's handle on the background work.
pub struct Watch {
    uses: Mutex<Sender<UseRecord>>,
    pub health: Arc<StoreHealth>,
    /// Dropped with the server: the census stops (the watcher stops when `uses` goes).
    _census_stop: Sender<()>,
}

impl Watch {
    /// Starts the watcher and the census, each on its own thread and connection.
    pub fn start(
        path: &Path,
        clock: Arc<dyn Clock>,
        cache: Arc<VerifyCache>,
        metrics: Arc<Metrics>,
    ) -> satui_service::Result<Watch> {
        let watcher = Service::open_with_clock(path, clock.clone())?;
        let census = Service::open_with_clock(path, clock)?;
        let health = Arc::new(StoreHealth::new());
        let (uses, received) = channel();
        let (census_stop, stopped) = channel();
        let started = |e: std::io::Error| satui_service::Error::Refused(format!("cannot start the store watcher: {e}"));
        let state = Watcher { service: watcher, cache, metrics: metrics.clone(), health: health.clone() };
        std::thread::Builder::new()
            .name("satui-store-watch".into())
            .spawn(move || state.run(received))
            .map_err(started)?;
        std::thread::Builder::new()
            .name("satui-census".into())
            .spawn(move || take_census(census, metrics, stopped))
            .map_err(started)?;
        Ok(Watch { uses: Mutex::new(uses), health, _census_stop: census_stop })
    }

    /// Queues a token use for the background writer (never blocks).
    pub fn record_use(&self, record: UseRecord, metrics: &Metrics) {
        // Counted before it is sent, so the writer never takes away what was not yet added.
        metrics.use_queue().inc();
        let sent = self.uses.lock().is_ok_and(|sender| sender.send(record).is_ok());
        if !sent {
            metrics.use_queue().dec();
        }
    }
}

struct Watcher {
    service: Service,
    cache: Arc<VerifyCache>,
    metrics: Arc<Metrics>,
    health: Arc<StoreHealth>,
}

impl Watcher {
    fn run(mut self, received: Receiver<UseRecord>) {
        let mut pending: HashMap<i64, UseRecord> = HashMap::new();
        let mut version = self.service.data_version().ok();
        let mut last_check = Instant::now();
        let mut last_health: Option<Instant> = None;
        loop {
            let wait = CHECK_EVERY.saturating_sub(last_check.elapsed());
            match received.recv_timeout(wait) {
                Ok(first) => {
                    let mut n = 1;
                    keep_latest(&mut pending, first);
                    for record in received.try_iter() {
                        n += 1;
                        keep_latest(&mut pending, record);
                    }
                    self.metrics.use_queue().dec_by(n);
                }
                Err(RecvTimeoutError::Timeout) => {}
                // The server is gone: write what is left if the store lets us, then stop.
                Err(RecvTimeoutError::Disconnected) => {
                    self.write_uses(&mut pending);
                    return;
                }
            }
            self.write_uses(&mut pending);
            if last_check.elapsed() >= CHECK_EVERY {
                last_check = Instant::now();
                let now_version = self.service.data_version().ok();
                if now_version.is_none() || now_version != version {
                    self.cache.invalidate();
                    version = now_version;
                }
                if now_version.is_some() {
                    self.cache.confirm();
                }
                self.metrics.cache_entries(self.cache.len());
            }
            if last_health.is_none_or(|at| at.elapsed() >= HEALTH_EVERY) {
                last_health = Some(Instant::now());
                let ok = self.service.ensure_store_still_there().and_then(|()| self.service.data_version()).is_ok();
                if !ok {
                    // Whatever the cache holds may describe a file that is gone.
                    self.cache.invalidate();
                }
                self.health.record(ok);
                self.metrics.store_up(ok);
            }
        }
    }

    /// Writes the pending uses in one transaction; kept for the next round when the store is busy.
    fn write_uses(&mut self, pending: &mut HashMap<i64, UseRecord>) {
        if pending.is_empty() {
            return;
        }
        let batch: Vec<UseRecord> = pending.values().copied().collect();
        match self.service.record_uses(&batch, USE_PATIENCE) {
            Ok(true) => pending.clear(),
            // Busy: try again next round, without letting the backlog grow without bound.
            Ok(false) if pending.len() <= MAX_PENDING_USES => {}
            // Too many waiting, or an error (store gone, disk full): best effort, dropped; each
            // token records its use on a later verification.
            Ok(false) | Err(_) => pending.clear(),
        }
    }
}

fn keep_latest(pending: &mut HashMap<i64, UseRecord>, record: UseRecord) {
    match pending.get(&record.token_id) {
        Some(kept) if kept.at > record.at => {}
        _ => {
            pending.insert(record.token_id, record);
        }
    }
}

/// Reads the token census at once and then every [`CENSUS_EVERY`] until the server stops.
fn take_census(service: Service, metrics: Arc<Metrics>, stop: Receiver<()>) {
    loop {
        if let Ok(census) = service.token_census(ENDING_WITHIN, ENDING_SERIES) {
            metrics.set_census(census);
        }
        if let Err(RecvTimeoutError::Disconnected) = stop.recv_timeout(CENSUS_EVERY) {
            return;
        }
    }
}
