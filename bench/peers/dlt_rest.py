"""dlt as a peer: its `rest_api` source into its `filesystem` destination (local files, gzip JSONL)
against the bench API. argv[1]: JSON {base, case, records, pageSize, shards, out, pipelinesDir}.
Prints one JSON line: {ok, records, wallMs, cpuUserMs, cpuSystemMs, peakRssBytes, error?}.

Measures the work only, as the Node contenders do: `import dlt` happens before the clock starts.
CPU is this process's and its children's (getrusage), peak RSS the larger of the two.
"""

import json
import os
import resource
import sys
import time

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt
from dlt.sources.rest_api import rest_api_source


def paginator(case: dict) -> tuple[str, dict, dict]:
    """(path, paginator, extra params) for one floor case; the instant API is the cursor case."""
    size = case["pageSize"]
    if case["case"] == "offset-total":
        return (
            "v1/orders/by-offset",
            {
                "type": "offset",
                "limit": size,
                "offset_param": "offset",
                "limit_param": "limit",
                "total_path": "total",
            },
            {},
        )
    if case["case"] == "page-total":
        return (
            "v1/orders/by-page",
            {
                "type": "page_number",
                "base_page": 1,
                "page_param": "page",
                "total_path": "total_pages",
            },
            {"per_page": size},
        )
    return (
        "v1/orders",
        {"type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"},
        {},
    )


def main() -> None:
    cfg = json.loads(sys.argv[1])
    path, pag, params = paginator(cfg)
    shards = cfg.get("shards", 1)
    resources = []
    for k in range(shards):
        p = dict(params, **({"shard": k} if shards > 1 else {}))
        resources.append(
            {
                "name": f"orders_{k}" if shards > 1 else "orders",
                "table_name": "orders",
                "endpoint": {
                    "path": path,
                    "params": p,
                    "data_selector": "data",
                    "paginator": pag,
                },
            }
        )
    source = rest_api_source(
        {
            "client": {"base_url": cfg["base"] + "/"},
            "resource_defaults": {"primary_key": "id", "write_disposition": "append"},
            "resources": resources,
        }
    )
    # One row per record, nested values kept as JSON: as Tributary lands them (dlt's default would
    # also unnest lists into child tables, more work than the peers are compared on).
    source.max_table_nesting = 0
    pipeline = dlt.pipeline(
        pipeline_name="bench_dlt",
        pipelines_dir=cfg["pipelinesDir"],
        destination=dlt.destinations.filesystem(bucket_url="file://" + cfg["out"]),
        dataset_name="bench",
    )
    r0s = resource.getrusage(resource.RUSAGE_SELF)
    r0c = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = {"ok": True}
    try:
        pipeline.run(source, loader_file_format="jsonl")
    except Exception as e:  # noqa: BLE001 - any failure is reported; the bench marks the run failed
        out = {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]}
    wall = time.perf_counter() - t0
    r1s = resource.getrusage(resource.RUSAGE_SELF)
    r1c = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.update(
        {
            "wallMs": wall * 1000,
            "cpuUserMs": ((r1s.ru_utime - r0s.ru_utime) + (r1c.ru_utime - r0c.ru_utime))
            * 1000,
            "cpuSystemMs": (
                (r1s.ru_stime - r0s.ru_stime) + (r1c.ru_stime - r0c.ru_stime)
            )
            * 1000,
            "peakRssBytes": max(r1s.ru_maxrss, r1c.ru_maxrss) * 1024,
            "dlt": dlt.__version__,
        }
    )
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
