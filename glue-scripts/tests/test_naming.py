"""Column and table naming: sanitizing and collisions (pure)."""

import logging

from tributary_curate.naming import column_name, resolve_names, sanitize, table_name


def test_sanitize_lowercases_and_keeps_safe_characters():
    assert sanitize("orderDate") == "order_date"
    assert sanitize("Item-ID") == "item_id"
    assert sanitize("price ($)") == "price"
    assert sanitize("a__b") == "a_b"
    assert sanitize("_id") == "_id"
    assert sanitize("1st") == "_1st"
    assert sanitize("préço") == "preco"
    assert sanitize("") == "_"
    assert sanitize("userID") == "user_id"


def test_column_and_table_names():
    assert column_name(("purchase", "price", "value")) == "purchase__price__value"
    assert table_name("casenotes-data", "notes") == "casenotes_data_notes"
    assert table_name("hotmart", "sales_history", ("items",)) == "hotmart_sales_history__items"


def test_collisions_are_resolved_deterministically_and_logged(caplog):
    paths = [("Name",), ("name",), ("na-me",), ("_run_id",)]
    with caplog.at_level(logging.WARNING, logger="tributary.curate"):
        first = resolve_names(paths, reserved=["_run_id"], where="shop/orders")
    again = resolve_names(list(reversed(paths)), reserved=["_run_id"])
    assert first == again
    assert first == {("Name",): "name", ("na-me",): "na_me", ("name",): "name_2", ("_run_id",): "_run_id_2"}
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "name sanitizes to 'name', already taken; named it 'name_2'" in messages
    assert "in shop/orders" in messages
    assert "_run_id" in messages


def test_long_names_are_cut_with_a_hash():
    long = ("a" * 40, "b" * 40)
    name = resolve_names([long])[long]
    assert len(name) <= 63
    assert name.startswith("a" * 10)
    other = ("a" * 40, "b" * 39 + "c")
    assert resolve_names([other])[other] != name
