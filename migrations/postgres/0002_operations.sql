-- What the lab's operations need: keys for the ingest API, and the audit
-- trail read by recipient as well as by account (as in the SQLite
-- migrations).

-- Keys of the lab's systems; only the SHA-256 of each key is kept. A name
-- belongs to one live key at a time.
CREATE TABLE api_keys (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT   NOT NULL,
    hash         TEXT   NOT NULL UNIQUE,
    scope        TEXT   NOT NULL,  -- 'ingest'
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

CREATE INDEX audit_recipient ON audit (recipient_id, at);

-- Monitoring counts the emails given up at every scrape.
CREATE INDEX outbox_failed ON outbox (id) WHERE failed_at IS NOT NULL AND sent_at IS NULL;
