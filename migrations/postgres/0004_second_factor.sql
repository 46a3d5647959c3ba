-- Two-step sign-in: an authenticator app, passkeys and recovery codes.

-- At most one authenticator app per account. `last_step` is the last
-- 30-second step whose code was accepted: no code is accepted twice.
CREATE TABLE totp_factors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    secret     TEXT    NOT NULL,  -- base32
    last_step  BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL
);

CREATE TABLE passkeys (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    BIGINT  NOT NULL REFERENCES accounts (id),
    credential_id TEXT    NOT NULL UNIQUE,  -- base64url
    name          TEXT    NOT NULL,
    passkey       TEXT    NOT NULL,  -- the verifier's record, JSON
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- Single-use codes for when no factor is at hand; only their SHA-256.
CREATE TABLE recovery_codes (
    account_id BIGINT  NOT NULL REFERENCES accounts (id),
    code_hash  TEXT    NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- A step in progress within one session (a secret being enrolled, a
-- passkey challenge), as JSON.
ALTER TABLE sessions ADD COLUMN pending TEXT;
