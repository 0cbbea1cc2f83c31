"""PostgreSQL child tables (`<table>__<field>`, keyed by `_parent_<key>` and `_index`), loaded inside the
parent's transaction as `postgres`'s docstring says."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import PostgresError
from .pg_schema import count, delete_run_rows, ensure_table, stage


@dataclass
class ChildBatch:
    """A child table's rows of the run: `table` (its name by the naming rule), its columns (name, Spark
    type) as in the Iceberg child table, and the rows in that order. Its parent key columns are
    `_parent_<parent key column>`."""

    table: str
    columns: list[tuple[str, str]]
    rows: Iterable[tuple]


def parent_columns(key: Sequence[str]) -> list[str]:
    """A child table's columns naming its parent (`transform.child_rows` names them so)."""
    return [f"_parent_{k}" for k in key]


def load_child(cur, schema: str, child: ChildBatch, i: int, key, disposition: str, run_id: str) -> dict:
    """One child table, inside the parent's transaction (see `postgres`'s docstring); returns its counts.
    Under `merge` the parents written are in the temporary table `tributary_written`."""
    from psycopg import sql

    ident = sql.Identifier(schema, child.table)
    parents = parent_columns(key)
    names = [c for c, _ in child.columns]
    missing = [p for p in [*parents, "_index"] if p not in names]
    if missing:
        raise PostgresError(
            f"PostgreSQL child table {schema}.{child.table} lacks its key columns {', '.join(missing)}"
            ", target unchanged: its rows must come from transform.child_rows"
        )
    cols = sql.SQL(", ").join(map(sql.Identifier, names))
    added, widened = ensure_table(
        cur, ident, schema, child.table, child.columns, [*parents, "_index"], disposition
    )
    staged_at = sql.Identifier(f"tributary_stage_child_{i}")
    staged = stage(cur, staged_at, ident, cols, child.rows)
    insert = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} s").format(ident, cols, cols, staged_at)
    if disposition == "merge":
        # the children of every parent written: replaced by the new version's elements (maybe none)
        deleted = _replace_written(cur, ident, insert, parents, key)
    else:
        deleted = delete_run_rows(cur, ident, disposition, run_id)
        cur.execute(insert)
    inserted = cur.rowcount
    cur.execute(sql.SQL("DROP TABLE {}").format(staged_at))
    return {
        "table": f"{schema}.{child.table}",
        "disposition": disposition,
        "rowsStaged": staged,
        "rowsInserted": inserted,
        "rowsDeleted": deleted,
        "rowsTotal": count(cur, ident),
        "columnsAdded": added,
        "columnsWidened": widened,
    }


def _replace_written(cur, ident, insert, parents: list[str], key) -> int:
    """Deletes the children of the parents in `tributary_written`, inserts the staged children of those
    parents; returns how many were deleted (the insert's count is left in `cur.rowcount`)."""
    from psycopg import sql

    def joined(alias: str):
        return sql.SQL(" AND ").join(
            sql.SQL(alias + ".{} = w.{}").format(sql.Identifier(p), sql.Identifier(k))
            for p, k in zip(parents, key, strict=True)
        )

    cur.execute(sql.SQL("DELETE FROM {} c USING tributary_written w WHERE {}").format(ident, joined("c")))
    deleted = cur.rowcount
    cur.execute(
        sql.SQL("{} WHERE EXISTS (SELECT 1 FROM tributary_written w WHERE {})").format(insert, joined("s"))
    )
    return deleted
