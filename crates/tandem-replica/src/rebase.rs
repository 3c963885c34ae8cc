//! Keeping the view equal to "server state + the user's unconfirmed mutations".
//!
//! A pull writes the server's rows into `base_*` and into the view. Then every record that an
//! outbox entry touches, or that a just-resolved entry touched (applied and now confirmed by a
//! pull, or rejected), is reset to its base state and the outbox is replayed on top, in order.
//! A replayed mutation that no longer fits (the server deleted its account meanwhile) leaves the
//! view as the server has it; it stays in the outbox and the server's answer decides, so no user
//! input is dropped silently.

use crate::error::{ReplicaError, Result};
use crate::ops::{self, Touched};
use crate::store::{self, Origin, Table, Touch};
use sqlx::{Row, SqliteConnection};
use std::collections::BTreeSet;
use tandem_core::{Account, Contact};
use tandem_sync::{Change, Op};

/// Writes one pulled change into base and view.
pub(crate) async fn write_change(conn: &mut SqliteConnection, touch: &mut Touch, change: &Change) -> Result<()> {
    match change {
        Change::Account { version, id, data } => {
            let json = data.as_ref().map(serde_json::to_string).transpose().map_err(corrupt)?;
            sqlx::query(
                "INSERT INTO base_accounts (id, version, deleted, data) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET version = ?2, deleted = ?3, data = ?4",
            )
            .bind(id.to_string())
            .bind(version.0)
            .bind(data.is_none() as i64)
            .bind(json)
            .execute(&mut *conn)
            .await?;
            let origin = Origin::Server { version: version.0 };
            match data {
                Some(a) => store::put_account(conn, touch, a, origin).await?,
                None => store::tombstone_account(conn, touch, *id, origin).await?,
            }
        }
        Change::Doc { version, id, data } => {
            crate::docs::write_change(conn, *id, version.0, data.as_ref()).await?;
        }
        Change::Conflict { version, id, data } => match data {
            Some(c) => {
                let json = serde_json::to_string(c).map_err(corrupt)?;
                sqlx::query(
                    "INSERT INTO conflicts (id, version, resolved, data) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (id) DO UPDATE SET version = ?2, resolved = ?3, data = ?4",
                )
                .bind(id.to_string())
                .bind(version.0)
                .bind(c.resolution.is_some() as i64)
                .bind(json)
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM conflicts WHERE id = ?").bind(id.to_string()).execute(&mut *conn).await?;
            }
        },
        Change::Contact { version, id, data } => {
            let json = data.as_ref().map(serde_json::to_string).transpose().map_err(corrupt)?;
            let account_id = data.as_ref().map(|c| c.account_id.to_string());
            sqlx::query(
                "INSERT INTO base_contacts (id, account_id, version, deleted, data) VALUES (?1, COALESCE(?2, ''), ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET account_id = COALESCE(?2, account_id), version = ?3, deleted = ?4, data = ?5",
            )
            .bind(id.to_string())
            .bind(account_id)
            .bind(version.0)
            .bind(data.is_none() as i64)
            .bind(json)
            .execute(&mut *conn)
            .await?;
            let origin = Origin::Server { version: version.0 };
            match data {
                Some(c) => store::put_contact(conn, c, origin).await?,
                None => store::tombstone_contact(conn, *id, None, origin).await?,
            }
        }
    }
    Ok(())
}

fn corrupt(e: serde_json::Error) -> ReplicaError {
    ReplicaError::Corrupt(e.to_string())
}

/// An outbox entry as replayed: `pending` until the server answered, then confirmed by a pull.
pub(crate) struct Entry {
    pub op: Op,
    pub pending: bool,
}

pub(crate) async fn outbox(conn: &mut SqliteConnection) -> Result<Vec<Entry>> {
    let rows = sqlx::query("SELECT op, state FROM outbox ORDER BY seq").fetch_all(conn).await?;
    rows.into_iter()
        .map(|r| {
            let op: String = r.get("op");
            Ok(Entry {
                op: serde_json::from_str(&op).map_err(corrupt)?,
                pending: r.get::<String, _>("state") == "pending",
            })
        })
        .collect()
}

/// Resets `extra` plus every record touched by the outbox to base, then replays the outbox.
pub(crate) async fn rebuild(conn: &mut SqliteConnection, touch: &mut Touch, mut extra: Touched) -> Result<()> {
    let entries = outbox(conn).await?;
    for e in &entries {
        extra.add(&e.op);
    }
    if extra.is_empty() {
        return Ok(());
    }
    let accounts: BTreeSet<String> = extra.accounts.iter().map(ToString::to_string).collect();
    let mut contacts: BTreeSet<String> = extra.contacts.iter().map(ToString::to_string).collect();
    // Contacts follow their account (an account delete cascades to them).
    for a in &accounts {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM contacts WHERE account_id = ?1 UNION SELECT id FROM base_contacts WHERE account_id = ?1",
        )
        .bind(a)
        .fetch_all(&mut *conn)
        .await?;
        contacts.extend(ids);
    }
    for id in &accounts {
        reset_account(conn, touch, id).await?;
    }
    for id in &contacts {
        reset_contact(conn, id).await?;
    }
    let mut docs: BTreeSet<uuid::Uuid> = extra.docs.iter().copied().collect();
    for a in &extra.docs_of_accounts {
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM docs WHERE account_id = ?")
            .bind(a.to_string())
            .fetch_all(&mut *conn)
            .await?;
        docs.extend(ids.iter().filter_map(|i| i.parse::<uuid::Uuid>().ok()));
    }
    for id in &docs {
        crate::docs::reset(conn, *id).await?;
    }
    for e in &entries {
        let mut t = Touched::default();
        t.add(&e.op);
        let hits = t.accounts.iter().any(|a| accounts.contains(&a.to_string()))
            || t.contacts.iter().any(|c| contacts.contains(&c.to_string()))
            || t.docs.iter().any(|d| docs.contains(d));
        if hits {
            // A refusal here is expected (see the module doc): the server's answer decides.
            let _refused = ops::apply(conn, touch, &e.op, Origin::Local { pending: e.pending }).await?;
        }
    }
    Ok(())
}

async fn reset_account(conn: &mut SqliteConnection, touch: &mut Touch, id: &str) -> Result<()> {
    let row = sqlx::query("SELECT version, deleted, data FROM base_accounts WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => store::forget(conn, Table::Accounts, id).await,
        Some(r) => {
            let version = Origin::Server { version: r.get("version") };
            match r.get::<Option<String>, _>("data") {
                Some(json) if r.get::<i64, _>("deleted") == 0 => {
                    let a: Account = serde_json::from_str(&json).map_err(corrupt)?;
                    store::put_account(conn, touch, &a, version).await
                }
                _ => {
                    let aid = id.parse().map_err(|e: tandem_core::FieldError| ReplicaError::Corrupt(e.to_string()))?;
                    // A server origin also clears the pending flag.
                    store::tombstone_account(conn, touch, aid, version).await
                }
            }
        }
    }
}

async fn reset_contact(conn: &mut SqliteConnection, id: &str) -> Result<()> {
    let row = sqlx::query("SELECT version, deleted, data FROM base_contacts WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => store::forget(conn, Table::Contacts, id).await,
        Some(r) => {
            let version = Origin::Server { version: r.get("version") };
            match r.get::<Option<String>, _>("data") {
                Some(json) if r.get::<i64, _>("deleted") == 0 => {
                    let c: Contact = serde_json::from_str(&json).map_err(corrupt)?;
                    store::put_contact(conn, &c, version).await
                }
                _ => {
                    let cid = id.parse().map_err(|e: tandem_core::FieldError| ReplicaError::Corrupt(e.to_string()))?;
                    store::tombstone_contact(conn, cid, None, version).await
                }
            }
        }
    }
}
