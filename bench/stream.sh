#!/usr/bin/env bash
# Stream fan-out: N WebSocket subscribers (default 2000) to `altgate serve
# --demo`, each subscribed to ticker:bitcoin and candles:bitcoin:1m, and the
# latency from the server applying a tick to each client receiving it, with
# 50 subscribers as the baseline in the same run.
#
#   bench/stream.sh [DURATION] [SUBSCRIBERS]
#
# With PIN=1 the server runs on CPU 0 and the load tool on CPU 1.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
subscribers=${2:-2000}
port=${ALTGATE_BENCH_PORT:-18097}
ulimit -n 16384

cargo build --release -q -p altgate -p altgate-bench
bin=$PWD/target/release
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$dir"' EXIT

admin=$($bin/altgate admin init --data-dir "$dir")
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<<"$admin"; }
key=$(field key)
$bin/altgate accounts update "$(field account_id)" --data-dir "$dir" --rate-per-minute 1000000000 \
  --monthly-quota 100000000000 >/dev/null

server_cpu=() client_cpu=()
if [ "${PIN:-0}" = 1 ]; then server_cpu=(taskset -c 0) client_cpu=(taskset -c 1); fi
ALTGATE_LOG=warn ALTGATE_FEEDS__SIMULATOR__HISTORY_DAYS=7 "${server_cpu[@]}" $bin/altgate serve --demo \
  --data-dir "$dir" --listen 127.0.0.1:$port >/dev/null &
server=$!
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

run() {
  "${client_cpu[@]}" $bin/altgate-bench --url "http://127.0.0.1:$port" --stream "$1" \
    --channels ticker:bitcoin,candles:bitcoin:1m --mode bearer --key "$key" --duration "$duration" --warmup 3s
}
run 50
run "$subscribers"
