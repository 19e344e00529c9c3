#!/usr/bin/env bash
# `satui scan` against ripgrep on the same tree, warm cache, with hyperfine. Generates a tree of
# about 1.1 GB in a few thousand text files (code, config, JSON, some non-ASCII and CRLF lines,
# decoy `sat_` words) with 40 planted tokens: 20 issued by a throwaway store (so `satui scan`
# looks them up and finds them live) and 20 well-formed ones it does not know. The tree and the
# store are deleted afterwards. Not run by CI; numbers go in BENCHMARKS.md.
#
#   scripts/bench_scan.sh [MEGABYTES] [FILES]      (default 1100 MB in 4200 files)
#
# DECOYS=0 leaves the `sat_count`/`sat_total` words out of the text (then ripgrep's literal
# prefilter almost never hands a line to its regex engine: its best case).
#
# Installs ripgrep and hyperfine with apt-get when missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes=${1:-1100}
files=${2:-4200}
for tool in rg:ripgrep hyperfine:hyperfine; do
  command -v "${tool%%:*}" >/dev/null || apt-get install -y "${tool##*:}" || sudo apt-get install -y "${tool##*:}"
done
cargo build --release --quiet
bin=$PWD/target/release/satui
dir=$(mktemp -d "${TMPDIR:-/tmp}/satui-bench-scan.XXXXXX")
trap 'rm -rf "$dir"' EXIT
db=$dir/store.db
tree=$dir/tree

# 20 live tokens from a real store (two accounts: at most 20 live tokens each).
$bin --db "$db" sa create bench-a >/dev/null
$bin --db "$db" sa create bench-b >/dev/null
for i in $(seq 1 20); do
  account=bench-a
  [ "$i" -gt 10 ] && account=bench-b
  $bin --db "$db" token create --sa "$account" --name "t$i" --never 2>/dev/null
done >"$dir/live.txt"

echo "generating ${megabytes} MB in ${files} files..."
python3 - "$tree" "$megabytes" "$files" "$dir/live.txt" "${DECOYS:-1}" <<'PY'
import os, random, sys, zlib

root, megabytes, files, live_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
decoys = sys.argv[5] != "0"
rng = random.Random(42)
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

def token():
    # The satui format: 32 random base62 + the CRC32 of them in 6 base62 digits.
    body = "".join(rng.choice(B62) for _ in range(32))
    crc, digits = zlib.crc32(body.encode()), []
    for _ in range(6):
        digits.append(B62[crc % 62]); crc //= 62
    return "sat_" + body + "".join(reversed(digits))

words = ("fn let match impl struct return self config value token service account org deploy "
         "build cache queue retry timeout handler request response error result option string "
         "sat_count sat_total satellite saturday user_id api_key secret name role viewer editor "
         "grün naïve café 東京 данные").split()
if not decoys:
    words = [w for w in words if not w.startswith("sat_")]
def line():
    kind = rng.random()
    w = lambda n: " ".join(rng.choice(words) for _ in range(n))
    if kind < 0.4:
        return f"    let {rng.choice(words)} = {rng.choice(words)}({w(rng.randint(1, 6))});"
    if kind < 0.7:
        return f'  "{rng.choice(words)}_{rng.randint(0, 9999)}": "{w(rng.randint(1, 8))}",'
    if kind < 0.9:
        return f"{rng.choice(words)}: {w(rng.randint(2, 10))}"
    return "# " + w(rng.randint(4, 16))
block = ("\n".join(line() for _ in range(40000)) + "\n").encode()
# Some files have CRLF line ends, some are one long minified line.
crlf = block.replace(b"\n", b"\r\n")
minified = block.replace(b"\n", b" ")

live = [l.strip() for l in open(live_path) if l.strip()]
planted = live + [token() for _ in range(20)]
total = megabytes * 1000 * 1000
sizes = [rng.randint(1, 100) for _ in range(files)]
scale = total / sum(sizes)
targets = set(rng.sample(range(files), len(planted)))
plant = iter(planted)
written = 0
for i, weight in enumerate(sizes):
    size = max(64, int(weight * scale))
    source = crlf if i % 10 == 3 else minified if i % 25 == 7 else block
    start = rng.randrange(len(source))
    data = bytearray()
    while len(data) < size:
        data += source[start:start + size - len(data)]
        start = 0
    if i in targets:
        at = rng.randrange(len(data))
        data[at:at] = f" KEY={next(plant)} ".encode()
    path = os.path.join(root, f"d{i % 60:02}", f"sub{i % 7}", f"f{i:05}.{('rs', 'yaml', 'json', 'txt', 'env')[i % 5]}")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    written += len(data)
text = block.decode()
print(f"{written} bytes in {files} files, {len(planted)} tokens planted, "
      f"{text.count('sat_') * written // len(block)} decoy sat_ words (about)")
PY
bytes=$(du -sb "$tree" | cut -f1)

echo "== what each finds"
set +e
$bin --db "$db" scan "$tree" >"$dir/satui.out" 2>"$dir/satui.err"
echo "satui scan exit $?: $(wc -l <"$dir/satui.out") finds; $(tail -2 "$dir/satui.err" | tr '\n' ' ')"
rg --hidden 'sat_[0-9A-Za-z]{38}' "$tree" -o >"$dir/rg.out"
set -e
echo "rg: $(wc -l <"$dir/rg.out") matches (no word boundaries, no checksum)"

echo "== timings (warm cache)"
hyperfine --warmup 2 --runs 10 -i --export-json "$dir/hyperfine.json" \
  -n "satui scan" "$bin --db $db scan $tree" \
  -n "rg" "rg --hidden 'sat_[0-9A-Za-z]{38}' $tree"
python3 - "$dir/hyperfine.json" "$bytes" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
size = int(sys.argv[2])
satui, rg = results["satui scan"]["mean"], results["rg"]["mean"]
print(f"\n| tool | mean (ms) | ± (ms) | GB/s |\n|---|---|---|---|")
for name, r in results.items():
    print(f"| {name} | {r['mean'] * 1000:.0f} | {r['stddev'] * 1000:.0f} | {size / r['mean'] / 1e9:.2f} |")
print(f"\nsatui scan throughput = {rg / satui:.2f} × ripgrep's ({size / 1e9:.2f} GB)")
PY
echo "versions: $($bin --version), $(rg --version | sed -n 1p), $(hyperfine --version)"
