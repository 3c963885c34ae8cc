//! SQL, and nothing else: each function runs statements on a connection the caller owns (a
//! pool connection or an open transaction), so services decide what commits together.
//!
//! Values leave the database through the `tandem-core` parsers, so a row that no longer parses
//! is reported as [`StoreError::Corrupt`] instead of travelling on.

pub mod accounts;
pub mod changes;
pub mod conflicts;
pub mod contacts;
pub mod devices;
pub mod docs;
pub mod log;
pub mod sessions;
pub mod tombstones;
pub mod users;

use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored {entity} {id} does not parse: {detail}")]
    Corrupt { entity: &'static str, id: Uuid, detail: String },
    #[error("{entity} {id} was created by a concurrent transaction")]
    Conflict { entity: &'static str, id: Uuid },
    #[error("could not encode or decode stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// True when running the whole transaction again may succeed: a concurrent insert of the
    /// same id, a serialization failure or a deadlock.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Conflict { .. } => true,
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("40001") | Some("40P01"))
            }
            _ => false,
        }
    }
}

/// How strongly [`accounts::load`] and [`contacts::load`] lock the row they read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowLock {
    /// `FOR UPDATE`: the caller will write the row.
    Update,
    /// `FOR SHARE`: the caller relies on the row staying as read (e.g. a live parent).
    Share,
}

pub(crate) fn corrupt(entity: &'static str, id: Uuid, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { entity, id, detail: e.to_string() }
}
