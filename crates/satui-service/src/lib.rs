//! Use cases. Each one validates with the domain rules, writes in one `BEGIN IMMEDIATE`
//! transaction and records its audit event in that same transaction. The CLI and the UI call only
//! this layer, so a rule has one home.

mod accounts;
mod audit;
pub mod bounded;
pub mod demo;
mod error;
mod export_format;
mod groups;
mod import_rules;
mod orgs;
mod plugins;
mod roles;
mod seed;
mod tokens;
mod transfer;
mod upkeep;

use std::path::Path;
use std::sync::Arc;

pub use accounts::{AccountChanges, AccountPage, NewAccount};
pub use export_format::Export;

pub use orgs::OrgChanges;
pub use plugins::{PluginRegistration, PluginSummary, Registered};
pub use roles::{AccessRights, Grant, RoleSummary};
pub use seed::{SeedError, SeedOptions, SeedSummary};
pub use tokens::{
    EndingToken, Identity, IssuedToken, KnownToken, MAX_LIVE_TOKENS, NewToken, OrgTokenCounts, Rejection, TokenAccess,
    TokenCensus, UseRecord, UseState, VerifyError, token_hash,
};

pub use error::{Entity, Error, Field, Result, StoreProblem};
use satui_domain::clock::{Clock, SystemClock};
use satui_store::{Store, audit as audit_store};

pub use satui_domain::model::{
    Account, AuditEvent, Group, GroupDetail, Holder, Org, OrgSummary, OrgToken, OrgTokenFilter, Role,
    Search as AccountSearch, StateFilter, Token,
};

/// The store plus the clock and the actor that audit events name.
pub struct Service {
    store: Store,
    clock: Arc<dyn Clock>,
    actor: String,
}

impl Service {
    pub fn open(path: &Path) -> Result<Service> {
        Service::open_with_clock(path, Arc::new(SystemClock))
    }

    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Service> {
        Ok(Service { store: Store::open(path)?, clock, actor: os_user() })
    }

    /// Opens a store that must exist already (nothing is created): for commands that only read.
    pub fn open_existing(path: &Path) -> Result<Service> {
        Ok(Service { store: Store::open_existing(path)?, clock: Arc::new(SystemClock), actor: os_user() })
    }

    /// Fails when the store file was deleted or replaced under this process.
    pub fn ensure_store_still_there(&self) -> Result<()> {
        Ok(self.store.ensure_still_there()?)
    }

    /// Whether `path` is the store's own file (or its `-wal`/`-shm`): such a file must never be
    /// read by other means while the store is open (import, plugin register and scan refuse it).
    pub fn is_store_file(&self, path: &Path) -> bool {
        self.store.owns_file(path)
    }

    /// Device and inode of the store's files, for a file walk that must leave them alone.
    pub fn store_file_identities(&self) -> Vec<(u64, u64)> {
        self.store.file_identities()
    }

    /// The name audit events record as the actor (the OS user by default).
    pub fn set_actor(&mut self, actor: impl Into<String>) {
        self.actor = actor.into();
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The connection itself, for tests that must tune it (a page cap standing in for a full
    /// disk). Not for application code: every read and write goes through the methods above.
    #[doc(hidden)]
    pub fn connection_for_tests(&self) -> &rusqlite::Connection {
        self.store.conn()
    }

    /// Fills the store with deterministic bulk data (`satui seed`; see `service/seed.rs`),
    /// starting with the default org.
    pub fn seed(
        &self,
        options: &SeedOptions,
        progress: &mut dyn FnMut(u64, u64),
    ) -> std::result::Result<SeedSummary, SeedError> {
        seed::bulk_fill(&self.store, options, None, self.now(), &self.actor, progress)
    }

    /// [`Service::seed`] starting with the org `org_id` (`satui --org NAME seed`) instead of the
    /// default one; further orgs (`--orgs`) are created after it as usual.
    pub fn seed_into(
        &self,
        org_id: i64,
        options: &SeedOptions,
        progress: &mut dyn FnMut(u64, u64),
    ) -> std::result::Result<SeedSummary, SeedError> {
        seed::bulk_fill(&self.store, options, Some(org_id), self.now(), &self.actor, progress)
    }

    /// SQLite's counter of changes made by other connections (for live reload in the UI).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.store.data_version()?)
    }

    /// Starts a change: a `BEGIN IMMEDIATE` transaction that knows who acts and when, so the
    /// change and its audit event commit together with one actor and one time.
    pub(crate) fn begin(&mut self) -> Result<Write<'_>> {
        let now = self.clock.now();
        Ok(Write { tx: self.store.write()?, actor: &self.actor, now })
    }
}

/// A write transaction in progress, with the actor and the time its audit events record.
/// Dropping it without [`Write::commit`] rolls everything back.
pub(crate) struct Write<'a> {
    tx: rusqlite::Transaction<'a>,
    pub actor: &'a str,
    pub now: i64,
}

impl Write<'_> {
    /// Records an audit event in this transaction.
    pub fn audit(&self, org_id: Option<i64>, action: &str, target: &str, details: &str) -> Result<()> {
        let event = audit_store::NewEvent { org_id, actor: self.actor, action, target, details };
        audit_store::insert(&self.tx, &event, self.now)?;
        Ok(())
    }

    pub fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

impl std::ops::Deref for Write<'_> {
    type Target = rusqlite::Connection;

    fn deref(&self) -> &rusqlite::Connection {
        &self.tx
    }
}

/// The OS user running satui, for audit events (from the OS account database, not `$USER`,
/// which any caller can set).
fn os_user() -> String {
    whoami::username().ok().filter(|name| !name.trim().is_empty()).unwrap_or_else(|| "unknown".to_string())
}
