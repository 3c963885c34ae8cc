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

impl Replica {
    /// At most `limit` records matching `typed`, best first (bm25, the title weighing more).
    pub async fn search(&self, typed: &str, limit: u32) -> Result<Vec<SearchHit>> {
        let Some(expr) = match_expression(typed) else { return Ok(Vec::new()) };
        let rows = sqlx::query(
            "SELECT k.kind, k.ref, k.account, s.title, s.detail
               FROM search s JOIN search_keys k ON k.id = s.rowid
              WHERE search MATCH ?1
              ORDER BY bm25(search, 4.0, 1.0)
              LIMIT ?2",
        )
        .bind(expr)
        .bind(i64::from(limit.clamp(1, 200)))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| SearchHit {
                kind: r.get("kind"),
                id: r.get("ref"),
                account: r.get("account"),
                title: r.get::<Option<String>, _>("title").unwrap_or_default(),
                detail: r.get::<Option<String>, _>("detail").unwrap_or_default(),
            })
            .collect())
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
