//! Use cases. Each one validates with the domain rules, writes in one `BEGIN IMMEDIATE`
//! transaction and records its audit event in that same transaction. The CLI and the UI call only
//! this layer, so a rule has one home.

mod accounts;
mod audit;
mod groups;
mod orgs;
mod plugins;
mod roles;
mod tokens;
mod transfer;

use std::path::Path;
use std::sync::Arc;

pub use accounts::{AccountChanges, AccountPage, NewAccount};
pub use groups::{Group, GroupDetail};
pub use plugins::PluginRegistration;
pub use roles::{Grant, Role, RoleSummary};
pub use tokens::{Identity, IssuedToken, MAX_LIVE_TOKENS, NewToken, Rejection, VerifyError};
pub use transfer::Export;

use crate::clock::{Clock, SystemClock};
use crate::store::{Store, StoreError, audit as audit_store};

pub use crate::store::accounts::Account;
pub use crate::store::audit::AuditEvent;
pub use crate::store::orgs::{Org, OrgSummary};
pub use crate::store::tokens::Token;

/// Which input a validation error is about, so a form can show it under that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Description,
    Role,
    Lifetime,
    MaxAge,
    Cap,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad or conflicting input; nothing was written.
    #[error("{message}")]
    Invalid { field: Field, message: String },
    #[error("{0}")]
    NotFound(String),
    /// A valid request the rules do not allow (managed account, token limit, last org).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.into())
    }
}

impl Error {
    pub(crate) fn invalid(field: Field, message: impl Into<String>) -> Error {
        Error::Invalid { field, message: message.into() }
    }

    /// The field an error belongs under, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            Error::Invalid { field, .. } => Some(*field),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

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

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// SQLite's counter of changes made by other connections (for live reload in the UI).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.store.data_version()?)
    }

    /// Records an audit event inside the caller's transaction.
    fn audit(
        conn: &rusqlite::Connection,
        actor: &str,
        now: i64,
        org_id: Option<i64>,
        action: &str,
        target: &str,
        details: &str,
    ) -> Result<()> {
        audit_store::insert(conn, &audit_store::NewEvent { org_id, actor, action, target, details }, now)?;
        Ok(())
    }
}

/// The OS user running satui, for audit events (from the OS account database, not `$USER`,
/// which any caller can set).
fn os_user() -> String {
    whoami::username().ok().filter(|name| !name.trim().is_empty()).unwrap_or_else(|| "unknown".to_string())
}
