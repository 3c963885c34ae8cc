//! The `sessions` table: bearer tokens, stored as their SHA-256 only.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tandem_sync::DeviceId;
use uuid::Uuid;

use super::StoreError;

#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: Uuid,
    pub device_id: Uuid,
    pub user_name: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    /// The user is disabled or the device revoked.
    pub revoked: bool,
    /// What the device last told about itself (see `devices::record_client`).
    pub protocol: Option<i32>,
    pub app_version: Option<String>,
    pub schema_version: Option<i32>,
}

pub async fn insert(
    conn: &mut PgConnection,
    token_hash: &str,
    user: Uuid,
    device: DeviceId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user)
    .bind(device.0)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session of a token hash, whatever its state: the caller tells expired and revoked apart.
pub async fn find(conn: &mut PgConnection, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(sqlx::query_as::<_, SessionRow>(
        "SELECT s.user_id, s.device_id, u.name AS user_name, u.role, s.expires_at, \
                (u.disabled_at IS NOT NULL OR d.revoked_at IS NOT NULL) AS revoked, \
                d.protocol, d.app_version, d.schema_version \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN devices d ON d.id = s.device_id \
         WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?)
}

/// Moves the expiry of a session in use forward (sliding sessions: an active device never has to
/// sign in again). Writes at most once a day per session.
pub async fn extend(
    conn: &mut PgConnection,
    token_hash: &str,
    until: DateTime<Utc>,
    unless_after: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1 AND expires_at < $3")
        .bind(token_hash)
        .bind(until)
        .bind(unless_after)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes a device; false when there is no such device.
pub async fn revoke_device(conn: &mut PgConnection, device: Uuid, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
        .bind(device)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Disables a user (all their devices stop syncing); false when there is no such user.
pub async fn disable_user(conn: &mut PgConnection, name: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, $2) WHERE name = $1")
        .bind(name)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
