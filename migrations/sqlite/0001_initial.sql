-- The whole schema of the portal. Times are Unix seconds (UTC); calendar
-- dates are ISO 8601 text.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,  -- normalised login
    password_hash TEXT,                     -- NULL until the first connection
    lang          TEXT    NOT NULL DEFAULT 'fr',
    created_at    INTEGER NOT NULL
);

CREATE TABLE recipients (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    name               TEXT    NOT NULL,
    contact_email      TEXT    NOT NULL,
    security_code_hash TEXT    NOT NULL,
    owner_account_id   INTEGER REFERENCES accounts (id),  -- at most one owner
    owned_at           INTEGER,
    created_at         INTEGER NOT NULL
);
CREATE INDEX recipients_owner ON recipients (owner_account_id);

CREATE TABLE delegations (
    owner_account_id    INTEGER NOT NULL REFERENCES accounts (id),
    delegate_account_id INTEGER NOT NULL REFERENCES accounts (id),
    created_at          INTEGER NOT NULL,
    PRIMARY KEY (owner_account_id, delegate_account_id)
);
CREATE INDEX delegations_delegate ON delegations (delegate_account_id);

CREATE TABLE batches (
    id           INTEGER PRIMARY KEY,
    source       TEXT    NOT NULL,
    report_count INTEGER NOT NULL,
    imported_at  INTEGER NOT NULL
);

CREATE TABLE reports (
    id              INTEGER PRIMARY KEY,
    number          TEXT    NOT NULL UNIQUE,
    recipient_id    INTEGER NOT NULL REFERENCES recipients (id),
    batch_id        INTEGER NOT NULL REFERENCES batches (id),
    period_start    TEXT    NOT NULL,
    period_end      TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    issued_on       TEXT    NOT NULL,
    published_at    INTEGER NOT NULL,
    available_until TEXT    NOT NULL,
    file_sha256     TEXT    NOT NULL,
    file_size       INTEGER NOT NULL,
    file_name       TEXT    NOT NULL
);
CREATE INDEX reports_recipient ON reports (recipient_id, published_at DESC, id DESC);
CREATE INDEX reports_available_until ON reports (available_until);
CREATE INDEX reports_file ON reports (file_sha256);

CREATE TABLE downloads (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    report_id   INTEGER NOT NULL REFERENCES reports (id),
    at          INTEGER NOT NULL,
    client_addr TEXT    NOT NULL
);
CREATE INDEX downloads_account_report ON downloads (account_id, report_id);

-- Every emailed token, whatever its purpose; only the hash is kept.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    hash         TEXT    NOT NULL UNIQUE,
    purpose      TEXT    NOT NULL,
    account_id   INTEGER REFERENCES accounts (id),
    email        TEXT,
    recipient_id INTEGER REFERENCES recipients (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,  -- consumed by its owner
    revoked_at   INTEGER   -- killed: replaced by a newer link, or a password change
);
CREATE INDEX tokens_account ON tokens (account_id);
CREATE INDEX tokens_recipient ON tokens (recipient_id, email);

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    kind         TEXT    NOT NULL,  -- 'full' or 'set_password'
    remember     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Registration between its first step and the confirmation email.
CREATE TABLE registration_drafts (
    id_hash       TEXT    PRIMARY KEY,
    recipient_id  INTEGER NOT NULL REFERENCES recipients (id),
    report_number TEXT    NOT NULL,
    email         TEXT,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    dedupe_key      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    to_addr         TEXT    NOT NULL,
    lang            TEXT    NOT NULL,
    params          TEXT    NOT NULL,  -- JSON, emptied once sent
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    sent_at         INTEGER,
    failed_at       INTEGER  -- refused for good (address rejected)
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    account_id   INTEGER,
    recipient_id INTEGER,
    event        TEXT    NOT NULL,
    detail       TEXT    NOT NULL,
    client_addr  TEXT
);
CREATE INDEX audit_account ON audit (account_id, at);

-- Failed attempts per key (client address, report number, account) in a
-- fixed window, counted by one atomic upsert.
CREATE TABLE throttle (
    key          TEXT    PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL
);
