#!/usr/bin/env bash
# Python style (ruff, config in glue-scripts/ruff.toml): the Glue job, its tests and its bench.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(glue-scripts bench/glue_bench.py)
.venv/bin/ruff check --config glue-scripts/ruff.toml "${paths[@]}"
.venv/bin/ruff format --config glue-scripts/ruff.toml --check "${paths[@]}"
