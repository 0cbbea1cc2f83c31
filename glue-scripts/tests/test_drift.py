"""Schema drift across two runs: a new column, int → bigint widening, a conflicting type → string column."""

from lake import land


def test_drift_across_two_runs(curate_run, tmp_path):
    run1 = [{"id": 1, "qty": 5, "price": 10, "active": True, "updated": "2026-01-01T00:00:00Z"}]
    run2 = [
        {
            "id": 1,
            "qty": 5_000_000_000,
            "price": 10.5,
            "active": "yes",
            "color": "red",
            "updated": "2026-01-02T00:00:00Z",
        },
        {"id": 2, "qty": 7, "price": 3, "active": False, "updated": "2026-01-02T00:00:00Z"},
    ]
    spec = {"primaryKey": "id", "cursorField": "updated"}
    first = curate_run("r1", [land(tmp_path, "shop", "products", "r1", [run1], **spec)])["tables"][0]
    assert first["created"] is True
    cols = curate_run.columns("shop_products")
    assert (cols["qty"], cols["price"], cols["active"]) == ("int", "int", "boolean")

    second = curate_run("r2", [land(tmp_path, "shop", "products", "r2", [run2], day="20261124", **spec)])[
        "tables"
    ][0]
    assert second["columnsAdded"] == ["active__string", "color", "price__string"]
    assert second["columnsWidened"] == ["qty: int -> bigint"]
    assert second["columnsAsString"] == ["active -> active__string", "price -> price__string"]
    cols = curate_run.columns("shop_products")
    assert (cols["qty"], cols["price"], cols["price__string"], cols["active__string"], cols["color"]) == (
        "bigint",
        "int",
        "string",
        "string",
        "string",
    )
    rows = {r["id"]: r for r in curate_run.rows("shop_products")}
    assert rows[1]["qty"] == 5_000_000_000
    assert (rows[1]["price"], rows[1]["price__string"]) == (None, "10.5")
    assert (rows[1]["active"], rows[1]["active__string"]) == (None, "yes")
    assert rows[1]["color"] == "red"
    # run 2's id 2 is as conflicting as id 1 (one column type per run): nothing is lost, it is a string too
    assert (rows[2]["price__string"], rows[2]["active__string"], rows[2]["qty"]) == ("3.0", "false", 7)
    assert str(rows[2]["_import_date"]) == "2026-11-24"


def test_a_primary_key_that_changes_type_fails_before_any_change(curate_run, tmp_path):
    spec = {"primaryKey": "id", "cursorField": "updated"}
    curate_run("r1", [land(tmp_path, "shop", "carts", "r1", [[{"id": 1, "updated": "2026-01-01"}]], **spec)])
    before = curate_run.columns("shop_carts")
    bad = land(
        tmp_path, "shop", "carts", "r2", [[{"id": "c-1", "updated": "2026-01-02"}]], day="20261124", **spec
    )
    failed = curate_run("r2", [bad], expect=1)
    assert failed["error"] == "SchemaError"
    assert "key values of this run no longer fit their column: id is int in the table" in failed["message"]
    assert curate_run.columns("shop_carts") == before
