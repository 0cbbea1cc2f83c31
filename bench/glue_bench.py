"""Bench of the Glue curate job on local Spark: N small nested records landed as gzip NDJSON parts with
a manifest in a temp folder, then curated (merge on the primary key) into a fresh Iceberg table.

    .venv/bin/python bench/glue_bench.py [--records 1000000] [--parts 10] [--cores 2] [--merge]

Prints one JSON line: {records, wall_seconds, rows_per_second, ...}. `wall_seconds` is the job's run on
an already started SparkSession (JVM start-up reported apart as `spark_start_seconds`).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "glue-scripts"))

import curate  # noqa: E402

STATUSES = ["open", "paid", "refunded", "disputed"]
COUNTRIES = ["GB", "BR", "US", "DE", "FR"]


def record(i: int, month: int = 11) -> str:
    return json.dumps(
        {
            "id": i,
            "updated_at": f"2026-{month:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            "status": STATUSES[i % 4],
            "amount": round(i * 0.37 % 1000, 2),
            "customer": {"id": f"cus_{i % 50_000}", "country": COUNTRIES[i % 5], "vip": i % 7 == 0},
            "tags": ["a", "b"] if i % 3 == 0 else [],
        },
        separators=(",", ":"),
    )


def land(root: Path, records: int, parts: int, run_id: str, first: int = 0, month: int = 11) -> str:
    prefix = f"bench/orders/import_date=20261123/run_id={run_id}"
    folder = root / prefix
    folder.mkdir(parents=True)
    entries = []
    per = -(-records // parts)
    for p in range(parts):
        lines = [record(first + i, month) for i in range(p * per, min(records, (p + 1) * per))]
        blob = gzip.compress(("\n".join(lines) + "\n").encode() if lines else b"", compresslevel=1)
        key = f"{prefix}/part-{p:05d}.ndjson.gz"
        (root / key).write_bytes(blob)
        entries.append(
            {
                "key": key,
                "records": len(lines),
                "bytes": len(blob),
                "sha256": hashlib.sha256(blob).hexdigest(),
            }
        )
    manifest = {
        "runId": run_id,
        "source": "bench",
        "stream": "orders",
        "parts": entries,
        "records": records,
        "pages": parts,
        "startedAt": "2026-11-23T06:00:00Z",
        "finishedAt": "2026-11-23T06:10:00Z",
        "window": {"since": None, "until": "2026-11-23T06:00:00Z"},
        "watermark": None,
        "primaryKey": "id",
        "cursorField": "updated_at",
        "writeDisposition": "merge",
    }
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    return str(folder / "_manifest.json")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", type=int, default=1_000_000, help="records to curate (default 1,000,000)")
    p.add_argument("--parts", type=int, default=10, help="gzip NDJSON parts (default 10)")
    p.add_argument("--cores", type=int, default=2, help="local Spark cores (default 2)")
    p.add_argument(
        "--merge",
        action="store_true",
        help="also time a second run of as many records, half of them newer versions of the first run's, "
        "merged into the table (merge_* in the output)",
    )
    a = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="tributary-glue-bench-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        manifest = land(root / "raw", a.records, a.parts, "bench-1")
        generate = time.perf_counter() - t0
        t0 = time.perf_counter()
        spark = curate.build_local_spark(
            str(root / "warehouse"), app_name="tributary-glue-bench", cores=a.cores
        )
        spark_start = time.perf_counter() - t0
        argv = ["--run_id", "bench-1", "--manifests", manifest, "--warehouse", str(root / "warehouse")]
        argv += ["--catalog", "hadoop", "--database", "bench"]
        out = io.StringIO()
        t0 = time.perf_counter()
        with redirect_stdout(out):
            code = curate.main(argv, spark=spark)
        wall = time.perf_counter() - t0
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        merge = {}
        if a.merge and code == 0:
            second = land(root / "raw", a.records, a.parts, "bench-2", first=a.records // 2, month=12)
            argv[1], argv[3] = "bench-2", second
            out = io.StringIO()
            t0 = time.perf_counter()
            with redirect_stdout(out):
                code = curate.main(argv, spark=spark)
            merge_wall = time.perf_counter() - t0
            summary = json.loads(out.getvalue().strip().splitlines()[-1])
            if code == 0:
                t = summary["tables"][0]
                merge = {
                    "merge_wall_seconds": round(merge_wall, 2),
                    "merge_rows_per_second": round(a.records / merge_wall),
                    "merge_inserted": t["rowsInserted"],
                    "merge_updated": t["rowsUpdated"],
                }
        spark.stop()
    if code != 0:
        print(json.dumps({"error": summary}), file=sys.stderr)
        return code
    total = summary["tables"][0]["rowsTotal"]  # after the last run
    print(
        json.dumps(
            {
                "records": a.records,
                "rows_total": total,
                "wall_seconds": round(wall, 2),
                "rows_per_second": round(a.records / wall),
                "spark_start_seconds": round(spark_start, 2),
                "generate_seconds": round(generate, 2),
                "cores": a.cores,
                **merge,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
