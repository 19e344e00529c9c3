//! SQLite storage: opening and checking the file, migrations, and one module per entity.
//! Nothing here knows about the UI or the command line.

pub mod accounts;
pub mod audit;
pub mod bulk;
pub mod groups;
pub mod orgs;
pub mod roles;
pub mod tokens;

use std::fs::{self, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params};

use crate::domain::names;
use rusqlite_migration::{M, Migrations};

/// `PRAGMA application_id` of a satui store ("SATU"), so a foreign SQLite file is recognised.
pub const APPLICATION_ID: i32 = 0x5341_5455;
/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// SQLite's page cache per connection, in KiB.
const PAGE_CACHE_KIB: i64 = 16 * 1024;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/001_initial.sql")),
        M::up(include_str!("../../migrations/002_roles_groups.sql")),
        M::up(include_str!("../../migrations/003_account_list_index.sql")),
        M::up_with_hook(include_str!("../../migrations/004_name_keys.sql"), |tx: &Transaction| {
            recompute_name_keys(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
        }),
    ])
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    4
}

/// Sets every `name_key` column to what [`names::name_key`] says today. Two old names that now
/// fold to the same key (they differed only by invisible characters) keep apart: the later one's
/// key gets its id appended, so the store stays valid and an admin can rename one of them.
fn recompute_name_keys(tx: &Transaction) -> rusqlite::Result<()> {
    // (table, what a name is unique within; NULL where names need not be unique: revoked tokens)
    let tables: [(&str, &str); 5] = [
        ("orgs", "'all'"),
        ("service_accounts", "org_id"),
        ("roles", "org_id"),
        ("groups", "org_id"),
        ("tokens", "CASE WHEN revoked_at IS NULL THEN sa_id END"),
    ];
    for (table, scope) in tables {
        let rows: Vec<(i64, String, Option<String>)> = tx
            .prepare(&format!("SELECT id, name, CAST({scope} AS TEXT) FROM {table} ORDER BY id"))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut seen = std::collections::HashSet::new();
        let mut update = tx.prepare(&format!("UPDATE {table} SET name_key = ?2 WHERE id = ?1"))?;
        // Clear first so the unique indexes never see a half-updated table.
        tx.execute(&format!("UPDATE {table} SET name_key = '#' || id"), [])?;
        for (id, name, scope) in rows {
            let mut key = names::name_key(&name);
            if let Some(scope) = scope
                && !seen.insert((scope, key.clone()))
            {
                key = format!("{key}#{id}");
            }
            update.execute(params![id, key])?;
        }
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}: is a directory, not a satui database")]
    IsDirectory(PathBuf),
    #[error("{0}: the file is empty, not a satui database")]
    Empty(PathBuf),
    #[error("{0}: not a satui database")]
    NotSatui(PathBuf),
    #[error("{path}: made by a newer satui (schema {found}, this build knows up to {known}); upgrade satui")]
    NewerSchema { path: PathBuf, found: i64, known: usize },
    #[error("{0}: the database file is read-only")]
    ReadOnly(PathBuf),
    #[error("{0}: the database is locked by another process; try again")]
    Locked(PathBuf),
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("the disk is full: nothing was written")]
    DiskFull,
    #[error("database error: {0}")]
    Sqlite(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Locked(PathBuf::from("database"))
            }
            _ => StoreError::Sqlite(e.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open, migrated satui store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store at `path`. Before SQLite writes anything, the file is checked:
    /// a directory, an empty or foreign file, a newer schema, a read-only or locked file are all
    /// refused with the path in the message, and the file is left exactly as it was.
    pub fn open(path: &Path) -> Result<Store> {
        let created = prepare_file(path)?;
        let io = |e: rusqlite::Error| classify(e, path);
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(io)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(io)?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(io)? {
            return Err(StoreError::ReadOnly(path.to_path_buf()));
        }
        if !created {
            check_identity(&conn, path)?;
        }
        let mut store = Store { conn, path: path.to_path_buf() };
        store.configure_and_migrate().map_err(|e| match e {
            StoreError::Locked(_) => StoreError::Locked(path.to_path_buf()),
            other => other,
        })?;
        Ok(store)
    }

    fn configure_and_migrate(&mut self) -> Result<()> {
        // WAL lets readers (a second UI, `token verify`) run while one process writes.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // Room for the account list's indexes at 100 000 accounts (about 10 MiB), so paging and
        // filtering scan memory instead of re-reading pages from the OS (SQLite's default is 2 MiB).
        // Pages are only allocated when read, so a small store stays small.
        self.conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
        let current: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current < schema_version() as i64 {
            migrations().to_latest(&mut self.conn).map_err(|e| StoreError::Sqlite(e.to_string()))?;
            self.conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read access for queries.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Starts a write: `BEGIN IMMEDIATE` takes the write lock up front (waiting up to the busy
    /// timeout), so two writers never deadlock half-way through a change.
    pub fn write(&mut self) -> Result<Transaction<'_>> {
        let path = self.path.clone();
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| match StoreError::from(e) {
            StoreError::Locked(_) => StoreError::Locked(path),
            other => other,
        })
    }

    /// A read transaction: until it is dropped, every read on this store sees one snapshot (WAL
    /// keeps it while other processes write).
    pub fn snapshot(&self) -> Result<Transaction<'_>> {
        let tx = self.conn.unchecked_transaction()?;
        // A deferred transaction takes its snapshot at the first read.
        self.conn.query_row("SELECT count(*) FROM orgs", [], |_| Ok(()))?;
        Ok(tx)
    }

    /// SQLite's change counter for other connections: when it moves, another process wrote.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
    }
}

/// Makes sure the file can be opened, creating it (dir 0700, file 0600) when it does not exist.
/// Returns whether it was created now.
fn prepare_file(path: &Path) -> Result<bool> {
    let io = |e: std::io::Error| StoreError::Io { path: path.to_path_buf(), message: e.to_string() };
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(StoreError::IsDirectory(path.to_path_buf())),
        Ok(meta) if meta.len() == 0 => Err(StoreError::Empty(path.to_path_buf())),
        Ok(meta) => {
            let mut header = [0u8; 16];
            let mut file = OpenOptions::new().read(true).open(path).map_err(io)?;
            if file.read_exact(&mut header).is_err() || &header != SQLITE_MAGIC {
                return Err(StoreError::NotSatui(path.to_path_buf()));
            }
            if meta.permissions().readonly() || OpenOptions::new().append(true).open(path).is_err() {
                return Err(StoreError::ReadOnly(path.to_path_buf()));
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                create_private_dir(dir).map_err(io)?;
            }
            create_private_file(path).map_err(io)?;
            Ok(true)
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
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

/// Refuses SQLite files that are not ours or that a newer satui wrote.
fn check_identity(conn: &Connection, path: &Path) -> Result<()> {
    let io = |e: rusqlite::Error| classify(e, path);
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(io)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(io)?;
    if app_id != APPLICATION_ID {
        return Err(StoreError::NotSatui(path.to_path_buf()));
    }
    if version > schema_version() as i64 {
        return Err(StoreError::NewerSchema { path: path.to_path_buf(), found: version, known: schema_version() });
    }
    Ok(())
}

/// Maps an error met while opening to a message naming the file.
fn classify(e: rusqlite::Error, path: &Path) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotSatui(path.to_path_buf()),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            StoreError::Locked(path.to_path_buf())
        }
        Some(rusqlite::ErrorCode::ReadOnly) => StoreError::ReadOnly(path.to_path_buf()),
        _ => StoreError::Io { path: path.to_path_buf(), message: e.to_string() },
    }
}

/// Escapes `%`, `_` and `\` so user text is matched literally by `LIKE ... ESCAPE '\'`.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
