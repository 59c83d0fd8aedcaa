#!/usr/bin/env bash
# The main job on the embedded defaults: analyse the public-domain astronaut photo and write an
# overlay picture and JSON to out/. Usage: scripts/run.sh [more fitroom analyze args]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh server,dev
mkdir -p out
.venv/bin/fitroom analyze --demo -o out/analyze.png --json out/analyze.json "$@"
echo "wrote out/analyze.png and out/analyze.json"
