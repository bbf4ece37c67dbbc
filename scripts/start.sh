#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh clone: installs what is missing (npm packages, the
# Temporal CLI), then runs scripts/main.ts (dev server + SQLite + mail sink + worker) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[kybao] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
exec node_modules/.bin/tsx scripts/main.ts "$@"
