//! Applying a mutation to the local view through the tandem-core rules (the optimistic half of
//! "a rule is written once"; the server runs the same rules authoritatively).

use crate::error::Result;
use crate::store::{self, Origin, Touch};
use sqlx::SqliteConnection;
use tandem_core::{account, contact, AccountId, ContactId, Existing, RuleError};
use tandem_sync::Op;

/// The outcome of applying one op: a rule refusal is an ordinary answer, not a failure.
pub(crate) async fn apply(
    conn: &mut SqliteConnection,
    touch: &mut Touch,
    op: &Op,
    origin: Origin,
) -> Result<Result<(), RuleError>> {
    let refused = |e: RuleError| Ok(Err(e));
    if op.is_erp() {
        return crate::erp::apply_local(conn, op, origin).await;
    }
    match op {
        Op::AccountCreate(new) => {
            let existing = store::load_account(conn, new.id).await?;
            match account::create(existing.as_ref(), new) {
                Ok(a) => store::put_account(conn, touch, &a, origin).await?,
                Err(e) => return refused(e),
            }
        }
        Op::AccountUpdate(patch) => {
            let existing = store::load_account(conn, patch.id).await?;
            match account::update(existing.as_ref(), patch) {
                Ok(a) => store::put_account(conn, touch, &a, origin).await?,
                Err(e) => return refused(e),
            }
        }
        Op::AccountDelete(d) => {
            let existing = store::load_account(conn, d.id).await?;
            match account::delete(existing.as_ref(), d.id) {
                Ok(true) => store::tombstone_account(conn, touch, d.id, origin).await?,
                Ok(false) => {}
                Err(e) => return refused(e),
            }
        }
        Op::ContactAdd(new) => {
            let parent = store::load_account(conn, new.account_id).await?;
            let existing = store::load_contact(conn, new.id).await?;
            match contact::add(parent.as_ref(), existing.as_ref(), new) {
                Ok(c) => store::put_contact(conn, &c, origin).await?,
                Err(e) => return refused(e),
            }
        }
        Op::ContactUpdate(patch) => {
            let existing = store::load_contact(conn, patch.id).await?;
            match contact::update(existing.as_ref(), patch) {
                Ok(c) => store::put_contact(conn, &c, origin).await?,
                Err(e) => return refused(e),
            }
        }
        // Optimistic: put the overwritten value back in the view; the server settles the
        // conflict itself (it leaves the list once the resolution is in the outbox).
        Op::ConflictResolve(r) if r.keep == tandem_sync::Keep::Overwritten => {
            let row: Option<String> = sqlx::query_scalar("SELECT data FROM conflicts WHERE id = ?")
                .bind(r.id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            let Some(json) = row else {
                return refused(RuleError::NotFound { entity: "conflict", id: r.id.to_string() });
            };
            let c: tandem_sync::ConflictRecord =
                serde_json::from_str(&json).map_err(|e| crate::ReplicaError::Corrupt(e.to_string()))?;
            let restore = match c.entity.as_str() {
                "account" => tandem_core::conflict::restore_account(
                    AccountId::from_uuid(c.record_id),
                    &c.field,
                    c.overwritten.as_deref(),
                )
                .map(Op::AccountUpdate),
                _ => tandem_core::conflict::restore_contact(
                    ContactId::from_uuid(c.record_id),
                    &c.field,
                    c.overwritten.as_deref(),
                )
                .map(Op::ContactUpdate),
            };
            match restore {
                Ok(op) => return Box::pin(apply(conn, touch, &op, origin)).await,
                Err(e) => return refused(RuleError::Invalid(e)),
            }
        }
        Op::ContactDelete(d) => {
            let existing = store::load_contact(conn, d.id).await?;
            let account_id = match &existing {
                Existing::Live(c) => Some(c.account_id),
                _ => None,
            };
            match contact::delete(existing.as_ref(), d.id) {
                Ok(true) => store::tombstone_contact(conn, d.id, account_id, origin).await?,
                Ok(false) => {}
                Err(e) => return refused(e),
            }
        }
        Op::AccountMerge(m) => return crate::profiles::apply_merge(conn, touch, m, origin).await,
        // Handled above.
        _ => {}
    }
    Ok(Ok(()))
}

/// The records an op writes directly (contacts cascaded by an account delete are found from the
/// account when the view is rebuilt).
#[derive(Debug, Default)]
pub(crate) struct Touched {
    pub accounts: Vec<AccountId>,
    pub contacts: Vec<ContactId>,
    /// Order-to-cash documents a local op wrote (drafts).
    pub docs: Vec<uuid::Uuid>,
    /// Accounts whose documents all go back to base (a merge moved them between accounts).
    pub docs_of_accounts: Vec<AccountId>,
}

impl Touched {
    pub(crate) fn add(&mut self, op: &Op) {
        match op {
            Op::AccountCreate(a) => self.accounts.push(a.id),
            Op::AccountUpdate(p) => self.accounts.push(p.id),
            Op::AccountDelete(d) => self.accounts.push(d.id),
            Op::ContactAdd(c) => self.contacts.push(c.id),
            Op::ContactUpdate(p) => self.contacts.push(p.id),
            Op::ContactDelete(d) => self.contacts.push(d.id),
            // The record it may restore is only known from the conflict; a pull brings it.
            Op::ConflictResolve(_) => {}
            Op::AccountMerge(m) => {
                self.accounts.extend([m.keep, m.merged]);
                self.docs_of_accounts.extend([m.keep, m.merged]);
                self.docs.push(m.note.as_uuid());
                self.docs.push(m.keep.as_uuid());
            }
            erp => self.docs.extend(crate::erp::touches(erp)),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.accounts.is_empty() && self.contacts.is_empty() && self.docs.is_empty()
    }
}
