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
//! Token uses go to a background writer: a request never waits for the write lock to record one.

use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::ApiError;
use satui_domain::clock::Clock;
use satui_service::{Service, UseRecord};

/// How long the background writer waits for another process's write lock before skipping a
/// use (the next use of that token records it).
const USE_WRITER_PATIENCE: Duration = Duration::from_secs(2);
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
    uses: Mutex<Sender<UseRecord>>,
    /// To replace a connection lost to a panic (the lane keeps its size).
    path: std::path::PathBuf,
    clock: Arc<dyn Clock>,
}

impl Pool {
    /// Opens `readers` connections for reads, two for changes, and one more for the use writer.
    pub fn open(path: &Path, readers: usize, clock: Arc<dyn Clock>) -> satui_service::Result<Arc<Pool>> {
        let writers = Connections::open(path, WRITERS, &clock)?;
        let readers = Connections::open(path, readers.max(1), &clock)?;
        let use_writer = Service::open_with_clock(path, clock.clone())?;
        let (uses, received) = channel();
        std::thread::Builder::new()
            .name("satui-use-writer".into())
            .spawn(move || write_uses(use_writer, received))
            .map_err(|e| satui_service::Error::Refused(format!("cannot start the use writer: {e}")))?;
        Ok(Arc::new(Pool { readers, writers, uses: Mutex::new(uses), path: path.to_path_buf(), clock }))
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
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&mut service))) {
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
        if let Ok(sender) = self.uses.lock() {
            let _ = sender.send(record);
        }
    }
}

/// The background writer: applies queued uses, keeping the latest per token when they pile up.
fn write_uses(mut service: Service, received: Receiver<UseRecord>) {
    while let Ok(first) = received.recv() {
        let mut batch = vec![first];
        batch.extend(received.try_iter());
        batch.sort_by_key(|r| (r.token_id, std::cmp::Reverse(r.at)));
        batch.dedup_by_key(|r| r.token_id);
        for record in batch {
            // Best effort: an error or a busy store only delays the record to a later use.
            let _ = service.record_use(&record, USE_WRITER_PATIENCE);
        }
    }
}
