#!/usr/bin/env bash
# `csv2ddb estimate` beside `csv2ddb validate` on the 500k-row EV file: the
# estimate reads the input as validate does and sums each item's billed size
# on top, so the two should run at nearly the same speed.
#
# Rounds alternate validate and estimate (ROUNDS each, default 5); the median
# wall time of each is reported, with rows/s and MB/s, as a Markdown table on
# stdout (copy it into bench/RESULTS.md). Run from anywhere.
#
# Environment: CSV2DDB (default ./build/csv2ddb), MAPPING (default
# examples/ev_population.toml), WORKERS (default 2), ROUNDS (default 5),
# ROWS (default 500000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

BIN=${CSV2DDB:-./build/csv2ddb}
MAPPING=${MAPPING:-examples/ev_population.toml}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-5}
ROWS=${ROWS:-500000}
SMALL=bench/data/ev_500k.csv
PYTHON=${PYTHON:-python3}

[[ -x $BIN ]] || { echo "bench: $BIN not found; build it first" >&2; exit 1; }
mkdir -p bench/data
if [[ ! -f $SMALL || $(( $(wc -l <"$SMALL") - 1 )) -ne $ROWS || bench/gen_ev.py -nt $SMALL ]]; then
    "$PYTHON" bench/gen_ev.py --rows "$ROWS" --out "$SMALL"
fi
BYTES=$(stat -c %s "$SMALL")

# "wall cpu" seconds of one run (GNU time); the command must succeed
TF=$(mktemp)
trap 'rm -f "$TF"' EXIT
timed() {
    /usr/bin/time -o "$TF" -f '%e %U %S' "$@" >/dev/null
    awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$TF"
}

V=() E=() VC=() EC=()
for ((i = 0; i < ROUNDS; i++)); do
    read -r w c < <(timed "$BIN" validate "$SMALL" -m "$MAPPING" -w "$WORKERS" -q --output json)
    V+=("$w") VC+=("$c")
    read -r w c < <(timed "$BIN" estimate "$SMALL" -m "$MAPPING" -w "$WORKERS" -q --output json)
    E+=("$w") EC+=("$c")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
vm=$(median "${V[@]}")
em=$(median "${E[@]}")
vc=$(median "${VC[@]}")
ec=$(median "${EC[@]}")

echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "- nproc: $(nproc); CPU: $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- input: $SMALL ($ROWS rows, $BYTES bytes), mapping $MAPPING, $WORKERS workers, median of $ROUNDS alternating rounds"
echo
echo "| command | median wall s | rows/s | MB/s | median CPU s | all rounds, wall (s) |"
echo "|---|---:|---:|---:|---:|---|"
for row in "validate:$vm:$vc:${V[*]}" "estimate:$em:$ec:${E[*]}"; do
    IFS=: read -r name m c all <<<"$row"
    awk -v n="$name" -v m="$m" -v c="$c" -v r="$ROWS" -v b="$BYTES" -v all="$all" \
        'BEGIN{printf "| csv2ddb %s | %.3f | %d | %.1f | %.3f | %s |\n", n, m, r/m, b/m/1e6, c, all}'
done
echo
echo "estimate / validate: wall $(awk -v e="$em" -v v="$vm" 'BEGIN{printf "%.2f", e/v}'), CPU $(awk -v e="$ec" -v v="$vc" 'BEGIN{printf "%.2f", e/v}')"
