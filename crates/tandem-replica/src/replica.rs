//! One replica file: open, write through the rules, record in the outbox, report status.

use crate::error::{ReplicaError, Result};
use crate::ops;
use crate::store::{self, Origin, Touch};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use tandem_core::conflict;
use tandem_core::Existing;
use tandem_core::{AccountId, AccountInput, AccountPatch, ContactId, ContactInput, ContactPatch};
use tandem_core::{FieldError, NewAccount, NewContact};
use tandem_sync::{ConflictRecord, DeleteAccount, DeleteContact, DeviceId, Keep, Op, ResolveConflict, Version};
use tokio::sync::Mutex;
use uuid::Uuid;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/sqlite");

/// The replica schema this build creates: its number of migrations.
pub fn schema_version() -> u32 {
    u32::try_from(MIGRATOR.iter().count()).unwrap_or(u32::MAX)
}

/// Brings an existing replica to this build's schema, safely: when migrations are pending it
/// first copies the database (`VACUUM INTO`, a consistent copy even with a WAL), and if any
/// migration fails it puts that copy back, so the data and the unsent outbox are exactly as the
/// previous version left them. The copy of the last successful update is kept beside the replica.
async fn migrate_with_backup(pool: SqlitePool, path: &Path, migrator: &Migrator) -> Result<SqlitePool> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&pool)
    .await?;
    let applied: Vec<i64> = if has_table {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&pool)
            .await?
    } else {
        Vec::new()
    };
    let pending: Vec<i64> = migrator.iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect();
    if applied.is_empty() || pending.is_empty() {
        // A new file (nothing to lose), or up to date (sqlx still checks the checksums).
        migrator.run(&pool).await.map_err(|e| schema_error(e, migrator))?;
        return Ok(pool);
    }
    let from = applied.last().copied().unwrap_or(0);
    let backup = backup_path(path, from);
    let _ = std::fs::remove_file(&backup);
    sqlx::query("VACUUM INTO ?").bind(backup.to_string_lossy().as_ref()).execute(&pool).await?;
    tracing::info!(from, to = ?pending.last(), backup = %backup.display(), "migrating the replica");
    match migrator.run(&pool).await {
        Ok(()) => {
            remove_older_backups(path, &backup);
            Ok(pool)
        }
        Err(e) => {
            pool.close().await;
            let (migration, cause) = match &e {
                MigrateError::Execute(err) => ("?".to_owned(), err.to_string()),
                MigrateError::ExecuteMigration(err, v) => {
                    let name =
                        migrator.iter().find(|m| m.version == *v).map_or(String::new(), |m| m.description.to_string());
                    (format!("{v} ({name})"), err.to_string())
                }
                other => ("?".to_owned(), other.to_string()),
            };
            tracing::error!(%migration, %cause, "replica migration failed; restoring the backup");
            wait_released(path).await;
            restore(path, &backup)?;
            Err(ReplicaError::MigrationFailed { migration, cause, backup: backup.display().to_string() })
        }
    }
}

fn schema_error(e: MigrateError, migrator: &Migrator) -> ReplicaError {
    match e {
        MigrateError::VersionMissing(v) => {
            ReplicaError::SchemaTooNew { found: v, known: migrator.iter().map(|m| m.version).max().unwrap_or(0) }
        }
        other => ReplicaError::Migrate(other),
    }
}

fn backup_path(path: &Path, schema: i64) -> PathBuf {
    let name = path.file_name().map_or_else(|| "replica.sqlite".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{name}.before-schema-{schema}.bak"))
}

fn remove_older_backups(path: &Path, keep: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return };
    let prefix = format!("{}.before-schema-", name.to_string_lossy());
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&prefix) && n.ends_with(".bak") && p != keep {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// Waits (at most 2 s) until the last connection of a closed pool has really closed: SQLite then
/// checkpoints the WAL into the database file and deletes it. Restoring before that would let the
/// late checkpoint write the failed migration's pages over the restored copy.
async fn wait_released(path: &Path) {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    for _ in 0..40 {
        if !wal.exists() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tracing::warn!(wal = %wal.display(), "the replica's WAL is still there after closing; restoring anyway");
}

/// Puts the backup in place of a half-migrated replica (its WAL and shared memory included).
fn restore(path: &Path, backup: &Path) -> Result<()> {
    // The failed file is moved aside first: a connection that closes late writes into it (its
    // open file), never into the restored copy. The next failed update replaces it.
    let mut aside = path.as_os_str().to_owned();
    aside.push(".failed-update");
    std::fs::rename(path, PathBuf::from(aside))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::copy(backup, path)?;
    Ok(())
}

/// A replica either stands alone (local-only workspace, nothing to sync) or mirrors a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Local,
    Server,
}

#[derive(Debug)]
pub struct Replica {
    pub(crate) pool: SqlitePool,
    path: PathBuf,
    mode: Mode,
    /// One writer at a time inside this process (SQLite allows one anyway; this avoids
    /// lock upgrades failing between a background sync and a user's write).
    pub(crate) write: Mutex<()>,
}

/// A mutation the server refused, kept for the "Needs attention" inbox.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rejected {
    pub seq: i64,
    pub mutation: String,
    pub code: String,
    pub reason: String,
    pub at: String,
}

/// What the sync indicator and `tandem status` show.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub mode: Mode,
    pub server_url: Option<String>,
    pub user: Option<String>,
    /// The signed-in user's role (`sales_rep`, `back_office`, ...): decides which screens show.
    pub role: Option<String>,
    pub device_id: Option<String>,
    pub signed_in: bool,
    pub pending: i64,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// The stable code of `last_error` (e.g. `offline`, `session_expired`, `revoked`).
    pub last_error_code: Option<String>,
    pub cursor: i64,
    pub rejected: Vec<Rejected>,
    /// Field conflicts to resolve (the later edit won; the overwritten value is kept).
    pub conflicts: Vec<ConflictRecord>,
}

fn bad_id(e: FieldError) -> ReplicaError {
    ReplicaError::BadInput(e.message)
}

impl Replica {
    pub async fn open(path: &Path, mode: Mode) -> Result<Self> {
        Self::open_with(path, mode, &MIGRATOR).await
    }

    /// Opens with another schema: tests stand in a future version's migrations with it.
    pub(crate) async fn open_with(path: &Path, mode: Mode, migrator: &Migrator) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
        let pool = migrate_with_backup(pool, path, migrator).await?;
        Ok(Self { pool, path: path.to_owned(), mode, write: Mutex::new(()) })
    }

    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`). A plain
    /// (deferred) transaction starts as a reader and fails with SQLITE_BUSY_SNAPSHOT, which the
    /// busy timeout does not retry, when another connection commits before its first write.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub async fn close(self) {
        self.pool.close().await;
    }

    pub(crate) async fn meta(&self, key: &str) -> Result<Option<String>> {
        meta_get(&mut *self.pool.acquire().await?, key).await
    }

    pub(crate) async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        meta_set(&mut *self.pool.acquire().await?, key, value).await
    }

    pub(crate) async fn device_id(&self) -> Result<Option<DeviceId>> {
        Ok(self.meta("device_id").await?.and_then(|s| Uuid::parse_str(&s).ok()).map(DeviceId))
    }

    pub async fn cursor(&self) -> Result<Version> {
        Ok(Version(self.meta("cursor").await?.and_then(|s| s.parse().ok()).unwrap_or(0)))
    }

    // ----- writes: parse at the edge, apply through the rules, record in the outbox -----

    pub async fn create_account(&self, input: &AccountInput) -> Result<AccountId> {
        let id = AccountId::from_uuid(Uuid::now_v7());
        let new = NewAccount::parse(id, input)?;
        self.mutate(Op::AccountCreate(new)).await?;
        Ok(id)
    }

    pub async fn update_account(&self, id: &str, input: &AccountInput) -> Result<AccountId> {
        let id = AccountId::from_str(id).map_err(bad_id)?;
        let mut patch = AccountPatch::parse(id, input)?;
        // What the user saw, so the server can tell when this edit overwrites someone else's.
        if let Existing::Live(current) = store::load_account(&mut *self.pool.acquire().await?, id).await? {
            patch.seen = conflict::seen(&current, &patch.fields());
        }
        self.mutate(Op::AccountUpdate(patch)).await?;
        Ok(id)
    }

    pub async fn delete_account(&self, id: &str) -> Result<()> {
        let id = AccountId::from_str(id).map_err(bad_id)?;
        self.mutate(Op::AccountDelete(DeleteAccount { id })).await
    }

    pub async fn add_contact(&self, account_id: &str, input: &ContactInput) -> Result<ContactId> {
        let account_id = AccountId::from_str(account_id).map_err(|e| bad_id(e.on("account")))?;
        let id = ContactId::from_uuid(Uuid::now_v7());
        let new = NewContact::parse(id, account_id, input)?;
        self.mutate(Op::ContactAdd(new)).await?;
        Ok(id)
    }

    pub async fn update_contact(&self, id: &str, input: &ContactInput) -> Result<ContactId> {
        let id = ContactId::from_str(id).map_err(bad_id)?;
        let mut patch = ContactPatch::parse(id, input)?;
        if let Existing::Live(current) = store::load_contact(&mut *self.pool.acquire().await?, id).await? {
            patch.seen = conflict::seen(&current, &patch.fields());
        }
        self.mutate(Op::ContactUpdate(patch)).await?;
        Ok(id)
    }

    /// Settles a field conflict: keep the current value, or put the overwritten one back.
    pub async fn resolve_conflict(&self, id: &str, keep: Keep) -> Result<()> {
        let id =
            Uuid::parse_str(id.trim()).map_err(|_| ReplicaError::BadInput(format!("{id:?} is not a conflict id")))?;
        self.mutate(Op::ConflictResolve(ResolveConflict { id, keep })).await
    }

    /// Unresolved conflicts, except those whose resolution waits in the outbox.
    pub async fn conflicts(&self) -> Result<Vec<ConflictRecord>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM conflicts c WHERE resolved = 0 AND NOT EXISTS (
                 SELECT 1 FROM outbox o WHERE json_extract(o.op, '$.name') = 'conflict.resolve'
                   AND json_extract(o.op, '$.args.id') = c.id)
             ORDER BY version DESC, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|j| serde_json::from_str(j).map_err(|e| ReplicaError::Corrupt(e.to_string()))).collect()
    }

    pub async fn delete_contact(&self, id: &str) -> Result<()> {
        let id = ContactId::from_str(id).map_err(bad_id)?;
        self.mutate(Op::ContactDelete(DeleteContact { id })).await
    }

    /// Applies `op` to the view and appends it to the outbox, in one transaction. A refusal by
    /// the rules changes nothing and is returned to the user at once.
    pub async fn mutate(&self, op: Op) -> Result<()> {
        self.mutate_seq(op).await.map(|_| ())
    }

    /// [`Replica::mutate`], returning the op's outbox number (`None` in a local workspace).
    pub async fn mutate_seq(&self, op: Op) -> Result<Option<i64>> {
        let _w = self.write.lock().await;
        let mut tx = self.begin_write().await?;
        let mut touch = Touch::load(&mut tx).await?;
        let synced = self.mode == Mode::Server;
        ops::apply(&mut tx, &mut touch, &op, Origin::Local { pending: synced }).await??;
        let seq = if synced { Some(append_outbox(&mut tx, &op, Utc::now()).await?) } else { None };
        touch.save(&mut tx).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Several ops as one: applied to the view and queued in one transaction, or none of them
    /// when the rules refuse any (a lead conversion: account, contact, then the lead).
    pub async fn mutate_all(&self, ops: &[Op]) -> Result<()> {
        let _w = self.write.lock().await;
        let mut tx = self.begin_write().await?;
        let mut touch = Touch::load(&mut tx).await?;
        let synced = self.mode == Mode::Server;
        for op in ops {
            ops::apply(&mut tx, &mut touch, op, Origin::Local { pending: synced }).await??;
            if synced {
                append_outbox(&mut tx, op, Utc::now()).await?;
            }
        }
        touch.save(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    // ----- status -----

    pub async fn status(&self) -> Result<Status> {
        // One pooled connection at a time, returned before the conflicts (another connection)
        // and the keyring are asked: status is read by many tasks at once, and a task holding
        // one connection while waiting for a second can starve the pool.
        let (pending, rows, device_id, server_url, user, role, last_sync_at, last_error, last_error_code, cursor) = {
            let mut conn = self.pool.acquire().await?;
            let pending: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetch_one(&mut *conn).await?;
            let rows = sqlx::query(
                "SELECT seq, description, code, reason, rejected_at FROM rejected ORDER BY seq DESC LIMIT 200",
            )
            .fetch_all(&mut *conn)
            .await?;
            (
                pending,
                rows,
                meta_get(&mut conn, "device_id").await?,
                meta_get(&mut conn, "server_url").await?,
                meta_get(&mut conn, "user").await?,
                meta_get(&mut conn, "role").await?,
                meta_get(&mut conn, "last_sync_at").await?,
                meta_get(&mut conn, "last_error").await?,
                meta_get(&mut conn, "last_error_code").await?,
                meta_get(&mut conn, "cursor").await?.and_then(|s| s.parse().ok()).unwrap_or(0),
            )
        };
        let rejected = rows
            .into_iter()
            .map(|r| Rejected {
                seq: r.get("seq"),
                mutation: r.get("description"),
                code: r.get("code"),
                reason: r.get("reason"),
                at: r.get("rejected_at"),
            })
            .collect();
        let signed_in = match (self.mode, device_id.as_deref().and_then(|d| Uuid::parse_str(d).ok())) {
            (Mode::Server, Some(d)) => crate::credentials::load(DeviceId(d)).ok().flatten().is_some(),
            _ => false,
        };
        Ok(Status {
            mode: self.mode,
            server_url,
            user,
            role,
            device_id,
            signed_in,
            pending,
            last_sync_at,
            last_error,
            last_error_code,
            cursor,
            rejected,
            conflicts: self.conflicts().await?,
        })
    }

    /// Entries the user made that the server has not answered yet.
    pub async fn pending_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetch_one(&self.pool).await?)
    }
}

pub(crate) async fn append_outbox(conn: &mut SqliteConnection, op: &Op, made_at: DateTime<Utc>) -> Result<i64> {
    let seq: i64 = meta_get(conn, "next_seq").await?.and_then(|s| s.parse().ok()).unwrap_or(1);
    let json = serde_json::to_string(op).map_err(|e| ReplicaError::Corrupt(e.to_string()))?;
    sqlx::query("INSERT INTO outbox (seq, op, made_at) VALUES (?, ?, ?)")
        .bind(seq)
        .bind(json)
        .bind(made_at.to_rfc3339())
        .execute(&mut *conn)
        .await?;
    meta_set(conn, "next_seq", &(seq + 1).to_string()).await?;
    Ok(seq)
}

pub(crate) async fn meta_get(conn: &mut SqliteConnection, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?").bind(key).fetch_optional(conn).await?)
}

pub(crate) async fn meta_set(conn: &mut SqliteConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2")
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn meta_clear(conn: &mut SqliteConnection, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM meta WHERE key = ?").bind(key).execute(conn).await?;
    Ok(())
}
