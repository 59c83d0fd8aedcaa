#!/usr/bin/env bash
# The test command: sets up what it needs, then runs lint, types and the test suite.
# Usage: scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh server,dev
. .venv/bin/activate
echo "== ruff"
ruff check src tests benchmarks
ruff format --check src tests benchmarks
echo "== mypy"
mypy
echo "== pytest"
python -m pytest "$@"
