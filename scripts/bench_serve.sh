#!/usr/bin/env bash
# Load test of `satui serve` on a seeded store (100 000 accounts × 10 tokens by default), with
# wrk on the same machine: /api/satui/verify with a permission check, /api/health, and the
# latency of a 1 000-account search page. Not run by CI; numbers go in BENCHMARKS.md.
#
#   scripts/bench_serve.sh [ACCOUNTS] [TOKENS_PER_ACCOUNT]
#
# Installs wrk with apt-get when it is missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
accounts=${1:-100000}
tokens=${2:-10}
command -v wrk >/dev/null || sudo apt-get install -y wrk || apt-get install -y wrk
cargo build --release --quiet
bin=target/release/satui
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
db=$dir/bench.db
echo "seeding $accounts accounts × $tokens tokens..."
$bin --db "$db" seed --orgs 1 --accounts "$accounts" --tokens-per-account "$tokens" >/dev/null
$bin --db "$db" sa create bench-admin --role Admin >/dev/null
token=$($bin --db "$db" token create --sa bench-admin --name bench --never 2>/dev/null)
$bin --db "$db" serve --listen 127.0.0.1:3941 --quiet 2>"$dir/serve.log" &
server=$!
sleep 1
auth="Authorization: Bearer $token"
run() {
  echo "== $1"
  wrk -t2 -c64 -d10s --latency -H "$auth" "$2" | grep -E "Requests/sec|Latency  |99%|Non-2xx"
}
# Warm up (page cache, connections).
wrk -t2 -c64 -d3s -H "$auth" "http://127.0.0.1:3941/api/satui/verify?action=serviceaccounts:read&scope=serviceaccounts:id:1" >/dev/null
run "verify with permission check" "http://127.0.0.1:3941/api/satui/verify?action=serviceaccounts:read&scope=serviceaccounts:id:1"
run "verify, token only" "http://127.0.0.1:3941/api/satui/verify"
run "health" "http://127.0.0.1:3941/api/health"
echo "== search perpage=1000 (curl, 20 sequential requests, time_total in ms)"
for page in $(seq 1 20); do
  curl -s -o /dev/null -w "%{time_total}\n" -H "$auth" "http://127.0.0.1:3941/api/serviceaccounts/search?perpage=1000&page=$page"
done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "median %.1f ms, worst %.1f ms over %d pages\n", t[int((NR+1)/2)], t[NR], NR }'
