//! Live updates: "the server has changes up to version N", across every server process.
//!
//! After a push has applied something, [`notify`] sends the highest applied version with
//! `pg_notify` on [`CHANNEL`]. Every server process runs one [`run_listener`] task (one
//! `LISTEN` connection, whatever the number of subscribers) that hands the versions to its
//! [`Hub`]; each `GET /v1/events` stream watches the hub. The hub keeps only the latest
//! version (a `watch` channel), so a slow subscriber skips to the newest version and never holds
//! up the others. A notification carries a number and no data: devices pull what they may see.
//!
//! Nothing is missed across a lost database connection: after every (re)connect the listener
//! first `LISTEN`s, then reads `sync_clock` and publishes it, so a notification sent while it
//! was away is covered by the clock read. A new stream starts with the clock too.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tandem_sync::Version;
use tokio::sync::watch;

use crate::store::{log, StoreError};

#[derive(Debug, thiserror::Error)]
enum ListenError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The PostgreSQL notification channel; the payload is the version as decimal text.
pub const CHANNEL: &str = "tandem_changes";
/// The first wait before the listener reconnects after an error; it doubles up to
/// [`MAX_RECONNECT_WAIT`].
pub const MIN_RECONNECT_WAIT: Duration = Duration::from_secs(1);
pub const MAX_RECONNECT_WAIT: Duration = Duration::from_secs(30);

/// The latest known version of this server process, and whether it is shutting down.
#[derive(Clone, Debug)]
pub struct Hub {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    latest: watch::Sender<Version>,
    closed: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (latest, _) = watch::channel(Version(0));
        let (closed, _) = watch::channel(false);
        Self { inner: Arc::new(Inner { latest, closed }) }
    }

    /// Raises the latest version to `version`; an older or equal one changes nothing (so
    /// notifications that arrive out of order never move a subscriber backwards).
    pub fn publish(&self, version: Version) {
        self.inner.latest.send_if_modified(|latest| {
            if version > *latest {
                *latest = version;
                true
            } else {
                false
            }
        });
    }

    pub fn latest(&self) -> Version {
        *self.inner.latest.borrow()
    }

    /// A receiver of the latest version, with the current one marked as seen.
    pub fn subscribe(&self) -> watch::Receiver<Version> {
        self.inner.latest.subscribe()
    }

    /// Ends every stream (graceful shutdown must not wait for them) and the listener.
    pub fn close(&self) {
        self.inner.closed.send_replace(true);
    }

    pub fn is_closed(&self) -> bool {
        *self.inner.closed.borrow()
    }

    /// Resolves once [`Hub::close`] has been called (at once if it already was).
    pub async fn closed(&self) {
        let mut rx = self.inner.closed.subscribe();
        // An error means the sender is gone, which cannot happen while `self` holds it.
        let _ = rx.wait_for(|closed| *closed).await;
    }
}

/// Tells every server process (this one included) that versions up to `version` are
/// committed. Call it after the transactions that made them have committed.
pub async fn notify(pool: &PgPool, version: Version) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(version.0.to_string()).execute(pool).await?;
    Ok(())
}

/// The last committed version.
pub async fn current_version(pool: &PgPool) -> Result<Version, crate::Error> {
    let mut conn = pool.acquire().await?;
    Ok(Version(log::current_version(&mut conn).await?))
}

/// Listens on [`CHANNEL`] and publishes into `hub` until the hub is closed or the pool is
/// closed. Reconnects with back-off (1 s doubling to 30 s) when the connection fails.
pub async fn run_listener(pool: PgPool, hub: Hub) {
    let mut wait = MIN_RECONNECT_WAIT;
    loop {
        let outcome = tokio::select! {
            () = hub.closed() => return,
            r = listen(&pool, &hub, &mut wait) => r,
        };
        match outcome {
            Ok(()) => return,
            Err(ListenError::Db(sqlx::Error::PoolClosed)) => return,
            Err(e) if pool.is_closed() => {
                tracing::debug!(error = %e, "live listener stops: the pool is closed");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?wait, "live listener lost its database connection");
            }
        }
        tokio::select! {
            () = hub.closed() => return,
            () = tokio::time::sleep(wait) => {}
        }
        wait = (wait * 2).min(MAX_RECONNECT_WAIT);
    }
}

/// One listener connection: LISTEN, catch up from the clock, then relay notifications. Returns
/// `Ok` only when the pool closes; an error asks the caller to reconnect.
async fn listen(pool: &PgPool, hub: &Hub, wait: &mut Duration) -> Result<(), ListenError> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    catch_up(pool, hub).await?;
    *wait = MIN_RECONNECT_WAIT;
    tracing::debug!(channel = CHANNEL, "live listener connected");
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => match n.payload().trim().parse::<i64>() {
                Ok(v) => hub.publish(Version(v)),
                Err(_) => tracing::warn!(payload = n.payload(), "ignoring a notification that is not a version"),
            },
            // The connection dropped and sqlx has reconnected and re-LISTENed: whatever was
            // notified in between is in the clock.
            Ok(None) => {
                tracing::info!("live listener reconnected");
                catch_up(pool, hub).await?;
            }
            Err(sqlx::Error::PoolClosed) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
}

async fn catch_up(pool: &PgPool, hub: &Hub) -> Result<(), ListenError> {
    let mut conn = pool.acquire().await?;
    hub.publish(Version(log::current_version(&mut conn).await?));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_hub_only_moves_forward_and_a_subscriber_sees_the_newest_version() {
        let hub = Hub::new();
        let mut rx = hub.subscribe();
        hub.publish(Version(3));
        hub.publish(Version(7));
        hub.publish(Version(5));
        assert!(rx.has_changed().unwrap_or(false), "a publish marks the value changed");
        assert_eq!(*rx.borrow_and_update(), Version(7), "a slow subscriber skips to the newest version");
        hub.publish(Version(7));
        assert!(!rx.has_changed().unwrap_or(true), "an equal or older version wakes no one");
        assert_eq!(hub.latest(), Version(7));
    }

    #[tokio::test]
    async fn closing_the_hub_wakes_waiters_now_and_later() {
        let hub = Hub::new();
        let waiter = tokio::spawn({
            let hub = hub.clone();
            async move { hub.closed().await }
        });
        hub.close();
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("a waiter wakes on close")
            .expect("the waiter does not panic");
        tokio::time::timeout(Duration::from_secs(5), hub.closed())
            .await
            .expect("closed() after close resolves at once");
        assert!(hub.is_closed());
    }
}
