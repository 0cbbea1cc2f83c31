#!/usr/bin/env bash
# Builds what Glue needs besides curate.py: dist/tributary_curate.zip, for the job's `--extra-py-files`:
# the package's modules and its data files (manifest.schema.json, the manifest's contract).
set -euo pipefail
cd "$(dirname "$0")"
rm -rf dist && mkdir -p dist
python3 - <<'PY'
import pathlib, zipfile
with zipfile.ZipFile("dist/tributary_curate.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(pathlib.Path("tributary_curate").rglob("*")):
        if f.suffix in (".py", ".json") and "__pycache__" not in f.parts:
            z.write(f, f.as_posix())
PY
echo "glue-scripts/dist/tributary_curate.zip"
