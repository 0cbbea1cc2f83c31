"""Type drift, schema evolution and newest-wins rules (pure)."""

from datetime import datetime

from tributary_curate.dedupe import newest_per_key, replaces
from tributary_curate.evolve import plan_evolution
from tributary_curate.types import drift, narrow_integral

META = {"_run_id": "string"}


def test_drift_rules():
    assert drift("bigint", "bigint").action == "same"
    assert drift("bigint", "int").action == "cast"
    assert drift("double", "bigint").action == "cast"
    assert (drift("int", "bigint").action, drift("int", "bigint").new_type) == ("widen", "bigint")
    assert (drift("float", "double").action, drift("float", "double").new_type) == ("widen", "double")
    assert drift("string", "boolean").action == "cast"
    assert drift("bigint", "double").action == "string"
    assert drift("boolean", "string").action == "string"
    assert drift("int", "string").action == "string"
    assert drift("decimal(20,0)", "decimal(25,0)").action == "widen"
    assert drift("decimal(20,2)", "decimal(25,0)").action == "string"


def test_integral_columns_are_int_until_a_value_needs_more():
    assert narrow_integral(-5, 2**31 - 1) == "int"
    assert narrow_integral(0, 2**31) == "bigint"
    assert narrow_integral(-(2**31) - 1, 0) == "bigint"


def test_evolution_adds_widens_and_diverts_conflicts():
    existing = {"id": "int", "qty": "int", "price": "bigint", "flag": "boolean", "_run_id": "string"}
    incoming = [
        ("id", "bigint"),
        ("qty", "bigint"),
        ("price", "double"),
        ("flag", "string"),
        ("color", "string"),
        ("empty", "string"),
        ("_run_id", "string"),
    ]
    ev = plan_evolution(
        existing,
        incoming,
        non_null={"empty": 0},
        ranges={"id": (1, 9), "qty": (1, 2**40)},
        fixed=META,
    )
    assert ev.widened == [("qty", "int", "bigint")]
    assert ev.added == [("price__string", "string"), ("flag__string", "string"), ("color", "string")]
    assert ev.as_string == [("price", "price__string"), ("flag", "flag__string")]
    assert ev.all_null == ["empty"]
    assert ev.sources["id"] == ("id", "int")
    assert ev.sources["price__string"] == ("price", "string")
    assert "price" not in ev.sources
    assert dict(ev.final_columns(existing))["qty"] == "bigint"


def test_newest_per_key_by_cursor_then_arrival():
    t = datetime.fromisoformat
    rows = [
        {"id": 1, "_cursor": t("2026-01-02"), "_arrival": (0, 0), "v": "a"},
        {"id": 1, "_cursor": t("2026-01-01"), "_arrival": (1, 0), "v": "older cursor, later arrival"},
        {"id": 2, "_cursor": t("2026-01-01"), "_arrival": (0, 1), "v": "b"},
        {"id": 2, "_cursor": t("2026-01-01"), "_arrival": (0, 2), "v": "same cursor, later arrival"},
        {"id": 3, "_cursor": None, "_arrival": (1, 5), "v": "no cursor"},
        {"id": 3, "_cursor": t("2020-01-01"), "_arrival": (0, 3), "v": "any cursor beats none"},
    ]
    assert {r["id"]: r["v"] for r in newest_per_key(rows, ["id"])} == {
        1: "a",
        2: "same cursor, later arrival",
        3: "any cursor beats none",
    }


def test_replaces_only_when_not_older():
    t = datetime.fromisoformat
    assert replaces(t("2026-01-02"), t("2026-01-01"))
    assert replaces(t("2026-01-01"), t("2026-01-01"))
    assert not replaces(t("2025-12-31"), t("2026-01-01"))
    assert replaces(None, t("2026-01-01"))
