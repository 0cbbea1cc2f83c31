"""The curate job: manifests → per stream: read and check, flatten, write Iceberg (and PostgreSQL)."""

from __future__ import annotations

import logging
import tempfile
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .args import JobArgs
from .checks import CheckSpec, failures, run_checks
from .children import Child, ParentRun, pg_child, pg_columns, pg_rows, write_child
from .errors import CurateError, ManifestError
from .iceberg import TableResult, Written, write_append, write_merge, write_replace
from .manifests import Manifest, discover, load_manifests, localize, s3_client
from .metrics import emit
from .naming import table_name
from .reader import StreamParts, check_and_tag, read_records, stream_parts
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
from .transform import StreamSpec, data_columns, flatten, newest_per_key, stream_spec

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
    out["schemaContract"] = spec.schema_contract
    started = time.perf_counter()
    parts = stream_parts(manifests)
    out["recordsLanded"] = parts.records
    if parts.records == 0:
        log.info("%s/%s: the run has no records; %s left as it was", spec.source, spec.stream, fq)
        out.update(table=fq, disposition=spec.disposition, rowsInRun=0, skipped="no records")
    else:
        with _persisting() as keep:
            _curate_rows(
                spark,
                args,
                stream=_Stream(spec, table, fq, catalog, started),
                parts=parts,
                keep=keep,
                out=out,
                pg=pg,
            )
    out["durationSeconds"] = round(time.perf_counter() - started, 3)
    return out


@dataclass(frozen=True)
class _Stream:
    """The stream being curated: what its manifests say, its table's name, its Iceberg name and catalog,
    and when its curation started (`time.perf_counter()`)."""

    spec: StreamSpec
    table: str
    fq: str
    catalog: str
    started: float


def _curate_rows(spark, args: JobArgs, *, stream: _Stream, parts: StreamParts, keep, out: dict, pg) -> None:
    """Reads, checks, writes and reconciles a stream with records; fills `out`, raises a failed check."""
    spec, fq = stream.spec, stream.fq
    flat = flatten(read_records(spark, parts), spec, args.max_depth)
    rows = check_and_tag(spark, keep(flat.df), parts)  # counting per part materializes the flat rows
    log.info("%s/%s: parts read and checked in %.1f s", spec.source, spec.stream, _since(stream.started))
    # counted on the rows themselves (the parts' counts were checked against the manifests above)
    read, keys = rows.count(), None
    if spec.disposition == "merge":
        # counted apart from the de-duplication, for reconciliation (nulls are one key, as there)
        keys = rows.select(*[f"`{k}`" for k in flat.key]).distinct().count()
        # checkpointed: a MERGE source must not carry the non-deterministic arrival ids in its plan
        rows = newest_per_key(rows, flat.key).localCheckpoint(eager=True)
    parent_rows = rows.select(*[f"`{c}`" for c in data_columns(rows)])
    written = _write_parent(spark, fq, rows=parent_rows, key=flat.key, spec=spec, run_id=args.run_id)
    result = written.result
    counts = _counts(spec.disposition, landed=parts.records, read=read, keys=keys, result=result)
    out["reconciliation"] = reconcile(f"{spec.source}/{spec.stream}", fq, counts)
    parent = ParentRun(
        rows=rows, key=flat.key, disposition=spec.disposition, written=written, run_id=args.run_id
    )
    children, pg_children = [], []
    for i, plan in enumerate(flat.children):
        child_table = table_name(spec.source, spec.stream, plan.path)
        child = Child(plan, i, child_table, f"{stream.catalog}.{args.database}.{child_table}")
        children.append(write_child(spark, parent=parent, child=child))
        if pg is not None:
            pg_children.append((child_table, pg_child(spark, parent=parent, child=child)))
    total_before = None if result.created else result.total_before
    checks = _run_checks(spark, spec, fq=fq, key=flat.key, total_before=total_before)
    out["checks"] = checks
    log.info("%s: written in %.1f s", fq, _since(stream.started))
    out.update(result.summary())
    out["rowsRead"] = parts.records
    if children:
        out["childTables"] = [c.summary() for c in children]
    failed = failures(f"{spec.source}/{spec.stream}", fq, checks)
    if failed is not None:
        out["durationSeconds"] = round(_since(stream.started), 3)
        failed.stream_summary = out  # type: ignore[attr-defined]
        raise failed
    if pg is not None:
        out["postgres"] = _to_postgres(
            pg, stream.table, aligned=written.aligned, parent=parent, children=pg_children
        )


def _since(started: float) -> float:
    return time.perf_counter() - started


def _write_parent(spark, fq: str, *, rows, key: list[str], spec: StreamSpec, run_id: str) -> Written:
    contract = spec.schema_contract
    if spec.disposition == "merge":
        return write_merge(spark, fq, rows, key, run_id, contract)
    write = write_append if spec.disposition == "append" else write_replace
    return write(spark, fq, rows, run_id, contract)


def _counts(disposition: str, *, landed: int, read: int, keys: int | None, result: TableResult) -> Counts:
    return Counts(
        disposition=disposition,
        landed=landed,
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
    )


def _run_checks(spark, spec: StreamSpec, *, fq: str, key: list[str], total_before: int | None) -> list[dict]:
    checks = run_checks(spark, spec.checks or CheckSpec(), spec.disposition, fq, key, total_before)
    for c in checks:
        (log.info if c["status"] == "passed" else log.warning)(
            "%s: check %s %s (%s, %s)", fq, c["rule"], c["status"], c["level"], c["message"]
        )
    return checks


def _to_postgres(pg, table: str, *, aligned, parent: ParentRun, children: list) -> dict:
    from .pg_children import ChildBatch
    from .postgres import upsert

    batches = [ChildBatch(name, pg_columns(df), pg_rows(df)) for name, df in children]
    return upsert(
        pg, table=table, columns=pg_columns(aligned), rows=pg_rows(aligned), key=parent.key,
        disposition=parent.disposition, run_id=parent.run_id, children=batches,
    )  # fmt: skip


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
    tables, failure = _curate_streams(spark, catalog, args, manifests, pg)
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


def _curate_streams(spark, catalog: str, args: JobArgs, manifests: list[Manifest], pg):
    """Curates the run's streams in order, up to the first that fails; returns the streams' summaries
    (a failed stream's last, with its `error`) and that failure (`None` when every stream succeeded)."""
    groups: OrderedDict[tuple[str, str], list[Manifest]] = OrderedDict()
    for m in manifests:
        groups.setdefault((m.source, m.stream), []).append(m)
    tables: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="tributary-mirror-") as mirror:
        for (source, stream), ms in groups.items():
            clock = time.perf_counter()
            try:
                if args.catalog == "hadoop":
                    ms = localize(ms, Path(mirror), s3_client(args.s3_endpoint) if _needs_s3(args) else None)
                log.info("curating %s/%s from %d manifest(s)", source, stream, len(ms))
                tables.append(curate_stream(spark, catalog, args, ms, pg))
            except Exception as e:
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
                return tables, e
    return tables, None


def _error(e: Exception) -> dict:
    message = str(e) if isinstance(e, CurateError) else str(e)[:2000]
    return {"name": type(e).__name__, "message": message}
