"""Reads the curated Iceberg tables of a local warehouse back (the demo's and the e2e tests' view).

    .venv/bin/python packages/sandbox/python/read_curated.py --warehouse .local/demo/warehouse \
        [--database tributary_dev] [--sql "SELECT ... FROM local.tributary_dev.github_issues"] \
        [--keys github_issues=id,stripe_charges=id] [--json]

Without --sql, or with --keys: every table with its row count (and for --keys, the distinct count of that column, or of
the columns of a composite key written a+b).
With --json the last stdout line is a JSON object: {"tables": {name: {"rows": n, "distinct": n}}, "rows": [...]}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../glue-scripts"))

from tributary_curate.session import build_local_spark


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--warehouse", required=True)
    p.add_argument("--database", default="tributary_dev")
    p.add_argument("--sql", action="append", default=[])
    p.add_argument(
        "--keys",
        default="",
        help="table=column pairs whose distinct counts to report (a composite key: a+b)",
    )
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    spark = build_local_spark(a.warehouse, app_name="tributary-read-curated")
    keys = dict(pair.split("=", 1) for pair in a.keys.split(",") if "=" in pair)
    out: dict = {"tables": {}, "rows": []}
    if not a.sql or keys:
        names = [r.tableName for r in spark.sql(f"SHOW TABLES IN local.{a.database}").collect()]
        for name in sorted(names):
            table = f"local.{a.database}.`{name}`"
            entry = {"rows": spark.sql(f"SELECT count(*) AS n FROM {table}").first().n}
            if name in keys:
                columns = ", ".join(f"`{c}`" for c in keys[name].split("+"))
                entry["distinct"] = spark.sql(f"SELECT count(DISTINCT {columns}) AS n FROM {table}").first().n
            out["tables"][name] = entry
            if not a.json:
                print(f"{name:40} {entry['rows']:>10} rows")
    for sql in a.sql:
        rows = [r.asDict(recursive=True) for r in spark.sql(sql).collect()]
        out["rows"].append(rows)
        if not a.json:
            spark.sql(sql).show(20, truncate=60)
    if a.json:
        print(json.dumps(out, default=str))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
