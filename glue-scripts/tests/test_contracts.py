"""Schema contracts per stream: `evolve` (default), `freeze`, `discardColumns` — planned (pure) and on
local Spark; and the manifest field that carries the contract."""

import json
from pathlib import Path

import pytest
from lake import land

from tributary_curate.errors import ManifestError, SchemaContractError
from tributary_curate.evolve import apply_contract, plan_evolution
from tributary_curate.manifests import parse_manifest

TABLE = {"id": "int", "qty": "int", "price": "int", "_cursor": "timestamp"}
RUN = [("id", "bigint"), ("qty", "bigint"), ("price", "double"), ("color", "string")]
RANGES = {"id": (1, 2), "qty": (1, 5_000_000_000)}


def plan(contract: str, existing=TABLE):
    ev = plan_evolution(existing, RUN, {}, RANGES, {"_cursor": "timestamp"}, {"id"})
    return apply_contract(ev, existing, contract, "local.db.shop_products")


def test_evolve_is_todays_plan_and_a_new_table_is_created_under_every_contract():
    ev = plan("evolve")
    assert (ev.added, ev.widened, ev.rescued) == (
        [("price__string", "string"), ("color", "string")], [("qty", "int", "bigint")], [],
    )  # fmt: skip
    for contract in ("freeze", "discardColumns"):
        assert [n for n, _ in plan(contract, existing=None).added] == ["id", "qty", "price", "color"]


def test_freeze_names_every_new_and_changed_column():
    with pytest.raises(SchemaContractError) as e:
        plan("freeze")
    assert str(e.value).startswith(
        "local.db.shop_products: schemaContract is freeze, but this run changes the table's columns: "
        "new columns color; qty int -> bigint; price gets values that do not fit its type int. "
        "Nothing of the stream was written and the raw zone keeps the run"
    )
    unchanged = plan_evolution(TABLE, [("id", "bigint")], {}, {"id": (1, 2)}, {}, {"id"})
    assert apply_contract(unchanged, TABLE, "freeze", "t").added == []


def test_discard_columns_adds_none_and_rescues_their_values():
    ev = plan("discardColumns")
    assert (ev.added, ev.widened, ev.as_string) == ([("_rescued", "string")], [("qty", "int", "bigint")], [])
    assert ev.rescued == ["price", "color"]
    assert "color" not in ev.sources and "price" not in ev.sources
    again = plan("discardColumns", existing={**TABLE, "_rescued": "string"})
    assert (again.added, again.rescued) == ([], ["price", "color"])


def test_the_manifest_carries_the_contract():
    base = {"runId": "r1", "source": "s", "stream": "t", "parts": [], "records": 0}
    assert parse_manifest("m", json.dumps(base).encode()).schema_contract == "evolve"
    frozen = parse_manifest("m", json.dumps({**base, "schemaContract": "freeze"}).encode())
    assert frozen.schema_contract == "freeze"
    with pytest.raises(
        ManifestError, match="manifest m: schemaContract 'strict' is not one of evolve, freeze"
    ):
        parse_manifest("m", json.dumps({**base, "schemaContract": "strict"}).encode())


SPEC = {"primaryKey": "id", "cursorField": "updated"}
RUN1 = [{"id": 1, "qty": 5, "price": 10, "updated": "2026-01-01T00:00:00Z"}]
RUN2 = [
    {"id": 1, "qty": 6, "price": 10.5, "color": "red", "size": {"w": 2}, "updated": "2026-01-02T00:00:00Z"},
    {"id": 2, "qty": 7, "price": 3, "updated": "2026-01-02T00:00:00Z"},
]


def test_a_frozen_stream_fails_on_a_new_column_and_a_curate_only_rerun_after_the_decision_works(
    curate_run, tmp_path
):
    curate_run("r1", [land(tmp_path, "shop", "products", "r1", [RUN1], schemaContract="freeze", **SPEC)])
    before = (curate_run.columns("shop_products"), curate_run.rows("shop_products"))
    r2 = land(tmp_path, "shop", "products", "r2", [RUN2], day="20261124", schemaContract="freeze", **SPEC)
    failed = curate_run("r2", [r2], expect=1)
    assert failed["error"] == "SchemaContractError"
    assert (
        "schemaContract is freeze, but this run changes the table's columns: new columns color, size__w; "
        "price gets values that do not fit its type int"
    ) in failed["message"]
    assert (curate_run.columns("shop_products"), curate_run.rows("shop_products")) == before
    report = json.loads((curate_run.warehouse.parent / "_runs/r2.json").read_text())
    assert report["error"]["name"] == "SchemaContractError"
    assert report["sources"][0]["streams"][0]["status"] == "failed"

    # the decision: evolve; the raw zone still holds run 2, curated again from it
    manifest = json.loads(Path(r2).read_text())
    Path(r2).write_text(json.dumps({**manifest, "schemaContract": "evolve"}))
    again = curate_run("r2", [], "--raw_root", str(tmp_path))["tables"][0]
    assert (again["schemaContract"], again["columnsAdded"]) == (
        "evolve",
        ["color", "price__string", "size__w"],
    )
    assert again["rowsInserted"] == 1 and again["rowsUpdated"] == 1


def test_discard_columns_keeps_new_fields_in_rescued_and_loses_nothing(curate_run, tmp_path):
    spec = {**SPEC, "schemaContract": "discardColumns"}
    curate_run("r1", [land(tmp_path, "shop", "items", "r1", [RUN1], **spec)])
    s2 = curate_run("r2", [land(tmp_path, "shop", "items", "r2", [RUN2], day="20261124", **spec)])["tables"][
        0
    ]
    assert (s2["schemaContract"], s2["columnsAdded"], s2["columnsAsString"]) == (
        "discardColumns", ["_rescued"], [],
    )  # fmt: skip
    assert s2["columnsRescued"] == ["color", "price", "size__w"]
    cols = curate_run.columns("shop_items")
    assert "color" not in cols and "price__string" not in cols and cols["_rescued"] == "string"
    rows = {r["id"]: r for r in curate_run.rows("shop_items")}
    assert json.loads(rows[1]["_rescued"]) == {"color": "red", "price": 10.5, "size__w": 2}
    assert (rows[1]["qty"], rows[1]["price"]) == (6, None)
    assert json.loads(rows[2]["_rescued"]) == {"price": 3.0}
