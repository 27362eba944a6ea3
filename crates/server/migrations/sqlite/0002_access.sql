-- The key platform: accounts, API keys, usage and the audit trail.
-- No key secret is ever stored in the clear: keys are found by an HMAC of
-- the key (`lookup_hash`, under a versioned pepper), and the secret needed
-- to verify signed requests is sealed with envelope encryption.

CREATE TABLE accounts (
    id              TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    email           TEXT,
    plan            TEXT    NOT NULL CHECK (plan IN ('free', 'silver', 'gold', 'platinum')),
    admin           INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    rate_per_minute INTEGER,
    monthly_quota   INTEGER,
    created_at      INTEGER NOT NULL,
    suspended_at    INTEGER
) STRICT;

-- There is one operator account; bootstrapping twice cannot create another.
CREATE UNIQUE INDEX accounts_one_admin ON accounts (admin) WHERE admin = 1;

CREATE TABLE api_keys (
    id                 TEXT    NOT NULL PRIMARY KEY,
    account_id         TEXT    NOT NULL REFERENCES accounts (id),
    name               TEXT    NOT NULL,
    environment        TEXT    NOT NULL CHECK (environment IN ('live', 'test')),
    scopes             TEXT    NOT NULL,
    start              TEXT    NOT NULL,
    version            INTEGER NOT NULL,
    family_id          TEXT    NOT NULL,
    rotated_from       TEXT    REFERENCES api_keys (id),
    lookup_hash        BLOB    NOT NULL UNIQUE,
    pepper_version     INTEGER NOT NULL,
    secret_ciphertext  BLOB,
    secret_nonce       BLOB,
    dek_wrapped        BLOB,
    dek_nonce          BLOB,
    kek_version        INTEGER,
    created_at         INTEGER NOT NULL,
    expires_at         INTEGER,
    revoked_at         INTEGER,
    last_used_at       INTEGER,
    ip_allowlist       TEXT    NOT NULL DEFAULT '[]',
    labels             TEXT    NOT NULL DEFAULT '{}',
    signature_required INTEGER NOT NULL DEFAULT 0 CHECK (signature_required IN (0, 1)),
    rate_per_minute    INTEGER,
    monthly_quota      INTEGER
) STRICT;

CREATE INDEX api_keys_by_account ON api_keys (account_id, id);
CREATE INDEX api_keys_by_family ON api_keys (family_id, version);
CREATE INDEX api_keys_by_kek ON api_keys (kek_version) WHERE kek_version IS NOT NULL;
-- A key is rotated at most once: of two concurrent rotations, the second
-- insert of a successor fails here.
CREATE UNIQUE INDEX api_keys_one_successor ON api_keys (rotated_from) WHERE rotated_from IS NOT NULL;

-- Requests per key and minute (Unix minute), and refusals by error code.
CREATE TABLE key_usage (
    key_id   TEXT    NOT NULL,
    minute   INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (key_id, minute)
) STRICT, WITHOUT ROWID;

CREATE TABLE key_rejects (
    key_id TEXT    NOT NULL,
    minute INTEGER NOT NULL,
    code   TEXT    NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (key_id, minute, code)
) STRICT, WITHOUT ROWID;

-- Requests per account, environment and UTC month (`YYYY-MM`), for quotas.
CREATE TABLE account_usage (
    account_id  TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    month       TEXT    NOT NULL,
    requests    INTEGER NOT NULL,
    PRIMARY KEY (account_id, environment, month)
) STRICT, WITHOUT ROWID;

-- The append-only audit trail. Each event's `hash` is an HMAC (keyed by the
-- keyring's audit key) over the previous event's hash and this event's
-- fields, so altering or deleting a row breaks the chain.
CREATE TABLE audit_events (
    seq              INTEGER NOT NULL PRIMARY KEY,
    at               INTEGER NOT NULL,
    action           TEXT    NOT NULL,
    actor_account_id TEXT,
    actor_key_id     TEXT,
    account_id       TEXT,
    key_id           TEXT,
    ip               TEXT,
    details          TEXT    NOT NULL,
    prev_hash        BLOB    NOT NULL,
    hash             BLOB    NOT NULL
) STRICT;

CREATE INDEX audit_by_account ON audit_events (account_id, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
