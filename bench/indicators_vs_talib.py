#!/usr/bin/env python3
"""Speed and agreement of Altgate's indicators against TA-Lib's C library.

Runs the `indicators` bench of altgate-market in its table mode: it generates
one million candles (a seeded geometric random walk), times each indicator
(best of N calls, output allocation included) and writes the candles, its
outputs and its timings to a folder. This script then times TA-Lib on the
same candles through its Python wrapper (best of N calls of the library
function alone, the same way), compares every output point and prints a
table: milliseconds, the ratio ours/TA-Lib (below 1 = faster than TA-Lib) and
the largest relative error.

Both processes run with the same glibc malloc settings (large allocations
kept in the heap and backed by transparent huge pages), so that neither pays
the kernel's page-zeroing for every fresh output buffer. numpy asks for huge
pages for its arrays by itself; the server allocates with mimalloc, which
keeps freed memory. Pass --default-malloc to measure without them.

Usage (TA-Lib needs the `TA-Lib` and `numpy` packages, e.g. in a venv):
    python3 -m venv /tmp/talib-venv
    /tmp/talib-venv/bin/pip install TA-Lib numpy
    /tmp/talib-venv/bin/python bench/indicators_vs_talib.py [--runs 15]
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

TUNABLES = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4000000000"

# (our name, TA-Lib call, our outputs in TA-Lib's output order)
CASES = [
    ("sma(20)", lambda t, c: t.SMA(c.close, 20), ["sma"]),
    ("ema(20)", lambda t, c: t.EMA(c.close, 20), ["ema"]),
    ("wma(20)", lambda t, c: t.WMA(c.close, 20), ["wma"]),
    ("rsi(14)", lambda t, c: t.RSI(c.close, 14), ["rsi"]),
    ("macd(12,26,9)", lambda t, c: t.MACD(c.close, 12, 26, 9), ["macd", "signal", "hist"]),
    ("bbands(20,2)", lambda t, c: t.BBANDS(c.close, 20, 2.0, 2.0, 0), ["upper", "middle", "lower"]),
    ("stddev(20,1)", lambda t, c: t.STDDEV(c.close, 20, 1.0), ["stddev"]),
    ("trange", lambda t, c: t.TRANGE(c.high, c.low, c.close), ["trange"]),
    ("atr(14)", lambda t, c: t.ATR(c.high, c.low, c.close, 14), ["atr"]),
    ("stoch(5,3,3)", lambda t, c: t.STOCH(c.high, c.low, c.close, 5, 3, 0, 3, 0), ["slowk", "slowd"]),
    ("obv", lambda t, c: t.OBV(c.close, c.volume), ["obv"]),
    ("adx(14)", lambda t, c: t.ADX(c.high, c.low, c.close, 14), ["adx"]),
    ("roc(10)", lambda t, c: t.ROC(c.close, 10), ["roc"]),
]
# Our ADX call also returns +DI and -DI; TA-Lib needs two more calls for them.
EXTRA_CHECKS = [
    ("adx(14)", "plus_di", lambda t, c: t.PLUS_DI(c.high, c.low, c.close, 14)),
    ("adx(14)", "minus_di", lambda t, c: t.MINUS_DI(c.high, c.low, c.close, 14)),
]


class Candles:
    def __init__(self, np, path):
        data = np.fromfile(path, dtype="<f8").reshape(5, -1)
        self.open, self.high, self.low, self.close, self.volume = (np.ascontiguousarray(c) for c in data)


def best_of(runs, call):
    best = float("inf")
    result = None
    for _ in range(runs):
        result = None  # free the previous output first, as the Rust side does
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def max_relative_error(np, ours, theirs):
    """Largest |a-b|/max(|a|,|b|) over points defined in both; counts of
    points defined in only one of them (must be 0)."""
    mine, ref = np.isnan(ours), np.isnan(theirs)
    mismatched = int(np.count_nonzero(mine != ref))
    both = ~mine & ~ref
    a, b = ours[both], theirs[both]
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    rel = np.where(diff == 0, 0.0, diff / np.where(scale == 0, 1.0, scale))
    return (float(rel.max()) if rel.size else 0.0), mismatched, float(diff.max() if diff.size else 0.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="calls per indicator; the best is kept")
    parser.add_argument("--default-malloc", action="store_true", help="do not tune glibc malloc")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    tunables = None if args.default_malloc else TUNABLES
    if args.child is None and tunables and os.environ.get("GLIBC_TUNABLES") != tunables:
        # malloc reads its tunables at start-up: re-run this script with them.
        env = dict(os.environ, GLIBC_TUNABLES=tunables)
        sys.exit(subprocess.call([sys.executable, __file__, *sys.argv[1:]], env=env))

    try:
        import numpy as np
        import talib
    except ImportError as error:
        sys.exit(f"TA-Lib is not installed ({error}); see the usage in this script's docstring")

    repo = pathlib.Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="altgate-indicators-") as folder:
        env = dict(os.environ, ALTGATE_INDICATORS_TABLE=folder, ALTGATE_INDICATORS_RUNS=str(args.runs))
        command = ["cargo", "bench", "-p", "altgate-market", "--bench", "indicators"]
        print("$", " ".join(command), f"(ALTGATE_INDICATORS_TABLE={folder})", file=sys.stderr)
        subprocess.run(command, cwd=repo, env=env, check=True, stdout=sys.stderr)
        folder = pathlib.Path(folder)
        ours_timing = json.loads((folder / "timings.json").read_text())["seconds"]
        candles = Candles(np, folder / "input.f64")

        def output(name, part):
            return np.fromfile(folder / f"{name}.{part}.f64", dtype="<f8")

        rows = []
        for name, call, parts in CASES:
            seconds, result = best_of(args.runs, lambda: call(talib, candles))
            results = result if isinstance(result, tuple) else (result,)
            worst, mismatched, abs_err = 0.0, 0, 0.0
            for part, theirs in zip(parts, results):
                rel, miss, diff = max_relative_error(np, output(name, part), np.asarray(theirs))
                worst, mismatched, abs_err = max(worst, rel), mismatched + miss, max(abs_err, diff)
            rows.append((name, seconds, ours_timing[name], worst, abs_err, mismatched))
        extra = []
        for name, part, call in EXTRA_CHECKS:
            rel, miss, diff = max_relative_error(np, output(name, part), np.asarray(call(talib, candles)))
            extra.append((f"{name}.{part}", rel, diff, miss))

    print(f"TA-Lib {talib.__version__} (C library {talib.__ta_version__}), numpy {np.__version__}; "
          f"{len(candles.close)} candles, best of {args.runs}; malloc: {'tuned' if tunables else 'default'}")
    print()
    print(f"| indicator | TA-Lib ms | Altgate ms | ratio | max rel err | max abs err | warm-up mismatches |")
    print(f"|---|---:|---:|---:|---:|---:|---:|")
    for name, talib_s, ours_s, rel, diff, miss in rows:
        print(f"| {name} | {talib_s * 1e3:.3f} | {ours_s * 1e3:.3f} | {ours_s / talib_s:.2f} | {rel:.1e} | {diff:.1e} | {miss} |")
    for name, rel, diff, miss in extra:
        print(f"| {name} (vs PLUS_DI/MINUS_DI) | | | | {rel:.1e} | {diff:.1e} | {miss} |")
    slower = [name for name, talib_s, ours_s, *_ in rows if ours_s > talib_s]
    print()
    print("slower than TA-Lib:", ", ".join(slower) if slower else "none")


if __name__ == "__main__":
    main()
