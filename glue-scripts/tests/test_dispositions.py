"""Write dispositions on Iceberg: merge (newest wins, backfill-safe, idempotent), append, replace."""

from lake import land


def issue(n: int, updated: str, title: str, labels: list[dict] | None = None) -> dict:
    return {"number": n, "title": title, "updated_at": updated, "labels": labels or []}


def content(rows: list[dict]) -> list[tuple]:
    return [tuple(v for k, v in sorted(r.items())) for r in rows]


def test_merge_newest_wins_backfill_changes_nothing_and_reruns_are_idempotent(curate_run, tmp_path):
    spec = {"primaryKey": "number", "cursorField": "updated_at", "childTables": ["labels"]}
    run1 = [
        issue(1, "2026-11-01T00:00:00Z", "one", [{"name": "bug"}, {"name": "p1"}]),
        issue(2, "2026-11-01T00:00:00Z", "two"),
        issue(3, "2026-11-01T00:00:00Z", "three"),
    ]
    # Two parts: within the run the newest per key wins (cursor first, then arrival order).
    r1 = land(
        tmp_path, "github", "issues", "r1", [run1, [issue(3, "2026-10-01T00:00:00Z", "three, older")]], **spec
    )
    s1 = curate_run("r1", [r1])["tables"][0]
    assert (s1["rowsInRun"], s1["rowsInserted"], s1["rowsTotal"], s1["rowsRead"]) == (3, 3, 3, 4)
    assert curate_run.rows("github_issues", "number")[2]["title"] == "three"

    run2 = [
        issue(1, "2026-11-05T00:00:00+01:00", "one, edited", [{"name": "bug"}]),
        issue(4, "2026-11-05T00:00:00Z", "four"),
        issue(4, "2026-11-05T00:00:00Z", "four, same cursor, arrived later"),
    ]
    r2 = land(tmp_path, "github", "issues", "r2", [run2], day="20261105", **spec)
    s2 = curate_run("r2", [r2])["tables"][0]
    assert (s2["rowsInserted"], s2["rowsUpdated"], s2["rowsTotal"]) == (1, 1, 4)
    rows = {r["number"]: r for r in curate_run.rows("github_issues")}
    assert rows[1]["title"] == "one, edited" and rows[1]["_run_id"] == "r2"
    assert rows[2]["title"] == "two" and rows[2]["_run_id"] == "r1"
    assert rows[4]["title"] == "four, same cursor, arrived later"
    labels = curate_run.rows("github_issues__labels", "_parent_number,_index")
    assert [(r["_parent_number"], r["_index"], r["name"]) for r in labels] == [(1, 0, "bug")]
    after_r2 = content(curate_run.rows("github_issues", "number"))
    labels_after_r2 = content(labels)

    # A backfill of an older window: older cursors for keys 1 and 2 change nothing; key 5 is new.
    backfill = [
        issue(1, "2026-10-15T00:00:00Z", "one, stale", [{"name": "stale"}]),
        issue(2, "2026-10-15T00:00:00Z", "two, stale"),
        issue(5, "2026-10-15T00:00:00Z", "five"),
    ]
    r3 = land(tmp_path, "github", "issues", "r3", [backfill], day="20261106", **spec)
    s3 = curate_run("r3", [r3])["tables"][0]
    assert (s3["rowsInserted"], s3["rowsUpdated"], s3["rowsTotal"]) == (1, 0, 5)
    rows = curate_run.rows("github_issues", "number")
    assert content(rows[:4]) == after_r2
    assert rows[4]["title"] == "five"
    assert content(curate_run.rows("github_issues__labels", "_parent_number,_index")) == labels_after_r2

    # Rerunning run 2 (and run 3) changes nothing, not even a snapshot of the tables' rows.
    table = f"local.{curate_run.db}.github_issues"
    before = content(curate_run.rows("github_issues", "number"))
    snapshots = curate_run.spark.sql(f"SELECT count(*) FROM {table}.snapshots").collect()[0][0]
    again = curate_run("r2", [r2])["tables"][0]
    assert (again["rowsInserted"], again["rowsUpdated"], again["rowsTotal"]) == (0, 0, 5)
    curate_run("r3", [r3])
    assert content(curate_run.rows("github_issues", "number")) == before
    assert curate_run.spark.sql(f"SELECT count(*) FROM {table}.snapshots").collect()[0][0] == snapshots
    assert content(curate_run.rows("github_issues__labels", "_parent_number,_index")) == labels_after_r2


def test_append_partitions_by_import_date_and_a_rerun_does_not_duplicate(curate_run, tmp_path):
    events = [
        {"event": "push", "at": "2026-11-23T01:00:00Z"},
        {"event": "fork", "at": "2026-11-23T02:00:00Z"},
    ]
    r1 = land(tmp_path, "github", "events", "r1", [events])
    r2 = land(tmp_path, "github", "events", "r2", [[{"event": "star", "at": "x"}]], day="20261124")
    assert curate_run("r1", [r1])["tables"][0]["disposition"] == "append"
    curate_run("r2", [r2])
    again = curate_run("r1", [r1])["tables"][0]
    assert (again["rowsDeleted"], again["rowsInserted"], again["rowsTotal"]) == (2, 2, 3)
    rows = curate_run.rows("github_events", "_run_id,event")
    assert [(r["_run_id"], r["event"], str(r["_import_date"])) for r in rows] == [
        ("r1", "fork", "2026-11-23"),
        ("r1", "push", "2026-11-23"),
        ("r2", "star", "2026-11-24"),
    ]
    table = f"local.{curate_run.db}.github_events"
    spec = curate_run.spark.sql(f"SELECT * FROM {table}.partitions").columns
    assert "partition" in spec
    parts = {r[0][0] for r in curate_run.spark.sql(f"SELECT partition FROM {table}.partitions").collect()}
    assert {str(p) for p in parts} == {"2026-11-23", "2026-11-24"}


def test_replace_truncates_and_reloads(curate_run, tmp_path):
    spec = {"writeDisposition": "replace"}
    r1 = land(tmp_path, "socrata", "permits", "r1", [[{"id": "a", "v": 1}, {"id": "b", "v": 2}]], **spec)
    r2 = land(
        tmp_path, "socrata", "permits", "r2", [[{"id": "c", "v": 3, "w": "new"}]], day="20261124", **spec
    )
    curate_run("r1", [r1])
    s2 = curate_run("r2", [r2])["tables"][0]
    assert (s2["disposition"], s2["rowsDeleted"], s2["rowsInserted"], s2["rowsTotal"]) == ("replace", 2, 1, 1)
    assert [(r["id"], r["v"], r["w"]) for r in curate_run.rows("socrata_permits")] == [("c", 3, "new")]
    curate_run("r2", [r2])
    assert [(r["id"], r["_run_id"]) for r in curate_run.rows("socrata_permits")] == [("c", "r2")]
