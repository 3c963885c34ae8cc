-- Sales territories: accounts carry one; a sales rep sees the accounts of their territories.
ALTER TABLE accounts ADD COLUMN territory text NULL;
CREATE INDEX accounts_by_territory ON accounts (territory, version);

CREATE TABLE user_territories (
    user_id   uuid NOT NULL REFERENCES users (id),
    territory text NOT NULL,
    PRIMARY KEY (user_id, territory)
);

-- When a user's territories change, their devices' cursors from before are no longer enough
-- (rows entered or left their scope without a change of their own): such a pull takes a fresh copy.
ALTER TABLE users ADD COLUMN scope_since bigint NOT NULL DEFAULT 0;

-- An account moved out of a territory at `version`: devices of that territory's reps receive a
-- delete for it and its contacts.
CREATE TABLE scope_exits (
    version    bigint NOT NULL,
    account_id uuid   NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    territory  text   NULL,
    PRIMARY KEY (version, account_id)
);
CREATE INDEX scope_exits_by_territory ON scope_exits (territory, version);
