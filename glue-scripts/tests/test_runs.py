"""Whole runs: part checks (count, corrupt lines), curate-only reruns discovering a run's manifests in a
folder and on S3 (moto server), and the script run as Glue runs it (a separate process)."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from lake import land, manifest_for, part_bytes, run_prefix

SCRIPT = Path(__file__).resolve().parents[1] / "curate.py"


def test_a_part_count_mismatch_fails_naming_the_part(curate_run, tmp_path):
    path = land(tmp_path, "github", "issues", "r1", [[{"id": 1}], [{"id": 2}, {"id": 3}]], primaryKey="id")
    manifest = json.loads(Path(path).read_text())
    manifest["parts"][1]["records"] = 3
    manifest["records"] = 4
    Path(path).write_text(json.dumps(manifest))
    failed = curate_run("r1", [path], expect=1)
    assert failed["error"] == "PartMismatchError"
    assert failed["message"] == f"part {manifest['parts'][1]['key']}: read 2 records, the manifest says 3"
    assert "github_issues" not in [
        t.name for t in curate_run.spark.catalog.listTables(f"local.{curate_run.db}")
    ]


def test_a_line_that_is_not_json_fails_naming_the_part(curate_run, tmp_path):
    path = land(tmp_path, "github", "issues", "r1", [[{"id": 1}, {"id": 2}]], primaryKey="id")
    manifest = json.loads(Path(path).read_text())
    part = Path(path).parent / "part-00000.ndjson.gz"
    part.write_bytes(gzip.compress(b'{"id": 1}\n{"id": 2, oops\n'))
    manifest["parts"][0].update(bytes=None, sha256=None)
    Path(path).write_text(json.dumps(manifest))
    failed = curate_run("r1", [path], expect=1)
    assert failed["message"] == f"part {manifest['parts'][0]['key']}: 1 of its lines are not JSON objects"


def test_curate_only_rerun_discovers_the_runs_manifests_in_a_folder(curate_run, tmp_path):
    land(tmp_path, "github", "issues", "r1", [[{"id": 1}]], primaryKey="id")
    land(tmp_path, "stripe", "charges", "r1", [[{"id": "ch_1"}, {"id": "ch_2"}]], primaryKey="id")
    land(tmp_path, "stripe", "charges", "r0", [[{"id": "ch_0"}]], primaryKey="id")
    summary = curate_run("r1", [], "--raw_root", str(tmp_path), "--sources", "stripe")
    assert [(t["table"].rsplit(".", 1)[1], t["rowsInserted"]) for t in summary["tables"]] == [
        ("stripe_charges", 2)
    ]
    summary = curate_run("r1", [], "--raw_root", str(tmp_path))
    assert sorted(t["table"].rsplit(".", 1)[1] for t in summary["tables"]) == [
        "github_issues",
        "stripe_charges",
    ]


def test_one_run_curates_every_slice_of_a_backfill(curate_run, tmp_path):
    """A backfill's slices (run folders `run_id=<run>.slice-<bounds>`, manifests naming the run) land the
    window in pieces; one curate of the run reads every slice's manifest: each record once, per key."""
    slices = {
        "20250101T000000Z-20250108T000000Z": [[{"id": 1, "v": "a"}, {"id": 2, "v": "a"}]],
        "20250108T000000Z-20250115T000000Z": [[{"id": 3, "v": "a"}], [{"id": 4, "v": "a"}]],
        "20250115T000000Z-20250116T000000Z": [[{"id": 5, "v": "a"}]],
    }
    for slice_id, parts in slices.items():
        path = land(tmp_path, "github", "issues", f"r1.slice-{slice_id}", parts, primaryKey="id")
        manifest = json.loads(Path(path).read_text())
        Path(path).write_text(json.dumps({**manifest, "runId": "r1", "slice": slice_id}))

    summary = curate_run("r1", [], "--raw_root", str(tmp_path))

    [table] = summary["tables"]
    assert (table["table"].rsplit(".", 1)[1], table["rowsInserted"], len(table["manifests"])) == (
        "github_issues",
        5,
        3,
    )
    assert [r["id"] for r in curate_run.rows("github_issues", "id")] == [1, 2, 3, 4, 5]


def test_a_rerun_slice_of_an_append_stream_is_curated_with_the_whole_run(curate_run, tmp_path):
    """The state machine curates a rerun as the whole run (curate-only discovery): an append stream's curate
    replaces the run's rows, so the rerun slice's manifest alone would leave only its own rows."""

    def land_slice(slice_id, ids):
        path = land(tmp_path, "stripe", "events", f"r1.slice-{slice_id}", [[{"id": i} for i in ids]])
        manifest = json.loads(Path(path).read_text())
        Path(path).write_text(json.dumps({**manifest, "runId": "r1", "slice": slice_id}))
        return path

    a = land_slice("20250101T000000Z-20250108T000000Z", [1, 2])
    b = land_slice("20250108T000000Z-20250115T000000Z", [3])
    curate_run("r1", [a, b])  # the first execution: the third slice failed
    c = land_slice("20250115T000000Z-20250122T000000Z", [4, 5])

    curate_run("r1", [c])  # what curating the rerun slice alone would do
    only_c = [r["id"] for r in curate_run.rows("stripe_events", "id")]
    summary = curate_run("r1", [], "--raw_root", str(tmp_path), "--sources", "stripe")  # the rerun

    assert only_c == [4, 5]
    assert summary["tables"][0]["manifests"] == sorted([a, b, c])
    assert [r["id"] for r in curate_run.rows("stripe_events", "id")] == [1, 2, 3, 4, 5]


def test_curate_only_rerun_discovers_manifests_on_s3(curate_run, aws, db):
    import boto3

    s3 = boto3.client("s3")
    bucket = db.replace("_", "-")[:50]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    parts = [[{"number": 1, "title": "a"}], [{"number": 2, "title": "b"}]]
    blobs = [part_bytes(p) for p in parts]
    prefix = "dev/" + run_prefix("github", "issues", "r9")
    for i, blob in enumerate(blobs):
        s3.put_object(Bucket=bucket, Key=f"{prefix}/part-{i:05d}.ndjson.gz", Body=blob)
    manifest = manifest_for(prefix, "r9", "github", "issues", parts, blobs, primaryKey="number")
    s3.put_object(Bucket=bucket, Key=f"{prefix}/_manifest.json", Body=json.dumps(manifest).encode())
    s3.put_object(Bucket=bucket, Key="dev/github/issues/run_id=r8/_manifest.json", Body=b"{}")

    summary = curate_run(
        "r9", [], "--raw_root", f"s3://{bucket}/dev/", "--s3_endpoint", aws,
        "--report_root", f"s3://{bucket}/_runs/",
    )  # fmt: skip
    assert summary["report"]["uri"] == f"s3://{bucket}/_runs/r9.json"
    report = json.loads(s3.get_object(Bucket=bucket, Key="_runs/r9.json")["Body"].read())
    assert (report["runId"], report["status"], report["totals"]["rowsInserted"]) == ("r9", "succeeded", 2)
    [table] = summary["tables"]
    assert table["manifests"] == [f"s3://{bucket}/{prefix}/_manifest.json"]
    assert [(r["number"], r["title"]) for r in curate_run.rows("github_issues", "number")] == [
        (1, "a"),
        (2, "b"),
    ]

    manifest["parts"][0]["sha256"] = "0" * 64
    s3.put_object(Bucket=bucket, Key=f"{prefix}/_manifest.json", Body=json.dumps(manifest).encode())
    failed = curate_run("r9", [f"s3://{bucket}/{prefix}/_manifest.json"], expect=1)
    assert failed["message"] == f"part {prefix}/part-00000.ndjson.gz: sha256 differs from the manifest's"


def test_the_script_runs_as_glue_runs_it(tmp_path):
    path = land(tmp_path, "github", "issues", "r1", [[{"id": 1, "user": {"login": "ana"}}]], primaryKey="id")
    argv = [
        sys.executable, str(SCRIPT),
        "--JOB_NAME", "tributary-dev-curate", "--job-bookmark-option", "job-bookmark-disable",
        "--run_id", "r1", "--manifests", path, "--warehouse", str(tmp_path / "warehouse"),
        "--catalog", "hadoop", "--database", "cli", "--pg_dsn", "",
    ]  # fmt: skip
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": ""}
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["status"] == "succeeded"
    assert (
        summary["tables"][0]["table"] == "local.cli.github_issues" and summary["tables"][0]["rowsTotal"] == 1
    )
    assert (tmp_path / "warehouse/cli/github_issues/metadata").is_dir()

    failed = subprocess.run([*argv[:2], "--run_id", "r1", "--warehouse", "w"], capture_output=True, text=True)
    assert failed.returncode == 1
    assert json.loads(failed.stdout.strip().splitlines()[-1])["error"] == "ArgumentError"
    assert "--manifests" in failed.stderr


def test_the_script_imports_its_package_from_the_zip_glue_gets(tmp_path):
    packaged = subprocess.run(["bash", str(SCRIPT.parent / "package.sh")], capture_output=True, text=True)
    assert packaged.returncode == 0, packaged.stderr
    alone = tmp_path / "curate.py"
    alone.write_text(SCRIPT.read_text())  # Glue copies the script alone to a folder of its own
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parent / "dist/tributary_curate.zip")}
    done = subprocess.run(
        [sys.executable, str(alone), "--run_id", "r1", "--warehouse", "w", "--catalog", "glue"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["error"] == "ArgumentError" and "--manifests" in last["message"]
