#!/usr/bin/env bash
# csv2ddb and boto3's batch_writer against a simulated DynamoDB write ceiling
# (tests/lib/capacity_sim.py in front of dynalite, both on loopback), in one run.
# Run from anywhere:
#     bash bench/run_capacity.sh
#
# For each case a fresh dynalite + table + simulator per line; the report gives
# WCU/s as % of the ceiling, % of requests throttled, wall time, and checks the
# table is exact (count and digest of a Scan). See bench/capacity_bench.py.
#
# Environment:
#   CSV2DDB=path      binary to measure (default ./build/csv2ddb)
#   LABEL=text        names the binary in the report (default: its path)
#   ROWS=N            rows of each input (default 30000)
#   ROWS_PER_PK=N     rows per partition key in the sorted input (default 50)
#   CEILING=WCU       the table's write ceiling (default 1000)
#   PARTITIONS=P      partitions (default 4: 4 x 250 WCU/s)
#   CASES=a,b         provisioned-shuffled, provisioned-sorted, on-demand-shuffled
#                     (default: the two provisioned cases)
#   WORKERS=N         csv2ddb --workers (default 2)
#   CSV2DDB_ARGS=...  extra csv2ddb arguments; "A;B" runs one csv2ddb line per set
#                     (e.g. ";--write-percent 100": default flags, then 100%)
#   SKIP_CSV2DDB=1    only the boto3 lines; SKIP_BOTO3=1 only csv2ddb
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C
PYTHON=${PYTHON:-python3}
BIN=${CSV2DDB:-./build/csv2ddb}

die() { echo "bench: ERROR: $*" >&2; exit 1; }
command -v node >/dev/null || die "node not found (Node.js 20 runs dynalite)."
"$PYTHON" -c 'import boto3' 2>/dev/null || die "$PYTHON cannot import boto3."
if [[ ${SKIP_CSV2DDB:-0} != 1 ]]; then
    [[ -x $BIN ]] || die "$BIN not found or not executable. Build it first (make build), \
or set CSV2DDB=/path/to/csv2ddb, or SKIP_CSV2DDB=1 to run only the boto3 lines."
fi

args=(--csv2ddb "$BIN" --rows "${ROWS:-30000}" --rows-per-pk "${ROWS_PER_PK:-50}"
      --ceiling "${CEILING:-1000}" --partitions "${PARTITIONS:-4}"
      --cases "${CASES:-provisioned-shuffled,provisioned-sorted}"
      --workers "${WORKERS:-2}" --csv2ddb-args "${CSV2DDB_ARGS:-}")
[[ -n ${LABEL:-} ]] && args+=(--label "$LABEL")
[[ ${SKIP_CSV2DDB:-0} == 1 ]] && args+=(--skip-csv2ddb)
[[ ${SKIP_BOTO3:-0} == 1 ]] && args+=(--skip-boto3)
exec "$PYTHON" bench/capacity_bench.py "${args[@]}"
