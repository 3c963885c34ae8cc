//! Pruning tombstones and the horizon below which a cursor is no longer served.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::StoreError;

/// The highest version any pruned tombstone had (0 before the first prune).
pub async fn horizon(conn: &mut PgConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT pruned_version FROM sync_horizon").fetch_one(conn).await?)
}

/// Deletes tombstones last changed before `cutoff` and raises the horizon to the highest version
/// deleted. Contacts go first; an account tombstone stays while a contact row still points at it.
/// Returns (accounts, contacts, new horizon).
pub async fn prune_before(conn: &mut PgConnection, cutoff: DateTime<Utc>) -> Result<(i64, i64, i64), StoreError> {
    let (contacts, contacts_max): (i64, i64) = sqlx::query_as(
        "WITH gone AS (DELETE FROM contacts WHERE deleted AND updated_at < $1 RETURNING version)
         SELECT COUNT(*), COALESCE(MAX(version), 0) FROM gone",
    )
    .bind(cutoff)
    .fetch_one(&mut *conn)
    .await?;
    let (accounts, accounts_max): (i64, i64) = sqlx::query_as(
        "WITH gone AS (
             DELETE FROM accounts a WHERE a.deleted AND a.updated_at < $1
               AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.account_id = a.id)
             RETURNING version)
         SELECT COUNT(*), COALESCE(MAX(version), 0) FROM gone",
    )
    .bind(cutoff)
    .fetch_one(&mut *conn)
    .await?;
    let horizon: i64 = sqlx::query_scalar(
        "UPDATE sync_horizon SET pruned_version = GREATEST(pruned_version, $1) RETURNING pruned_version",
    )
    .bind(contacts_max.max(accounts_max))
    .fetch_one(&mut *conn)
    .await?;
    Ok((accounts, contacts, horizon))
}
