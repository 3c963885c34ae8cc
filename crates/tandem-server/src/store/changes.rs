//! The change feed: account and contact rows by version, for a pull.

use sqlx::PgConnection;
use tandem_core::{AccountId, ContactId};
use tandem_sync::{Change, Version};
use uuid::Uuid;

use super::accounts::AccountRow;
use super::contacts::ContactRow;
use super::StoreError;
use crate::pull::Scope;

/// One changed row of either table (the columns of the other table are NULL).
#[derive(Debug, sqlx::FromRow)]
pub struct ChangeRow {
    pub entity: String,
    pub id: Uuid,
    pub version: i64,
    pub deleted: bool,
    pub name: String,
    pub vat_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub account_id: Option<Uuid>,
}

// Ordered by (version, entity, id): a stable order, so pages are reproducible.
const EVERYTHING_AFTER: &str = "\
    SELECT 'account'::text AS entity, id, version, deleted, name, vat_id, email, phone, city, NULL::uuid AS account_id \
      FROM accounts WHERE version > $1 \
    UNION ALL \
    SELECT 'contact'::text, id, version, deleted, name, NULL::text, email, phone, NULL::text, account_id \
      FROM contacts WHERE version > $1 \
    ORDER BY version, entity, id \
    LIMIT $2";

const EVERYTHING_AT: &str = "\
    SELECT 'account'::text AS entity, id, version, deleted, name, vat_id, email, phone, city, NULL::uuid AS account_id \
      FROM accounts WHERE version = $1 \
    UNION ALL \
    SELECT 'contact'::text, id, version, deleted, name, NULL::text, email, phone, NULL::text, account_id \
      FROM contacts WHERE version = $1 \
    ORDER BY version, entity, id";

/// At most `limit` changes with a version above `after` that `scope` may see, in feed order.
pub async fn after(
    conn: &mut PgConnection,
    scope: Scope,
    after: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, StoreError> {
    // Each scope gets its own fixed query (a territory scope adds a bound filter), so no SQL
    // text is ever assembled at run time.
    let sql = match scope {
        Scope::Everything => EVERYTHING_AFTER,
    };
    Ok(sqlx::query_as::<_, ChangeRow>(sql).bind(after).bind(limit).fetch_all(conn).await?)
}

/// Every change of exactly `version` that `scope` may see.
pub async fn at(conn: &mut PgConnection, scope: Scope, version: i64) -> Result<Vec<ChangeRow>, StoreError> {
    let sql = match scope {
        Scope::Everything => EVERYTHING_AT,
    };
    Ok(sqlx::query_as::<_, ChangeRow>(sql).bind(version).fetch_all(conn).await?)
}

impl ChangeRow {
    pub fn into_change(self) -> Result<Change, StoreError> {
        let version = Version(self.version);
        match self.entity.as_str() {
            "account" => {
                let data = if self.deleted {
                    None
                } else {
                    let row = AccountRow {
                        id: self.id,
                        name: self.name,
                        vat_id: self.vat_id,
                        email: self.email,
                        phone: self.phone,
                        city: self.city,
                        version: self.version,
                        deleted: false,
                    };
                    Some(row.to_account()?)
                };
                Ok(Change::Account { version, id: AccountId::from_uuid(self.id), data })
            }
            "contact" => {
                let data = if self.deleted {
                    None
                } else {
                    let account_id =
                        self.account_id.ok_or_else(|| super::corrupt("contact", self.id, "account_id is NULL"))?;
                    let row = ContactRow {
                        id: self.id,
                        account_id,
                        name: self.name,
                        email: self.email,
                        phone: self.phone,
                        version: self.version,
                        deleted: false,
                    };
                    Some(row.to_contact()?)
                };
                Ok(Change::Contact { version, id: ContactId::from_uuid(self.id), data })
            }
            other => Err(super::corrupt("change", self.id, format!("unknown entity {other:?}"))),
        }
    }
}
