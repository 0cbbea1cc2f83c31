"""What the state machine and CloudWatch see of a run, on local Spark: the report's compact form
(`_runs/<runId>.brief.json`) naming drift under freeze and failed checks, and the EMF metric lines on
stdout, for a run with a failed (warn) check and a frozen stream that drifted."""

import json

from lake import land
from test_report import validate

from tributary_curate.metrics import METRICS, NAMESPACE, emf_documents

FROZEN = {"primaryKey": "id", "cursorField": "updated", "schemaContract": "freeze"}
CHECKED = {"primaryKey": "id", "cursorField": "at", "checks": {"freshness": {"maxAgeSeconds": 3600}}}


def emf_lines(stdout: str) -> list[dict]:
    return [d for d in map(json.loads, stdout.strip().splitlines()) if "_aws" in d]


def test_a_run_with_drift_under_freeze_and_a_failed_check_names_both_and_emits_their_metrics(
    curate_run, tmp_path
):
    first = [{"id": 1, "qty": 5, "updated": "2026-01-01T00:00:00Z"}]
    curate_run("m1", [land(tmp_path, "shop", "products", "m1", [first], **FROZEN)])
    carts = [{"id": i, "at": "2026-01-01T00:00:00Z"} for i in range(3)]
    drifted = [{"id": 1, "qty": 6, "color": "red", "updated": "2026-01-02T00:00:00Z"}]
    manifests = [
        land(tmp_path, "shop", "carts", "m2", [carts], day="20261124", **CHECKED),
        land(tmp_path, "shop", "products", "m2", [drifted], day="20261124", **FROZEN),
    ]

    failed = curate_run("m2", manifests, expect=1)

    assert failed["error"] == "SchemaContractError"
    runs = curate_run.warehouse.parent / "_runs"
    report = json.loads((runs / "m2.json").read_text())
    validate(report)
    products = report["sources"][0]["streams"][1]
    assert (products["schemaContract"], products["columnsAdded"], products["table"]) == (
        "freeze", ["color"], f"local.{curate_run.db}.shop_products",
    )  # fmt: skip
    brief = json.loads((runs / "m2.brief.json").read_text())
    assert brief["uri"] == str(runs / "m2.json")
    assert (brief["status"], brief["error"]["name"], brief["error"]["stream"]) == (
        "failed", "SchemaContractError", "products",
    )  # fmt: skip
    assert brief["driftUnderFreeze"] == "shop.products (new columns color)"
    assert brief["failedChecks"] == 'shop.carts DataFreshness "_cursor" <= 1 hours (warn)'
    assert brief["drift"] == ""
    assert brief["findings"] == (
        "drift under freeze: shop.products (new columns color); "
        'failed checks: shop.carts DataFreshness "_cursor" <= 1 hours (warn)'
    )
    assert brief["streams"] == [
        {"source": "shop", "stream": "carts", "status": "curated", "schemaContract": "evolve", "drift": [],
         "failedChecks": ['DataFreshness "_cursor" <= 1 hours (warn)'], "error": None},
        {"source": "shop", "stream": "products", "status": "failed", "schemaContract": "freeze",
         "drift": ["new columns color"], "failedChecks": [], "error": "SchemaContractError"},
    ]  # fmt: skip
    assert brief["totals"] == report["totals"]

    # the EMF lines: one per stream, before the summary line, in the shape CloudWatch extracts
    lines = emf_lines(curate_run.stdout)
    assert json.loads(curate_run.stdout.strip().splitlines()[-1]) == failed
    assert [(d["source"], d["stream"]) for d in lines] == [("shop", "carts"), ("shop", "products")]
    for d in lines:
        [directive] = d["_aws"]["CloudWatchMetrics"]
        assert directive == {
            "Namespace": NAMESPACE,
            "Dimensions": [["database", "source", "stream"], ["database"]],
            "Metrics": [{"Name": m, "Unit": "Count"} for m in METRICS],
        }
        assert isinstance(d["_aws"]["Timestamp"], int) and d["database"] == curate_run.db
        assert d["runId"] == "m2"
    values = [{m: d[m] for m in METRICS} for d in lines]
    assert values == [
        {"RecordsLanded": 3, "RowsMerged": 3, "DriftEvents": 0, "DriftUnderFreeze": 0, "ChecksFailed": 1},
        {"RecordsLanded": 1, "RowsMerged": 0, "DriftEvents": 1, "DriftUnderFreeze": 1, "ChecksFailed": 0},
    ]

    # a later attempt that fails before writing its report leaves no stale one behind
    curate_run("m2", [str(tmp_path / "missing/_manifest.json")], expect=1)
    assert not (runs / "m2.json").exists() and not (runs / "m2.brief.json").exists()


def test_an_evolving_streams_drift_counts_but_is_not_under_freeze():
    stream = {
        "stream": "issues", "status": "curated", "schemaContract": "evolve", "recordsLanded": 4,
        "rowsInserted": 1, "rowsUpdated": 2, "columnsAdded": ["a"], "columnsWidened": ["q: int -> bigint"],
        "columnsDiverted": [], "columnsRescued": [], "checks": {"passed": [], "failed": []}, "error": None,
    }  # fmt: skip
    report = {"runId": "r", "database": "db", "sources": [{"source": "gh", "streams": [stream]}]}
    [doc] = emf_documents(report, now_ms=1)
    assert {m: doc[m] for m in METRICS} == {
        "RecordsLanded": 4, "RowsMerged": 3, "DriftEvents": 2, "DriftUnderFreeze": 0, "ChecksFailed": 0,
    }  # fmt: skip
