-- Order-to-cash documents (tandem_sync::Doc as JSON): products, price lists, terms, stock levels,
-- orders, deliveries, invoices, payments, the journal (back office only), rates, settings.
--
-- base_docs : the server's documents as of the cursor.
-- docs      : what the user sees = base + the outbox re-applied (drafts made offline).
CREATE TABLE base_docs (
    id      TEXT PRIMARY KEY NOT NULL,
    kind    TEXT NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    data    TEXT               -- NULL when deleted
) STRICT;

CREATE TABLE docs (
    id         TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL,
    account_id TEXT,           -- the customer, for customer documents
    -- the list order within a kind (an order's date and number, a product's SKU), paged by key
    sort_key   TEXT NOT NULL,
    data       TEXT NOT NULL,
    version    INTEGER,        -- NULL while only local
    pending    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX docs_by_kind ON docs (kind, sort_key, id);
CREATE INDEX docs_by_account ON docs (account_id, kind, sort_key, id);
