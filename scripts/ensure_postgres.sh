#!/usr/bin/env bash
# Ensure a throw-away PostgreSQL cluster for the server tests is running on 127.0.0.1:5433.
# Idempotent: installs PostgreSQL when missing, creates a dedicated OS user and a cluster under
# ${FITROOM_PG_DIR:-/tmp/fitroom-pg}, starts it, creates the database fitroom_test, and prints
#   postgresql+psycopg://fitroom:fitroom@127.0.0.1:5433/fitroom_test
# on the last line (use it as FITROOM_TEST_DATABASE_URL). Needs root for the install/user steps.
# FITROOM_PG_PORT, FITROOM_PG_DIR and FITROOM_PG_DB make another cluster (the cluster script and
# the fault tests use a private one they may stop); `ensure_postgres.sh stop` stops that cluster.
set -euo pipefail

PORT="${FITROOM_PG_PORT:-5433}"
DIR="${FITROOM_PG_DIR:-/tmp/fitroom-pg}"
OS_USER="${FITROOM_PG_OS_USER:-fitroompg}"
DB="${FITROOM_PG_DB:-fitroom_test}"
ROLE=fitroom
PASSWORD=fitroom

log() { echo "ensure_postgres: $*" >&2; }

find_bin() {
  local name="$1" found
  found="$(command -v "$name" 2>/dev/null || true)"
  if [ -z "$found" ]; then
    found="$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)"
  fi
  echo "$found"
}

if [ -z "$(find_bin initdb)" ]; then
  log "installing PostgreSQL"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
INITDB="$(find_bin initdb)"
PG_CTL="$(find_bin pg_ctl)"
BIN_DIR="$(dirname "$(readlink -f "$INITDB")")"
PSQL="$BIN_DIR/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql)"

if ! id "$OS_USER" >/dev/null 2>&1; then
  log "creating OS user $OS_USER"
  useradd --system --no-create-home --shell /usr/sbin/nologin "$OS_USER"
fi

as_pg() { runuser -u "$OS_USER" -- "$@"; }

if [ "${1:-}" = "stop" ]; then
  if [ -f "$DIR/data/PG_VERSION" ] && as_pg "$PG_CTL" -D "$DIR/data" status >/dev/null 2>&1; then
    log "stopping the cluster in $DIR/data"
    as_pg "$PG_CTL" -D "$DIR/data" -m fast -w stop >&2
  fi
  exit 0
fi

mkdir -p "$DIR"
chown "$OS_USER" "$DIR"
chmod 700 "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  log "initialising a cluster in $DIR/data"
  as_pg "$INITDB" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi

if ! as_pg "$PG_CTL" -D "$DIR/data" status >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$PORT"
  as_pg "$PG_CTL" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DIR -c fsync=off -c full_page_writes=off" \
    start >&2
fi

psql_admin() { as_pg "$PSQL" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'")" != "1" ]; then
  psql_admin -d postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
fi
if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$DB'")" != "1" ]; then
  psql_admin -d postgres -c "CREATE DATABASE $DB OWNER $ROLE"
fi

echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
