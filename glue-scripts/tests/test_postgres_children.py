"""Child tables in the PostgreSQL target, against a real local server: keyed by parent key + `_index`, the
newest parent version replaces its children (an older one does not), a rerun changes nothing, a failure
leaves parent and children as they were and the rerun after it completes them; the run report counts it."""

import json

import psycopg
from lake import land
from test_postgres import dsn, pg_columns, pg_rows
from test_report import validate

SPEC = {"primaryKey": "number", "cursorField": "updated_at", "childTables": ["labels"]}


def issue(n: int, updated: str, labels: list[dict]) -> dict:
    return {"number": n, "title": f"issue {n}", "updated_at": updated, "labels": labels}


def names(*labels: str) -> list[dict]:
    return [{"name": x} for x in labels]


def labels_of(pg: dict, table: str) -> list[tuple]:
    return pg_rows(pg, f"SELECT _parent_number, _index, name, _run_id FROM {table} ORDER BY 1, 2")


def primary_key(pg: dict, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in pg_rows(
            pg,
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            f"WHERE i.indrelid = '{schema}.{table}'::regclass AND i.indisprimary ORDER BY a.attname",
        )
    ]


def pg_section(curate_run, run_id: str) -> dict:
    report = json.loads((curate_run.warehouse.parent / f"_runs/{run_id}.json").read_text())
    validate(report)
    return report["postgres"]


def counts(section: dict) -> dict[str, tuple]:
    """table → (upserted, inserted, updated, deleted, total)."""
    return {
        t["table"].split(".", 1)[1]: (
            t["rowsUpserted"], t["rowsInserted"], t["rowsUpdated"], t["rowsDeleted"], t["rowsTotal"]
        )
        for t in section["tables"]
    }  # fmt: skip


def test_newest_parent_replaces_its_children_older_does_not_rerun_changes_nothing(
    curate_run, tmp_path, postgres, pg_schema
):
    args = ("--pg_dsn", dsn(postgres), "--pg_schema", pg_schema)
    parent, child = f"{pg_schema}.github_issues", f"{pg_schema}.github_issues__labels"

    # Prepare: issue 1 with three labels, issue 2 with one
    run1 = [
        issue(1, "2026-11-01T00:00:00Z", names("bug", "p1", "ui")),
        issue(2, "2026-11-01T00:00:00Z", names("x")),
    ]
    curate_run("pgc1", [land(tmp_path, "github", "issues", "pgc1", [run1], **SPEC)], *args)
    assert labels_of(postgres, child) == [
        (1, 0, "bug", "pgc1"), (1, 1, "p1", "pgc1"), (1, 2, "ui", "pgc1"), (2, 0, "x", "pgc1"),
    ]  # fmt: skip
    assert primary_key(postgres, pg_schema, "github_issues__labels") == ["_index", "_parent_number"]
    section = pg_section(curate_run, "pgc1")
    assert section["schema"] == pg_schema
    assert [(t["table"], t["parentTable"]) for t in section["tables"]] == [(parent, None), (child, parent)]
    assert counts(section) == {"github_issues": (2, 2, 0, 0, 2), "github_issues__labels": (4, 4, 0, 0, 4)}
    assert section["totals"] == {"tables": 2, "rowsUpserted": 6, "rowsDeleted": 0}

    # Act: a newer version of issue 1 with two labels (one with a new field), an older one of issue 2
    run2 = [
        issue(1, "2026-11-02T00:00:00Z", [{"name": "bug", "color": "red"}, {"name": "p2"}]),
        issue(2, "2026-10-01T00:00:00Z", names("old-a", "old-b", "old-c")),
    ]
    r2 = land(tmp_path, "github", "issues", "pgc2", [run2], day="20261124", **SPEC)
    out = curate_run("pgc2", [r2], *args)["tables"][0]["postgres"]

    # Assess: issue 1 has exactly its two new children, issue 2 keeps its child; the column came along
    expected = [(1, 0, "bug", "pgc2"), (1, 1, "p2", "pgc2"), (2, 0, "x", "pgc1")]
    assert labels_of(postgres, child) == expected
    assert pg_rows(postgres, f"SELECT _parent_number, _index, color FROM {child} ORDER BY 1, 2") == [
        (1, 0, "red"), (1, 1, None), (2, 0, None),
    ]  # fmt: skip
    assert pg_columns(postgres, pg_schema, "github_issues__labels")["color"] == "text"
    [labels] = out["childTables"]
    assert (labels["rowsStaged"], labels["rowsInserted"], labels["rowsDeleted"]) == (5, 2, 3)
    assert labels["columnsAdded"] == ["color"]
    assert pg_rows(postgres, f"SELECT number, _run_id FROM {parent} ORDER BY 1") == [(1, "pgc2"), (2, "pgc1")]
    assert counts(pg_section(curate_run, "pgc2")) == {
        "github_issues": (1, 0, 1, 0, 2), "github_issues__labels": (2, 2, 0, 3, 3),
    }  # fmt: skip

    # A rerun of the run: nothing upserted, nothing deleted, no duplicates
    again = curate_run("pgc2", [r2], *args)["tables"][0]["postgres"]
    assert (again["rowsInserted"], again["rowsUpdated"]) == (0, 0)
    assert (again["childTables"][0]["rowsInserted"], again["childTables"][0]["rowsDeleted"]) == (0, 0)
    assert labels_of(postgres, child) == expected
    assert pg_rows(postgres, f"SELECT count(*), count(DISTINCT (_parent_number, _index)) FROM {child}") == [
        (3, 3)
    ]
    assert pg_section(curate_run, "pgc2")["totals"] == {"tables": 2, "rowsUpserted": 0, "rowsDeleted": 0}


def test_a_failed_child_load_leaves_parent_and_children_and_the_rerun_completes_them(
    curate_run, tmp_path, postgres, pg_schema
):
    args = ("--pg_dsn", dsn(postgres), "--pg_schema", pg_schema)
    parent, child = f"{pg_schema}.github_issues", f"{pg_schema}.github_issues__labels"
    run1 = [issue(1, "2026-11-01T00:00:00Z", names("bug", "p1", "ui"))]
    curate_run("pgf1", [land(tmp_path, "github", "issues", "pgf1", [run1], **SPEC)], *args)
    with psycopg.connect(**postgres) as conn:
        conn.execute(f"ALTER TABLE {child} ADD CONSTRAINT no_blocked CHECK (name <> 'blocked')")
    before = (pg_rows(postgres, f"SELECT * FROM {parent}"), labels_of(postgres, child))

    # the newer version of issue 1 is written to Iceberg, but its children cannot be loaded into PostgreSQL
    run2 = [issue(1, "2026-11-02T00:00:00Z", names("blocked")), issue(2, "2026-11-02T00:00:00Z", [])]
    r2 = land(tmp_path, "github", "issues", "pgf2", [run2], day="20261124", **SPEC)
    failed = curate_run("pgf2", [r2], *args, expect=1)
    assert failed["error"] == "PostgresError" and "no_blocked" in failed["message"]
    assert f"{parent} failed, target unchanged" in failed["message"]
    assert (pg_rows(postgres, f"SELECT * FROM {parent}"), labels_of(postgres, child)) == before
    assert pg_section(curate_run, "pgf2") == {
        "schema": pg_schema, "tables": [], "totals": {"tables": 0, "rowsUpserted": 0, "rowsDeleted": 0},
    }  # fmt: skip

    # the rerun, once the cause is fixed: Iceberg has the run already, PostgreSQL gets parent and children
    with psycopg.connect(**postgres) as conn:
        conn.execute(f"ALTER TABLE {child} DROP CONSTRAINT no_blocked")
    out = curate_run("pgf2", [r2], *args)["tables"][0]
    assert (out["rowsInserted"], out["rowsUpdated"]) == (0, 0)  # Iceberg: already of this run
    assert (out["postgres"]["rowsInserted"], out["postgres"]["rowsUpdated"]) == (1, 1)
    assert labels_of(postgres, child) == [(1, 0, "blocked", "pgf2")]
    assert pg_rows(postgres, f"SELECT number, _run_id FROM {parent} ORDER BY 1") == [(1, "pgf2"), (2, "pgf2")]
    assert counts(pg_section(curate_run, "pgf2"))["github_issues__labels"] == (1, 1, 0, 3, 1)


def test_append_and_replace_streams_replace_the_runs_children_and_all_children(
    curate_run, tmp_path, postgres, pg_schema
):
    args = ("--pg_dsn", dsn(postgres), "--pg_schema", pg_schema)
    spec = {"primaryKey": "id", "childTables": ["items"]}

    def order(i: str, *skus: str) -> dict:
        return {"id": i, "items": [{"sku": s} for s in skus]}

    def stream(name: str, run_id: str, records: list[dict], disposition: str, day: str) -> str:
        return land(tmp_path, "shop", name, run_id, [records], day, writeDisposition=disposition, **spec)

    def items(name: str) -> list[tuple]:
        return pg_rows(
            postgres,
            f"SELECT _parent_id, _index, sku, _run_id FROM {pg_schema}.shop_{name}__items ORDER BY 4, 1, 2",
        )

    x1 = [order("o1", "a", "b"), order("o2", "c")]
    m1 = [
        stream("events", "pga1", x1, "append", "20261123"),
        stream("stock", "pga1", x1, "replace", "20261123"),
    ]
    curate_run("pga1", m1, *args)
    first = [("o1", 0, "a", "pga1"), ("o1", 1, "b", "pga1"), ("o2", 0, "c", "pga1")]
    assert items("events") == first and items("stock") == first

    # a rerun: the run's child rows replaced, not added
    curate_run("pga1", m1, *args)
    assert items("events") == first and items("stock") == first
    assert counts(pg_section(curate_run, "pga1")) == {
        "shop_events": (2, 2, 0, 2, 2), "shop_events__items": (3, 3, 0, 3, 3),
        "shop_stock": (2, 2, 0, 2, 2), "shop_stock__items": (3, 3, 0, 3, 3),
    }  # fmt: skip

    # the next run: append keeps the earlier run's children, replace keeps only the new run's
    x2 = [order("o1", "z")]
    m2 = [
        stream("events", "pga2", x2, "append", "20261124"),
        stream("stock", "pga2", x2, "replace", "20261124"),
    ]
    curate_run("pga2", m2, *args)
    assert items("events") == [*first, ("o1", 0, "z", "pga2")]
    assert items("stock") == [("o1", 0, "z", "pga2")]
    assert counts(pg_section(curate_run, "pga2"))["shop_stock__items"] == (1, 1, 0, 3, 1)
