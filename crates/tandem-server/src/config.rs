//! Settings of a server process.

use std::net::SocketAddr;
use std::time::Duration;

use tandem_sync::Secret;

use crate::error::Error;

/// Where `serve` listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Connections one server process keeps to PostgreSQL at most.
pub const MAX_DB_CONNECTIONS: u32 = 20;
/// How long a request waits for a free connection before answering 503/500.
pub const DB_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The database URL from `--database-url`, else `DATABASE_URL` (clap reads both into one value).
/// It may hold a password, hence a [`Secret`].
pub fn database_url(given: Option<String>) -> Result<Secret, Error> {
    match given.map(|s| s.trim().to_owned()) {
        Some(url) if !url.is_empty() => Ok(Secret::new(url)),
        _ => {
            Err(Error::InvalidInput("no database given: pass --database-url postgres://... or set DATABASE_URL".into()))
        }
    }
}

/// A `--listen` address.
pub fn listen_addr(raw: &str) -> Result<SocketAddr, Error> {
    raw.parse().map_err(|e| Error::InvalidInput(format!("--listen {raw:?}: not an address like 127.0.0.1:8080 ({e})")))
}
