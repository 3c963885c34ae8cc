//! Order-to-cash documents (`docs`) and gapless number series (`number_series`).

use super::{corrupt, RowLock, StoreError};
use sqlx::postgres::{PgArguments, PgDatabaseError};
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Row};
use std::collections::{BTreeMap, HashSet};
use tandem_core::AccountId;
use tandem_sync::erp::Reach;
use tandem_sync::Doc;
use uuid::Uuid;

fn parse(id: Uuid, body: serde_json::Value) -> Result<Doc, StoreError> {
    serde_json::from_value(body).map_err(|e| corrupt("document", id, e))
}

/// The upsert of a [`DocRows`] (parameters `$1`–`$9`) under version `$version`, the rows read
/// `FROM $from UNNEST(…)`: one text for [`put_many`] and for the statement that takes the clock
/// (`log::next_version_writing`).
macro_rules! upsert_doc_rows {
    ($version:literal, $from:literal) => {
        concat!(
            "INSERT INTO docs (id, kind, account_id, internal, key, version, deleted, body, open_amount, territorial,
                               territory)
             SELECT d.id, d.kind, d.account_id, d.internal, d.key, ",
            $version,
            ", false, d.body, d.open_amount::numeric,
                    d.territorial, d.territory
               FROM ",
            $from,
            " UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::bool[], $5::text[], $6::jsonb[], $7::text[],
                           $8::bool[], $9::text[]) WITH ORDINALITY
                    AS d(id, kind, account_id, internal, key, body, open_amount, territorial, territory, n)
              ORDER BY d.n
             ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, account_id = EXCLUDED.account_id,
                                            internal = EXCLUDED.internal, key = EXCLUDED.key,
                                            version = EXCLUDED.version, deleted = false, body = EXCLUDED.body,
                                            open_amount = EXCLUDED.open_amount,
                                            territorial = EXCLUDED.territorial, territory = EXCLUDED.territory"
        )
    };
}
pub(crate) use upsert_doc_rows;

/// The live document `id`, locked as asked.
pub async fn load(conn: &mut PgConnection, id: Uuid, lock: RowLock) -> Result<Option<Doc>, StoreError> {
    let sql = match lock {
        RowLock::Update => "SELECT body FROM docs WHERE id = $1 AND NOT deleted FOR UPDATE",
        RowLock::Share => "SELECT body FROM docs WHERE id = $1 AND NOT deleted FOR SHARE",
    };
    let body: Option<serde_json::Value> = sqlx::query_scalar(sql).bind(id).fetch_optional(conn).await?;
    body.map(|b| parse(id, b)).transpose()
}

/// The live document `id` as this transaction sees it, without a lock (the before state of an
/// audit entry, read after the clock).
pub async fn peek(conn: &mut PgConnection, id: Uuid) -> Result<Option<Doc>, StoreError> {
    let body: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT body FROM docs WHERE id = $1 AND NOT deleted").bind(id).fetch_optional(conn).await?;
    body.map(|b| parse(id, b)).transpose()
}

/// Several documents, locked for update in id order (the one lock order for stock levels).
pub async fn load_many_for_update(conn: &mut PgConnection, ids: &[Uuid]) -> Result<BTreeMap<Uuid, Doc>, StoreError> {
    load_many(conn, ids, RowLock::Update).await
}

/// Several documents in one query, locked as asked, in id order.
pub async fn load_many(
    conn: &mut PgConnection,
    ids: &[Uuid],
    lock: RowLock,
) -> Result<BTreeMap<Uuid, Doc>, StoreError> {
    let sql = match lock {
        RowLock::Update => "SELECT id, body FROM docs WHERE id = ANY($1) AND NOT deleted ORDER BY id FOR UPDATE",
        RowLock::Share => "SELECT id, body FROM docs WHERE id = ANY($1) AND NOT deleted ORDER BY id FOR SHARE",
    };
    let rows = sqlx::query(sql).bind(ids).fetch_all(conn).await?;
    rows.into_iter()
        .map(|r| {
            let id: Uuid = r.get("id");
            Ok((id, parse(id, r.get("body"))?))
        })
        .collect()
}

/// Every live document of a kind (reference data: products, price lists, rates).
pub async fn of_kind(conn: &mut PgConnection, kind: &str) -> Result<Vec<Doc>, StoreError> {
    let rows = sqlx::query("SELECT id, body FROM docs WHERE kind = $1 AND NOT deleted ORDER BY id")
        .bind(kind)
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(|r| parse(r.get("id"), r.get("body"))).collect()
}

/// Every live document of a kind that belongs to `account`.
pub async fn of_account(conn: &mut PgConnection, kind: &str, account: AccountId) -> Result<Vec<Doc>, StoreError> {
    let rows = sqlx::query("SELECT id, body FROM docs WHERE account_id = $1 AND kind = $2 AND NOT deleted ORDER BY id")
        .bind(account.as_uuid())
        .bind(kind)
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(|r| parse(r.get("id"), r.get("body"))).collect()
}

/// The live document of `kind` with unique `key` (a SKU).
pub async fn by_key(conn: &mut PgConnection, kind: &str, key: &str) -> Result<Option<Doc>, StoreError> {
    let row = sqlx::query("SELECT id, body FROM docs WHERE kind = $1 AND key = $2 AND NOT deleted")
        .bind(kind)
        .bind(key)
        .fetch_optional(conn)
        .await?;
    row.map(|r| parse(r.get("id"), r.get("body"))).transpose()
}

/// The live documents of `ids` before a mutation writes them: every existing row of `ids`
/// (live or deleted) is locked for update in id order, so what is read here stays true until
/// the writes after the clock (see the lock order in `apply.rs`). Missing ids are new documents.
pub async fn lock_for_write(conn: &mut PgConnection, ids: &[Uuid]) -> Result<BTreeMap<Uuid, Doc>, StoreError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows = sqlx::query("SELECT id, deleted, body FROM docs WHERE id = ANY($1) ORDER BY id FOR UPDATE")
        .bind(ids)
        .fetch_all(conn)
        .await?;
    rows.into_iter()
        .filter(|r| !r.get::<bool, _>("deleted"))
        .map(|r| {
            let id: Uuid = r.get("id");
            Ok((id, parse(id, r.get("body"))?))
        })
        .collect()
}

/// Where a document stands for the pull's scopes: the `docs` columns `account_id`, `internal`,
/// `territorial` and `territory`, from its reach. The one mapping for every writer of `docs`
/// (here and `bulk_seed`).
pub(crate) fn placement(doc: &Doc) -> (Option<Uuid>, bool, bool, Option<String>) {
    match doc.reach() {
        Reach::Everyone => (None, false, false, None),
        Reach::Customer(a) => (Some(a.as_uuid()), false, false, None),
        Reach::Internal => (None, true, false, None),
        Reach::Territory(t) => (None, false, true, t.map(String::from)),
    }
}

/// Writes `docs` under `version` (insert or replace) in one statement; a later document of the
/// same id wins, as writing them one after the other would.
pub async fn put_many(conn: &mut PgConnection, docs: &[Doc], version: i64) -> Result<(), StoreError> {
    let rows = DocRows::of(docs)?;
    if rows.is_empty() {
        return Ok(());
    }
    let r = rows.bind(sqlx::query(upsert_doc_rows!("$10", ""))).bind(version).execute(conn).await;
    r.map(drop).map_err(|e| rows.write_error(e))
}

/// Documents about to be written, as the columns of `docs`, built (and serialised) before the
/// clock is taken so that only the version is left to bind after it. One row per id, the last
/// document of an id winning (a statement cannot write a row twice), in the documents' order.
#[derive(Debug, Default)]
pub struct DocRows {
    ids: Vec<Uuid>,
    kinds: Vec<&'static str>,
    accounts: Vec<Option<Uuid>>,
    internals: Vec<bool>,
    keys: Vec<Option<String>>,
    bodies: Vec<serde_json::Value>,
    open_amounts: Vec<Option<String>>,
    territorials: Vec<bool>,
    territories: Vec<Option<String>>,
}

impl DocRows {
    pub fn of(docs: &[Doc]) -> Result<DocRows, StoreError> {
        let mut seen = HashSet::with_capacity(docs.len());
        let mut last: Vec<&Doc> = docs.iter().rev().filter(|d| seen.insert(d.id())).collect();
        last.reverse();
        let mut rows = DocRows::default();
        for doc in last {
            let (account, internal, territorial, territory) = placement(doc);
            rows.ids.push(doc.id());
            rows.kinds.push(doc.kind());
            rows.accounts.push(account);
            rows.internals.push(internal);
            rows.keys.push(doc.key());
            rows.bodies.push(serde_json::to_value(doc)?);
            rows.open_amounts.push(doc.open_amount().map(|a| a.to_string()));
            rows.territorials.push(territorial);
            rows.territories.push(territory);
        }
        Ok(rows)
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Binds the columns as the next nine parameters: `uuid[]` id, `text[]` kind, `uuid[]`
    /// account_id, `bool[]` internal, `text[]` key, `jsonb[]` body, `text[]` open_amount (a
    /// numeric as text), `bool[]` territorial, `text[]` territory.
    pub(crate) fn bind<'q>(&'q self, q: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        q.bind(&self.ids)
            .bind(&self.kinds)
            .bind(&self.accounts)
            .bind(&self.internals)
            .bind(&self.keys)
            .bind(&self.bodies)
            .bind(&self.open_amounts)
            .bind(&self.territorials)
            .bind(&self.territories)
    }

    /// A failed write as a store error: a unique violation (a concurrent insert of the same id
    /// or key) is a [`StoreError::Conflict`] on the document PostgreSQL names ("Key (id)=(…)",
    /// "Key (kind, key)=(product, SKU-1)"), or on the first one when it names none of them.
    pub(crate) fn write_error(&self, e: sqlx::Error) -> StoreError {
        let sqlx::Error::Database(db) = &e else { return e.into() };
        if db.code().as_deref() != Some("23505") {
            return e.into();
        }
        let detail = db.try_downcast_ref::<PgDatabaseError>().and_then(PgDatabaseError::detail).unwrap_or_default();
        let named = |i: &usize| {
            detail.contains(&format!("=({})", self.ids[*i]))
                || self.keys[*i].as_ref().is_some_and(|k| detail.contains(&format!("=({}, {k})", self.kinds[*i])))
        };
        let at = (0..self.ids.len()).find(named).unwrap_or(0);
        StoreError::Conflict { entity: "document", id: self.ids.get(at).copied().unwrap_or_default() }
    }
}

/// A customer's open invoices (and credit notes) and open orders, summed: what counts against
/// the credit limit, leaving out the order `except`.
pub async fn open_amounts(
    conn: &mut PgConnection,
    account: AccountId,
    except: Uuid,
) -> Result<(rust_decimal::Decimal, rust_decimal::Decimal), StoreError> {
    let (invoices, orders): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT (SUM(open_amount) FILTER (WHERE kind = 'invoice'))::text,
                (SUM(open_amount) FILTER (WHERE kind = 'order' AND id <> $2))::text
           FROM docs WHERE account_id = $1 AND open_amount IS NOT NULL AND NOT deleted",
    )
    .bind(account.as_uuid())
    .bind(except)
    .fetch_one(conn)
    .await?;
    let parse = |v: Option<String>| -> Result<rust_decimal::Decimal, StoreError> {
        v.map_or(Ok(rust_decimal::Decimal::ZERO), |s| {
            s.parse().map_err(|e| super::corrupt("document", account.as_uuid(), e))
        })
    };
    Ok((parse(invoices)?, parse(orders)?))
}

/// A customer's documents of `kind` that are still open (unsettled invoices).
pub async fn open_of_account(conn: &mut PgConnection, kind: &str, account: AccountId) -> Result<Vec<Doc>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, body FROM docs WHERE account_id = $1 AND kind = $2 AND open_amount IS NOT NULL AND NOT deleted
          ORDER BY id",
    )
    .bind(account.as_uuid())
    .bind(kind)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|r| parse(r.get("id"), r.get("body"))).collect()
}

/// The invoices of one order (posted or draft).
pub async fn invoices_of_order(
    conn: &mut PgConnection,
    account: AccountId,
    order: Uuid,
) -> Result<Vec<Doc>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, body FROM docs WHERE account_id = $1 AND kind = 'invoice' AND body->'data'->>'order' = $2
            AND NOT deleted ORDER BY id",
    )
    .bind(account.as_uuid())
    .bind(order.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|r| parse(r.get("id"), r.get("body"))).collect()
}

/// Re-stamps every document of `account` with `version` (the account moved territory: new reps
/// receive them).
pub async fn restamp_account(conn: &mut PgConnection, account: AccountId, version: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE docs SET version = $2 WHERE account_id = $1 AND NOT deleted")
        .bind(account.as_uuid())
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Territory-scoped documents (a lead) that leave a territory: reps of that territory receive a
/// delete at the version of the move. Written with the documents, by
/// [`super::log::next_version_writing`].
#[derive(Debug, Default)]
pub struct DocExits {
    ids: Vec<Uuid>,
    territories: Vec<String>,
}

impl DocExits {
    pub fn push(&mut self, id: Uuid, territory: &str) {
        self.ids.push(id);
        self.territories.push(territory.to_owned());
    }

    /// Binds the exits as the next two parameters: `uuid[]` doc_id, `text[]` territory.
    pub(crate) fn bind<'q>(&'q self, q: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        q.bind(&self.ids).bind(&self.territories)
    }
}

/// Every live document of `account`, locked for update in id order (an account merge moves
/// them).
pub async fn of_account_for_update(conn: &mut PgConnection, account: AccountId) -> Result<Vec<Doc>, StoreError> {
    let rows = sqlx::query("SELECT id, body FROM docs WHERE account_id = $1 AND NOT deleted ORDER BY id FOR UPDATE")
        .bind(account.as_uuid())
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(|r| parse(r.get("id"), r.get("body"))).collect()
}

/// Deletes document `id` under `version` (a tombstone that devices pull).
pub async fn tombstone(conn: &mut PgConnection, id: Uuid, version: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE docs SET deleted = true, version = $2, open_amount = NULL WHERE id = $1")
        .bind(id)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks the documents of `account` before the clock is taken (lock order).
pub async fn lock_account_docs(conn: &mut PgConnection, account: AccountId) -> Result<(), StoreError> {
    sqlx::query("SELECT id FROM docs WHERE account_id = $1 ORDER BY id FOR UPDATE")
        .bind(account.as_uuid())
        .fetch_all(conn)
        .await?;
    Ok(())
}

/// The next number of a series in a year, gapless: the row stays locked until the caller's
/// transaction ends, and a rollback gives the number back.
pub async fn next_number(conn: &mut PgConnection, series: &str, year: i32) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO number_series (series, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (series, year) DO UPDATE SET last = number_series.last + 1
         RETURNING last",
    )
    .bind(series)
    .bind(year)
    .fetch_one(conn)
    .await?)
}

/// The next `n` numbers of `series` in `year` at once; returns the first of them (the rest
/// follow it without a gap).
pub async fn take_numbers(conn: &mut PgConnection, series: &str, year: i32, n: i64) -> Result<i64, StoreError> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO number_series (series, year, last) VALUES ($1, $2, $3)
         ON CONFLICT (series, year) DO UPDATE SET last = number_series.last + $3
         RETURNING last",
    )
    .bind(series)
    .bind(year)
    .bind(n)
    .fetch_one(conn)
    .await?;
    Ok(last - n + 1)
}

/// The account of each live document of `kind` among `ids` (read without a lock, to lock the
/// accounts first); ids that are not such a document are left out.
pub async fn owners(
    conn: &mut PgConnection,
    ids: &[Uuid],
    kind: &str,
) -> Result<BTreeMap<Uuid, AccountId>, StoreError> {
    let rows: Vec<(Uuid, Option<Uuid>)> =
        sqlx::query_as("SELECT id, account_id FROM docs WHERE id = ANY($1) AND kind = $2 AND NOT deleted")
            .bind(ids)
            .bind(kind)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().filter_map(|(id, a)| Some((id, AccountId::from_uuid(a?)))).collect())
}

/// Does `account` have orders, invoices, payments or deliveries on record?
pub async fn has_business(conn: &mut PgConnection, account: AccountId) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM docs WHERE account_id = $1 AND kind IN ('order', 'invoice', 'payment', 'delivery'))",
    )
    .bind(account.as_uuid())
    .fetch_one(conn)
    .await?)
}

/// How many deals of `pipeline` are in `stage` (a stage that holds deals cannot be removed).
pub async fn count_deals_in_stage(
    conn: &mut PgConnection,
    pipeline: tandem_core::id::PipelineId,
    stage: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM docs WHERE kind = 'deal' AND NOT deleted
           AND body->'data'->>'pipeline' = $1 AND lower(body->'data'->>'stage') = lower($2)",
    )
    .bind(pipeline.to_string())
    .bind(stage)
    .fetch_one(&mut *conn)
    .await?)
}
