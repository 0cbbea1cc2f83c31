"""The run report: one JSON document per run (`_runs/<runId>.json` next to the warehouse), per source and
stream, of what landed and what the curated tables got. Its shape is `docs/schemas/run-report.schema.json`.

Built from the per-table summaries the job already returns (pure), then written to S3 or a folder."""

from __future__ import annotations

import json
import os
import posixpath
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

from .errors import ReportError

REPORT_VERSION = 1
RUNS_FOLDER = "_runs"
#: The report's lists of a stream's changed columns.
COLUMN_CHANGES = ("columnsAdded", "columnsWidened", "columnsDiverted", "columnsRescued")


def runs_root(warehouse: str, override: str | None = None) -> str:
    """Where run reports go: `override`, else the folder `_runs/` next to the warehouse
    (`s3://curated/warehouse/` → `s3://curated/_runs/`; a bucket's root → `_runs/` in it)."""
    if override:
        return override.rstrip("/") + "/"
    if warehouse.startswith(("s3://", "s3a://")):
        bucket, _, prefix = warehouse.split("://", 1)[1].partition("/")
        parent = posixpath.dirname(prefix.strip("/"))
        return f"s3://{bucket}/" + (f"{parent}/" if parent else "") + f"{RUNS_FOLDER}/"
    return str(Path(warehouse).resolve().parent / RUNS_FOLDER) + "/"


def report_uri(root: str, run_id: str) -> str:
    return f"{root}{run_id}.json"


def brief_uri(root: str, run_id: str) -> str:
    """Where the report's compact form goes, beside it: the state machine reads this one (a task's
    result is limited to 256 KiB; a whole report of many streams could pass that)."""
    return f"{root}{run_id}.brief.json"


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stream_entry(table: dict) -> dict:
    """A stream's section of the report, from its table summary (`curate_stream`'s result)."""
    rec = table.get("reconciliation") or {}
    error = table.get("error")
    status = "failed" if error else "skipped" if table.get("skipped") else "curated"
    checks = table.get("checks") or []
    return {
        "stream": table["stream"],
        "status": status,
        "table": table.get("table"),
        "disposition": table.get("disposition"),
        "schemaContract": table.get("schemaContract", "evolve"),
        "manifests": table.get("manifests", []),
        "recordsLanded": table.get("recordsLanded", 0),
        "rowsRead": table.get("rowsRead", 0),
        "rowsInRun": table.get("rowsInRun", 0),
        "rowsInserted": table.get("rowsInserted", 0),
        "rowsUpdated": table.get("rowsUpdated", 0),
        "rowsUnchanged": table.get("rowsUnchanged", 0),
        "rowsDeduplicated": rec.get("deduplicated", 0),
        "rowsDeleted": table.get("rowsDeleted", 0),
        "rowsRejected": 0,
        "rowsTotal": table.get("rowsTotal"),
        "columnsAdded": table.get("columnsAdded", []),
        "columnsWidened": table.get("columnsWidened", []),
        "columnsDiverted": table.get("columnsAsString", []),
        "columnsRescued": table.get("columnsRescued", []),
        "childTables": [
            {"table": c["table"], "rowsInserted": c["rowsInserted"], "rowsTotal": c["rowsTotal"]}
            for c in table.get("childTables", [])
        ],
        "reconciliation": rec or None,
        "checks": {
            "passed": [c for c in checks if c["status"] == "passed"],
            "failed": [c for c in checks if c["status"] == "failed"],
        },
        "durationSeconds": table.get("durationSeconds", 0.0),
        "error": error,
    }


def build_report(
    run_id: str,
    catalog: str,
    database: str,
    tables: list[dict],
    started: datetime,
    finished: datetime,
    error: dict | None = None,
    postgres_schema: str | None = None,
) -> dict:
    """The report of a run: `tables` are the streams' summaries in the order curated (a failed stream's
    carries `error`); `error` is the run's failure, if any; `postgres_schema` the PostgreSQL target's
    schema when the run has one (else the section `postgres` is null)."""
    sources: OrderedDict[str, list[dict]] = OrderedDict()
    for t in tables:
        sources.setdefault(t["source"], []).append(stream_entry(t))
    streams = [s for ss in sources.values() for s in ss]
    return {
        "reportVersion": REPORT_VERSION,
        "runId": run_id,
        "status": "failed" if error else "succeeded",
        "error": error,
        "startedAt": _iso(started),
        "finishedAt": _iso(finished),
        "durationSeconds": round((finished - started).total_seconds(), 3),
        "catalog": catalog,
        "database": database,
        "totals": {
            "streams": len(streams),
            "streamsFailed": sum(1 for s in streams if s["status"] == "failed"),
            "recordsLanded": sum(s["recordsLanded"] for s in streams),
            "rowsInserted": sum(s["rowsInserted"] for s in streams),
            "rowsUpdated": sum(s["rowsUpdated"] for s in streams),
            "columnsChanged": sum(len(s[k]) for s in streams for k in COLUMN_CHANGES),
            "checksFailed": sum(len(s["checks"]["failed"]) for s in streams),
        },
        "sources": [
            {"source": name, "recordsLanded": sum(s["recordsLanded"] for s in ss), "streams": ss}
            for name, ss in sources.items()
        ],
        "postgres": postgres_section(tables, postgres_schema),
    }


#: A PostgreSQL table's counts in the report, as the upsert's result names them.
PG_COUNTS = ("rowsStaged", "rowsInserted", "rowsUpdated", "rowsDeleted", "rowsTotal")


def postgres_section(tables: list[dict], schema: str | None) -> dict | None:
    """Per PostgreSQL table the run wrote (each stream's table, then its child tables): rows upserted
    (inserted + updated), deleted (a merge's replaced children; append: the run's earlier rows; replace:
    the previous rows) and the table's rows after. A stream whose upsert failed wrote nothing there."""
    if schema is None:
        return None
    out = []
    for t in tables:
        pg = t.get("postgres")
        if not pg:
            continue
        for entry, parent in [(pg, None), *[(c, pg["table"]) for c in pg.get("childTables", [])]]:
            counts = {k: entry.get(k, 0) for k in PG_COUNTS}
            out.append(
                {
                    "table": entry["table"],
                    "source": t["source"],
                    "stream": t["stream"],
                    "parentTable": parent,
                    "disposition": entry["disposition"],
                    "rowsUpserted": counts["rowsInserted"] + counts["rowsUpdated"],
                    **counts,
                    "columnsAdded": entry.get("columnsAdded", []),
                    "columnsWidened": entry.get("columnsWidened", []),
                }
            )
    return {
        "schema": schema,
        "tables": out,
        "totals": {
            "tables": len(out),
            "rowsUpserted": sum(e["rowsUpserted"] for e in out),
            "rowsDeleted": sum(e["rowsDeleted"] for e in out),
        },
    }


def brief(report: dict, uri: str) -> dict:
    """The report's summary for the job's last stdout line."""
    return {"uri": uri, "status": report["status"], **report["totals"]}


#: Bounds of the compact form, so it stays far under a state's 256 KiB whatever the run.
BRIEF_STREAMS = 100
BRIEF_SENTENCE = 2000


def _cap(parts: list[str], limit: int = BRIEF_SENTENCE) -> str:
    """`parts` joined by "; ", cut to `limit` characters with how many were left out."""
    out = ""
    for i, p in enumerate(parts):
        more = f"{out}; {p}" if out else p
        if len(more) > limit:
            return f"{out}; … and {len(parts) - i} more" if out else p[: limit - 1] + "…"
        out = more
    return out


def _drift(s: dict) -> list[str]:
    """A stream's column changes, in words: `new columns a, b`, `widened q: int -> bigint`, …"""
    words = []
    if s["columnsAdded"]:
        words.append("new columns " + ", ".join(s["columnsAdded"]))
    words += [f"widened {c}" for c in s["columnsWidened"]]
    words += [f"diverted {c}" for c in s["columnsDiverted"]]
    if s["columnsRescued"]:
        words.append("rescued " + ", ".join(s["columnsRescued"]))
    return words


def state_brief(report: dict, uri: str) -> dict:
    """The report's compact form for the state machine's output and its Fail cause (`_runs/<runId>
    .brief.json`): status, totals, the streams with drift, a failed check or an error, and the sentences
    the Fail cause quotes, e.g. `drift under freeze: github.issues (new columns x, y)` and
    `failed checks: stripe.charges IsUnique "id" (error)`; `findings` joins them ("" when all is well)."""
    streams, drift, frozen, checks = [], [], [], []
    for src in report["sources"]:
        for s in src["streams"]:
            name = f"{src['source']}.{s['stream']}"
            words = _drift(s)
            failed = [f"{c['rule']} ({c['level']})" for c in s["checks"]["failed"]]
            if words:
                refused = s["schemaContract"] == "freeze" and (s["error"] or {}).get("name") == (
                    "SchemaContractError"
                )
                (frozen if refused else drift).append(f"{name} ({'; '.join(words)})")
            checks += [f"{name} {c}" for c in failed]
            if words or failed or s["error"]:
                streams.append(
                    {
                        "source": src["source"],
                        "stream": s["stream"],
                        "status": s["status"],
                        "schemaContract": s["schemaContract"],
                        "drift": words,
                        "failedChecks": failed,
                        "error": s["error"]["name"] if s["error"] else None,
                    }
                )
    sentences = {"drift": _cap(drift), "driftUnderFreeze": _cap(frozen), "failedChecks": _cap(checks)}
    findings = [
        f"{label}: {sentences[key]}"
        for key, label in (("driftUnderFreeze", "drift under freeze"), ("failedChecks", "failed checks"),
                           ("drift", "drift"))
        if sentences[key]
    ]  # fmt: skip
    error = report["error"]
    return {
        "uri": uri,
        "runId": report["runId"],
        "status": report["status"],
        "error": None if error is None else {**error, "message": error["message"][:BRIEF_SENTENCE]},
        "totals": report["totals"],
        "streams": streams[:BRIEF_STREAMS],
        "streamsLeftOut": max(0, len(streams) - BRIEF_STREAMS),
        **sentences,
        "findings": "; ".join(findings),
    }


def write_report(report: dict, uri: str, s3=None) -> None:
    """Writes the report as JSON to `uri` (`s3://…` or a path), replacing an earlier attempt's."""
    body = json.dumps(report, indent=2, default=str).encode()
    try:
        if uri.startswith(("s3://", "s3a://")):
            from .manifests import s3_client, split_s3

            bucket, key = split_s3(uri)
            (s3 or s3_client()).put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
        else:
            path = Path(uri)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".json.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, path)
    except Exception as e:
        raise ReportError(f"cannot write the run report to {uri}: {e}") from e


def clear_reports(uris: list[str], s3=None) -> None:
    """Removes the reports at `uris` (a rerun's start: an attempt that fails early leaves none)."""
    try:
        for uri in uris:
            if uri.startswith(("s3://", "s3a://")):
                from .manifests import s3_client, split_s3

                bucket, key = split_s3(uri)
                (s3 or s3_client()).delete_object(Bucket=bucket, Key=key)
            else:
                Path(uri).unlink(missing_ok=True)
    except Exception as e:
        raise ReportError(f"cannot remove the earlier run report {uri}: {e}") from e
