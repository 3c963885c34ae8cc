//! The global search: one SQLite FTS5 index over accounts, contacts, deals and leads, kept up
//! to date by triggers (migrations/sqlite/0005_search.sql; 0007 adds prefix indexes), queried as the user types.
//!
//! A device taking a fresh copy of the server's data (the first sync, or a reset) writes its
//! pages with the triggers paused and rebuilds the index once at the end ([`rebuild`]): indexing
//! a million arriving rows one by one made the first sync several times slower.

use crate::error::Result;
use crate::replica::{meta_clear, meta_get, meta_set, Replica};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

/// One hit: what it is, its id, its title and a line of detail, best match first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// `account`, `contact`, `deal` or `lead`.
    pub kind: String,
    pub id: String,
    /// The account the record belongs to (for a contact or a deal), to open it there.
    pub account: Option<String>,
    pub title: String,
    pub detail: String,
}

/// The FTS5 query for what the user typed: every word must match, each as a prefix ("acm gm"
/// finds "ACME GmbH"). Quotes are doubled, so no input is read as query syntax.
pub fn match_expression(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(8)
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// Up to this many matches are ranked (bm25); more (a common prefix such as "sch" over a
/// million names) would take hundreds of milliseconds, so those show title matches first.
const RANKED_AT_MOST: i64 = 1_000;

impl Replica {
    /// At most `limit` records matching `typed`: ranked by relevance (bm25, the title weighing
    /// more) when the matches are few, else title matches first, by title.
    pub async fn search(&self, typed: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let Some(expr) = match_expression(typed) else { return Ok(Vec::new()) };
        let limit = i64::from(limit.clamp(1, 200));
        let mut conn = self.pool.acquire().await?;
        let matches: i64 =
            sqlx::query_scalar("SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ?1 LIMIT ?2)")
                .bind(&expr)
                .bind(RANKED_AT_MOST + 1)
                .fetch_one(&mut *conn)
                .await?;
        const SELECT: &str = "SELECT k.kind, k.ref, k.account, s.title, s.detail
                                FROM search s JOIN search_keys k ON k.id = s.rowid WHERE search MATCH ?1";
        let rows = if matches <= RANKED_AT_MOST {
            sqlx::query(&format!("{SELECT} ORDER BY bm25(search, 4.0, 1.0) LIMIT ?2"))
                .bind(&expr)
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        } else {
            let mut rows = sqlx::query(&format!("{SELECT} LIMIT ?2"))
                .bind(format!("{{title}} : ({expr})"))
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?;
            if (rows.len() as i64) < limit {
                let more = sqlx::query(&format!("{SELECT} LIMIT ?2"))
                    .bind(&expr)
                    .bind(limit * 2)
                    .fetch_all(&mut *conn)
                    .await?;
                let seen: std::collections::HashSet<String> = rows.iter().map(|r| r.get::<String, _>("ref")).collect();
                rows.extend(more.into_iter().filter(|r| !seen.contains(&r.get::<String, _>("ref"))));
                rows.truncate(limit as usize);
            }
            rows
        };
        let mut hits: Vec<SearchHit> = rows
            .into_iter()
            .map(|r| SearchHit {
                kind: r.get("kind"),
                id: r.get("ref"),
                account: r.get("account"),
                title: r.get::<Option<String>, _>("title").unwrap_or_default(),
                detail: r.get::<Option<String>, _>("detail").unwrap_or_default(),
            })
            .collect();
        if matches > RANKED_AT_MOST {
            hits.sort_by_key(|h| h.title.to_lowercase());
        }
        Ok(hits)
    }
}

/// The meta row that keeps the search triggers from firing (migrations/sqlite/0006).
const PAUSED: &str = "search_paused";
/// The meta row that says the index must be rebuilt when the fresh copy is complete.
const REBUILD: &str = "search_rebuild";

/// A fresh copy of the server's data begins (first sync or reset): the index is rebuilt once
/// it is complete, and pages are written without per-row indexing until then. Survives a
/// restart, so an interrupted first sync still ends with a rebuild.
pub(crate) async fn start_fresh_copy(conn: &mut SqliteConnection) -> Result<()> {
    meta_set(conn, REBUILD, "1").await?;
    for (name, _) in LIST_INDEXES {
        // Fixed names, nothing from outside.
        sqlx::query(&format!("DROP INDEX IF EXISTS {name}")).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The view's list indexes (as migrations/sqlite 0001 and 0004 create them). A fresh copy
/// drops them and [`rebuild`] creates them again from the complete tables: one sort each
/// instead of a B-tree insert per arriving row and index. Until then, lists of the view are
/// read without them (slower, during a first sync only). A migration that changes one of
/// these indexes must change it here too.
const LIST_INDEXES: [(&str, &str); 6] = [
    ("accounts_by_name", "CREATE INDEX IF NOT EXISTS accounts_by_name ON accounts (deleted, name_key, id)"),
    ("accounts_by_city", "CREATE INDEX IF NOT EXISTS accounts_by_city ON accounts (deleted, city_key, id)"),
    ("accounts_by_touched", "CREATE INDEX IF NOT EXISTS accounts_by_touched ON accounts (deleted, touched, id)"),
    ("contacts_by_account", "CREATE INDEX IF NOT EXISTS contacts_by_account ON contacts (account_id, deleted, name)"),
    ("docs_by_kind", "CREATE INDEX IF NOT EXISTS docs_by_kind ON docs (kind, sort_key, id)"),
    ("docs_by_account", "CREATE INDEX IF NOT EXISTS docs_by_account ON docs (account_id, kind, sort_key, id)"),
];

/// Whether a fresh copy is under way (its pages skip the search triggers).
pub(crate) async fn fresh_copy_pending(conn: &mut SqliteConnection) -> Result<bool> {
    Ok(meta_get(conn, REBUILD).await?.is_some())
}

/// Stops the search triggers for the rest of this transaction's writes. Always paired with
/// [`resume`] before the same transaction commits, so a crash cannot leave indexing off.
pub(crate) async fn pause(conn: &mut SqliteConnection) -> Result<()> {
    meta_set(conn, PAUSED, "1").await
}

pub(crate) async fn resume(conn: &mut SqliteConnection) -> Result<()> {
    meta_clear(conn, PAUSED).await
}

/// The statements that index every live account, contact, deal and lead of the view (the same
/// as the migration's initial fill), each with what it indexes for a progress line.
const FILL: &[(&str, &str)] = &[
    ("accounts", "INSERT INTO search_keys (kind, ref, account) SELECT 'account', id, id FROM accounts WHERE deleted = 0"),
    (
        "accounts",
        "INSERT INTO search (rowid, title, detail)
            SELECT k.id, a.name, concat_ws(' ', a.city, a.email, a.phone, a.vat_id, a.territory)
              FROM search_keys k JOIN accounts a ON a.id = k.ref WHERE k.kind = 'account'",
    ),
    (
        "contacts",
        "INSERT INTO search_keys (kind, ref, account) SELECT 'contact', id, account_id FROM contacts WHERE deleted = 0",
    ),
    (
        "contacts",
        "INSERT INTO search (rowid, title, detail)
            SELECT k.id, c.name, concat_ws(' ', c.email, c.phone)
              FROM search_keys k JOIN contacts c ON c.id = k.ref WHERE k.kind = 'contact'",
    ),
    (
        "deals and leads",
        "INSERT INTO search_keys (kind, ref, account) SELECT kind, id, account_id FROM docs WHERE kind IN ('deal', 'lead')",
    ),
    (
        "deals and leads",
        "INSERT INTO search (rowid, title, detail)
            SELECT k.id,
                   CASE d.kind WHEN 'deal' THEN json_extract(d.data, '$.data.name')
                               ELSE json_extract(d.data, '$.data.company') END,
                   CASE d.kind WHEN 'deal' THEN concat_ws(' ', json_extract(d.data, '$.data.stage'),
                                                          json_extract(d.data, '$.data.owner'))
                               ELSE concat_ws(' ', json_extract(d.data, '$.data.person'),
                                              json_extract(d.data, '$.data.email'),
                                              json_extract(d.data, '$.data.phone'),
                                              json_extract(d.data, '$.data.city')) END
              FROM search_keys k JOIN docs d ON d.id = k.ref WHERE k.kind IN ('deal', 'lead')",
    ),
];

/// Creates the view's list indexes again and rebuilds the whole search index from the view
/// tables in one go (after a fresh copy), and ends the fresh copy. `step` is told what was indexed so far (statements done, of all). Returns the
/// number of indexed records.
pub(crate) async fn rebuild(conn: &mut SqliteConnection, step: &(dyn Fn(&str, u64, u64) + Send + Sync)) -> Result<u64> {
    sqlx::query("DELETE FROM search").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM search_keys").execute(&mut *conn).await?;
    let total = (LIST_INDEXES.len() + FILL.len()) as u64;
    let steps = LIST_INDEXES.iter().map(|(_, sql)| ("list indexes", *sql)).chain(FILL.iter().copied());
    for (i, (what, sql)) in steps.enumerate() {
        // Fixed statements, nothing from outside.
        sqlx::query(sql).execute(&mut *conn).await?;
        step(what, i as u64 + 1, total);
    }
    meta_clear(conn, REBUILD).await?;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM search_keys").fetch_one(&mut *conn).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::match_expression;

    #[test]
    fn typed_words_become_prefix_terms_and_never_query_syntax() {
        assert_eq!(match_expression("acm gm").as_deref(), Some("\"acm\"* \"gm\"*"));
        assert_eq!(match_expression("  ").as_deref(), None);
        assert_eq!(match_expression("a\"b OR NEAR(").as_deref(), Some("\"a\"* \"b\"* \"OR\"* \"NEAR(\"*"));
        assert_eq!(match_expression("- * ^").as_deref(), None, "punctuation alone searches nothing");
    }
}
