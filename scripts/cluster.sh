#!/usr/bin/env bash
# A local cluster on 127.0.0.1, every process as it would run on its own machine:
#   PostgreSQL (a private cluster: shop tables, media, procrastinate's job queue),
#   two web processes (ports BASE+1, BASE+2; they run no jobs), two job workers (fitroom worker),
#   a Dask scheduler (port BASE+86) with two Dask workers for `fitroom garment import --cluster`
#   and for the catalogue imports the job workers take from the queue.
# No Redis: sessions, CSRF, jobs and media all live in PostgreSQL.
# Usage: scripts/cluster.sh up|down|status
# Settings: FITROOM_CLUSTER_PORT (BASE, default 8100), FITROOM_CLUSTER_DIR (default var/cluster:
# logs, pid files, the generated secret), FITROOM_SEED_LIMIT (demo garments, default all).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE="${FITROOM_CLUSTER_PORT:-8100}"
DIR="$(mkdir -p "${FITROOM_CLUSTER_DIR:-var/cluster}" && cd "${FITROOM_CLUSTER_DIR:-var/cluster}" && pwd)"
PG_PORT=$((BASE + 32))
SCHEDULER_PORT=$((BASE + 86))
WEB_PORTS=($((BASE + 1)) $((BASE + 2)))
export FITROOM_PG_PORT="$PG_PORT" FITROOM_PG_DIR="/tmp/fitroom-cluster-pg-$PG_PORT" FITROOM_PG_DB=fitroom
PY="${FITROOM_PYTHON:-.venv/bin/python}"
PROCESSES=(web1 web2 worker1 worker2 scheduler dask1 dask2)

log() { echo "cluster: $*" >&2; }
pid_of() { cat "$DIR/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

start() {  # start NAME COMMAND...: in its own session, output to NAME.log, pid to NAME.pid
  local name="$1"; shift
  if alive "$name"; then log "$name already running"; return; fi
  setsid "$@" >"$DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$DIR/$name.pid"
}

wait_http() {  # wait_http URL SECONDS
  local deadline=$((SECONDS + $2))
  until "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { log "no answer from $1 after $2 s"; return 1; }
    sleep 1
  done
}

up() {
  if [ -z "${FITROOM_PYTHON:-}" ]; then scripts/setup.sh server,dev,recs; fi
  local url
  url="$(scripts/ensure_postgres.sh 2>>"$DIR/postgres.log" | tail -n 1)"
  [ -f "$DIR/secret" ] || "$PY" -c "import secrets; print(secrets.token_urlsafe(48))" >"$DIR/secret"
  export FITROOM_DATABASE_URL="$url" FITROOM_SECRET_KEY="$(cat "$DIR/secret")"
  export FITROOM_ENVIRONMENT=production FITROOM_RUN_JOBS=false FITROOM_MODEL_THREADS=1
  export FITROOM_VAR_DIR="$DIR/var"
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
  # The first web process migrates and seeds; the others start once it answers.
  start web1 "$PY" -m fitroom.cli serve --host 127.0.0.1 --port "${WEB_PORTS[0]}"
  wait_http "http://127.0.0.1:${WEB_PORTS[0]}/api/v1/health" "${FITROOM_CLUSTER_WAIT:-900}"
  export FITROOM_AUTO_MIGRATE=false FITROOM_SEED_DEMO=false
  start web2 "$PY" -m fitroom.cli serve --host 127.0.0.1 --port "${WEB_PORTS[1]}" --no-seed
  # Job workers ingest queued catalogue imports on the Dask cluster (they connect per import).
  export FITROOM_DASK_SCHEDULER="tcp://127.0.0.1:$SCHEDULER_PORT"
  start worker1 "$PY" -m fitroom.cli worker
  start worker2 "$PY" -m fitroom.cli worker
  start scheduler "$PY" -m distributed.cli.dask_scheduler --host 127.0.0.1 \
    --port "$SCHEDULER_PORT" --no-dashboard
  for n in 1 2; do
    start "dask$n" "$PY" -m distributed.cli.dask_worker "tcp://127.0.0.1:$SCHEDULER_PORT" \
      --host 127.0.0.1 --nthreads 1 --nworkers 1 --no-dashboard --name "dask$n"
  done
  wait_http "http://127.0.0.1:${WEB_PORTS[1]}/api/v1/health" 600
  log "up: web http://127.0.0.1:${WEB_PORTS[0]} and :${WEB_PORTS[1]}," \
    "Dask tcp://127.0.0.1:$SCHEDULER_PORT, logs in $DIR"
}

down() {
  local name pid
  for name in "${PROCESSES[@]}"; do
    pid="$(pid_of "$name")"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"; fi
  done
  for name in "${PROCESSES[@]}"; do
    pid="$(pid_of "$name")"
    [ -n "$pid" ] || continue
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop in 30 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    fi
    rm -f "$DIR/$name.pid"
  done
  scripts/ensure_postgres.sh stop 2>>"$DIR/postgres.log"
  log "down"
}

status() {
  local name code=0
  for name in "${PROCESSES[@]}"; do
    if alive "$name"; then echo "$name running (pid $(pid_of "$name"))"; else echo "$name stopped"; code=3; fi
  done
  for port in "${WEB_PORTS[@]}"; do
    if wait_http "http://127.0.0.1:$port/api/v1/health" 1 2>/dev/null; then echo "web :$port healthy"; else echo "web :$port not answering"; code=3; fi
  done
  return $code
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: scripts/cluster.sh up|down|status" >&2; exit 2 ;;
esac
