//! The `conflicts` table: overwritten field values, until someone resolves them.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tandem_core::conflict::{Keep, Overwrite};
use tandem_core::AccountId;
use tandem_sync::{Change, ConflictRecord, Version};
use uuid::Uuid;

use super::StoreError;
use crate::pull::Scope;

/// Where a conflict arose.
#[derive(Debug)]
pub struct Origin<'a> {
    pub entity: &'static str,
    pub record_id: Uuid,
    pub account_id: AccountId,
    pub record_name: &'a str,
    pub kept_by: Uuid,
    pub overwritten_by: Option<Uuid>,
}

pub async fn insert(
    conn: &mut PgConnection,
    origin: &Origin<'_>,
    o: &Overwrite,
    version: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO conflicts (id, entity, record_id, account_id, record_name, field, kept, overwritten, \
                                kept_by, overwritten_by, created_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(Uuid::now_v7())
    .bind(origin.entity)
    .bind(origin.record_id)
    .bind(origin.account_id.as_uuid())
    .bind(origin.record_name)
    .bind(&o.field)
    .bind(&o.written)
    .bind(&o.overwritten)
    .bind(origin.kept_by)
    .bind(origin.overwritten_by)
    .bind(at)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct ConflictRow {
    pub id: Uuid,
    pub entity: String,
    pub record_id: Uuid,
    pub account_id: Uuid,
    pub field: String,
    pub overwritten: Option<String>,
    pub resolution: Option<String>,
}

/// The conflict `id`, locked until the transaction ends.
pub async fn load_for_update(conn: &mut PgConnection, id: Uuid) -> Result<Option<ConflictRow>, StoreError> {
    Ok(sqlx::query_as::<_, ConflictRow>(
        "SELECT id, entity, record_id, account_id, field, overwritten, resolution FROM conflicts WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

pub async fn resolve(
    conn: &mut PgConnection,
    id: Uuid,
    by: Uuid,
    keep: Keep,
    version: i64,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let resolution = match keep {
        Keep::Current => "current",
        Keep::Overwritten => "overwritten",
    };
    sqlx::query("UPDATE conflicts SET resolved_by = $2, resolution = $3, resolved_at = $4, version = $5 WHERE id = $1")
        .bind(id)
        .bind(by)
        .bind(resolution)
        .bind(at)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Who last wrote a record (the author of the value an edit may overwrite).
pub async fn last_writer(
    conn: &mut PgConnection,
    table_is_account: bool,
    id: Uuid,
) -> Result<Option<Uuid>, StoreError> {
    let sql = if table_is_account {
        "SELECT updated_by FROM accounts WHERE id = $1"
    } else {
        "SELECT updated_by FROM contacts WHERE id = $1"
    };
    Ok(sqlx::query_scalar::<_, Option<Uuid>>(sql).bind(id).fetch_optional(conn).await?.flatten())
}

const SELECT: &str = "SELECT c.id, c.entity, c.record_id, c.account_id, c.record_name, c.field, c.kept, c.overwritten, \
            kb.name AS kept_by, ob.name AS overwritten_by, c.created_at, rb.name AS resolved_by, c.resolution, c.version \
       FROM conflicts c JOIN accounts a ON a.id = c.account_id \
       JOIN users kb ON kb.id = c.kept_by LEFT JOIN users ob ON ob.id = c.overwritten_by \
       LEFT JOIN users rb ON rb.id = c.resolved_by \
      WHERE c.version > $1 AND c.version <= $2";

#[derive(Debug, sqlx::FromRow)]
struct FeedRow {
    id: Uuid,
    entity: String,
    record_id: Uuid,
    account_id: Uuid,
    record_name: String,
    field: String,
    kept: Option<String>,
    overwritten: Option<String>,
    kept_by: String,
    overwritten_by: Option<String>,
    created_at: DateTime<Utc>,
    resolved_by: Option<String>,
    resolution: Option<String>,
    version: i64,
}

/// The conflicts `scope` may see whose version is in `(after, upto]`, for a pull page.
pub async fn changes_between(
    conn: &mut PgConnection,
    scope: &Scope,
    after: i64,
    upto: i64,
) -> Result<Vec<Change>, StoreError> {
    let rows = match scope {
        Scope::Everything => {
            sqlx::query_as::<_, FeedRow>(&format!("{SELECT} ORDER BY c.version, c.id"))
                .bind(after)
                .bind(upto)
                .fetch_all(conn)
                .await?
        }
        Scope::Territories(t) => {
            sqlx::query_as::<_, FeedRow>(&format!("{SELECT} AND a.territory = ANY($3) ORDER BY c.version, c.id"))
                .bind(after)
                .bind(upto)
                .bind(t)
                .fetch_all(conn)
                .await?
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| Change::Conflict {
            version: Version(r.version),
            id: r.id,
            data: Some(ConflictRecord {
                id: r.id,
                entity: r.entity,
                record_id: r.record_id,
                account_id: AccountId::from_uuid(r.account_id),
                record_name: r.record_name,
                field: r.field,
                kept: r.kept,
                overwritten: r.overwritten,
                kept_by: r.kept_by,
                overwritten_by: r.overwritten_by,
                at: r.created_at,
                resolved_by: r.resolved_by,
                resolution: match r.resolution.as_deref() {
                    Some("current") => Some(Keep::Current),
                    Some("overwritten") => Some(Keep::Overwritten),
                    _ => None,
                },
            }),
        })
        .collect())
}
