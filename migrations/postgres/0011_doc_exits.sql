-- A territory-scoped document (a lead) that moved to another territory: reps of the one it left
-- receive a delete at the version of the move, as scope_exits does for accounts.
CREATE TABLE doc_exits (
    version   bigint NOT NULL,
    doc_id    uuid   NOT NULL,
    territory text   NOT NULL
);
CREATE INDEX doc_exits_by_territory ON doc_exits (territory, version);
