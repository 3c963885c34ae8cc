//! Pulled records written a page at a time: multi-row `INSERT … VALUES (…), (…) … ON CONFLICT`
//! statements of up to [`ROWS_PER_STATEMENT`] rows instead of two upserts per record. What a
//! first sync of a large company spends most of its time on. The view rows are the ones
//! `store::put_account`, `store::put_contact` and `docs::put` write for a server origin.
//!
//! The values are bound, not passed through JSON: reading them back out of a JSON array in
//! SQLite (`json_each`) parsed every document and rebuilt its text, a tenth of a first sync.

use crate::error::{ReplicaError, Result};
use crate::store::Touch;
use chrono::Utc;
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tandem_core::{Account, Contact};

/// Rows per statement. SQLite binds at most 32,766 values per statement; the widest row here
/// has 14. Statements of the same size are prepared once and reused from sqlx's cache.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

fn corrupt(e: serde_json::Error) -> ReplicaError {
    ReplicaError::Corrupt(e.to_string())
}

/// Runs `INSERT INTO <head> VALUES <rows> <tail>` for each chunk of `rows`. Later rows win over
/// earlier ones with the same key, as in a loop (SQLite lets one statement update a row twice).
pub(crate) async fn insert_values<'r, T>(
    conn: &mut SqliteConnection,
    head: &str,
    tail: &str,
    rows: &'r [T],
    push: impl Fn(&mut Separated<'_, 'r, Sqlite, &'static str>, &'r T) + Copy,
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(head);
        q.push_values(chunk, |mut b, row| push(&mut b, row));
        q.push(tail);
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

struct AccountRow<'a> {
    id: String,
    version: i64,
    data: String,
    account: &'a Account,
    name_key: String,
    city_key: String,
    touched: i64,
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
    let rows = rows
        .iter()
        .map(|(version, a)| {
            Ok(AccountRow {
                id: a.id.to_string(),
                version: *version,
                data: serde_json::to_string(a).map_err(corrupt)?,
                account: a,
                // Folded in Rust, as `put_account` does (SQLite's lower() knows ASCII only).
                name_key: a.name.as_str().to_lowercase(),
                city_key: a.city.as_ref().map(|c| c.as_str()).unwrap_or_default().to_lowercase(),
                touched: touch.take(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    insert_values(
        conn,
        "INSERT INTO base_accounts (id, version, deleted, data) ",
        " ON CONFLICT (id) DO UPDATE SET version = excluded.version, deleted = 0, data = excluded.data",
        &rows,
        |b, r| {
            b.push_bind(r.id.as_str()).push_bind(r.version).push_bind(0_i64).push_bind(r.data.as_str());
        },
    )
    .await?;
    let now = Utc::now().to_rfc3339();
    let now = now.as_str();
    insert_values(
        conn,
        "INSERT INTO accounts (id, name, vat_id, email, phone, city, name_key, city_key, touched, updated_at, version,
                               deleted, pending, territory) ",
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, vat_id = excluded.vat_id, email = excluded.email,
           phone = excluded.phone, city = excluded.city, name_key = excluded.name_key, city_key = excluded.city_key,
           touched = excluded.touched, updated_at = excluded.updated_at, version = excluded.version, deleted = 0,
           pending = 0, territory = excluded.territory",
        &rows,
        |b, r| {
            let a = r.account;
            b.push_bind(r.id.as_str())
                .push_bind(a.name.as_str())
                .push_bind(a.vat_id.as_ref().map(|v| v.as_str()))
                .push_bind(a.email.as_ref().map(|v| v.as_str()))
                .push_bind(a.phone.as_ref().map(|v| v.as_str()))
                .push_bind(a.city.as_ref().map(|v| v.as_str()))
                .push_bind(r.name_key.as_str())
                .push_bind(r.city_key.as_str())
                .push_bind(r.touched)
                .push_bind(now)
                .push_bind(r.version)
                .push_bind(0_i64)
                .push_bind(0_i64)
                .push_bind(a.territory.as_ref().map(|t| t.as_str()));
        },
    )
    .await
}

struct ContactRow<'a> {
    id: String,
    account_id: String,
    version: i64,
    data: String,
    contact: &'a Contact,
}

/// Upserts pulled contacts (version, contact) into base and view, in order.
pub(crate) async fn write_contacts(conn: &mut SqliteConnection, rows: &[(i64, &Contact)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rows = rows
        .iter()
        .map(|(version, c)| {
            Ok(ContactRow {
                id: c.id.to_string(),
                account_id: c.account_id.to_string(),
                version: *version,
                data: serde_json::to_string(c).map_err(corrupt)?,
                contact: c,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    insert_values(
        conn,
        "INSERT INTO base_contacts (id, account_id, version, deleted, data) ",
        " ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, version = excluded.version, deleted = 0,
           data = excluded.data",
        &rows,
        |b, r| {
            b.push_bind(r.id.as_str())
                .push_bind(r.account_id.as_str())
                .push_bind(r.version)
                .push_bind(0_i64)
                .push_bind(r.data.as_str());
        },
    )
    .await?;
    let now = Utc::now().to_rfc3339();
    let now = now.as_str();
    insert_values(
        conn,
        "INSERT INTO contacts (id, account_id, name, email, phone, updated_at, version, deleted, pending) ",
        " ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, name = excluded.name, email = excluded.email,
           phone = excluded.phone, updated_at = excluded.updated_at, version = excluded.version, deleted = 0,
           pending = 0",
        &rows,
        |b, r| {
            let c = r.contact;
            b.push_bind(r.id.as_str())
                .push_bind(r.account_id.as_str())
                .push_bind(c.name.as_str())
                .push_bind(c.email.as_ref().map(|v| v.as_str()))
                .push_bind(c.phone.as_ref().map(|v| v.as_str()))
                .push_bind(now)
                .push_bind(r.version)
                .push_bind(0_i64)
                .push_bind(0_i64);
        },
    )
    .await
}
