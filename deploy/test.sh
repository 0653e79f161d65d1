#!/usr/bin/env bash
# Checks the CDK app offline: installs the pinned packages (npm ci, only when
# node_modules is missing or older than the lockfile), type-checks and builds
# (tsc), synthesizes with the CDK CLI in both modes without AWS credentials or
# network, then runs the assertions (node --test, test/synth.test.ts).
# Exits non-zero on any failure; the last line is 'N passed, M failed'.
set -u
cd "$(dirname "$0")"

# No AWS account, no credentials, no network: synth needs none of them.
export CDK_DEFAULT_ACCOUNT=123456789012 CDK_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
export CDK_DISABLE_VERSION_CHECK=true CDK_DISABLE_CLI_TELEMETRY=true
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

passed=0
failed=0
step() {  # step NAME COMMAND...: run, report, count
  local name=$1 start=$SECONDS
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok: $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "FAILED: $name ($((SECONDS - start)) s)"
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci" npm ci --no-audit --no-fund --loglevel=error
  [ "$failed" -eq 0 ] || finish
fi

step "tsc (type-check and build)" npx --no-install tsc -p .
[ "$failed" -eq 0 ] || finish

synth() {  # synth MODE: cdk synth into cdk.out/MODE; the template must be there
  local out="cdk.out/$1" log
  log=$(mktemp)
  rm -rf "$out"
  # --build true: tsc ran above (cdk.json's "build" is for `cdk deploy` by hand).
  # With CSV2DDB_LAMBDA_ZIP: that package, exactly as `cdk deploy` takes it.
  # Otherwise allowPlaceholder: the package may not be built yet.
  local package=(-c allowPlaceholder=true)
  [ -n "${CSV2DDB_LAMBDA_ZIP:-}" ] && package=(-c lambdaZip="$CSV2DDB_LAMBDA_ZIP")
  if npx --no-install cdk synth --build true --quiet --no-version-reporting --no-notices \
      --output "$out" -c mode="$1" "${package[@]}" >"$log" 2>&1 &&
      grep -q 'DISTRIBUTED' "$out/Csv2ddbMigration.template.json"; then
    rm -f "$log"
    return 0
  fi
  cat "$log"
  rm -f "$log"
  return 1
}
step "cdk synth (csv mode)" synth csv
step "cdk synth (range mode)" synth range

# What `cdk deploy` does first: without the package (and without
# allowPlaceholder) synth must fail and name `make lambda-zip`.
no_package() {
  local log
  log=$(mktemp)
  if npx --no-install cdk synth --build true --quiet --no-version-reporting --no-notices \
      --output cdk.out/no-package -c lambdaZip=no/such/csv2ddb-lambda.zip >"$log" 2>&1; then
    echo "synth succeeded without the Lambda package"
    rm -f "$log"
    return 1
  fi
  if grep -q 'make lambda-zip' "$log"; then
    rm -f "$log"
    return 0
  fi
  cat "$log"
  rm -f "$log"
  return 1
}
step "cdk synth without the package fails naming make lambda-zip" no_package

log=$(mktemp)
node --test --test-reporter=tap dist/test/synth.test.js >"$log" 2>&1
status=$?
grep -E '^ *not ok|^# (tests|pass|fail)' "$log"
if [ $status -ne 0 ]; then
  sed -n '/not ok/,/\.\.\./p' "$log" | head -80
fi
tests_passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log")
tests_failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log")
rm -f "$log"
passed=$((passed + ${tests_passed:-0}))
failed=$((failed + ${tests_failed:-0}))
if [ $status -ne 0 ] && [ "${tests_failed:-0}" -eq 0 ]; then
  failed=$((failed + 1))  # the runner itself failed (no test ran, or a crash)
fi
finish
