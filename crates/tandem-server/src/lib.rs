//! Tandem's central server: the sync API over PostgreSQL, the one source of truth.
//!
//! Devices push named mutations (applied exactly once through the `tandem-core` rules, see
//! [`apply`]) and pull a versioned change feed (see [`pull`]). The server keeps no state
//! between requests, so more server processes can run behind a load balancer over one database.

pub mod apply;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod pull;
pub mod push;
pub mod routes;
pub mod seed;
pub mod store;

use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

pub use error::Error;
pub use routes::router;

/// The central schema, embedded at build time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// What every handler shares: only the pool (the server holds no other state).
#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: PgPool,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

/// A connection pool to the central database.
pub async fn connect(url: &str) -> Result<PgPool, Error> {
    PgPoolOptions::new()
        .max_connections(config::MAX_DB_CONNECTIONS)
        .acquire_timeout(config::DB_ACQUIRE_TIMEOUT)
        .connect(url)
        .await
        .map_err(Error::Unavailable)
}

/// Applies pending migrations. sqlx holds an advisory lock meanwhile, so servers that start
/// together migrate once.
pub async fn migrate(pool: &PgPool) -> Result<(), Error> {
    MIGRATOR.run(pool).await.map_err(Error::internal)
}

/// Serves the API on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    pool: PgPool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(AppState::new(pool))).with_graceful_shutdown(shutdown).await
}
