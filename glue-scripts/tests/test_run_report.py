"""The run report on local Spark: a run writes `_runs/<runId>.json` next to the warehouse, valid against
its JSON Schema, its summary in the last stdout line; a failed run writes one too, naming the stream."""

import json

from lake import land
from test_report import validate

import tributary_curate.iceberg as iceberg

SPEC = {"primaryKey": "number", "cursorField": "updated_at"}


def test_every_run_writes_its_report_next_to_the_warehouse(curate_run, tmp_path, monkeypatch):
    issues = [{"number": 1, "updated_at": "2026-11-01"}, {"number": 1, "updated_at": "2026-11-02"}]
    manifests = [
        land(tmp_path, "github", "issues", "rep1", [issues], **SPEC),
        land(tmp_path, "github", "events", "rep1", [[]]),
        land(tmp_path, "socrata", "permits", "rep1", [[{"id": "a"}]], writeDisposition="replace"),
    ]
    summary = curate_run("rep1", manifests)
    path = curate_run.warehouse.parent / "_runs/rep1.json"
    assert summary["report"] == {
        "uri": f"{path}", "status": "succeeded", "streams": 3, "streamsFailed": 0, "recordsLanded": 3,
        "rowsInserted": 2, "rowsUpdated": 0, "columnsChanged": 0, "checksFailed": 0,
    }  # fmt: skip
    report = json.loads(path.read_text())
    validate(report)
    assert [(s["source"], [t["stream"] for t in s["streams"]]) for s in report["sources"]] == [
        ("github", ["issues", "events"]),
        ("socrata", ["permits"]),
    ]
    gh = report["sources"][0]["streams"]
    assert (gh[0]["recordsLanded"], gh[0]["rowsRead"], gh[0]["rowsDeduplicated"], gh[0]["rowsInserted"]) == (
        2, 2, 1, 1,
    )  # fmt: skip
    assert gh[1]["status"] == "skipped"

    # a failed run: the stream it failed in, with the error, and the streams before it
    real_view = iceberg._view
    monkeypatch.setattr(iceberg, "_view", lambda df, t: real_view(df.limit(0), t))
    later = land(tmp_path, "github", "issues", "rep2", [[{"number": 2, "updated_at": "2026-11-03"}]], **SPEC)
    first = land(tmp_path, "socrata", "permits", "rep2", [[{"id": "b"}]], writeDisposition="replace")
    failed = curate_run("rep2", [first, later], expect=1)
    path = curate_run.warehouse.parent / "_runs/rep2.json"
    assert failed["error"] == "ReconciliationError" and failed["report"] == {"uri": str(path)}
    report = json.loads(path.read_text())
    validate(report)
    assert report["status"] == "failed"
    assert {k: report["error"][k] for k in ("name", "source", "stream")} == {
        "name": "ReconciliationError", "source": "github", "stream": "issues",
    }  # fmt: skip
    assert [(s["source"], s["streams"][0]["status"]) for s in report["sources"]] == [
        ("socrata", "curated"),
        ("github", "failed"),
    ]
    assert report["sources"][1]["streams"][0]["error"]["message"] == failed["message"]
