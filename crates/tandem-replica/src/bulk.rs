//! Pulled accounts and contacts written a page at a time: one statement per table reads the
//! rows from a JSON array (`json_each`) instead of two upserts per record. What a first sync of
//! a large company spends most of its time on. The view rows are the ones `store::put_account`
//! and `store::put_contact` write for a server origin.

use crate::error::{ReplicaError, Result};
use crate::store::Touch;
use chrono::Utc;
use serde::Serialize;
use sqlx::SqliteConnection;
use tandem_core::{Account, Contact};

fn corrupt(e: serde_json::Error) -> ReplicaError {
    ReplicaError::Corrupt(e.to_string())
}

#[derive(Serialize)]
struct AccountRow<'a> {
    id: String,
    version: i64,
    data: &'a Account,
    name: &'a str,
    vat_id: Option<&'a str>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    city: Option<&'a str>,
    name_key: String,
    city_key: String,
    touched: i64,
    territory: Option<&'a str>,
}

/// Upserts pulled accounts (version, account) into base and view, in order.
pub(crate) async fn write_accounts(
    conn: &mut SqliteConnection,
    touch: &mut Touch,
    rows: &[(i64, &Account)],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows: Vec<AccountRow<'_>> = rows
        .iter()
        .map(|(version, a)| {
            let city = a.city.as_ref().map(|c| c.as_str());
            AccountRow {
                id: a.id.to_string(),
                version: *version,
                data: a,
                name: a.name.as_str(),
                vat_id: a.vat_id.as_ref().map(|v| v.as_str()),
                email: a.email.as_ref().map(|v| v.as_str()),
                phone: a.phone.as_ref().map(|v| v.as_str()),
                city,
                // Folded in Rust, as `put_account` does (SQLite's lower() knows ASCII only).
                name_key: a.name.as_str().to_lowercase(),
                city_key: city.unwrap_or_default().to_lowercase(),
                touched: touch.take(),
                territory: a.territory.as_ref().map(|t| t.as_str()),
            }
        })
        .collect();
    let json = serde_json::to_string(&rows).map_err(corrupt)?;
    // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT.
    sqlx::query(
        "INSERT INTO base_accounts (id, version, deleted, data)
         SELECT value->>'id', value->>'version', 0, value->'data' FROM json_each(?1) WHERE true
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, deleted = 0, data = excluded.data",
    )
    .bind(&json)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO accounts (id, name, vat_id, email, phone, city, name_key, city_key, touched, updated_at, version,
                               deleted, pending, territory)
         SELECT value->>'id', value->>'name', value->>'vat_id', value->>'email', value->>'phone', value->>'city',
                value->>'name_key', value->>'city_key', value->>'touched', ?2, value->>'version', 0, 0,
                value->>'territory'
           FROM json_each(?1) WHERE true
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, vat_id = excluded.vat_id, email = excluded.email,
           phone = excluded.phone, city = excluded.city, name_key = excluded.name_key, city_key = excluded.city_key,
           touched = excluded.touched, updated_at = excluded.updated_at, version = excluded.version, deleted = 0,
           pending = 0, territory = excluded.territory",
    )
    .bind(&json)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Serialize)]
struct ContactRow<'a> {
    id: String,
    account_id: String,
    version: i64,
    data: &'a Contact,
    name: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
}

/// Upserts pulled contacts (version, contact) into base and view, in order.
pub(crate) async fn write_contacts(conn: &mut SqliteConnection, rows: &[(i64, &Contact)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows: Vec<ContactRow<'_>> = rows
        .iter()
        .map(|(version, c)| ContactRow {
            id: c.id.to_string(),
            account_id: c.account_id.to_string(),
            version: *version,
            data: c,
            name: c.name.as_str(),
            email: c.email.as_ref().map(|v| v.as_str()),
            phone: c.phone.as_ref().map(|v| v.as_str()),
        })
        .collect();
    let json = serde_json::to_string(&rows).map_err(corrupt)?;
    sqlx::query(
        "INSERT INTO base_contacts (id, account_id, version, deleted, data)
         SELECT value->>'id', value->>'account_id', value->>'version', 0, value->'data' FROM json_each(?1) WHERE true
         ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, version = excluded.version, deleted = 0,
           data = excluded.data",
    )
    .bind(&json)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO contacts (id, account_id, name, email, phone, updated_at, version, deleted, pending)
         SELECT value->>'id', value->>'account_id', value->>'name', value->>'email', value->>'phone', ?2,
                value->>'version', 0, 0
           FROM json_each(?1) WHERE true
         ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, email = excluded.email,
           phone = excluded.phone, updated_at = excluded.updated_at, version = excluded.version, deleted = 0,
           pending = 0",
    )
    .bind(&json)
    .bind(Utc::now().to_rfc3339())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
