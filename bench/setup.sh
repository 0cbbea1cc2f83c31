#!/usr/bin/env bash
# The bench's own Python tools, apart from the project's .venv, for the peers table: dlt (its
# rest_api source and filesystem destination) in .tools/bench-venv, and Airbyte's declarative CDK in
# .tools/bench-airbyte-venv (its own venv: the two pin conflicting dependencies). Idempotent;
# `pnpm bench` runs it when a venv or a pinned version is missing. Pins live here and only here.
#   bench/setup.sh [dlt|airbyte]...    (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
DLT_VERSION=1.31.0
AIRBYTE_CDK_VERSION=7.39.1
PY=${PYTHON:-python3}

# venv, import check (exits 0 when the pinned version is there), pip requirement
ensure() {
  local venv=$1 check=$2 requirement=$3
  if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "$check" 2>/dev/null; then return 0; fi
  echo "bench/setup.sh: creating $venv with $requirement" >&2
  "$PY" -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$requirement"
  "$venv/bin/python" -c "$check"
}

for tool in "${@:-dlt airbyte}"; do
  for t in $tool; do
    case $t in
      dlt) ensure .tools/bench-venv \
        "import dlt, sys; sys.exit(dlt.__version__ != '$DLT_VERSION')" "dlt[filesystem]==$DLT_VERSION" ;;
      airbyte) ensure .tools/bench-airbyte-venv \
        "import importlib.metadata as m, sys; sys.exit(m.version('airbyte-cdk') != '$AIRBYTE_CDK_VERSION')" \
        "airbyte-cdk==$AIRBYTE_CDK_VERSION" ;;
      *) echo "bench/setup.sh: unknown tool $t (dlt, airbyte)" >&2; exit 2 ;;
    esac
  done
done
