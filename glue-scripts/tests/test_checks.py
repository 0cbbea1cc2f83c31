"""Data quality checks per stream: planned and judged (pure), parsed from the manifest, and on local Spark
(a merge whose table holds a row without its key fails the run; warn-level checks are reported only)."""

import json
from datetime import UTC, datetime

import pytest
from lake import land

from tributary_curate.checks import CheckSpec, Measures, failures, judge, parse_checks
from tributary_curate.errors import ManifestError

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def outcome(checks):
    return [(c["rule"], c["level"], c["status"], c["observed"]) for c in checks]


def test_the_defaults_check_the_merge_key_at_error_and_the_row_count_at_warn():
    m = Measures(rows=10, null_keys={"id": 0}, distinct_keys=10, newest_cursor=None, rows_before=8)
    assert outcome(judge(CheckSpec(), "merge", ["id"], m, NOW)) == [
        ('IsComplete "id"', "error", "passed", 0),
        ('IsUnique "id"', "error", "passed", 0),
        ("RowCount between 4 and 12", "warn", "passed", 10),
    ]
    # an append stream has no key checks; a new table no row count band
    new = Measures(rows=3, null_keys={}, distinct_keys=None, newest_cursor=None, rows_before=None)
    assert judge(CheckSpec(), "append", [], new, NOW) == []
    emptied = Measures(rows=3, null_keys={}, distinct_keys=None, newest_cursor=None, rows_before=0)
    assert judge(CheckSpec(), "replace", [], emptied, NOW) == []


def test_failed_checks_name_the_rule_and_only_error_level_ones_fail_the_run():
    spec = CheckSpec(freshness_seconds=24 * 3600, freshness_level="warn", row_count_band=0.1)
    m = Measures(
        rows=20, null_keys={"a": 1, "b": 0}, distinct_keys=18, rows_before=10,
        newest_cursor=datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
    )  # fmt: skip
    checks = judge(spec, "merge", ["a", "b"], m, NOW)
    assert outcome(checks) == [
        ('IsComplete "a"', "error", "failed", 1),
        ('IsComplete "b"', "error", "passed", 0),
        ('IsUnique "a" "b"', "error", "failed", 2),
        ('DataFreshness "_cursor" <= 24 hours', "warn", "failed", 172800.0),
        ("RowCount between 9 and 11", "warn", "failed", 20),
    ]
    error = failures("shop/carts", "local.db.shop_carts", checks)
    assert str(error).startswith(
        "shop/carts: 2 error-level check(s) failed on local.db.shop_carts: "
        'IsComplete "a" (1 rows with no a); IsUnique "a" "b" (2 duplicate keys).'
    )
    warn_only = [c for c in checks if c["level"] == "warn"]
    assert failures("shop/carts", "t", warn_only) is None


def test_the_manifest_carries_the_checks():
    assert parse_checks(None, "m") == CheckSpec()
    spec = parse_checks(
        {"primaryKey": "warn", "freshness": {"maxAgeSeconds": 3600, "level": "error"}, "rowCount": None}, "m"
    )
    assert spec == CheckSpec("warn", 3600.0, "error", None, "warn")
    with pytest.raises(ManifestError, match=r"m: checks\.freshness\.maxAgeSeconds must be a positive number"):
        parse_checks({"freshness": {"maxAgeSeconds": 0}}, "m")
    with pytest.raises(ManifestError, match=r"checks\.primaryKey must be one of error, warn, off, not 'x'"):
        parse_checks({"primaryKey": "x"}, "m")


def test_checks_run_after_the_merge_and_are_in_the_report(curate_run, tmp_path):
    spec = {
        "primaryKey": "id", "cursorField": "at",
        "checks": {"freshness": {"maxAgeSeconds": 3600}, "rowCount": {"band": 0.5}},
    }  # fmt: skip
    rows = [{"id": i, "at": "2026-01-01T00:00:00Z"} for i in range(4)]
    first = curate_run("c1", [land(tmp_path, "shop", "carts", "c1", [rows], **spec)])["tables"][0]
    assert outcome(first["checks"]) == [
        ('IsComplete "id"', "error", "passed", 0),
        ('IsUnique "id"', "error", "passed", 0),
        ('DataFreshness "_cursor" <= 1 hours', "warn", "failed", first["checks"][2]["observed"]),
    ]
    # a row without its key: IsComplete fails at error level, the run fails, the report says which
    more = [{"id": i, "at": "2026-01-02T00:00:00Z"} for i in range(4, 10)] + [{"at": "2026-01-02T00:00:00Z"}]
    failed = curate_run(
        "c2", [land(tmp_path, "shop", "carts", "c2", [more], day="20261124", **spec)], expect=1
    )
    assert failed["error"] == "DataQualityError"
    assert 'IsComplete "id" (1 rows with no id)' in failed["message"]
    report = json.loads((curate_run.warehouse.parent / "_runs/c2.json").read_text())
    entry = report["sources"][0]["streams"][0]
    assert entry["status"] == "failed" and entry["rowsInserted"] == 7
    assert [c["rule"] for c in entry["checks"]["failed"]] == [
        'IsComplete "id"',
        'DataFreshness "_cursor" <= 1 hours',
        "RowCount between 2 and 6",
    ]
    assert report["totals"]["checksFailed"] == 3
