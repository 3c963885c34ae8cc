//! Rows of the replica: reading records as `Existing<..>` for the rules and writing them back.
//!
//! The only place that knows how accounts and contacts are laid out in SQLite.

use crate::error::{ReplicaError, Result};
use chrono::Utc;
use sqlx::{Row, SqliteConnection};
use tandem_core::{Account, AccountId, City, Contact, ContactId, Email, Existing, Phone, Territory, VatId};
use tandem_core::{AccountName, PersonName};

fn corrupt(what: &str, id: &str, e: impl std::fmt::Display) -> ReplicaError {
    ReplicaError::Corrupt(format!("{what} {id}: {e}"))
}

fn opt<T>(
    v: Option<String>,
    parse: impl Fn(&str) -> Result<T, tandem_core::FieldError>,
    id: &str,
) -> Result<Option<T>> {
    v.map(|s| parse(&s).map_err(|e| corrupt("account", id, e))).transpose()
}

/// A write transaction's view of the local change counter (the "last updated" order).
#[derive(Debug)]
pub(crate) struct Touch {
    next: i64,
}

impl Touch {
    pub(crate) async fn load(conn: &mut SqliteConnection) -> Result<Self> {
        let v: Option<String> =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'touched'").fetch_optional(&mut *conn).await?;
        let next = v.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0) + 1;
        Ok(Self { next })
    }

    pub(crate) fn take(&mut self) -> i64 {
        let n = self.next;
        self.next += 1;
        n
    }

    pub(crate) async fn save(self, conn: &mut SqliteConnection) -> Result<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ('touched', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind((self.next - 1).to_string())
            .execute(conn)
            .await?;
        Ok(())
    }
}

pub(crate) async fn load_account(conn: &mut SqliteConnection, id: AccountId) -> Result<Existing<Account>> {
    let row = sqlx::query("SELECT name, vat_id, email, phone, city, territory, deleted FROM accounts WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(Existing::Missing) };
    if row.get::<i64, _>("deleted") != 0 {
        return Ok(Existing::Deleted);
    }
    account_of_row(id, &row).map(Existing::Live)
}

fn account_of_row(id: AccountId, row: &sqlx::sqlite::SqliteRow) -> Result<Account> {
    let ids = id.to_string();
    Ok(Account {
        id,
        name: AccountName::parse(row.get("name")).map_err(|e| corrupt("account", &ids, e))?,
        vat_id: opt(row.get("vat_id"), VatId::parse, &ids)?,
        email: opt(row.get("email"), Email::parse, &ids)?,
        phone: opt(row.get("phone"), Phone::parse, &ids)?,
        city: opt(row.get("city"), City::parse, &ids)?,
        territory: opt(row.get("territory"), Territory::parse, &ids)?,
    })
}

/// Every live account of the view, in one query.
pub(crate) async fn live_accounts(conn: &mut SqliteConnection) -> Result<Vec<Account>> {
    let rows = sqlx::query(
        "SELECT id, name, vat_id, email, phone, city, territory FROM accounts WHERE deleted = 0 ORDER BY id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let raw: String = row.get("id");
            let id = raw.parse().map_err(|e: tandem_core::FieldError| corrupt("account", &raw, e))?;
            account_of_row(id, row)
        })
        .collect()
}

pub(crate) async fn load_contact(conn: &mut SqliteConnection, id: ContactId) -> Result<Existing<Contact>> {
    let row = sqlx::query("SELECT account_id, name, email, phone, deleted FROM contacts WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    let Some(row) = row else { return Ok(Existing::Missing) };
    if row.get::<i64, _>("deleted") != 0 {
        return Ok(Existing::Deleted);
    }
    let ids = id.to_string();
    let account_id: String = row.get("account_id");
    Ok(Existing::Live(Contact {
        id,
        account_id: account_id.parse().map_err(|e| corrupt("contact", &ids, e))?,
        name: PersonName::parse(row.get("name")).map_err(|e| corrupt("contact", &ids, e))?,
        email: opt(row.get("email"), Email::parse, &ids)?,
        phone: opt(row.get("phone"), Phone::parse, &ids)?,
    }))
}

/// Where a written row comes from: the user's own change (pending) or the server.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin {
    Local { pending: bool },
    Server { version: i64 },
}

impl Origin {
    fn pending(self) -> i64 {
        matches!(self, Origin::Local { pending: true }) as i64
    }
    fn version(self) -> Option<i64> {
        match self {
            Origin::Server { version } => Some(version),
            Origin::Local { .. } => None,
        }
    }
}

pub(crate) async fn put_account(
    conn: &mut SqliteConnection,
    touch: &mut Touch,
    a: &Account,
    origin: Origin,
) -> Result<()> {
    let city = a.city.as_ref().map(|c| c.as_str().to_owned());
    sqlx::query(
        "INSERT INTO accounts (id, name, vat_id, email, phone, city, name_key, city_key, touched, updated_at, version, deleted, pending, territory)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET name = ?2, vat_id = ?3, email = ?4, phone = ?5, city = ?6, name_key = ?7,
           city_key = ?8, touched = ?9, updated_at = ?10, version = COALESCE(?11, version), deleted = 0, pending = ?12,
           territory = ?13",
    )
    .bind(a.id.to_string())
    .bind(a.name.as_str())
    .bind(a.vat_id.as_ref().map(|v| v.as_str()))
    .bind(a.email.as_ref().map(|v| v.as_str()))
    .bind(a.phone.as_ref().map(|v| v.as_str()))
    .bind(city.as_deref())
    .bind(a.name.as_str().to_lowercase())
    .bind(city.as_deref().unwrap_or_default().to_lowercase())
    .bind(touch.take())
    .bind(Utc::now().to_rfc3339())
    .bind(origin.version())
    .bind(origin.pending())
    .bind(a.territory.as_ref().map(Territory::as_str))
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks an account deleted, and with it every contact of the account (the rule of
/// `account.delete`, mirrored from the server, which tombstones both in one version).
pub(crate) async fn tombstone_account(
    conn: &mut SqliteConnection,
    touch: &mut Touch,
    id: AccountId,
    origin: Origin,
) -> Result<()> {
    let now = Utc::now().to_rfc3339();
    let done = sqlx::query(
        "UPDATE accounts SET deleted = 1, pending = ?2, version = COALESCE(?3, version), touched = ?4, updated_at = ?5 WHERE id = ?1",
    )
    .bind(id.to_string())
    .bind(origin.pending())
    .bind(origin.version())
    .bind(touch.take())
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        // A delete from the server for a row this device never had: keep a tombstone so a
        // late local edit meets `Deleted`, not `Missing`.
        sqlx::query(
            "INSERT INTO accounts (id, name, name_key, touched, updated_at, version, deleted, pending)
             VALUES (?1, '', '', ?2, ?3, ?4, 1, ?5)",
        )
        .bind(id.to_string())
        .bind(touch.take())
        .bind(&now)
        .bind(origin.version())
        .bind(origin.pending())
        .execute(&mut *conn)
        .await?;
    }
    if matches!(origin, Origin::Local { .. }) {
        sqlx::query(
            "UPDATE contacts SET deleted = 1, pending = ?2, updated_at = ?3 WHERE account_id = ?1 AND deleted = 0",
        )
        .bind(id.to_string())
        .bind(origin.pending())
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn put_contact(conn: &mut SqliteConnection, c: &Contact, origin: Origin) -> Result<()> {
    sqlx::query(
        "INSERT INTO contacts (id, account_id, name, email, phone, updated_at, version, deleted, pending)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)
         ON CONFLICT (id) DO UPDATE SET account_id = ?2, name = ?3, email = ?4, phone = ?5, updated_at = ?6,
           version = COALESCE(?7, version), deleted = 0, pending = ?8",
    )
    .bind(c.id.to_string())
    .bind(c.account_id.to_string())
    .bind(c.name.as_str())
    .bind(c.email.as_ref().map(|v| v.as_str()))
    .bind(c.phone.as_ref().map(|v| v.as_str()))
    .bind(Utc::now().to_rfc3339())
    .bind(origin.version())
    .bind(origin.pending())
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn tombstone_contact(
    conn: &mut SqliteConnection,
    id: ContactId,
    account_id: Option<AccountId>,
    origin: Origin,
) -> Result<()> {
    let now = Utc::now().to_rfc3339();
    let done = sqlx::query(
        "UPDATE contacts SET deleted = 1, pending = ?2, version = COALESCE(?3, version), updated_at = ?4 WHERE id = ?1",
    )
    .bind(id.to_string())
    .bind(origin.pending())
    .bind(origin.version())
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO contacts (id, account_id, name, updated_at, version, deleted, pending) VALUES (?1, ?2, '', ?3, ?4, 1, ?5)",
        )
        .bind(id.to_string())
        .bind(account_id.map(|a| a.to_string()).unwrap_or_default())
        .bind(&now)
        .bind(origin.version())
        .bind(origin.pending())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Removes a view row entirely (it exists neither on the server nor in any pending change).
pub(crate) async fn forget(conn: &mut SqliteConnection, table: Table, id: &str) -> Result<()> {
    let sql = match table {
        Table::Accounts => "DELETE FROM accounts WHERE id = ?",
        Table::Contacts => "DELETE FROM contacts WHERE id = ?",
    };
    sqlx::query(sql).bind(id).execute(conn).await?;
    Ok(())
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Table {
    Accounts,
    Contacts,
}
