-- The feed reads each table in (version, id) order, a page at a time (store/changes.rs).
CREATE INDEX accounts_by_version_id ON accounts (version, id);
CREATE INDEX contacts_by_version_id ON contacts (version, id);
CREATE INDEX docs_by_version_id ON docs (version, id);
