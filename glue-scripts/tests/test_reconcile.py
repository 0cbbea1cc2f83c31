"""Reconciliation identities per disposition (pure: no Spark)."""

import pytest

from tributary_curate.errors import ReconciliationError
from tributary_curate.reconcile import Counts, mismatches, reconcile


def merge(**changes) -> Counts:
    # 10 landed: 2 older versions dropped, 8 keys: 3 new, 4 newer than stored, 1 older (unchanged)
    base = dict(
        disposition="merge", landed=10, read=10, in_run=8, inserted=3, updated=4, unchanged=1, keys=8,
        total_before=20, total_after=23, run_rows_before=0, run_rows_after=7,
    )  # fmt: skip
    return Counts(**{**base, **changes})


def test_a_merge_that_adds_up_reconciles_and_reports_its_numbers():
    assert mismatches(merge()) == []
    assert reconcile("github/issues", "t", merge()) == {
        "landed": 10, "read": 10, "deduplicated": 2, "inserted": 3, "updated": 4, "unchanged": 1,
        "deleted": 0, "tableRowsBefore": 20, "tableRowsAfter": 23,
    }  # fmt: skip
    # a rerun: every row of the run is already there, unchanged
    rerun = merge(inserted=0, updated=0, unchanged=8, total_after=20, run_rows_before=7, run_rows_after=7)
    assert mismatches(rerun) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"total_after": 22}, "the table went from 20 to 22 rows, but 3 were inserted"),
        (
            {"run_rows_after": 6},
            "the table holds 6 more rows of this run (0 -> 6), but inserted 3 + updated 4 = 7",
        ),
        (
            {"in_run": 7, "unchanged": 0},
            "7 rows after de-duplication, but the records read hold 8 distinct keys",
        ),
        ({"read": 9}, "read 9 records, the manifests list 10"),
    ],
)
def test_a_merge_that_loses_a_row_is_named_with_its_numbers(changes, expected):
    assert expected in mismatches(merge(**changes))
    with pytest.raises(ReconciliationError) as e:
        reconcile("github/issues", "local.db.github_issues", merge(**changes))
    assert str(e.value).startswith(
        "github/issues (merge into local.db.github_issues) does not reconcile with its manifests: "
    )
    assert expected in str(e.value)


def test_the_landed_identity_names_each_term():
    wrong = mismatches(merge(updated=3, run_rows_after=6))
    assert "landed 10 != inserted 3 + updated 3 + unchanged 1 + deduplicated 2 (= 9)" in wrong


def test_append_and_replace():
    append = dict(disposition="append", landed=5, read=5, in_run=5, inserted=5)
    assert mismatches(Counts(**append, total_before=10, total_after=15, run_rows_after=5)) == []
    rerun = Counts(**append, deleted=5, total_before=15, total_after=15, run_rows_before=5, run_rows_after=5)
    assert mismatches(rerun) == []
    lost = Counts(**append, total_before=10, total_after=14, run_rows_after=4)
    assert mismatches(lost) == [
        "the table went from 10 to 14 rows, but 0 were deleted and 5 appended (= 15)",
        "the table holds 4 rows of this run, 5 were appended",
    ]
    replace = dict(disposition="replace", landed=3, read=3, in_run=3, inserted=3, deleted=7, total_before=7)
    assert mismatches(Counts(**replace, total_after=3, run_rows_after=3)) == []
    assert mismatches(Counts(**replace, total_after=4, run_rows_after=3)) == [
        "the table holds 4 rows (3 of this run), 3 were written"
    ]
