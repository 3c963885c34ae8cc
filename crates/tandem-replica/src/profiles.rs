//! Owners, tags and custom values of accounts and contacts (their profiles), likely duplicate
//! accounts, and merging one account into another — on the device first (offline too) through
//! the tandem-core rules, then decided again by the server.

use crate::docs;
use crate::error::{ReplicaError, Result};
use crate::replica::Replica;
use crate::store::{self, Origin, Touch};
use chrono::Utc;
use sqlx::SqliteConnection;
use std::str::FromStr;
use tandem_core::crm::profile::{self, AccountDuplicate, Profile, ProfileInput, ProfileTarget};
use tandem_core::crm::settings::CrmSettings;
use tandem_core::crm::{CrmEntity, UserName};
use tandem_core::id::ActivityId;
use tandem_core::{AccountId, ContactId, Existing, RuleError};
use tandem_sync::erp::{plan_merge, terms_id, AccountMerge, ProfileUpdate};
use tandem_sync::{Doc, Op};
use uuid::Uuid;

fn bad_id(what: &str, raw: &str) -> ReplicaError {
    ReplicaError::BadInput(format!("{raw:?} is not {what} id"))
}

async fn defs(conn: &mut SqliteConnection) -> Result<Vec<tandem_core::crm::custom::FieldDef>> {
    Ok(match docs::load(conn, CrmSettings::ID).await? {
        Some(Doc::CrmSettings(s)) => s.fields,
        _ => Vec::new(),
    })
}

/// The optimistic half of `profile.update`.
pub(crate) async fn apply_update(
    conn: &mut SqliteConnection,
    u: &ProfileUpdate,
) -> Result<std::result::Result<Vec<Doc>, RuleError>> {
    let t = u.target;
    match t.entity {
        CrmEntity::Account => {
            if let Err(e) = store::load_account(conn, t.account).await?.live("account", t.account.to_string()) {
                return Ok(Err(e));
            }
        }
        CrmEntity::Contact => {
            let id = ContactId::from_uuid(t.id);
            match store::load_contact(conn, id).await?.live("contact", id.to_string()) {
                Ok(c) if c.account_id == t.account => {}
                Ok(c) => {
                    return Ok(Err(RuleError::Invalid(
                        tandem_core::FieldError::new(
                            "account",
                            format!("contact {id} belongs to account {}, not {}", c.account_id, t.account),
                        )
                        .into(),
                    )))
                }
                Err(e) => return Ok(Err(e)),
            }
        }
        _ => {}
    }
    let existing = match docs::load(conn, t.id).await? {
        Some(Doc::Profile(p)) => Some(p),
        Some(_) => return Ok(Err(RuleError::AlreadyExists { entity: "profile", id: t.id.to_string() })),
        None => None,
    };
    let defs = defs(conn).await?;
    Ok(profile::update(existing.as_ref(), t, &u.input, &defs).map(|p| vec![Doc::Profile(p)]))
}

/// The live documents of `account` in the view.
async fn docs_of(conn: &mut SqliteConnection, account: AccountId) -> Result<Vec<Doc>> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT data FROM docs WHERE account_id = ? ORDER BY id")
        .bind(account.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|j| serde_json::from_str(j).map_err(|e| ReplicaError::Corrupt(format!("document: {e}")))).collect()
}

/// The optimistic half of `account.merge` (the server runs the same rules on its own state).
pub(crate) async fn apply_merge(
    conn: &mut SqliteConnection,
    touch: &mut Touch,
    m: &AccountMerge,
    origin: Origin,
) -> Result<std::result::Result<(), RuleError>> {
    let keep = match store::load_account(conn, m.keep).await?.live("account", m.keep.to_string()) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    let merged = match store::load_account(conn, m.merged).await?.live("account", m.merged.to_string()) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    let moving = docs_of(conn, m.merged).await?;
    let contact_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM contacts WHERE account_id = ? AND deleted = 0")
        .bind(m.merged.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let keep_profile = match docs::load(conn, m.keep.as_uuid()).await? {
        Some(Doc::Profile(p)) => Some(p),
        _ => None,
    };
    let keep_terms = docs::load(conn, terms_id(m.keep)).await?;
    let user = crate::replica::meta_get(conn, "user").await?.unwrap_or_else(|| "me".into());
    let who = UserName::parse(&user).unwrap_or_else(|_| UserName::parse("me").expect("a valid name"));
    let plan = match plan_merge(
        m,
        &keep,
        &merged,
        contact_ids.len(),
        moving,
        keep_profile.as_ref(),
        keep_terms.is_some(),
        who,
        Utc::now().naive_utc(),
    ) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };

    store::put_account(conn, touch, &plan.survivor, origin).await?;
    for id in &contact_ids {
        let cid = ContactId::from_str(id).map_err(|e| ReplicaError::Corrupt(e.to_string()))?;
        if let Existing::Live(c) = store::load_contact(conn, cid).await? {
            store::put_contact(conn, &tandem_core::Contact { account_id: m.keep, ..c }, origin).await?;
        }
    }
    for d in &plan.deletes {
        docs::remove(conn, d.id()).await?;
    }
    for d in &plan.writes {
        docs::put(conn, d, origin).await?;
    }
    store::tombstone_account(conn, touch, m.merged, origin).await?;
    Ok(Ok(()))
}

/// An account's or contact's profile with the labels of its custom fields, for a form.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub owner: Option<String>,
    pub tags: Vec<String>,
    /// key → the value as text (as a form shows and edits it).
    pub custom: std::collections::BTreeMap<String, String>,
}

impl From<Option<Profile>> for ProfileView {
    fn from(p: Option<Profile>) -> Self {
        match p {
            None => ProfileView { owner: None, tags: Vec::new(), custom: Default::default() },
            Some(p) => ProfileView {
                owner: p.owner.map(|o| o.to_string()),
                tags: p.tags.iter().map(ToString::to_string).collect(),
                custom: p.custom.iter().map(|(k, v)| (k.to_string(), v.to_raw())).collect(),
            },
        }
    }
}

impl Replica {
    /// The profile of an account or a contact (empty when it has none yet).
    pub async fn profile(&self, id: &str) -> Result<ProfileView> {
        let id = Uuid::from_str(id.trim()).map_err(|_| bad_id("a record", id))?;
        let mut conn = self.pool.acquire().await?;
        Ok(match docs::load(&mut conn, id).await? {
            Some(Doc::Profile(p)) => Some(p),
            _ => None,
        }
        .into())
    }

    async fn target(&self, entity: CrmEntity, id: &str) -> Result<ProfileTarget> {
        let mut conn = self.pool.acquire().await?;
        match entity {
            CrmEntity::Account => {
                let aid = AccountId::from_str(id.trim()).map_err(|_| bad_id("an account", id))?;
                store::load_account(&mut conn, aid).await?.live("account", aid.to_string())?;
                Ok(ProfileTarget::account(aid))
            }
            CrmEntity::Contact => {
                let cid = ContactId::from_str(id.trim()).map_err(|_| bad_id("a contact", id))?;
                let c = store::load_contact(&mut conn, cid).await?.live("contact", cid.to_string())?;
                Ok(ProfileTarget::contact(cid, c.account_id))
            }
            other => Err(ReplicaError::BadInput(format!("{other} records have no owner or tags"))),
        }
    }

    /// Edits the owner, tags or custom values of one account or contact.
    pub async fn edit_profile(&self, entity: CrmEntity, id: &str, input: &ProfileInput) -> Result<ProfileView> {
        let target = self.target(entity, id).await?;
        self.mutate(Op::ProfileUpdate(ProfileUpdate { target, input: input.clone() })).await?;
        self.profile(&target.id.to_string()).await
    }

    /// The same edit (owner, tags set, added or removed, custom values) on several accounts or
    /// contacts: all or none (one refusal changes nothing). Returns how many were edited.
    pub async fn bulk_edit_profiles(&self, entity: CrmEntity, ids: &[String], input: &ProfileInput) -> Result<usize> {
        if ids.is_empty() {
            return Err(ReplicaError::BadInput("select at least one record".into()));
        }
        let mut ops = Vec::with_capacity(ids.len());
        for id in ids {
            let target = self.target(entity, id).await?;
            ops.push(Op::ProfileUpdate(ProfileUpdate { target, input: input.clone() }));
        }
        self.mutate_all(&ops).await?;
        Ok(ops.len())
    }

    /// Pairs of live accounts that may be one company, strongest first.
    pub async fn account_duplicates(&self) -> Result<Vec<AccountDuplicate>> {
        let mut conn = self.pool.acquire().await?;
        Ok(profile::account_duplicates(&store::live_accounts(&mut conn).await?))
    }

    /// Merges account `merged` into `keep` (see `account.merge`); returns the id of the note
    /// it leaves on `keep`'s timeline.
    pub async fn merge_accounts(&self, keep: &str, merged: &str) -> Result<ActivityId> {
        let keep = AccountId::from_str(keep.trim()).map_err(|_| bad_id("an account", keep))?;
        let merged = AccountId::from_str(merged.trim()).map_err(|_| bad_id("an account", merged))?;
        let note = ActivityId::from_uuid(Uuid::now_v7());
        self.mutate(Op::AccountMerge(AccountMerge { keep, merged, note })).await?;
        Ok(note)
    }
}
