"""Airbyte's declarative (low-code) CDK as a peer: a manifest for the bench API, read with
`ConcurrentDeclarativeSource`, its RECORD messages written by this script to one gzip JSONL file
(the bench's own sink: an Airbyte destination is a separate program, not run here).
argv[1]: JSON {base, case, records, pageSize, shards, out}. Prints one JSON line:
{ok, records, wallMs, cpuUserMs, cpuSystemMs, peakRssBytes, airbyteCdk, error?}.

Measures the work only, as the other contenders do: imports happen before the clock starts.
"""

import gzip
import importlib.metadata
import json
import logging
import os
import resource
import sys
import time

from airbyte_cdk.models import (
    AirbyteStream,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteStream,
    DestinationSyncMode,
    SyncMode,
    Type,
)
from airbyte_cdk.sources.declarative.concurrent_declarative_source import (
    ConcurrentDeclarativeSource,
)


def option(field: str) -> dict:
    return {
        "type": "RequestOption",
        "inject_into": "request_parameter",
        "field_name": field,
    }


def paginator(case: str, size: int) -> tuple[str, dict]:
    if case == "offset-total":
        strategy = {"type": "OffsetIncrement", "page_size": size}
        return "/v1/orders/by-offset", {
            "type": "DefaultPaginator",
            "page_size_option": option("limit"),
            "page_token_option": option("offset"),
            "pagination_strategy": strategy,
        }
    if case == "page-total":
        strategy = {"type": "PageIncrement", "page_size": size, "start_from_page": 1}
        return "/v1/orders/by-page", {
            "type": "DefaultPaginator",
            "page_size_option": option("per_page"),
            "page_token_option": option("page"),
            "pagination_strategy": strategy,
        }
    strategy = {
        "type": "CursorPagination",
        "cursor_value": "{{ response.next_cursor }}",
        "stop_condition": "{{ not response.has_more }}",
    }
    return "/v1/orders", {
        "type": "DefaultPaginator",
        "page_token_option": option("cursor"),
        "pagination_strategy": strategy,
    }


def manifest(cfg: dict) -> dict:
    path, pag = paginator(cfg["case"], cfg["pageSize"])
    retriever = {
        "type": "SimpleRetriever",
        "requester": {"type": "HttpRequester", "url_base": cfg["base"], "path": path},
        "record_selector": {
            "type": "RecordSelector",
            "extractor": {"type": "DpathExtractor", "field_path": ["data"]},
        },
        "paginator": pag,
    }
    if cfg.get("shards", 1) > 1:
        retriever["partition_router"] = {
            "type": "ListPartitionRouter",
            "cursor_field": "shard",
            "values": [str(k) for k in range(cfg["shards"])],
            "request_option": option("shard"),
        }
    stream = {
        "type": "DeclarativeStream",
        "name": "orders",
        "primary_key": "id",
        "retriever": retriever,
        "schema_loader": {"type": "InlineSchemaLoader", "schema": {"type": "object"}},
    }
    return {
        "version": "6.0.0",
        "type": "DeclarativeSource",
        "check": {"type": "CheckStream", "stream_names": ["orders"]},
        "streams": [stream],
    }


def main() -> None:
    cfg = json.loads(sys.argv[1])
    source = ConcurrentDeclarativeSource(source_config=manifest(cfg), config={})
    stream = AirbyteStream(
        name="orders", json_schema={}, supported_sync_modes=[SyncMode.full_refresh]
    )
    catalog = ConfiguredAirbyteCatalog(
        streams=[
            ConfiguredAirbyteStream(
                stream=stream,
                sync_mode=SyncMode.full_refresh,
                destination_sync_mode=DestinationSyncMode.append,
            )
        ]
    )
    os.makedirs(cfg["out"], exist_ok=True)
    out: dict = {"ok": True}
    records = 0
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    try:
        with gzip.open(
            os.path.join(cfg["out"], "orders.jsonl.gz"), "wt", compresslevel=1
        ) as f:
            for m in source.read(logging.getLogger("airbyte"), {}, catalog):
                if m.type == Type.RECORD:
                    f.write(json.dumps(m.record.data))
                    f.write("\n")
                    records += 1
                elif m.type == Type.TRACE and m.trace.error:
                    out = {"ok": False, "error": str(m.trace.error.message)[:300]}
    except Exception as e:  # noqa: BLE001 - any failure is reported; the bench marks the run failed
        out = {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]}
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    out.update(
        {
            "records": records,
            "wallMs": wall * 1000,
            "cpuUserMs": (r1.ru_utime - r0.ru_utime) * 1000,
            "cpuSystemMs": (r1.ru_stime - r0.ru_stime) * 1000,
            "peakRssBytes": r1.ru_maxrss * 1024,
            "airbyteCdk": importlib.metadata.version("airbyte-cdk"),
        }
    )
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
