#!/usr/bin/env bash
# Load test of `satui serve` against a bare axum server (scripts/bare_axum.rs) measured side by
# side, with wrk on the same machine, on a seeded store (100 000 accounts × 10 tokens by
# default). Every figure is reported with its ratio to the bare server in the same run:
#   - /api/health (satui answers from its background check; target: within 10 % of bare)
#   - /api/satui/verify?action&scope with the access log on, the default (target: at least half
#     of bare's rate, p99 at most twice bare's)
#   - /api/satui/verify, token only
# at 64 and 256 connections. Not run by CI; numbers go in BENCHMARKS.md.
#
#   scripts/bench_serve.sh [ACCOUNTS] [TOKENS_PER_ACCOUNT] [SECONDS]
#
# Installs wrk with apt-get when it is missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:-100000}
tokens=${2:-10}
seconds=${3:-10}
command -v wrk >/dev/null || sudo apt-get install -y wrk || apt-get install -y wrk
cargo build --release --quiet
cargo build --release --quiet --example bare_axum
bin=target/release/satui
bare_bin=target/release/examples/bare_axum
dir=$(mktemp -d)
server=""
quiet=""
bare=""
trap 'kill $server $quiet $bare 2>/dev/null || true; rm -rf "$dir"' EXIT
db=$dir/bench.db
echo "seeding $accounts accounts × $tokens tokens..."
$bin --db "$db" seed --orgs 1 --accounts "$accounts" --tokens-per-account "$tokens" >/dev/null
$bin --db "$db" sa create bench-admin --role Admin >/dev/null
token=$($bin --db "$db" token create --sa bench-admin --name bench --never 2>/dev/null)
# The access log on (the default), written to a file as a service manager would.
$bin --db "$db" serve --listen 127.0.0.1:3941 2>"$dir/serve.log" &
server=$!
# The same with --quiet, to tell the access log's share.
$bin --db "$db" serve --quiet --listen 127.0.0.1:3943 2>/dev/null &
quiet=$!
$bare_bin 127.0.0.1:3942 2>/dev/null &
bare=$!
sleep 1
auth="Authorization: Bearer $token"
verify_pair="/api/satui/verify?action=serviceaccounts:read&scope=serviceaccounts:id:1"

# measure CONNECTIONS URL → "requests/s p99_ms"
measure() {
  wrk -t2 -c"$1" -d"${seconds}s" --latency -H "$auth" "$2" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } p99 = v }
    /Non-2xx/ { bad = $NF }
    END { if (bad > 0) { printf "NON-2XX:%s ", bad } printf "%s %s\n", rps, p99 }'
}

# Warm up both (page cache, connections, the verification cache).
wrk -t2 -c64 -d3s -H "$auth" "http://127.0.0.1:3941$verify_pair" >/dev/null
wrk -t2 -c64 -d3s -H "$auth" "http://127.0.0.1:3943$verify_pair" >/dev/null
wrk -t2 -c64 -d3s "http://127.0.0.1:3942/api/health" >/dev/null

printf "%-5s %-42s %12s %9s %9s %9s\n" conns route "req/s" "p99 ms" "× bare" "p99 × bare"
# row CONNS PORT LABEL ROUTE: one measured row, with its ratios to the bare server's.
row() {
  local rps p99 name=$4
  read -r rps p99 < <(measure "$1" "http://127.0.0.1:$2$4")
  [ "$4" = "$verify_pair" ] && name="/api/satui/verify?action&scope"
  printf "%-5s %-42s %12.0f %9.2f %9.2f %9.2f\n" "$1" "$3 $name" "$rps" "$p99" \
    "$(awk "BEGIN { print $rps / $bare_rps }")" "$(awk "BEGIN { print $p99 / $bare_p99 }")"
}
for c in 64 256; do
  read -r bare_rps bare_p99 < <(measure "$c" "http://127.0.0.1:3942/api/health")
  printf "%-5s %-42s %12.0f %9.2f %9s %9s\n" "$c" "bare axum /api/health" "$bare_rps" "$bare_p99" 1.00 1.00
  for route in "/api/health" "$verify_pair" "/api/satui/verify"; do
    row "$c" 3941 satui "$route"
  done
  for route in "/api/health" "$verify_pair"; do
    row "$c" 3943 "satui --quiet" "$route"
  done
done
echo "access log lines written: $(wc -l <"$dir/serve.log")"

echo "== search perpage=1000 (curl, 20 sequential requests, time_total in ms)"
for page in $(seq 1 20); do
  curl -s -o /dev/null -w "%{time_total}\n" -H "$auth" "http://127.0.0.1:3941/api/serviceaccounts/search?perpage=1000&page=$page"
done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "median %.1f ms, worst %.1f ms over %d pages\n", t[int((NR+1)/2)], t[NR], NR }'
echo "== /metrics at this store (curl, 5 scrapes)"
for i in 1 2 3 4 5; do
  curl -s -o "$dir/metrics.txt" -w "%{time_total}\n" "http://127.0.0.1:3941/metrics"
done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "median %.1f ms\n", t[int((NR+1)/2)] }'
echo "series: $(grep -vc '^#' "$dir/metrics.txt"), of which end-time: $(grep -c '^satui_token_end_timestamp_seconds{' "$dir/metrics.txt" || true)"
grep -E '^satui_(token_end_series_left_out|verify_cache_(hits|misses)_total|use_writer_queue) ' "$dir/metrics.txt" || true
