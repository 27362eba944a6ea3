-- Market data. A series is one asset at one interval; its candles are keyed
-- by open time (UTC Unix ms, aligned to the interval). Candles are checked
-- before they are written (low <= min(open, close) <= max(open, close) <=
-- high, volumes >= 0); the CHECKs below guard against writes from outside.
CREATE TABLE candle_series (
    id INTEGER PRIMARY KEY,
    asset_id TEXT NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    interval TEXT NOT NULL CHECK (interval IN ('1m', '5m', '15m', '1h', '4h', '1d', '1w')),
    UNIQUE (asset_id, interval)
) STRICT;

-- source: 1 simulated, 2 binance, 3 import.
CREATE TABLE candles (
    series_id INTEGER NOT NULL REFERENCES candle_series (id) ON DELETE CASCADE,
    open_time INTEGER NOT NULL,
    open REAL NOT NULL,
    high REAL NOT NULL,
    low REAL NOT NULL,
    close REAL NOT NULL,
    volume REAL NOT NULL CHECK (volume >= 0),
    quote_volume REAL CHECK (quote_volume >= 0),
    trades INTEGER CHECK (trades >= 0),
    source INTEGER NOT NULL CHECK (source IN (1, 2, 3)),
    PRIMARY KEY (series_id, open_time),
    CHECK (low <= open AND low <= close AND high >= open AND high >= close)
) STRICT, WITHOUT ROWID;
