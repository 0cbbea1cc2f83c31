"""Flattening planned from the schema alone (pure): which nested path becomes which column.

The schema is Spark's JSON form (`StructType.jsonValue()`), so the plan is tested without Spark and
applied by Spark as one `select` of nested columns (no per-row Python).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .naming import column_name, resolve_names

log = logging.getLogger("tributary.curate")

#: How many levels of nested objects become `parent__child` columns; deeper objects stay JSON strings.
#: @default 4
DEFAULT_MAX_DEPTH = 4

_SQL_NAMES = {"long": "bigint", "integer": "int", "short": "smallint", "byte": "tinyint", "void": "string"}


@dataclass(frozen=True)
class Leaf:
    """One output column: the value at `path` (relative to the record, or to an array element)."""

    path: tuple[str, ...]
    name: str
    #: Spark SQL type of the value written (`string` when `as_json`).
    type: str
    #: An object or array kept as a JSON string.
    as_json: bool = False


@dataclass(frozen=True)
class ChildPlan:
    """An array field exploded into the child table `<source>_<stream>__<suffix>`."""

    path: tuple[str, ...]
    suffix: str
    #: The element's columns; a scalar element is the one column `value` (path `()`).
    leaves: list[Leaf] = field(default_factory=list)


@dataclass(frozen=True)
class FlatPlan:
    leaves: list[Leaf]
    children: list[ChildPlan]


def _type_name(t: object) -> str:
    if isinstance(t, str):
        return _SQL_NAMES.get(t, t)
    assert isinstance(t, dict)
    return str(t["type"])


def _walk(
    struct: dict, prefix: tuple[str, ...], depth: int, max_depth: int, out: list[tuple[tuple[str, ...], str]]
) -> None:
    """Collects (path, kind) where kind is a SQL type name, `json`, or `array:<json elementType>`."""
    for f in struct.get("fields", []):
        path = (*prefix, f["name"])
        t = f["type"]
        kind = _type_name(t)
        if kind == "struct":
            if depth < max_depth and t.get("fields"):
                _walk(t, path, depth + 1, max_depth, out)
            else:
                out.append((path, "json"))
        elif kind in ("array", "map"):
            out.append((path, "array" if kind == "array" else "json"))
        else:
            out.append((path, kind))


def _find(struct: dict, path: Sequence[str]) -> dict | str | None:
    t: dict | str | None = struct
    for p in path:
        if not isinstance(t, dict) or t.get("type") != "struct":
            return None
        t = next((f["type"] for f in t["fields"] if f["name"] == p), None)
    return t


def plan_element(element_type: dict | str, max_depth: int, reserved: Iterable[str], where: str) -> list[Leaf]:
    """The columns of an array element: a flattened object, or one `value` column for a scalar."""
    if isinstance(element_type, dict) and element_type.get("type") == "struct":
        found: list[tuple[tuple[str, ...], str]] = []
        _walk(element_type, (), 0, max_depth, found)
        names = resolve_names((p for p, _ in found), reserved, where)
        return [_leaf(p, names[p], k) for p, k in found]
    kind = _type_name(element_type)
    simple = kind not in ("struct", "array", "map")
    return [Leaf((), "value", kind if simple else "string", as_json=not simple)]


def _leaf(path: tuple[str, ...], name: str, kind: str) -> Leaf:
    if kind in ("json", "array"):
        return Leaf(path, name, "string", as_json=True)
    return Leaf(path, name, kind)


def plan_flatten(
    schema: dict,
    max_depth: int = DEFAULT_MAX_DEPTH,
    child_fields: Iterable[str] = (),
    reserved: Iterable[str] = (),
    where: str = "",
) -> FlatPlan:
    """Plans a record schema's columns.

    Objects nested up to `max_depth` levels become `parent__child` columns; deeper objects, maps and
    arrays become JSON strings, except arrays named in `child_fields` (dotted paths such as `items` or
    `purchase.offers`), which are left out of the parent and planned as child tables. Names are
    sanitized and made unique (`reserved`: the metadata columns).
    """
    reserved = tuple(reserved)
    found: list[tuple[tuple[str, ...], str]] = []
    _walk(schema, (), 0, max_depth, found)
    wanted = {tuple(c.split(".")): c for c in child_fields}
    children: list[ChildPlan] = []
    kept: list[tuple[tuple[str, ...], str]] = []
    for path, kind in found:
        if path in wanted and kind == "array":
            element = _find(schema, path)
            assert isinstance(element, dict)
            leaves = plan_element(
                element["elementType"], max_depth, (*reserved, "_index"), f"{where}.{wanted[path]}"
            )
            children.append(ChildPlan(path, column_name(path), leaves))
        else:
            kept.append((path, kind))
    for path, dotted in wanted.items():
        if not any(c.path == path for c in children):
            log.warning(
                "child table field %r%s is not an array in this run's records: kept in the parent as %s",
                dotted,
                f" of {where}" if where else "",
                "a JSON string" if any(p == path for p, _ in kept) else "nothing (absent)",
            )
    names = resolve_names((p for p, _ in kept), reserved, where)
    return FlatPlan([_leaf(p, names[p], k) for p, k in kept], children)


def leaf_for(plan: FlatPlan, dotted: str) -> Leaf | None:
    """The column holding the value at a dotted path (`purchase.transaction`), if it is a column."""
    path = tuple(dotted.split("."))
    return next((leaf for leaf in plan.leaves if leaf.path == path), None)
