-- Order-to-cash documents: one row per record (a product, an order with its lines, an invoice,
-- a journal entry, ...), its typed value as JSON (tandem_sync::Doc), versioned like every row.
--
-- kind       : product, price_list, terms, warehouse, stock, move, order, delivery, invoice,
--              payment, journal, rate, settings
-- account_id : the customer the document belongs to (decides which reps see it); NULL for
--              reference data everyone sees
-- internal   : back office only (the journal, stock moves): never in a sales rep's feed
-- key        : a unique key within the kind (a product's SKU, a warehouse's code)
CREATE TABLE docs (
    id         uuid    PRIMARY KEY,
    kind       text    NOT NULL,
    account_id uuid    NULL REFERENCES accounts (id),
    internal   boolean NOT NULL DEFAULT false,
    key        text    NULL,
    version    bigint  NOT NULL,
    deleted    boolean NOT NULL DEFAULT false,
    body       jsonb   NOT NULL
);
CREATE INDEX docs_by_version ON docs (version);
CREATE INDEX docs_by_account ON docs (account_id, kind) WHERE account_id IS NOT NULL;
CREATE INDEX docs_by_kind ON docs (kind);
CREATE UNIQUE INDEX docs_unique_key ON docs (kind, key) WHERE key IS NOT NULL;

-- Gapless document numbers per series and year: the row is locked by the posting transaction
-- until it commits, and a rollback gives the number back.
CREATE TABLE number_series (
    series text   NOT NULL,
    year   int    NOT NULL,
    last   bigint NOT NULL,
    PRIMARY KEY (series, year)
);
