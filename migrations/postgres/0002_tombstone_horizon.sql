-- Tombstones (deleted rows) are kept for a retention window, then pruned. A device whose cursor
-- is below the highest pruned version may have missed a delete, so it must take a fresh
-- snapshot (keeping its unsent changes) instead of continuing from its cursor.
CREATE TABLE sync_horizon (
    id             boolean PRIMARY KEY DEFAULT true CHECK (id),
    pruned_version bigint  NOT NULL DEFAULT 0
);
INSERT INTO sync_horizon (id, pruned_version) VALUES (true, 0);

CREATE INDEX accounts_tombstones ON accounts (updated_at) WHERE deleted;
CREATE INDEX contacts_tombstones ON contacts (updated_at) WHERE deleted;
