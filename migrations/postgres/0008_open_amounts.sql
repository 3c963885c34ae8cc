-- What a document still counts against its customer's credit: an order confirmed and not yet
-- invoiced, an invoice (positive) or credit note (negative) not yet settled; NULL otherwise.
-- Written by the server from the tandem-core rules (`Doc::open_amount`), so a credit check sums
-- the customer's open documents only, not their whole history.
ALTER TABLE docs ADD COLUMN open_amount numeric NULL;
CREATE INDEX docs_open_by_account ON docs (account_id, kind) WHERE open_amount IS NOT NULL;
