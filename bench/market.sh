#!/usr/bin/env bash
# Market data performance, in one run:
#
#   bench/market.sh [DURATION]
#
# 1. Import: a generated 10-million-row Binance kline file (bench/gen_klines.py;
#    set KLINES=path to reuse one) through `altgate import`, against
#    `altgate import --check` (the same reading and parsing, storing nothing)
#    as the baseline, ROUNDS times (fresh data directory each time).
# 2. Server time of GET /v1/prices (every catalog asset) and of a full
#    1000-candle page of GET /v1/assets/bitcoin/ohlcv?interval=1h, against
#    GET /v1/assets/bitcoin (the same key checks and limits, a pre-rendered
#    body) as the baseline, on `altgate serve --demo` (3 years of simulated
#    history). SKIP_IMPORT=1 runs only this part.
#    One connection, so no request waits for another; server time is the
#    mean of the service's own latency histogram (GET /metrics, request to
#    response head, JSON body included) for each route.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds() { python3 -c 'import time; print(time.monotonic())'; }
duration=${1:-5s}
rounds=${ROUNDS:-3}
port=${ALTGATE_BENCH_PORT:-18098}

cargo build --release -q -p altgate -p altgate-bench
bin=$PWD/target/release
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT

klines=${KLINES:-$dir/klines.csv}
if [ "${SKIP_IMPORT:-0}" = 1 ]; then :; else
if [ ! -f "$klines" ]; then
  echo "generating $klines (10M rows)…" >&2
  python3 bench/gen_klines.py 10000000 >"$klines"
fi
rows=$(wc -l <"$klines")

check_times=() import_times=()
for round in $(seq "$rounds"); do
  t0=$(seconds)
  $bin/altgate import --check --data-dir "$dir/none" --asset bitcoin "$klines" >/dev/null
  t1=$(seconds)
  rm -rf "$dir/store"
  $bin/altgate import --data-dir "$dir/store" --asset bitcoin "$klines" >/dev/null 2>&1
  t2=$(seconds)
  check_times+=("$(python3 -c "print($t1 - $t0)")")
  import_times+=("$(python3 -c "print($t2 - $t1)")")
done
rm -rf "$dir/store"
python3 - "$rows" "${check_times[*]}" "${import_times[*]}" <<'PY'
import statistics, sys
rows = int(sys.argv[1])
check = statistics.median(map(float, sys.argv[2].split()))
full = statistics.median(map(float, sys.argv[3].split()))
print(f"import of {rows:,} candles (median of {len(sys.argv[3].split())})")
print(f"  check only (read and parse)  {check:7.2f} s  {rows / check:12,.0f} candles/s")
print(f"  import (parse and store)     {full:7.2f} s  {rows / full:12,.0f} candles/s  ratio {check / full:.2f}")
PY
fi

# The demo server, with the operator's limits raised so nothing is throttled.
admin=$($bin/altgate admin init --data-dir "$dir/demo")
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<<"$admin"; }
key=$(field key)
account=$(field account_id)
$bin/altgate accounts update "$account" --data-dir "$dir/demo" --rate-per-minute 1000000000 \
  --monthly-quota 100000000000 >/dev/null
t0=$(seconds)
ALTGATE_LOG=warn $bin/altgate serve --demo --data-dir "$dir/demo" --listen 127.0.0.1:$port >/dev/null &
server=$!
url=http://127.0.0.1:$port
for _ in $(seq 600); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done
t1=$(seconds)
echo "demo start-up with 3 years of history for every asset: $(python3 -c "print(round($t1 - $t0, 1))") s"

year_start=$(python3 -c "import time; print((int(time.time()) // 3600 - 8760) * 3600 * 1000)")
page="/v1/assets/bitcoin/ohlcv?interval=1h&start=$year_start&limit=1000"
run() {
  $bin/altgate-bench --url "$url" --path "$1" --mode "$2" --key "$key" --connections 1 \
    --duration "$duration" --warmup 1s --json >/dev/null
}
for _ in $(seq "$rounds"); do
  run /v1/assets/bitcoin bearer
  run /v1/prices bearer
  run "$page" bearer
done
curl -sf -H "x-api-key: $key" "$url/metrics" >"$dir/metrics.txt"
python3 - "$dir/metrics.txt" <<'PY'
import re, sys
sums, counts, buckets = {}, {}, {}
for line in open(sys.argv[1]):
    m = re.match(r'altgate_http_request_duration_seconds_(sum|count|bucket)\{(.*)\} (\S+)', line)
    if not m:
        continue
    labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
    if labels.get("status") != "200":
        continue
    route, value = labels["route"], float(m.group(3))
    if m.group(1) == "bucket":
        buckets.setdefault(route, []).append((float(labels["le"]), value))
    else:
        (sums if m.group(1) == "sum" else counts)[route] = value
def mean_us(route):
    return sums[route] / counts[route] * 1e6
def p99_us(route):
    # The upper bound of the histogram bucket holding the 99th percentile.
    total = counts[route]
    for le, cumulative in sorted(buckets[route]):
        if cumulative >= 0.99 * total:
            return le * 1e6
    return float("inf")
base = mean_us("/v1/assets/{id}")
prices = mean_us("/v1/prices")
page = mean_us("/v1/assets/{id}/ohlcv")
print("server time (the service's own histogram, one connection; p99 is a bucket's upper bound)")
print(f"  GET /v1/assets/bitcoin (baseline)      mean {base:8.1f} µs  p99 ≤ {p99_us('/v1/assets/{id}'):7.0f} µs")
print(f"  GET /v1/prices (all assets)            mean {prices:8.1f} µs  p99 ≤ {p99_us('/v1/prices'):7.0f} µs  "
      f"{prices / base:5.1f}× baseline")
print(f"  GET ohlcv 1h, a page of 1000 candles   mean {page:8.1f} µs  p99 ≤ {p99_us('/v1/assets/{id}/ohlcv'):7.0f} µs  "
      f"{page / base:5.1f}× baseline")
print(f"  one year of hourly candles (8,760)     mean {page * 8.76 / 1000:8.2f} ms  (8.76 full pages)")
PY
