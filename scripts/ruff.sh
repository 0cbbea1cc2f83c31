#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check glue-scripts && .venv/bin/ruff format --check glue-scripts
