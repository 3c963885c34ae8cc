//! The sync clock, the mutation log and the audit log.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tandem_sync::{DeviceId, Outcome};
use uuid::Uuid;

use super::StoreError;

/// Takes the next version. The `sync_clock` row stays locked until the transaction ends, so no
/// other transaction can take a version before this one has committed or rolled back.
pub async fn next_version(conn: &mut PgConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("UPDATE sync_clock SET version = version + 1 RETURNING version").fetch_one(conn).await?)
}

/// The last committed version as the current snapshot sees it.
pub async fn current_version(conn: &mut PgConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(conn).await?)
}

#[derive(Debug)]
pub struct LoggedMutation<'a> {
    pub device: DeviceId,
    pub seq: i64,
    pub user: Uuid,
    pub op_name: &'a str,
    pub op: serde_json::Value,
    pub outcome: &'a Outcome,
    pub version: Option<i64>,
    pub made_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

pub async fn insert_mutation(conn: &mut PgConnection, m: LoggedMutation<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO mutation_log (device_id, seq, user_id, op_name, op, outcome, version, made_at, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(m.device.0)
    .bind(m.seq)
    .bind(m.user)
    .bind(m.op_name)
    .bind(m.op)
    .bind(serde_json::to_value(m.outcome)?)
    .bind(m.version)
    .bind(m.made_at)
    .bind(m.received_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The outcome stored for an already handled `(device, seq)`.
pub async fn stored_outcome(
    conn: &mut PgConnection,
    device: DeviceId,
    seq: i64,
) -> Result<Option<Outcome>, StoreError> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT outcome FROM mutation_log WHERE device_id = $1 AND seq = $2")
            .bind(device.0)
            .bind(seq)
            .fetch_optional(conn)
            .await?;
    Ok(value.map(serde_json::from_value).transpose()?)
}

#[derive(Debug)]
pub struct AuditEntry<'a> {
    pub user: Uuid,
    pub device: DeviceId,
    pub seq: i64,
    pub op_name: &'a str,
    pub at: DateTime<Utc>,
    pub entity: &'static str,
    pub entity_id: Uuid,
    pub version: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn insert_audit(conn: &mut PgConnection, e: AuditEntry<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (user_id, device_id, seq, op_name, at, entity, entity_id, version, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.user)
    .bind(e.device.0)
    .bind(e.seq)
    .bind(e.op_name)
    .bind(e.at)
    .bind(e.entity)
    .bind(e.entity_id)
    .bind(e.version)
    .bind(e.before)
    .bind(e.after)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_name: String,
    pub device_id: Uuid,
    pub seq: i64,
    pub op_name: String,
    pub entity: String,
    pub entity_id: Uuid,
    pub version: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Audit entries older than `before` (all when `None`), of `record` if given, newest first.
pub async fn audit_page(
    conn: &mut PgConnection,
    before: Option<i64>,
    record: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as::<_, AuditRow>(
        "SELECT l.id, l.at, u.name AS user_name, l.device_id, l.seq, l.op_name, l.entity, l.entity_id, l.version, \
                l.before, l.after \
           FROM audit_log l JOIN users u ON u.id = l.user_id \
          WHERE l.id < COALESCE($1, 9223372036854775807) AND ($2::uuid IS NULL OR l.entity_id = $2) \
          ORDER BY l.id DESC LIMIT $3",
    )
    .bind(before)
    .bind(record)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
