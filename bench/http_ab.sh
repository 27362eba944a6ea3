#!/usr/bin/env bash
# Two builds of the server against each other, in one run: /healthz and
# signed GET /v1/assets/bitcoin on each, interleaved, so a change's effect
# on the signed ÷ healthz ratio shows through the machine's noise.
#
#   bench/http_ab.sh OLD_ALTGATE_BINARY NEW_ALTGATE_BINARY
#
# Each server runs on CPU 0 (taskset) with its own fresh data directory and
# lifted limits; altgate-bench (built from this tree) runs on CPU 1. ROUNDS
# (default 5) rounds of DURATION (default 5s) per measurement. Each line
# gives both throughputs, their ratio and both p99.9 latencies.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
cargo build --release -q -p altgate-bench
bench=target/release/altgate-bench
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

# start NAME BINARY PORT: a server, its key in $work/NAME.key
start() {
  local dir=$work/$1 admin
  mkdir "$dir"
  admin=$("$2" admin init --data-dir "$dir" 2>/dev/null)
  field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<<"$admin"; }
  ALTGATE_LOG=warn taskset -c 0 "$2" serve --data-dir "$dir" --listen "127.0.0.1:$3" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$3/healthz" >/dev/null && break; sleep 0.1; done
  ALTGATE_URL=http://127.0.0.1:$3 ALTGATE_KEY=$(field key) ALTGATE_KEY_ID=$(field key_id) \
    "$2" accounts update "$(field account_id)" --rate-per-minute 1000000000 --monthly-quota 100000000000 >/dev/null
  echo "$(field key) $(field key_id)" >"$work/$1.key"
}

# run NAME PORT MODE PATH: requests a second and the p99.9 latency in µs
run() {
  local key id
  read -r key id <"$work/$1.key"
  ALTGATE_KEY=$key taskset -c 1 "$bench" --url "http://127.0.0.1:$2" --path "$4" --mode "$3" --key-id "$id" \
    --connections 32 --duration "${DURATION:-5s}" --warmup 1s --json |
    python3 -c "import json,sys; r = json.load(sys.stdin); print(r['throughput_rps'], r['latency_us']['p999'])"
}

start old "$old" 18151
start new "$new" 18152
for round in $(seq "${ROUNDS:-5}"); do
  for build in "old 18151" "new 18152"; do
    set -- $build
    read -r healthz healthz_tail < <(run "$1" "$2" none /healthz)
    read -r signed signed_tail < <(run "$1" "$2" signed /v1/assets/bitcoin)
    python3 -c "print(f'$1 round $round: healthz {$healthz:9.0f}  signed {$signed:9.0f}  ratio {$signed / $healthz:.3f}  p99.9 {$healthz_tail:.0f} / {$signed_tail:.0f} µs')"
  done
done
