//! Store connections for the server. A SQLite connection is used by one thread at a time, so
//! the server keeps a few `Service`s (one connection each) and lends one to a blocking task per
//! request. Token uses go to a background writer: a request never waits for the write lock.

use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::error::ApiError;
use crate::clock::Clock;
use crate::service::{Service, UseRecord};

/// How long the background writer waits for another process's write lock before skipping a
/// use (the next use of that token records it).
const USE_WRITER_PATIENCE: Duration = Duration::from_secs(2);

pub struct Pool {
    idle: Mutex<Vec<Service>>,
    permits: Semaphore,
    uses: Mutex<Sender<UseRecord>>,
}

impl Pool {
    /// Opens `size` connections to the store at `path` (which must exist) and starts the use
    /// writer on one more.
    pub fn open(path: &Path, size: usize, clock: Arc<dyn Clock>) -> crate::service::Result<Arc<Pool>> {
        let size = size.max(1);
        let mut idle = Vec::with_capacity(size);
        for _ in 0..size {
            idle.push(Service::open_with_clock(path, clock.clone())?);
        }
        let writer = Service::open_with_clock(path, clock)?;
        let (uses, received) = channel();
        std::thread::Builder::new()
            .name("satui-use-writer".into())
            .spawn(move || write_uses(writer, received))
            .map_err(|e| crate::service::Error::Refused(format!("cannot start the use writer: {e}")))?;
        Ok(Arc::new(Pool { idle: Mutex::new(idle), permits: Semaphore::new(size), uses: Mutex::new(uses) }))
    }

    /// Runs `work` with a connection of its own, on a blocking thread.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut Service) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            // A permit guarantees a free connection.
            let mut service = pool.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()?;
            let out = work(&mut service);
            pool.idle.lock().unwrap_or_else(|p| p.into_inner()).push(service);
            Some(out)
        })
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("no free store connection"))
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
