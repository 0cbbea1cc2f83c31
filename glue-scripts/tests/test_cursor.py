"""`_cursor`: the newest-wins rule's timestamp, from ISO strings (any offset) and epoch numbers."""

from datetime import datetime

from tributary_curate.transform import cursor_col


def cursors(spark, values: list, field: str = "at") -> list:
    df = spark.createDataFrame([(v,) for v in values], f"{field} {_type(values)}")
    return [r[0] for r in df.select(cursor_col(df, field, "test")).collect()]


def _type(values: list) -> str:
    sample = next(v for v in values if v is not None)
    return {str: "string", int: "bigint", float: "double"}[type(sample)]


def test_iso_strings_with_offsets_and_epoch_strings(spark):
    got = cursors(
        spark, ["2026-11-05T00:00:00+01:00", "2026-11-05T00:00:00Z", "2026-11-05", "1700000000", "x", None]
    )
    assert got == [
        datetime(2026, 11, 4, 23, 0),
        datetime(2026, 11, 5, 0, 0),
        datetime(2026, 11, 5, 0, 0),
        datetime(2023, 11, 14, 22, 13, 20),
        None,
        None,
    ]


def test_epoch_seconds_and_milliseconds(spark):
    assert cursors(spark, [1_700_000_000, 1_700_000_000_123]) == [
        datetime(2023, 11, 14, 22, 13, 20),
        datetime(2023, 11, 14, 22, 13, 20, 123000),
    ]
    assert cursors(spark, [1_700_000_000.5]) == [datetime(2023, 11, 14, 22, 13, 20, 500000)]


def test_no_cursor_field_is_null(spark):
    df = spark.createDataFrame([(1,)], "id bigint")
    assert df.select(cursor_col(df, None, "test")).collect()[0][0] is None
    assert df.select(cursor_col(df, "updated_at", "test")).collect()[0][0] is None
