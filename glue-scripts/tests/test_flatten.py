"""Flattening on local Spark: nested objects to `parent__child`, depth, arrays as JSON or child tables."""

import json
from datetime import datetime

from lake import land

from tributary_curate.flatten import plan_flatten


def sale(tx: str, order_ms: int, price: float, items: list[dict], **buyer) -> dict:
    """A Hotmart-like sale from the sales history API: objects three levels deep, epoch-millisecond dates."""
    return {
        "product": {"id": 3001, "name": "Data Lakes 101"},
        "buyer": {"name": "Ana", "ucode": "B-1", "email": "ana@example.com", **buyer},
        "producer": {"name": "Tributary Ltd", "ucode": "P-1"},
        "purchase": {
            "transaction": tx,
            "order_date": order_ms,
            "approved_date": order_ms + 60_000,
            "status": "APPROVED",
            "is_subscription": False,
            "price": {"value": price, "currency_code": "BRL"},
            "payment": {"method": "CREDIT_CARD", "installments_number": 3, "type": "CREDIT_CARD"},
            "tracking": {"source_sck": "HOTMART_PRODUCT_PAGE", "external_code": None},
        },
        "items": items,
        "tags": ["a", "b"],
    }


def test_plan_flattens_to_depth_and_keeps_arrays_as_json():
    schema = {
        "type": "struct",
        "fields": [
            {"name": "a", "type": {"type": "struct", "fields": [
                {"name": "b", "type": {"type": "struct", "fields": [{"name": "c", "type": "long"}]}},
                {"name": "list", "type": {"type": "array", "elementType": "long"}},
            ]}},
            {"name": "Id", "type": "long"},
        ],
    }  # fmt: skip
    deep = plan_flatten(schema, max_depth=4)
    assert [(x.name, x.type, x.as_json) for x in deep.leaves] == [
        ("a__b__c", "bigint", False),
        ("a__list", "string", True),
        ("id", "bigint", False),
    ]
    shallow = plan_flatten(schema, max_depth=1)
    assert [(x.name, x.as_json) for x in shallow.leaves] == [("a__b", True), ("a__list", True), ("id", False)]
    assert [x.name for x in plan_flatten(schema, max_depth=0).leaves] == ["a", "id"]
    child = plan_flatten(schema, child_fields=["a.list"])
    assert [c.suffix for c in child.children] == ["a__list"]
    assert [x.name for x in child.children[0].leaves] == ["value"]
    assert "a__list" not in [x.name for x in child.leaves]


def test_hotmart_like_sales_flatten_with_child_table(curate_run, tmp_path):
    records = [
        sale("HP1", 1_700_000_000_000, 97.5, [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]),
        sale("HP2", 1_700_000_500_000, 10.0, [{"sku": "C", "qty": 5}], phone="+55"),
    ]
    m = land(
        tmp_path,
        "hotmart",
        "sales_history",
        "r1",
        [records],
        primaryKey="purchase.transaction",
        cursorField="purchase.order_date",
        childTables=["items"],
    )
    summary = curate_run("r1", [m])
    [table] = summary["tables"]
    assert table["table"].endswith(".hotmart_sales_history")
    assert [c["table"].rsplit(".", 1)[1] for c in table["childTables"]] == ["hotmart_sales_history__items"]

    cols = curate_run.columns("hotmart_sales_history")
    assert cols["purchase__transaction"] == "string"
    assert cols["purchase__price__value"] == "double"
    assert cols["purchase__payment__installments_number"] == "int"
    assert cols["purchase__is_subscription"] == "boolean"
    assert cols["tags"] == "string"
    assert (
        "items" not in cols and "purchase__tracking__external_code" not in cols
    )  # child table; no value yet
    assert {"_source", "_stream", "_run_id", "_ingested_at", "_import_date", "_cursor"} <= set(cols)

    rows = curate_run.rows("hotmart_sales_history", "purchase__transaction")
    assert [r["purchase__transaction"] for r in rows] == ["HP1", "HP2"]
    first = rows[0]
    assert first["buyer__email"] == "ana@example.com" and first["purchase__price__currency_code"] == "BRL"
    assert json.loads(first["tags"]) == ["a", "b"]
    assert first["_cursor"] == datetime(2023, 11, 14, 22, 13, 20)
    assert (first["_source"], first["_stream"], first["_run_id"]) == ("hotmart", "sales_history", "r1")
    assert str(first["_import_date"]) == "2026-11-23" and first["_ingested_at"] == datetime(
        2026, 11, 23, 6, 1
    )
    assert rows[1]["buyer__phone"] == "+55" and rows[0]["buyer__phone"] is None

    items = curate_run.rows("hotmart_sales_history__items", "_parent_purchase__transaction,_index")
    assert [(r["_parent_purchase__transaction"], r["_index"], r["sku"], r["qty"]) for r in items] == [
        ("HP1", 0, "A", 1),
        ("HP1", 1, "B", 2),
        ("HP2", 0, "C", 5),
    ]
    assert items[0]["_run_id"] == "r1"


def test_max_depth_keeps_deeper_objects_as_json(curate_run, tmp_path):
    m = land(tmp_path, "hotmart", "sales_history", "r1", [[sale("HP1", 1_700_000_000_000, 1.0, [])]])
    curate_run("r1", [m], "--max_depth", "1")
    cols = curate_run.columns("hotmart_sales_history")
    assert "purchase__price" in cols and "purchase__price__value" not in cols
    [row] = curate_run.rows("hotmart_sales_history")
    assert json.loads(row["purchase__price"]) == {"value": 1.0, "currency_code": "BRL"}
    assert json.loads(row["items"]) == []


def test_colliding_field_names_get_distinct_columns(curate_run, tmp_path):
    m = land(
        tmp_path, "shop", "things", "r1", [[{"Name": "upper", "name": "lower", "_run_id": "mine", "a b": 1}]]
    )
    curate_run("r1", [m])
    [row] = curate_run.rows("shop_things")
    assert (row["name"], row["name_2"], row["_run_id_2"], row["a_b"]) == ("upper", "lower", "mine", 1)
    assert row["_run_id"] == "r1"
