#!/usr/bin/env bash
# The main job on the embedded defaults: the web shop with its fitting room. Sets up the venv,
# then `fitroom serve` creates the database (SQLite under ./var), applies the migrations, seeds
# the demo catalog (garments the project draws itself) and the demo merchant, loads the models
# and serves on http://127.0.0.1:8000 (GET /api/v1/health answers {"status": "ok"} when ready).
# --demo-events adds simulated shoppers' events once, so the merchant's analytics page has data.
# Usage: scripts/run.sh [more fitroom serve args, e.g. --port 8080 --workers 2]
# Configure with FITROOM_* variables (FITROOM_DATABASE_URL, FITROOM_SECRET_KEY, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh server,dev,recs
exec .venv/bin/fitroom serve --host 127.0.0.1 --port 8000 --demo-events 3000 "$@"
