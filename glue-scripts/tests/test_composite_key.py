"""A composite primary key with a nested field (GitHub's contributor_stats: `repository` +
`author.id`): one row per repository and contributor; the same contributor in two repositories is two
rows, and a later full read replaces each row's values in place."""

from lake import land


def stats(repository: str, author_id: int, total: int) -> dict:
    return {
        "repository": repository,
        "author": {"login": f"user{author_id}", "id": author_id},
        "total": total,
        "weeks": [{"w": 1_761_436_800, "a": total * 10, "d": total, "c": total}],
    }


def test_one_row_per_repository_and_contributor(curate_run, tmp_path):
    spec = {"primaryKey": ["repository", "author.id"], "writeDisposition": "merge"}
    run1 = [stats("o/alpha", 1, 3), stats("o/alpha", 2, 1), stats("o/beta", 1, 5)]
    r1 = land(tmp_path, "github", "contributor_stats", "r1", [run1], **spec)
    curate_run("r1", [r1])

    run2 = [stats("o/alpha", 1, 4), stats("o/alpha", 2, 1), stats("o/beta", 1, 5), stats("o/beta", 3, 2)]
    r2 = land(tmp_path, "github", "contributor_stats", "r2", [run2], day="20261124", **spec)
    s2 = curate_run("r2", [r2])["tables"][0]

    rows = curate_run.rows("github_contributor_stats", "repository,author__id")
    assert [(r["repository"], r["author__id"], r["total"]) for r in rows] == [
        ("o/alpha", 1, 4),
        ("o/alpha", 2, 1),
        ("o/beta", 1, 5),
        ("o/beta", 3, 2),
    ]
    assert s2["rowsTotal"] == 4
