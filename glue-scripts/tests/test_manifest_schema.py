"""Every manifest the job reads is validated against `manifest.schema.json` (generated from the core's zod
definition): what the handler writes and what earlier manifests spell differently pass; a wrong type, a
missing field or an unknown one is a ManifestError naming the manifest, the key and its JSON path. The
schema ships inside the package, so the job finds it when Glue imports the package from its zip (no Spark)."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lake import land

from tributary_curate.errors import ManifestError
from tributary_curate.manifests import SCHEMA_FILE, load_manifests, parse_manifest

PACKAGE = Path(__file__).resolve().parents[1] / "tributary_curate"
URI = "s3://raw/shop/orders/import_date=20261123/run_id=r1/_manifest.json"

#: A manifest as the handler writes it (packages/core/src/landing/Manifest.ts, buildManifest).
WRITTEN = {
    "runId": "r1",
    "source": "shop",
    "stream": "orders",
    "importDate": "20261123",
    "parts": [
        {"key": "shop/orders/part-00000-a1b2c3d4e5f6.ndjson.gz", "records": 2, "bytes": 40, "sha256": "ab",
         "ndjsonBytes": 60},
    ],
    "records": 2,
    "pages": 1,
    "bytes": 40,
    "startedAt": "2026-11-23T06:00:00.000Z",
    "finishedAt": "2026-11-23T06:00:01.000Z",
    "window": {"since": None, "until": "2026-11-23T06:00:00.000Z"},
    "watermark": "2026-11-23T05:59:00Z",
    "primaryKey": ["shop", "id"],
    "cursorField": "updated_at",
    "writeDisposition": "merge",
    "childTables": ["items"],
    "schemaContract": "evolve",
    "checks": {
        "primaryKey": "error",
        "freshness": {"maxAgeSeconds": 7200, "level": "warn"},
        "rowCount": {"band": 0.5, "level": "warn"},
    },
    "parent": None,
}  # fmt: skip


def parse(manifest: dict):
    return parse_manifest(URI, json.dumps(manifest).encode())


def test_a_written_manifest_and_earlier_spellings_are_valid(tmp_path):
    m = parse(WRITTEN)
    assert (m.primary_key, m.write_disposition, m.child_tables) == (["shop", "id"], "merge", ["items"])
    # Earlier manifests: no pages or window, a single primary key, nulls meaning the defaults.
    earlier = {"runId": "r1", "source": "shop", "stream": "orders", "parts": [], "primaryKey": "id"}
    earlier |= {"writeDisposition": None, "schemaContract": None, "childTables": None, "checks": None}
    assert parse(earlier).write_disposition == "merge"
    [landed] = load_manifests([land(tmp_path, "shop", "orders", "r1", [[{"id": 1}]], primaryKey="id")], "r1")
    assert landed.records == 1


@pytest.mark.parametrize(
    ("change", "path", "says"),
    [
        ({"pages": "one"}, "$.pages", "'one' is not of type 'integer'"),
        ({"extra": 1}, "$", "'extra' was unexpected"),
        ({"window": {"since": None}}, "$.window", "'until' is a required property"),
        ({"parts": [{**WRITTEN["parts"][0], "size": 3}]}, "$.parts[0]", "'size' was unexpected"),
        ({"parts": [{**WRITTEN["parts"][0], "ndjsonBytes": -1}]}, "$.parts[0].ndjsonBytes", "less than the"),
        ({"importDate": "2026-11-23"}, "$.importDate", "does not match"),
        ({"checks": {**WRITTEN["checks"], "freshnes": None}}, "$.checks", "'freshnes' was unexpected"),
        ({"watermark": 5}, "$.watermark", "5 is not of type"),
    ],
)  # fmt: skip
def test_an_invalid_manifest_names_the_manifest_the_key_and_its_path(change, path, says):
    with pytest.raises(ManifestError) as e:
        parse({**WRITTEN, **change})
    message = str(e.value)
    assert message.startswith(f"manifest {URI}: {path}: "), message
    assert says in message


def test_a_missing_required_field_is_named():
    without = {k: v for k, v in WRITTEN.items() if k != "parts"}
    with pytest.raises(
        ManifestError, match=r"manifest .*: (\$: 'parts' is a required property|field 'parts')"
    ):
        parse(without)


def test_the_schema_ships_in_the_package_zip_and_is_found_there(tmp_path):
    # Prepare: the package zipped as the deploy hook and package.sh zip it (modules and data files)
    zipped = tmp_path / "tributary_curate.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in sorted(PACKAGE.rglob("*")):
            if f.suffix in (".py", ".json") and "__pycache__" not in f.parts:
                z.write(f, f.relative_to(PACKAGE.parent).as_posix())
    assert f"tributary_curate/{SCHEMA_FILE}" in zipfile.ZipFile(zipped).namelist()
    # Act: a fresh interpreter that imports the package from the zip only, as Glue's --extra-py-files does
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]);"
        "from tributary_curate.manifests import parse_manifest;"
        "import tributary_curate; assert tributary_curate.__file__.startswith(sys.argv[1]);"
        "m = {'runId': 'r', 'source': 's', 'stream': 't', 'parts': [], 'bogus': 1};"
        "parse_manifest('m', json.dumps(m).encode())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(zipped)], capture_output=True, text=True, cwd=tmp_path
    )
    # Assess: the schema was read from inside the zip and applied
    assert done.returncode == 1
    assert (
        "ManifestError: manifest m: $: Additional properties are not allowed ('bogus' was unexpected)"
        in done.stderr
    )
