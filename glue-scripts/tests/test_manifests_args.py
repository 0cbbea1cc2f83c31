"""Manifest contract checks, part locations, discovery in a folder, and Glue-style arguments (no Spark)."""

import json
from pathlib import Path

import pytest
from lake import land

from tributary_curate.args import parse_args
from tributary_curate.errors import ArgumentError, ManifestError, PartMismatchError
from tributary_curate.manifests import discover, load_manifests, localize, parse_manifest, split_uris

GOOD = {"runId": "r1", "source": "github", "stream": "issues", "parts": [], "records": 0}


def manifest(**changes) -> bytes:
    return json.dumps({**GOOD, **changes}).encode()


def test_glue_arguments_with_glue_extras():
    args, ignored = parse_args(
        [
            "--JOB_NAME", "tributary-dev-curate",
            "--job-bookmark-option", "job-bookmark-disable",
            "--TempDir", "s3://tmp/",
            "--enable-glue-datacatalog", "true",
            "--run_id", "2026-11-23T06-00-00Z-3f9c",
            "--manifests", '["s3://raw/a/_manifest.json", "s3://raw/b/_manifest.json"]',
            "--warehouse", "s3://curated/",
            "--max_depth", "2",
            "--pg_port", "",
        ]
    )  # fmt: skip
    assert args.run_id == "2026-11-23T06-00-00Z-3f9c"
    assert args.manifests == ["s3://raw/a/_manifest.json", "s3://raw/b/_manifest.json"]
    assert (args.database, args.catalog, args.max_depth) == ("tributary_dev", "glue", 2)
    assert args.pg_port is None and not args.postgres
    assert "--JOB_NAME" in ignored and "--TempDir" in ignored


def test_comma_separated_manifests_and_bad_arguments():
    assert split_uris("a/_manifest.json, b/_manifest.json") == ["a/_manifest.json", "b/_manifest.json"]
    base = ["--run_id", "r", "--warehouse", "w"]
    with pytest.raises(ArgumentError, match="--manifests"):
        parse_args(base)
    with pytest.raises(ArgumentError, match="--catalog must be 'glue' or 'hadoop', not 'hive'"):
        parse_args([*base, "--manifests", "m", "--catalog", "hive"])
    with pytest.raises(ArgumentError, match="--max_depth must be a whole number"):
        parse_args([*base, "--manifests", "m", "--max_depth", "deep"])
    with pytest.raises(ArgumentError, match="run_id"):
        parse_args(["--warehouse", "w", "--manifests", "m"])
    with pytest.raises(ManifestError, match="not a valid JSON list"):
        parse_args([*base, "--manifests", "[oops"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"runId": None}, "field 'runId' is missing"),
        ({"parts": [{"key": "p.gz"}]}, r"parts\[0\].records is missing"),
        ({"parts": [{"records": 1}]}, r"parts\[0\].key is missing"),
        ({"records": 3}, "records is 3 but its parts add up to 0"),
        ({"primaryKey": 5}, "primaryKey must be"),
        ({"writeDisposition": "upsert"}, "writeDisposition 'upsert' is not one of merge, append, replace"),
        ({"writeDisposition": "merge"}, "'merge' needs a primaryKey"),
        ({"runId": "r0"}, "runId 'r0' is not the run being curated"),
    ],
)
def test_manifest_errors_name_the_manifest_and_field(changes, message):
    with pytest.raises(ManifestError, match=message) as e:
        parse_manifest("s3://raw/x/_manifest.json", manifest(**changes), run_id="r1")
    assert "s3://raw/x/_manifest.json" in str(e.value)


def test_manifest_defaults_and_part_locations():
    m = parse_manifest(
        "s3://raw/gh/issues/import_date=20261122/run_id=r1/_manifest.json",
        manifest(
            primaryKey=["owner", "number"],
            parts=[{"key": "gh/issues/import_date=20261122/run_id=r1/part-00000.ndjson.gz", "records": 0}],
        ),
    )
    assert m.write_disposition == "merge" and m.primary_key == ["owner", "number"]
    assert m.parts[0].location == "s3://raw/gh/issues/import_date=20261122/run_id=r1/part-00000.ndjson.gz"
    assert str(m.import_date) == "2026-11-22"
    assert parse_manifest("/x/_manifest.json", manifest()).write_disposition == "append"


def test_discover_a_runs_manifests_in_a_folder(tmp_path):
    a = land(tmp_path, "github", "issues", "r1", [[{"id": 1}]])
    b = land(tmp_path, "stripe", "charges", "r1", [[{"id": 1}]])
    land(tmp_path, "github", "issues", "r0", [[{"id": 1}]])
    (tmp_path / "tests/github/issues/import_date=1/run_id=r1").mkdir(parents=True)  # no manifest: incomplete
    assert discover(str(tmp_path), "r1") == sorted([a, b])
    with pytest.raises(ManifestError, match="is not a folder"):
        discover(str(tmp_path / "nope"), "r1")


def _land_slice(root, source, stream, run_id, slice_id, parts, **extra):
    """A backfill slice as the handler lands it: `run_id=<run_id>.slice-<id>`, manifest runId the run's."""
    path = land(root, source, stream, f"{run_id}.slice-{slice_id}", parts, **extra)
    manifest = json.loads(Path(path).read_text())
    Path(path).write_text(json.dumps({**manifest, "runId": run_id, "slice": slice_id}))
    return path


def test_discover_finds_every_slice_of_a_backfill_and_no_other_runs(tmp_path):
    a = _land_slice(tmp_path, "github", "issues", "r1", "20250101T000000Z-20250108T000000Z", [[{"id": 1}]])
    b = _land_slice(tmp_path, "github", "issues", "r1", "20250108T000000Z-20250115T000000Z", [[{"id": 2}]])
    c = land(tmp_path, "stripe", "charges", "r1", [[{"id": 1}]])
    _land_slice(tmp_path, "github", "issues", "r10", "20250101T000000Z-20250108T000000Z", [[{"id": 1}]])
    land(tmp_path, "github", "issues", "r1.other", [[{"id": 1}]])

    found = discover(str(tmp_path), "r1")

    assert found == sorted([a, b, c])
    assert [m.run_id for m in load_manifests(found, "r1")] == ["r1", "r1", "r1"]


def test_local_parts_are_checked_against_bytes_and_sha256(tmp_path):
    path = land(tmp_path, "github", "issues", "r1", [[{"id": 1}, {"id": 2}]])
    [m] = load_manifests([path], "r1")
    assert localize([m], tmp_path / "mirror")[0].parts[0].location.endswith("part-00000.ndjson.gz")
    part = tmp_path / m.parts[0].key
    data = bytearray(part.read_bytes())
    data[-1] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(PartMismatchError, match=f"part {m.parts[0].key}: sha256 differs"):
        localize([m], tmp_path / "mirror")
