//! The change feed: account, contact and document rows by version, for a pull.

use serde::Serialize;
use serde_json::value::RawValue;
use sqlx::PgConnection;
use tandem_core::{AccountId, ContactId};
use tandem_sync::{Change, Version};
use uuid::Uuid;

use super::accounts::AccountRow;
use super::contacts::ContactRow;
use super::StoreError;
use crate::pull::Scope;

/// One changed row of either table (the columns of the other table are NULL).
#[derive(Debug, sqlx::FromRow)]
pub struct ChangeRow {
    pub entity: String,
    pub id: Uuid,
    pub version: i64,
    pub deleted: bool,
    pub name: String,
    pub vat_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub territory: Option<String>,
    pub account_id: Option<Uuid>,
    /// A document's JSON as stored (`entity = 'doc'`), never decoded here.
    pub body: Option<String>,
}

/// A change as a pull sends it: accounts, contacts and conflicts typed; documents as the
/// stored JSON, passed through. Decoding each document into its type and encoding it again
/// was most of the server's time in a first sync; the device decodes and checks it anyway.
/// Serialises exactly as [`Change`] does, so devices read it as one.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum WireChange {
    Typed(Box<Change>),
    Doc(RawDoc),
}

/// `{"entity": "doc", "version", "id", "data"}`, as [`Change::Doc`] serialises.
#[derive(Debug, Serialize)]
pub struct RawDoc {
    pub entity: &'static str,
    pub version: Version,
    pub id: Uuid,
    pub data: Option<Box<RawValue>>,
    /// The document's kind, for the protocol filter (not sent: `data` names it).
    #[serde(skip)]
    pub kind: String,
}

impl WireChange {
    pub fn version(&self) -> Version {
        match self {
            WireChange::Typed(c) => c.version(),
            WireChange::Doc(d) => d.version,
        }
    }
}

// Ordered by (version, entity, id): a stable order, so pages are reproducible. Each table gives
// at most a page of its own rows in (version, id) order, read from its (version, id) index, and
// only those are sorted: the page is among them, since the entity is the same within a table.
// (Sorting every row above the cursor made a first sync quadratic in the size of the company.)
const EVERYTHING_AFTER: &str = "\
    SELECT * FROM ( \
      (SELECT 'account'::text AS entity, id, version, deleted, name, vat_id, email, phone, city, territory, \
              NULL::uuid AS account_id, NULL::text AS body \
         FROM accounts WHERE version > $1 ORDER BY version, id LIMIT $2) \
      UNION ALL \
      (SELECT 'contact'::text, id, version, deleted, name, NULL::text, email, phone, NULL::text, NULL::text, account_id, \
              NULL::text \
         FROM contacts WHERE version > $1 ORDER BY version, id LIMIT $2) \
      UNION ALL \
      (SELECT 'doc'::text, id, version, deleted, kind, NULL, NULL, NULL, NULL, NULL, account_id, body::text \
         FROM docs WHERE version > $1 ORDER BY version, id LIMIT $2) \
    ) AS page \
    ORDER BY version, entity, id \
    LIMIT $2";

const EVERYTHING_AT: &str = "\
    SELECT 'account'::text AS entity, id, version, deleted, name, vat_id, email, phone, city, territory, \
           NULL::uuid AS account_id, NULL::text AS body \
      FROM accounts WHERE version = $1 \
    UNION ALL \
    SELECT 'contact'::text, id, version, deleted, name, NULL::text, email, phone, NULL::text, NULL::text, account_id, NULL::text \
      FROM contacts WHERE version = $1 \
    UNION ALL \
    SELECT 'doc'::text, id, version, deleted, kind, NULL, NULL, NULL, NULL, NULL, account_id, body::text \
      FROM docs WHERE version = $1 \
    ORDER BY version, entity, id";

/// The rows of the territories `$t`, plus a delete for every account (and its contacts) that
/// left them; `$1` selects the versions (`op` is `>` with a limit, or `=`).
macro_rules! territories_query {
    ($op:literal, $t:literal, $each:literal, $tail:literal) => {
        concat!(
            "SELECT * FROM ( \
             (SELECT 'account'::text AS entity, id, version, deleted, name, vat_id, email, phone, city, territory, \
                    NULL::uuid AS account_id, NULL::text AS body \
               FROM accounts WHERE version ", $op, " $1 AND territory = ANY(", $t, ") \
             ", $each, ") UNION ALL ( \
             SELECT 'contact'::text, c.id AS id, c.version AS version, c.deleted, c.name, NULL::text, c.email, c.phone, NULL::text, \
                    NULL::text, c.account_id, NULL::text \
               FROM contacts c JOIN accounts a ON a.id = c.account_id \
              WHERE c.version ", $op, " $1 AND a.territory = ANY(", $t, ") \
             ", $each, ") UNION ALL ( \
             SELECT 'account'::text, e.account_id AS id, e.version AS version, true, '', NULL, NULL, NULL, NULL, NULL, NULL::uuid, NULL::text \
               FROM scope_exits e JOIN accounts a ON a.id = e.account_id \
              WHERE e.version ", $op, " $1 AND e.territory = ANY(", $t, ") AND NOT COALESCE(a.territory = ANY(", $t, "), false) \
             ", $each, ") UNION ALL ( \
             SELECT 'contact'::text, c.id AS id, e.version AS version, true, '', NULL, NULL, NULL, NULL, NULL, c.account_id, NULL::text \
               FROM scope_exits e JOIN accounts a ON a.id = e.account_id JOIN contacts c ON c.account_id = e.account_id \
              WHERE e.version ", $op, " $1 AND e.territory = ANY(", $t, ") AND NOT COALESCE(a.territory = ANY(", $t, "), false) \
             ", $each, ") UNION ALL ( \
             SELECT 'doc'::text, d.id AS id, d.version AS version, d.deleted, d.kind, NULL, NULL, NULL, NULL, NULL, d.account_id, d.body::text \
               FROM docs d LEFT JOIN accounts a ON a.id = d.account_id \
              WHERE d.version ", $op, " $1 AND NOT d.internal \
                AND (CASE WHEN d.territorial THEN d.territory = ANY(", $t, ") \
                          WHEN d.account_id IS NULL THEN true ELSE a.territory = ANY(", $t, ") END) \
             ", $each, ") UNION ALL ( \
             SELECT 'doc'::text, d.id AS id, e.version AS version, true, d.kind, NULL, NULL, NULL, NULL, NULL, d.account_id, NULL::text \
               FROM scope_exits e JOIN accounts a ON a.id = e.account_id JOIN docs d ON d.account_id = e.account_id \
              WHERE e.version ", $op, " $1 AND e.territory = ANY(", $t, ") AND NOT COALESCE(a.territory = ANY(", $t, "), false) \
                AND NOT d.internal \
             ", $each, ") UNION ALL ( \
             SELECT 'doc'::text, x.doc_id AS id, x.version AS version, true, d.kind, NULL, NULL, NULL, NULL, NULL, NULL::uuid, NULL::text \
               FROM doc_exits x JOIN docs d ON d.id = x.doc_id \
              WHERE x.version ", $op, " $1 AND x.territory = ANY(", $t, ") AND NOT COALESCE(d.territory = ANY(", $t, "), false) \
             ", $each, ")) AS page ORDER BY version, entity, id",
            $tail
        )
    };
}

// As for everything: each part gives at most a page of its own rows in (version, id) order (its
// entity is constant), and only those are sorted.
const TERRITORIES_AFTER: &str = territories_query!(">", "$3", " ORDER BY version, id LIMIT $2", " LIMIT $2");
const TERRITORIES_AT: &str = territories_query!("=", "$2", "", "");

/// At most `limit` changes with a version above `after` that `scope` may see, in feed order.
pub async fn after(
    conn: &mut PgConnection,
    scope: &Scope,
    after: i64,
    limit: i64,
) -> Result<Vec<ChangeRow>, StoreError> {
    // Each scope has its own fixed query with bound values; no SQL is assembled at run time.
    let rows = match scope {
        Scope::Everything => sqlx::query_as::<_, ChangeRow>(EVERYTHING_AFTER).bind(after).bind(limit),
        Scope::Territories(t) => sqlx::query_as::<_, ChangeRow>(TERRITORIES_AFTER).bind(after).bind(limit).bind(t),
    };
    Ok(rows.fetch_all(conn).await?)
}

const EVERYTHING_COUNT: &str = "\
    SELECT (SELECT COUNT(*) FROM accounts WHERE version > $1) + (SELECT COUNT(*) FROM contacts WHERE version > $1) \
         + (SELECT COUNT(*) FROM docs WHERE version > $1)";

const TERRITORIES_COUNT: &str = "\
    SELECT (SELECT COUNT(*) FROM accounts WHERE version > $1 AND territory = ANY($2)) \
         + (SELECT COUNT(*) FROM contacts c JOIN accounts a ON a.id = c.account_id \
             WHERE c.version > $1 AND a.territory = ANY($2)) \
         + (SELECT COUNT(*) FROM docs d LEFT JOIN accounts a ON a.id = d.account_id \
             WHERE d.version > $1 AND NOT d.internal \
               AND (CASE WHEN d.territorial THEN d.territory = ANY($2) \
                         WHEN d.account_id IS NULL THEN true ELSE a.territory = ANY($2) END))";

/// About how many changes `scope` may see after `after` (moves out of the scope not counted):
/// for progress, not for paging.
pub async fn count_after(conn: &mut PgConnection, scope: &Scope, after: i64) -> Result<u64, StoreError> {
    let n: i64 = match scope {
        Scope::Everything => sqlx::query_scalar(EVERYTHING_COUNT).bind(after).fetch_one(conn).await?,
        Scope::Territories(t) => sqlx::query_scalar(TERRITORIES_COUNT).bind(after).bind(t).fetch_one(conn).await?,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Every change of exactly `version` that `scope` may see.
pub async fn at(conn: &mut PgConnection, scope: &Scope, version: i64) -> Result<Vec<ChangeRow>, StoreError> {
    let rows = match scope {
        Scope::Everything => sqlx::query_as::<_, ChangeRow>(EVERYTHING_AT).bind(version),
        Scope::Territories(t) => sqlx::query_as::<_, ChangeRow>(TERRITORIES_AT).bind(version).bind(t),
    };
    Ok(rows.fetch_all(conn).await?)
}

impl ChangeRow {
    /// The change a pull sends for this row (a document's stored JSON as it is).
    pub fn into_wire(self) -> Result<WireChange, StoreError> {
        if self.entity != "doc" {
            return self.into_change().map(|c| WireChange::Typed(Box::new(c)));
        }
        let data = match (self.deleted, self.body) {
            (false, Some(body)) => {
                Some(RawValue::from_string(body).map_err(|e| super::corrupt("document", self.id, e))?)
            }
            _ => None,
        };
        Ok(WireChange::Doc(RawDoc {
            entity: "doc",
            version: Version(self.version),
            id: self.id,
            data,
            kind: self.name,
        }))
    }

    /// An account or contact row as its typed change.
    fn into_change(self) -> Result<Change, StoreError> {
        let version = Version(self.version);
        match self.entity.as_str() {
            "account" => {
                let data = if self.deleted {
                    None
                } else {
                    let row = AccountRow {
                        id: self.id,
                        name: self.name,
                        vat_id: self.vat_id,
                        email: self.email,
                        phone: self.phone,
                        city: self.city,
                        territory: self.territory,
                        version: self.version,
                        deleted: false,
                    };
                    Some(row.to_account()?)
                };
                Ok(Change::Account { version, id: AccountId::from_uuid(self.id), data })
            }
            "contact" => {
                let data = if self.deleted {
                    None
                } else {
                    let account_id =
                        self.account_id.ok_or_else(|| super::corrupt("contact", self.id, "account_id is NULL"))?;
                    let row = ContactRow {
                        id: self.id,
                        account_id,
                        name: self.name,
                        email: self.email,
                        phone: self.phone,
                        version: self.version,
                        deleted: false,
                    };
                    Some(row.to_contact()?)
                };
                Ok(Change::Contact { version, id: ContactId::from_uuid(self.id), data })
            }
            other => Err(super::corrupt("change", self.id, format!("unknown entity {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_sync::Doc;

    /// A document row of the feed as PostgreSQL returns it.
    fn doc_row(id: Uuid, kind: &str, deleted: bool, body: Option<&str>) -> ChangeRow {
        ChangeRow {
            entity: "doc".into(),
            id,
            version: 7,
            deleted,
            name: kind.into(),
            vat_id: None,
            email: None,
            phone: None,
            city: None,
            territory: None,
            account_id: None,
            body: body.map(str::to_owned),
        }
    }

    /// A document passed through as stored (PostgreSQL's `jsonb` text: its own key order and
    /// spacing) reads on a device exactly as the typed change the server used to send.
    #[test]
    fn passed_through_documents_read_as_typed_changes() {
        let doc = Doc::Warehouse(tandem_core::stock::main_warehouse());
        let typed = Change::Doc { version: Version(7), id: doc.id(), data: Some(doc.clone()) };
        let stored = r#"{"data": {"name": "Main warehouse", "code": "MAIN", "id": "ID"}, "kind": "warehouse"}"#
            .replace("ID", &doc.id().to_string());
        let live = doc_row(doc.id(), doc.kind(), false, Some(&stored)).into_wire().expect("live row");
        let sent = serde_json::to_string(&live).expect("encode");
        assert_eq!(serde_json::from_str::<Change>(&sent).expect("decode"), typed);
        let gone = doc_row(doc.id(), doc.kind(), true, None).into_wire().expect("deleted row");
        let deleted = serde_json::to_string(&gone).expect("encode");
        assert_eq!(
            serde_json::from_str::<Change>(&deleted).expect("decode"),
            Change::Doc { version: Version(7), id: doc.id(), data: None }
        );
        // The protocol a kind needs is the one its typed document names.
        for kind in [doc.kind(), "deal", "profile", "order"] {
            assert!(Doc::kind_since_protocol(kind) >= 3);
        }
        assert_eq!(Doc::kind_since_protocol(doc.kind()), doc.since_protocol());
    }

    #[test]
    fn a_corrupt_stored_document_is_an_error_not_a_broken_page() {
        assert!(doc_row(Uuid::nil(), "order", false, Some("{not json")).into_wire().is_err());
    }
}
