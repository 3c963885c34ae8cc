//! Order-to-cash documents in the replica: `base_docs` (the server's) and `docs` (the view).
//!
//! The only place that knows how documents are laid out in SQLite.

use crate::error::{ReplicaError, Result};
use crate::store::Origin;
use sqlx::{Row, SqliteConnection};
use tandem_sync::erp::Reach;
use tandem_sync::Doc;
use uuid::Uuid;

fn corrupt(e: serde_json::Error) -> ReplicaError {
    ReplicaError::Corrupt(format!("document: {e}"))
}

/// The list order of a document within its kind.
pub(crate) fn sort_key(doc: &Doc) -> String {
    match doc {
        Doc::Product(p) => p.sku.to_string(),
        Doc::Warehouse(w) => w.code.to_string(),
        Doc::PriceList(p) => p.name.to_string(),
        Doc::Rate(r) => format!("{}|{}", r.currency, r.date),
        Doc::Order(o) => format!("{}|{}", o.date, o.reference()),
        Doc::Delivery(d) => format!("{}|{}", d.date, d.number),
        Doc::Invoice(i) => format!("{}|{}", i.date, i.reference()),
        Doc::Payment(p) => format!("{}|{}", p.date, p.number),
        Doc::Journal(j) => format!("{}|{}", j.date(), j.reference()),
        Doc::Move(m) => format!("{}|{}", m.date, m.id),
        Doc::Stock(s) => format!("{}|{}", s.product, s.warehouse),
        Doc::Terms(t) => t.account.to_string(),
        Doc::Settings(_) => String::new(),
        Doc::Pipeline(p) => p.name.to_string(),
        Doc::Deal(d) => format!("{}|{}", d.expected_close, d.name),
        Doc::Lead(l) => l.company.as_str().to_lowercase(),
        Doc::Activity(a) => crate::activities::sort_key(a),
        Doc::Quote(q) => format!("{}|{}", q.created, q.id),
        Doc::Contract(c) => format!("{}|{}", c.end, c.id),
        Doc::CrmSettings(_) => String::new(),
        Doc::Profile(p) => p.id.to_string(),
    }
}

/// Writes a document into the view.
pub(crate) async fn put(conn: &mut SqliteConnection, doc: &Doc, origin: Origin) -> Result<()> {
    let account = match doc.reach() {
        Reach::Customer(a) => Some(a.to_string()),
        _ => None,
    };
    let (version, pending) = match origin {
        Origin::Server { version } => (Some(version), 0),
        Origin::Local { pending } => (None, i64::from(pending)),
    };
    sqlx::query(
        "INSERT INTO docs (id, kind, account_id, sort_key, data, version, pending) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET kind = ?2, account_id = ?3, sort_key = ?4, data = ?5,
             version = COALESCE(?6, docs.version), pending = ?7",
    )
    .bind(doc.id().to_string())
    .bind(doc.kind())
    .bind(account)
    .bind(sort_key(doc))
    .bind(serde_json::to_string(doc).map_err(corrupt)?)
    .bind(version)
    .bind(pending)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn remove(conn: &mut SqliteConnection, id: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM docs WHERE id = ?").bind(id.to_string()).execute(conn).await?;
    Ok(())
}

/// Writes a pulled document (or its delete) into base and view.
pub(crate) async fn write_change(
    conn: &mut SqliteConnection,
    id: Uuid,
    version: i64,
    data: Option<&Doc>,
) -> Result<()> {
    let json = data.map(serde_json::to_string).transpose().map_err(corrupt)?;
    sqlx::query(
        "INSERT INTO base_docs (id, kind, version, deleted, data) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET kind = ?2, version = ?3, deleted = ?4, data = ?5",
    )
    .bind(id.to_string())
    .bind(data.map_or("", Doc::kind))
    .bind(version)
    .bind(i64::from(data.is_none()))
    .bind(json)
    .execute(&mut *conn)
    .await?;
    match data {
        Some(d) => put(conn, d, Origin::Server { version }).await,
        None => remove(conn, id).await,
    }
}

/// One pulled document as [`write_many`] binds it.
struct Pulled {
    id: String,
    kind: &'static str,
    version: i64,
    account: Option<String>,
    sort_key: String,
    data: String,
}

/// Writes pulled documents (not deletes) into base and view like [`write_change`], with
/// multi-row statements (see [`crate::bulk`]). A page of a first sync holds thousands of
/// documents, and a statement per row (each a round trip to sqlx's SQLite thread, each
/// document serialised twice) was most of its time. Later entries win over earlier ones with
/// the same id, as in a loop.
pub(crate) async fn write_many(conn: &mut SqliteConnection, docs: &[(Uuid, i64, &Doc)]) -> Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let rows = docs
        .iter()
        .map(|(id, version, doc)| {
            Ok(Pulled {
                id: id.to_string(),
                kind: doc.kind(),
                version: *version,
                account: match doc.reach() {
                    Reach::Customer(a) => Some(a.to_string()),
                    _ => None,
                },
                sort_key: sort_key(doc),
                data: serde_json::to_string(doc).map_err(corrupt)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    crate::bulk::insert_values(
        conn,
        "INSERT INTO base_docs (id, kind, version, deleted, data) ",
        " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, version = excluded.version, deleted = 0,
                                         data = excluded.data",
        &rows,
        |b, r| {
            b.push_bind(r.id.as_str())
                .push_bind(r.kind)
                .push_bind(r.version)
                .push_bind(0_i64)
                .push_bind(r.data.as_str());
        },
    )
    .await?;
    crate::bulk::insert_values(
        conn,
        "INSERT INTO docs (id, kind, account_id, sort_key, data, version, pending) ",
        " ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, account_id = excluded.account_id,
                                         sort_key = excluded.sort_key, data = excluded.data,
                                         version = excluded.version, pending = 0",
        &rows,
        |b, r| {
            b.push_bind(r.id.as_str())
                .push_bind(r.kind)
                .push_bind(r.account.as_deref())
                .push_bind(r.sort_key.as_str())
                .push_bind(r.data.as_str())
                .push_bind(r.version)
                .push_bind(0_i64);
        },
    )
    .await
}

/// Puts the server's state of `id` back into the view (before the outbox is replayed).
pub(crate) async fn reset(conn: &mut SqliteConnection, id: Uuid) -> Result<()> {
    let row = sqlx::query("SELECT version, deleted, data FROM base_docs WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) if r.get::<i64, _>("deleted") == 0 => {
            let json: Option<String> = r.get("data");
            let doc: Doc = serde_json::from_str(json.as_deref().unwrap_or("null")).map_err(corrupt)?;
            put(conn, &doc, Origin::Server { version: r.get("version") }).await
        }
        _ => remove(conn, id).await,
    }
}

pub(crate) async fn load(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<Doc>> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT data FROM docs WHERE id = ?").bind(id.to_string()).fetch_optional(conn).await?;
    json.map(|j| serde_json::from_str(&j).map_err(corrupt)).transpose()
}

/// The documents of `ids` this replica holds, by id, in one query.
pub(crate) async fn load_many(
    conn: &mut SqliteConnection,
    ids: &[Uuid],
) -> Result<std::collections::BTreeMap<String, Doc>> {
    let wanted = serde_json::to_string(&ids.iter().map(Uuid::to_string).collect::<Vec<_>>()).map_err(corrupt)?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, data FROM docs WHERE id IN (SELECT value FROM json_each(?))")
            .bind(wanted)
            .fetch_all(conn)
            .await?;
    rows.iter().map(|(id, json)| Ok((id.clone(), serde_json::from_str::<Doc>(json).map_err(corrupt)?))).collect()
}

pub(crate) async fn of_kind(conn: &mut SqliteConnection, kind: &str) -> Result<Vec<Doc>> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM docs WHERE kind = ? ORDER BY sort_key, id")
        .bind(kind)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|j| serde_json::from_str(j).map_err(corrupt)).collect()
}

pub(crate) async fn of_account(conn: &mut SqliteConnection, account: &str, kind: &str) -> Result<Vec<Doc>> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT data FROM docs WHERE account_id = ? AND kind = ? ORDER BY sort_key, id")
            .bind(account)
            .bind(kind)
            .fetch_all(conn)
            .await?;
    rows.iter().map(|j| serde_json::from_str(j).map_err(corrupt)).collect()
}

/// The product with this SKU (its sort key).
pub(crate) async fn product_by_sku(conn: &mut SqliteConnection, sku: &str) -> Result<Option<Doc>> {
    let json: Option<String> = sqlx::query_scalar("SELECT data FROM docs WHERE kind = 'product' AND sort_key = ?")
        .bind(sku)
        .fetch_optional(conn)
        .await?;
    json.map(|j| serde_json::from_str(&j).map_err(corrupt)).transpose()
}

/// Every document of `kind` (of `account`, if given) in `status`, in list order: one query
/// that parses only the matching documents.
pub(crate) async fn in_status(
    conn: &mut SqliteConnection,
    kind: &str,
    account: Option<&str>,
    status: &str,
) -> Result<Vec<Doc>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM docs
          WHERE kind = ?1 AND (?2 IS NULL OR account_id = ?2) AND json_extract(data, '$.data.status') = ?3
          ORDER BY sort_key, id",
    )
    .bind(kind)
    .bind(account)
    .bind(status)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|json| serde_json::from_str(json).map_err(corrupt)).collect()
}

/// One page of a kind, by key: `after` is the previous page's last `(sort_key, id)`.
pub(crate) async fn page(
    conn: &mut SqliteConnection,
    kind: &str,
    account: Option<&str>,
    after: Option<(&str, &str)>,
    limit: u32,
) -> Result<Vec<(String, String, bool, Doc)>> {
    let (k, i) = after.unwrap_or(("", ""));
    let rows = sqlx::query(
        "SELECT sort_key, id, pending, data FROM docs
          WHERE kind = ?1 AND (?2 IS NULL OR account_id = ?2) AND (sort_key, id) > (?3, ?4)
          ORDER BY sort_key, id LIMIT ?5",
    )
    .bind(kind)
    .bind(account)
    .bind(k)
    .bind(i)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let json: String = r.get("data");
            Ok((
                r.get("sort_key"),
                r.get("id"),
                r.get::<i64, _>("pending") != 0,
                serde_json::from_str(&json).map_err(corrupt)?,
            ))
        })
        .collect()
}
