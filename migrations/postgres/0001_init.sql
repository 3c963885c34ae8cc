-- Tandem's central schema: the one source of truth every device syncs with.
--
-- Every synced row carries `version` (the sync_clock value of the mutation that last wrote it)
-- and a tombstone flag, so a device can pull "everything after version N", deletes included.

CREATE TABLE users (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    role          text        NOT NULL
                  CHECK (role IN ('admin', 'sales_manager', 'sales_rep', 'back_office', 'warehouse')),
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    disabled_at   timestamptz NULL
);

-- One installed app (or CLI data directory), bound to the first user who logs in on it.
CREATE TABLE devices (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id),
    name         text        NULL,
    -- The last mutation seq handled (applied or rejected) for this device.
    last_seq     bigint      NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_user_id ON devices (user_id);

-- Bearer tokens: only their SHA-256 is stored.
CREATE TABLE sessions (
    token_hash text        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id),
    device_id  uuid        NOT NULL REFERENCES devices (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_device_id ON sessions (device_id);

-- The change counter. One row: a writer takes the next version with
-- `UPDATE sync_clock SET version = version + 1 RETURNING version` and holds the row lock until
-- it commits, so versions become visible in order (see tandem-server's `apply` module).
CREATE TABLE sync_clock (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint  NOT NULL CHECK (version >= 0)
);
INSERT INTO sync_clock (id, version) VALUES (true, 0);

CREATE TABLE accounts (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    vat_id     text        NULL,
    email      text        NULL,
    phone      text        NULL,
    city       text        NULL,
    version    bigint      NOT NULL,
    deleted    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    created_by uuid        NOT NULL REFERENCES users (id),
    updated_by uuid        NOT NULL REFERENCES users (id)
);
CREATE INDEX accounts_version ON accounts (version, id);

CREATE TABLE contacts (
    id         uuid        PRIMARY KEY,
    account_id uuid        NOT NULL REFERENCES accounts (id),
    name       text        NOT NULL,
    email      text        NULL,
    phone      text        NULL,
    version    bigint      NOT NULL,
    deleted    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    created_by uuid        NOT NULL REFERENCES users (id),
    updated_by uuid        NOT NULL REFERENCES users (id)
);
CREATE INDEX contacts_version ON contacts (version, id);
CREATE INDEX contacts_account_id ON contacts (account_id);

-- Every handled mutation, applied or rejected: a resent seq gets this stored outcome back.
CREATE TABLE mutation_log (
    device_id   uuid        NOT NULL REFERENCES devices (id),
    seq         bigint      NOT NULL CHECK (seq > 0),
    user_id     uuid        NOT NULL REFERENCES users (id),
    op_name     text        NOT NULL,
    op          jsonb       NOT NULL,
    outcome     jsonb       NOT NULL,
    -- The version the mutation's rows carry; NULL when it was rejected.
    version     bigint      NULL,
    made_at     timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (device_id, seq)
);

-- Who changed what, when, from which device, before and after. Append-only.
CREATE TABLE audit_log (
    id        bigserial   PRIMARY KEY,
    user_id   uuid        NOT NULL REFERENCES users (id),
    device_id uuid        NOT NULL REFERENCES devices (id),
    seq       bigint      NOT NULL,
    op_name   text        NOT NULL,
    at        timestamptz NOT NULL,
    entity    text        NOT NULL,
    entity_id uuid        NOT NULL,
    version   bigint      NOT NULL,
    before    jsonb       NULL,
    after     jsonb       NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
