-- The whole schema of the portal, as in the SQLite migrations. Times are
-- Unix seconds (UTC) in BIGINT; calendar dates are ISO 8601 text, compared
-- byte by byte (COLLATE "C") as SQLite does, whatever the database's locale.

CREATE TABLE accounts (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,  -- normalised login
    password_hash TEXT,                     -- NULL until the first connection
    lang          TEXT    NOT NULL DEFAULT 'fr',
    created_at    BIGINT  NOT NULL
);

CREATE TABLE recipients (
    id                 BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    contact_email      TEXT    NOT NULL,
    security_code_hash TEXT    NOT NULL,
    owner_account_id   BIGINT  REFERENCES accounts (id),  -- at most one owner
    owned_at           BIGINT,
    created_at         BIGINT  NOT NULL
);
CREATE INDEX recipients_owner ON recipients (owner_account_id);

CREATE TABLE delegations (
    owner_account_id    BIGINT NOT NULL REFERENCES accounts (id),
    delegate_account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at          BIGINT NOT NULL,
    PRIMARY KEY (owner_account_id, delegate_account_id)
);
CREATE INDEX delegations_delegate ON delegations (delegate_account_id);

CREATE TABLE batches (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       TEXT   NOT NULL,
    report_count BIGINT NOT NULL,
    imported_at  BIGINT NOT NULL
);

CREATE TABLE reports (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number          TEXT   NOT NULL UNIQUE,
    recipient_id    BIGINT NOT NULL REFERENCES recipients (id),
    batch_id        BIGINT NOT NULL REFERENCES batches (id),
    period_start    TEXT COLLATE "C" NOT NULL,
    period_end      TEXT COLLATE "C" NOT NULL,
    kind            TEXT   NOT NULL,
    issued_on       TEXT COLLATE "C" NOT NULL,
    published_at    BIGINT NOT NULL,
    available_until TEXT COLLATE "C" NOT NULL,
    file_sha256     TEXT   NOT NULL,
    file_size       BIGINT NOT NULL,
    file_name       TEXT   NOT NULL
);
CREATE INDEX reports_recipient ON reports (recipient_id, published_at DESC, id DESC);
CREATE INDEX reports_available_until ON reports (available_until);
CREATE INDEX reports_file ON reports (file_sha256);

CREATE TABLE downloads (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    report_id   BIGINT NOT NULL REFERENCES reports (id),
    at          BIGINT NOT NULL,
    client_addr TEXT   NOT NULL
);
CREATE INDEX downloads_account_report ON downloads (account_id, report_id);

-- Every emailed token, whatever its purpose; only the hash is kept.
CREATE TABLE tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash         TEXT   NOT NULL UNIQUE,
    purpose      TEXT   NOT NULL,
    account_id   BIGINT REFERENCES accounts (id),
    email        TEXT,
    recipient_id BIGINT REFERENCES recipients (id),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,  -- consumed by its owner
    revoked_at   BIGINT   -- killed: replaced by a newer link, or a password change
);
CREATE INDEX tokens_account ON tokens (account_id);
CREATE INDEX tokens_recipient ON tokens (recipient_id, email);

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    account_id   BIGINT  NOT NULL REFERENCES accounts (id),
    kind         TEXT    NOT NULL,  -- 'full' or 'set_password'
    remember     BOOLEAN NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Registration between its first step and the confirmation email.
CREATE TABLE registration_drafts (
    id_hash       TEXT   PRIMARY KEY,
    recipient_id  BIGINT NOT NULL REFERENCES recipients (id),
    report_number TEXT   NOT NULL,
    email         TEXT,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key      TEXT   NOT NULL UNIQUE,
    kind            TEXT   NOT NULL,
    to_addr         TEXT   NOT NULL,
    lang            TEXT   NOT NULL,
    params          TEXT   NOT NULL,  -- JSON, emptied once sent
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_error      TEXT,
    sent_at         BIGINT,
    failed_at       BIGINT  -- refused for good (address rejected)
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE audit (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           BIGINT NOT NULL,
    account_id   BIGINT,
    recipient_id BIGINT,
    event        TEXT   NOT NULL,
    detail       TEXT   NOT NULL,
    client_addr  TEXT
);
CREATE INDEX audit_account ON audit (account_id, at);

-- Failed attempts per key (client address, report number, account) in a
-- fixed window, counted by one atomic upsert.
CREATE TABLE throttle (
    key          TEXT   PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL
);
