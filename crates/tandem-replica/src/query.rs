//! Reads behind the screens. Lists are paged by key (the last row's sort value and id), never
//! by OFFSET, so the millionth row costs what the first does.

use crate::error::{ReplicaError, Result};
use crate::replica::Replica;
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use std::str::FromStr;
use tandem_core::AccountId;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    #[default]
    Name,
    City,
    Updated,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    pub search: String,
    pub sort: SortKey,
    pub dir: SortDir,
    /// The `next` of the previous page.
    pub after: Option<String>,
    pub limit: u32,
    /// Only accounts with this tag (any case).
    pub tag: Option<String>,
    /// Only accounts this user owns.
    pub owner: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[serde(rename_all = "camelCase")]
pub struct AccountRow {
    pub id: String,
    pub name: String,
    pub vat_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub territory: Option<String>,
    pub contact_count: i64,
    pub pending: bool,
    pub updated_at: String,
    /// From the account's profile.
    pub owner: Option<String>,
    #[sqlx(skip)]
    pub tags: Vec<String>,
    #[serde(skip)]
    tags_json: Option<String>,
    #[serde(skip)]
    #[sqlx(default)]
    sort_value: String,
}

impl AccountRow {
    fn with_tags(mut self) -> Self {
        self.tags = self.tags_json.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromRow)]
#[serde(rename_all = "camelCase")]
pub struct ContactRow {
    pub id: String,
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub pending: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetail {
    pub account: AccountRow,
    pub contacts: Vec<ContactRow>,
    /// Owner, tags and custom values.
    pub profile: crate::profiles::ProfileView,
}

const ACCOUNT_COLUMNS: &str = "a.id, a.name, a.vat_id, a.email, a.phone, a.city, a.territory, a.pending, a.updated_at,
    (SELECT COUNT(*) FROM contacts c WHERE c.account_id = a.id AND c.deleted = 0) AS contact_count,
    (SELECT json_extract(p.data, '$.data.owner') FROM docs p WHERE p.id = a.id AND p.kind = 'profile') AS owner,
    (SELECT json_extract(p.data, '$.data.tags') FROM docs p WHERE p.id = a.id AND p.kind = 'profile') AS tags_json";

/// The tag and owner filters of the accounts list (`?5`, `?6`).
const PROFILE_FILTER: &str = " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM docs p, json_each(p.data, '$.data.tags') t
        WHERE p.id = a.id AND p.kind = 'profile' AND lower(t.value) = ?5))
    AND (?6 IS NULL OR EXISTS (SELECT 1 FROM docs p
        WHERE p.id = a.id AND p.kind = 'profile' AND lower(json_extract(p.data, '$.data.owner')) = ?6))";

pub const MAX_PAGE: u32 = 1_000;

fn like_pattern(search: &str) -> Option<String> {
    let s = search.trim().to_lowercase();
    if s.is_empty() {
        return None;
    }
    let escaped: String = s
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Some(format!("%{escaped}%"))
}

impl Replica {
    /// One page of live accounts matching `search`, in the asked order.
    pub async fn list_accounts(&self, q: &ListQuery) -> Result<Page<AccountRow>> {
        let limit = q.limit.clamp(1, MAX_PAGE);
        // Only these fixed fragments are spliced in; every value is bound.
        let (column, cast) = match q.sort {
            SortKey::Name => ("a.name_key", "a.name_key"),
            SortKey::City => ("a.city_key", "a.city_key"),
            SortKey::Updated => ("a.touched", "CAST(a.touched AS TEXT)"),
        };
        let (cmp, order) = match q.dir {
            SortDir::Asc => (">", "ASC"),
            SortDir::Desc => ("<", "DESC"),
        };
        let pattern = like_pattern(&q.search);
        let filter = "(a.name_key LIKE ?1 ESCAPE '\\' OR a.city_key LIKE ?1 ESCAPE '\\' OR lower(COALESCE(a.email, '')) LIKE ?1 ESCAPE '\\')";
        let after = q.after.as_deref().map(parse_key).transpose()?;
        let mut sql = format!("SELECT {ACCOUNT_COLUMNS}, {cast} AS sort_value FROM accounts a WHERE a.deleted = 0");
        if pattern.is_some() {
            sql.push_str(&format!(" AND {filter}"));
        }
        let norm = |s: &Option<String>| s.as_deref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
        let (tag, owner) = (norm(&q.tag), norm(&q.owner));
        sql.push_str(PROFILE_FILTER);
        if after.is_some() {
            sql.push_str(&format!(" AND ({column}, a.id) {cmp} (?2, ?3)"));
        }
        sql.push_str(&format!(" ORDER BY {column} {order}, a.id {order} LIMIT ?4"));
        let mut query = sqlx::query_as::<_, AccountRow>(&sql).bind(pattern.clone());
        let (key, id) = match &after {
            Some((k, id)) => (Some(k.clone()), Some(id.clone())),
            None => (None, None),
        };
        query = match q.sort {
            SortKey::Updated => query.bind(key.map(|k| k.parse::<i64>().unwrap_or(0))),
            _ => query.bind(key),
        };
        let items = query
            .bind(id)
            .bind(i64::from(limit) + 1)
            .bind(tag.clone())
            .bind(owner.clone())
            .fetch_all(&self.pool)
            .await?;

        let mut count_sql = String::from("SELECT COUNT(*) FROM accounts a WHERE a.deleted = 0");
        if pattern.is_some() {
            count_sql.push_str(&format!(" AND {filter}"));
        }
        count_sql.push_str(PROFILE_FILTER);
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(pattern)
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind(tag)
            .bind(owner)
            .fetch_one(&self.pool)
            .await?;

        let mut items: Vec<AccountRow> = items.into_iter().map(AccountRow::with_tags).collect();
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|r| format!("{}\t{}", r.sort_value, r.id))
        } else {
            None
        };
        Ok(Page { items, next, total })
    }

    pub async fn account(&self, id: &str) -> Result<AccountDetail> {
        let aid = AccountId::from_str(id).map_err(|e| ReplicaError::BadInput(e.message))?;
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ? AND a.deleted = 0");
        let account = sqlx::query_as::<_, AccountRow>(&sql)
            .bind(aid.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| tandem_core::RuleError::NotFound { entity: "account", id: aid.to_string() })?;
        let contacts = self.contacts_of(&account.id).await?;
        let profile = self.profile(&account.id).await?;
        Ok(AccountDetail { account: account.with_tags(), contacts, profile })
    }

    pub async fn contacts_of(&self, account_id: &str) -> Result<Vec<ContactRow>> {
        let aid = AccountId::from_str(account_id).map_err(|e| ReplicaError::BadInput(e.message))?;
        Ok(sqlx::query_as::<_, ContactRow>(
            "SELECT id, account_id, name, email, phone, pending FROM contacts WHERE account_id = ? AND deleted = 0 ORDER BY name, id",
        )
        .bind(aid.to_string())
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn contact(&self, id: &str) -> Result<ContactRow> {
        sqlx::query_as::<_, ContactRow>(
            "SELECT id, account_id, name, email, phone, pending FROM contacts WHERE id = ? AND deleted = 0",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| tandem_core::RuleError::NotFound { entity: "contact", id: id.to_owned() }.into())
    }

    /// Every live account, for small exports and tests (the UI pages instead).
    pub async fn all_accounts(&self) -> Result<Vec<AccountRow>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.deleted = 0 ORDER BY a.name_key, a.id");
        let rows = sqlx::query_as::<_, AccountRow>(&sql).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(AccountRow::with_tags).collect())
    }

    /// Every live contact of every account, paged by id (`after`: the previous page's `next`),
    /// for the CSV export.
    pub async fn contacts_page(&self, after: Option<&str>, limit: u32) -> Result<crate::DocPage<ContactRow>> {
        let limit = limit.clamp(1, MAX_PAGE);
        let after = after
            .map(|a| {
                tandem_core::ContactId::from_str(a).map_err(|e| ReplicaError::BadInput(format!("after: {}", e.message)))
            })
            .transpose()?;
        let mut items = sqlx::query_as::<_, ContactRow>(
            "SELECT id, account_id, name, email, phone, pending FROM contacts
              WHERE deleted = 0 AND (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2",
        )
        .bind(after.map(|a| a.to_string()))
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let next = (items.len() > limit as usize).then(|| {
            items.truncate(limit as usize);
            items.last().map(|c| c.id.clone())
        });
        Ok(crate::DocPage { items, next: next.flatten() })
    }
}

fn parse_key(s: &str) -> Result<(String, String)> {
    let (k, id) =
        s.rsplit_once('\t').ok_or_else(|| ReplicaError::BadInput("after: not a page key from this list".into()))?;
    AccountId::from_str(id).map_err(|_| ReplicaError::BadInput("after: not a page key from this list".into()))?;
    Ok((k.to_owned(), id.to_owned()))
}
