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

/// The session of a token hash, if it exists, has not expired and its user is not disabled.
pub async fn find_valid(
    conn: &mut PgConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>, StoreError> {
    Ok(sqlx::query_as::<_, SessionRow>(
        "SELECT s.user_id, s.device_id, u.name AS user_name, u.role \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}
