"""Manifests: reading, checking against the contract, finding a run's manifests, and where each part is.

A manifest (docs/contracts.md, "Raw zone") is `{ runId, source, stream, parts: [{key, records, bytes,
sha256}], records, pages, startedAt, finishedAt, window, watermark, primaryKey, cursorField, writeDisposition,
childTables?, schemaContract?, checks? }`. Its contract is `manifest.schema.json` in this package,
generated from the core's zod definition (packages/core/src/landing/ManifestSchema.ts, `pnpm run
schemas`); every manifest read is validated against it after the checks below, which name the domain rules.
Part keys are object keys in the manifest's bucket; locally, paths under the same root as the manifest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path

from .checks import parse_checks
from .errors import ManifestError, PartMismatchError
from .store import local_path, part_location, read_bytes, s3_client, split_s3

DISPOSITIONS = ("merge", "append", "replace")
#: What a stream's curated table does with new or changed columns (docs/contracts.md, Schema contracts).
SCHEMA_CONTRACTS = ("evolve", "freeze", "discardColumns")
MANIFEST_NAME = "_manifest.json"
#: The manifest's JSON Schema, shipped inside this package (in the job's --extra-py-files zip).
SCHEMA_FILE = "manifest.schema.json"


@dataclass(frozen=True)
class Part:
    key: str
    records: int
    bytes: int | None
    sha256: str | None
    #: Where Spark reads it: `s3://bucket/key` or a local path.
    location: str


@dataclass(frozen=True)
class Manifest:
    uri: str
    run_id: str
    source: str
    stream: str
    parts: list[Part]
    records: int | None
    primary_key: list[str]
    cursor_field: str | None
    write_disposition: str
    child_tables: list[str]
    ingested_at: datetime
    import_date: date
    #: `evolve` (default), `freeze` or `discardColumns`.
    schema_contract: str = "evolve"
    #: The stream's data quality checks (`checks.CheckSpec`); `None`: the defaults.
    checks: object = None


def split_uris(value: str) -> list[str]:
    """`--manifests` as a JSON list or comma-separated URIs."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("["):
        try:
            items = json.loads(value)
        except json.JSONDecodeError as e:
            raise ManifestError(f"--manifests is not a valid JSON list: {e}") from e
        if not all(isinstance(i, str) for i in items):
            raise ManifestError("--manifests: every item of the JSON list must be a string URI")
        return [i.strip() for i in items if i.strip()]
    return [u.strip() for u in value.split(",") if u.strip()]


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@cache
def _validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate_manifest(uri: str, manifest: object) -> None:
    """Checks a manifest against `manifest.schema.json`; the most relevant problem (jsonschema's
    `best_match`, which looks inside `anyOf`) names the manifest, the JSON path of the value and what is
    wrong with it, e.g. `manifest …: $.parts[0]: Additional properties are not allowed ('size' was …)`."""
    from jsonschema.exceptions import best_match

    errors = list(_validator().iter_errors(manifest))
    if errors:
        e = best_match(errors)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ManifestError(f"manifest {uri}: {e.json_path}: {e.message}{more}")


def parse_manifest(uri: str, raw: bytes, run_id: str | None = None) -> Manifest:
    """Checks a manifest against the contract; every error names the manifest and the field."""
    try:
        m = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ManifestError(f"manifest {uri} is not valid JSON: {e}") from e
    if not isinstance(m, dict):
        raise ManifestError(f"manifest {uri}: expected a JSON object")

    def need(field: str, kind: type | tuple[type, ...]):
        v = m.get(field)
        if not isinstance(v, kind) or (isinstance(v, str) and not v):
            raise ManifestError(f"manifest {uri}: field {field!r} is missing or not a {_kind(kind)}")
        return v

    rid, source, stream = need("runId", str), need("source", str), need("stream", str)
    if run_id and rid != run_id:
        raise ManifestError(f"manifest {uri}: runId {rid!r} is not the run being curated ({run_id!r})")
    parts = [_parse_part(uri, i, p) for i, p in enumerate(need("parts", list))]
    total = m.get("records")
    if isinstance(total, int) and total != sum(p.records for p in parts):
        raise ManifestError(
            f"manifest {uri}: records is {total} but its parts add up to {sum(p.records for p in parts)}"
        )
    primary_key = _primary_key(uri, m.get("primaryKey"))
    cursor = m.get("cursorField")
    if cursor is not None and (not isinstance(cursor, str) or not cursor):
        raise ManifestError(f"manifest {uri}: cursorField must be a string or null")
    disposition = m.get("writeDisposition") or ("merge" if primary_key else "append")
    _one_of(uri, "writeDisposition", disposition, DISPOSITIONS)
    if disposition == "merge" and not primary_key:
        raise ManifestError(f"manifest {uri}: writeDisposition 'merge' needs a primaryKey")
    child = m.get("childTables") or []
    if not isinstance(child, list) or not all(isinstance(c, str) and c for c in child):
        raise ManifestError(f"manifest {uri}: childTables must be a list of field names")
    contract = m.get("schemaContract") or "evolve"
    _one_of(uri, "schemaContract", contract, SCHEMA_CONTRACTS)
    ingested = _parse_time(m.get("finishedAt")) or _parse_time(m.get("startedAt")) or datetime.now(UTC)
    found = re.search(r"import_date=(\d{8})", uri)
    day = datetime.strptime(found.group(1), "%Y%m%d").date() if found else ingested.date()
    checks = parse_checks(m.get("checks"), f"manifest {uri}")
    validate_manifest(uri, m)
    return Manifest(
        uri, rid, source, stream, parts, total, primary_key, cursor, disposition, child, ingested, day,
        contract, checks,
    )  # fmt: skip


def _parse_part(uri: str, i: int, p: object) -> Part:
    where = f"manifest {uri}: parts[{i}]"
    if not isinstance(p, dict) or not isinstance(p.get("key"), str) or not p["key"]:
        raise ManifestError(f"{where}.key is missing or not a string")
    n = p.get("records")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ManifestError(f"{where}.records is missing or not a count")
    size, sha = p.get("bytes"), p.get("sha256")
    return Part(
        key=p["key"],
        records=n,
        bytes=size if isinstance(size, int) and not isinstance(size, bool) else None,
        sha256=sha if isinstance(sha, str) and sha else None,
        location=part_location(uri, p["key"]),
    )


def _primary_key(uri: str, pk: object) -> list[str]:
    if pk is None or pk == []:
        return []
    if isinstance(pk, str) and pk:
        return [pk]
    if isinstance(pk, list) and all(isinstance(k, str) and k for k in pk):
        return list(pk)
    raise ManifestError(f"manifest {uri}: primaryKey must be a string, a list of strings or null")


def _one_of(uri: str, field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ManifestError(f"manifest {uri}: {field} {value!r} is not one of {', '.join(allowed)}")


def _kind(kind: type | tuple[type, ...]) -> str:
    names = {str: "non-empty string", list: "list", dict: "object", int: "number"}
    ks = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in ks)


def load_manifests(uris: list[str], run_id: str | None = None, s3=None) -> list[Manifest]:
    return [parse_manifest(u, read_bytes(u, s3), run_id) for u in uris]


#: A backfill slice's run folder suffix, `.slice-<since>-<until>` in compact UTC (docs/contracts.md).
_SLICE = r"\.slice-\d{8}T\d{6,9}Z-\d{8}T\d{6,9}Z"


def _run_manifest(run_id: str) -> re.Pattern[str]:
    """`…/run_id=<run_id>/_manifest.json`, and a backfill slice's `…/run_id=<run_id>.slice-<bounds>/…`."""
    return re.compile(rf"/run_id={re.escape(run_id)}(?:{_SLICE})?/{re.escape(MANIFEST_NAME)}$")


def discover(raw_root: str, run_id: str, s3=None) -> list[str]:
    """Every `…/run_id=<run_id>/_manifest.json` under `raw_root` (an `s3://bucket/prefix` or a folder), and
    every slice's of a backfill (`…/run_id=<run_id>.slice-<bounds>/_manifest.json`), sorted. A partition
    without a manifest is incomplete and is not curated."""
    pattern = _run_manifest(run_id)
    if raw_root.startswith(("s3://", "s3a://")):
        bucket, prefix = split_s3(raw_root)
        client = s3 or s3_client()
        found = []
        try:
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                keys = [o["Key"] for o in page.get("Contents", [])]
                found += [f"s3://{bucket}/{k}" for k in keys if pattern.search("/" + k)]
        except Exception as e:
            raise ManifestError(f"cannot list {raw_root}: {e}") from e
        return sorted(found)
    root = local_path(raw_root)
    if not root.is_dir():
        raise ManifestError(f"--raw_root {raw_root} is not a folder")
    return sorted(str(p) for p in root.rglob(MANIFEST_NAME) if pattern.search(str(p)))


def _sha_matches(expected: str, digest: bytes) -> bool:
    return expected.lower() == digest.hex() or expected == base64.b64encode(digest).decode()


def check_bytes(part: Part, data: bytes) -> None:
    """Size and sha256 of a part's bytes against its manifest entry."""
    if part.bytes is not None and len(data) != part.bytes:
        raise PartMismatchError(f"part {part.key}: {len(data)} bytes, the manifest says {part.bytes}")
    if part.sha256 and not _sha_matches(part.sha256, hashlib.sha256(data).digest()):
        raise PartMismatchError(f"part {part.key}: sha256 differs from the manifest's")


def localize(manifests: list[Manifest], mirror: Path, s3=None) -> list[Manifest]:
    """For local Spark: parts on `s3://` are copied into `mirror/<bucket>/<key>`; every part's size and
    sha256 are checked on the way (on Glue, Spark reads `s3://` directly and counts are checked)."""
    out = []
    for m in manifests:
        parts = []
        for p in m.parts:
            if p.location.startswith(("s3://", "s3a://")):
                data = read_bytes(p.location, s3)
                bucket, key = split_s3(p.location)
                target = mirror / bucket / key
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                location = str(target)
            else:
                try:
                    data = local_path(p.location).read_bytes()
                except OSError as e:
                    raise PartMismatchError(
                        f"part {p.key}: cannot read {p.location}: {e.strerror or e}"
                    ) from e
                location = str(local_path(p.location))
            check_bytes(p, data)
            parts.append(Part(p.key, p.records, p.bytes, p.sha256, location))
        out.append(Manifest(**{**m.__dict__, "parts": parts}))
    return out
