"""Streams whose cursor is not monotonic in history (issue 12, item 2): the overlap a lookback or a
change feed lands again is absorbed by the curated `merge` on the primary key, newest wins."""

from lake import land


def commit(sha: str, date: str, message: str) -> dict:
    return {"sha": sha, "commit": {"committer": {"name": "Dev", "date": date}, "message": message}}


def test_commits_reread_by_a_lookback_stay_one_row_per_sha(curate_run, tmp_path):
    spec = {"primaryKey": ["sha"], "cursorField": "commit.committer.date", "writeDisposition": "merge"}
    run1 = [commit("a" * 40, "2026-11-02T02:00:00Z", "one"), commit("c" * 40, "2026-11-02T02:10:00Z", "two")]
    r1 = land(tmp_path, "github", "commits", "r1", [run1], **spec)
    curate_run("r1", [r1])

    # The next run re-reads 30 days: both commits again, and one from a merged branch dated before
    # the watermark (2026-11-02T02:10:00Z).
    run2 = [*run1, commit("b" * 40, "2026-10-31T09:00:00Z", "from an old branch")]
    r2 = land(tmp_path, "github", "commits", "r2", [run2], day="20261124", **spec)
    s2 = curate_run("r2", [r2])["tables"][0]

    rows = curate_run.rows("github_commits", "sha")
    assert [r["sha"] for r in rows] == ["a" * 40, "b" * 40, "c" * 40]
    assert (s2["rowsInserted"], s2["rowsTotal"]) == (1, 3)


def invoice(status: str, version_at: int) -> dict:
    return {
        "id": "in_1",
        "object": "invoice",
        "created": 1_761_955_200,
        "status": status,
        "version_at": version_at,
    }


def test_stripe_versions_from_events_keep_the_newest_by_event_time(curate_run, tmp_path):
    spec = {"primaryKey": ["id"], "cursorField": "version_at", "writeDisposition": "merge"}
    # A full read: the invoice as it was at the run's until.
    r1 = land(tmp_path, "stripe", "invoices", "r1", [[invoice("open", 1_762_000_000)]], **spec)
    curate_run("r1", [r1])

    # The events of the next run, newest first as Stripe lists them: paid (later), then finalized.
    # The invoice's own `created` is the same in both; the event's `created` decides.
    events = [invoice("paid", 1_762_000_900), invoice("open", 1_762_000_500)]
    r2 = land(tmp_path, "stripe", "invoices", "r2", [events], day="20261124", **spec)
    s2 = curate_run("r2", [r2])["tables"][0]

    rows = curate_run.rows("stripe_invoices")
    assert [(r["id"], r["status"]) for r in rows] == [("in_1", "paid")]
    assert s2["rowsUpdated"] == 1

    # A rerun of the older full read does not bring the open version back.
    curate_run("r1", [r1])
    assert [r["status"] for r in curate_run.rows("stripe_invoices")] == ["paid"]
