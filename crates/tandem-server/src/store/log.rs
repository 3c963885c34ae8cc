//! The sync clock, the mutation log and the audit log.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Row};
use tandem_sync::{DeviceId, Outcome};
use uuid::Uuid;

use super::docs::{DocExits, DocRows};
use super::StoreError;

/// Takes the next version. The `sync_clock` row stays locked until the transaction ends, so no
/// other transaction can take a version before this one has committed or rolled back.
pub async fn next_version(conn: &mut PgConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("UPDATE sync_clock SET version = version + 1 RETURNING version").fetch_one(conn).await?)
}

/// Takes the next version, as [`next_version`] does, and writes under it in the same statement
/// what a mutation prepared before the clock: its documents (as [`super::docs::put_many`] would),
/// their territory exits and its audit entries. One round trip from taking the clock to having
/// written everything, so the clock is held for as short a time as can be.
pub async fn next_version_writing(
    conn: &mut PgConnection,
    docs: &DocRows,
    exits: &DocExits,
    head: &AuditHead<'_>,
    audit: &AuditRows,
) -> Result<i64, StoreError> {
    let q = sqlx::query(concat!(
        "WITH clock AS (UPDATE sync_clock SET version = version + 1 RETURNING version),
         written AS (",
        super::docs::upsert_doc_rows!("clock.version", "clock,"),
        "),
         exits AS (
             INSERT INTO doc_exits (version, doc_id, territory)
             SELECT clock.version, x.doc_id, x.territory FROM clock, UNNEST($10::uuid[], $11::text[]) AS x(doc_id, territory)),
         audited AS (
             INSERT INTO audit_log (user_id, device_id, seq, op_name, at, entity, entity_id, version, before, after)
             SELECT $16::uuid, $17::uuid, $18::int8, $19::text, $20::timestamptz, e.entity, e.entity_id, clock.version,
                    e.before, e.after
               FROM clock, UNNEST($12::text[], $13::uuid[], $14::jsonb[], $15::jsonb[]) WITH ORDINALITY
                           AS e(entity, entity_id, before, after, n)
              ORDER BY e.n)
         SELECT version FROM clock",
    ));
    let row = head.bind(audit.bind(exits.bind(docs.bind(q)))).fetch_one(conn).await.map_err(|e| docs.write_error(e))?;
    Ok(row.try_get(0)?)
}

/// The last committed version as the current snapshot sees it.
pub async fn current_version(conn: &mut PgConnection) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT version FROM sync_clock").fetch_one(conn).await?)
}

#[derive(Debug)]
pub struct LoggedMutation<'a> {
    pub device: DeviceId,
    pub seq: i64,
    pub user: Uuid,
    pub op_name: &'a str,
    pub op: serde_json::Value,
    pub outcome: &'a Outcome,
    pub version: Option<i64>,
    pub made_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// Logs a handled mutation and moves its device's last handled seq to it, in one statement.
pub async fn record_handled(conn: &mut PgConnection, m: LoggedMutation<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "WITH logged AS (
             INSERT INTO mutation_log (device_id, seq, user_id, op_name, op, outcome, version, made_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING device_id, seq)
         UPDATE devices SET last_seq = logged.seq, last_seen_at = now() FROM logged WHERE devices.id = logged.device_id",
    )
    .bind(m.device.0)
    .bind(m.seq)
    .bind(m.user)
    .bind(m.op_name)
    .bind(m.op)
    .bind(serde_json::to_value(m.outcome)?)
    .bind(m.version)
    .bind(m.made_at)
    .bind(m.received_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The outcome stored for an already handled `(device, seq)`.
pub async fn stored_outcome(
    conn: &mut PgConnection,
    device: DeviceId,
    seq: i64,
) -> Result<Option<Outcome>, StoreError> {
    let value: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT outcome FROM mutation_log WHERE device_id = $1 AND seq = $2")
            .bind(device.0)
            .bind(seq)
            .fetch_optional(conn)
            .await?;
    Ok(value.map(serde_json::from_value).transpose()?)
}

/// Who made the changes of one mutation, the same in each of its audit entries.
#[derive(Clone, Copy, Debug)]
pub struct AuditHead<'a> {
    pub user: Uuid,
    pub device: DeviceId,
    pub seq: i64,
    pub op_name: &'a str,
    pub at: DateTime<Utc>,
}

impl<'a> AuditHead<'a> {
    /// Binds the head as the next five parameters: `uuid` user, `uuid` device, `int8` seq,
    /// `text` op_name, `timestamptz` at.
    fn bind<'q>(&self, q: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments>
    where
        'a: 'q,
    {
        q.bind(self.user).bind(self.device.0).bind(self.seq).bind(self.op_name).bind(self.at)
    }
}

/// The audit entries of one mutation, in order: each record it changed, before and after.
#[derive(Debug, Default)]
pub struct AuditRows {
    entities: Vec<&'static str>,
    ids: Vec<Uuid>,
    befores: Vec<Option<serde_json::Value>>,
    afters: Vec<Option<serde_json::Value>>,
}

impl AuditRows {
    /// Adds the entry of record `id` of `entity`, serialising its states.
    pub fn record<T: Serialize>(
        &mut self,
        entity: &'static str,
        id: Uuid,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<(), StoreError> {
        let (before, after) =
            (before.map(serde_json::to_value).transpose()?, after.map(serde_json::to_value).transpose()?);
        self.entities.push(entity);
        self.ids.push(id);
        self.befores.push(before);
        self.afters.push(after);
        Ok(())
    }

    /// Binds the entries as the next four parameters: `text[]` entity, `uuid[]` entity_id,
    /// `jsonb[]` before, `jsonb[]` after.
    fn bind<'q>(&'q self, q: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        q.bind(&self.entities).bind(&self.ids).bind(&self.befores).bind(&self.afters)
    }
}

/// Appends the audit entries of one mutation under `version` in one statement; their ids follow
/// the order of `audit`.
pub async fn insert_audits(
    conn: &mut PgConnection,
    head: &AuditHead<'_>,
    version: i64,
    audit: &AuditRows,
) -> Result<(), StoreError> {
    if audit.ids.is_empty() {
        return Ok(());
    }
    let q = sqlx::query(
        "INSERT INTO audit_log (user_id, device_id, seq, op_name, at, entity, entity_id, version, before, after)
         SELECT $5::uuid, $6::uuid, $7::int8, $8::text, $9::timestamptz, e.entity, e.entity_id, $10::int8,
                e.before, e.after
           FROM UNNEST($1::text[], $2::uuid[], $3::jsonb[], $4::jsonb[]) WITH ORDINALITY
                AS e(entity, entity_id, before, after, n)
          ORDER BY e.n",
    );
    head.bind(audit.bind(q)).bind(version).execute(conn).await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_name: String,
    pub device_id: Uuid,
    pub seq: i64,
    pub op_name: String,
    pub entity: String,
    pub entity_id: Uuid,
    pub version: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Audit entries older than `before` (all when `None`), of `record` if given, newest first.
pub async fn audit_page(
    conn: &mut PgConnection,
    before: Option<i64>,
    record: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    Ok(sqlx::query_as::<_, AuditRow>(
        "SELECT l.id, l.at, u.name AS user_name, l.device_id, l.seq, l.op_name, l.entity, l.entity_id, l.version, \
                l.before, l.after \
           FROM audit_log l JOIN users u ON u.id = l.user_id \
          WHERE l.id < COALESCE($1, 9223372036854775807) AND ($2::uuid IS NULL OR l.entity_id = $2) \
          ORDER BY l.id DESC LIMIT $3",
    )
    .bind(before)
    .bind(record)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
