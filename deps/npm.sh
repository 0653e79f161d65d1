#!/usr/bin/env bash
# Installs the pinned test servers (dynalite, s3rver) from tests/servers/package-lock.json.
# Runs `npm ci` only when node_modules is missing or older than the lockfile, so repeated
# calls are cheap. node_modules is never committed (see .gitignore).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/tests/servers"
lock="$dir/package-lock.json"
stamp="$dir/node_modules/.package-lock.json"  # npm writes this on every install
if [[ -f "$stamp" && ! "$lock" -nt "$stamp" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "deps: npm not found; installing Debian's nodejs and npm" >&2
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "deps: installing test servers (npm ci in tests/servers)" >&2
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >/dev/null
touch "$stamp"
