#!/usr/bin/env bash
# The account-list, detail and verify queries that satui runs, timed in the sqlite3 shell on the
# same store, for comparison with `cargo bench` (see BENCHMARKS.md).
#
#   scripts/sqlite_compare.sh STORE.db [RUNS]
#
# Each query runs RUNS times (default 20) in one sqlite3 session with the same page cache as
# satui (16 MiB), after one warm-up run; the mean time per run is printed (the session's wall
# time minus that of a session with the warm-up run only, over RUNS). A list query in satui is the
# page query plus, after a full page, the count of the matches past it: both are timed.
set -euo pipefail
db=${1:?usage: sqlite_compare.sh STORE.db [RUNS]}
runs=${2:-20}
cols="id, org_id, name, login, description, role, disabled, managed_by, created_at, updated_at, name_key"
idx="INDEXED BY service_accounts_list"

last_key() { # the name_key of the last row of a page
  sqlite3 "$db" "SELECT name_key FROM ($1) ORDER BY name_key DESC LIMIT 1" | sed "s/'/''/g"
}

now_ns() { date +%s%N; }

time_query() { # label, sql [runs]: mean wall time per run, from RUNS runs in one session
  local label=$1 sql=$2 runs=${3:-$runs} warm runs_script t0 t1 t2
  warm=$(printf 'PRAGMA cache_size = -16384;\n%s;\n' "$sql")
  runs_script=$(printf '%s\n' "$warm"; for _ in $(seq "$runs"); do printf '%s;\n' "$sql"; done)
  t0=$(now_ns); sqlite3 "$db" <<<"$warm" >/dev/null
  t1=$(now_ns); sqlite3 "$db" <<<"$runs_script" >/dev/null
  t2=$(now_ns)
  awk -v label="$label" -v a=$((t1 - t0)) -v b=$((t2 - t1)) -v n="$runs" \
    'BEGIN { printf "%-56s %8.3f ms\n", label, (b - a) / n / 1e6 }'
}

total=$(sqlite3 "$db" "SELECT count(*) FROM service_accounts WHERE org_id = 1")
# The index of UNIQUE (org_id, name_key), which v2 filtered through (table row per entry).
uniq=$(sqlite3 "$db" "SELECT name FROM pragma_index_list('service_accounts') WHERE origin = 'u' AND name IN
  (SELECT il.name FROM pragma_index_list('service_accounts') il WHERE
     (SELECT count(*) FROM pragma_index_info(il.name)) = 2)")
echo "sqlite3 $(sqlite3 --version | cut -d' ' -f1) on $db ($total accounts in org 1), $runs runs each"

page="SELECT $cols FROM service_accounts WHERE org_id = 1 ORDER BY name_key, id LIMIT 50"
time_query "page/first: page query" "$page OFFSET 0"
time_query "page/first: count after the page" \
  "SELECT count(*) FROM service_accounts WHERE org_id = 1 AND name_key > '$(last_key "$page OFFSET 0")'"
time_query "page/first: plain count(*) (for reference)" "SELECT count(*) FROM service_accounts WHERE org_id = 1"
time_query "page/middle: page query" "$page OFFSET $((total / 2))"
time_query "page/middle: count after the page" \
  "SELECT count(*) FROM service_accounts WHERE org_id = 1 AND name_key > '$(last_key "$page OFFSET $((total / 2))")'"
time_query "page/last: page query (short page ends it)" "$page OFFSET $((total - 50))"

for f in e ci qz sa-1; do
  where="org_id = 1 AND (name_key LIKE '%$f%' ESCAPE '\\' OR login LIKE '%$f%' ESCAPE '\\')"
  fpage="SELECT $cols FROM service_accounts $idx WHERE $where ORDER BY name_key, id LIMIT 50"
  n=$(sqlite3 "$db" "SELECT count(*) FROM ($fpage)")
  time_query "filter/first_page/$f: page query (scan)" "$fpage OFFSET 0"
  if [ "$n" = 50 ]; then
    time_query "filter/first_page/$f: count after the page" \
      "SELECT count(*) FROM service_accounts $idx WHERE $where AND name_key > '$(last_key "$fpage OFFSET 0")'"
  fi
  time_query "filter/$f: count(*) the v2 way (no list index)" \
    "SELECT count(*) FROM service_accounts INDEXED BY $uniq WHERE $where"
done

# 3 characters or more: the trigram index (migration 003).
for f in expor qzxjv; do
  match="SELECT rowid FROM service_accounts_search WHERE service_accounts_search MATCH '\"$f\"'"
  time_query "filter/first_page/$f: hits, counted up to 20 001" "SELECT count(*) FROM ($match LIMIT 20001)"
  if [ "$(sqlite3 "$db" "SELECT count(*) FROM ($match)")" != 0 ]; then # satui stops at 0 hits
    time_query "filter/first_page/$f: page, walking the hits" \
      "SELECT $cols FROM service_accounts $idx WHERE org_id = 1 AND id IN ($match) ORDER BY name_key, id LIMIT 50"
  fi
  time_query "filter/last_page/$f: the hits' keys (sorted in satui)" \
    "SELECT a.name_key, a.id FROM service_accounts_search CROSS JOIN service_accounts a
       ON a.id = service_accounts_search.rowid WHERE service_accounts_search MATCH '\"$f\"' AND a.org_id = 1"
  time_query "filter/$f: count(*) the v2 way (no list index)" \
    "SELECT count(*) FROM service_accounts INDEXED BY $uniq
       WHERE org_id = 1 AND (name_key LIKE '%$f%' ESCAPE '\\' OR login LIKE '%$f%' ESCAPE '\\')"
done

id=$(sqlite3 "$db" "SELECT id FROM service_accounts WHERE org_id = 1 ORDER BY name_key LIMIT 1")
time_query "detail: account by id" "SELECT $cols FROM service_accounts WHERE id = $id" $((runs * 50))
time_query "detail: its tokens" \
  "SELECT * FROM tokens t WHERE t.sa_id = $id ORDER BY t.created_at DESC, t.id DESC" $((runs * 50))
hash=$(sqlite3 "$db" "SELECT hex(hash) FROM tokens ORDER BY id DESC LIMIT 1")
time_query "verify: lookup by hash (join)" \
  "SELECT t.*, o.id, o.name, o.max_token_lifetime_days, a.id, a.name, a.login, a.role, a.disabled
     FROM tokens t JOIN service_accounts a ON a.id = t.sa_id JOIN orgs o ON o.id = a.org_id WHERE t.hash = x'$hash'" \
  $((runs * 50))
