"""Column and table naming: sanitizing and collisions (pure).

The rule is docs/contracts.md's "Column names", shared with the raw tables
(packages/core/src/landing/catalog/columnNames.ts): both are checked against test/vectors/column-names.json.
"""

import json
import logging
from pathlib import Path

import pytest

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


VECTORS_FILE = Path(__file__).resolve().parents[2] / "test" / "vectors" / "column-names.json"
VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("v", VECTORS["names"], ids=lambda v: repr(v["key"]))
def test_vector_names(v):
    assert resolve_names([(v["key"],)]) == {(v["key"],): v["name"]}
    if len(v["name"]) < 63:
        assert sanitize(v["key"]) == v["name"]


@pytest.mark.parametrize("v", VECTORS["paths"], ids=lambda v: ".".join(v["path"]))
def test_vector_paths(v):
    assert column_name(tuple(v["path"])) == v["name"]


@pytest.mark.parametrize("v", VECTORS["collisions"], ids=lambda v: v["why"][:40])
def test_vector_collisions(v):
    for keys in (v["keys"], list(reversed(v["keys"]))):
        got = resolve_names([(k,) for k in keys], reserved=v["reserved"])
        assert {k: got[(k,)] for k in keys} == v["names"]
