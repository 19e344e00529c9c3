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
//! formatted line to its own thread's buffer (a lock no other request takes, memory that stays
//! on its core: no system call, no thread woken) and a flusher thread takes every thread's lines
//! every [`FLUSH_EVERY`], merges them into time order and writes them. A thread's buffer past
//! [`MAX_PENDING`] wakes the flusher (once), and past four times that the request that filled
//! it writes everything at once, so a log that cannot keep up slows requests rather than losing
//! lines. (tracing-appender's channel woke its
//! writer thread for every line: a fifth of the CPU of a cached verification went to that
//! hand-off; one buffer shared by every thread cost a twentieth of a health probe's rate.)

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::http::{Method, Response};

use crate::error::InternalError;

/// The login a request acted as, for the access log (the answer carries it).
#[derive(Clone)]
pub struct ActingLogin(pub Arc<str>);

/// How long a line may wait in the buffer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// A thread's buffer this large wakes the flusher (small enough to stay in the core's cache);
/// four times this, the request that filled it writes it.
pub const MAX_PENDING: usize = 64 * 1024;

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
pub fn answered<B>(
    method: &Method,
    path: &str,
    response: &Response<B>,
    answered_at: Instant,
    latency: Duration,
    quiet: bool,
) {
    let status = response.status().as_u16();
    if let Some(InternalError(detail)) = response.extensions().get::<InternalError>() {
        let path = satui_domain::text::for_terminal(path);
        tracing::error!(%method, %path, status, "internal error: {detail}");
    }
    if quiet {
        return;
    }
    let Some((batch, format)) = ACCESS.get() else { return };
    let path = satui_domain::text::for_terminal(path);
    let login = response.extensions().get::<ActingLogin>().map_or("-", |l| &*l.0);
    let line = AccessLine {
        method: method.as_str(),
        path: &path,
        status,
        // Microseconds, in milliseconds.
        ms: latency.as_micros() as f64 / 1000.0,
        login: &satui_domain::text::for_terminal(login),
    };
    // Written straight into the thread's buffer: no line of its own to allocate and copy.
    batch.0.record(|out| match format {
        // As `writeln!` would write it, without the formatting machinery (a tenth of the time of
        // a health probe went to it).
        LogFormat::Text => {
            rfc3339(answered_at, out);
            for part in
                [b"  INFO method=".as_slice(), line.method.as_bytes(), b" path=", line.path.as_bytes(), b" status="]
            {
                out.extend_from_slice(part);
            }
            out.extend_from_slice(itoa::Buffer::new().format(line.status).as_bytes());
            out.extend_from_slice(b" ms=");
            milliseconds(latency.as_micros(), out);
            out.extend_from_slice(b" login=");
            out.extend_from_slice(line.login.as_bytes());
            out.push(b'\n');
            true
        }
        LogFormat::Json => {
            let mut time = Vec::with_capacity(27);
            rfc3339(answered_at, &mut time);
            let record =
                AccessRecord { timestamp: std::str::from_utf8(&time).unwrap_or(""), level: "INFO", fields: &line };
            let written = serde_json::to_writer(&mut *out, &record).is_ok();
            out.push(b'\n');
            written
        }
    });
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

/// Appends `micros` in milliseconds as `f64`'s `Display` writes `micros as f64 / 1000.0`: the
/// shortest form, no trailing zeros (`0.042`, `1.5`, `12`).
fn milliseconds(micros: u128, out: &mut Vec<u8>) {
    out.extend_from_slice(itoa::Buffer::new().format(micros / 1000).as_bytes());
    let fraction = (micros % 1000) as u16;
    if fraction > 0 {
        let digits = [b'0' + (fraction / 100) as u8, b'0' + (fraction / 10 % 10) as u8, b'0' + (fraction % 10) as u8];
        let used = if fraction.is_multiple_of(100) {
            1
        } else if fraction.is_multiple_of(10) {
            2
        } else {
            3
        };
        out.push(b'.');
        out.extend_from_slice(&digits[..used]);
    }
}

/// Appends the wall-clock time of `at` as `tracing-subscriber` writes it
/// (`2026-12-05T08:00:41.855382Z`). The system clock is read once a second per thread and the
/// time in between taken from `at` (the observer has just read the monotonic clock: a second
/// clock read per request cost a hundredth of a health probe's rate); the part down to the
/// second is formatted once a second too.
fn rfc3339(at: Instant, out: &mut Vec<u8>) {
    struct Clock {
        /// A monotonic instant and the wall-clock time (since the epoch) read with it.
        base: Option<(Instant, Duration)>,
        second: i64,
        text: String,
    }
    thread_local! {
        static CLOCK: std::cell::RefCell<Clock> =
            const { std::cell::RefCell::new(Clock { base: None, second: i64::MIN, text: String::new() }) };
    }
    let now = CLOCK.with_borrow_mut(|clock| {
        let (base, wall) = match clock.base {
            Some((base, wall)) if at >= base && at - base < Duration::from_secs(1) => (base, wall),
            _ => {
                let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
                clock.base = Some((at, wall));
                (at, wall)
            }
        };
        let now = wall + (at - base);
        let seconds = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        if clock.second != seconds {
            clock.second = seconds;
            clock.text = chrono::DateTime::from_timestamp(seconds, 0)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_default();
        }
        out.extend_from_slice(clock.text.as_bytes());
        now
    });
    let micros = now.subsec_micros();
    out.push(b'.');
    for shift in [100_000, 10_000, 1_000, 100, 10, 1] {
        out.push(b'0' + (micros / shift % 10) as u8);
    }
    out.push(b'Z');
}

/// The log's buffers and its flusher thread.
#[derive(Clone)]
pub struct Batch(Arc<Shared>);

/// What a flush works with. Every buffer keeps its capacity, so a busy server does not grow new
/// ones (page by page, copying) many times a second.
#[derive(Default)]
struct Writing {
    /// The records of one flush, merged into time order, being written.
    out: Vec<u8>,
    /// The buffers taken from the threads, given back (empty) to them at the next flush.
    taken: Vec<Vec<u8>>,
}

/// One thread's records, each as its length (`u32`, little-endian) and its bytes, oldest first.
type Buffer = Arc<Mutex<Vec<u8>>>;

struct Shared {
    /// Every thread's buffer that has written a record (a thread finds its own through
    /// [`Shared::own`]).
    buffers: Mutex<Vec<Buffer>>,
    writing: Mutex<Writing>,
    stop: AtomicBool,
    /// Wakes the flusher early: to stop, or to write a full buffer.
    wake: Condvar,
    sleeping: Mutex<()>,
    /// A thread's buffer is full and the flusher was woken to write it.
    flush_asked: AtomicBool,
    /// Tells this log's buffers from another's in a thread's list (tests start several).
    id: usize,
}

impl Batch {
    fn start() -> (Batch, Option<std::thread::JoinHandle<()>>) {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let shared = Arc::new(Shared {
            buffers: Mutex::new(Vec::new()),
            writing: Mutex::new(Writing::default()),
            stop: AtomicBool::new(false),
            wake: Condvar::new(),
            sleeping: Mutex::new(()),
            flush_asked: AtomicBool::new(false),
            id: NEXT.fetch_add(1, Ordering::Relaxed),
        });
        let flusher = shared.clone();
        // Without the thread (none can be started) lines are still written, by the requests
        // that fill a buffer and at the end.
        let thread = std::thread::Builder::new().name("satui-log".into()).spawn(move || flusher.run()).ok();
        (Batch(shared), thread)
    }
}

impl Shared {
    /// The flusher: writes every [`FLUSH_EVERY`], or at once when woken.
    ///
    /// How it is woken: a request whose buffer is full sets `flush_asked` (once: the flusher
    /// clears it when it takes the buffers) and notifies `wake` while holding `sleeping`; the
    /// guard sets `stop` and notifies under `sleeping` too. Both flags are read here under
    /// `sleeping`, before the wait, so a notice sent while the flusher was writing is never lost.
    fn run(&self) {
        loop {
            let sleeping = self.sleeping.lock().unwrap_or_else(|p| p.into_inner());
            let stopping = self.stop.load(Ordering::Acquire);
            if !stopping && !self.flush_asked.load(Ordering::Acquire) {
                drop(self.wake.wait_timeout(sleeping, FLUSH_EVERY).unwrap_or_else(|p| p.into_inner()).0);
            } else {
                drop(sleeping);
            }
            if stopping {
                // The guard writes what is left, after joining this thread.
                return;
            }
            self.flush();
        }
    }

    fn append(&self, record: &[u8]) {
        self.record(|buffer| {
            buffer.extend_from_slice(record);
            true
        });
    }

    /// Adds the record `write` writes to this thread's buffer (nothing, if it says it failed).
    fn record(&self, write: impl FnOnce(&mut Vec<u8>) -> bool) {
        let size = self.own(|buffer| {
            let start = buffer.len();
            buffer.extend_from_slice(&[0; 4]);
            let written = write(buffer);
            match u32::try_from(buffer.len() - start - 4) {
                Ok(length) if written => buffer[start..start + 4].copy_from_slice(&length.to_le_bytes()),
                // A record of 4 GiB is not a log line.
                _ => buffer.truncate(start),
            }
            buffer.len()
        });
        // Far past full (the flusher cannot keep up, or there is none), or the flusher is gone (a
        // line after the end): written now, by this request. Full: the flusher is woken to write
        // it, once, so requests do not wait on the file.
        if size >= 4 * MAX_PENDING || self.stop.load(Ordering::Acquire) {
            self.flush();
        } else if size >= MAX_PENDING
            // Read first: while a burst waits for the flusher, no record writes the shared flag.
            && !self.flush_asked.load(Ordering::Acquire)
            && !self.flush_asked.swap(true, Ordering::AcqRel)
        {
            let _sleeping = self.sleeping.lock().unwrap_or_else(|p| p.into_inner());
            self.wake.notify_one();
        }
    }

    /// Runs `write` on this thread's buffer, made and listed on the thread's first record.
    fn own<R>(&self, write: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        thread_local! {
            static OWN: std::cell::RefCell<Vec<(usize, Buffer)>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        OWN.with_borrow_mut(|own| {
            let buffer = match own.iter().find(|(id, _)| *id == self.id) {
                Some((_, buffer)) => buffer,
                None => {
                    let buffer = Buffer::default();
                    self.buffers.lock().unwrap_or_else(|p| p.into_inner()).push(buffer.clone());
                    own.push((self.id, buffer));
                    &own[own.len() - 1].1
                }
            };
            write(&mut buffer.lock().unwrap_or_else(|p| p.into_inner()))
        })
    }

    /// Writes every thread's records, merged into time order. stderr is taken first, so two
    /// flushes (the flusher's and a request's that filled its buffer) write in the order they
    /// took the records.
    fn flush(&self) {
        let mut stderr = std::io::stderr().lock();
        let mut writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        self.flush_asked.store(false, Ordering::Release);
        let Writing { out, taken } = &mut *writing;
        {
            let mut buffers = self.buffers.lock().unwrap_or_else(|p| p.into_inner());
            // A buffer held only here belongs to a thread that ended: nothing more can come into
            // it (only its thread wrote to it), so once taken below it is forgotten. Decided
            // before taking, or a record written between the take and the check would be lost.
            let ended: Vec<bool> = buffers.iter().map(|b| Arc::strong_count(b) == 1).collect();
            taken.resize_with(buffers.len(), Vec::new);
            for (buffer, spare) in buffers.iter().zip(taken.iter_mut()) {
                spare.clear();
                std::mem::swap(&mut *buffer.lock().unwrap_or_else(|p| p.into_inner()), spare);
            }
            let mut ended = ended.into_iter();
            buffers.retain(|_| !ended.next().unwrap_or(false));
        }
        merge_records(taken, out);
        // A log that cannot be written is not a reason to fail a request.
        if !out.is_empty() {
            let _ = stderr.write_all(out);
        }
        out.clear();
        // A burst's buffers are not kept for ever.
        out.shrink_to(4 * MAX_PENDING);
        for spare in taken.iter_mut() {
            spare.shrink_to(2 * MAX_PENDING);
        }
    }
}

/// Bytes of a record compared to order it: enough to hold its time, which a text line starts
/// with (27 bytes: `2026-12-05T08:00:41.855382Z`) and a JSON line has after `{"timestamp":"`
/// (14 + 27 = 41). Access lines and error events read the same clock only to within a
/// millisecond (see [`rfc3339`]), so across the two the order is that close.
const TIME_PREFIX: usize = 48;

/// The records of every thread, each list oldest first, appended to `out` oldest first (ties
/// in any order).
fn merge_records(sources: &[Vec<u8>], out: &mut Vec<u8>) {
    let mut rest: Vec<&[u8]> = sources.iter().map(Vec::as_slice).filter(|s| !s.is_empty()).collect();
    while !rest.is_empty() {
        let next = if rest.len() == 1 {
            0
        } else {
            (0..rest.len())
                .min_by_key(|i| {
                    let record = first_record(rest[*i]).0;
                    &record[..record.len().min(TIME_PREFIX)]
                })
                .unwrap_or(0)
        };
        let (record, after) = first_record(rest[next]);
        out.extend_from_slice(record);
        if after.is_empty() {
            rest.swap_remove(next);
        } else {
            rest[next] = after;
        }
    }
}

/// The first record of a buffer, and what follows it.
fn first_record(bytes: &[u8]) -> (&[u8], &[u8]) {
    let length = bytes.get(..4).map_or(0, |l| u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize);
    let end = (4 + length).min(bytes.len());
    (bytes.get(4..end).unwrap_or_default(), &bytes[end..])
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
        // Under the lock, so the flusher cannot miss the wake between its check and its wait.
        let held = shared.sleeping.lock().unwrap_or_else(|p| p.into_inner());
        shared.stop.store(true, Ordering::Release);
        shared.wake.notify_all();
        drop(held);
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        shared.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text line's milliseconds read exactly as `f64`'s `Display` wrote them before.
    #[test]
    fn milliseconds_are_written_as_f64_display_writes_them() {
        for micros in (0..200_000u128).chain([1_000_000, 12_345_678, 3_600_000_001]) {
            let mut out = Vec::new();
            milliseconds(micros, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), (micros as f64 / 1000.0).to_string(), "{micros} µs");
        }
    }

    fn records(lines: &[&str]) -> Vec<u8> {
        let mut buffer = Vec::new();
        for line in lines {
            buffer.extend_from_slice(&(line.len() as u32).to_le_bytes());
            buffer.extend_from_slice(line.as_bytes());
        }
        buffer
    }

    /// Records of several threads come out in time order, each whole (a record holding a
    /// newline is not split), whatever thread wrote them.
    #[test]
    fn the_threads_records_are_merged_into_time_order() {
        let a = records(&["2026-12-05T08:00:41.000001Z a1\n", "2026-12-05T08:00:41.000004Z a2\nmore\n"]);
        let b = records(&["2026-12-05T08:00:41.000002Z b1\n", "2026-12-05T08:00:41.000003Z b2\n"]);
        let c = records(&["2026-12-05T08:00:42.000000Z c1\n"]);
        let mut out = Vec::new();
        merge_records(&[a, Vec::new(), b, c], &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2026-12-05T08:00:41.000001Z a1\n2026-12-05T08:00:41.000002Z b1\n2026-12-05T08:00:41.000003Z b2\n\
             2026-12-05T08:00:41.000004Z a2\nmore\n2026-12-05T08:00:42.000000Z c1\n"
        );
    }
}
