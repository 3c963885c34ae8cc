//! The `devices` table: which user a device belongs to and the last seq handled for it.

use sqlx::PgConnection;
use tandem_sync::DeviceId;
use uuid::Uuid;

use super::StoreError;

/// Binds `device` to `user` (first login) or refreshes it (later logins). Returns the device's
/// last handled seq, or `None` when the device already belongs to another user.
pub async fn register(
    conn: &mut PgConnection,
    device: DeviceId,
    user: Uuid,
    name: Option<&str>,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO devices (id, user_id, name, last_seq, created_at, last_seen_at) \
         VALUES ($1, $2, $3, 0, now(), now()) \
         ON CONFLICT (id) DO UPDATE SET last_seen_at = now(), name = COALESCE(EXCLUDED.name, devices.name) \
         WHERE devices.user_id = EXCLUDED.user_id \
         RETURNING last_seq",
    )
    .bind(device.0)
    .bind(user)
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

/// Locks the device row until the transaction ends and returns its last handled seq. Holding
/// this lock is what makes "applied exactly once" hold when one device pushes twice at once.
pub async fn lock_last_seq(conn: &mut PgConnection, device: DeviceId) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1 FOR UPDATE")
        .bind(device.0)
        .fetch_optional(conn)
        .await?)
}

pub async fn last_seq(conn: &mut PgConnection, device: DeviceId) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1").bind(device.0).fetch_optional(conn).await?)
}

/// Whether the device exists and was revoked.
pub async fn is_revoked(conn: &mut PgConnection, device: DeviceId) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar::<_, bool>("SELECT revoked_at IS NOT NULL FROM devices WHERE id = $1")
        .bind(device.0)
        .fetch_optional(conn)
        .await?
        .unwrap_or(false))
}

/// Records what the device runs, writing only when it changed.
pub async fn record_client(
    conn: &mut PgConnection,
    device: DeviceId,
    protocol: u32,
    client: Option<&tandem_sync::ClientInfo>,
) -> Result<(), StoreError> {
    let (app, schema) = match client {
        Some(c) => (Some(c.app.as_str()), i32::try_from(c.schema).ok()),
        None => (None, None),
    };
    sqlx::query(
        "UPDATE devices SET protocol = $2, app_version = COALESCE($3, app_version), schema_version = COALESCE($4, schema_version) \
         WHERE id = $1 AND (protocol IS DISTINCT FROM $2 OR ($3::text IS NOT NULL AND app_version IS DISTINCT FROM $3) \
                            OR ($4::int IS NOT NULL AND schema_version IS DISTINCT FROM $4))",
    )
    .bind(device.0)
    .bind(i32::try_from(protocol).unwrap_or(i32::MAX))
    .bind(app)
    .bind(schema)
    .execute(conn)
    .await?;
    Ok(())
}
