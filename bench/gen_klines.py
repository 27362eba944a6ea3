#!/usr/bin/env python3
"""Writes a Binance public kline CSV (12 columns, no header) of N one-minute
candles to stdout: a random walk from 30,000 with valid OHLC and volumes,
open times in ms from 2020-01-01, the last fifth in µs as Binance writes
files from 2025 on.

    bench/gen_klines.py 10000000 > klines.csv
"""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
rng = random.Random(7)
out = sys.stdout
start = 1_577_836_800_000
price = 30_000.0
micro_from = rows - rows // 5
buf = []
for i in range(rows):
    t = start + i * 60_000
    o = price
    c = max(1.0, o * (1.0 + rng.gauss(0.0, 0.001)))
    h = max(o, c) * (1.0 + abs(rng.gauss(0.0, 0.0005)))
    lo = min(o, c) * (1.0 - abs(rng.gauss(0.0, 0.0005)))
    v = abs(rng.gauss(10.0, 3.0))
    open_time = t * 1000 if i >= micro_from else t
    close_time = (t + 59_999) * 1000 + 999 if i >= micro_from else t + 59_999
    buf.append(
        f"{open_time},{o:.2f},{h:.2f},{lo:.2f},{c:.2f},{v:.5f},{close_time},{v * c:.4f},{rng.randint(1, 900)},"
        f"{v / 2:.5f},{v * c / 2:.4f},0\n"
    )
    price = c
    if len(buf) == 100_000:
        out.write("".join(buf))
        buf.clear()
out.write("".join(buf))
