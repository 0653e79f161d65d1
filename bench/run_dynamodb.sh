#!/usr/bin/env bash
# csv2ddb against the brief's DynamoDB baseline (boto3 Table.batch_writer()),
# both writing real EV rows into dynalite on loopback. Run from anywhere:
#     bash bench/run_dynamodb.sh
#
# Each measurement gets a fresh dynalite (in memory, tables ACTIVE at once) and
# a fresh table tb_ev_vehicle_data (hash key dol_vehicle_id S, PAY_PER_REQUEST);
# afterwards the table must hold exactly ROWS items (Scan, Select=COUNT,
# paginated) and the command's summary must add up to ROWS.
# dynalite runs on the same machine (2 cores here) and competes with the client
# for CPU: its CPU seconds during each run are reported in their own column.
#
# Environment:
#   CSV2DDB=path      binary to measure (default ./build/csv2ddb)
#   MAPPING=file      mapping for csv2ddb (default examples/ev_population.toml)
#   SKIP_CSV2DDB=1    run only the boto3 lines (no binary needed)
#   ROWS=N            rows of the input (default 50000 -> bench/data/ev_50k.csv)
#   PROCS=P           processes of the multi-process boto3 line (default 4)
#   WORKERS=N         csv2ddb --workers (default 2)
#   CSV2DDB_ARGS=...  extra csv2ddb arguments (e.g. "--max-inflight 16")
#   TIME_BIN=path     GNU time (default /usr/bin/time, Debian package 'time')
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C

BIN=${CSV2DDB:-./build/csv2ddb}
MAPPING=${MAPPING:-examples/ev_population.toml}
ROWS=${ROWS:-50000}
PROCS=${PROCS:-4}
WORKERS=${WORKERS:-2}
CSV2DDB_ARGS=${CSV2DDB_ARGS:-}
SKIP_CSV2DDB=${SKIP_CSV2DDB:-0}
PYTHON=${PYTHON:-python3}
DATA=bench/data
if [[ $ROWS == 50000 ]]; then INPUT=$DATA/ev_50k.csv; else INPUT=$DATA/ev_${ROWS}.csv; fi
ERRORS=$DATA/errors_dynamodb
TABLE=tb_ev_vehicle_data
REGION=us-east-1
REPORT=$DATA/last_dynamodb_run.md
DYNALITE_JS=tests/servers/node_modules/dynalite/cli.js

# dynalite accepts any credentials; keep the user's AWS config out of the runs.
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=$REGION AWS_REGION=$REGION
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB || true

die() { echo "bench: ERROR: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- preflight
if [[ $SKIP_CSV2DDB != 1 ]]; then
    [[ -x $BIN ]] || die "$BIN not found or not executable. Build it first (make build), \
or set CSV2DDB=/path/to/csv2ddb, or SKIP_CSV2DDB=1 to run only the boto3 lines."
    [[ -f $MAPPING ]] || die "$MAPPING not found: the csv2ddb run needs the EV mapping."
fi
command -v node >/dev/null || die "node not found (Node.js 20 runs dynalite)."
"$PYTHON" -c 'import boto3' 2>/dev/null || die "$PYTHON cannot import boto3."
bash deps/npm.sh || die "deps/npm.sh failed: dynalite is not installed."
[[ -f $DYNALITE_JS ]] || die "$DYNALITE_JS missing after deps/npm.sh."

GNU_TIME=
TIME_BIN=${TIME_BIN:-/usr/bin/time}
if [[ -x $TIME_BIN ]] && "$TIME_BIN" -f '%e' true 2>/dev/null; then
    GNU_TIME=$TIME_BIN
else
    note "GNU time ($TIME_BIN, Debian package 'time') not found: \
recording wall time only; CPU and max RSS will be n/a."
fi

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
CLK_TCK=$(getconf CLK_TCK)
mkdir -p "$DATA"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/csv2ddb-bench-ddb.XXXXXX")
DYN_PID=
cleanup() {
    stop_dynalite
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
RESULTS=$WORK/results.tsv
: >"$RESULTS"
NOTES=()
FAILURES=()
COMMANDS=()

# -------------------------------------------------------------------- input
if [[ -f $INPUT && $INPUT -nt bench/gen_ev.py && $INPUT -nt examples/ev_population_sample.csv \
      && $(( $(wc -l <"$INPUT") - 1 )) -eq $ROWS ]]; then
    note "reusing $INPUT"
else
    "$PYTHON" bench/gen_ev.py --rows "$ROWS" --out "$INPUT"
fi
cat "$INPUT" >/dev/null   # page cache warm for every line
INPUT_BYTES=$(stat -c %s "$INPUT")

# ----------------------------------------------------------------- dynalite
ENDPOINT=
start_dynalite() {
    local port i
    for _ in 1 2 3; do   # the free port can be taken between probe and bind: retry
        port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        node "$DYNALITE_JS" --host 127.0.0.1 --port "$port" --createTableMs 0 \
            --deleteTableMs 0 --updateTableMs 0 >"$WORK/dynalite.log" 2>&1 </dev/null &
        DYN_PID=$!
        for ((i = 0; i < 300; i++)); do
            kill -0 "$DYN_PID" 2>/dev/null || break
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                ENDPOINT=http://127.0.0.1:$port
                return 0
            fi
            sleep 0.05
        done
        stop_dynalite
    done
    die "dynalite did not start: $(tail -n 5 "$WORK/dynalite.log" 2>/dev/null)"
}
stop_dynalite() {
    [[ -n $DYN_PID ]] || return 0
    kill "$DYN_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DYN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DYN_PID" 2>/dev/null || true
    wait "$DYN_PID" 2>/dev/null || true
    DYN_PID=
}
dynalite_cpu_ticks() {  # utime + stime of the dynalite process, in clock ticks
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$DYN_PID/stat"
}
# ddb create|count: table management against $ENDPOINT with boto3.
ddb() {
    "$PYTHON" - "$1" "$ENDPOINT" "$TABLE" <<'PY'
import sys, boto3
op, endpoint, table = sys.argv[1:4]
c = boto3.client("dynamodb", endpoint_url=endpoint)
if op == "create":
    c.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "dol_vehicle_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "dol_vehicle_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    c.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.1})
else:
    n = 0
    for page in c.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
        n += page["Count"]
    print(n)
PY
}

# ----------------------------------------------------------------- measure
# measure NAME -- CMD...: fresh dynalite + table, CMD under GNU time, then checks:
# the summary JSON on stdout must add up to ROWS and the table must hold ROWS items.
measure() {
    local name=$1; shift 2
    local slug=${name//[^A-Za-z0-9]/_}
    local out=$WORK/$slug.out err=$WORK/$slug.err tf=$WORK/$slug.time
    start_dynalite
    ddb create || die "$name: could not create $TABLE at $ENDPOINT"
    local argv=() a
    for a in "$@"; do argv+=("${a//@ENDPOINT@/$ENDPOINT}"); done
    local cmdline
    cmdline=$(printf '%q ' "$@")
    COMMANDS+=("$name|${cmdline% }")
    note "running: $name (dynalite at $ENDPOINT)"
    local rc=0 wall user sys rss t0 t1 s0 s1
    s0=$(dynalite_cpu_ticks)
    if [[ -n $GNU_TIME ]]; then
        $GNU_TIME -o "$tf" -f '%e %U %S %M' "${argv[@]}" >"$out" 2>"$err" || rc=$?
        read -r wall user sys rss < <(tail -n 1 "$tf")
    else
        t0=$(date +%s.%N)
        "${argv[@]}" >"$out" 2>"$err" || rc=$?
        t1=$(date +%s.%N)
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
        user=nan sys=nan rss=nan
    fi
    s1=$(dynalite_cpu_ticks)
    local server_cpu
    server_cpu=$(awk -v a="$s0" -v b="$s1" -v t="$CLK_TCK" 'BEGIN{printf "%.2f", (b-a)/t}')
    local status=ok msg n
    if [[ $rc -ne 0 ]]; then
        status="FAIL(exit $rc)"
        FAILURES+=("$name: exit status $rc; stderr tail:"$'\n'"$(tail -n 20 "$err")")
    elif ! msg=$("$PYTHON" - "$out" "$ROWS" <<'PY'
import json, sys
W, E = "TOTAL_NUMBER_OF_ITEMS_WRITTEN", "TOTAL_NUMBER_OF_ITEMS_IN_ERROR"
text, rows = open(sys.argv[1], encoding="utf-8", errors="replace").read(), int(sys.argv[2])
found = None
for chunk in [text] + text.splitlines():
    try:
        doc = json.loads(chunk)
    except ValueError:
        continue
    if isinstance(doc, dict) and W in doc and E in doc:
        found = doc
if not found:
    print(f"no summary JSON with {W} and {E} on stdout")
    sys.exit(1)
w, e = int(found[W]), int(found[E])
if w + e != rows or e:
    print(f"written {w} + in error {e} != {rows} rows (no row of the input is an error)")
    sys.exit(1)
print(f"written={w}")
PY
    ); then
        status="MISMATCH ($msg)"
        FAILURES+=("$name: $msg")
    elif ! n=$(ddb count 2>&1); then
        status="COUNT FAILED"
        FAILURES+=("$name: could not count $TABLE: $n")
    elif [[ $n != "$ROWS" ]]; then
        status="MISMATCH (table holds $n)"
        FAILURES+=("$name: $TABLE holds $n items after the run, expected $ROWS")
    else
        status="ok ($msg, table count=$n)"
    fi
    stop_dynalite
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$name" "$ROWS" "$wall" "$user" "$sys" "$rss" "$server_cpu" "$status" >>"$RESULTS"
}
skip() {  # skip NAME REASON
    printf '%s\t-\t-\t-\t-\t-\t-\t%s\n' "$1" "skipped: $2" >>"$RESULTS"
    NOTES+=("$1: skipped ($2)")
}

# ------------------------------------------------------------------- lines
LINE_B1="boto3 batch_writer, 1 process"
LINE_BP="boto3 batch_writer, $PROCS processes"
LINE_C="csv2ddb, $WORKERS workers"
measure "$LINE_B1" -- "$PYTHON" bench/dynamodb_baseline.py "$INPUT" \
    --endpoint-url @ENDPOINT@ --table "$TABLE" --region "$REGION" --processes 1
measure "$LINE_BP" -- "$PYTHON" bench/dynamodb_baseline.py "$INPUT" \
    --endpoint-url @ENDPOINT@ --table "$TABLE" --region "$REGION" --processes "$PROCS"
if [[ $SKIP_CSV2DDB != 1 ]]; then
    rm -rf "$ERRORS"
    # shellcheck disable=SC2086  # CSV2DDB_ARGS is a list of words on purpose
    measure "$LINE_C" -- "$BIN" run "$INPUT" --mapping "$MAPPING" \
        --target "dynamodb://$TABLE" --endpoint-url @ENDPOINT@ --region "$REGION" \
        --workers "$WORKERS" $CSV2DDB_ARGS --quiet --errors "$ERRORS" --state-dir "$ERRORS/state" \
        --name "bench-ddb-$WORKERS-$RANDOM"
else
    skip "$LINE_C" "SKIP_CSV2DDB=1"
fi

# ------------------------------------------------------------------ report
CPU_MODEL=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
{
    echo "# csv2ddb DynamoDB benchmark run (dynalite on loopback)"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- nproc: $(nproc)"
    echo "- CPU: ${CPU_MODEL:-unknown}"
    echo "- load average at start: $LOAD_AT_START (other work on the machine inflates wall times)"
    echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "- csv2ddb: $([[ $SKIP_CSV2DDB == 1 ]] && echo 'not run' || echo "$BIN")"
    echo "- $("$PYTHON" --version 2>&1), boto3 $("$PYTHON" -c 'import boto3; print(boto3.__version__)')," \
         "node $(node --version), dynalite $(node -p 'require("./tests/servers/node_modules/dynalite/package.json").version')"
    echo "- input: $INPUT ($ROWS rows, $INPUT_BYTES bytes); table $TABLE (hash key dol_vehicle_id S, PAY_PER_REQUEST), a fresh dynalite per line"
    echo "- timing: ${GNU_TIME:-wall clock only (GNU time missing)} on the client command (CPU = user + sys of the command and the children it waited for); server CPU s = dynalite's utime + stime during the run, from /proc. dynalite shares the $(nproc) cores with the client."
    echo
    "$PYTHON" - "$RESULTS" "$LINE_B1" "$LINE_BP" "$LINE_C" <<'PY'
import sys
path, b1, bp, c = sys.argv[1:5]
def num(s):
    try:
        v = float(s)
        return None if v != v else v
    except ValueError:
        return None
f = lambda v, fmt: "-" if v is None else format(v, fmt)
res = {}
print("| line | rows | wall s | rows/s | client CPU s | CPU s/row | max RSS MB | server CPU s | check |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for line in open(path, encoding="utf-8"):
    name, rows, wall, user, sys_, rss, srv, status = line.rstrip("\n").split("\t")
    r, w, u, s, m, sc = map(num, (rows, wall, user, sys_, rss, srv))
    cpu = None if u is None or s is None else u + s
    rate = None if r is None or not w else r / w
    per_row = None if cpu is None or not r else cpu / r
    print("| " + " | ".join([name, f(r, ",.0f"), f(w, ".2f"), f(rate, ",.0f"), f(cpu, ".2f"),
                             f(per_row, ".2e"), f(None if m is None else m / 1024, ".1f"),
                             f(sc, ".2f"), status]) + " |")
    if status.startswith("ok"):
        res[name] = (rate, per_row)
print()
print("Bars:")
print()
def bar(label, a, b, ok, show):
    if a is None or b is None:
        print(f"- {label}: not measured")
    else:
        print(f"- {label}: {'PASS' if ok(a, b) else 'MISS'} ({show(a, b)})")
get = lambda n, i: res.get(n, (None, None))[i]
bar(f"{c} rows/s >= {bp} rows/s", get(c, 0), get(bp, 0), lambda a, b: a >= b,
    lambda a, b: f"{a:,.0f} vs {b:,.0f} rows/s, x{a / b:.2f}")
bar(f"{c} CPU s/row <= 1/10 of {b1} CPU s/row", get(c, 1), get(b1, 1),
    lambda a, b: a <= b / 10,
    lambda a, b: f"{a:.2e} vs {b:.2e} s/row, 1/{b / a:.1f}" if a else f"{a} vs {b:.2e}")
PY
    echo
    echo "Commands (from the repository root; @ENDPOINT@ = the fresh dynalite's http://127.0.0.1:PORT):"
    echo
    echo '```'
    echo "node $DYNALITE_JS --host 127.0.0.1 --port PORT --createTableMs 0 --deleteTableMs 0 --updateTableMs 0"
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
