"""Type drift rules between a table's column and a run's values: pure functions over type names.

Type names are Spark SQL's simple strings (`int`, `bigint`, `double`, `string`, `decimal(20,0)`, …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: Widenings Iceberg applies in place (metadata only): int → bigint, float → double.
WIDEN = {("int", "bigint"), ("float", "double")}
#: Incoming values the target column holds without loss after a cast (JSON has one number type: an
#: integral run of a double column is still that column).
CAST_INTO = {
    ("int", "bigint"),
    ("float", "double"),
    ("int", "double"),
    ("bigint", "double"),
    ("int", "float"),
}
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")

Action = Literal["same", "cast", "widen", "string"]


@dataclass(frozen=True)
class Drift:
    """What to do with an incoming column whose table column has type `target`.

    - `same`: write as is;
    - `cast`: cast the values to `target` (lossless);
    - `widen`: `ALTER COLUMN … TYPE new_type` first, then write;
    - `string`: a conflict: the values go, as strings, to the column `<name>__string`.
    """

    action: Action
    new_type: str | None = None


def drift(target: str, incoming: str) -> Drift:
    """The rule for one column. Anything lands in a string column as a string; other conflicts never
    overwrite: they go to a `__string` column."""
    if target == incoming:
        return Drift("same")
    if (incoming, target) in CAST_INTO:
        return Drift("cast")
    if (target, incoming) in WIDEN:
        return Drift("widen", incoming)
    t, i = _DECIMAL.match(target), _DECIMAL.match(incoming)
    if t and i and t.group(2) == i.group(2):
        if int(i.group(1)) <= int(t.group(1)):
            return Drift("cast")
        return Drift("widen", incoming)
    if target == "string":
        return Drift("cast")
    return Drift("string")


def conflict_column(name: str) -> str:
    """Where a conflicting column's values go, as strings."""
    return f"{name}__string"


def narrow_integral(min_value: int | None, max_value: int | None) -> str:
    """JSON integers read as `bigint`; a run whose values all fit 32 bits makes an `int` column
    (widened to `bigint` in place the day a larger value comes)."""
    if min_value is None or max_value is None:
        return "int"
    return "int" if min_value >= -(2**31) and max_value < 2**31 else "bigint"
