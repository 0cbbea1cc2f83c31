"""A stream's records → flat rows (one `select` of nested columns), cursor, dedupe and child rows (Spark)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .errors import SchemaError
from .flatten import ChildPlan, FlatPlan, Leaf, leaf_for, plan_flatten
from .manifests import Manifest
from .reader import CORRUPT, FILE, MONO, PREFIX, SEQ

log = logging.getLogger("tributary.curate")

#: Metadata columns of every curated row, and their types. `_cursor` is the record's cursor as a
#: timestamp (ISO strings and epoch seconds or milliseconds alike), which the newest-wins rule compares.
METADATA = {
    "_source": "string",
    "_stream": "string",
    "_run_id": "string",
    "_ingested_at": "timestamp",
    "_import_date": "date",
    "_cursor": "timestamp",
}
#: Epoch numbers above this are milliseconds (1e11 seconds is in the year 5138).
MS_THRESHOLD = 1e11


@dataclass
class StreamSpec:
    """What the manifests say about one source stream (they must agree)."""

    source: str
    stream: str
    primary_key: list[str]
    cursor_field: str | None
    disposition: str
    child_tables: list[str]
    schema_contract: str = "evolve"
    checks: object = None


def stream_spec(manifests: list[Manifest]) -> StreamSpec:
    first = manifests[0]
    for m in manifests[1:]:
        for attr in (
            "primary_key",
            "cursor_field",
            "write_disposition",
            "child_tables",
            "schema_contract",
            "checks",
        ):
            if getattr(m, attr) != getattr(first, attr):
                raise SchemaError(
                    f"manifests {first.uri} and {m.uri} of {first.source}/{first.stream} disagree on {attr}"
                )
    return StreamSpec(
        first.source,
        first.stream,
        first.primary_key,
        first.cursor_field,
        first.write_disposition,
        first.child_tables,
        first.schema_contract,
        first.checks,
    )


def path_col(path: tuple[str, ...], base=None):
    """The nested value at `path` (field names taken literally: dots and spaces are fine)."""
    from pyspark.sql import functions as F

    col = base if base is not None else F.col("`" + path[0].replace("`", "``") + "`")
    for p in path[0 if base is not None else 1 :]:
        col = col.getField(p)
    return col


def _value(leaf: Leaf, base=None):
    from pyspark.sql import functions as F

    col = base if not leaf.path else path_col(leaf.path, base)
    return (F.to_json(col) if leaf.as_json else col).alias(leaf.name)


def _find_type(schema, path: tuple[str, ...]):
    from pyspark.sql import types as T

    t = schema
    for p in path:
        if not isinstance(t, T.StructType) or p not in t.fieldNames():
            return None
        t = t[p].dataType
    return t


def cursor_col(df, cursor_field: str | None, where: str):
    """`_cursor`: the record's cursor as a timestamp: ISO strings parsed, epoch numbers (seconds, or
    milliseconds when above `MS_THRESHOLD`) converted; null when absent or unreadable."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    if not cursor_field:
        return F.lit(None).cast("timestamp").alias("_cursor")
    path = tuple(cursor_field.split("."))
    t = _find_type(df.schema, path)
    c = path_col(path) if t is not None else None

    def epoch(x):
        return F.timestamp_seconds(F.when(x > F.lit(MS_THRESHOLD), x / 1000).otherwise(x))

    if t is None:
        log.warning(
            "cursor field %r of %s is in none of the run's records: _cursor is null", cursor_field, where
        )
        out = F.lit(None).cast("timestamp")
    elif isinstance(t, T.StringType):
        out = F.when(c.rlike(r"^\s*-?[0-9]+(\.[0-9]+)?\s*$"), epoch(F.trim(c).cast("double"))).otherwise(
            c.cast("timestamp")
        )
    elif isinstance(t, T.NumericType):
        out = epoch(c.cast("double"))
    elif isinstance(t, T.TimestampType):
        out = c
    else:
        log.warning(
            "cursor field %r of %s is a %s, not a date or number: _cursor is null", cursor_field, where, t
        )
        out = F.lit(None).cast("timestamp")
    return out.alias("_cursor")


@dataclass
class Flat:
    """A stream's run as flat rows: `df` holds the plan's columns, the metadata and the hidden
    `PREFIX` columns: arrival order and the arrays for child tables."""

    df: object
    plan: FlatPlan
    key: list[str]
    children: list[ChildPlan]


def flatten(df, spec: StreamSpec, max_depth: int) -> Flat:
    from pyspark.sql import functions as F

    where = f"{spec.source}/{spec.stream}"
    fields = [f for f in df.schema.jsonValue()["fields"] if not f["name"].startswith(PREFIX)]
    data_schema = {"type": "struct", "fields": fields}
    plan = plan_flatten(data_schema, max_depth, spec.child_tables, METADATA.keys(), where)
    key = []
    for k in spec.primary_key:
        leaf = leaf_for(plan, k)
        if leaf is None:
            raise SchemaError(f"primary key field {k!r} of {where} is not a column of its records")
        key.append(leaf.name)
    children = plan.children
    if children and not key:
        log.warning(
            "%s has no primary key: child tables %s need one to point at their parent; kept as JSON strings",
            where,
            [c.suffix for c in children],
        )
        plan = FlatPlan(plan.leaves + [Leaf(c.path, c.suffix, "string", True) for c in children], [])
        children = []
    cols = [_value(leaf) for leaf in plan.leaves]
    cols += [
        F.lit(spec.source).alias("_source"),
        F.lit(spec.stream).alias("_stream"),
        cursor_col(df, spec.cursor_field, where),
        F.col(FILE),
        F.col(MONO),
    ]
    if CORRUPT in df.columns:
        cols.append(F.col(CORRUPT))
    cols += [path_col(c.path).alias(f"{PREFIX}child_{i}") for i, c in enumerate(children)]
    return Flat(df.select(*cols), plan, key, children)


def newest_per_key(df, key: list[str]):
    """One row per key: the greatest `_cursor` (nulls lowest), then the latest arrival — the rule of
    `dedupe.newest_per_key`."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    w = Window.partitionBy(*[F.col(k) for k in key]).orderBy(
        F.col("_cursor").desc_nulls_last(), F.col(SEQ).desc(), F.col(MONO).desc()
    )
    return df.withColumn("_rank", F.row_number().over(w)).where("_rank = 1").drop("_rank")


def child_rows(flat_df, child: ChildPlan, index: int, key: list[str]):
    """The child table's rows: the parent's key as `_parent_<key>`, the element's `_index`, its columns."""
    from pyspark.sql import functions as F

    exploded = flat_df.select(
        *[F.col(k).alias(f"_parent_{k}") for k in key],
        *[F.col(m) for m in METADATA],
        F.posexplode(F.col(f"{PREFIX}child_{index}")).alias("_index", "_elem"),
    )
    return exploded.select(
        *[f"_parent_{k}" for k in key],
        F.col("_index").cast("int").alias("_index"),
        *[_value(leaf, F.col("_elem")) for leaf in child.leaves],
        *METADATA,
    )


def data_columns(df) -> list[str]:
    """The columns a table gets (hidden helpers dropped)."""
    return [c for c in df.columns if not c.startswith(PREFIX) and c not in METADATA] + list(METADATA)
