"""Reads exactly the parts a stream's manifests list, checks each part's count, and tags every record
with its metadata and arrival order (Spark I/O)."""

from __future__ import annotations

import logging
import os
from urllib.parse import unquote, urlparse

from .errors import PartMismatchError
from .manifests import Manifest, Part

log = logging.getLogger("tributary.curate")

CORRUPT = "_corrupt_record"
#: Columns the reader adds: the file, its arrival rank across the stream's manifests, and the row's
#: order within the read (increasing with line order inside a part).
FILE, SEQ, MONO = "__tributary_file", "__tributary_seq", "__tributary_mono"
#: The run's metadata per part, joined on `FILE` (prefixed: a record may have its own `_run_id`).
RUN_ID, INGESTED_AT, IMPORT_DATE = "__tributary_run_id", "__tributary_ingested_at", "__tributary_import_date"
#: Every column the reader adds starts with this.
PREFIX = "__tributary_"


def _norm(location: str) -> str:
    """One spelling for a file Spark reports (`file:///a%20b/x.gz`) and a part location (`/a b/x.gz`)."""
    if location.startswith("file:"):
        return os.path.normpath(unquote(urlparse(location).path))
    if location.startswith(("s3://", "s3a://", "s3n://")):
        u = urlparse(location)
        return f"s3://{u.netloc}/{unquote(u.path.lstrip('/'))}"
    return os.path.normpath(location) if location.startswith("/") else location


def read_stream(spark, manifests: list[Manifest]):
    """The stream's records as one DataFrame (cached), with the `PREFIX` columns (file, arrival, run id,
    ingested at, import date); `None` when the manifests list no records.

    Fails naming the part when a part's record count differs from its manifest's, or a line of it is
    not a JSON object."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    parts: list[tuple[int, Manifest, Part]] = []
    seen: set[str] = set()
    for m in manifests:
        for p in m.parts:
            key = _norm(p.location)
            if key not in seen:
                seen.add(key)
                parts.append((len(parts), m, p))
    if not parts or sum(p.records for _, _, p in parts) == 0:
        for _, _, p in parts:
            _check_exists(p)
        return None
    for _, _, p in parts:
        _check_exists(p)

    df = (
        spark.read.option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT)
        .json([p.location for _, _, p in parts])
        .withColumn(FILE, F.input_file_name())
        .withColumn(MONO, F.monotonically_increasing_id())
        .cache()
    )
    has_corrupt = CORRUPT in df.columns
    bad = F.count(F.col(CORRUPT)) if has_corrupt else F.lit(0)
    by_file = {
        r[0]: (r[1], r[2]) for r in df.groupBy(FILE).agg(F.count(F.lit(1)), bad.alias("bad")).collect()
    }
    read = {_norm(f): v for f, v in by_file.items()}
    for _, _, p in parts:
        n, corrupt = read.get(_norm(p.location), (0, 0))
        if corrupt:
            df.unpersist()
            raise PartMismatchError(f"part {p.key}: {corrupt} of its lines are not JSON objects")
        if n != p.records:
            df.unpersist()
            raise PartMismatchError(f"part {p.key}: read {n} records, the manifest says {p.records}")
    if has_corrupt:
        df = df.drop(CORRUPT)

    by_norm = {_norm(p.location): (i, m) for i, m, p in parts}
    rows = [(f, *_meta(*by_norm[_norm(f)])) for f in by_file]
    meta = spark.createDataFrame(
        rows,
        T.StructType(
            [
                T.StructField(FILE, T.StringType()),
                T.StructField(SEQ, T.IntegerType()),
                T.StructField(RUN_ID, T.StringType()),
                T.StructField(INGESTED_AT, T.TimestampType()),
                T.StructField(IMPORT_DATE, T.DateType()),
            ]
        ),
    )
    return df.join(F.broadcast(meta), FILE, "left")


def _meta(seq: int, m: Manifest):
    # `ingested_at` is timezone-aware (UTC): PySpark would read a naive one in the driver's local zone.
    return seq, m.run_id, m.ingested_at, m.import_date


def _check_exists(p: Part) -> None:
    if not p.location.startswith(("s3://", "s3a://")) and not os.path.exists(p.location):
        raise PartMismatchError(f"part {p.key}: not found at {p.location}")
