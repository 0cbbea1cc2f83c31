"""The job's arguments, as Glue passes them (`--key value`, among Glue's own such as `--JOB_NAME`)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from .errors import ArgumentError
from .flatten import DEFAULT_MAX_DEPTH
from .manifests import split_uris


@dataclass(frozen=True)
class JobArgs:
    run_id: str
    #: Manifest URIs; empty when they are discovered under `raw_root`.
    manifests: list[str]
    raw_root: str | None
    sources: list[str]
    warehouse: str
    #: @default 'tributary_dev'
    database: str
    #: `glue` (Glue Data Catalog, on AWS) or `hadoop` (a local warehouse folder). @default 'glue'
    catalog: str
    #: @default 4 (`DEFAULT_MAX_DEPTH`)
    max_depth: int
    s3_endpoint: str | None
    pg_dsn: str | None
    pg_host: str | None
    pg_port: int | None
    pg_database: str | None
    pg_user: str | None
    pg_secret: str | None
    #: @default 'public'
    pg_schema: str
    #: Where run reports go (`<root><runId>.json`); `None`: `_runs/` next to the warehouse.
    report_root: str | None = None

    @property
    def postgres(self) -> bool:
        return bool(self.pg_dsn or self.pg_host or self.pg_secret)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits on errors: raise ours instead
        raise ArgumentError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="curate.py", allow_abbrev=False, add_help=False)
    p.add_argument("--run_id", required=True)
    p.add_argument("--manifests", default="")
    p.add_argument("--raw_root")
    p.add_argument("--sources", default="")
    p.add_argument("--warehouse", required=True)
    p.add_argument("--database", default="tributary_dev")
    p.add_argument("--catalog", default="glue")
    p.add_argument("--max_depth", default=str(DEFAULT_MAX_DEPTH))
    p.add_argument("--s3_endpoint")
    for name in ("pg_dsn", "pg_host", "pg_port", "pg_database", "pg_user", "pg_secret"):
        p.add_argument(f"--{name}")
    p.add_argument("--pg_schema", default="public")
    p.add_argument("--report_root")
    return p


def _none(v: str | None) -> str | None:
    """Glue job arguments cannot be removed per run, only emptied: `''` and `none` mean absent."""
    return None if v is None or v.strip() == "" or v.strip().lower() in ("none", "null") else v.strip()


def parse_args(argv: list[str]) -> tuple[JobArgs, list[str]]:
    """Parses the job's arguments; returns them and the ones it ignored (Glue's own)."""
    ns, extra = _parser().parse_known_args(argv)
    if ns.catalog not in ("glue", "hadoop"):
        raise ArgumentError(f"--catalog must be 'glue' or 'hadoop', not {ns.catalog!r}")
    try:
        depth = int(ns.max_depth)
    except ValueError:
        raise ArgumentError(f"--max_depth must be a whole number, not {ns.max_depth!r}") from None
    if depth < 0:
        raise ArgumentError(f"--max_depth must be 0 or more, not {depth}")
    manifests = split_uris(_none(ns.manifests) or "")
    raw_root = _none(ns.raw_root)
    if not manifests and not raw_root:
        raise ArgumentError(
            "give --manifests (a JSON list or comma-separated URIs) or --raw_root to discover them"
        )
    port = _none(ns.pg_port)
    if port is not None and not port.isdigit():
        raise ArgumentError(f"--pg_port must be a port number, not {port!r}")
    if not ns.run_id.strip():
        raise ArgumentError("--run_id is empty")
    args = JobArgs(
        run_id=ns.run_id.strip(),
        manifests=manifests,
        raw_root=raw_root,
        sources=[s.strip() for s in (_none(ns.sources) or "").split(",") if s.strip()],
        warehouse=ns.warehouse,
        database=ns.database,
        catalog=ns.catalog,
        max_depth=depth,
        s3_endpoint=_none(ns.s3_endpoint),
        pg_dsn=_none(ns.pg_dsn),
        pg_host=_none(ns.pg_host),
        pg_port=int(port) if port else None,
        pg_database=_none(ns.pg_database),
        pg_user=_none(ns.pg_user),
        pg_secret=_none(ns.pg_secret),
        pg_schema=ns.pg_schema,
        report_root=_none(ns.report_root),
    )
    return args, extra
