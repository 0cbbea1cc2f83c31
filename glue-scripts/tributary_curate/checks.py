"""Data quality checks per stream, evaluated on the curated table after the write, named as Glue Data
Quality's rules (DQDL) so its users recognise them:

- `IsComplete "<key column>"` and `IsUnique "<key columns>"` on a merge stream's primary key (default
  level `error`);
- `DataFreshness "_cursor" <= <age>`: the newest cursor value in the table is no older than the stated
  age (only when the stream states one; default level `warn`);
- `RowCount between <lo> and <hi>`: the table's rows after the run within ± `band` of its rows before it
  (the previous run's result; default ± 50 %, level `warn`; not on a table the run created or found
  empty).

A failed `error` check fails the run (`DataQualityError`, after the stream's report entry is made);
a failed `warn` check is reported only. The rules are planned and judged here (pure); `measure` is the
one Spark query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from .errors import DataQualityError, ManifestError

LEVELS = ("error", "warn")


@dataclass(frozen=True)
class CheckSpec:
    """A stream's checks, as its manifest carries them (`checks`)."""

    #: `error`, `warn` or `off`: IsComplete + IsUnique of the primary key (merge streams).
    primary_key: str = "error"
    #: DataFreshness: the newest `_cursor` no older than this many seconds; `None`: not checked.
    freshness_seconds: float | None = None
    freshness_level: str = "warn"
    #: RowCount: ± this fraction of the table's rows before the run; `None`: not checked.
    row_count_band: float | None = 0.5
    row_count_level: str = "warn"


def parse_checks(value: object, where: str) -> CheckSpec:
    """The manifest's `checks` (absent: the defaults); errors name the manifest and the field."""
    if value is None:
        return CheckSpec()
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: checks must be an object")

    def level(v: object, field: str, allowed=LEVELS) -> str:
        if v not in allowed:
            raise ManifestError(f"{where}: checks.{field} must be one of {', '.join(allowed)}, not {v!r}")
        return v  # type: ignore[return-value]

    pk = level(value.get("primaryKey", "error"), "primaryKey", (*LEVELS, "off"))
    fresh, fresh_level = value.get("freshness"), "warn"
    seconds = None
    if fresh is not None:
        if not isinstance(fresh, dict) or not _positive(fresh.get("maxAgeSeconds")):
            raise ManifestError(f"{where}: checks.freshness.maxAgeSeconds must be a positive number")
        seconds = float(fresh["maxAgeSeconds"])
        fresh_level = level(fresh.get("level", "warn"), "freshness.level")
    rows, band, rows_level = value.get("rowCount", {}), 0.5, "warn"
    if rows is None:
        band = None
    else:
        if not isinstance(rows, dict) or ("band" in rows and not _positive(rows["band"])):
            raise ManifestError(f"{where}: checks.rowCount.band must be a positive number")
        band = float(rows.get("band", 0.5))
        rows_level = level(rows.get("level", "warn"), "rowCount.level")
    return CheckSpec(pk, seconds, fresh_level, band, rows_level)


def _positive(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v > 0 and math.isfinite(v)


@dataclass
class Measures:
    """What the checks read off the curated table."""

    rows: int
    #: Rows whose key column is null, per key column.
    null_keys: dict[str, int]
    distinct_keys: int | None
    newest_cursor: datetime | None
    rows_before: int | None = None  # `None`: the run created the table


def _age(seconds: float) -> str:
    return f"{seconds / 3600:g} hours"


def judge(spec: CheckSpec, disposition: str, key: list[str], m: Measures, now: datetime) -> list[dict]:
    """Every check of the stream with its outcome: `{rule, ruleType, level, status, observed, message}`."""
    out: list[dict] = []

    def check(rule: str, rule_type: str, level: str, ok: bool, observed, message: str) -> None:
        out.append(
            {
                "rule": rule,
                "ruleType": rule_type,
                "level": level,
                "status": "passed" if ok else "failed",
                "observed": observed,
                "message": message,
            }
        )

    if key and disposition == "merge" and spec.primary_key != "off":
        for k in key:
            n = m.null_keys.get(k, 0)
            check(f'IsComplete "{k}"', "IsComplete", spec.primary_key, n == 0, n, f"{n} rows with no {k}")
        dupes = m.rows - (m.distinct_keys or 0)
        cols = " ".join(f'"{k}"' for k in key)
        check(f"IsUnique {cols}", "IsUnique", spec.primary_key, dupes == 0, dupes, f"{dupes} duplicate keys")
    if spec.freshness_seconds is not None:
        rule = f'DataFreshness "_cursor" <= {_age(spec.freshness_seconds)}'
        if m.newest_cursor is None:
            check(rule, "DataFreshness", spec.freshness_level, False, None, "no row has a cursor value")
        else:
            newest = m.newest_cursor if m.newest_cursor.tzinfo else m.newest_cursor.replace(tzinfo=UTC)
            age = (now - newest).total_seconds()
            check(
                rule,
                "DataFreshness",
                spec.freshness_level,
                age <= spec.freshness_seconds,
                round(age, 3),
                f"the newest cursor value is {newest.isoformat()}, {_age(round(age))} old",
            )
    if spec.row_count_band is not None and m.rows_before:  # not on a new or empty table
        lo = math.floor(m.rows_before * (1 - spec.row_count_band))
        hi = math.ceil(m.rows_before * (1 + spec.row_count_band))
        check(
            f"RowCount between {max(lo, 0)} and {hi}",
            "RowCount",
            spec.row_count_level,
            lo <= m.rows <= hi,
            m.rows,
            f"{m.rows} rows, {m.rows_before} before the run (± {spec.row_count_band:g})",
        )
    return out


def failures(where: str, table: str, checks: list[dict]) -> DataQualityError | None:
    """The error for the failed `error` checks, if any."""
    bad = [c for c in checks if c["status"] == "failed" and c["level"] == "error"]
    if not bad:
        return None
    return DataQualityError(
        f"{where}: {len(bad)} error-level check(s) failed on {table}: "
        + "; ".join(f"{c['rule']} ({c['message']})" for c in bad)
        + ". The table was written; fix the data or the stream's checks, then curate the run again"
    )


def measure(spark, table: str, key: list[str], rows_before: int | None, need_cursor: bool) -> Measures:
    """One pass over the curated table (and a distinct count of its keys)."""
    from pyspark.sql import functions as F

    df = spark.table(table)

    def q(n: str) -> str:
        return "`" + n.replace("`", "``") + "`"

    aggs = [F.count(F.lit(1)).alias("rows")]
    aggs += [F.sum(F.when(F.col(q(k)).isNull(), 1).otherwise(0)).alias(f"null{i}") for i, k in enumerate(key)]
    if need_cursor:
        aggs.append(F.max("_cursor").alias("newest"))
    r = df.agg(*aggs).collect()[0]
    distinct = df.select(*[q(k) for k in key]).distinct().count() if key else None
    return Measures(
        rows=int(r["rows"]),
        null_keys={k: int(r[f"null{i}"] or 0) for i, k in enumerate(key)},
        distinct_keys=distinct,
        newest_cursor=r["newest"] if need_cursor else None,
        rows_before=rows_before,
    )


def run_checks(spark, spec: CheckSpec, disposition: str, table: str, key: list[str], rows_before):
    """Measures and judges the stream's checks on its table (now: the clock)."""
    use_key = key if disposition == "merge" and spec.primary_key != "off" else []
    m = measure(spark, table, use_key, rows_before, spec.freshness_seconds is not None)
    return judge(spec, disposition, use_key, m, datetime.now(UTC))
