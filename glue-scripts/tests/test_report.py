"""The run report's shape (pure): built from table summaries, valid against
docs/schemas/run-report.schema.json, and where it goes."""

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from tributary_curate.errors import ReportError
from tributary_curate.report import build_report, runs_root, state_brief, write_report

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs/schemas/run-report.schema.json").read_text())


def validate(report: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)


MERGED = {
    "source": "github", "stream": "issues", "manifests": ["s3://raw/m.json"], "recordsLanded": 5,
    "table": "glue_catalog.db.github_issues", "disposition": "merge", "created": False, "rowsInRun": 4,
    "rowsInserted": 2, "rowsUpdated": 1, "rowsUnchanged": 1, "rowsDeleted": 0, "rowsTotal": 9,
    "rowsRead": 5, "columnsAdded": ["color"], "columnsWidened": ["qty: int -> bigint"],
    "columnsAsString": ["p -> p__string"],
    "childTables": [
        {"table": "glue_catalog.db.github_issues__labels", "rowsInserted": 3, "rowsTotal": 7,
         "disposition": "merge"}
    ],
    "reconciliation": {"landed": 5, "read": 5, "deduplicated": 1, "inserted": 2, "updated": 1, "unchanged": 1,
                       "deleted": 0, "tableRowsBefore": 7, "tableRowsAfter": 9},
    "durationSeconds": 3.25,
}  # fmt: skip
SKIPPED = {
    "source": "github", "stream": "events", "manifests": ["s3://raw/e.json"], "recordsLanded": 0,
    "table": "glue_catalog.db.github_events", "disposition": "append", "rowsInRun": 0,
    "skipped": "no records", "durationSeconds": 0.01,
}  # fmt: skip
T0, T1 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC), datetime(2026, 11, 23, 6, 2, 30, tzinfo=UTC)


def test_a_succeeded_runs_report_groups_streams_by_source_and_validates():
    report = build_report("r1", "glue_catalog", "db", [MERGED, SKIPPED], T0, T1)
    validate(report)
    assert (report["status"], report["error"], report["durationSeconds"]) == ("succeeded", None, 150.0)
    assert report["startedAt"] == "2026-11-23T06:00:00.000Z"
    [github] = report["sources"]
    assert github["recordsLanded"] == 5
    issues, events = github["streams"]
    assert (issues["status"], issues["rowsDeduplicated"], issues["columnsDiverted"]) == (
        "curated", 1, ["p -> p__string"],
    )  # fmt: skip
    assert issues["childTables"] == [
        {"table": "glue_catalog.db.github_issues__labels", "rowsInserted": 3, "rowsTotal": 7}
    ]
    assert (events["status"], events["reconciliation"]) == ("skipped", None)
    assert report["totals"] == {
        "streams": 2, "streamsFailed": 0, "recordsLanded": 5, "rowsInserted": 2, "rowsUpdated": 1,
        "columnsChanged": 3, "checksFailed": 0,
    }  # fmt: skip


def test_a_failed_runs_report_names_the_stream_and_its_error():
    failed = {
        "source": "stripe", "stream": "charges", "manifests": [], "recordsLanded": 3, "durationSeconds": 1.0,
        "error": {"name": "ReconciliationError", "message": "stripe/charges … does not reconcile"},
    }  # fmt: skip
    error = {"name": "ReconciliationError", "message": "…", "source": "stripe", "stream": "charges"}
    report = build_report("r1", "local", "db", [MERGED, failed], T0, T1, error)
    validate(report)
    assert report["status"] == "failed" and report["totals"]["streamsFailed"] == 1
    assert [s["source"] for s in report["sources"]] == ["github", "stripe"]
    assert report["sources"][1]["streams"][0]["status"] == "failed"
    broken = {**report, "status": "ok"}
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_reports_go_next_to_the_warehouse(tmp_path):
    assert runs_root("s3://curated/warehouse/") == "s3://curated/_runs/"
    assert runs_root("s3://curated/") == "s3://curated/_runs/"
    assert runs_root("s3://curated/a/warehouse") == "s3://curated/a/_runs/"
    assert runs_root(str(tmp_path / "warehouse")) == f"{tmp_path}/_runs/"
    assert runs_root("s3://curated/warehouse/", "s3://ops/reports") == "s3://ops/reports/"
    write_report({"a": 1}, str(tmp_path / "_runs/r1.json"))
    assert json.loads((tmp_path / "_runs/r1.json").read_text()) == {"a": 1}
    (tmp_path / "file").write_text("")
    with pytest.raises(ReportError, match=r"cannot write the run report to .*file/_runs/r1\.json"):
        write_report({}, str(tmp_path / "file/_runs/r1.json"))


def test_the_postgres_section_counts_every_table_written_and_is_null_without_a_target():
    pg = {
        "table": "public.github_issues", "disposition": "merge", "rowsStaged": 4, "rowsInserted": 2,
        "rowsUpdated": 1, "rowsUnchanged": 1, "rowsDeleted": 0, "rowsTotal": 9, "columnsAdded": ["color"],
        "columnsWidened": [],
        "childTables": [
            {"table": "public.github_issues__labels", "disposition": "merge", "rowsStaged": 6,
             "rowsInserted": 5, "rowsDeleted": 4, "rowsTotal": 11, "columnsAdded": [], "columnsWidened": []}
        ],
    }  # fmt: skip
    report = build_report(
        "r1", "glue_catalog", "db", [{**MERGED, "postgres": pg}, SKIPPED], T0, T1, None, "public"
    )
    validate(report)
    section = report["postgres"]
    assert section["schema"] == "public"
    keys = ("table", "parentTable", "source", "stream", "rowsUpserted", "rowsUpdated", "rowsDeleted")
    assert [tuple(t[k] for k in keys) for t in section["tables"]] == [
        ("public.github_issues", None, "github", "issues", 3, 1, 0),
        ("public.github_issues__labels", "public.github_issues", "github", "issues", 5, 0, 4),
    ]  # fmt: skip
    assert section["totals"] == {"tables": 2, "rowsUpserted": 8, "rowsDeleted": 4}
    assert build_report("r1", "glue_catalog", "db", [MERGED], T0, T1)["postgres"] is None
    with pytest.raises(jsonschema.ValidationError):
        validate({**report, "postgres": {**section, "tables": [{"table": "public.x"}]}})


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_the_committed_report_fixture_is_a_real_report_and_its_brief_follows_from_it():
    """fixtures/run-report.json was written by the job on local Spark (a run with drift under evolve, a
    failed warn check, then drift under freeze failing it); the TypeScript tests print and return it."""
    report = json.loads((FIXTURES / "run-report.json").read_text())
    validate(report)
    brief = json.loads((FIXTURES / "run-report.brief.json").read_text())
    assert state_brief(report, brief["uri"]) == brief
    assert brief["driftUnderFreeze"] and brief["failedChecks"] and brief["drift"]
