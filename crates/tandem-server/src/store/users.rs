//! The `users` table.

use sqlx::PgConnection;
use uuid::Uuid;

use super::StoreError;

#[derive(Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// Inserts a user; false when the name is taken.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    role: &str,
    password_hash: &str,
    disabled: bool,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO users (id, name, role, password_hash, created_at, disabled_at) \
         VALUES ($1, $2, $3, $4, now(), CASE WHEN $5 THEN now() END) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(name)
    .bind(role)
    .bind(password_hash)
    .bind(disabled)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_by_name(conn: &mut PgConnection, name: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(sqlx::query_as::<_, UserRow>(
        "SELECT id, name, role, password_hash, disabled_at IS NOT NULL AS disabled FROM users WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(conn)
    .await?)
}
