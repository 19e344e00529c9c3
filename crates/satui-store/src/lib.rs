//! SQLite storage: opening and checking the file, migrations, and one module per entity.
//! Nothing here knows about the UI or the command line.

pub mod accounts;
pub mod audit;
pub mod bulk;
mod file;
pub mod groups;
pub mod name_index;
pub mod orgs;
pub mod roles;
pub mod tokens;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior, params};

use rusqlite_migration::{M, Migrations};
use satui_domain::names;

/// `PRAGMA application_id` of a satui store ("SATU"), so a foreign SQLite file is recognised.
pub const APPLICATION_ID: i32 = 0x5341_5455;
/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// SQLite's page cache per connection, in KiB.
const PAGE_CACHE_KIB: i64 = 16 * 1024;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../../migrations/001_initial.sql")),
        M::up(include_str!("../../../migrations/002_roles_groups.sql")),
        M::up(include_str!("../../../migrations/003_account_list_index.sql")),
        M::up_with_hook(include_str!("../../../migrations/004_name_keys.sql"), |tx: &Transaction| {
            recompute_name_keys(tx).map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))
        }),
        M::up(include_str!("../../../migrations/005_tokens_view.sql")),
        M::up(include_str!("../../../migrations/006_ids_never_reused.sql")).foreign_key_check(),
        M::up(include_str!("../../../migrations/007_token_ends_at.sql")),
    ])
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    7
}

/// Runs the pending migrations with foreign keys off, as SQLite asks for table rebuilds (a drop
/// would otherwise cascade into every row that points at the table); each migration that
/// rebuilds checks the foreign keys itself before it commits.
fn migrate(conn: &mut Connection) -> std::result::Result<(), rusqlite_migration::Error> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let migrated = migrations().to_latest(conn);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrated
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
    #[error("{0}: no store here (nothing was created)")]
    Missing(PathBuf),
    #[error("{path}: a symbolic link to {target}, which does not exist")]
    DanglingLink { path: PathBuf, target: String },
    #[error("{0}: is a directory, not a satui database")]
    IsDirectory(PathBuf),
    #[error(
        "{0}: the file is empty, not a satui database (an interrupted first run of an older satui leaves this; delete it and run again)"
    )]
    Empty(PathBuf),
    #[error("{path}: owned by uid {owner}, not by you (uid {me}); use a store of your own, or `chown {me} {path}`")]
    NotYours { path: PathBuf, owner: u32, me: u32 },
    #[error("{path}: others can write to it (mode {mode:o}); fix it with `chmod 600 {path}`")]
    TooOpen { path: PathBuf, mode: u32 },
    #[error(
        "{dir}: others can write to this directory (mode {mode:o}), so they could tamper with the store; use a private directory (`chmod 700 {dir}`) or another --db"
    )]
    DirTooOpen { dir: PathBuf, mode: u32 },
    #[error("{0}: the directory is not writable (satui keeps a write-ahead log beside the store)")]
    DirNotWritable(PathBuf),
    #[error("{path}: cannot set up a new store: {message}")]
    SetupFailed { path: PathBuf, message: String },
    #[error("{0}: the store was deleted or replaced while satui was running")]
    Gone(PathBuf),
    #[error("the store file is damaged ({0}); restore it from a backup or an export")]
    Corrupt(#[source] rusqlite::Error),
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
    /// The operating system refused a read or write of the store (a file size limit, a quota,
    /// a failing disk); SQLite rolled the transaction back.
    #[error(
        "the store file could not be written ({0}; a disk quota or a file size limit may refuse it): nothing was written"
    )]
    WriteRefused(#[source] rusqlite::Error),
    /// A row the change points at (an account, a role, a group) is gone: another writer
    /// deleted it after this change last looked. The change was rolled back.
    #[error("what this change refers to was deleted by another writer meanwhile: nothing was changed")]
    Vanished,
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// A migration's own step (a hook) failed.
    #[error("cannot migrate the store: {0}")]
    Migration(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => StoreError::DiskFull,
            Some(rusqlite::ErrorCode::SystemIoFailure) => StoreError::WriteRefused(e),
            Some(rusqlite::ErrorCode::ConstraintViolation) if is_foreign_key_failure(&e) => StoreError::Vanished,
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Locked(PathBuf::from("database"))
            }
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => StoreError::Corrupt(e),
            _ => StoreError::Sqlite(e),
        }
    }
}

fn is_foreign_key_failure(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open, migrated satui store.
pub struct Store {
    conn: Connection,
    /// The current org's account names for short filters (see `name_index`).
    pub name_index: std::cell::RefCell<Option<name_index::NameIndex>>,
    path: PathBuf,
    /// The file's device and inode when opened, to notice it being deleted or replaced.
    identity: Option<(u64, u64)>,
}

impl Store {
    /// Opens the store at `path`, creating it whole when it does not exist. Before SQLite writes
    /// anything the file is checked: a directory, an empty or foreign file, a newer schema, a file
    /// or directory others can write to, a read-only or locked file are all refused with the path
    /// in the message, and the file is left exactly as it was.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, true)
    }

    /// Like [`Store::open`], but a missing store is an error and nothing is created (for
    /// commands that only read, such as `token verify`).
    pub fn open_existing(path: &Path) -> Result<Store> {
        Store::open_with(path, false)
    }

    fn open_with(path: &Path, create: bool) -> Result<Store> {
        // A --db that is a link to a store: SQLite keeps the -wal and -shm beside the target, so
        // every check, the identity and the files a scan must leave alone use the target's path.
        // (A dangling link fails to resolve and is refused by `prepare` as such.)
        let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let path = resolved.as_path();
        file::prepare(path, create, |temp| initialise(temp).map_err(|e| setup_failed(path, e)))?;
        let io = |e: rusqlite::Error| classify(e, path);
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(io)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(io)?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(io)? {
            return Err(StoreError::ReadOnly(path.to_path_buf()));
        }
        check_identity(&conn, path)?;
        let mut store =
            Store { conn, name_index: Default::default(), path: path.to_path_buf(), identity: file::identity(path) };
        store.configure_and_migrate().map_err(|e| match e {
            StoreError::Locked(_) => StoreError::Locked(path.to_path_buf()),
            e @ (StoreError::Sqlite(_) | StoreError::Corrupt(_) | StoreError::Migration(_)) => setup_failed(path, e),
            other => other,
        })?;
        Ok(store)
    }

    fn configure_and_migrate(&mut self) -> Result<()> {
        configure(&self.conn)?;
        let current: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current < schema_version() as i64 {
            migrate(&mut self.conn).map_err(migration_error)?;
        }
        Ok(())
    }

    /// Fails when the file was deleted or replaced since it was opened: writes would go to a
    /// file nobody can see any more.
    pub fn ensure_still_there(&self) -> Result<()> {
        match file::identity(&self.path) {
            Some(now) if Some(now) == self.identity => Ok(()),
            _ => Err(StoreError::Gone(self.path.clone())),
        }
    }

    /// Whether `path` names this store's database file or one of its `-wal`/`-shm` files (by
    /// device and inode, so another name for the same file counts). Nothing may open those by
    /// any means but SQLite while the store is open: closing such a descriptor drops this
    /// process's locks (see `file.rs`).
    pub fn owns_file(&self, path: &Path) -> bool {
        file::identity(path).is_some_and(|candidate| self.file_identities().contains(&candidate))
    }

    /// Device and inode of the store file and of its `-wal`/`-shm` files that exist now.
    pub fn file_identities(&self) -> Vec<(u64, u64)> {
        std::iter::once(self.path.clone())
            .chain(file::sidecars(&self.path))
            .filter_map(|p| file::identity(&p))
            .collect()
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
    /// Refuses when the store file was deleted or replaced: the change would land in a file
    /// nobody can see any more.
    pub fn write(&mut self) -> Result<Transaction<'_>> {
        self.ensure_still_there()?;
        let path = self.path.clone();
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| match StoreError::from(e) {
            StoreError::Locked(_) => StoreError::Locked(path),
            other => other,
        })
    }

    /// A write that is worth doing only if the lock is free now: waits at most `patience` for
    /// another process's write, then gives up with `Ok(None)` instead of an error. For work that
    /// may be skipped (recording a token use), so a long write elsewhere never stalls a reader.
    pub fn try_write(&mut self, patience: Duration) -> Result<Option<Transaction<'_>>> {
        self.ensure_still_there()?;
        self.conn.busy_timeout(patience)?;
        let begun = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate);
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        match begun.map_err(StoreError::from) {
            Ok(tx) => Ok(Some(tx)),
            Err(StoreError::Locked(_)) => Ok(None),
            Err(other) => Err(other),
        }
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

/// The connection settings every store is used with.
fn configure(conn: &Connection) -> Result<()> {
    // WAL lets readers (a second UI, `token verify`, the server) run while one process writes.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Room for the account list's indexes at 100 000 accounts (about 10 MiB), so paging and
    // filtering scan memory instead of re-reading pages from the OS (SQLite's default is 2 MiB).
    // Pages are only allocated when read, so a small store stays small.
    conn.pragma_update(None, "cache_size", -PAGE_CACHE_KIB)?;
    Ok(())
}

/// Builds a new store in the (temporary) file at `path`: the whole schema and satui's identity.
fn initialise(path: &Path) -> Result<()> {
    let mut conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    configure(&conn)?;
    migrate(&mut conn).map_err(migration_error)?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    conn.close().map_err(|(_, e)| StoreError::from(e))
}

/// An error met while setting up or migrating the store at `path`: a full disk stays that (by
/// SQLite's error code), anything else says the setup failed, naming the file.
fn setup_failed(path: &Path, e: StoreError) -> StoreError {
    match e {
        StoreError::DiskFull => StoreError::DiskFull,
        StoreError::Sqlite(source) | StoreError::Corrupt(source) => {
            StoreError::SetupFailed { path: path.to_path_buf(), message: source.to_string() }
        }
        StoreError::Migration(message) => StoreError::SetupFailed { path: path.to_path_buf(), message },
        other => StoreError::SetupFailed { path: path.to_path_buf(), message: other.to_string() },
    }
}

/// A migration's error, classified by its SQLite code, without the SQL it was running (which
/// says nothing to a user).
fn migration_error(e: rusqlite_migration::Error) -> StoreError {
    match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => StoreError::from(err),
        rusqlite_migration::Error::Hook(message) => StoreError::Migration(message),
        other => StoreError::Migration(other.to_string()),
    }
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
