#!/usr/bin/env bash
# csv2ddb benchmark: real EV rows, csv2ddb against the seed's Python logic and
# against the tools that bound the problem (wc -l, sqlite3 .import, Miller).
# See bench/README.md. Run from anywhere: `make bench` or `bash bench/run.sh`.
#
# Environment:
#   CSV2DDB=path      binary to measure (default ./build/csv2ddb)
#   MAPPING=file      mapping for the csv2ddb runs (default examples/ev_population.toml)
#   SKIP_BIG=1        skip the >= 2 GB file (and its peak-RSS run)
#   SKIP_CSV2DDB=1    run only the reference lines (no binary needed)
#   ROWS=N            rows of the small file (default 500000)
#   BIG_SIZE=SIZE     size of the big file (default 2G = 2 GiB)
#   TIME_BIN=path     GNU time (default /usr/bin/time, Debian package 'time')
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

BIN=${CSV2DDB:-./build/csv2ddb}
MAPPING=${MAPPING:-examples/ev_population.toml}
DATA=bench/data
SMALL=$DATA/ev_500k.csv
BIG=$DATA/ev_2g.csv
ROWS=${ROWS:-500000}
BIG_SIZE=${BIG_SIZE:-2G}
ERRORS=$DATA/errors
SQLITE_OUT=$DATA/out.sqlite
SQLITE_TABLE=${SQLITE_TABLE:-tb_ev_vehicle_data}   # [table] name in the mapping
REPORT=$DATA/last_run.md
SKIP_BIG=${SKIP_BIG:-0}
SKIP_CSV2DDB=${SKIP_CSV2DDB:-0}
PYTHON=${PYTHON:-python3}

die() { echo "bench: ERROR: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- preflight
if [[ $SKIP_CSV2DDB != 1 ]]; then
    [[ -x $BIN ]] || die "$BIN not found or not executable. Build it first (make build), \
or set CSV2DDB=/path/to/csv2ddb, or SKIP_CSV2DDB=1 to run only the reference lines."
    [[ -f $MAPPING ]] || die "$MAPPING not found: the csv2ddb runs need the EV mapping."
fi
command -v sqlite3 >/dev/null || die "sqlite3 not found (Debian package sqlite3)."
"$PYTHON" -c 'import boto3' 2>/dev/null || die "$PYTHON cannot import boto3 (needed by the baseline)."

GNU_TIME=
TIME_BIN=${TIME_BIN:-/usr/bin/time}
if [[ -x $TIME_BIN ]] && "$TIME_BIN" -f '%e' true 2>/dev/null; then
    GNU_TIME=$TIME_BIN
else
    note "GNU time ($TIME_BIN, Debian package 'time') not found: \
recording wall time only; CPU and max RSS will be n/a."
fi

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
mkdir -p "$DATA"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/csv2ddb-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS=$WORK/results.tsv
: >"$RESULTS"
NOTES=()
FAILURES=()

# ------------------------------------------------------------- input files
# (Re)generate a file when it is missing or older than the generator/sample.
gen_if_stale() {  # gen_if_stale FILE ARGS...
    local file=$1; shift
    if [[ -f $file && $file -nt bench/gen_ev.py && $file -nt examples/ev_population_sample.csv ]]; then
        note "reusing $file"
    else
        "$PYTHON" bench/gen_ev.py "$@" --out "$file"
    fi
}
gen_if_stale "$SMALL" --rows "$ROWS"
if [[ $(( $(wc -l <"$SMALL") - 1 )) -ne $ROWS ]]; then
    "$PYTHON" bench/gen_ev.py --rows "$ROWS" --out "$SMALL"
fi
if [[ $SKIP_BIG != 1 ]]; then
    gen_if_stale "$BIG" --bytes "$BIG_SIZE"
fi

data_rows() { echo $(( $(wc -l <"$1") - 1 )); }   # no quoted newlines in EV data
file_bytes() { stat -c %s "$1"; }

# Warm the page cache so that every line reads the input from memory alike.
cat "$SMALL" >/dev/null
SMALL_ROWS=$(data_rows "$SMALL"); SMALL_BYTES=$(file_bytes "$SMALL")

# ----------------------------------------------------------------- measure
# measure NAME ROWS BYTES CHECK -- CMD...
#   CHECK: none | discard (like none, stdout to /dev/null) | lines:N (wc -l
#   output must be N) | summary (stdout or stderr has the seed's summary JSON;
#   written + in error must equal ROWS) | sqlite:DB:TABLE (count must be ROWS)
#   The command's stdout/stderr go to $WORK/NAME.{out,err}.
measure() {
    local name=$1 rows=$2 bytes=$3 check=$4; shift 5
    local slug=${name//[^A-Za-z0-9]/_}
    local out=$WORK/$slug.out err=$WORK/$slug.err tf=$WORK/$slug.time
    local cmdline
    cmdline=$(printf '%q ' "$@")
    COMMANDS+=("$name|${cmdline% }")
    note "running: $name"
    local rc=0 wall user sys rss t0 t1
    if [[ -n $GNU_TIME ]]; then
        [[ $check == discard ]] && out=/dev/null
        $GNU_TIME -o "$tf" -f '%e %U %S %M' "$@" >"$out" 2>"$err" || rc=$?
        read -r wall user sys rss < <(tail -n 1 "$tf")
    else
        [[ $check == discard ]] && out=/dev/null
        t0=$(date +%s.%N)
        "$@" >"$out" 2>"$err" || rc=$?
        t1=$(date +%s.%N)
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
        user=nan sys=nan rss=nan
    fi
    local status=ok
    if [[ $rc -ne 0 ]]; then
        status="FAIL(exit $rc)"
        FAILURES+=("$name: exit status $rc; stderr tail:"$'\n'"$(tail -n 20 "$err")")
    elif [[ $check == summary ]]; then
        local msg
        if ! msg=$("$PYTHON" - "$out" "$err" "$rows" <<'PY'
import json, sys
out, err, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
W, E = "TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR"
def fail(msg):  # the message goes to stdout: the shell captures it
    print(msg)
    sys.exit(1)
def summaries(text):
    try:
        doc = json.loads(text)
        if isinstance(doc, dict):
            yield doc
    except ValueError:
        pass
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if isinstance(doc, dict):
                yield doc
found = None
for path in (out, err):
    with open(path, encoding="utf-8", errors="replace") as f:
        for doc in summaries(f.read()):
            if W in doc and E in doc:
                found = doc
    if found:
        break
if not found:
    fail(f"no summary JSON with {W} and {E} in the output")
w, e = int(found[W]), int(found[E])
if w + e != rows:
    fail(f"written {w} + in error {e} = {w + e} != {rows} rows read")
print(f"written={w} in_error={e}")
PY
        ); then
            status="MISMATCH ($msg)"
            FAILURES+=("$name: $msg")
        else
            status="ok ($msg)"
        fi
    elif [[ $check == sqlite:* ]]; then
        local db=${check#sqlite:}; local table=${db##*:}; db=${db%:*}
        local n
        n=$(sqlite3 "$db" "SELECT count(*) FROM \"$table\";" 2>&1) || n="error: $n"
        if [[ $n == "$rows" ]]; then
            status="ok (count=$n)"
        else
            status=MISMATCH
            FAILURES+=("$name: $table has $n rows, expected $rows")
        fi
    elif [[ $check == lines:* ]]; then
        local expect=${check#lines:} n
        n=$(awk '{print $1}' "$out")
        if [[ $n == "$expect" ]]; then status="ok"; else
            status=MISMATCH; FAILURES+=("$name: counted $n lines, expected $expect"); fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$name" "$rows" "$bytes" "$wall" "$user" "$sys" "$rss" "$status" >>"$RESULTS"
}
# verify_sqlite_table DB TABLE: the table must hold as many items as the last
# measured line reported written (keys are unique in the generated data).
verify_sqlite_table() {
    local db=$1 table=$2 last written n
    last=$(tail -n 1 "$RESULTS" | cut -f8)
    [[ $last =~ written=([0-9]+) ]] || return 0   # the run itself already failed
    written=${BASH_REMATCH[1]}
    if ! n=$(sqlite3 "$db" "SELECT count(*) FROM \"$table\";" 2>&1); then
        NOTES+=("could not count $table in $db: $n")
    elif [[ $n != "$written" ]]; then
        FAILURES+=("$db: $table holds $n items, the summary says $written written")
    else
        NOTES+=("$db: $table holds $n items, as the summary says")
    fi
}
skip() {  # skip NAME REASON
    printf '%s\t-\t-\t-\t-\t-\t-\t%s\n' "$1" "skipped: $2" >>"$RESULTS"
    NOTES+=("$1: skipped ($2)")
}
COMMANDS=()

# ------------------------------------------------------------------- lines
measure "wc -l (ceiling)" "$SMALL_ROWS" "$SMALL_BYTES" "lines:$((SMALL_ROWS + 1))" -- \
    wc -l "$SMALL"

IMPORT_DB=$DATA/import.sqlite
rm -f "$IMPORT_DB"
measure "sqlite3 .import" "$SMALL_ROWS" "$SMALL_BYTES" "sqlite:$IMPORT_DB:ev" -- \
    sqlite3 "$IMPORT_DB" -cmd ".mode csv" ".import $SMALL ev"
rm -f "$IMPORT_DB"

measure "Python baseline (csv + boto3 serializer)" "$SMALL_ROWS" "$SMALL_BYTES" summary -- \
    "$PYTHON" bench/baseline_python.py "$SMALL"

if command -v mlr >/dev/null; then
    # rename every column (lowercase, ' ' -> '_'), prefix the key, JSON lines out.
    MLR_RENAME=$(head -n 1 "$SMALL" | "$PYTHON" -c '
import csv, sys
h = next(csv.reader(sys.stdin))
print(",".join(c + "," + c.lower().replace(" ", "_") for c in h))')
    # shellcheck disable=SC2016  # $dol_vehicle_id is Miller's, not the shell's
    MLR_PREFIX='$dol_vehicle_id = "A_" . $dol_vehicle_id'
    measure "Miller (rename + prefix -> JSON lines)" "$SMALL_ROWS" "$SMALL_BYTES" discard -- \
        mlr -S --icsv --ojsonl rename "$MLR_RENAME" 'then' put "$MLR_PREFIX" "$SMALL"
else
    skip "Miller (rename + prefix -> JSON lines)" "mlr not installed (Debian package miller)"
fi

if [[ $SKIP_CSV2DDB != 1 ]]; then
    rm -rf "$ERRORS"
    measure "csv2ddb null sink, 1 worker" "$SMALL_ROWS" "$SMALL_BYTES" summary -- \
        "$BIN" run "$SMALL" --mapping "$MAPPING" --target null:// --workers 1 --quiet \
        --errors "$ERRORS" --state-dir "$ERRORS/state" --name "bench-null-1-$RANDOM"
    measure "csv2ddb null sink, 2 workers" "$SMALL_ROWS" "$SMALL_BYTES" summary -- \
        "$BIN" run "$SMALL" --mapping "$MAPPING" --target null:// --workers 2 --quiet \
        --errors "$ERRORS" --state-dir "$ERRORS/state" --name "bench-null-2-$RANDOM"
    rm -f "$SQLITE_OUT" "$SQLITE_OUT-wal" "$SQLITE_OUT-shm" "$SQLITE_OUT-journal"
    measure "csv2ddb SQLite, 2 workers" "$SMALL_ROWS" "$SMALL_BYTES" summary -- \
        "$BIN" run "$SMALL" --mapping "$MAPPING" --target "sqlite://$SQLITE_OUT" --workers 2 \
        --quiet --errors "$ERRORS" --state-dir "$ERRORS/state" --name "bench-sqlite-2-$RANDOM"
    verify_sqlite_table "$SQLITE_OUT" "$SQLITE_TABLE"
    if [[ $SKIP_BIG != 1 ]]; then
        cat "$BIG" >/dev/null
        measure "csv2ddb null sink, 2 workers, big file (peak RSS)" \
            "$(data_rows "$BIG")" "$(file_bytes "$BIG")" summary -- \
            "$BIN" run "$BIG" --mapping "$MAPPING" --target null:// --workers 2 --quiet \
            --errors "$ERRORS" --state-dir "$ERRORS/state" --name "bench-null-2-big-$RANDOM"
    else
        skip "csv2ddb null sink, 2 workers, big file (peak RSS)" "SKIP_BIG=1"
    fi
else
    for n in "csv2ddb null sink, 1 worker" "csv2ddb null sink, 2 workers" \
             "csv2ddb SQLite, 2 workers" "csv2ddb null sink, 2 workers, big file (peak RSS)"; do
        skip "$n" "SKIP_CSV2DDB=1"
    done
fi

# ------------------------------------------------------------------ report
CPU_MODEL=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
{
    echo "# csv2ddb benchmark run"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- nproc: $(nproc)"
    echo "- CPU: ${CPU_MODEL:-unknown}"
    echo "- load average at start: $LOAD_AT_START (other work on the machine inflates wall times)"
    echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- csv2ddb: $([[ $SKIP_CSV2DDB == 1 ]] && echo 'not run' || echo "$BIN")"
    echo "- sqlite3 $(sqlite3 --version | awk '{print $1}'), $("$PYTHON" --version 2>&1)," \
         "boto3 $("$PYTHON" -c 'import boto3; print(boto3.__version__)')$(command -v mlr >/dev/null && echo ", $(mlr --version)")"
    echo "- inputs: $SMALL ($SMALL_ROWS rows, $SMALL_BYTES bytes)$([[ $SKIP_BIG != 1 && -f $BIG ]] && echo "; $BIG ($(data_rows "$BIG") rows, $(file_bytes "$BIG") bytes)")"
    echo "- timing: ${GNU_TIME:-wall clock only (GNU time missing)}; page cache warm; MB = 10^6 bytes, RSS MB = 2^20 bytes"
    echo
    "$PYTHON" - "$RESULTS" <<'PY'
import sys
def num(s):
    try:
        v = float(s)
        return None if v != v else v
    except ValueError:
        return None
results = {}
print("| line | rows | MB | wall s | rows/s | MB/s | CPU s | max RSS MB | check |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for line in open(sys.argv[1], encoding="utf-8"):
    name, rows, nbytes, wall, user, sys_, rss, status = line.rstrip("\n").split("\t")
    r, b, w, u, s, m = map(num, (rows, nbytes, wall, user, sys_, rss))
    f = lambda v, fmt: "-" if v is None else format(v, fmt)
    rate = (lambda x: None if x is None or not w else x / w)
    print("| " + " | ".join([
        name,
        f(r, ",.0f"),
        f(None if b is None else b / 1e6, ".1f"),
        f(w, ".2f"),
        f(rate(r), ",.0f"),
        f(None if b is None else rate(b / 1e6), ".1f"),
        f(None if u is None or s is None else u + s, ".2f"),
        f(None if m is None else m / 1024, ".1f"),
        status,
    ]) + " |")
    if status.startswith("ok"):
        results[name] = (w, b, r, m)

# Targets (bench/README.md). Evaluated only for lines that ran and passed.
targets = [
    ("csv2ddb null sink, 1 worker", "null sink, 1 worker >= 200 MB/s",
     lambda w, b, r, m: b / 1e6 / w >= 200, lambda w, b, r, m: f"{b / 1e6 / w:.1f} MB/s"),
    ("csv2ddb SQLite, 2 workers", "SQLite, 2 workers >= 250,000 rows/s",
     lambda w, b, r, m: r / w >= 250_000, lambda w, b, r, m: f"{r / w:,.0f} rows/s"),
    ("csv2ddb null sink, 2 workers, big file (peak RSS)", "peak RSS <= 256 MB on >= 2 GB",
     lambda w, b, r, m: b >= 2e9 and m is not None and m / 1024 <= 256,
     lambda w, b, r, m: "n/a" if m is None else f"{m / 1024:.1f} MB on {b / 1e9:.2f} GB"),
]
print()
print("Targets:")
print()
for line, label, ok, show in targets:
    v = results.get(line)
    if v is None or v[0] is None or not v[0] or v[1] is None or v[2] is None:
        print(f"- {label}: not measured")
    else:
        print(f"- {label}: {'PASS' if ok(*v) else 'MISS'} ({show(*v)})")
PY
    echo
    echo "Commands (from the repository root):"
    echo
    echo '```'
    for c in "${COMMANDS[@]}"; do
        echo "# ${c%%|*}"
        echo "${c#*|}"
    done
    echo '```'
    if [[ ${#NOTES[@]} -gt 0 ]]; then
        echo
        echo "Notes:"
        for n in "${NOTES[@]}"; do echo "- $n"; done
    fi
} >"$REPORT"
cat "$REPORT"

if [[ ${#FAILURES[@]} -gt 0 ]]; then
    echo >&2
    echo "bench: ==================== FAILED ====================" >&2
    for f in "${FAILURES[@]}"; do echo "bench: $f" >&2; done
    echo "bench: ==================================================" >&2
    exit 1
fi
