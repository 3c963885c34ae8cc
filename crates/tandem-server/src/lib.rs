//! Tandem's central server: the sync API over PostgreSQL, the one source of truth.
//!
//! Devices push named mutations (applied exactly once through the `tandem-core` rules, see
//! [`apply`]) and pull a versioned change feed (see [`pull`]). The server keeps no state
//! between requests, so more server processes can run behind a load balancer over one database.

pub mod apply;
pub mod audit;
pub mod auth;
pub mod bulk_seed;
pub mod config;
pub mod erp;
pub mod error;
pub mod extract;
pub mod live;
pub mod pull;
pub mod push;
pub mod release;
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

/// What every handler shares: the pool, and the live-update hub of this process (which holds
/// only the latest version number; no request state survives a request).
#[derive(Clone, Debug)]
pub struct AppState {
    pub pool: PgPool,
    pub hub: live::Hub,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        Self { pool, hub: live::Hub::new() }
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

/// Serves the API on `listener` until `shutdown` resolves, then ends the live streams and
/// finishes the requests in flight. Runs this process's one live listener meanwhile.
pub async fn serve(
    listener: tokio::net::TcpListener,
    pool: PgPool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let state = AppState::new(pool);
    let hub = state.hub.clone();
    // Aborted when `serve` returns or is dropped (a test aborting its server task).
    let _relay = AbortOnDrop(tokio::spawn(live::run_listener(state.pool.clone(), hub.clone())));
    let shutdown = async move {
        shutdown.await;
        // Live streams never end by themselves: without this, graceful shutdown would wait forever.
        hub.close();
    };
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

#[derive(Debug)]
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
