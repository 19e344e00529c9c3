//! The server's log on stderr, as text or JSON lines: one access line per request (method,
//! path, status, milliseconds and the login that acted) and, through `tracing`, an error event
//! for every 500. Never a header, a query string or a body, so never a token.
//!
//! Access lines have the shape of `tracing-subscriber`'s lines (`<time>  INFO method=… path=…`,
//! or JSON with the values under `fields`), so one parser reads both kinds, but are written
//! here directly: going through a subscriber (a dispatch, a field visitor, a fresh timestamp)
//! cost a tenth of a cached verification's rate.
//!
//! Lines are batched as nginx's `access_log … buffer= flush=` does: a request appends its
//! formatted line to a shared buffer (one short lock, no system call, no thread woken) and a
//! flusher thread writes the buffer every [`FLUSH_EVERY`]. A buffer past [`MAX_PENDING`] is
//! written at once by the request that filled it, so a log that cannot keep up slows requests
//! rather than losing lines. (tracing-appender's channel woke its writer thread for every line:
//! a fifth of the CPU of a cached verification went to that hand-off.)

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use axum::http::{Method, Response};

use crate::error::InternalError;

/// The login a request acted as, for the access log (the answer carries it).
#[derive(Clone)]
pub struct ActingLogin(pub Arc<str>);

/// How long a line may wait in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// A buffer this large is written at once.
pub const MAX_PENDING: usize = 256 * 1024;

/// The form of the log lines (`--log-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Installs the process's log subscriber (once; later calls change nothing) writing through a
/// [`Batch`]. Keep the returned guard until the server stops: dropping it writes what is left.
pub fn init(format: LogFormat) -> BatchGuard {
    let (batch, flusher) = Batch::start();
    let _ = ACCESS.set((batch.clone(), format));
    let builder = tracing_subscriber::fmt().with_writer(batch.clone()).with_ansi(false).with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    BatchGuard { batch, flusher }
}

/// Logs one answered request: the error behind a 500 always, the access event unless `quiet`.
pub fn answered<B>(method: &Method, path: &str, response: &Response<B>, latency: Duration, quiet: bool) {
    let path = satui_domain::text::for_terminal(path);
    let status = response.status().as_u16();
    if let Some(InternalError(detail)) = response.extensions().get::<InternalError>() {
        tracing::error!(%method, %path, status, "internal error: {detail}");
    }
    if quiet {
        return;
    }
    let Some((batch, format)) = ACCESS.get() else { return };
    let login = response.extensions().get::<ActingLogin>().map_or("-", |l| &*l.0);
    let line = AccessLine {
        method: method.as_str(),
        path: &path,
        status,
        // Microseconds, in milliseconds.
        ms: latency.as_micros() as f64 / 1000.0,
        login: &satui_domain::text::for_terminal(login),
    };
    let mut out = Vec::with_capacity(160);
    now_rfc3339(&mut out);
    match format {
        LogFormat::Text => {
            let _ = writeln!(
                out,
                "  INFO method={} path={} status={} ms={} login={}",
                line.method, line.path, line.status, line.ms, line.login
            );
        }
        LogFormat::Json => {
            let time = std::mem::take(&mut out);
            let record =
                AccessRecord { timestamp: std::str::from_utf8(&time).unwrap_or(""), level: "INFO", fields: &line };
            if serde_json::to_writer(&mut out, &record).is_err() {
                return;
            }
            out.push(b'\n');
        }
    }
    batch.0.append(&out);
}

/// Where access lines go, set by [`init`] (a server run without it, as in tests, writes none).
static ACCESS: OnceLock<(Batch, LogFormat)> = OnceLock::new();

#[derive(serde::Serialize)]
struct AccessLine<'a> {
    method: &'a str,
    path: &'a str,
    status: u16,
    ms: f64,
    login: &'a str,
}

/// `tracing-subscriber`'s JSON shape.
#[derive(serde::Serialize)]
struct AccessRecord<'a> {
    timestamp: &'a str,
    level: &'a str,
    fields: &'a AccessLine<'a>,
}

/// Appends the time as `tracing-subscriber` writes it (`2026-12-05T08:00:41.855382Z`); the part
/// down to the second is formatted once a second per thread.
fn now_rfc3339(out: &mut Vec<u8>) {
    thread_local! {
        static SECOND: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let seconds = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    SECOND.with_borrow_mut(|(at, text)| {
        if *at != seconds {
            *at = seconds;
            *text = chrono::DateTime::from_timestamp(seconds, 0)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default();
        }
        out.extend_from_slice(text.as_bytes());
    });
    let _ = write!(out, ".{:06}Z", now.subsec_micros());
}

/// The shared line buffer and its flusher thread.
#[derive(Clone)]
pub struct Batch(Arc<Shared>);

struct Shared {
    pending: Mutex<Vec<u8>>,
    stop: AtomicBool,
    /// Wakes the flusher early, to stop.
    wake: Condvar,
}

impl Batch {
    fn start() -> (Batch, Option<std::thread::JoinHandle<()>>) {
        let shared =
            Arc::new(Shared { pending: Mutex::new(Vec::new()), stop: AtomicBool::new(false), wake: Condvar::new() });
        let flusher = shared.clone();
        // Without the thread (none can be started) lines are still written, by the requests
        // that fill the buffer and at the end.
        let thread = std::thread::Builder::new().name("satui-log".into()).spawn(move || flusher.run()).ok();
        (Batch(shared), thread)
    }
}

impl Shared {
    fn run(&self) {
        while !self.stop.load(Ordering::Acquire) {
            let pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            let pending = self.wake.wait_timeout(pending, FLUSH_EVERY).unwrap_or_else(|p| p.into_inner()).0;
            drop(pending);
            self.flush();
        }
    }

    fn append(&self, line: &[u8]) {
        let full = {
            let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
            pending.extend_from_slice(line);
            pending.len() >= MAX_PENDING || self.stop.load(Ordering::Acquire)
        };
        // Full, or the flusher is gone (a line after the end): written now.
        if full {
            self.flush();
        }
    }

    /// Writes what is pending. stderr is taken before the buffer, so two flushes (the flusher's
    /// and a request's that filled the buffer) write their chunks in the order they were taken.
    fn flush(&self) {
        let mut stderr = std::io::stderr().lock();
        let lines = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        // A log that cannot be written is not a reason to fail a request.
        if !lines.is_empty() {
            let _ = stderr.write_all(&lines);
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Batch {
    type Writer = BatchLine<'a>;

    fn make_writer(&'a self) -> BatchLine<'a> {
        BatchLine(&self.0)
    }
}

/// What the subscriber writes one formatted event through (it writes each event whole).
pub struct BatchLine<'a>(&'a Shared);

impl Write for BatchLine<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.append(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Stops the flusher and writes what is left, after what it was writing.
pub struct BatchGuard {
    batch: Batch,
    flusher: Option<std::thread::JoinHandle<()>>,
}

impl Drop for BatchGuard {
    fn drop(&mut self) {
        let shared = &self.batch.0;
        shared.stop.store(true, Ordering::Release);
        // Under the lock, so the flusher cannot miss the wake between its check and its wait.
        let held = shared.pending.lock().unwrap_or_else(|p| p.into_inner());
        shared.wake.notify_all();
        drop(held);
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        shared.flush();
    }
}
