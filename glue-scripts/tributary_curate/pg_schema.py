"""PostgreSQL tables for the curated rows: Spark types → PostgreSQL types, and a table created or altered
(columns added, integer and real columns widened) for the run's columns, inside the load's transaction."""

from __future__ import annotations

#: Spark type → PostgreSQL type.
PG_TYPES = {
    "string": "text", "int": "integer", "bigint": "bigint", "smallint": "smallint", "tinyint": "smallint",
    "double": "double precision", "float": "real", "boolean": "boolean",
    "timestamp": "timestamptz", "date": "date",
}  # fmt: skip
#: In-place widenings (PostgreSQL type names as `information_schema` spells them).
PG_WIDEN = {
    ("integer", "bigint"),
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("real", "double precision"),
}


def pg_type(spark_type: str) -> str:
    if spark_type.startswith("decimal"):
        return spark_type.replace("decimal", "numeric")
    return PG_TYPES.get(spark_type, "text")


def _columns(cur, schema: str, table: str) -> dict[str, str]:
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s",
        (schema, table),
    )
    return dict(cur.fetchall())


def ensure_table(cur, ident, schema: str, table: str, columns, key, disposition):
    """Creates the table, or adds the columns it lacks and widens integer/real columns; returns both lists."""
    from psycopg import sql

    have = _columns(cur, schema, table)
    added, widened = [], []
    if not have:
        defs = [sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(pg_type(t))) for n, t in columns]
        if disposition == "merge":
            defs.append(sql.SQL("PRIMARY KEY ({})").format(sql.SQL(", ").join(map(sql.Identifier, key))))
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(defs)))
        return added, widened
    for n, t in columns:
        col, want = sql.Identifier(n), sql.SQL(pg_type(t))
        if n not in have:
            cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(ident, col, want))
            added.append(n)
        elif (have[n], pg_type(t)) in PG_WIDEN:
            cur.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {}").format(ident, col, want))
            widened.append(f"{n}: {have[n]} -> {pg_type(t)}")
    return added, widened


def stage(cur, stage_ident, like, cols, rows) -> int:
    """A temporary table `stage_ident` shaped as the table `like`, dropped on commit, filled with `rows`
    in the columns `cols` (COPY); returns how many rows it got."""
    from psycopg import sql

    cur.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(stage_ident, like)
    )
    staged = 0
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage_ident, cols)) as copy:
        for row in rows:
            copy.write_row(row)
            staged += 1
    return staged


def delete_run_rows(cur, ident, disposition: str, run_id: str) -> int:
    """Before an `append`, the run's rows (a rerun); before a `replace`, all; returns how many went."""
    from psycopg import sql

    where = sql.SQL(" WHERE _run_id = %s" if disposition == "append" else "")
    cur.execute(
        sql.SQL("DELETE FROM {}{}").format(ident, where), (run_id,) if disposition == "append" else None
    )
    return cur.rowcount


def count(cur, ident) -> int:
    from psycopg import sql

    cur.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
    return cur.fetchone()[0]
