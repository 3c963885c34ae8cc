//! Setup, not measured: the demo data straight into PostgreSQL with `UNNEST` batches, each row
//! with its own increasing version, then `sync_clock` raised to the last one — what the server
//! would hold after the same records had been pushed one by one.

use anyhow::Context as _;
use chrono::Utc;
use sqlx::PgPool;
use tandem_core::demo::DemoAccount;
use uuid::Uuid;

const BATCH: usize = 5_000;

/// Inserts `data` as created by `user`; returns the number of rows (accounts + contacts).
pub async fn load(pool: &PgPool, user: Uuid, data: &[DemoAccount]) -> anyhow::Result<u64> {
    let mut version: i64 = sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(pool).await?;
    let now = Utc::now();
    let mut rows = 0u64;
    for chunk in data.chunks(BATCH) {
        let mut tx = pool.begin().await?;
        let (mut ids, mut names, mut vats, mut emails, mut phones, mut cities, mut terrs, mut versions) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for d in chunk {
            let a = &d.account;
            version += 1;
            ids.push(a.id.as_uuid());
            names.push(a.name.as_str().to_owned());
            vats.push(a.vat_id.as_ref().map(|v| v.as_str().to_owned()));
            emails.push(a.email.as_ref().map(|v| v.as_str().to_owned()));
            phones.push(a.phone.as_ref().map(|v| v.as_str().to_owned()));
            cities.push(a.city.as_ref().map(|v| v.as_str().to_owned()));
            terrs.push(a.territory.as_ref().map(|v| v.as_str().to_owned()));
            versions.push(version);
        }
        rows += ids.len() as u64;
        sqlx::query(
            "INSERT INTO accounts (id, name, vat_id, email, phone, city, territory, version, deleted,
                                   created_at, updated_at, created_by, updated_by)
             SELECT id, name, vat_id, email, phone, city, territory, version, false, $9, $9, $10, $10
             FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::bigint[]) AS t(id, name, vat_id, email, phone, city, territory, version)",
        )
        .bind(&ids)
        .bind(&names)
        .bind(&vats)
        .bind(&emails)
        .bind(&phones)
        .bind(&cities)
        .bind(&terrs)
        .bind(&versions)
        .bind(now)
        .bind(user)
        .execute(&mut *tx)
        .await
        .context("inserting accounts")?;

        let (mut ids, mut accounts, mut names, mut emails, mut phones, mut versions) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for c in chunk.iter().flat_map(|d| &d.contacts) {
            version += 1;
            ids.push(c.id.as_uuid());
            accounts.push(c.account_id.as_uuid());
            names.push(c.name.as_str().to_owned());
            emails.push(c.email.as_ref().map(|v| v.as_str().to_owned()));
            phones.push(c.phone.as_ref().map(|v| v.as_str().to_owned()));
            versions.push(version);
        }
        rows += ids.len() as u64;
        sqlx::query(
            "INSERT INTO contacts (id, account_id, name, email, phone, version, deleted,
                                   created_at, updated_at, created_by, updated_by)
             SELECT id, account_id, name, email, phone, version, false, $7, $7, $8, $8
             FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[])
                  AS t(id, account_id, name, email, phone, version)",
        )
        .bind(&ids)
        .bind(&accounts)
        .bind(&names)
        .bind(&emails)
        .bind(&phones)
        .bind(&versions)
        .bind(now)
        .bind(user)
        .execute(&mut *tx)
        .await
        .context("inserting contacts")?;
        sqlx::query("UPDATE sync_clock SET version = $1").bind(version).execute(&mut *tx).await?;
        tx.commit().await?;
    }
    sqlx::query("ANALYZE accounts").execute(pool).await?;
    sqlx::query("ANALYZE contacts").execute(pool).await?;
    Ok(rows)
}
