"""A stream's child tables: each child's rows written to its Iceberg table, and cut for PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

from .flatten import ChildPlan
from .iceberg import TableResult, Written, align_to_table, replace_children, write_append, write_replace
from .reader import PREFIX
from .transform import child_rows


@dataclass(frozen=True)
class ParentRun:
    """The parent stream's run as its children are cut from it: the flat, tagged `rows` (a DataFrame),
    the parent's `key`, its `disposition`, what its Iceberg write did, and the run's id."""

    rows: object
    key: list[str]
    disposition: str
    written: Written
    run_id: str


@dataclass(frozen=True)
class Child:
    """One child table of the stream: its plan, its position among the stream's children (`index`),
    its table name by the naming rule and its fully qualified Iceberg name."""

    plan: ChildPlan
    index: int
    table: str
    fq: str

    def rows(self, parent_rows, key: list[str]):
        return child_rows(parent_rows, self.plan, self.index, key)


def write_child(spark, *, parent: ParentRun, child: Child) -> TableResult:
    """Writes one child table as its parent's disposition says: under `merge` the children of the parents
    that won replace theirs; under `append` and `replace` as the parent's rows."""
    rows, key = parent.rows, parent.key
    if parent.disposition == "merge":
        winners = parent.written.winners
        if winners is None:  # the parent table is new: every row won
            return replace_children(spark, child.fq, child.rows(rows, key), None, 0, key)
        won = parent.written.result.inserted + parent.written.result.updated
        return replace_children(
            spark, child.fq, child.rows(_of_winners(rows, winners, key), key), winners, won, key
        )
    write = write_append if parent.disposition == "append" else write_replace
    return write(spark, child.fq, child.rows(rows, key), parent.run_id).result


def _of_winners(rows, winners, key: list[str]):
    """`rows` of the keys that won. The winners go under names of their own: they derive from `rows`, and a
    self-join on shared attributes would not be the join meant."""
    wins = winners.select(*[winners[f"`{k}`"].alias(f"{PREFIX}w{j}") for j, k in enumerate(key)])
    on = None
    for j, k in enumerate(key):
        cond = rows[f"`{k}`"].eqNullSafe(wins[f"{PREFIX}w{j}"])
        on = cond if on is None else on & cond
    return rows.join(wins, on, "left_semi")


def pg_child(spark, *, parent: ParentRun, child: Child):
    """Every parent's children in the child table's columns, for PostgreSQL, which decides itself which
    parents win there (a merge's Iceberg write took only the children of the parents that won in it)."""
    keep = {f"_parent_{k}" for k in parent.key} | {"_index"}
    return align_to_table(spark, child.fq, child.rows(parent.rows, parent.key), keep)


def pg_columns(df) -> list[tuple[str, str]]:
    return [(f.name, f.dataType.simpleString()) for f in df.schema.fields]


def pg_rows(df):
    """Rows for COPY; timestamps as ISO strings in UTC (PySpark would give the driver's local time)."""
    from pyspark.sql import functions as F

    cols = [
        F.date_format(F.col(f"`{f.name}`"), "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").alias(f.name)
        if f.dataType.simpleString() == "timestamp"
        else F.col(f"`{f.name}`")
        for f in df.schema.fields
    ]
    return (tuple(r) for r in df.select(*cols).toLocalIterator())
