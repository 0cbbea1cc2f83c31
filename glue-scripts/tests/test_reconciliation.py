"""Reconciliation on local Spark: each disposition's run reconciles with its manifests (numbers in the
summary), and a merge that loses a row, in the de-duplication or in the MERGE itself, fails the run."""

from lake import land

import tributary_curate.iceberg as iceberg
import tributary_curate.job as job


def issue(n: int, updated: str, title: str = "") -> dict:
    return {"number": n, "updated_at": updated, "title": title or f"#{n}"}


SPEC = {"primaryKey": "number", "cursorField": "updated_at"}


def test_merge_runs_reconcile_landed_records_with_the_tables_change(curate_run, tmp_path):
    r1 = land(tmp_path, "github", "issues", "r1", [[issue(1, "2026-11-01"), issue(2, "2026-11-01")]], **SPEC)
    first = curate_run("r1", [r1])["tables"][0]
    assert first["reconciliation"] == {
        "landed": 2, "read": 2, "deduplicated": 0, "inserted": 2, "updated": 0, "unchanged": 0,
        "deleted": 0, "tableRowsBefore": 0, "tableRowsAfter": 2,
    }  # fmt: skip
    # 5 landed: key 3 twice (one older version dropped), 1 newer, 2 older (unchanged), 3 and 4 new
    parts = [
        [issue(1, "2026-11-05"), issue(2, "2026-10-01"), issue(3, "2026-11-04")],
        [issue(3, "2026-11-05"), issue(4, "2026-11-05")],
    ]
    r2 = land(tmp_path, "github", "issues", "r2", parts, day="20261105", **SPEC)
    second = curate_run("r2", [r2])["tables"][0]
    assert second["reconciliation"] == {
        "landed": 5, "read": 5, "deduplicated": 1, "inserted": 2, "updated": 1, "unchanged": 1,
        "deleted": 0, "tableRowsBefore": 2, "tableRowsAfter": 4,
    }  # fmt: skip
    assert second["rowsUnchanged"] == 1
    again = curate_run("r2", [r2])["tables"][0]["reconciliation"]
    assert (again["inserted"], again["updated"], again["unchanged"], again["deduplicated"]) == (0, 0, 4, 1)


def test_a_merge_that_drops_a_row_fails_the_run_with_the_numbers(curate_run, tmp_path, monkeypatch):
    r1 = land(tmp_path, "github", "issues", "r1", [[issue(1, "2026-11-01")]], **SPEC)
    curate_run("r1", [r1])
    real_view = iceberg._view

    def lossy_view(df, table):  # the MERGE's source loses one row
        return real_view(df.orderBy("number").limit(df.count() - 1), table)

    monkeypatch.setattr(iceberg, "_view", lossy_view)
    r2 = land(tmp_path, "github", "issues", "r2", [[issue(2, "2026-11-02"), issue(3, "2026-11-02")]], **SPEC)
    failed = curate_run("r2", [r2], expect=1)
    assert failed["error"] == "ReconciliationError"
    table = f"local.{curate_run.db}.github_issues"
    assert failed["message"].startswith(
        f"github/issues (merge into {table}) does not reconcile with its manifests: "
    )
    assert "the table went from 1 to 2 rows, but 2 were inserted" in failed["message"]
    assert (
        "the table holds 1 more rows of this run (0 -> 1), but inserted 2 + updated 0 = 2"
        in (failed["message"])
    )


def test_a_deduplication_that_drops_a_key_fails_the_run(curate_run, tmp_path, monkeypatch):
    real = job.newest_per_key
    monkeypatch.setattr(job, "newest_per_key", lambda df, key: real(df, key).where("number <> 2"))
    r1 = land(tmp_path, "github", "issues", "r1", [[issue(1, "2026-11-01"), issue(2, "2026-11-01")]], **SPEC)
    failed = curate_run("r1", [r1], expect=1)
    assert failed["error"] == "ReconciliationError"
    assert "1 rows after de-duplication, but the records read hold 2 distinct keys" in failed["message"]
    assert "landed 2 != inserted 1 + updated 0 + unchanged 0 + deduplicated 0 (= 1)" in failed["message"]


def test_append_and_replace_reconcile(curate_run, tmp_path):
    events = [{"event": "push"}, {"event": "push"}]
    r1 = land(tmp_path, "github", "events", "r1", [events])
    assert curate_run("r1", [r1])["tables"][0]["reconciliation"]["inserted"] == 2
    rerun = curate_run("r1", [r1])["tables"][0]["reconciliation"]
    assert (rerun["deleted"], rerun["inserted"]) == (2, 2)
    assert (rerun["tableRowsBefore"], rerun["tableRowsAfter"]) == (2, 2)
    spec = {"writeDisposition": "replace"}
    p1 = land(tmp_path, "socrata", "permits", "r1", [[{"id": "a"}, {"id": "b"}]], **spec)
    p2 = land(tmp_path, "socrata", "permits", "r2", [[{"id": "c"}]], day="20261124", **spec)
    curate_run("r1", [p1])
    replaced = curate_run("r2", [p2])["tables"][0]["reconciliation"]
    assert (replaced["deleted"], replaced["inserted"], replaced["tableRowsAfter"]) == (2, 1, 1)
