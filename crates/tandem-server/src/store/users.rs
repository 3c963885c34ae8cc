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

/// A user's role, territories and the version from which their scope holds.
#[derive(Debug, Clone)]
pub struct ScopeRow {
    pub name: String,
    pub role: String,
    pub territories: Vec<String>,
    pub scope_since: i64,
}

pub async fn scope(conn: &mut PgConnection, user: Uuid) -> Result<Option<ScopeRow>, StoreError> {
    let row: Option<(String, String, Vec<String>, i64)> = sqlx::query_as(
        "SELECT u.name, u.role, COALESCE(array_agg(t.territory ORDER BY t.territory) FILTER (WHERE t.territory IS NOT NULL), '{}'),
                u.scope_since
           FROM users u LEFT JOIN user_territories t ON t.user_id = u.id
          WHERE u.id = $1 GROUP BY u.id",
    )
    .bind(user)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(name, role, territories, scope_since)| ScopeRow { name, role, territories, scope_since }))
}

/// Replaces the territories of user `name`; their devices take a fresh copy on the next pull.
/// False when there is no such user.
pub async fn set_territories(conn: &mut PgConnection, name: &str, territories: &[String]) -> Result<bool, StoreError> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "UPDATE users SET scope_since = (SELECT version FROM sync_clock) + 1 WHERE name = $1 RETURNING id",
    )
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(false) };
    sqlx::query("DELETE FROM user_territories WHERE user_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO user_territories (user_id, territory) SELECT $1, unnest($2::text[])")
        .bind(id)
        .bind(territories)
        .execute(conn)
        .await?;
    Ok(true)
}
