//! The `contacts` table.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tandem_core::{AccountId, Contact, ContactId, Email, Existing, PersonName, Phone};
use uuid::Uuid;

use super::{corrupt, RowLock, StoreError};

#[derive(Debug, sqlx::FromRow)]
pub struct ContactRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub version: i64,
    pub deleted: bool,
}

impl ContactRow {
    pub fn to_contact(&self) -> Result<Contact, StoreError> {
        let bad = |e: tandem_core::FieldError| corrupt("contact", self.id, e);
        Ok(Contact {
            id: ContactId::from_uuid(self.id),
            account_id: AccountId::from_uuid(self.account_id),
            name: PersonName::parse(&self.name).map_err(bad)?,
            email: self.email.as_deref().map(Email::parse).transpose().map_err(bad)?,
            phone: self.phone.as_deref().map(Phone::parse).transpose().map_err(bad)?,
        })
    }

    pub fn to_existing(&self) -> Result<Existing<Contact>, StoreError> {
        if self.deleted {
            Ok(Existing::Deleted)
        } else {
            self.to_contact().map(Existing::Live)
        }
    }
}

const LOAD_FOR_UPDATE: &str =
    "SELECT id, account_id, name, email, phone, version, deleted FROM contacts WHERE id = $1 FOR UPDATE";
const LOAD_FOR_SHARE: &str =
    "SELECT id, account_id, name, email, phone, version, deleted FROM contacts WHERE id = $1 FOR SHARE";

pub async fn load_row(conn: &mut PgConnection, id: ContactId, lock: RowLock) -> Result<Option<ContactRow>, StoreError> {
    let sql = match lock {
        RowLock::Update => LOAD_FOR_UPDATE,
        RowLock::Share => LOAD_FOR_SHARE,
    };
    Ok(sqlx::query_as::<_, ContactRow>(sql).bind(id.as_uuid()).fetch_optional(conn).await?)
}

pub async fn load(conn: &mut PgConnection, id: ContactId, lock: RowLock) -> Result<Existing<Contact>, StoreError> {
    match load_row(conn, id, lock).await? {
        None => Ok(Existing::Missing),
        Some(row) => row.to_existing(),
    }
}

/// The live contacts of an account, locked for update (an account delete tombstones them).
pub async fn live_of_account_for_update(
    conn: &mut PgConnection,
    account: AccountId,
) -> Result<Vec<Contact>, StoreError> {
    let rows = sqlx::query_as::<_, ContactRow>(
        "SELECT id, account_id, name, email, phone, version, deleted FROM contacts \
         WHERE account_id = $1 AND NOT deleted ORDER BY id FOR UPDATE",
    )
    .bind(account.as_uuid())
    .fetch_all(conn)
    .await?;
    rows.iter().map(ContactRow::to_contact).collect()
}

pub async fn insert(
    conn: &mut PgConnection,
    c: &Contact,
    version: i64,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "INSERT INTO contacts (id, account_id, name, email, phone, version, deleted, \
                               created_at, updated_at, created_by, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, false, $7, $7, $8, $8) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(c.id.as_uuid())
    .bind(c.account_id.as_uuid())
    .bind(c.name.as_str())
    .bind(c.email.as_ref().map(Email::as_str))
    .bind(c.phone.as_ref().map(Phone::as_str))
    .bind(version)
    .bind(at)
    .bind(by)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict { entity: "contact", id: c.id.as_uuid() });
    }
    Ok(())
}

pub async fn update(
    conn: &mut PgConnection,
    c: &Contact,
    version: i64,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE contacts SET name = $2, email = $3, phone = $4, version = $5, updated_at = $6, updated_by = $7 \
         WHERE id = $1",
    )
    .bind(c.id.as_uuid())
    .bind(c.name.as_str())
    .bind(c.email.as_ref().map(Email::as_str))
    .bind(c.phone.as_ref().map(Phone::as_str))
    .bind(version)
    .bind(at)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn tombstone(
    conn: &mut PgConnection,
    id: ContactId,
    version: i64,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE contacts SET deleted = true, version = $2, updated_at = $3, updated_by = $4 WHERE id = $1")
        .bind(id.as_uuid())
        .bind(version)
        .bind(at)
        .bind(by)
        .execute(conn)
        .await?;
    Ok(())
}

/// Which of `ids` exist (live or deleted).
pub async fn existing_ids(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    Ok(sqlx::query_scalar("SELECT id FROM contacts WHERE id = ANY($1)").bind(ids).fetch_all(conn).await?)
}
