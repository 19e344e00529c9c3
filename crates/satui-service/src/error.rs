//! The service's errors: one variant per thing a caller acts on differently, each with the
//! message written for the user and, for a store failure, its source kept. Front-ends map them
//! once at their edge (HTTP status, exit code, the form field a message sits under); nobody
//! tells errors apart by their wording.

use satui_store::StoreError;

/// Which input a validation error is about, so a form can show it under that field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Description,
    /// A role: the basic role of an account, a role named to assign, or a permission given to a
    /// role.
    Role,
    /// An account named as a group member.
    Account,
    Lifetime,
    MaxAge,
    Cap,
}

/// What a "not found" or a "conflict" is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Org,
    Account,
    Token,
    Role,
    Group,
    Plugin,
    /// Something a change referred to that another writer deleted meanwhile.
    Referenced,
}

impl Entity {
    /// How a message names the kind.
    pub fn noun(self) -> &'static str {
        match self {
            Entity::Org => "organization",
            Entity::Account => "service account",
            Entity::Token => "token",
            Entity::Role => "role",
            Entity::Group => "group",
            Entity::Plugin => "plugin",
            Entity::Referenced => "record",
        }
    }
}

/// Why the store itself could not serve a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreProblem {
    /// No store at the path (and nothing was created).
    Missing,
    /// Another process held the write lock longer than the busy timeout.
    Busy,
    /// The disk, a quota or a file size limit refused a write; nothing was written.
    Disk,
    /// The store file was moved or deleted while satui ran.
    Gone,
    /// The file is damaged, or SQLite failed in a way that is not the user's doing. The message
    /// does not name the file.
    Damaged,
    /// The file cannot be used as a satui store (not one, a newer schema, owned by someone else,
    /// too open, read-only, a directory...). The message names the file and the fix.
    Unusable,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input; nothing was written.
    #[error("{message}")]
    Invalid { field: Field, message: String },
    /// A name (or another unique value) is taken; nothing was written.
    #[error("{message}")]
    Conflict { what: Entity, field: Field, message: String },
    #[error("{message}")]
    NotFound { what: Entity, message: String },
    /// A valid request the rules do not allow (managed account, token limit, last org).
    #[error("{0}")]
    Refused(String),
    /// The store failed; `problem` says how, `source` is the store's own error.
    #[error("{message}")]
    Store {
        problem: StoreProblem,
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    pub(crate) fn invalid(field: Field, message: impl Into<String>) -> Error {
        Error::Invalid { field, message: message.into() }
    }

    pub(crate) fn conflict(what: Entity, message: impl Into<String>) -> Error {
        Error::Conflict { what, field: Field::Name, message: message.into() }
    }

    pub(crate) fn not_found(what: Entity, message: impl Into<String>) -> Error {
        Error::NotFound { what, message: message.into() }
    }

    /// The subject of a change was there when looked up and gone when written: another writer
    /// deleted it in between (`named`: "with id 5", "'ops'").
    pub(crate) fn deleted_meanwhile(what: Entity, named: impl std::fmt::Display) -> Error {
        Error::not_found(what, format!("no {} {named} (deleted by another writer)", what.noun()))
    }

    /// The field an error belongs under, if any.
    pub fn field(&self) -> Option<Field> {
        match self {
            Error::Invalid { field, .. } | Error::Conflict { field, .. } => Some(*field),
            _ => None,
        }
    }

    /// How the store failed, if this is a store failure.
    pub fn store_problem(&self) -> Option<StoreProblem> {
        match self {
            Error::Store { problem, .. } => Some(*problem),
            _ => None,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let problem = match &e {
            StoreError::Vanished => return Error::not_found(Entity::Referenced, e.to_string()),
            StoreError::Missing(_) => StoreProblem::Missing,
            StoreError::Locked(_) => StoreProblem::Busy,
            StoreError::DiskFull | StoreError::WriteRefused(_) => StoreProblem::Disk,
            StoreError::Gone(_) => StoreProblem::Gone,
            StoreError::Corrupt(_) | StoreError::Sqlite(_) | StoreError::Migration(_) => StoreProblem::Damaged,
            StoreError::DanglingLink { .. }
            | StoreError::IsDirectory(_)
            | StoreError::Empty(_)
            | StoreError::NotYours { .. }
            | StoreError::TooOpen { .. }
            | StoreError::DirTooOpen { .. }
            | StoreError::DirNotWritable(_)
            | StoreError::SetupFailed { .. }
            | StoreError::NotSatui(_)
            | StoreError::NewerSchema { .. }
            | StoreError::ReadOnly(_)
            | StoreError::Io { .. } => StoreProblem::Unusable,
        };
        Error::Store { problem, message: e.to_string(), source: Box::new(e) }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::from(StoreError::from(e))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
