-- Field conflicts from the server (the later edit won, the overwritten value is kept here).
CREATE TABLE conflicts (
    id         TEXT PRIMARY KEY NOT NULL,
    version    INTEGER NOT NULL,
    resolved   INTEGER NOT NULL DEFAULT 0,
    data       TEXT NOT NULL        -- JSON of tandem_sync::ConflictRecord
) STRICT;
