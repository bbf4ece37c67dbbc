#!/usr/bin/env bash
# The main job on embedded defaults, from a fresh clone: installs what is missing (npm packages, the
# Temporal CLI), then runs the main job (dev server + SQLite + mail sink + worker) until Ctrl-C: compiled
# (dist/main.mjs), or scripts/main.ts with tsx when the build is older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[kybao] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund
fi
. scripts/run-built.sh
run_built "$PWD" main scripts/main.ts --enable-source-maps -- "$@"
