"""Which record wins: pure rules, mirrored by the Spark window and MERGE conditions in `iceberg.py`.

Within a run, the newest record per primary key wins: the greatest cursor, then the latest arrival
(manifest order, part order, line order). A record without a cursor value ranks below any with one.
Across runs, an existing row is replaced only when the incoming cursor is not older
(`incoming >= existing`, or either is missing), so a backfill of an old window never overwrites newer data.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import datetime
from typing import Any


def rank_key(cursor: datetime | None, arrival: Sequence[int]) -> tuple:
    """Sort key: the greatest key is the newest record."""
    return (cursor is not None, cursor or datetime.min, tuple(arrival))


def newest_per_key(rows: Iterable[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """Keeps one row per key: the greatest `rank_key(row["_cursor"], row["_arrival"])`."""
    best: dict[Hashable, dict[str, Any]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        cur = best.get(k)
        if cur is None or rank_key(row["_cursor"], row["_arrival"]) > rank_key(
            cur["_cursor"], cur["_arrival"]
        ):
            best[k] = row
    return list(best.values())


def replaces(incoming: datetime | None, existing: datetime | None) -> bool:
    """Whether an incoming row replaces the stored row with the same key."""
    if incoming is None or existing is None:
        return True
    return incoming >= existing


#: The same rule as SQL for `MERGE INTO … WHEN MATCHED AND <this>` (aliases `s` incoming, `t` stored).
#: Rows of the same run are never rewritten, so rerunning a run changes nothing.
MERGE_CONDITION = "coalesce(s._cursor >= t._cursor, true) AND s._run_id <> t._run_id"
