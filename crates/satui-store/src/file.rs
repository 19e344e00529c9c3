//! The store file before SQLite sees it: is it safe to open, and making a new one whole.
//!
//! - A new store is built under a temporary name in the same directory (schema, identity and
//!   all), then linked into place with `link(2)`, which never replaces an existing file. A first
//!   run killed at any instant leaves either no store or a complete one (plus a temporary file
//!   that later runs remove); of four first runs at once, one links and three open its store.
//! - An existing store must be ours to trust: owned by the user running satui and writable by
//!   nobody else, in a directory nobody else can write to, as OpenSSH's StrictModes treats
//!   private keys. Otherwise another local user could slip in a token hash of their own.

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

use super::{Result, StoreError};

/// Temporary files of an interrupted creation older than this are removed.
const STALE_SECONDS: u64 = 600;

/// Whether the file at `path` existed or was created now.
pub(super) enum Prepared {
    Existing,
    Created,
}

/// Checks the file at `path`, or (when `create` is set) creates a new store there whole, using
/// `init` to build it. Nothing is created when the checks fail.
pub(super) fn prepare(path: &Path, create: bool, init: impl FnOnce(&Path) -> Result<()>) -> Result<Prepared> {
    let io = |e: std::io::Error| StoreError::Io { path: path.to_path_buf(), message: e.to_string() };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Err(StoreError::Missing(path.to_path_buf()));
            }
            create_whole(path, init)?;
            return Ok(Prepared::Created);
        }
        Err(e) => return Err(io(e)),
        Ok(meta) if meta.file_type().is_symlink() && fs::metadata(path).is_err() => {
            let target = fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
            return Err(StoreError::DanglingLink { path: path.to_path_buf(), target });
        }
        Ok(_) => {}
    }
    // Only stat(2) from here on: this runs before every connection the process opens, and
    // closing any descriptor of the store file would drop the POSIX locks that the process's
    // open connections hold on it (SQLite's "How To Corrupt", 2.2). Another client would then
    // think it was alone, checkpoint and unlink the -wal and -shm files under us. The header,
    // the schema and writability are checked through SQLite's own connection afterwards.
    let meta = fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(StoreError::IsDirectory(path.to_path_buf()));
    }
    if !meta.is_file() {
        return Err(StoreError::NotSatui(path.to_path_buf()));
    }
    if meta.len() == 0 {
        return Err(StoreError::Empty(path.to_path_buf()));
    }
    check_private(path, &meta)?;
    let dir = parent(path);
    check_dir(&dir)?;
    for side in sidecars(path) {
        if let Ok(side_meta) = fs::metadata(&side) {
            check_private(&side, &side_meta)?;
        }
    }
    if meta.permissions().readonly() {
        return Err(StoreError::ReadOnly(path.to_path_buf()));
    }
    if !writable_dir(&dir) {
        return Err(StoreError::DirNotWritable(dir));
    }
    Ok(Prepared::Existing)
}

/// The files SQLite keeps beside a store in WAL mode.
pub(super) fn sidecars(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Builds a new store under a temporary name and links it into place.
fn create_whole(path: &Path, init: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = parent(path);
    let io = |p: &Path, e: std::io::Error| StoreError::Io { path: p.to_path_buf(), message: e.to_string() };
    if !dir.exists() {
        create_private_dir(&dir).map_err(|e| io(&dir, e))?;
    }
    check_dir(&dir)?;
    if !writable_dir(&dir) {
        return Err(StoreError::DirNotWritable(dir));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "store".into());
    remove_stale_temporaries(&dir, &name);
    let temp = dir.join(format!(".{name}.{}-{:08x}.creating", std::process::id(), rand::random::<u32>()));
    create_private_file(&temp).map_err(|e| io(&temp, e))?;
    let built = init(&temp)
        .and_then(|()| OpenOptions::new().write(true).open(&temp).and_then(|f| f.sync_all()).map_err(|e| io(&temp, e)));
    if let Err(e) = built {
        remove_with_sidecars(&temp);
        return Err(e);
    }
    // link(2) fails if the name exists: a concurrent first run that linked first wins, and this
    // one simply opens its store.
    let linked = fs::hard_link(&temp, path);
    remove_with_sidecars(&temp);
    match linked {
        Ok(()) => {
            let _ = fs::File::open(&dir).and_then(|d| d.sync_all());
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io(path, e)),
    }
}

fn remove_with_sidecars(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Leftovers of first runs that were killed while building (`.NAME.PID-RAND.creating`).
fn remove_stale_temporaries(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > STALE_SECONDS);
        if file.starts_with(&prefix) && file.ends_with(".creating") && stale {
            remove_with_sidecars(&entry.path());
        }
    }
}

#[cfg(unix)]
fn writable_dir(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else { return false };
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

#[cfg(not(unix))]
fn writable_dir(_dir: &Path) -> bool {
    true
}

/// The user satui runs as.
#[cfg(unix)]
fn me() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

/// A store file (or its WAL) must belong to us and be writable by nobody else.
#[cfg(unix)]
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != me() {
        return Err(StoreError::NotYours { path: path.to_path_buf(), owner: meta.uid(), me: me() });
    }
    if meta.mode() & 0o022 != 0 {
        return Err(StoreError::TooOpen { path: path.to_path_buf(), mode: meta.mode() & 0o7777 });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &fs::Metadata) -> Result<()> {
    Ok(())
}

/// The store's directory must belong to us (or root) and be writable by nobody else: whoever can
/// write there can put a `-wal` file of their own beside the store.
#[cfg(unix)]
fn check_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(dir).map_err(|e| StoreError::Io { path: dir.to_path_buf(), message: e.to_string() })?;
    if meta.uid() != me() && meta.uid() != 0 {
        return Err(StoreError::NotYours { path: dir.to_path_buf(), owner: meta.uid(), me: me() });
    }
    if meta.mode() & 0o022 != 0 {
        return Err(StoreError::DirTooOpen { dir: dir.to_path_buf(), mode: meta.mode() & 0o7777 });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map(|_| ())
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    OpenOptions::new().write(true).create_new(true).open(path).map(|_| ())
}

/// The file's identity (device and inode), to notice when the store is deleted or replaced under
/// a running process.
#[cfg(unix)]
pub(super) fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
pub(super) fn identity(path: &Path) -> Option<(u64, u64)> {
    fs::metadata(path).ok().map(|m| (m.len(), 0))
}
