"""The curate job: manifests → per stream: read and check, flatten, write Iceberg (and PostgreSQL)."""

from __future__ import annotations

import logging
import tempfile
import time
from collections import OrderedDict
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .args import JobArgs
from .checks import CheckSpec, failures, run_checks
from .errors import CurateError, ManifestError
from .iceberg import align_to_table, replace_children, write_append, write_merge, write_replace
from .manifests import Manifest, discover, load_manifests, localize, s3_client
from .metrics import emit
from .naming import table_name
from .reader import PREFIX, check_and_tag, read_records, stream_parts
from .reconcile import Counts, reconcile
from .report import (
    brief,
    brief_uri,
    build_report,
    clear_reports,
    report_uri,
    runs_root,
    state_brief,
    write_report,
)
from .session import configure
from .transform import child_rows, data_columns, flatten, newest_per_key, stream_spec

log = logging.getLogger("tributary.curate")


def manifests_for(args: JobArgs, s3=None) -> list[Manifest]:
    """The run's manifests: as given, or discovered under `--raw_root`; filtered by `--sources`."""
    s3 = s3 or (s3_client(args.s3_endpoint) if _needs_s3(args) else None)
    uris = args.manifests or discover(args.raw_root or "", args.run_id, s3)
    if not uris:
        raise ManifestError(f"no manifest of run {args.run_id} under {args.raw_root}")
    manifests = load_manifests(uris, args.run_id, s3)
    if args.sources:
        manifests = [m for m in manifests if m.source in args.sources]
        if not manifests:
            raise ManifestError(
                f"no manifest of run {args.run_id} is of the sources {', '.join(args.sources)}"
            )
    return manifests


def _needs_s3(args: JobArgs) -> bool:
    return any(u.startswith("s3") for u in [*args.manifests, args.raw_root or ""])


def _to_pg_rows(df):
    """Rows for COPY; timestamps as ISO strings in UTC (PySpark would give the driver's local time)."""
    from pyspark.sql import functions as F

    cols = [
        F.date_format(F.col(f"`{f.name}`"), "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").alias(f.name)
        if f.dataType.simpleString() == "timestamp"
        else F.col(f"`{f.name}`")
        for f in df.schema.fields
    ]
    return (tuple(r) for r in df.select(*cols).toLocalIterator())


@contextmanager
def _persisting():
    """`keep(df)` persists a DataFrame until the block ends. Persisted rather than checkpointed: blocks
    of a lost executor are recomputed from the immutable parts."""
    kept = []

    def keep(df):
        from pyspark import StorageLevel

        kept.append(df.persist(StorageLevel.MEMORY_AND_DISK))
        return kept[-1]

    try:
        yield keep
    finally:
        for df in kept:
            df.unpersist()


def curate_stream(spark, catalog: str, args: JobArgs, manifests: list[Manifest], pg=None) -> dict:
    spec = stream_spec(manifests)
    table = table_name(spec.source, spec.stream)
    fq = f"{catalog}.{args.database}.{table}"
    out: dict = {"source": spec.source, "stream": spec.stream, "manifests": [m.uri for m in manifests]}
    out["schemaContract"] = contract = spec.schema_contract
    started = time.perf_counter()
    parts = stream_parts(manifests)
    out["recordsLanded"] = parts.records
    if parts.records == 0:
        log.info("%s/%s: the run has no records; %s left as it was", spec.source, spec.stream, fq)
        out.update(table=fq, disposition=spec.disposition, rowsInRun=0, skipped="no records")
        out["durationSeconds"] = round(time.perf_counter() - started, 3)
        return out
    with _persisting() as keep:
        flat = flatten(read_records(spark, parts), spec, args.max_depth)
        rows = check_and_tag(spark, keep(flat.df), parts)  # counting per part materializes the flat rows
        log.info(
            "%s/%s: parts read and checked in %.1f s", spec.source, spec.stream, time.perf_counter() - started
        )
        # counted on the rows themselves (the parts' counts were checked against the manifests above)
        read, keys = rows.count(), None
        if spec.disposition == "merge":
            # counted apart from the de-duplication, for reconciliation (nulls are one key, as there)
            keys = rows.select(*[f"`{k}`" for k in flat.key]).distinct().count()
            # checkpointed: a MERGE source must not carry the non-deterministic arrival ids in its plan
            rows = newest_per_key(rows, flat.key).localCheckpoint(eager=True)
        parent = rows.select(*[f"`{c}`" for c in data_columns(rows)])
        if spec.disposition == "merge":
            result, aligned, winners = write_merge(spark, fq, parent, flat.key, args.run_id, contract)
        elif spec.disposition == "append":
            (result, aligned), winners = write_append(spark, fq, parent, args.run_id, contract), None
        else:
            (result, aligned), winners = write_replace(spark, fq, parent, args.run_id, contract), None
        out["reconciliation"] = reconcile(
            f"{spec.source}/{spec.stream}",
            fq,
            Counts(
                disposition=spec.disposition,
                landed=parts.records,
                read=read,
                in_run=result.rows_in_run,
                inserted=result.inserted,
                updated=result.updated,
                unchanged=result.unchanged,
                deleted=result.deleted,
                keys=keys,
                total_before=result.total_before,
                total_after=result.total,
                run_rows_before=result.run_rows_before,
                run_rows_after=result.run_rows_after,
            ),
        )
        children, pg_children = [], []
        for i, child in enumerate(flat.children):
            child_table = table_name(spec.source, spec.stream, child.path)
            child_fq = f"{catalog}.{args.database}.{child_table}"
            children.append(
                _write_child(
                    spark, child_fq, rows, i, child, flat.key, spec.disposition, winners, result, args.run_id
                )
            )
            if pg is not None:
                # every parent's children in the child table's columns: PostgreSQL decides which parents
                # win there (a merge's Iceberg write took only the children of the parents that won in it)
                keep = {f"_parent_{k}" for k in flat.key} | {"_index"}
                pg_children.append(
                    (child_table, align_to_table(spark, child_fq, child_rows(rows, child, i, flat.key), keep))
                )
        checks = run_checks(
            spark, spec.checks or CheckSpec(), spec.disposition, fq, flat.key,
            None if result.created else result.total_before,
        )  # fmt: skip
        out["checks"] = checks
        for c in checks:
            (log.info if c["status"] == "passed" else log.warning)(
                "%s: check %s %s (%s, %s)", fq, c["rule"], c["status"], c["level"], c["message"]
            )
        log.info("%s: written in %.1f s", fq, time.perf_counter() - started)
        out.update(result.summary())
        out["rowsRead"] = parts.records
        if children:
            out["childTables"] = [c.summary() for c in children]
        failed = failures(f"{spec.source}/{spec.stream}", fq, checks)
        if failed is not None:
            out["durationSeconds"] = round(time.perf_counter() - started, 3)
            failed.stream_summary = out  # type: ignore[attr-defined]
            raise failed
        if pg is not None:
            from .postgres import ChildBatch, upsert

            batches = [ChildBatch(name, _pg_columns(df), _to_pg_rows(df)) for name, df in pg_children]
            out["postgres"] = upsert(
                pg, table, _pg_columns(aligned), _to_pg_rows(aligned), flat.key, spec.disposition,
                args.run_id, batches,
            )  # fmt: skip
    out["durationSeconds"] = round(time.perf_counter() - started, 3)
    return out


def _pg_columns(df) -> list[tuple[str, str]]:
    return [(f.name, f.dataType.simpleString()) for f in df.schema.fields]


def _write_child(spark, child_fq, rows, i, child, key, disposition, winners, parent, run_id):
    if disposition == "merge" and winners is None:  # the parent table is new: every row won
        return replace_children(spark, child_fq, child_rows(rows, child, i, key), None, 0, key)
    if disposition == "merge":
        # the winners under names of their own: they derive from `rows`, and a self-join on shared
        # attributes would not be the join meant
        wins = winners.select(*[winners[f"`{k}`"].alias(f"{PREFIX}w{j}") for j, k in enumerate(key)])
        on = None
        for j, k in enumerate(key):
            cond = rows[f"`{k}`"].eqNullSafe(wins[f"{PREFIX}w{j}"])
            on = cond if on is None else on & cond
        child_df = child_rows(rows.join(wins, on, "left_semi"), child, i, key)
        return replace_children(spark, child_fq, child_df, winners, parent.inserted + parent.updated, key)
    if disposition == "append":
        return write_append(spark, child_fq, child_rows(rows, child, i, key), run_id)[0]
    return write_replace(spark, child_fq, child_rows(rows, child, i, key), run_id)[0]


def run(spark, args: JobArgs) -> dict:
    """Curates every stream of the run; writes the run report (also when a stream fails: then the
    error is raised after it, carrying the report's URI as `report_uri`); returns the summary."""
    started = datetime.now(UTC)
    root = runs_root(args.warehouse, args.report_root)
    uri, brief_at = report_uri(root, args.run_id), brief_uri(root, args.run_id)
    s3 = s3_client(args.s3_endpoint) if uri.startswith("s3") else None
    # an earlier attempt's report must not stand for this one if this one fails before writing its own
    clear_reports([uri, brief_at], s3)
    manifests = manifests_for(args)
    catalog = configure(spark, args.catalog, args.warehouse)
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {catalog}.{args.database}")
    pg = None
    if args.postgres:
        from .postgres import target_from_args

        pg = target_from_args(args)
    groups: OrderedDict[tuple[str, str], list[Manifest]] = OrderedDict()
    for m in manifests:
        groups.setdefault((m.source, m.stream), []).append(m)
    tables: list[dict] = []
    failure: Exception | None = None
    with tempfile.TemporaryDirectory(prefix="tributary-mirror-") as mirror:
        for (source, stream), ms in groups.items():
            clock = time.perf_counter()
            try:
                if args.catalog == "hadoop":
                    ms = localize(ms, Path(mirror), s3_client(args.s3_endpoint) if _needs_s3(args) else None)
                log.info("curating %s/%s from %d manifest(s)", source, stream, len(ms))
                tables.append(curate_stream(spark, catalog, args, ms, pg))
            except Exception as e:
                failure = e
                tables.append(
                    {
                        **getattr(e, "stream_summary", {}),
                        "source": source,
                        "stream": stream,
                        "manifests": [m.uri for m in ms],
                        "recordsLanded": sum(p.records for m in ms for p in m.parts),
                        "durationSeconds": round(time.perf_counter() - clock, 3),
                        "error": _error(e),
                    }
                )
                break
    error = None
    if failure is not None:
        failed = tables[-1]
        error = {**_error(failure), "source": failed["source"], "stream": failed["stream"]}
    report = build_report(
        args.run_id, catalog, args.database, tables, started, datetime.now(UTC), error,
        pg.schema if pg is not None else None,
    )  # fmt: skip
    write_report(report, uri, s3)
    write_report(state_brief(report, uri), brief_at, s3)
    log.info("run report written to %s", uri)
    emit(report)
    if failure is not None:
        failure.report_uri = uri  # type: ignore[attr-defined]
        raise failure
    return {
        "status": "succeeded",
        "runId": args.run_id,
        "catalog": catalog,
        "database": args.database,
        "tables": tables,
        "report": brief(report, uri),
    }


def _error(e: Exception) -> dict:
    message = str(e) if isinstance(e, CurateError) else str(e)[:2000]
    return {"name": type(e).__name__, "message": message}
