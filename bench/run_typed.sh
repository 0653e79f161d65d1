#!/usr/bin/env bash
# Typed-data benchmark: the null sink on generated typed rows (bench/gen_typed.py),
# with the typed mapping (bench/typed.toml: N, BOOL, SS, NS, M, L, B, templates,
# TTL) against the same file mapped as plain strings (the cost of the types),
# ROUNDS alternating rounds, medians reported. Run from anywhere:
#   bash bench/run_typed.sh
# Environment: CSV2DDB (binary, default ./build/csv2ddb), ROWS (default 200000),
# ROUNDS (default 5), WORKERS (default 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${CSV2DDB:-./build/csv2ddb}
ROWS=${ROWS:-200000}
ROUNDS=${ROUNDS:-5}
WORKERS=${WORKERS:-1}
DATA=bench/data
SRC=$DATA/typed_${ROWS}.csv
mkdir -p "$DATA"
[[ -x $BIN ]] || { echo "bench: $BIN not found; build first" >&2; exit 1; }
if [[ ! -f $SRC || bench/gen_typed.py -nt $SRC ]]; then
    python3 bench/gen_typed.py --rows "$ROWS" --out "$SRC"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/csv2ddb-typed.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# The same keys, every other column a string.
cat >"$WORK/strings.toml" <<'TOML'
[table]
name = "typed_bench"
partition_key = { name = "id", type = "S" }
TOML
cat "$SRC" >/dev/null
one() {  # one MAPPING -> wall seconds; checks that every row was written
    local out
    out=$( { /usr/bin/time -f '%e' "$BIN" run "$SRC" -m "$1" -t null:// --workers "$WORKERS" -q \
        --errors "$WORK/errors" --state-dir "$WORK/state" --name "typed-$RANDOM$RANDOM" \
        >"$WORK/summary.json"; } 2>&1 | tail -n 1)
    python3 - "$WORK/summary.json" "$ROWS" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["TOTAL_NUMBER_OF_ITEMS_WRITTEN"] == int(sys.argv[2]), s
PY
    echo "$out"
}
typed=() strings=()
for ((r = 1; r <= ROUNDS; r++)); do
    typed+=("$(one bench/typed.toml)")
    strings+=("$(one "$WORK/strings.toml")")
    echo "round $r: typed ${typed[-1]} s, strings ${strings[-1]} s" >&2
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
BYTES=$(stat -c %s "$SRC")
T=$(median "${typed[@]}"); S=$(median "${strings[@]}")
echo "| mapping | rows | MB | median wall s | rows/s | MB/s |"
echo "|---|---:|---:|---:|---:|---:|"
awk -v n="$ROWS" -v b="$BYTES" -v t="$T" -v s="$S" 'BEGIN{
  printf "| typed (bench/typed.toml) | %d | %.1f | %.2f | %.0f | %.1f |\n", n, b/1e6, t, n/t, b/1e6/t;
  printf "| all strings | %d | %.1f | %.2f | %.0f | %.1f |\n", n, b/1e6, s, n/s, b/1e6/s }'
echo "rounds: typed ${typed[*]}; strings ${strings[*]}; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
