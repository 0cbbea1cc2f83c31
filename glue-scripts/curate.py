"""Tributary's curate job: a run's raw NDJSON (listed by its manifests) → flattened, merged Iceberg tables,
and optionally a PostgreSQL upsert. Plain PySpark: the same file runs on Glue 5.0 and on local Spark.

    curate.py --run_id <id> (--manifests <json list | a,b> | --raw_root <s3://bucket/ | folder>)
              --warehouse <s3://… | folder> [--database tributary_dev] [--catalog glue|hadoop]
              [--max_depth 4] [--sources a,b] [--s3_endpoint URL]
              [--pg_dsn DSN | --pg_host H --pg_port P --pg_database D --pg_user U] [--pg_secret NAME]
              [--pg_schema public]

The last line on stdout is the run's JSON summary; on failure the exit code is 1 and the last lines say why.
"""

from __future__ import annotations

import json
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tributary_curate.args import parse_args
from tributary_curate.errors import CurateError
from tributary_curate.job import run
from tributary_curate.session import build_local_spark, glue_spark

__all__ = ["build_local_spark", "main"]
log = logging.getLogger("tributary.curate")


def _logging() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s curate: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = True


def _failed(e: Exception, message: str) -> dict:
    out = {"status": "failed", "error": type(e).__name__, "message": message}
    if getattr(e, "report_uri", None):
        out["report"] = {"uri": e.report_uri}
    return out


def main(argv: list[str] | None = None, spark=None) -> int:
    """Runs the job; `spark` is an existing session (tests, bench), else one is built for `--catalog`.
    Prints the JSON summary as the last stdout line and returns the exit code."""
    _logging()
    argv = sys.argv[1:] if argv is None else argv
    try:
        args, ignored = parse_args(argv)
        if ignored:
            log.info(
                "ignoring arguments not for this job: %s", " ".join(a for a in ignored if a.startswith("--"))
            )
        if spark is None:
            spark = (
                glue_spark(args.warehouse) if args.catalog == "glue" else build_local_spark(args.warehouse)
            )
        summary = run(spark, args)
    except CurateError as e:
        log.error("%s: %s", type(e).__name__, e)
        print(json.dumps(_failed(e, str(e))), flush=True)
        return 1
    except Exception as e:
        log.exception("unexpected failure")
        print(json.dumps(_failed(e, str(e)[:2000])), flush=True)
        return 1
    print(json.dumps(summary, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
