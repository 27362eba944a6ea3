-- The asset catalog. Rows come from the curated catalog shipped with each
-- release; `edited_at` marks rows an operator changed, which later catalog
-- loads leave alone. An applied migration is never edited: add a new one.
CREATE TABLE assets (
    id              TEXT    NOT NULL PRIMARY KEY,
    symbol          TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    reference_asset INTEGER NOT NULL DEFAULT 0 CHECK (reference_asset IN (0, 1)),
    consensus       TEXT    NOT NULL,
    native_chain    TEXT,
    platform        TEXT,
    token_standard  TEXT,
    fork_of         TEXT,
    peg_target      TEXT,
    peg_kind        TEXT,
    launch_year     INTEGER NOT NULL,
    max_supply      INTEGER,
    description     TEXT    NOT NULL,
    edited_at       INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK ((native_chain IS NULL) <> (platform IS NULL))
) STRICT;

CREATE INDEX assets_by_symbol ON assets (symbol COLLATE NOCASE);

CREATE TABLE asset_categories (
    asset_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    PRIMARY KEY (asset_id, category)
) STRICT, WITHOUT ROWID;

CREATE INDEX asset_categories_by_category ON asset_categories (category, asset_id);
