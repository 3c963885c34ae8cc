-- The search triggers (0005_search.sql) stand aside while the meta row `search_paused` exists.
-- A device taking a fresh copy of the server's data (first sync, or a reset) sets it inside each
-- pulled page's transaction and removes it before that transaction commits, so indexing can
-- never stay off after a crash; the index is rebuilt once when the copy is complete (see
-- `search::rebuild`), instead of row by row while a million rows arrive.
DROP TRIGGER search_account_insert;
DROP TRIGGER search_account_update;
DROP TRIGGER search_account_delete;
DROP TRIGGER search_contact_insert;
DROP TRIGGER search_contact_update;
DROP TRIGGER search_contact_delete;
DROP TRIGGER search_doc_insert;
DROP TRIGGER search_doc_update;
DROP TRIGGER search_doc_delete;

-- Accounts: name; city, e-mail, phone, VAT id and territory.
CREATE TRIGGER search_account_insert AFTER INSERT ON accounts
    WHEN NEW.deleted = 0 AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
    INSERT INTO search_keys (kind, ref, account) VALUES ('account', NEW.id, NEW.id)
        ON CONFLICT (ref) DO NOTHING;
    INSERT INTO search (rowid, title, detail)
        VALUES ((SELECT id FROM search_keys WHERE ref = NEW.id), NEW.name,
                concat_ws(' ', NEW.city, NEW.email, NEW.phone, NEW.vat_id, NEW.territory));
END;
CREATE TRIGGER search_account_update AFTER UPDATE OF name, city, email, phone, vat_id, territory, deleted ON accounts
    WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id AND NEW.deleted <> 0;
    INSERT INTO search_keys (kind, ref, account) SELECT 'account', NEW.id, NEW.id WHERE NEW.deleted = 0
        ON CONFLICT (ref) DO NOTHING;
    INSERT INTO search (rowid, title, detail)
        SELECT id, NEW.name, concat_ws(' ', NEW.city, NEW.email, NEW.phone, NEW.vat_id, NEW.territory)
          FROM search_keys WHERE ref = NEW.id AND NEW.deleted = 0;
END;
CREATE TRIGGER search_account_delete AFTER DELETE ON accounts WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
END;

-- Contacts: name; e-mail and phone.
CREATE TRIGGER search_contact_insert AFTER INSERT ON contacts
    WHEN NEW.deleted = 0 AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
    INSERT INTO search_keys (kind, ref, account) VALUES ('contact', NEW.id, NEW.account_id)
        ON CONFLICT (ref) DO NOTHING;
    INSERT INTO search (rowid, title, detail)
        VALUES ((SELECT id FROM search_keys WHERE ref = NEW.id), NEW.name, concat_ws(' ', NEW.email, NEW.phone));
END;
CREATE TRIGGER search_contact_update AFTER UPDATE OF name, email, phone, account_id, deleted ON contacts
    WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
    INSERT INTO search_keys (kind, ref, account) SELECT 'contact', NEW.id, NEW.account_id WHERE NEW.deleted = 0;
    INSERT INTO search (rowid, title, detail)
        SELECT id, NEW.name, concat_ws(' ', NEW.email, NEW.phone) FROM search_keys WHERE ref = NEW.id;
END;
CREATE TRIGGER search_contact_delete AFTER DELETE ON contacts WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
END;

-- Deals (name; stage and owner) and leads (company; person, e-mail, phone, city), from docs.
CREATE TRIGGER search_doc_insert AFTER INSERT ON docs
    WHEN NEW.kind IN ('deal', 'lead') AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
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
CREATE TRIGGER search_doc_update AFTER UPDATE OF data ON docs
    WHEN NEW.kind IN ('deal', 'lead') AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
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
CREATE TRIGGER search_doc_delete AFTER DELETE ON docs
    WHEN OLD.kind IN ('deal', 'lead') AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'search_paused') BEGIN
    DELETE FROM search WHERE rowid = (SELECT id FROM search_keys WHERE ref = OLD.id);
    DELETE FROM search_keys WHERE ref = OLD.id;
END;
