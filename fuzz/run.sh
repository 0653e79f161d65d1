#!/usr/bin/env bash
# Runs the libFuzzer targets (see fuzz/README.md).
#
#   fuzz/run.sh BUILD_DIR fuzz  [TARGET...]   run each target for $FUZZ_SECONDS
#   fuzz/run.sh BUILD_DIR merge [TARGET...]   add the new inputs that reach new edges
#                                             to fuzz/corpus/ (minimized merge)
#
# Each run reads fuzz/corpus/<target>/ and writes new inputs to
# BUILD_DIR/fuzz-out/<target>/new/ (the committed corpus is left as it is),
# crash reproducers to BUILD_DIR/fuzz-out/<target>/ and its log to
# BUILD_DIR/fuzz-out/<target>.log. $FUZZ_PARALLEL targets run at a time
# (default 1). Exits non-zero if any target found a crash.
set -u
cd "$(dirname "$0")/.."
build=$1
mode=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(parse_split dynamo_number mapping s3_error lambda_event credentials_file)
fi
seconds=${FUZZ_SECONDS:-600}
parallel=${FUZZ_PARALLEL:-1}
out=$build/fuzz-out
# RapidJSON 1.1 (Debian's) adds an offset to a null pointer in its internal
# stack before the first allocation (fixed upstream); clang reports it.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/fuzz/ubsan.supp"
# Leaks are checked after each input (libFuzzer's -detect_leaks); the scan of
# the whole heap at exit adds minutes on a loaded machine and nothing more.
export ASAN_OPTIONS="leak_check_at_exit=0:${ASAN_OPTIONS:-}"

run_one() {
  local t=$1
  local dir=$out/$t
  mkdir -p "$dir/new"
  local extra=()
  # The Lambda handler logs one line per event to stderr; libFuzzer keeps its
  # own output and the sanitizers' reports.
  [ "$t" = lambda_event ] && extra=(-close_fd_mask=2)
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$dir/" "${extra[@]}" \
    "$dir/new" "fuzz/corpus/$t" >"$out/$t.log" 2>&1
  local rc=$?
  local last execs
  last=$(grep -E '^#[0-9]+' "$out/$t.log" | tail -1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
  echo "$t: exit $rc, ${seconds}s, execs ${execs:-?}, final: ${last:-?}"
  return $rc
}

mkdir -p "$out"
case $mode in
  fuzz)
    failed=0
    pids=()
    names=()
    for t in "${targets[@]}"; do
      run_one "$t" &
      pids+=($!)
      names+=("$t")
      if [ ${#pids[@]} -ge "$parallel" ]; then
        wait "${pids[0]}" || { failed=1; echo "FAILED: ${names[0]} (see $out/${names[0]}.log)"; }
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
      fi
    done
    for i in "${!pids[@]}"; do
      wait "${pids[$i]}" || { failed=1; echo "FAILED: ${names[$i]} (see $out/${names[$i]}.log)"; }
    done
    exit $failed
    ;;
  merge)
    for t in "${targets[@]}"; do
      [ -d "$out/$t/new" ] || { echo "$t: no run to merge"; continue; }
      # Edge coverage only (no hit counts): a few files per new edge, not hundreds.
      "$build/fuzz/fuzz_$t" -merge=1 -use_counters=0 -max_len=4096 -close_fd_mask=2 \
        "fuzz/corpus/$t" "$out/$t/new" \
        >"$out/$t.merge.log" 2>&1 || { echo "merge failed: $t"; exit 1; }
      echo "$t: $(ls "fuzz/corpus/$t" | wc -l) files, $(du -sb "fuzz/corpus/$t" | cut -f1) bytes"
    done
    ;;
  *)
    echo "usage: $0 BUILD_DIR fuzz|merge [TARGET...]" >&2
    exit 2
    ;;
esac
