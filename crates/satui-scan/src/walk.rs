//! The file walk: ripgrep's rules through the `ignore` crate (its parallel walker, .gitignore
//! and friends honoured even outside a git repository, hidden files skipped), one reusable read
//! buffer per thread, binary files skipped unless named on the command line.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use ignore::{WalkBuilder, WalkState};

use super::finder::{Finder, LineCounter, Position};
use satui_domain::token::{TOKEN_LEN, TokenSecret};

/// Files larger than this are skipped with a note (a token hides in config and source files,
/// not in disk images), so one huge file cannot take all the memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// A NUL byte in this much of the start of a file marks it binary, as ripgrep and git decide.
const BINARY_PROBE: usize = 8 * 1024;
/// How a file read from standard input is shown.
pub const STDIN_NAME: &str = "<stdin>";

/// What to walk and how.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Files and directories; `-` is standard input. Empty means `.`, shown without `./`.
    pub paths: Vec<PathBuf>,
    pub hidden: bool,
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
    pub path: String,
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
    pub binary_skipped: u64,
    /// Hidden files and directories left out (without `--hidden`), git's own not counted.
    pub hidden_skipped: u64,
    /// Files skipped on purpose (too large), one line each.
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
    finds: Mutex<Vec<RawFind>>,
    notes: Mutex<Vec<String>>,
    errors: Mutex<Vec<String>>,
    progress: std::sync::Arc<Progress>,
    skip: Vec<(u64, u64)>,
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
        match stdin.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf) {
            Ok(_) if buf.len() as u64 > MAX_FILE_BYTES => {
                push(&shared.notes, format!("{STDIN_NAME}: skipped, more than {} MiB", MAX_FILE_BYTES >> 20))
            }
            Ok(_) => scan_buffer(&finder, &shared, STDIN_NAME, &buf),
            Err(e) => push(&shared.errors, format!("{STDIN_NAME}: {e}")),
        }
    }
    let hidden_skipped = std::sync::Arc::new(AtomicU64::new(0));
    if let Some((first, rest)) = paths.split_first() {
        let mut builder = WalkBuilder::new(first);
        for path in rest {
            builder.add(path);
        }
        // Hidden entries are left out here rather than by the walker, to count them: a `.env`
        // skipped silently is the leak a user meant to find.
        if !options.hidden {
            let counter = hidden_skipped.clone();
            builder.filter_entry(move |entry| {
                let hidden = entry.depth() > 0 && entry.file_name().to_str().is_some_and(|n| n.starts_with('.'));
                // Git's own files are in every repository: left out without a word.
                let git = [".git", ".gitignore", ".gitattributes", ".gitmodules", ".ignore"];
                if hidden && !git.iter().any(|g| entry.file_name() == *g) {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                !hidden
            });
        }
        builder
            .hidden(false)
            .ignore(!options.no_ignore)
            .git_ignore(!options.no_ignore)
            .git_global(!options.no_ignore)
            .git_exclude(!options.no_ignore)
            .parents(!options.no_ignore)
            .require_git(false)
            .threads(options.threads.max(1));
        builder.build_parallel().run(|| {
            let (finder, shared) = (&finder, &shared);
            // One buffer per thread, grown to the largest file it reads and reused.
            let mut buf = Vec::new();
            Box::new(move |entry| {
                match entry {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        let shown = shown_path(entry.path(), defaulted);
                        // A file named on the command line is scanned even when it looks binary.
                        let explicit = entry.depth() == 0;
                        scan_file(finder, shared, entry.path(), &shown, explicit, &mut buf);
                    }
                    Ok(_) => {}
                    Err(e) => push(&shared.errors, e.to_string()),
                }
                WalkState::Continue
            })
        });
    }
    let take = |m: Mutex<Vec<String>>| m.into_inner().unwrap_or_else(|e| e.into_inner());
    WalkOutcome {
        files: shared.files.into_inner(),
        bytes: shared.bytes.into_inner(),
        bad_checksum: shared.bad_checksum.into_inner(),
        wrong_length: shared.wrong_length.into_inner(),
        binary_skipped: shared.binary_skipped.into_inner(),
        hidden_skipped: hidden_skipped.load(Ordering::Relaxed),
        finds: shared.finds.into_inner().unwrap_or_else(|e| e.into_inner()),
        notes: take(shared.notes),
        errors: take(shared.errors),
    }
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    list.lock().unwrap_or_else(|e| e.into_inner()).push(item);
}

/// The path as the user will read it: as given, except that the implicit `.` is not shown
/// (`.env`, not `./.env`), as ripgrep does.
fn shown_path(path: &Path, defaulted: bool) -> String {
    let path = if defaulted { path.strip_prefix(".").unwrap_or(path) } else { path };
    path.to_string_lossy().into_owned()
}

fn scan_file(finder: &Finder, shared: &Shared, path: &Path, shown: &str, explicit: bool, buf: &mut Vec<u8>) {
    if !shared.skip.is_empty() && file_identity(path).is_some_and(|id| shared.skip.contains(&id)) {
        push(&shared.notes, format!("{shown}: skipped, the satui store itself (it holds hashes, never tokens)"));
        return;
    }
    match read_file(path, explicit, buf) {
        Ok(Content::Text) => scan_buffer(finder, shared, shown, buf),
        Ok(Content::Binary) => {
            shared.binary_skipped.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Content::TooLarge(size)) => push(
            &shared.notes,
            format!("{shown}: skipped, {} MiB is more than {} MiB", size >> 20, MAX_FILE_BYTES >> 20),
        ),
        Err(e) => push(&shared.errors, format!("{shown}: {e}")),
    }
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

enum Content {
    Text,
    Binary,
    TooLarge(u64),
}

/// Reads a file into `buf`: the first 8 KiB first, so a binary file is left after one read.
fn read_file(path: &Path, explicit: bool, buf: &mut Vec<u8>) -> io::Result<Content> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    if size > MAX_FILE_BYTES {
        return Ok(Content::TooLarge(size));
    }
    buf.clear();
    let mut head = (&mut file).take(BINARY_PROBE as u64);
    head.read_to_end(buf)?;
    if !explicit && memchr::memchr(0, buf).is_some() {
        return Ok(Content::Binary);
    }
    if buf.len() == BINARY_PROBE {
        buf.reserve(usize::try_from(size).unwrap_or(0).saturating_sub(buf.len()) + 1);
        file.take(MAX_FILE_BYTES + 1 - buf.len() as u64).read_to_end(buf)?;
    }
    Ok(Content::Text)
}

fn scan_buffer(finder: &Finder, shared: &Shared, shown: &str, text: &[u8]) {
    shared.files.fetch_add(1, Ordering::Relaxed);
    shared.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
    shared.progress.files.fetch_add(1, Ordering::Relaxed);
    shared.progress.bytes.fetch_add(text.len() as u64, Ordering::Relaxed);
    let finds = finder.find(text);
    if finds.bad_checksum > 0 {
        shared.bad_checksum.fetch_add(finds.bad_checksum, Ordering::Relaxed);
    }
    if finds.wrong_length > 0 {
        shared.wrong_length.fetch_add(finds.wrong_length, Ordering::Relaxed);
    }
    if finds.offsets.is_empty() {
        return;
    }
    let mut lines = LineCounter::new(text);
    let found: Vec<RawFind> = finds
        .offsets
        .iter()
        .filter_map(|&offset| {
            let token = std::str::from_utf8(&text[offset..offset + TOKEN_LEN]).ok()?;
            let secret = TokenSecret::parse(token).ok()?;
            Some(RawFind { path: shown.to_string(), position: lines.position(offset), secret })
        })
        .collect();
    shared.finds.lock().unwrap_or_else(|e| e.into_inner()).extend(found);
}
