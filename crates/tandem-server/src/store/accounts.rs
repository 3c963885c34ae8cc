//! The `accounts` table.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use tandem_core::{Account, AccountId, AccountName, City, Email, Existing, Phone, Territory, VatId};
use uuid::Uuid;

use super::{corrupt, RowLock, StoreError};

#[derive(Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
    pub vat_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub territory: Option<String>,
    pub version: i64,
    pub deleted: bool,
}

impl AccountRow {
    /// The row as the business sees it: parsed through the `tandem-core` value types.
    pub fn to_account(&self) -> Result<Account, StoreError> {
        let bad = |e: tandem_core::FieldError| corrupt("account", self.id, e);
        Ok(Account {
            id: AccountId::from_uuid(self.id),
            name: AccountName::parse(&self.name).map_err(bad)?,
            vat_id: self.vat_id.as_deref().map(VatId::parse).transpose().map_err(bad)?,
            email: self.email.as_deref().map(Email::parse).transpose().map_err(bad)?,
            phone: self.phone.as_deref().map(Phone::parse).transpose().map_err(bad)?,
            city: self.city.as_deref().map(City::parse).transpose().map_err(bad)?,
            territory: self.territory.as_deref().map(Territory::parse).transpose().map_err(bad)?,
        })
    }

    pub fn to_existing(&self) -> Result<Existing<Account>, StoreError> {
        if self.deleted {
            Ok(Existing::Deleted)
        } else {
            self.to_account().map(Existing::Live)
        }
    }
}

const LOAD_FOR_UPDATE: &str = "SELECT id, name, vat_id, email, phone, city, territory, version, deleted \
     FROM accounts WHERE id = $1 FOR UPDATE";
const LOAD_FOR_SHARE: &str = "SELECT id, name, vat_id, email, phone, city, territory, version, deleted \
     FROM accounts WHERE id = $1 FOR SHARE";

/// The stored row of `id`, locked as asked until the transaction ends.
pub async fn load_row(conn: &mut PgConnection, id: AccountId, lock: RowLock) -> Result<Option<AccountRow>, StoreError> {
    let sql = match lock {
        RowLock::Update => LOAD_FOR_UPDATE,
        RowLock::Share => LOAD_FOR_SHARE,
    };
    Ok(sqlx::query_as::<_, AccountRow>(sql).bind(id.as_uuid()).fetch_optional(conn).await?)
}

/// What the store holds under `id`, locked as asked.
pub async fn load(conn: &mut PgConnection, id: AccountId, lock: RowLock) -> Result<Existing<Account>, StoreError> {
    match load_row(conn, id, lock).await? {
        None => Ok(Existing::Missing),
        Some(row) => row.to_existing(),
    }
}

/// Inserts a new account. A concurrent insert of the same id is reported as
/// [`StoreError::Conflict`] so the caller can retry its transaction.
pub async fn insert(
    conn: &mut PgConnection,
    a: &Account,
    version: i64,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "INSERT INTO accounts (id, name, vat_id, email, phone, city, version, deleted, \
                               created_at, updated_at, created_by, updated_by, territory) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, false, $8, $8, $9, $9, $10) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(a.id.as_uuid())
    .bind(a.name.as_str())
    .bind(a.vat_id.as_ref().map(VatId::as_str))
    .bind(a.email.as_ref().map(Email::as_str))
    .bind(a.phone.as_ref().map(Phone::as_str))
    .bind(a.city.as_ref().map(City::as_str))
    .bind(version)
    .bind(at)
    .bind(by)
    .bind(a.territory.as_ref().map(Territory::as_str))
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict { entity: "account", id: a.id.as_uuid() });
    }
    Ok(())
}

/// Overwrites the fields of a live account (the caller holds its row lock).
pub async fn update(
    conn: &mut PgConnection,
    a: &Account,
    version: i64,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE accounts SET name = $2, vat_id = $3, email = $4, phone = $5, city = $6, \
                version = $7, updated_at = $8, updated_by = $9, territory = $10 \
         WHERE id = $1",
    )
    .bind(a.id.as_uuid())
    .bind(a.name.as_str())
    .bind(a.vat_id.as_ref().map(VatId::as_str))
    .bind(a.email.as_ref().map(Email::as_str))
    .bind(a.phone.as_ref().map(Phone::as_str))
    .bind(a.city.as_ref().map(City::as_str))
    .bind(version)
    .bind(at)
    .bind(by)
    .bind(a.territory.as_ref().map(Territory::as_str))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the account left `territory` at `version` and re-stamps its live contacts with
/// `version`, so reps of the new territory receive them and reps of the old one a delete.
pub async fn moved(
    conn: &mut PgConnection,
    id: AccountId,
    from: Option<&Territory>,
    version: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO scope_exits (version, account_id, territory) VALUES ($1, $2, $3)")
        .bind(version)
        .bind(id.as_uuid())
        .bind(from.map(Territory::as_str))
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE contacts SET version = $2 WHERE account_id = $1 AND NOT deleted")
        .bind(id.as_uuid())
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns the account into a tombstone carrying `version`.
pub async fn tombstone(
    conn: &mut PgConnection,
    id: AccountId,
    version: i64,
    at: DateTime<Utc>,
    by: Uuid,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE accounts SET deleted = true, version = $2, updated_at = $3, updated_by = $4 WHERE id = $1")
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
    Ok(sqlx::query_scalar("SELECT id FROM accounts WHERE id = ANY($1)").bind(ids).fetch_all(conn).await?)
}
