#!/usr/bin/env bash
# Start a private PostgreSQL server for kybao's database tests, and print the URL to use.
#
#   eval "$(bash scripts/postgres.sh)"      # exports KYBAO_TEST_POSTGRES_URL
#   npx jest test/db                         # now runs the suite on SQLite and PostgreSQL
#   bash scripts/postgres.sh stop            # stops the server (the data directory stays)
#
# Idempotent: installs PostgreSQL with apt-get only when no server binaries are found, creates the
# cluster only when its data directory is empty, starts it only when it is not running, and creates the
# role and database only when they are missing. The server has its own data directory and port, so it
# does not touch a system cluster: it listens on 127.0.0.1 only, unix socket inside the data directory.
#
# Progress goes to stderr; stdout is only the `export ...` line, so `eval "$(...)"` works.
#
# Settings (environment):
#   KYBAO_PG_DIR       data directory          (default /var/tmp/kybao-postgres)
#   KYBAO_PG_PORT      TCP port on 127.0.0.1   (default 54329)
#   KYBAO_PG_USER      role for kybao          (default kybao; password is the same as the name
#                      unless KYBAO_PG_PASSWORD is set). The role gets CREATEDB because the tests
#                      create a fresh database per run.
#   KYBAO_PG_DATABASE  database                (default kybao)
set -euo pipefail

PGDIR="${KYBAO_PG_DIR:-/var/tmp/kybao-postgres}"
PORT="${KYBAO_PG_PORT:-54329}"
ROLE="${KYBAO_PG_USER:-kybao}"
PASSWORD="${KYBAO_PG_PASSWORD:-$ROLE}"
DATABASE="${KYBAO_PG_DATABASE:-kybao}"
DATA="$PGDIR/data"
LOG="$PGDIR/server.log"

say() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  local dir
  if [ -d /usr/lib/postgresql ]; then
    dir="$(ls -1 /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$dir" ] && [ -x "/usr/lib/postgresql/$dir/bin/initdb" ]; then
      echo "/usr/lib/postgresql/$dir/bin"
      return 0
    fi
  fi
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

BINDIR="$(find_bindir || true)"
if [ -z "$BINDIR" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "PostgreSQL is not installed and this is not root: install the 'postgresql' package first"
    exit 1
  fi
  say "installing PostgreSQL with apt-get (one time)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BINDIR="$(find_bindir)"
fi

# The server refuses to run as root: as root, run it as the 'postgres' user the package creates.
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    say "running as root but there is no 'postgres' user to run the server"
    exit 1
  fi
  as_server() { runuser -u postgres -- "$@"; }
  OWNER=postgres
else
  as_server() { "$@"; }
  OWNER="$(id -un)"
fi

if [ "${1:-start}" = "stop" ]; then
  if [ -f "$DATA/postmaster.pid" ]; then
    as_server "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2
  else
    say "not running"
  fi
  exit 0
fi

mkdir -p "$PGDIR"
chown "$OWNER" "$PGDIR"
chmod 700 "$PGDIR"

if [ ! -f "$DATA/PG_VERSION" ]; then
  say "creating a cluster in $DATA ($("$BINDIR/postgres" --version))"
  # Local (socket) connections are trusted: the socket lives in the 0700 data directory.
  as_server "$BINDIR/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --no-locale >&2
fi

if as_server "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  say "server already running on 127.0.0.1:$PORT"
else
  say "starting the server on 127.0.0.1:$PORT (log: $LOG)"
  as_server "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA" start >&2
fi

psql_admin() {
  as_server "$BINDIR/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

# Role and database names are plain identifiers; quote the password as an SQL literal.
sql_password="${PASSWORD//\'/\'\'}"
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  say "creating role $ROLE"
  psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN CREATEDB PASSWORD '$sql_password'" >&2
else
  psql_admin -c "ALTER ROLE \"$ROLE\" LOGIN CREATEDB PASSWORD '$sql_password'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
  say "creating database $DATABASE"
  psql_admin -c "CREATE DATABASE \"$DATABASE\" OWNER \"$ROLE\"" >&2
fi

url_password="$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$PASSWORD")"
URL="postgresql://$ROLE:$url_password@127.0.0.1:$PORT/$DATABASE"
say "ready: $URL"
echo "export KYBAO_TEST_POSTGRES_URL='$URL'"
