#!/usr/bin/env bash
# The bench's own Python tools, apart from the project's .venv: dlt (its rest_api source and
# filesystem destination) for the peers table. Idempotent; `pnpm bench` runs it when the venv or
# the pinned version is missing. Pins live here and only here.
set -euo pipefail
cd "$(dirname "$0")/.."
DLT_VERSION=1.31.0
VENV=.tools/bench-venv
PY=${PYTHON:-python3}
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import dlt, sys; sys.exit(dlt.__version__ != '$DLT_VERSION')" 2>/dev/null; then
  exit 0
fi
echo "bench/setup.sh: creating $VENV with dlt==$DLT_VERSION" >&2
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "dlt[filesystem]==$DLT_VERSION"
"$VENV/bin/python" -c "import dlt; print('dlt', dlt.__version__)" >&2
