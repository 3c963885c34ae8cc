-- Documents seen by territory rather than through a customer account (leads): a rep sees those
-- of their territories; NULL with no account means reference data everyone sees, unless the
-- kind is territory-scoped (`territorial`), where NULL means managers and back office only.
ALTER TABLE docs ADD COLUMN territory text NULL;
ALTER TABLE docs ADD COLUMN territorial boolean NOT NULL DEFAULT false;
