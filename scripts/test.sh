#!/usr/bin/env bash
# Every test in the repo: TypeScript (vitest: core, sources, generator, state machine, e2e), then
# Python (pytest: the Glue job). Ends with one line `tests: N passed, N failed[, N skipped]`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

status=0
vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" "$@" || status=$?
bash scripts/test-py.sh --junitxml="$results/pytest.xml" || status=$?

node - "$results" "$status" <<'EOF'
const { readFileSync, existsSync } = require('node:fs');
const [dir, status] = process.argv.slice(2);
let passed = 0, failed = 0, skipped = 0;
const vitest = `${dir}/vitest.json`;
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numFailedTestSuites ?? 0);
  skipped += r.numPendingTests + r.numTodoTests;
} else failed += 1;
const pytest = `${dir}/pytest.xml`;
if (existsSync(pytest)) {
  const xml = readFileSync(pytest, 'utf8');
  const n = (k) => [...xml.matchAll(new RegExp(`<testsuite [^>]*\\b${k}="(\\d+)"`, 'g'))].reduce((s, m) => s + Number(m[1]), 0);
  const total = n('tests'), fail = n('failures') + n('errors'), skip = n('skipped');
  passed += total - fail - skip;
  failed += fail;
  skipped += skip;
} else failed += 1;
if (status !== '0' && failed === 0) failed = 1; // a runner failed without a failing test: still a failure
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
EOF
exit $status
