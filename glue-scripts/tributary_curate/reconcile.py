"""Reconciliation: a stream's records landed (its manifests) against what its curated table changed by
(pure: counts in, the identities that fail out).

Every landed record is accounted for exactly once. The job measures, independently of the write:
`landed` (the manifests' `records`), `read` (records read from the parts), `keys` (distinct primary
keys among them, merge only), and the table's `total` and its rows of this run (`_run_id`) before and
after the write. The write reports what it did: `inserted`, `updated`, `unchanged`, `deleted`. Then,
by disposition:

- `merge`: `landed = inserted + updated + unchanged + deduplicated`, where `deduplicated = read - keys`
  (older versions of a key in the run, dropped) and `inRun = keys`; the table grew by `inserted`
  (a merge never deletes) and holds `inserted + updated` more rows of this run (a row of this run is
  never rewritten, so a rerun's rows are `unchanged`).
- `append`: `inserted = read`; the table changed by `inserted - deleted`, `deleted` being the run's
  earlier rows (a rerun), and holds exactly `inserted` rows of this run.
- `replace`: `inserted = read`; the table is exactly the run's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ReconciliationError


@dataclass
class Counts:
    """What one stream's run landed, what the write did, and what the table holds before and after."""

    disposition: str
    landed: int
    read: int
    in_run: int
    inserted: int
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    #: Distinct primary keys among the records read (merge only; `None` otherwise).
    keys: int | None = None
    total_before: int = 0
    total_after: int = 0
    run_rows_before: int = 0
    run_rows_after: int = 0

    @property
    def deduplicated(self) -> int:
        return self.read - self.keys if self.keys is not None else 0


def mismatches(c: Counts) -> list[str]:
    """The identities of `c.disposition` that do not hold, each with its numbers; empty when it adds up."""
    out: list[str] = []

    def expect(ok: bool, text: str) -> None:
        if not ok:
            out.append(text)

    expect(c.read == c.landed, f"read {c.read} records, the manifests list {c.landed}")
    if c.disposition == "merge":
        keys = c.keys if c.keys is not None else c.in_run
        expect(
            c.in_run == keys,
            f"{c.in_run} rows after de-duplication, but the records read hold {keys} distinct keys",
        )
        accounted = c.inserted + c.updated + c.unchanged + c.deduplicated
        expect(
            accounted == c.landed,
            f"landed {c.landed} != inserted {c.inserted} + updated {c.updated} + unchanged {c.unchanged}"
            f" + deduplicated {c.deduplicated} (= {accounted})",
        )
        expect(
            c.total_after - c.total_before == c.inserted,
            f"the table went from {c.total_before} to {c.total_after} rows, but {c.inserted} were inserted",
        )
        grew = c.run_rows_after - c.run_rows_before
        expect(
            grew == c.inserted + c.updated,
            f"the table holds {grew} more rows of this run ({c.run_rows_before} -> {c.run_rows_after}), "
            f"but inserted {c.inserted} + updated {c.updated} = {c.inserted + c.updated}",
        )
    elif c.disposition == "append":
        expect(c.inserted == c.read, f"appended {c.inserted} rows of {c.read} records read")
        expect(
            c.deleted == c.run_rows_before,
            f"deleted {c.deleted} earlier rows of this run, the table held {c.run_rows_before}",
        )
        expect(
            c.total_after == c.total_before - c.deleted + c.inserted,
            f"the table went from {c.total_before} to {c.total_after} rows, but {c.deleted} were deleted "
            f"and {c.inserted} appended (= {c.total_before - c.deleted + c.inserted})",
        )
        expect(
            c.run_rows_after == c.inserted,
            f"the table holds {c.run_rows_after} rows of this run, {c.inserted} were appended",
        )
    else:  # replace
        expect(c.inserted == c.read, f"wrote {c.inserted} rows of {c.read} records read")
        expect(
            c.total_after == c.inserted and c.run_rows_after == c.inserted,
            f"the table holds {c.total_after} rows ({c.run_rows_after} of this run), "
            f"{c.inserted} were written",
        )
    return out


def summary(c: Counts) -> dict:
    """The reconciliation's numbers for the run report."""
    return {
        "landed": c.landed,
        "read": c.read,
        "deduplicated": c.deduplicated,
        "inserted": c.inserted,
        "updated": c.updated,
        "unchanged": c.unchanged,
        "deleted": c.deleted,
        "tableRowsBefore": c.total_before,
        "tableRowsAfter": c.total_after,
    }


def reconcile(where: str, table: str, c: Counts) -> dict:
    """Raises `ReconciliationError` naming the stream, the table and every identity that fails; else
    returns the numbers (`summary`)."""
    wrong = mismatches(c)
    if wrong:
        raise ReconciliationError(
            f"{where} ({c.disposition} into {table}) does not reconcile with its manifests: "
            + "; ".join(wrong)
            + ". The table was written: rerun the run (curateOnly) once the cause is fixed, or roll the "
            "table back to its previous snapshot"
        )
    return summary(c)
