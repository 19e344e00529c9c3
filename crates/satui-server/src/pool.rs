//! Store connections for the server. A SQLite connection is used by one thread at a time, so
//! the server keeps `Service`s (one connection each) in two lanes and lends one to a blocking
//! task per request:
//!
//! - **readers** serve verification, health and every GET. In WAL mode a read never waits for
//!   a writer, so as long as writes cannot take these connections, verification answers at
//!   once even while another process holds the write lock for seconds.
//! - **writers** serve the API's changes. A change waits for a free writer connection at most
//!   [`QUEUE_PATIENCE`], then for SQLite's write lock at most the store's busy timeout; either
//!   wait running out is a 503 and nothing is written. Once its transaction has begun, a change
//!   is never cut short: the request waits for its commit (or its error), so an answer always
//!   says what happened to the store.
//!
//! The permit to use a connection travels with it into the blocking task and is released only
//! when the connection is back in its lane, so a permit always means a free connection.
//!
//! The pool also holds what requests share about the store: the verification cache (a known
//! token is checked without a connection; a change made through the write lane empties it
//! before its answer), the background watcher (token uses, `data_version`, health; see
//! `watch.rs`) and the metrics.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;
use crate::cache::{CachedToken, VerifyCache};
use crate::metrics::Metrics;
use crate::watch::Watch;
use satui_domain::clock::Clock;
use satui_service::{Service, UseRecord};
/// How long a request waits for a free connection of its lane before it is answered 503.
pub const QUEUE_PATIENCE: Duration = Duration::from_secs(10);
/// Connections for changes: SQLite runs one write at a time, so more would only wait.
const WRITERS: usize = 2;

/// Which connections a request uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    Read,
    Write,
}

struct Connections {
    idle: Mutex<Vec<Service>>,
    permits: Arc<Semaphore>,
}

impl Connections {
    fn open(path: &Path, size: usize, clock: &Arc<dyn Clock>) -> satui_service::Result<Connections> {
        let idle = (0..size).map(|_| Service::open_with_clock(path, clock.clone())).collect::<Result<Vec<_>, _>>()?;
        Ok(Connections { idle: Mutex::new(idle), permits: Arc::new(Semaphore::new(size)) })
    }

    fn take(&self) -> Option<Service> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }

    fn give_back(&self, service: Service, mut lent: Lent) {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(service);
        // Released only now: a permit always stands for a connection in `idle`.
        drop(lent.permit.take());
    }
}

/// The permit of a connection out on loan. A panicking request's connection is replaced (see
/// `run`); only if no new connection can be opened is the permit forgotten, not released, so the
/// lane shrinks instead of promising a connection it no longer has.
struct Lent {
    permit: Option<OwnedSemaphorePermit>,
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(permit) = self.permit.take() {
            permit.forget();
        }
    }
}

pub struct Pool {
    readers: Connections,
    writers: Connections,
    pub cache: Arc<VerifyCache>,
    pub watch: Watch,
    pub metrics: Arc<Metrics>,
    /// To replace a connection lost to a panic (the lane keeps its size).
    path: std::path::PathBuf,
    clock: Arc<dyn Clock>,
}

impl Pool {
    /// Opens `readers` connections for reads, two for changes, and two more for the background
    /// watcher and census.
    pub fn open(path: &Path, readers: usize, clock: Arc<dyn Clock>) -> satui_service::Result<Arc<Pool>> {
        let writers = Connections::open(path, WRITERS, &clock)?;
        let readers = Connections::open(path, readers.max(1), &clock)?;
        let cache = Arc::new(VerifyCache::default());
        let metrics = Arc::new(Metrics::new());
        let watch = Watch::start(path, clock.clone(), cache.clone(), metrics.clone())?;
        Ok(Arc::new(Pool { readers, writers, cache, watch, metrics, path: path.to_path_buf(), clock }))
    }

    /// The clock's now (the server's idea of time, injected by tests).
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// What the store says about the token with this hash: from the cache, or read on a reader
    /// connection and kept (see `cache.rs`). None for a hash no token has.
    pub async fn token_access(self: &Arc<Self>, hash: [u8; 32]) -> Result<Option<Arc<CachedToken>>, ApiError> {
        if let Some(hit) = self.cache.get(&hash) {
            self.metrics.cache_hit();
            return Ok(Some(hit));
        }
        self.metrics.cache_miss();
        // Read before the store: a fill that started before an invalidation is not kept.
        let generation = self.cache.generation();
        let access = self.run(Lane::Read, move |service| service.token_access(&hash)).await??;
        Ok(access.map(|access| self.cache.insert(hash, CachedToken::new(access), generation)))
    }

    fn lane(&self, lane: Lane) -> &Connections {
        match lane {
            Lane::Read => &self.readers,
            Lane::Write => &self.writers,
        }
    }

    /// Runs `work` on a connection of `lane`, on a blocking thread. Waits at most
    /// [`QUEUE_PATIENCE`] for the connection; once `work` has started, waits for it to finish
    /// whatever it takes (its own waits are bounded by SQLite's busy timeout).
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        lane: Lane,
        work: impl FnOnce(&mut Service) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permits = self.lane(lane).permits.clone();
        let permit = match tokio::time::timeout(QUEUE_PATIENCE, permits.acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(closed)) => return Err(ApiError::internal(closed)),
            Err(_) => {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the store is busy; nothing was done, try again",
                ));
            }
        };
        let pool = self.clone();
        let lent = Lent { permit: Some(permit) };
        tokio::task::spawn_blocking(move || {
            let connections = pool.lane(lane);
            // Holding a permit means a connection is idle (see `give_back`).
            let mut service =
                connections.take().ok_or_else(|| ApiError::internal("a permit without a free store connection"))?;
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&mut service)));
            if lane == Lane::Write {
                // Whatever the change did is committed (or rolled back) by now: no cached answer
                // may outlive it, and this runs before the answer is sent.
                pool.cache.invalidate();
            }
            match outcome {
                Ok(out) => {
                    connections.give_back(service, lent);
                    Ok(out)
                }
                Err(_) => {
                    // The connection may be mid-transaction: it goes, and a fresh one takes its
                    // place so the lane keeps its size (else two panics would stop every write).
                    drop(service);
                    match Service::open_with_clock(&pool.path, pool.clock.clone()) {
                        Ok(fresh) => connections.give_back(fresh, lent),
                        Err(_) => drop(lent), // forgets the permit: the lane shrinks by one
                    }
                    Err(ApiError::internal("a request failed unexpectedly; nothing it began was committed"))
                }
            }
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Queues a token use for the background writer (never blocks).
    pub fn record_use(&self, record: UseRecord) {
        self.watch.record_use(record, &self.metrics);
    }
}
