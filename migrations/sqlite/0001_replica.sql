-- Tandem's local replica: what this device's user may see, and what they did offline.
--
-- base_*  : the server's state as of the last pull (the `cursor` in meta).
-- accounts, contacts : what the user sees = base + the outbox re-applied (rebuilt after every pull).
-- outbox  : the user's mutations in order; 'pending' until the server answers, then 'applied'
--           until a pull brings the version they made (so the view never flickers back).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE base_accounts (
    id      TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    data    TEXT              -- JSON of tandem_core::Account; NULL when deleted
) STRICT;

CREATE TABLE base_contacts (
    id         TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    data       TEXT
) STRICT;
CREATE INDEX base_contacts_by_account ON base_contacts (account_id);

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    vat_id      TEXT,
    email       TEXT,
    phone       TEXT,
    city        TEXT,
    -- lower-cased copies for sorting and searching; '' when empty so keyset paging has no NULLs
    name_key    TEXT NOT NULL,
    city_key    TEXT NOT NULL DEFAULT '',
    -- local change counter: larger = changed later on this device (the "last updated" sort)
    touched     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER,          -- server version, NULL while never synced
    deleted     INTEGER NOT NULL DEFAULT 0,
    pending     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX accounts_by_name ON accounts (deleted, name_key, id);
CREATE INDEX accounts_by_city ON accounts (deleted, city_key, id);
CREATE INDEX accounts_by_touched ON accounts (deleted, touched, id);

CREATE TABLE contacts (
    id          TEXT PRIMARY KEY NOT NULL,
    account_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    updated_at  TEXT NOT NULL,
    version     INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0,
    pending     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX contacts_by_account ON contacts (account_id, deleted, name);

CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY NOT NULL,
    op              TEXT NOT NULL,    -- JSON of tandem_sync::Op
    made_at         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied')),
    applied_version INTEGER
) STRICT;

CREATE TABLE rejected (
    seq         INTEGER PRIMARY KEY NOT NULL,
    op          TEXT NOT NULL,
    description TEXT NOT NULL,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    rejected_at TEXT NOT NULL
) STRICT;
