//! The pull service: every change after a cursor, in pages that never split a version.
//!
//! A page is read in one `REPEATABLE READ READ ONLY` transaction, so the rows and the
//! `sync_clock` value come from the same snapshot; since versions commit in order (see
//! [`crate::apply`]), that snapshot holds every version up to the clock and none above it.
//!
//! Tombstones are pruned after a retention window ([`prune_tombstones`]). A cursor below the
//! highest pruned version may have missed a delete, so such a pull is answered 410
//! `snapshot_required`: the device then pulls from 0 (a fresh snapshot) and keeps its outbox.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use tandem_sync::{PullRequest, Version, MAX_PULL_LIMIT};
use tracing::instrument;

use crate::auth::Session;
use crate::error::Error;
use crate::routes::check_protocol;
use crate::store::changes::{self, ChangeRow, WireChange};
use crate::store::users::ScopeRow;
use crate::store::{conflicts, devices, log, tombstones, users, StoreError};
use tandem_core::{Territory, Visibility};
use tandem_sync::PROTOCOL_VERSION;

/// A page of changes as the server sends it: serialises exactly as [`tandem_sync::PullResponse`],
/// which is what devices read it as, with documents passed through as stored.
#[derive(Debug, Serialize)]
pub struct PullPage {
    pub changes: Vec<WireChange>,
    pub cursor: Version,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
}

/// What a user may see, from their role and territories (the rule is
/// [`tandem_core::Visibility`]); each variant has its own query in [`crate::store::changes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Everything,
    Territories(Vec<String>),
}

impl Scope {
    pub fn of(visibility: &Visibility) -> Scope {
        match visibility {
            Visibility::Everything => Scope::Everything,
            Visibility::Territories(set) => Scope::Territories(set.iter().map(|t| t.as_str().to_owned()).collect()),
        }
    }
}

/// The visibility of `user` now, and the version from which it holds.
pub async fn visibility_of(conn: &mut PgConnection, user: uuid::Uuid) -> Result<(Visibility, i64), StoreError> {
    let (visibility, row) = actor_of(conn, user).await?;
    let since = row.scope_since;
    Ok((visibility, since))
}

/// What a user may see, their role, and the version from which their scope holds.
pub async fn actor_of(conn: &mut PgConnection, user: uuid::Uuid) -> Result<(Visibility, ScopeRow), StoreError> {
    let row = users::scope(conn, user).await?.ok_or_else(|| crate::store::corrupt("user", user, "no such user"))?;
    let territories = row.territories.iter().filter_map(|t| Territory::parse(t).ok());
    Ok((Visibility::for_role(&row.role, territories), row))
}

#[instrument(skip_all, fields(user = %session.user_name, device = %req.device_id, cursor = req.cursor.0, limit = req.limit), err(level = "info"))]
pub async fn pull(pool: &PgPool, session: &Session, req: PullRequest) -> Result<PullPage, Error> {
    check_protocol(req.protocol)?;
    session.check_device(req.device_id)?;
    if !(1..=MAX_PULL_LIMIT).contains(&req.limit) {
        return Err(Error::BadLimit { got: req.limit, max: MAX_PULL_LIMIT });
    }
    // Most pulls report what the device already reported: no write then.
    if session.client.changed_by(req.protocol, req.client.as_ref()) {
        devices::record_client(&mut *pool.acquire().await?, req.device_id, req.protocol, req.client.as_ref()).await?;
    }
    let mut tx = pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
    // Same snapshot as the page: a prune commits its deletes and its horizon together.
    let horizon = tombstones::horizon(&mut tx).await?;
    if req.cursor.0 > 0 && req.cursor.0 < horizon {
        return Err(Error::SnapshotRequired { cursor: req.cursor.0, horizon });
    }
    let (visibility, scope_since) = visibility_of(&mut tx, session.user_id).await?;
    if req.cursor.0 > 0 && req.cursor.0 < scope_since {
        return Err(Error::ScopeChanged { cursor: req.cursor.0 });
    }
    let scope = Scope::of(&visibility);
    let mut page = pull_in(&mut tx, &scope, req.cursor, req.limit).await?;
    if req.count_remaining {
        page.remaining = Some(changes::count_after(&mut tx, &scope, page.cursor.0).await?);
    }
    if req.protocol < PROTOCOL_VERSION {
        for_older_protocol(&mut page, req.protocol);
    }
    tx.commit().await?;
    Ok(page)
}

/// One page of changes after `cursor`, read on the caller's snapshot.
pub async fn pull_in(
    conn: &mut PgConnection,
    scope: &Scope,
    cursor: Version,
    limit: u32,
) -> Result<PullPage, StoreError> {
    let limit = limit as usize;
    // One row more than asked tells whether the page would cut inside a version.
    let mut rows = changes::after(conn, scope, cursor.0, limit as i64 + 1).await?;
    let has_more = rows.len() > limit;
    if has_more {
        let next_version = rows[limit].version;
        rows.truncate(limit);
        rows.retain(|r| r.version < next_version);
        if rows.is_empty() {
            // One version holds more changes than the limit: it travels whole.
            rows = changes::at(conn, scope, next_version).await?;
        }
    }
    let next = match (has_more, rows.last()) {
        (true, Some(last)) => Version(last.version),
        // Nothing more: the clock of this snapshot, which no later change can be below.
        (_, last) => {
            let clock = log::current_version(conn).await?;
            Version(clock.max(last.map_or(cursor.0, |r| r.version)).max(cursor.0))
        }
    };
    let mut changes = rows.into_iter().map(ChangeRow::into_wire).collect::<Result<Vec<_>, _>>()?;
    // Conflicts travel with the versions that made or resolved them (a stable sort keeps them
    // after the rows of their version).
    changes.extend(
        conflicts::changes_between(conn, scope, cursor.0, next.0)
            .await?
            .into_iter()
            .map(|c| WireChange::Typed(Box::new(c))),
    );
    changes.sort_by_key(WireChange::version);
    Ok(PullPage { changes, cursor: next, has_more, remaining: None })
}

/// An older device gets only the documents its protocol knows (protocol 2: none; 3: no CRM).
/// A deleted document (no data) of an unknown kind is harmless: the device has nothing to delete.
/// Documents always travel as [`WireChange::Doc`]; typed changes are accounts, contacts and
/// conflicts, which every protocol knows.
fn for_older_protocol(page: &mut PullPage, protocol: u32) {
    page.changes.retain(|c| match c {
        WireChange::Doc(d) => {
            protocol >= 3 && (d.data.is_none() || tandem_sync::Doc::kind_since_protocol(&d.kind) <= protocol)
        }
        WireChange::Typed(_) => true,
    });
}

/// What one prune removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pruned {
    pub accounts: i64,
    pub contacts: i64,
    /// Cursors below this version now get `snapshot_required`.
    pub horizon: Version,
}

/// Deletes tombstones older than `retention` as of `now` (passed in, so tests can move the
/// clock), in one transaction with the horizon.
#[instrument(skip(pool), err)]
pub async fn prune_tombstones(
    pool: &PgPool,
    now: DateTime<Utc>,
    retention: chrono::Duration,
) -> Result<Pruned, StoreError> {
    let mut tx = pool.begin().await?;
    let (accounts, contacts, horizon) = tombstones::prune_before(&mut tx, now - retention).await?;
    tx.commit().await?;
    tracing::info!(accounts, contacts, horizon, "tombstones pruned");
    Ok(Pruned { accounts, contacts, horizon: Version(horizon) })
}
