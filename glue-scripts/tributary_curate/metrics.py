"""The run's CloudWatch metrics, as Embedded Metric Format (EMF) documents printed one per line on stdout:
per stream `RecordsLanded`, `RowsMerged` (inserted + updated), `DriftEvents` (columns added, widened,
diverted or rescued), `DriftUnderFreeze` (those a `freeze` stream refused) and `ChecksFailed`, in the
namespace `Tributary` (the Lambdas' POWERTOOLS_METRICS_NAMESPACE), dimensions `database` + `source` +
`stream`, and `database` alone (what the alarms watch: one alarm per stage, whatever the streams).

Why EMF on stdout, not PutMetricData or a log metric filter: Glue 5.0 writes a job's stdout to the log
group `/aws-glue/jobs/output` ("Logging for AWS Glue jobs",
https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html), a line per event, and
CloudWatch Logs extracts EMF metrics from any log event that is an EMF document, the
`x-amzn-logs-format: json/emf` header being optional
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Generation_PutLogEvents.html).
So: no API call, no grant, and no dependence on the log group's name (a security configuration with
CloudWatch encryption renames it, which a metric filter would have to follow). The document is one
line, printed and flushed alone, before the summary line that stays last.
Spec: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html"""

from __future__ import annotations

import json
import time

from .report import COLUMN_CHANGES

NAMESPACE = "Tributary"
METRICS = ("RecordsLanded", "RowsMerged", "DriftEvents", "DriftUnderFreeze", "ChecksFailed")


def stream_values(stream: dict) -> dict[str, int]:
    """A report stream's metric values."""
    drift = sum(len(stream[k]) for k in COLUMN_CHANGES)
    refused = stream["schemaContract"] == "freeze" and (stream["error"] or {}).get("name") == (
        "SchemaContractError"
    )
    return {
        "RecordsLanded": stream["recordsLanded"],
        "RowsMerged": stream["rowsInserted"] + stream["rowsUpdated"],
        "DriftEvents": drift,
        "DriftUnderFreeze": drift if refused else 0,
        "ChecksFailed": len(stream["checks"]["failed"]),
    }


def emf_documents(report: dict, now_ms: int | None = None) -> list[dict]:
    """One EMF document per stream of the run report (pure)."""
    ts = int(time.time() * 1000) if now_ms is None else now_ms
    docs = []
    for src in report["sources"]:
        for s in src["streams"]:
            docs.append(
                {
                    "_aws": {
                        "Timestamp": ts,
                        "CloudWatchMetrics": [
                            {
                                "Namespace": NAMESPACE,
                                "Dimensions": [["database", "source", "stream"], ["database"]],
                                "Metrics": [{"Name": m, "Unit": "Count"} for m in METRICS],
                            }
                        ],
                    },
                    "database": report["database"],
                    "source": src["source"],
                    "stream": s["stream"],
                    "runId": report["runId"],
                    "status": s["status"],
                    **stream_values(s),
                }
            )
    return docs


def emit(report: dict, out=None) -> None:
    """Prints the run's EMF documents, one JSON line each, flushed."""
    for doc in emf_documents(report):
        print(json.dumps(doc, separators=(",", ":")), file=out, flush=True)
