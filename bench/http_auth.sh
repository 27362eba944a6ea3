#!/usr/bin/env bash
# Signed requests over HTTP against the same server's open /healthz, in one
# run: the cost of authentication, signature verification and replay
# protection at the HTTP level.
#
#   bench/http_auth.sh [DURATION] [CONNECTIONS]
#
# With PIN=1 the server runs on CPU 0 and the load tool on CPU 1 (taskset),
# so the server's throughput is measured without the tool taking its CPU.
# With BUSY_POLL=1 the load tool polls instead of sleeping (--busy-poll), so
# the server does not pay to wake it for every response.
#
# Builds release binaries, starts a server on a fresh data directory with
# warnings-only logging, raises the operator account's limits so the load
# is never rate limited, then runs altgate-bench for /healthz (no key),
# bearer and signed GET /v1/assets/bitcoin, ROUNDS times interleaved (the
# machine is shared and noisy), and prints the median of each and the ratios,
# then each round's ratios against that round's /healthz, and against the
# /healthz runs before and after it, with their medians. WARMUP (default 2s)
# is each run's unrecorded start. It also reports the server's CPU time per
# request of each kind (from /proc/<pid>/stat), and each round's ratio of
# /healthz's to the others'.
#
# With SLICE set (say SLICE=500ms), each round is instead one run of bearer
# and one of signed requests, each alternating with /healthz in slices of
# that length (altgate-bench --baseline-path): both kinds meet the host in
# the same state, so the ratio is not at the mercy of the host's drift
# between runs. It prints each run's ratio, the spread of its per-slice
# ratios, and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
connections=${2:-32}
port=${ALTGATE_BENCH_PORT:-18099}

cargo build --release -q -p altgate -p altgate-bench
bin=target/release
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT

admin=$($bin/altgate admin init --data-dir "$dir")
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])" <<<"$admin"; }
export ALTGATE_URL=http://127.0.0.1:$port ALTGATE_KEY ALTGATE_KEY_ID
ALTGATE_KEY=$(field key)
ALTGATE_KEY_ID=$(field key_id)
account=$(field account_id)

server_cpu=() client_cpu=() poll=()
if [ "${BUSY_POLL:-0}" = 1 ]; then poll=(--busy-poll); fi
if [ "${PIN:-0}" = 1 ]; then server_cpu=(taskset -c 0) client_cpu=(taskset -c 1); fi
ALTGATE_LOG=warn "${server_cpu[@]}" $bin/altgate serve --data-dir "$dir" --listen 127.0.0.1:$port >/dev/null &
server=$!
for _ in $(seq 100); do curl -sf "$ALTGATE_URL/healthz" >/dev/null && break; sleep 0.1; done
$bin/altgate accounts update "$account" --rate-per-minute 1000000000 --monthly-quota 100000000000 >/dev/null

# The server's CPU time so far, in clock ticks (user and system).
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
ticks_per_s=$(getconf CLK_TCK)
# One run's report (PATH MODE [more altgate-bench flags]), with the share of
# a CPU the server used during it (warm-up included) added as `server_busy`.
run() {
  local ticks=$(server_ticks) started=$(date +%s.%N) report
  report=$("${client_cpu[@]}" $bin/altgate-bench --url "$ALTGATE_URL" --path "$1" --mode "$2" \
    --key-id "$ALTGATE_KEY_ID" --connections "$connections" --duration "$duration" --warmup "${WARMUP:-2s}" \
    --json "${poll[@]}" "${@:3}")
  local busy=$(awk -v t="$(server_ticks)" -v t0="$ticks" -v hz="$ticks_per_s" -v s="$(date +%s.%N)" -v s0="$started" \
    'BEGIN { print (t - t0) / hz / (s - s0) }')
  python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r["server_busy"] = float(sys.argv[2]); print(json.dumps(r))' \
    "$report" "$busy"
}
results=()
if [ -n "${SLICE:-}" ]; then
  turns=(--baseline-path /healthz --slice "$SLICE")
  for _ in $(seq "${ROUNDS:-3}"); do
    results+=("$(run /v1/assets/bitcoin bearer "${turns[@]}")" "$(run /v1/assets/bitcoin signed "${turns[@]}")")
  done
  python3 - "${results[@]}" <<'PY'
import json, statistics, sys
runs = [json.loads(a) for a in sys.argv[1:]]
for i, mode in enumerate(["bearer", "signed"]):
    rs = runs[i::2]
    def median(f):
        return statistics.median(f(r) for r in rs)
    errors = sum(sum(r[kind]["errors"].values()) for r in rs for kind in ("measured", "baseline"))
    print(f"{mode} GET /v1/assets/bitcoin {median(lambda r: r['measured']['throughput_rps']):9.0f} req/s  "
          f"healthz between {median(lambda r: r['baseline']['throughput_rps']):9.0f} req/s  "
          f"ratio {median(lambda r: r['ratio']):.3f}  errors {errors}  (medians of {len(rs)} runs)")
    print("  each run's ratio: " + " ".join(f"{r['ratio']:.3f}" for r in rs))
    print("  per slice (median, lowest, highest): "
          + "  ".join(f"{s['median']:.3f} {s['min']:.3f} {s['max']:.3f}" for s in (r["slices"] for r in rs)))
    print(f"  server busy: {median(lambda r: r['server_busy']):.0%}")
PY
  exit
fi
for _ in $(seq "${ROUNDS:-3}"); do
  results+=("$(run /healthz none)" "$(run /v1/assets/bitcoin bearer)" "$(run /v1/assets/bitcoin signed)")
done

python3 - "${results[@]}" <<'PY'
import json, statistics, sys
names = ["healthz (no key)", "bearer GET /v1/assets/bitcoin", "signed GET /v1/assets/bitcoin"]
runs = [json.loads(a) for a in sys.argv[1:]]
by_name = {name: runs[i::3] for i, name in enumerate(names)}
def median(rs, f):
    return statistics.median(f(r) for r in rs)
base = median(by_name[names[0]], lambda r: r["throughput_rps"])
for name in names:
    rs = by_name[name]
    rps = median(rs, lambda r: r["throughput_rps"])
    print(f"{name:32} {rps:9.0f} req/s  ratio {rps / base:4.2f}  "
          f"p50 {median(rs, lambda r: r['latency_us']['p50']):.0f} µs  "
          f"p99 {median(rs, lambda r: r['latency_us']['p99']):.0f} µs  "
          f"p99.9 {median(rs, lambda r: r['latency_us']['p999']):.0f} µs  "
          f"errors {sum(sum(r['errors'].values()) for r in rs)}  (median of {len(rs)} runs)")
# The server's CPU time per request: its busy share over the run divided by
# the throughput. Throughput follows it only while the server is the
# bottleneck; a server below 100% busy was partly waiting for the load tool.
cpu = {name: [r["server_busy"] / r["throughput_rps"] * 1e6 for r in by_name[name]] for name in names}
for name in names:
    busy = median(by_name[name], lambda r: r["server_busy"])
    print(f"{name.split(' ')[0]:8} server CPU {statistics.median(cpu[name]):5.1f} µs a request, "
          f"{busy:.0%} busy (medians)")
for name in names[1:]:
    ratios = [h / r for r, h in zip(cpu[name], cpu[names[0]])]
    print(f"{name.split(' ')[0]}: healthz's CPU a request ÷ its own, per round: "
          f"{' '.join(f'{x:.3f}' for x in ratios)}  (median {statistics.median(ratios):.3f})")
# Each round's ratio against that round's /healthz: the host's speed drifts
# between rounds, and a ratio within one round is not affected by it.
healthz = [h["throughput_rps"] for h in by_name[names[0]]]
for name in names[1:]:
    ratios = [r["throughput_rps"] / h for r, h in zip(by_name[name], healthz)]
    print(f"{name.split(' ')[0]} ÷ healthz per round: {' '.join(f'{x:.3f}' for x in ratios)}  "
          f"(median {statistics.median(ratios):.3f})")
# The same against the geometric mean of the /healthz runs just before and
# just after (the next round's), which also cancels a drift within a round.
for name in names[1:]:
    ratios = [r["throughput_rps"] / statistics.geometric_mean(healthz[i:i + 2])
              for i, r in enumerate(by_name[name])]
    print(f"{name.split(' ')[0]} ÷ surrounding healthz: {' '.join(f'{x:.3f}' for x in ratios)}  "
          f"(median {statistics.median(ratios):.3f})")
PY
