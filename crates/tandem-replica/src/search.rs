//! The global search: one SQLite FTS5 index over accounts, contacts, deals and leads, kept up
//! to date by triggers (migrations/sqlite/0005_search.sql), queried as the user types.

use crate::error::Result;
use crate::replica::Replica;
use serde::Serialize;
use sqlx::Row;

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
