"""Reads exactly the parts a stream's manifests list, checks each part's count, and tags every record
with its run's metadata and arrival order (Spark I/O).

The records are parsed twice in all: once by Spark's schema inference, once into the flat rows, which
are materialized (persisted) by the checks, so every later step reads narrow columns."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from .errors import PartMismatchError
from .manifests import Manifest, Part

log = logging.getLogger("tributary.curate")

#: Every column the job adds for itself starts with this (a record may have its own `_run_id`).
PREFIX = "__tributary_"
#: The file a record came from, its order within the read (increasing with line order inside a part),
#: a line that is not a JSON object, and the part's arrival rank across the stream's manifests.
FILE, MONO, CORRUPT, SEQ = PREFIX + "file", PREFIX + "mono", PREFIX + "corrupt", PREFIX + "seq"


@dataclass(frozen=True)
class StreamParts:
    #: (arrival rank, manifest, part), each part once.
    parts: list[tuple[int, Manifest, Part]]

    @property
    def records(self) -> int:
        return sum(p.records for _, _, p in self.parts)


def _norm(location: str) -> str:
    """One spelling for a file Spark reports (`file:///a%20b/x.gz`) and a part location (`/a b/x.gz`)."""
    if location.startswith("file:"):
        return os.path.normpath(unquote(urlparse(location).path))
    if location.startswith(("s3://", "s3a://", "s3n://")):
        u = urlparse(location)
        return f"s3://{u.netloc}/{unquote(u.path.lstrip('/'))}"
    return os.path.normpath(location) if location.startswith("/") else location


def stream_parts(manifests: list[Manifest]) -> StreamParts:
    parts: list[tuple[int, Manifest, Part]] = []
    seen: set[str] = set()
    for m in manifests:
        for p in m.parts:
            key = _norm(p.location)
            if key not in seen:
                seen.add(key)
                parts.append((len(parts), m, p))
            if not p.location.startswith(("s3://", "s3a://")) and not os.path.exists(p.location):
                raise PartMismatchError(f"part {p.key}: not found at {p.location}")
    return StreamParts(parts)


def read_records(spark, parts: StreamParts):
    """The parts' records (schema inferred from all of them), with `FILE`, `MONO` and, when some line is
    not a JSON object, `CORRUPT`. Lazy: nothing is checked yet."""
    from pyspark.sql import functions as F

    return (
        spark.read.option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .json([p.location for _, _, p in parts.parts])
        .withColumn(FILE, F.input_file_name())
        .withColumn(MONO, F.monotonically_increasing_id())
    )


def check_and_tag(spark, df, parts: StreamParts):
    """Checks the materialized rows of `df` against each part's count (failing naming the part), then
    adds `_run_id`, `_ingested_at`, `_import_date` and `SEQ` per part; drops `FILE` and `CORRUPT`."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    has_corrupt = CORRUPT in df.columns
    bad = F.count(F.col(CORRUPT)) if has_corrupt else F.lit(0)
    by_file = {r[0]: (r[1], r[2]) for r in df.groupBy(FILE).agg(F.count(F.lit(1)), bad).collect()}
    read = {_norm(f): v for f, v in by_file.items()}
    for _, _, p in parts.parts:
        n, corrupt = read.get(_norm(p.location), (0, 0))
        if corrupt:
            raise PartMismatchError(f"part {p.key}: {corrupt} of its lines are not JSON objects")
        if n != p.records:
            raise PartMismatchError(f"part {p.key}: read {n} records, the manifest says {p.records}")
    by_norm = {_norm(p.location): (i, m) for i, m, p in parts.parts}
    # `ingested_at` is timezone-aware (UTC): PySpark would read a naive one in the driver's local zone.
    rows = [(f, i, m.run_id, m.ingested_at, m.import_date) for f in by_file for i, m in [by_norm[_norm(f)]]]
    meta = spark.createDataFrame(
        rows,
        T.StructType(
            [
                T.StructField(FILE, T.StringType()),
                T.StructField(SEQ, T.IntegerType()),
                T.StructField("_run_id", T.StringType()),
                T.StructField("_ingested_at", T.TimestampType()),
                T.StructField("_import_date", T.DateType()),
            ]
        ),
    )
    tagged = df.join(F.broadcast(meta), FILE, "left").drop(FILE)
    return tagged.drop(CORRUPT) if has_corrupt else tagged
