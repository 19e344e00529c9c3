//! The file walk and the reading of each file.
//!
//! The walk is the `ignore` crate's parallel walker (ripgrep's), with a leak scanner's defaults:
//! hidden files and directories are read (a `.env` is the commonest leak), `.git/` internals are
//! not; `.gitignore`, `.ignore` and git's excludes are honoured (even outside a repository) and
//! what they left out is counted; symlinks met while walking are not followed and special files
//! (FIFOs, sockets, devices) are never opened, both counted. A path named on the command line is
//! read whatever it is: a symlink is followed, a FIFO read to its end, a binary file searched.
//!
//! Each file is read in chunks through one fixed buffer per thread ([`CHUNK`] plus a small
//! overlap, so a token across a chunk edge is found once), never whole: memory is bounded by the
//! thread count, not by the largest file. A file starting with a UTF-16 or UTF-8 byte-order mark
//! is decoded to UTF-8 as it is read (`encoding_rs_io`, as ripgrep does). A walked file is binary
//! from its first NUL byte on: the rest is not read, and finds before it are kept.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};

use super::finder::{Finder, LineCounter, Position};
use satui_domain::token::{TOKEN_LEN, TokenSecret};

/// Walked files larger than this are skipped with a note (a token hides in config and source
/// files, not in disk images); a file named on the command line is read whatever its size.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// How much of a file is searched at once.
pub const CHUNK: usize = 64 * 1024;
/// Bytes carried from one chunk to the next: a whole token plus the byte before and the byte
/// after it (the word-boundary checks), so a token across the edge is found in the next chunk.
const CARRY: usize = TOKEN_LEN + 2;
/// How a file read from standard input is shown.
pub const STDIN_NAME: &str = "<stdin>";

/// What to walk and how.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Files and directories; `-` is standard input. Empty means `.`, shown without `./`.
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub threads: usize,
    /// Files and bytes read so far, for a progress display while the walk runs.
    pub progress: std::sync::Arc<Progress>,
    /// Files never to open (device, inode): the store's own files while it is open, since
    /// closing any descriptor of them would drop the store connection's locks.
    pub skip: Vec<(u64, u64)>,
}

/// What the walk has read so far (updated as it goes; read from another thread).
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub bytes: AtomicU64,
}

/// A token as found, before the store is asked about it.
#[derive(Debug)]
pub struct RawFind {
    /// The path as shown: bytes that are not UTF-8 written `\xNN`.
    pub path: String,
    /// The path itself, bytes and all (a SARIF URI percent-encodes them).
    pub file: PathBuf,
    pub position: Position,
    pub secret: TokenSecret,
}

/// Everything the walk saw.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    /// In no particular order; the caller sorts.
    pub finds: Vec<RawFind>,
    pub files: u64,
    pub bytes: u64,
    pub bad_checksum: u64,
    pub wrong_length: u64,
    /// Walked files whose reading stopped at a NUL byte.
    pub binary_skipped: u64,
    /// Files and directories that .gitignore, .ignore or git's excludes left out (a directory
    /// counts once); `--no-ignore` reads them.
    pub ignored_skipped: u64,
    /// FIFOs, sockets and devices met while walking: never opened.
    pub special_skipped: u64,
    /// Symbolic links met while walking: not followed.
    pub links_skipped: u64,
    /// Files skipped on purpose (too large, would block), one line each.
    pub notes: Vec<String>,
    /// Paths that could not be walked or read, one line each.
    pub errors: Vec<String>,
}

#[derive(Default)]
struct Shared {
    files: AtomicU64,
    bytes: AtomicU64,
    bad_checksum: AtomicU64,
    wrong_length: AtomicU64,
    binary_skipped: AtomicU64,
    special_skipped: AtomicU64,
    links_skipped: AtomicU64,
    finds: Mutex<Vec<RawFind>>,
    notes: Mutex<Vec<String>>,
    errors: Mutex<Vec<String>>,
    /// Per directory walked: how many of its entries the walk handed over or we left out
    /// ourselves; the rest of a directory's entries are what the ignore rules left out.
    seen: Mutex<HashMap<PathBuf, u64>>,
    /// Every directory the walk entered.
    dirs: Mutex<Vec<PathBuf>>,
    progress: std::sync::Arc<Progress>,
    skip: Vec<(u64, u64)>,
}

/// The path as the user will read it: as given, except that the implicit `.` is not shown
/// (`.env`, not `./.env`), as ripgrep does; bytes that are not UTF-8 are written `\xNN`.
pub fn shown_path(path: &Path, defaulted: bool) -> String {
    let path = if defaulted { path.strip_prefix(".").unwrap_or(path) } else { path };
    escape_bytes(path.as_os_str().as_encoded_bytes())
}

/// Text for bytes: UTF-8 as it is, every other byte `\xNN` (so two different file names never
/// read the same, as a lossy `�` would make them).
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// Walks `options.paths` (standard input for `-`), reading each file once.
pub fn walk(options: &WalkOptions, stdin: &mut dyn Read) -> WalkOutcome {
    let finder = Finder::new();
    let shared = Shared { progress: options.progress.clone(), skip: options.skip.clone(), ..Shared::default() };
    let defaulted = options.paths.is_empty();
    let paths: Vec<PathBuf> = if defaulted { vec![PathBuf::from(".")] } else { options.paths.clone() };
    let (stdin_named, paths): (Vec<PathBuf>, Vec<PathBuf>) = paths.into_iter().partition(|p| p == Path::new("-"));
    if !stdin_named.is_empty() {
        let mut buf = Vec::new();
        let file = PathBuf::from(STDIN_NAME);
        if let Err(e) = scan_stream(&finder, &shared, (STDIN_NAME, &file), stdin, true, &mut buf) {
            push(&shared.errors, format!("{STDIN_NAME}: {e}"));
        }
    }
    if let Some((first, rest)) = paths.split_first() {
        let mut builder = WalkBuilder::new(first);
        for path in rest {
            builder.add(path);
        }
        builder
            .hidden(false)
            .ignore(!options.no_ignore)
            .git_ignore(!options.no_ignore)
            .git_global(!options.no_ignore)
            .git_exclude(!options.no_ignore)
            .parents(!options.no_ignore)
            .require_git(false)
            .follow_links(false)
            .threads(options.threads.max(1));
        // Git's own database is left out without a word (it holds objects, not files a person
        // wrote); .gitmodules, .gitattributes and .ignore are read like any file.
        builder.filter_entry(|entry| !(entry.depth() > 0 && entry.file_name() == ".git"));
        builder.build_parallel().run(|| {
            let (finder, shared) = (&finder, &shared);
            // One buffer per thread, of a fixed size, reused for every file.
            let mut buf = Vec::new();
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        push(&shared.errors, e.to_string());
                        return WalkState::Continue;
                    }
                };
                if entry.depth() > 0
                    && let Some(parent) = entry.path().parent()
                {
                    *shared.seen.lock().unwrap_or_else(|e| e.into_inner()).entry(parent.to_path_buf()).or_default() +=
                        1;
                }
                let shown = shown_path(entry.path(), defaulted);
                let explicit = entry.depth() == 0;
                match entry.file_type() {
                    Some(t) if t.is_dir() => {
                        push(&shared.dirs, entry.path().to_path_buf());
                    }
                    Some(t) if t.is_file() => scan_file(finder, shared, entry.path(), &shown, explicit, &mut buf),
                    // Named on the command line: read what it leads to, a file or a FIFO.
                    _ if explicit => scan_file(finder, shared, entry.path(), &shown, true, &mut buf),
                    Some(t) if t.is_symlink() => {
                        shared.links_skipped.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        shared.special_skipped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                WalkState::Continue
            })
        });
    }
    let ignored_skipped = if options.no_ignore { 0 } else { count_ignored(&shared) };
    let take = |m: Mutex<Vec<String>>| m.into_inner().unwrap_or_else(|e| e.into_inner());
    WalkOutcome {
        files: shared.files.into_inner(),
        bytes: shared.bytes.into_inner(),
        bad_checksum: shared.bad_checksum.into_inner(),
        wrong_length: shared.wrong_length.into_inner(),
        binary_skipped: shared.binary_skipped.into_inner(),
        ignored_skipped,
        special_skipped: shared.special_skipped.into_inner(),
        links_skipped: shared.links_skipped.into_inner(),
        finds: shared.finds.into_inner().unwrap_or_else(|e| e.into_inner()),
        notes: take(shared.notes),
        errors: take(shared.errors),
    }
}

/// What the ignore rules left out: in each directory walked, the entries the walk did not hand
/// over (one more read of each directory's names; `.git` is left out by us, not by a rule).
fn count_ignored(shared: &Shared) -> u64 {
    let seen = shared.seen.lock().unwrap_or_else(|e| e.into_inner());
    let dirs = shared.dirs.lock().unwrap_or_else(|e| e.into_inner());
    dirs.iter()
        .filter_map(|dir| {
            let names = std::fs::read_dir(dir).ok()?;
            let present = names.filter_map(Result::ok).filter(|e| e.file_name() != ".git").count() as u64;
            Some(present.saturating_sub(seen.get(dir).copied().unwrap_or(0)))
        })
        .sum()
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    list.lock().unwrap_or_else(|e| e.into_inner()).push(item);
}

fn scan_file(finder: &Finder, shared: &Shared, path: &Path, shown: &str, explicit: bool, buf: &mut Vec<u8>) {
    if !shared.skip.is_empty() && file_identity(path).is_some_and(|id| shared.skip.contains(&id)) {
        push(&shared.notes, format!("{shown}: skipped, the satui store itself (it holds hashes, never tokens)"));
        return;
    }
    let mut file = match open(path, explicit) {
        Ok(file) => file,
        Err(e) => return push(&shared.errors, format!("{shown}: {e}")),
    };
    if !explicit {
        match file.metadata() {
            Ok(meta) if meta.len() > MAX_FILE_BYTES => {
                return push(
                    &shared.notes,
                    format!("{shown}: skipped, {} MiB is more than {} MiB", meta.len() >> 20, MAX_FILE_BYTES >> 20),
                );
            }
            Ok(meta) if !meta.is_file() => {
                // Replaced by a FIFO or a device between the walk's look and the open.
                shared.special_skipped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Ok(_) => {}
            Err(e) => return push(&shared.errors, format!("{shown}: {e}")),
        }
    }
    match scan_stream(finder, shared, (shown, path), &mut file, explicit, buf) {
        Ok(()) => {}
        // A kernel file that only answers when there is something to say (/proc/kmsg):
        // opened without waiting, so the walk goes on.
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            shared.special_skipped.fetch_add(1, Ordering::Relaxed);
            push(&shared.notes, format!("{shown}: skipped, it would wait for data (a device or kernel file)"));
        }
        Err(e) => push(&shared.errors, format!("{shown}: {e}")),
    }
}

/// Opens a file to read. A walked file is opened without waiting (O_NONBLOCK), so a file that
/// blocks (/proc/kmsg, a FIFO swapped in) answers at once instead of hanging the walk; a file
/// named on the command line may wait, as `cat` would (a FIFO's writer).
fn open(path: &Path, explicit: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    if !explicit {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

#[cfg(unix)]
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_identity(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// Searches a stream chunk by chunk through `buf` (kept at [`CHUNK`] + [`CARRY`] bytes). A
/// stream starting with a byte-order mark is decoded to UTF-8 first. `explicit`: named on the
/// command line, so a NUL byte does not stop the reading.
fn scan_stream(
    finder: &Finder,
    shared: &Shared,
    (shown, file): (&str, &Path),
    stream: &mut dyn Read,
    explicit: bool,
    buf: &mut Vec<u8>,
) -> io::Result<()> {
    let mut decoded = encoding_rs_io::DecodeReaderBytesBuilder::new().bom_sniffing(true).build(stream);
    scan_chunks(finder, shared, (shown, file), &mut decoded, explicit, buf, CHUNK)
}

/// The chunked search itself; `chunk` is a parameter so tests can make edges fall anywhere.
fn scan_chunks(
    finder: &Finder,
    shared: &Shared,
    (shown, file): (&str, &Path),
    stream: &mut dyn Read,
    explicit: bool,
    buf: &mut Vec<u8>,
    chunk: usize,
) -> io::Result<()> {
    buf.resize(chunk + CARRY, 0);
    let mut len = 0; // bytes in buf
    let mut base: u64 = 0; // the stream offset of buf[0]
    let mut first_start = 0; // finds starting before this were counted in the previous chunk
    let mut lines = LineCounter::new();
    let mut total: u64 = 0;
    let mut found = Vec::new();
    loop {
        // Fill the buffer (a read may return less than asked).
        let mut eof = false;
        while len < buf.len() {
            match stream.read(&mut buf[len..]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    let new = &buf[len..len + n];
                    shared.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
                    total += n as u64;
                    if !explicit && let Some(nul) = memchr::memchr(0, new) {
                        // Binary from here on: search what came before the NUL, then stop.
                        len += nul;
                        total -= (n - nul) as u64;
                        eof = true;
                        shared.binary_skipped.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                    len += n;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let window = &buf[..len];
        // A find starting at or after `last` is left to the next chunk, which carries it whole.
        let last = if eof { len } else { len - CARRY + 1 };
        let finds = finder.find_between(window, first_start, last);
        shared.bad_checksum.fetch_add(finds.bad_checksum, Ordering::Relaxed);
        shared.wrong_length.fetch_add(finds.wrong_length, Ordering::Relaxed);
        for offset in finds.offsets {
            let position = lines.position(window, base, base + offset as u64);
            let Ok(token) = std::str::from_utf8(&window[offset..offset + TOKEN_LEN]) else { continue };
            if let Ok(secret) = TokenSecret::parse(token) {
                found.push(RawFind { path: shown.to_string(), file: file.to_path_buf(), position, secret });
            }
        }
        if eof {
            break;
        }
        // Count lines up to the carried bytes, then move those to the front.
        let keep_from = len - CARRY;
        lines.advance(window, base, base + keep_from as u64);
        buf.copy_within(keep_from..len, 0);
        base += keep_from as u64;
        len = CARRY;
        first_start = 1;
    }
    shared.files.fetch_add(1, Ordering::Relaxed);
    shared.bytes.fetch_add(total, Ordering::Relaxed);
    shared.progress.files.fetch_add(1, Ordering::Relaxed);
    if !found.is_empty() {
        shared.finds.lock().unwrap_or_else(|e| e.into_inner()).extend(found);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> String {
        TokenSecret::generate(&mut rand::rng()).expose().to_string()
    }

    fn run(text: &[u8], chunk: usize, explicit: bool) -> (Vec<Position>, Shared) {
        let shared = Shared::default();
        let mut buf = Vec::new();
        let mut stream = text;
        scan_chunks(&Finder::new(), &shared, ("t", Path::new("t")), &mut stream, explicit, &mut buf, chunk).unwrap();
        let mut finds: Vec<Position> = shared.finds.lock().unwrap().iter().map(|f| f.position).collect::<Vec<_>>();
        finds.sort_by_key(|p| (p.line, p.column));
        (finds, shared)
    }

    /// A token placed across every possible chunk edge is found exactly once, at its place.
    #[test]
    fn a_token_across_a_chunk_edge_is_found_once_where_it_is() {
        let t = token();
        let chunk = 64;
        for at in 0..(chunk + 2 * CARRY) {
            let mut text = "x\n".repeat(at / 2);
            text.push_str(&"y".repeat(at % 2).replace('y', " "));
            let line = text.matches('\n').count() as u64 + 1;
            let column = (text.len() - text.rfind('\n').map_or(0, |i| i + 1)) as u64 + 1;
            text.push_str(&t);
            text.push_str(" tail\n");
            text.push_str(&format!("{t}\n"));
            let (finds, shared) = run(text.as_bytes(), chunk, false);
            assert_eq!(finds.len(), 2, "token at {at}: {finds:?}");
            assert_eq!((finds[0].line, finds[0].column), (line, column), "token at {at}");
            assert_eq!((finds[1].line, finds[1].column), (line + 1, 1), "token at {at}");
            assert_eq!(shared.bytes.load(Ordering::Relaxed), text.len() as u64);
            assert_eq!(shared.bad_checksum.load(Ordering::Relaxed), 0);
        }
    }

    /// Near misses across an edge are counted once too.
    #[test]
    fn a_near_miss_across_an_edge_is_counted_once() {
        let t = token();
        let short = &t[..TOKEN_LEN - 3];
        for at in 0..100 {
            let text = format!("{}{short} end", " ".repeat(at));
            let (_, shared) = run(text.as_bytes(), 48, false);
            assert_eq!(shared.wrong_length.load(Ordering::Relaxed), 1, "at {at}");
        }
    }

    #[test]
    fn a_nul_anywhere_stops_a_walked_file_but_not_a_named_one() {
        let t = token();
        let mut text = format!("{t}\n").into_bytes();
        text.extend(std::iter::repeat_n(b'a', 100_000));
        text.push(0);
        text.extend(format!("\n{t}\n").into_bytes());
        let (walked, shared) = run(&text, CHUNK, false);
        assert_eq!(walked.len(), 1, "the find before the NUL is kept");
        assert_eq!(shared.binary_skipped.load(Ordering::Relaxed), 1);
        let (named, shared) = run(&text, CHUNK, true);
        assert_eq!(named.len(), 2);
        assert_eq!(shared.binary_skipped.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn the_buffer_stays_at_one_chunk_whatever_the_file_size() {
        let t = token();
        let text = format!("{} {t}", "z".repeat(3 * CHUNK + 7));
        let shared = Shared::default();
        let mut buf = Vec::new();
        let mut stream = text.as_bytes();
        scan_stream(&Finder::new(), &shared, ("t", Path::new("t")), &mut stream, false, &mut buf).unwrap();
        assert_eq!(shared.finds.lock().unwrap().len(), 1);
        assert_eq!(buf.len(), CHUNK + CARRY);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let t = token();
        let text = format!("first line\nKEY={t}\n");
        for bom_le in [true, false] {
            let mut bytes: Vec<u8> = if bom_le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
            for unit in text.encode_utf16() {
                bytes.extend(if bom_le { unit.to_le_bytes() } else { unit.to_be_bytes() });
            }
            let shared = Shared::default();
            let mut buf = Vec::new();
            let mut stream = &bytes[..];
            scan_stream(&Finder::new(), &shared, ("t", Path::new("t")), &mut stream, false, &mut buf).unwrap();
            let finds = shared.finds.lock().unwrap();
            assert_eq!(finds.len(), 1, "little endian: {bom_le}");
            assert_eq!((finds[0].position.line, finds[0].position.column), (2, 5));
            assert_eq!(shared.binary_skipped.load(Ordering::Relaxed), 0);
        }
    }

    #[test]
    fn names_that_are_not_utf8_keep_their_bytes_escaped() {
        assert_eq!(escape_bytes(b"caf\xE9.env"), "caf\\xE9.env");
        assert_eq!(escape_bytes("café.env".as_bytes()), "café.env");
        assert_ne!(escape_bytes(b"a\xE9"), escape_bytes(b"a\xE8"), "two names never read the same");
    }
}
