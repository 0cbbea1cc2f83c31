"""Writes raw-zone runs the way the ingestion side lands them: gzip NDJSON parts + `_manifest.json`."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path


def part_bytes(records: list[dict]) -> bytes:
    return gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())


def manifest_for(
    prefix: str,
    run_id: str,
    source: str,
    stream: str,
    parts: list[list[dict]],
    blobs: list[bytes],
    **extra,
) -> dict:
    entries = [
        {
            "key": f"{prefix}/part-{i:05d}.ndjson.gz",
            "records": len(records),
            "bytes": len(blob),
            "sha256": hashlib.sha256(blob).hexdigest(),
        }
        for i, (records, blob) in enumerate(zip(parts, blobs, strict=True))
    ]
    return {
        "runId": run_id,
        "source": source,
        "stream": stream,
        "parts": entries,
        "records": sum(len(p) for p in parts),
        "pages": len(parts),
        "startedAt": "2026-11-23T06:00:00Z",
        "finishedAt": "2026-11-23T06:01:00Z",
        "window": {"since": None, "until": "2026-11-23T06:00:00Z"},
        "watermark": None,
        "primaryKey": None,
        "cursorField": None,
        "writeDisposition": None,
        **extra,
    }


def run_prefix(source: str, stream: str, run_id: str, day: str = "20261123") -> str:
    return (
        f"tests/{source}/{stream}/import_year={day[:4]}/import_month={day[4:6]}/import_day={day[6:]}/"
        f"import_date={day}/run_id={run_id}"
    )


def land(
    root: Path, source: str, stream: str, run_id: str, parts: list[list[dict]], day: str = "20261123", **extra
) -> str:
    """Lands a run of one stream under the folder `root` (the bucket); returns the manifest's path."""
    prefix = run_prefix(source, stream, run_id, day)
    blobs = [part_bytes(p) for p in parts]
    folder = root / prefix
    folder.mkdir(parents=True, exist_ok=True)
    for i, blob in enumerate(blobs):
        (folder / f"part-{i:05d}.ndjson.gz").write_bytes(blob)
    manifest = manifest_for(prefix, run_id, source, stream, parts, blobs, **extra)
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    return str(folder / "_manifest.json")
