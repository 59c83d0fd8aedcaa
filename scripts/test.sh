#!/usr/bin/env bash
# The test command: sets up what it needs (venv and packages; a throw-away PostgreSQL on
# 127.0.0.1:5433 when it can), then runs lint, types and the test suite.
# tests/cluster start their own local cluster through scripts/ensure_postgres.sh (a private
# PostgreSQL they restart), fitroom serve and fitroom worker, on ports from FITROOM_TEST_CLUSTER_PORT
# (default 8300); no Redis is used.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh server,dev,recs
. .venv/bin/activate
if [ -z "${FITROOM_TEST_DATABASE_URL:-}" ]; then
  # The server tests run on SQLite always, and on PostgreSQL too when this URL is set.
  if url="$(scripts/ensure_postgres.sh 2>/tmp/fitroom-ensure-postgres.log | tail -n 1)" && [ -n "$url" ]; then
    export FITROOM_TEST_DATABASE_URL="$url"
    echo "== PostgreSQL for the server tests: $url"
  else
    echo "warning: PostgreSQL could not be started (see /tmp/fitroom-ensure-postgres.log);" \
      "server tests run on SQLite only" >&2
    if [ "${FITROOM_REQUIRE_POSTGRES:-0}" = "1" ]; then
      cat /tmp/fitroom-ensure-postgres.log >&2
      exit 1
    fi
  fi
fi
# The browser tests drive Debian's Chromium (Playwright cannot download a browser here).
if ! scripts/ensure_chromium.sh >/tmp/fitroom-ensure-chromium.log 2>&1; then
  echo "warning: Chromium could not be installed (see /tmp/fitroom-ensure-chromium.log);" \
    "browser tests will skip" >&2
fi
echo "== ruff"
ruff check src tests benchmarks
ruff format --check src tests benchmarks
echo "== mypy"
mypy
echo "== pytest"
python -m pytest "$@"
