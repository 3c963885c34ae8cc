//! Applying one mutation: device sequence → `tandem-core` rule → rows, logs, version.
//!
//! # Why versions can be pulled without ever missing a change
//!
//! A puller asks for "every change with `version > cursor`" and then moves its cursor to the
//! highest version it saw. That is only safe if, whenever a puller can see version `N + 1`, it
//! can also see `N`. A plain sequence does not give this: transaction A takes 7, transaction B
//! takes 8 and commits first, a puller reads 8 and sets its cursor to 8, then A commits 7 — and
//! 7 is never pulled.
//!
//! Here a writing transaction takes its version with
//! `UPDATE sync_clock SET version = version + 1 RETURNING version` on a one-row table. The row
//! lock is held until that transaction commits or rolls back, so the next writer blocks on the
//! clock until then: versions are handed out and committed strictly in order, one writer at a
//! time between taking a version and committing. A rolled-back writer rolls back its increment
//! too, so versions stay dense. Pullers read in one `REPEATABLE READ` snapshot, which therefore
//! contains every version up to the clock value it sees and none above it.
//!
//! # Lock order (no deadlocks)
//!
//! Every writer locks, in this order: the device row (`devices … FOR UPDATE`), then the records
//! it reads (`FOR UPDATE`, or `FOR SHARE` for a parent that must stay live), and takes the clock
//! LAST, only after the rule has passed; after the clock it writes only rows it has locked or
//! inserts new ones. A rejected mutation never touches the clock, so it consumes no version.
//!
//! # Short time on the clock
//!
//! Everything between taking the clock and committing is serialised across all devices, so a
//! writer prepares what it can before. An order-to-cash mutation locks and reads the documents
//! it will write (their before states, for the audit log) in one query before the clock, and
//! takes the clock in the very statement that writes the documents, their territory exits and
//! the audit entries ([`log::next_version_writing`]); the mutation log (with the device's last
//! seq) and the commit are all that follow.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use std::collections::{BTreeMap, HashMap};
use tandem_core::conflict::{self, Keep};
use tandem_core::{account, contact, AccountId, ContactId, Existing, RuleError, Visibility};
use tandem_sync::erp::Reach;
use tandem_sync::{DeviceId, Doc, Mutation, MutationResult, Op, Outcome, Version};
use tracing::instrument;
use uuid::Uuid;

use crate::error::Error;
use crate::store::log::{AuditHead, AuditRows, LoggedMutation};
use crate::store::{accounts, conflicts, contacts, devices, docs, log, RowLock, StoreError};

/// How often a mutation's transaction is run again after a deadlock or a concurrent insert.
const ATTEMPTS: usize = 3;

/// Who applies: an authenticated user on one of their devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user: Uuid,
    pub device: DeviceId,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("expected seq {expected}, got {got}")]
    SeqGap { expected: i64, got: i64 },
    #[error("device {0} is not registered")]
    UnknownDevice(DeviceId),
    #[error("seq {0} was handled but its outcome is missing from the mutation log")]
    MissingLog(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ApplyError> for Error {
    fn from(e: ApplyError) -> Self {
        match e {
            ApplyError::SeqGap { expected, got } => Error::SeqGap { expected, got },
            other => Error::internal(other),
        }
    }
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        ApplyError::Store(StoreError::Db(e))
    }
}

/// The result of handling one mutation, and the device's last handled seq afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handled {
    pub result: MutationResult,
    pub last_seq: i64,
}

/// Handles one mutation in its own transaction: applied or rejected exactly once, or replayed.
/// A deadlock or a concurrent insert of the same id runs the transaction again.
#[instrument(skip_all, fields(device = %actor.device, seq = m.seq, op = m.op.name()), err(level = "info"))]
pub async fn handle_mutation(
    pool: &PgPool,
    actor: Actor,
    m: &Mutation,
    received_at: DateTime<Utc>,
) -> Result<Handled, ApplyError> {
    let mut attempt = 1;
    loop {
        let mut tx = pool.begin().await?;
        match handle_mutation_in(&mut tx, actor, m, received_at).await {
            Ok(handled) => {
                tx.commit().await?;
                return Ok(handled);
            }
            Err(ApplyError::Store(e)) if e.is_retryable() && attempt < ATTEMPTS => {
                tracing::info!(error = %e, attempt, "retrying mutation");
                tx.rollback().await?;
                attempt += 1;
            }
            Err(e) => {
                tx.rollback().await?;
                return Err(e);
            }
        }
    }
}

/// [`handle_mutation`] inside the caller's transaction (which must not have taken a version).
pub async fn handle_mutation_in(
    conn: &mut PgConnection,
    actor: Actor,
    m: &Mutation,
    received_at: DateTime<Utc>,
) -> Result<Handled, ApplyError> {
    let last = devices::lock_last_seq(conn, actor.device).await?.ok_or(ApplyError::UnknownDevice(actor.device))?;
    if m.seq <= last {
        let outcome = log::stored_outcome(conn, actor.device, m.seq).await?.ok_or(ApplyError::MissingLog(m.seq))?;
        return Ok(Handled { result: MutationResult { seq: m.seq, outcome, replayed: true }, last_seq: last });
    }
    if m.seq != last + 1 {
        return Err(ApplyError::SeqGap { expected: last + 1, got: m.seq });
    }

    // Read in this transaction: a change of the user's territories applies from the next mutation.
    let (visibility, me) = crate::pull::actor_of(conn, actor.user).await?;
    let ctx = Ctx {
        actor,
        seq: m.seq,
        op_name: m.op.name(),
        at: received_at,
        visibility: &visibility,
        role: &me.role,
        user_name: &me.name,
    };
    let outcome = match apply_op_in(conn, &ctx, &m.op).await? {
        Ok(version) => Outcome::Applied { version: Version(version) },
        Err(rule) => {
            tracing::info!(code = rule.code(), reason = %rule, "mutation rejected");
            Outcome::Rejected { code: rule.code().to_owned(), reason: rule.to_string() }
        }
    };
    let version = match &outcome {
        Outcome::Applied { version } => Some(version.0),
        Outcome::Rejected { .. } => None,
    };
    log::record_handled(
        conn,
        LoggedMutation {
            device: actor.device,
            seq: m.seq,
            user: actor.user,
            op_name: m.op.name(),
            op: serde_json::to_value(&m.op).map_err(StoreError::from)?,
            outcome: &outcome,
            version,
            made_at: m.made_at,
            received_at,
        },
    )
    .await?;
    Ok(Handled { result: MutationResult { seq: m.seq, outcome, replayed: false }, last_seq: m.seq })
}

/// What the audit log needs to know about the mutation being applied.
#[derive(Debug)]
struct Ctx<'a> {
    actor: Actor,
    seq: i64,
    op_name: &'a str,
    at: DateTime<Utc>,
    /// What the actor may see and change (role and territories).
    visibility: &'a Visibility,
    role: &'a str,
    user_name: &'a str,
}

impl Ctx<'_> {
    /// Who made the changes, for the audit log.
    fn head(&self) -> AuditHead<'_> {
        AuditHead {
            user: self.actor.user,
            device: self.actor.device,
            seq: self.seq,
            op_name: self.op_name,
            at: self.at,
        }
    }

    async fn audit<T: Serialize>(
        &self,
        conn: &mut PgConnection,
        entity: &'static str,
        id: Uuid,
        version: i64,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<(), StoreError> {
        let mut audit = AuditRows::default();
        audit.record(entity, id, before, after)?;
        log::insert_audits(conn, &self.head(), version, &audit).await
    }
}

/// The audit entries (appended to `audit`, in `docs` order) and the territory exits of writing
/// `docs` over `stored`, their live state before this mutation. A document written twice has
/// the earlier write as its before state, as when each is written on its own.
fn doc_changes(
    docs: &[Doc],
    stored: &BTreeMap<Uuid, Doc>,
    audit: &mut AuditRows,
) -> Result<docs::DocExits, StoreError> {
    let mut exits = docs::DocExits::default();
    let mut written: HashMap<Uuid, &Doc> = HashMap::with_capacity(docs.len());
    for doc in docs {
        let before = written.insert(doc.id(), doc).or_else(|| stored.get(&doc.id()));
        if let (Some(Reach::Territory(Some(old))), Reach::Territory(new)) = (before.map(Doc::reach), doc.reach()) {
            if new.as_ref() != Some(&old) {
                exits.push(doc.id(), old.as_str());
            }
        }
        audit.record(doc.kind(), doc.id(), before, Some(doc))?;
    }
    Ok(exits)
}

/// The actor may change a contact only under an account they see.
async fn may_write_contact(
    conn: &mut PgConnection,
    ctx: &Ctx<'_>,
    contact: Option<&tandem_core::Contact>,
) -> Result<Result<(), RuleError>, StoreError> {
    let Some(c) = contact else { return Ok(Ok(())) };
    let parent = accounts::load(conn, c.account_id, RowLock::Share).await?;
    Ok(ctx.visibility.may_write_under(live(&parent)))
}

fn live<T>(e: &Existing<T>) -> Option<&T> {
    match e {
        Existing::Live(v) => Some(v),
        _ => None,
    }
}

/// Runs the `tandem-core` rule of `op` on the locked current state and, when it passes, writes
/// the rows under a new version. Returns that version, or the rule's refusal (nothing written).
async fn apply_op_in(conn: &mut PgConnection, ctx: &Ctx<'_>, op: &Op) -> Result<Result<i64, RuleError>, StoreError> {
    let by = ctx.actor.user;
    let at = ctx.at;
    if op.is_erp() {
        let erp_ctx = crate::erp::ErpCtx { role: ctx.role, user: ctx.user_name, visibility: ctx.visibility, at };
        let applied = match crate::erp::apply(conn, &erp_ctx, op).await? {
            Ok(a) => a,
            Err(e) => return Ok(Err(e)),
        };
        // Everything is read, locked and prepared before the clock; taking it writes it all in
        // the same statement.
        let ids: Vec<Uuid> = applied.docs.iter().map(Doc::id).collect();
        let stored = docs::lock_for_write(conn, &ids).await?;
        let mut audit = AuditRows::default();
        let exits = doc_changes(&applied.docs, &stored, &mut audit)?;
        let rows = docs::DocRows::of(&applied.docs)?;
        let v = log::next_version_writing(conn, &rows, &exits, &ctx.head(), &audit).await?;
        return Ok(Ok(v));
    }
    match op {
        Op::AccountCreate(new) => {
            let existing = accounts::load(conn, new.id, RowLock::Update).await?;
            let created = match account::create(existing.as_ref(), new) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            if let Err(e) = ctx.visibility.may_write(None, Some(&created)) {
                return Ok(Err(e));
            }
            let v = log::next_version(conn).await?;
            accounts::insert(conn, &created, v, at, by).await?;
            ctx.audit(conn, "account", new.id.as_uuid(), v, None, Some(&created)).await?;
            Ok(Ok(v))
        }
        Op::AccountUpdate(patch) => {
            let existing = accounts::load(conn, patch.id, RowLock::Update).await?;
            let updated = match account::update(existing.as_ref(), patch) {
                Ok(a) => a,
                Err(e) => return Ok(Err(e)),
            };
            if let Err(e) = ctx.visibility.may_write(live(&existing), Some(&updated)) {
                return Ok(Err(e));
            }
            let moved_from = live(&existing).map(|a| a.territory.clone()).filter(|t| *t != updated.territory);
            if moved_from.is_some() {
                // Its contacts and documents are re-stamped below: lock them before the clock.
                contacts::live_of_account_for_update(conn, patch.id).await?;
                docs::lock_account_docs(conn, patch.id).await?;
            }
            let overwrites =
                live(&existing).map(|b| conflict::overwrites(b, &updated, &patch.seen)).unwrap_or_default();
            let overwritten_by = match overwrites.is_empty() {
                true => None,
                false => conflicts::last_writer(conn, true, patch.id.as_uuid()).await?,
            };
            let v = log::next_version(conn).await?;
            accounts::update(conn, &updated, v, at, by).await?;
            if let Some(from) = moved_from {
                accounts::moved(conn, patch.id, from.as_ref(), v).await?;
                docs::restamp_account(conn, patch.id, v).await?;
            }
            let origin = conflicts::Origin {
                entity: "account",
                record_id: patch.id.as_uuid(),
                account_id: patch.id,
                record_name: updated.name.as_str(),
                kept_by: by,
                overwritten_by,
            };
            for o in &overwrites {
                conflicts::insert(conn, &origin, o, v, at).await?;
            }
            ctx.audit(conn, "account", patch.id.as_uuid(), v, live(&existing), Some(&updated)).await?;
            Ok(Ok(v))
        }
        Op::AccountDelete(d) => {
            let row = accounts::load_row(conn, d.id, RowLock::Update).await?;
            let existing = match &row {
                None => Existing::Missing,
                Some(r) => r.to_existing()?,
            };
            if let Err(e) = ctx.visibility.may_write(live(&existing), None) {
                return Ok(Err(e));
            }
            if docs::has_business(conn, d.id).await? {
                return Ok(Err(RuleError::Invalid(
                    tandem_core::FieldError::new(
                        "account",
                        "has orders, invoices or payments: a customer with business on record is kept",
                    )
                    .into(),
                )));
            }
            match account::delete(existing.as_ref(), d.id) {
                Err(e) => Ok(Err(e)),
                // Already deleted elsewhere: both wanted it gone, nothing changes.
                Ok(false) => Ok(Ok(row.map_or(0, |r| r.version))),
                Ok(true) => {
                    // Lock the contacts before the clock (see the lock order above).
                    let live_contacts = contacts::live_of_account_for_update(conn, d.id).await?;
                    let v = log::next_version(conn).await?;
                    accounts::tombstone(conn, d.id, v, at, by).await?;
                    let mut audit = AuditRows::default();
                    audit.record("account", d.id.as_uuid(), live(&existing), None)?;
                    for c in &live_contacts {
                        contacts::tombstone(conn, c.id, v, at, by).await?;
                        audit.record("contact", c.id.as_uuid(), Some(c), None)?;
                    }
                    log::insert_audits(conn, &ctx.head(), v, &audit).await?;
                    Ok(Ok(v))
                }
            }
        }
        Op::ContactAdd(new) => {
            let parent = accounts::load(conn, new.account_id, RowLock::Share).await?;
            let existing = contacts::load(conn, new.id, RowLock::Update).await?;
            if let Err(e) = ctx.visibility.may_write_under(live(&parent)) {
                return Ok(Err(e));
            }
            let added = match contact::add(parent.as_ref(), existing.as_ref(), new) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            let v = log::next_version(conn).await?;
            contacts::insert(conn, &added, v, at, by).await?;
            ctx.audit(conn, "contact", new.id.as_uuid(), v, None, Some(&added)).await?;
            Ok(Ok(v))
        }
        Op::ContactUpdate(patch) => {
            let existing = contacts::load(conn, patch.id, RowLock::Update).await?;
            if let Err(e) = may_write_contact(conn, ctx, live(&existing)).await? {
                return Ok(Err(e));
            }
            let updated = match contact::update(existing.as_ref(), patch) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            let overwrites =
                live(&existing).map(|b| conflict::overwrites(b, &updated, &patch.seen)).unwrap_or_default();
            let overwritten_by = match overwrites.is_empty() {
                true => None,
                false => conflicts::last_writer(conn, false, patch.id.as_uuid()).await?,
            };
            let v = log::next_version(conn).await?;
            contacts::update(conn, &updated, v, at, by).await?;
            let origin = conflicts::Origin {
                entity: "contact",
                record_id: patch.id.as_uuid(),
                account_id: updated.account_id,
                record_name: updated.name.as_str(),
                kept_by: by,
                overwritten_by,
            };
            for o in &overwrites {
                conflicts::insert(conn, &origin, o, v, at).await?;
            }
            ctx.audit(conn, "contact", patch.id.as_uuid(), v, live(&existing), Some(&updated)).await?;
            Ok(Ok(v))
        }
        Op::ConflictResolve(r) => {
            let Some(c) = conflicts::load_for_update(conn, r.id).await? else {
                return Ok(Err(RuleError::NotFound { entity: "conflict", id: r.id.to_string() }));
            };
            if c.resolution.is_some() {
                return Ok(Err(RuleError::AlreadyResolved { id: r.id.to_string() }));
            }
            let account = accounts::load(conn, AccountId::from_uuid(c.account_id), RowLock::Share).await?;
            if let Err(e) = ctx.visibility.may_write_under(live(&account)) {
                return Ok(Err(e));
            }
            let v = match r.keep {
                Keep::Current => log::next_version(conn).await?,
                Keep::Overwritten => {
                    // Putting the value back is an ordinary edit through the same rules.
                    let restore = match c.entity.as_str() {
                        "account" => conflict::restore_account(
                            AccountId::from_uuid(c.record_id),
                            &c.field,
                            c.overwritten.as_deref(),
                        )
                        .map(Op::AccountUpdate),
                        _ => conflict::restore_contact(
                            ContactId::from_uuid(c.record_id),
                            &c.field,
                            c.overwritten.as_deref(),
                        )
                        .map(Op::ContactUpdate),
                    };
                    let op = match restore {
                        Ok(op) => op,
                        Err(e) => return Ok(Err(RuleError::Invalid(e))),
                    };
                    match Box::pin(apply_op_in(conn, ctx, &op)).await? {
                        Ok(v) => v,
                        Err(e) => return Ok(Err(e)),
                    }
                }
            };
            conflicts::resolve(conn, r.id, by, r.keep, v, at).await?;
            Ok(Ok(v))
        }
        Op::ContactDelete(d) => {
            let row = contacts::load_row(conn, d.id, RowLock::Update).await?;
            let existing = match &row {
                None => Existing::Missing,
                Some(r) => r.to_existing()?,
            };
            if let Err(e) = may_write_contact(conn, ctx, live(&existing)).await? {
                return Ok(Err(e));
            }
            match contact::delete(existing.as_ref(), d.id) {
                Err(e) => Ok(Err(e)),
                Ok(false) => Ok(Ok(row.map_or(0, |r| r.version))),
                Ok(true) => {
                    let v = log::next_version(conn).await?;
                    contacts::tombstone(conn, d.id, v, at, by).await?;
                    ctx.audit(conn, "contact", d.id.as_uuid(), v, live(&existing), None).await?;
                    Ok(Ok(v))
                }
            }
        }
        Op::AccountMerge(m) => merge_accounts(conn, ctx, m).await,
        // Handled above, before this match.
        erp => Ok(Err(RuleError::Invalid(
            tandem_core::FieldError::new("mutation", format!("{} was not applied", erp.name())).into(),
        ))),
    }
}

/// `account.merge`: folds one account into another in one version. Locks, in order: both
/// accounts (in id order), the merged account's contacts and documents, the survivor's
/// profile; then the clock.
async fn merge_accounts(
    conn: &mut PgConnection,
    ctx: &Ctx<'_>,
    m: &tandem_sync::erp::AccountMerge,
) -> Result<Result<i64, RuleError>, StoreError> {
    let (by, at) = (ctx.actor.user, ctx.at);
    let (first, second) = if m.keep.as_uuid() <= m.merged.as_uuid() { (m.keep, m.merged) } else { (m.merged, m.keep) };
    let a = accounts::load(conn, first, RowLock::Update).await?;
    let b = accounts::load(conn, second, RowLock::Update).await?;
    let (keep, merged) = if first == m.keep { (a, b) } else { (b, a) };
    let keep = match keep.live("account", m.keep.to_string()) {
        Ok(k) => k,
        Err(e) => return Ok(Err(e)),
    };
    let merged = match merged.live("account", m.merged.to_string()) {
        Ok(k) => k,
        Err(e) => return Ok(Err(e)),
    };
    if let Err(e) = ctx.visibility.may_write(Some(&keep), Some(&keep)) {
        return Ok(Err(e));
    }
    if let Err(e) = ctx.visibility.may_write(Some(&merged), None) {
        return Ok(Err(e));
    }
    if docs::load(conn, m.note.as_uuid(), RowLock::Update).await?.is_some() {
        return Ok(Err(RuleError::AlreadyExists { entity: "activity", id: m.note.to_string() }));
    }
    let contacts = contacts::live_of_account_for_update(conn, m.merged).await?;
    let moving = docs::of_account_for_update(conn, m.merged).await?;
    let keep_profile = match docs::load(conn, m.keep.as_uuid(), RowLock::Update).await? {
        Some(Doc::Profile(p)) => Some(p),
        _ => None,
    };
    let keep_terms = docs::load(conn, tandem_sync::erp::terms_id(m.keep), RowLock::Update).await?;
    let who = match tandem_core::crm::UserName::parse(ctx.user_name) {
        Ok(u) => u,
        Err(e) => return Ok(Err(RuleError::Invalid(e.into()))),
    };
    let plan = match tandem_sync::erp::plan_merge(
        m,
        &keep,
        &merged,
        contacts.len(),
        moving,
        keep_profile.as_ref(),
        keep_terms.is_some(),
        who,
        at.naive_utc(),
    ) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };

    // The before states of the documents written (locked above, or new); a document deleted
    // first has none.
    let ids: Vec<Uuid> = plan.writes.iter().map(Doc::id).collect();
    let mut stored = docs::lock_for_write(conn, &ids).await?;
    for d in &plan.deletes {
        stored.remove(&d.id());
    }

    let v = log::next_version(conn).await?;
    accounts::update(conn, &plan.survivor, v, at, by).await?;
    let mut audit = AuditRows::default();
    audit.record("account", m.keep.as_uuid(), Some(&keep), Some(&plan.survivor))?;
    for c in &contacts {
        let moved = tandem_core::Contact { account_id: m.keep, ..c.clone() };
        contacts::update(conn, &moved, v, at, by).await?;
        audit.record("contact", c.id.as_uuid(), Some(c), Some(&moved))?;
    }
    for before in &plan.deletes {
        docs::tombstone(conn, before.id(), v).await?;
        audit.record(before.kind(), before.id(), Some(before), None)?;
    }
    // The documents a merge writes are the survivor's customer documents: none leaves a
    // territory, so there are no exits to record.
    doc_changes(&plan.writes, &stored, &mut audit)?;
    docs::put_many(conn, &plan.writes, v).await?;
    accounts::tombstone(conn, m.merged, v, at, by).await?;
    audit.record("account", m.merged.as_uuid(), Some(&merged), None)?;
    log::insert_audits(conn, &ctx.head(), v, &audit).await?;
    Ok(Ok(v))
}
