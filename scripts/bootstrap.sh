#!/usr/bin/env bash
# Installs everything Tributary needs into the repo (idempotent, no root needed except for PostgreSQL):
#   .tools/   Node 24 and pnpm (from the npm registry), the Iceberg Spark runtime jar (Maven Central),
#             checkov in its own venv .tools/checkov-venv (PyPI)
#   .venv/    Python 3.11 venv: pyspark (Glue 5.0's Spark 3.5.4), moto[server], pytest, ruff, psycopg
#   node_modules/ the workspace's packages (pnpm install --frozen-lockfile)
#   PostgreSQL server binaries (Debian's postgresql), when missing and we are root
# Usage: source scripts/env.sh after it, or use `make`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
say() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bootstrap] %s\033[0m\n' "$*" >&2; exit 1; }

command -v npm >/dev/null || die "npm is missing: install Node.js (any version ≥ 18) first; Node 24 itself is fetched from the npm registry"
command -v python3 >/dev/null || die "python3 is missing: install Python 3.11"
command -v java >/dev/null || die "java is missing: install a Java 17 JDK (Spark needs it), e.g. apt-get install openjdk-17-jdk-headless"

NODE_VERSION=24
PNPM_VERSION=$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' package.json)
if [ ! -x .tools/node_modules/.bin/node ] || ! .tools/node_modules/.bin/node --version | grep -q "^v${NODE_VERSION}\." \
   || [ ! -x .tools/node_modules/.bin/pnpm ] || [ "$(.tools/node_modules/.bin/pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  say "installing Node ${NODE_VERSION} and pnpm ${PNPM_VERSION} into .tools/"
  mkdir -p .tools
  [ -f .tools/package.json ] || echo '{"private":true}' > .tools/package.json
  npm install --prefix .tools --no-audit --no-fund --loglevel=error "node@${NODE_VERSION}" "pnpm@${PNPM_VERSION}" >&2
fi
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"

if [ ! -x .venv/bin/python ] || ! cmp -s glue-scripts/requirements-dev.txt .venv/.requirements 2>/dev/null; then
  say "creating the Python venv .venv/ (pyspark, moto, pytest, ruff, psycopg)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r glue-scripts/requirements-dev.txt >&2
  cp glue-scripts/requirements-dev.txt .venv/.requirements
fi

# checkov (the security scanner test/stepfunctions/checkov.test.ts runs on the packaged template) in a
# venv of its own: its dependency pins clash with moto's and pyspark's in .venv.
CHECKOV_VERSION=3.3.30
if ! .tools/checkov-venv/bin/checkov --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
  say "installing checkov ${CHECKOV_VERSION} into .tools/checkov-venv/"
  python3 -m venv --clear .tools/checkov-venv
  .tools/checkov-venv/bin/pip install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}" >&2
fi

ICEBERG_JAR=.tools/jars/iceberg-spark-runtime-3.5_2.12-1.7.1.jar
if [ ! -f "$ICEBERG_JAR" ]; then
  say "fetching the Iceberg Spark runtime 1.7.1 (Glue 5.0's) from Maven Central"
  mkdir -p .tools/jars
  if command -v mvn >/dev/null; then
    mvn -q dependency:copy -Dartifact=org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.7.1 -DoutputDirectory=.tools/jars >&2
  else
    .venv/bin/python - <<'PY'
import urllib.request
url = "https://repo1.maven.org/maven2/org/apache/iceberg/iceberg-spark-runtime-3.5_2.12/1.7.1/iceberg-spark-runtime-3.5_2.12-1.7.1.jar"
urllib.request.urlretrieve(url, ".tools/jars/iceberg-spark-runtime-3.5_2.12-1.7.1.jar")
PY
  fi
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing the PostgreSQL server (Debian's postgresql)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    say "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): the PostgreSQL tests will be skipped; install Debian's 'postgresql' package to run them"
  fi
fi

say "installing the workspace's packages (pnpm install)"
pnpm install --frozen-lockfile --reporter=silent >&2
say "ready"
