-- The same field edited on two devices: the later arrival won; the overwritten value is kept
-- here for both users to see and resolve. Conflicts travel in the change feed by `version`.
CREATE TABLE conflicts (
    id             uuid        PRIMARY KEY,
    entity         text        NOT NULL CHECK (entity IN ('account', 'contact')),
    record_id      uuid        NOT NULL,
    account_id     uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    record_name    text        NOT NULL,
    field          text        NOT NULL,
    kept           text        NULL,
    overwritten    text        NULL,
    kept_by        uuid        NOT NULL REFERENCES users (id),
    overwritten_by uuid        NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL,
    version        bigint      NOT NULL,
    resolved_by    uuid        NULL REFERENCES users (id),
    resolution     text        NULL CHECK (resolution IN ('current', 'overwritten')),
    resolved_at    timestamptz NULL
);
CREATE INDEX conflicts_by_version ON conflicts (version);
CREATE INDEX conflicts_by_account ON conflicts (account_id);
