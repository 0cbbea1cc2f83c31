"""Writes a run's flat rows into an Iceberg table: schema evolution, then merge, append or replace."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from .dedupe import MERGE_CONDITION
from .errors import SchemaError
from .evolve import RESCUED, Evolution, apply_contract, log_evolution, plan_evolution
from .transform import METADATA

log = logging.getLogger("tributary.curate")


@dataclass
class TableResult:
    table: str
    disposition: str
    created: bool = False
    rows_in_run: int = 0
    inserted: int = 0
    updated: int = 0
    #: Merge: rows of the run whose stored row stays (newer, or already from this run).
    unchanged: int = 0
    deleted: int = 0
    total: int = 0
    #: Measured on the table, for reconciliation: its rows, and its rows of this run, before and after.
    total_before: int = 0
    run_rows_before: int = 0
    run_rows_after: int = 0
    added: list[str] = field(default_factory=list)
    widened: list[str] = field(default_factory=list)
    as_string: list[str] = field(default_factory=list)
    rescued: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "table": self.table,
            "disposition": self.disposition,
            "created": self.created,
            "rowsInRun": self.rows_in_run,
            "rowsInserted": self.inserted,
            "rowsUpdated": self.updated,
            "rowsUnchanged": self.unchanged,
            "rowsDeleted": self.deleted,
            "rowsTotal": self.total,
            "columnsAdded": self.added,
            "columnsWidened": self.widened,
            "columnsAsString": self.as_string,
            "columnsRescued": self.rescued,
        }


@dataclass(frozen=True)
class Written:
    """What a `write_*` did: the table's `result`, the run's rows `aligned` to the table's columns (a
    DataFrame), and, for a merge into an existing table, the keys that `winners` (inserted or updated: their
    child rows are replaced), materialized; `None` when every row won (the table was created, or no merge)."""

    result: TableResult
    aligned: object
    winners: object = None


def q(name: str) -> str:
    """A quoted identifier for Spark SQL."""
    return "`" + name.replace("`", "``") + "`"


def lit(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def table_columns(spark, table: str) -> dict[str, str] | None:
    """The table's columns and types, or `None` when it does not exist."""
    from pyspark.sql.utils import AnalysisException

    try:
        fields = spark.table(table).schema.fields
    except AnalysisException:
        return None
    return {f.name: f.dataType.simpleString() for f in fields}


def column_stats(df, columns: list[tuple[str, str]]):
    """Non-null counts of every column and min/max of integral ones, in one pass."""
    from pyspark.sql import functions as F

    aggs = [F.count(F.col(n)).alias(f"n{i}") for i, (n, _) in enumerate(columns)]
    integral = [(i, n) for i, (n, t) in enumerate(columns) if t in ("bigint", "int") and n not in METADATA]
    for i, n in integral:
        aggs += [F.min(F.col(n)).alias(f"lo{i}"), F.max(F.col(n)).alias(f"hi{i}")]
    row = df.agg(*aggs).collect()[0] if aggs else None
    non_null = {n: row[f"n{i}"] for i, (n, _) in enumerate(columns)} if row else {}
    ranges = {n: (row[f"lo{i}"], row[f"hi{i}"]) for i, n in integral} if row else {}
    return non_null, ranges


def evolve(
    spark, table: str, df, partitioned: bool, keep: set[str], contract: str = "evolve"
) -> tuple[Evolution, bool, list]:
    """Creates the table or alters it for the run's columns (`df`); returns the evolution, whether the
    table was created, and the run's rows aligned to the table's columns (a DataFrame)."""
    from pyspark.sql import functions as F

    existing = table_columns(spark, table)
    incoming = [(f.name, f.dataType.simpleString()) for f in df.schema.fields]
    started = time.perf_counter()
    non_null, ranges = column_stats(df, incoming)
    log.info("%s: the run's columns profiled in %.1f s", table, time.perf_counter() - started)
    ev = plan_evolution(existing, incoming, non_null, ranges, METADATA, keep)
    changed = [f"{n} is {existing[n]} in the table" for n, _ in ev.as_string if n in keep and existing]
    if changed:
        raise SchemaError(f"{table}: key values of this run no longer fit their column: {', '.join(changed)}")
    ev = apply_contract(ev, existing, contract, table)
    created = existing is None
    if created:
        cols = ", ".join(f"{q(n)} {t}" for n, t in ev.final_columns(None))
        spark.sql(
            f"CREATE TABLE {table} ({cols}) USING iceberg"
            + (" PARTITIONED BY (_import_date)" if partitioned else "")
            + " TBLPROPERTIES ('format-version'='2')"
        )
    else:
        for name, _old, new in ev.widened:
            spark.sql(f"ALTER TABLE {table} ALTER COLUMN {q(name)} TYPE {new}")
        if ev.added:
            spark.sql(f"ALTER TABLE {table} ADD COLUMNS ({', '.join(f'{q(n)} {t}' for n, t in ev.added)})")
    log_evolution(table, ev, created)
    cols = []
    for name, t in ev.final_columns(existing):
        src = ev.sources.get(name)
        if name == RESCUED and ev.rescued:
            packed = F.to_json(F.struct(*[F.col(q(n)) for n in ev.rescued]))
            cols.append(F.when(packed != F.lit("{}"), packed).alias(name))
            continue
        cols.append((F.col(q(src[0])).cast(t) if src else F.lit(None).cast(t)).alias(name))
    return ev, created, df.select(*cols)


def _report(result: TableResult, ev: Evolution, created: bool) -> None:
    result.created = created
    result.added = [] if created else [n for n, _ in ev.added]
    result.widened = [f"{n}: {a} -> {b}" for n, a, b in ev.widened]
    result.as_string = [f"{n} -> {alt}" for n, alt in ev.as_string]
    result.rescued = list(ev.rescued)


def _measure_before(spark, result: TableResult, created: bool, run_id: str) -> None:
    if not created:
        t = spark.table(result.table)
        result.total_before = t.count()
        result.run_rows_before = t.where(f"_run_id = {lit(run_id)}").count()


def _measure_after(spark, result: TableResult, run_id: str) -> None:
    t = spark.table(result.table)
    result.total = t.count()
    result.run_rows_after = t.where(f"_run_id = {lit(run_id)}").count()


def _view(df, table: str) -> str:
    name = "tributary_src_" + table.replace(".", "_").replace("`", "")
    df.createOrReplaceTempView(name)
    return name


def write_merge(spark, table: str, df, key: list[str], run_id: str, contract: str = "evolve") -> Written:
    """Newest-wins upsert of deduplicated rows; `winners` is `None` when the table was created."""
    from pyspark.sql import functions as F

    result = TableResult(table, "merge")
    ev, created, aligned = evolve(spark, table, df, partitioned=False, keep=set(key), contract=contract)
    _report(result, ev, created)
    _measure_before(spark, result, created, run_id)
    result.rows_in_run = aligned.count()
    if created:
        aligned.writeTo(table).append()
        result.inserted = result.rows_in_run
        winners = None  # every row
    else:
        target = spark.table(table).select(
            *[F.col(k).alias(f"t_{i}") for i, k in enumerate(key)],
            F.col("_cursor").alias("t_cursor"),
            F.col("_run_id").alias("t_run_id"),
        )
        on = None
        for i, k in enumerate(key):
            cond = F.col(k).eqNullSafe(F.col(f"t_{i}"))
            on = cond if on is None else on & cond
        # the MERGE condition, evaluated first to count and to know whose child rows to replace
        joined = aligned.select(*key, "_cursor", "_run_id").join(target, on, "left")
        hit = F.col("t_run_id").isNotNull()
        newer = F.coalesce(F.col("_cursor") >= F.col("t_cursor"), F.lit(True)) & (
            F.col("_run_id") != F.col("t_run_id")
        )
        flagged = joined.select(*key, hit.alias("hit"), (~hit | newer).alias("wins")).localCheckpoint(
            eager=True
        )
        counts = flagged.agg(
            F.sum(F.when(~F.col("hit"), 1).otherwise(0)).alias("ins"),
            F.sum(F.when(F.col("hit") & F.col("wins"), 1).otherwise(0)).alias("upd"),
            F.sum(F.when(F.col("hit") & ~F.col("wins"), 1).otherwise(0)).alias("same"),
        ).collect()[0]
        result.inserted, result.updated = int(counts["ins"] or 0), int(counts["upd"] or 0)
        result.unchanged = int(counts["same"] or 0)
        winners = flagged.where("wins").select(*key)
        if result.inserted or result.updated:
            view = _view(aligned, table)
            on_sql = " AND ".join(f"t.{q(k)} <=> s.{q(k)}" for k in key)
            spark.sql(
                f"MERGE INTO {table} t USING {view} s ON {on_sql} "
                f"WHEN MATCHED AND {MERGE_CONDITION} THEN UPDATE SET * "
                "WHEN NOT MATCHED THEN INSERT *"
            )
            spark.catalog.dropTempView(view)
    _measure_after(spark, result, run_id)
    return Written(result, aligned, winners)


def write_append(spark, table: str, df, run_id: str, contract: str = "evolve") -> Written:
    """Appends the run's rows, partitioned by `_import_date`; the run's earlier rows (a rerun) go first."""
    result = TableResult(table, "append")
    ev, created, aligned = evolve(spark, table, df, partitioned=True, keep=set(), contract=contract)
    _report(result, ev, created)
    _measure_before(spark, result, created, run_id)
    if result.run_rows_before:
        spark.sql(f"DELETE FROM {table} WHERE _run_id = {lit(run_id)}")
        result.deleted = result.run_rows_before
    result.rows_in_run = result.inserted = aligned.count()
    aligned.writeTo(table).append()
    _measure_after(spark, result, run_id)
    return Written(result, aligned)


def write_replace(spark, table: str, df, run_id: str, contract: str = "evolve") -> Written:
    """The run's rows become the table, in one commit."""
    from pyspark.sql import functions as F

    result = TableResult(table, "replace")
    ev, created, aligned = evolve(spark, table, df, partitioned=False, keep=set(), contract=contract)
    _report(result, ev, created)
    _measure_before(spark, result, created, run_id)
    result.deleted = result.total_before
    result.rows_in_run = result.inserted = aligned.count()
    aligned.writeTo(table).overwrite(F.lit(True))
    _measure_after(spark, result, run_id)
    return Written(result, aligned)


def replace_children(spark, table: str, df, winners, n_winners: int, parent_key: list[str]) -> TableResult:
    """Merge streams' child tables: the rows of every parent that won are replaced by its new elements."""
    result = TableResult(table, "merge")
    keep = {f"_parent_{k}" for k in parent_key} | {"_index"}
    ev, created, aligned = evolve(spark, table, df, partitioned=False, keep=keep)
    _report(result, ev, created)
    if not created and n_winners:
        view = _view(winners, table)
        on_sql = " AND ".join(f"t.{q('_parent_' + k)} <=> s.{q(k)}" for k in parent_key)
        spark.sql(f"MERGE INTO {table} t USING {view} s ON {on_sql} WHEN MATCHED THEN DELETE")
        spark.catalog.dropTempView(view)
    result.rows_in_run = result.inserted = aligned.count()
    if result.inserted:
        aligned.writeTo(table).append()
    result.total = spark.table(table).count()
    return result


def align_to_table(spark, table: str, df, keep: set[str]):
    """`df`'s rows in the columns of the existing `table` (names, types and `__string` diversions as
    `evolve` plans them), the table left as it is; a column only these rows have is left out. For
    PostgreSQL, which gets a merge's child rows of every parent of the run (it decides itself which
    parents win), where the Iceberg write took only the children of the parents that won there."""
    from pyspark.sql import functions as F

    existing = table_columns(spark, table) or {}
    incoming = [(f.name, f.dataType.simpleString()) for f in df.schema.fields]
    non_null, ranges = column_stats(df, incoming)
    ev = plan_evolution(existing, incoming, non_null, ranges, METADATA, keep)
    cols = []
    for name, t in ev.final_columns(existing):
        if name in existing:
            src = ev.sources.get(name)
            cols.append((F.col(q(src[0])).cast(t) if src else F.lit(None).cast(t)).alias(name))
    return df.select(*cols)
