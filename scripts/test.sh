#!/usr/bin/env bash
# The test command: installs what is missing, resolves the Temporal servers once (cached outside the
# clone), then runs every jest suite serially. Extra arguments go to jest (e.g. a path or -t NAME).
# PostgreSQL suites run when KYBAO_TEST_POSTGRES_URL is set (.ci/run starts a server and sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/jest ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[kybao] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
KYBAO_TEMPORAL_CLI="$(bash scripts/toolchain.sh cli)"
KYBAO_TEST_SERVER="$(bash scripts/toolchain.sh test-server)"
export KYBAO_TEMPORAL_CLI KYBAO_TEST_SERVER
# The Prisma clients are generated into node_modules (offline, no engine download), then the whole
# tree is type-checked before any test runs.
node_modules/.bin/tsx scripts/db.ts generate
if [ $# -eq 0 ]; then
  # Each runs on one core: side by side on a machine of two or more they take the longer one's time, not the sum.
  echo "[kybao] type-checking and linting (eslint: floating promises, workflow imports), side by side" >&2
  node_modules/.bin/tsc --noEmit -p . &
  tsc_pid=$!
  lint_status=0
  node_modules/.bin/eslint --max-warnings 0 . || lint_status=$?
  tsc_status=0
  wait "$tsc_pid" || tsc_status=$?
  if [ "$tsc_status" -ne 0 ] || [ "$lint_status" -ne 0 ]; then
    echo "[kybao] type-check exit $tsc_status, lint exit $lint_status: fix the errors above" >&2
    exit 1
  fi
fi
exec node_modules/.bin/jest --runInBand "$@"
