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
  echo "[kybao] type-checking" >&2
  node_modules/.bin/tsc --noEmit -p .
  echo "[kybao] linting (eslint: floating promises, workflow imports)" >&2
  node_modules/.bin/eslint --max-warnings 0 .
fi
exec node_modules/.bin/jest --runInBand "$@"
