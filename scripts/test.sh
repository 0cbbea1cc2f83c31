#!/usr/bin/env bash
# Every test in the repo: TypeScript (vitest: core, sources, state machine, e2e) then Python (pytest: Glue job).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
status=0
vitest run "$@" || status=$?
bash scripts/test-py.sh || status=$?
exit $status
