//! Activities on the device: calls, meetings, tasks, e-mails and notes on the timeline of an
//! account, contact, deal or lead; reminders; the calendar. Written here first (offline too),
//! decided again by the server.

use crate::docs;
use crate::erp::DocPage;
use crate::error::{ReplicaError, Result};
use crate::replica::Replica;
use crate::store;
use chrono::{Local, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::str::FromStr;
use tandem_core::crm::activity::{self, Activity, ActivityInput, Links};
use tandem_core::crm::eml;
use tandem_core::crm::UserName;
use tandem_core::id::{ActivityId, DealId, LeadId};
use tandem_core::{AccountId, ContactId, Existing, FieldError, RuleError};
use tandem_sync::erp::{ActivityAt, ActivityReschedule};
use tandem_sync::{Doc, Op};
use uuid::Uuid;

fn field(e: FieldError, name: &str) -> ReplicaError {
    ReplicaError::Validation(e.on(name).into())
}

fn parse_id<T: FromStr<Err = FieldError>>(raw: &str, name: &str) -> Result<T> {
    T::from_str(raw.trim()).map_err(|e| field(e, name))
}

/// The timeline order: newest first (an activity's time, else when it was made).
pub(crate) fn sort_key(a: &Activity) -> String {
    let t = a.when().unwrap_or(a.created).and_utc().timestamp();
    format!("{:012}|{}", 99_999_999_999i64.saturating_sub(t), a.id)
}

/// What an activity is about, as typed (ids); the account is found from a contact or deal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkInput {
    pub account: Option<String>,
    pub contact: Option<String>,
    pub deal: Option<String>,
    pub lead: Option<String>,
}

pub(crate) fn touches(op: &Op) -> Vec<Uuid> {
    match op {
        Op::ActivityCreate(a) => vec![a.id.as_uuid()],
        Op::ActivityComplete(x) | Op::ActivityReminded(x) => vec![x.id.as_uuid()],
        Op::ActivityReschedule(x) => vec![x.id.as_uuid()],
        _ => vec![],
    }
}

pub(crate) async fn apply_local(
    conn: &mut SqliteConnection,
    op: &Op,
) -> Result<Option<std::result::Result<Vec<Doc>, RuleError>>> {
    Ok(Some(match op {
        Op::ActivityCreate(a) => {
            if let Err(e) = activity::check(a) {
                return Ok(Some(Err(e)));
            }
            if docs::load(conn, a.id.as_uuid()).await?.is_some() {
                return Ok(Some(Err(RuleError::AlreadyExists { entity: "activity", id: a.id.to_string() })));
            }
            Ok(vec![Doc::Activity((**a).clone())])
        }
        Op::ActivityComplete(x) | Op::ActivityReminded(x) => {
            let Some(Doc::Activity(mut a)) = docs::load(conn, x.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "activity", id: x.id.to_string() })));
            };
            if matches!(op, Op::ActivityComplete(_)) {
                activity::complete(&mut a, x.at).map(|()| vec![Doc::Activity(a)])
            } else {
                activity::mark_reminded(&mut a, x.at);
                Ok(vec![Doc::Activity(a)])
            }
        }
        Op::ActivityReschedule(x) => {
            let Some(Doc::Activity(mut a)) = docs::load(conn, x.id.as_uuid()).await? else {
                return Ok(Some(Err(RuleError::NotFound { entity: "activity", id: x.id.to_string() })));
            };
            activity::reschedule(&mut a, x.due, x.reminder).map(|()| vec![Doc::Activity(a)])
        }
        _ => return Ok(None),
    }))
}

fn now() -> NaiveDateTime {
    Local::now().naive_local()
}

async fn activities_where(conn: &mut SqliteConnection, sql_filter: &str, binds: &[String]) -> Result<Vec<Activity>> {
    let sql = format!("SELECT data FROM docs WHERE kind = 'activity' AND {sql_filter}");
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for json in rows {
        if let Doc::Activity(a) =
            serde_json::from_str(&json).map_err(|e| ReplicaError::Corrupt(format!("activity: {e}")))?
        {
            out.push(a);
        }
    }
    Ok(out)
}

impl Replica {
    /// The links as stored: the account of a linked contact or deal filled in, and the
    /// territory of a lead linked alone (it decides who sees the activity).
    async fn resolve_links(&self, input: &LinkInput) -> Result<Links> {
        let mut conn = self.pool.acquire().await?;
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let mut links = Links {
            account: text(&input.account).map(|a| parse_id::<AccountId>(&a, "account")).transpose()?,
            contact: text(&input.contact).map(|a| parse_id::<ContactId>(&a, "contact")).transpose()?,
            deal: text(&input.deal).map(|a| parse_id::<DealId>(&a, "deal")).transpose()?,
            lead: text(&input.lead).map(|a| parse_id::<LeadId>(&a, "lead")).transpose()?,
            territory: None,
        };
        if let Some(id) = links.deal {
            match docs::load(&mut conn, id.as_uuid()).await? {
                Some(Doc::Deal(d)) => {
                    if links.account.is_some_and(|a| a != d.account) {
                        return Err(field(FieldError::new("deal", "belongs to another account"), "deal"));
                    }
                    links.account = Some(d.account);
                }
                _ => return Err(RuleError::NotFound { entity: "deal", id: id.to_string() }.into()),
            }
        }
        if let Some(id) = links.contact {
            match store::load_contact(&mut conn, id).await? {
                Existing::Live(c) => {
                    if links.account.is_some_and(|a| a != c.account_id) {
                        return Err(field(FieldError::new("contact", "works at another account"), "contact"));
                    }
                    links.account = Some(c.account_id);
                }
                other => {
                    other.live("contact", id.to_string())?;
                }
            }
        }
        if let Some(id) = links.lead {
            match docs::load(&mut conn, id.as_uuid()).await? {
                Some(Doc::Lead(l)) if links.account.is_none() => links.territory = l.territory,
                Some(Doc::Lead(_)) => {}
                _ => return Err(RuleError::NotFound { entity: "lead", id: id.to_string() }.into()),
            }
        }
        Ok(links)
    }

    /// Plans a call, meeting or task (or notes one done): every bad field at once.
    pub async fn add_activity(&self, links: &LinkInput, input: &ActivityInput) -> Result<ActivityId> {
        let links = self.resolve_links(links).await?;
        let mut input = input.clone();
        if input.assignee.as_deref().is_none_or(|a| a.trim().is_empty()) {
            input.assignee = Some(self.meta("user").await?.unwrap_or_else(|| "me".into()));
        }
        let id = ActivityId::from_uuid(Uuid::now_v7());
        let a = activity::create(id, links, &input, now())?;
        self.mutate(Op::ActivityCreate(Box::new(a))).await?;
        Ok(id)
    }

    /// Logs an e-mail (an .eml file, or pasted source) as a done activity on the timeline.
    pub async fn log_email(&self, links: &LinkInput, source: &[u8]) -> Result<ActivityId> {
        let links = self.resolve_links(links).await?;
        let email = eml::parse_eml(source).map_err(|e| field(e, "email"))?;
        let me = UserName::parse(&self.meta("user").await?.unwrap_or_else(|| "me".into()))
            .map_err(|e| field(e, "assignee"))?;
        let id = ActivityId::from_uuid(Uuid::now_v7());
        let a = activity::log_email(id, links, &email, me, now())?;
        self.mutate(Op::ActivityCreate(Box::new(a))).await?;
        Ok(id)
    }

    pub async fn activity(&self, id: &str) -> Result<Activity> {
        let id: ActivityId = parse_id(id, "activity")?;
        match docs::load(&mut *self.pool.acquire().await?, id.as_uuid()).await? {
            Some(Doc::Activity(a)) => Ok(a),
            _ => Err(RuleError::NotFound { entity: "activity", id: id.to_string() }.into()),
        }
    }

    pub async fn complete_activity(&self, id: &str) -> Result<Activity> {
        let a = self.activity(id).await?;
        self.mutate(Op::ActivityComplete(ActivityAt { id: a.id, at: now() })).await?;
        self.activity(id).await
    }

    pub async fn reschedule_activity(&self, id: &str, due: &str, reminder: Option<&str>) -> Result<Activity> {
        let a = self.activity(id).await?;
        let due = activity::parse_datetime("due", due).map_err(|e| field(e, "due"))?;
        let reminder = reminder
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(|r| activity::parse_datetime("reminder", r))
            .transpose()
            .map_err(|e| field(e, "reminder"))?;
        let mut preview = a.clone();
        activity::reschedule(&mut preview, due, reminder)?;
        self.mutate(Op::ActivityReschedule(ActivityReschedule { id: a.id, due, reminder })).await?;
        self.activity(id).await
    }

    /// Marks a reminder as shown (it fires once, on every device of the user).
    pub async fn mark_reminded(&self, id: &str) -> Result<()> {
        let a = self.activity(id).await?;
        self.mutate(Op::ActivityReminded(ActivityAt { id: a.id, at: now() })).await
    }

    /// The timeline of an account (newest first, paged by key); of a deal, contact or lead when
    /// named instead.
    pub async fn timeline(&self, of: &LinkInput, after: Option<&str>, limit: u32) -> Result<DocPage<Activity>> {
        let pick = |want: LinkInput| {
            move |d: Doc| match d {
                Doc::Activity(a) => {
                    let same = |x: Option<String>, y: Option<String>| x.is_none() || x == y;
                    (same(want.contact.clone(), a.links.contact.map(|c| c.to_string()))
                        && same(want.deal.clone(), a.links.deal.map(|c| c.to_string()))
                        && same(want.lead.clone(), a.links.lead.map(|c| c.to_string())))
                    .then_some(a)
                }
                _ => None,
            }
        };
        let account = match (&of.account, &of.deal, &of.contact) {
            (Some(a), _, _) => Some(a.clone()),
            _ => self.resolve_links(of).await?.account.map(|a| a.to_string()),
        };
        self.page_of("activity", account.as_deref(), after, limit, pick(of.clone())).await
    }

    /// Reminders to show now: time passed, not done, not yet shown; mine only.
    pub async fn due_reminders(&self) -> Result<Vec<Activity>> {
        let me = self.meta("user").await?.unwrap_or_else(|| "me".into());
        let now = now();
        let mut conn = self.pool.acquire().await?;
        let candidates = activities_where(
            &mut conn,
            "json_extract(data, '$.data.reminder') <= ?1 AND json_extract(data, '$.data.done_at') IS NULL
             AND json_extract(data, '$.data.reminded_at') IS NULL AND json_extract(data, '$.data.assignee') = ?2",
            &[now.format("%Y-%m-%dT%H:%M:%S").to_string(), me],
        )
        .await?;
        Ok(activity::due_reminders(&candidates, now).into_iter().cloned().collect())
    }

    /// The activities of a day or of the week from `from` (a Monday), by time.
    pub async fn calendar(&self, from: NaiveDate, days: u64) -> Result<Vec<(NaiveDate, Vec<Activity>)>> {
        let to = from + chrono::Days::new(days);
        let mut conn = self.pool.acquire().await?;
        let list = activities_where(
            &mut conn,
            "coalesce(json_extract(data, '$.data.due'), json_extract(data, '$.data.done_at')) >= ?1
             AND coalesce(json_extract(data, '$.data.due'), json_extract(data, '$.data.done_at')) < ?2",
            &[from.to_string(), to.to_string()],
        )
        .await?;
        Ok((0..days)
            .map(|i| from + chrono::Days::new(i))
            .map(|d| (d, activity::day(&list, d).into_iter().cloned().collect()))
            .collect())
    }
}
