"""Schema drift between a table and a run's columns: which columns to add, widen or divert to a
`__string` column, and how each run column lands (pure, over type names)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .errors import SchemaContractError
from .types import conflict_column, drift, narrow_integral

log = logging.getLogger("tributary.curate")


@dataclass
class Evolution:
    #: Columns to add, in order: (name, type).
    added: list[tuple[str, str]] = field(default_factory=list)
    #: In-place widenings: (name, from, to).
    widened: list[tuple[str, str, str]] = field(default_factory=list)
    #: Run columns whose values conflict with the table's type and land as strings: (name, string column).
    as_string: list[tuple[str, str]] = field(default_factory=list)
    #: Run columns with no value in any record, not added (yet): they get a column when a value comes.
    all_null: list[str] = field(default_factory=list)
    #: Target column → (run column, type to cast to).
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: `discardColumns`: run columns kept, as a JSON object per row, in the column `RESCUED`.
    rescued: list[str] = field(default_factory=list)

    def final_columns(self, existing: dict[str, str] | None) -> list[tuple[str, str]]:
        """The table's columns after the change, in table order."""
        cols = dict(existing or {})
        for name, _old, new in self.widened:
            cols[name] = new
        for name, t in self.added:
            cols[name] = t
        return list(cols.items())


def plan_evolution(
    existing: dict[str, str] | None,
    incoming: list[tuple[str, str]],
    non_null: dict[str, int],
    ranges: dict[str, tuple[int | None, int | None]],
    fixed: dict[str, str],
    keep: set[str] = frozenset(),
) -> Evolution:
    """Plans how the run's columns (`incoming`: name, Spark type) land in a table with columns
    `existing` (`None`: the table is new).

    `fixed` columns (metadata) keep their type; integral columns become `int` when every value fits
    (`ranges`), else `bigint`; a column with no value (`non_null` 0) is left out unless it is in `keep`
    (the primary key) or already in the table."""
    ev = Evolution()
    have = dict(existing or {})
    for name, itype in incoming:
        if name in fixed:
            itype = fixed[name]
        elif itype in ("bigint", "int") and name in ranges:
            itype = narrow_integral(*ranges[name])
        if name not in have:
            if non_null.get(name, 1) == 0 and name not in keep and name not in fixed:
                ev.all_null.append(name)
                continue
            ev.added.append((name, itype))
            have[name] = itype
            ev.sources[name] = (name, itype)
            continue
        target = have[name]
        if non_null.get(name, 1) == 0:
            continue  # nothing to write: the column stays null for these rows
        d = drift(target, itype)
        if d.action in ("same", "cast"):
            ev.sources[name] = (name, target)
        elif d.action == "widen":
            assert d.new_type
            ev.widened.append((name, target, d.new_type))
            have[name] = d.new_type
            ev.sources[name] = (name, d.new_type)
        else:
            alt = conflict_column(name)
            if alt not in have:
                ev.added.append((alt, "string"))
                have[alt] = "string"
            ev.as_string.append((name, alt))
            ev.sources[alt] = (name, "string")
    return ev


#: Where `discardColumns` keeps the values of columns it does not add: a JSON object per row.
RESCUED = "_rescued"


def apply_contract(ev: Evolution, existing: dict[str, str] | None, contract: str, where: str) -> Evolution:
    """A stream's schema contract on the planned change to an existing table (a new table is created
    from its first run under every contract):

    - `evolve`: as planned;
    - `freeze`: any column to add, widen or divert is a `SchemaContractError` naming them (raised before
      the table is touched);
    - `discardColumns`: no column is added (widening in place stays); the values of new fields and of
      conflicting ones (a `__string` column not yet there) go, as a JSON object per row, to `_rescued`
      (added once)."""
    if existing is None or contract == "evolve":
        return ev
    if contract == "freeze":
        diverted = {alt for _, alt in ev.as_string}
        new = [n for n, _ in ev.added if n not in diverted]
        changes = [f"new columns {', '.join(new)}"] if new else []
        changes += [f"{n} {a} -> {b}" for n, a, b in ev.widened]
        changes += [f"{n} gets values that do not fit its type {existing[n]}" for n, _ in ev.as_string]
        if changes:
            error = SchemaContractError(
                f"{where}: schemaContract is freeze, but this run changes the table's columns: "
                + "; ".join(changes)
                + ". Nothing of the stream was written and the raw zone keeps the run: decide (set the "
                "stream's schemaContract to evolve or discardColumns, or alter the table), then curate the "
                "run again (curateOnly)"
            )
            # the refused columns, for the run report (as the table summary names changes it made)
            error.stream_summary = {  # type: ignore[attr-defined]
                "table": where,
                "schemaContract": contract,
                "columnsAdded": new,
                "columnsWidened": [f"{n}: {a} -> {b}" for n, a, b in ev.widened],
                "columnsAsString": [f"{n} -> {alt}" for n, alt in ev.as_string],
            }
            raise error
        return ev
    new_cols = [n for n, _ in ev.added]
    rescued = [ev.sources.pop(n)[0] for n in new_cols]
    ev.as_string = [(n, alt) for n, alt in ev.as_string if alt not in new_cols]
    ev.added = [] if RESCUED in existing or not rescued else [(RESCUED, "string")]
    ev.rescued = rescued
    return ev


def log_evolution(table: str, ev: Evolution, created: bool) -> None:
    if created:
        log.info("table %s created with %d columns", table, len(ev.added))
    elif ev.added:
        log.info("table %s: added columns %s", table, ", ".join(f"{n} {t}" for n, t in ev.added))
    for name, old, new in ev.widened:
        log.info("table %s: widened column %s from %s to %s", table, name, old, new)
    for name, alt in ev.as_string:
        log.warning(
            "table %s: values of %s conflict with the column's type; written as strings to %s",
            table,
            name,
            alt,
        )
    if ev.rescued:
        log.warning(
            "table %s (discardColumns): %s not added as columns; their values are kept in %s",
            table,
            ", ".join(ev.rescued),
            RESCUED,
        )
    if ev.all_null:
        log.info(
            "table %s: no value yet in %s (columns added when a value comes)", table, ", ".join(ev.all_null)
        )
