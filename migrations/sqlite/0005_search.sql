-- One full-text index (FTS5) over what a user looks for: accounts, contacts, deals and leads.
-- `search_keys` gives every indexed record a stable integer (the FTS row id), so an update or
-- delete finds its entry by key and VACUUM cannot renumber it. Triggers keep the index in step
-- with the view tables, whoever writes them (a local edit, a pull, a rebase).
CREATE TABLE search_keys (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL,           -- account, contact, deal, lead
    ref     TEXT NOT NULL UNIQUE,    -- the record's id
    account TEXT                     -- the account it belongs to, if any
) STRICT;

CREATE VIRTUAL TABLE search USING fts5(
    title,
    detail,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Accounts: name; city, e-mail, phone, VAT id and territory.
CREATE TRIGGER search_account_insert AFTER INSERT ON accounts WHEN NEW.deleted = 0 BEGIN
    INSERT INTO search_keys (kind, ref, account) VALUES ('account', NEW.id, NEW.id)
        ON CONFLICT (ref) DO NOTHING;
    INSERT INTO search (rowid, title, detail)
        VALUES ((SELECT id FROM search_keys WHERE ref = NEW.id), NEW.name,
                concat_ws(' ', NEW.city, NEW.email, NEW.phone, NEW.vat_id, NEW.territory));
END;
CREATE TRIGGER search_account_update AFTER UPDATE OF name, city, email, phone, vat_id, territory, deleted ON accounts BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id AND NEW.deleted <> 0;
    INSERT INTO search_keys (kind, ref, account) SELECT 'account', NEW.id, NEW.id WHERE NEW.deleted = 0
        ON CONFLICT (ref) DO NOTHING;
    INSERT INTO search (rowid, title, detail)
        SELECT id, NEW.name, concat_ws(' ', NEW.city, NEW.email, NEW.phone, NEW.vat_id, NEW.territory)
          FROM search_keys WHERE ref = NEW.id AND NEW.deleted = 0;
END;
CREATE TRIGGER search_account_delete AFTER DELETE ON accounts BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
END;

-- Contacts: name; e-mail and phone.
CREATE TRIGGER search_contact_insert AFTER INSERT ON contacts WHEN NEW.deleted = 0 BEGIN
    INSERT INTO search_keys (kind, ref, account) VALUES ('contact', NEW.id, NEW.account_id)
        ON CONFLICT (ref) DO NOTHING;
    INSERT INTO search (rowid, title, detail)
        VALUES ((SELECT id FROM search_keys WHERE ref = NEW.id), NEW.name, concat_ws(' ', NEW.email, NEW.phone));
END;
CREATE TRIGGER search_contact_update AFTER UPDATE OF name, email, phone, account_id, deleted ON contacts BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
    INSERT INTO search_keys (kind, ref, account) SELECT 'contact', NEW.id, NEW.account_id WHERE NEW.deleted = 0;
    INSERT INTO search (rowid, title, detail)
        SELECT id, NEW.name, concat_ws(' ', NEW.email, NEW.phone) FROM search_keys WHERE ref = NEW.id;
END;
CREATE TRIGGER search_contact_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
END;

-- Deals (name; stage and owner) and leads (company; person, e-mail, phone, city), from docs.
CREATE TRIGGER search_doc_insert AFTER INSERT ON docs WHEN NEW.kind IN ('deal', 'lead') BEGIN
    INSERT INTO search_keys (kind, ref, account) VALUES (NEW.kind, NEW.id, NEW.account_id)
        ON CONFLICT (ref) DO NOTHING;
    INSERT INTO search (rowid, title, detail)
        SELECT k.id,
               CASE NEW.kind WHEN 'deal' THEN json_extract(NEW.data, '$.data.name')
                             ELSE json_extract(NEW.data, '$.data.company') END,
               CASE NEW.kind WHEN 'deal' THEN concat_ws(' ', json_extract(NEW.data, '$.data.stage'),
                                                        json_extract(NEW.data, '$.data.owner'))
                             ELSE concat_ws(' ', json_extract(NEW.data, '$.data.person'),
                                            json_extract(NEW.data, '$.data.email'),
                                            json_extract(NEW.data, '$.data.phone'),
                                            json_extract(NEW.data, '$.data.city')) END
          FROM search_keys k WHERE k.ref = NEW.id;
END;
CREATE TRIGGER search_doc_update AFTER UPDATE OF data ON docs WHEN NEW.kind IN ('deal', 'lead') BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    UPDATE search_keys SET account = NEW.account_id WHERE ref = NEW.id;
    INSERT INTO search (rowid, title, detail)
        SELECT k.id,
               CASE NEW.kind WHEN 'deal' THEN json_extract(NEW.data, '$.data.name')
                             ELSE json_extract(NEW.data, '$.data.company') END,
               CASE NEW.kind WHEN 'deal' THEN concat_ws(' ', json_extract(NEW.data, '$.data.stage'),
                                                        json_extract(NEW.data, '$.data.owner'))
                             ELSE concat_ws(' ', json_extract(NEW.data, '$.data.person'),
                                            json_extract(NEW.data, '$.data.email'),
                                            json_extract(NEW.data, '$.data.phone'),
                                            json_extract(NEW.data, '$.data.city')) END
          FROM search_keys k WHERE k.ref = NEW.id;
END;
CREATE TRIGGER search_doc_delete AFTER DELETE ON docs WHEN OLD.kind IN ('deal', 'lead') BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
END;

-- What the replica already holds.
INSERT INTO search_keys (kind, ref, account) SELECT 'account', id, id FROM accounts WHERE deleted = 0;
INSERT INTO search_keys (kind, ref, account) SELECT 'contact', id, account_id FROM contacts WHERE deleted = 0;
INSERT INTO search_keys (kind, ref, account) SELECT kind, id, account_id FROM docs WHERE kind IN ('deal', 'lead');
INSERT INTO search (rowid, title, detail)
    SELECT k.id, a.name, concat_ws(' ', a.city, a.email, a.phone, a.vat_id, a.territory)
      FROM search_keys k JOIN accounts a ON a.id = k.ref WHERE k.kind = 'account';
INSERT INTO search (rowid, title, detail)
    SELECT k.id, c.name, concat_ws(' ', c.email, c.phone)
      FROM search_keys k JOIN contacts c ON c.id = k.ref WHERE k.kind = 'contact';
INSERT INTO search (rowid, title, detail)
    SELECT k.id,
           CASE d.kind WHEN 'deal' THEN json_extract(d.data, '$.data.name') ELSE json_extract(d.data, '$.data.company') END,
           CASE d.kind WHEN 'deal' THEN concat_ws(' ', json_extract(d.data, '$.data.stage'), json_extract(d.data, '$.data.owner'))
                       ELSE concat_ws(' ', json_extract(d.data, '$.data.person'), json_extract(d.data, '$.data.email'),
                                      json_extract(d.data, '$.data.phone'), json_extract(d.data, '$.data.city')) END
      FROM search_keys k JOIN docs d ON d.id = k.ref WHERE k.kind IN ('deal', 'lead');
