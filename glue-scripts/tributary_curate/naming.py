"""Column and table names safe for Glue, Athena, Iceberg and PostgreSQL: pure functions.

The column-name rule is docs/contracts.md's "Column names", the same for the raw tables
(packages/core/src/landing/catalog/columnNames.ts): both are tested against test/vectors/column-names.json;
change the rule in both, and in the vectors, at once.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence

log = logging.getLogger("tributary.curate")

#: Separator between a parent object's name and its child's in a flattened column name.
SEP = "__"
#: Glue and Athena column names are at most 255 characters; PostgreSQL identifiers 63 bytes.
MAX_NAME = 63

_UNSAFE = re.compile(r"[^a-z0-9_]")
_RUNS = re.compile(r"__+")
# camelCase → camel_case before lowercasing keeps words apart ("orderDate" → "order_date").
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def sanitize(name: str) -> str:
    """One name segment → lowercase `[a-z0-9_]`, not starting with a digit, never empty.

    Accents are dropped, other characters become `_`, runs of `_` collapse to one (so a segment never
    holds the nesting separator `__`) and a trailing `_` goes: `orderDate` → `order_date`,
    `Item-ID` → `item_id`, `price ($)` → `price`, `1st` → `_1st`, `préço` → `preco`, `` → `_`.
    """
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = _RUNS.sub("_", _UNSAFE.sub("_", _CAMEL.sub("_", ascii_only).lower()))
    if len(out) > 1:
        out = out.rstrip("_") or "_"
    if not out:
        return "_"
    if out[0].isdigit():
        out = "_" + out
    return out


def column_name(path: Sequence[str]) -> str:
    """A nested path → its column name: `("purchase", "price", "value")` → `purchase__price__value`."""
    return SEP.join(sanitize(p) for p in path)


def table_name(source: str, stream: str, child: Sequence[str] = ()) -> str:
    """`<source>_<stream>` (and `__<field>` for a child table), sanitized: `casenotes-data`, `notes` →
    `casenotes_data_notes`."""
    base = f"{sanitize(source)}_{sanitize(stream)}"
    return base + (SEP + column_name(child) if child else "")


def _shorten(name: str) -> str:
    if len(name) <= MAX_NAME:
        return name
    import hashlib

    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def resolve_names(
    paths: Iterable[tuple[str, ...]], reserved: Iterable[str] = (), where: str = ""
) -> dict[tuple[str, ...], str]:
    """Gives every path a unique sanitized column name, deterministically.

    Paths are named in sorted order of their original spelling; the first keeps the plain name, each
    later one that collides (with an earlier one or a reserved name such as `_run_id`) gets `_2`, `_3`, …
    Every collision is logged (never silent). Names longer than `MAX_NAME` are cut and suffixed with a
    short hash of the full name.
    """
    taken = set(reserved)
    out: dict[tuple[str, ...], str] = {}
    for path in sorted(set(paths)):
        base = _shorten(column_name(path))
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        if name != base:
            log.warning(
                "column name collision%s: %s sanitizes to %r, already taken; named it %r",
                f" in {where}" if where else "",
                ".".join(path),
                base,
                name,
            )
        taken.add(name)
        out[path] = name
    return out
