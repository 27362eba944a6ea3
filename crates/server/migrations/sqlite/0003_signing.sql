-- Signed requests. A key signs with HMAC-SHA256 (keyed by the API key,
-- whose sealed copy the server opens to verify) or with Ed25519 (the server
-- stores only the public key). Ed25519 keys have no bearer secret: their
-- `lookup_hash` holds 32 random bytes, which no presented key can hash to,
-- and they carry no sealed secret.
ALTER TABLE api_keys ADD COLUMN signing TEXT NOT NULL DEFAULT 'hmac' CHECK (signing IN ('hmac', 'ed25519'));
ALTER TABLE api_keys ADD COLUMN public_key BLOB;
-- The freshness window of the key's signed requests (5 to 120 s); NULL uses
-- the service's.
ALTER TABLE api_keys ADD COLUMN signature_window_secs INTEGER;
-- Sequence mode: every signed request carries an increasing X-AG-Sequence.
ALTER TABLE api_keys ADD COLUMN sequence_required INTEGER NOT NULL DEFAULT 0 CHECK (sequence_required IN (0, 1));
ALTER TABLE api_keys ADD COLUMN last_sequence INTEGER;
