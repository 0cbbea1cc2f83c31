#!/usr/bin/env bash
# The Glue job's tests on local Spark (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d glue-scripts/tests ]; then echo "no Python tests yet"; exit 0; fi
.venv/bin/python -m pytest glue-scripts/tests -q "$@"
