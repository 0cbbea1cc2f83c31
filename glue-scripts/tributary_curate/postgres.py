"""The optional PostgreSQL target: each stream's run upserted in one transaction (psycopg 3).

Rows go to a temporary staging table (COPY), then into the target with `INSERT … ON CONFLICT (key) DO
UPDATE … WHERE` the newest-wins rule holds; missing columns are added and integer columns widened first,
in the same transaction: a failure leaves the target as it was. The password never reaches logs or errors.

Child tables (`<table>__<field>`, keyed by `_parent_<key>` and `_index`) go in the same transaction: under
`merge`, the children of every parent the upsert wrote (inserted, or updated because newest) are deleted and
the new version's elements inserted, so a parent older than the stored one keeps its children and a rerun
of a run changes nothing; under `append` the run's child rows, under `replace` all, are replaced.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import PostgresError

log = logging.getLogger("tributary.curate")

#: Spark type → PostgreSQL type.
PG_TYPES = {
    "string": "text",
    "int": "integer",
    "bigint": "bigint",
    "smallint": "smallint",
    "tinyint": "smallint",
    "double": "double precision",
    "float": "real",
    "boolean": "boolean",
    "timestamp": "timestamptz",
    "date": "date",
}
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


@dataclass(frozen=True)
class PgTarget:
    """Connection settings; `password` is kept out of `repr` and of every message."""

    conninfo: str
    params: dict
    schema: str

    def __repr__(self) -> str:
        return f"PgTarget(schema={self.schema!r}, host={self.params.get('host')!r})"

    def scrub(self, text: str) -> str:
        pw = self.params.get("password")
        for secret in [pw] if pw else []:
            text = text.replace(str(secret), "***")
        return text


def read_secret(name: str) -> dict:
    """A Secrets Manager secret holding JSON (RDS's shape: username, password, host, port, dbname)."""
    import boto3

    try:
        value = boto3.client(
            "secretsmanager", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None
        ).get_secret_value(SecretId=name)["SecretString"]
    except Exception as e:
        raise PostgresError(f"cannot read the PostgreSQL secret {name!r}: {type(e).__name__}") from None
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        raise PostgresError(f"the PostgreSQL secret {name!r} is not a JSON object") from None
    if not isinstance(data, dict):
        raise PostgresError(f"the PostgreSQL secret {name!r} is not a JSON object")
    return data


def target_from_args(args) -> PgTarget:
    """`--pg_dsn`, or `--pg_host/--pg_port/--pg_database/--pg_user`, completed by `--pg_secret`
    (arguments win over the secret's values; the password comes only from the secret or the DSN)."""
    secret = read_secret(args.pg_secret) if args.pg_secret else {}
    params = {
        "host": args.pg_host or secret.get("host"),
        "port": args.pg_port or secret.get("port"),
        "dbname": args.pg_database or secret.get("dbname") or secret.get("database"),
        "user": args.pg_user or secret.get("username") or secret.get("user"),
        "password": secret.get("password"),
    }
    params = {k: v for k, v in params.items() if v not in (None, "")}
    if args.pg_dsn:
        from psycopg.conninfo import conninfo_to_dict

        try:
            params = {**conninfo_to_dict(args.pg_dsn), **params}
        except Exception:
            raise PostgresError("--pg_dsn is not a valid PostgreSQL connection string") from None
    if "host" not in params:
        raise PostgresError("PostgreSQL target: give --pg_dsn, or --pg_host (or a --pg_secret with a host)")
    return PgTarget("", params, args.pg_schema)


def _columns(cur, schema: str, table: str) -> dict[str, str]:
    cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s",
        (schema, table),
    )
    return dict(cur.fetchall())


def _ensure_table(cur, ident, target: PgTarget, table: str, columns, key, disposition):
    """Creates the table, or adds the columns it lacks and widens integer/real columns; returns both lists."""
    from psycopg import sql

    have = _columns(cur, target.schema, table)
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


@dataclass
class ChildBatch:
    """A child table's rows of the run: `table` (its name by the naming rule), its columns (name, Spark
    type) as in the Iceberg child table, and the rows in that order. Its parent key columns are
    `_parent_<parent key column>`."""

    table: str
    columns: list[tuple[str, str]]
    rows: Iterable[tuple]


def parent_columns(key: Sequence[str]) -> list[str]:
    """A child table's columns naming its parent (`transform.child_rows` names them so)."""
    return [f"_parent_{k}" for k in key]


#: The newest-wins rule of `dedupe.replaces`, as `ON CONFLICT … DO UPDATE … WHERE` (`t` the stored row).
UPSERT_CONDITION = (
    "coalesce(EXCLUDED._cursor >= t._cursor, true) AND EXCLUDED._run_id IS DISTINCT FROM t._run_id"
)


def upsert(
    target: PgTarget,
    table: str,
    columns: list[tuple[str, str]],
    rows: Iterable[tuple],
    key: list[str],
    disposition: str,
    run_id: str,
    children: Sequence[ChildBatch] = (),
) -> dict:
    """Loads one stream's run into `schema.table`, and its child tables, in one transaction; returns
    counts and the columns added or widened (per child table under `childTables`). `merge` upserts
    newest-wins and replaces the children of the parents it wrote; `append` replaces the run's rows;
    `replace` all rows."""
    import psycopg
    from psycopg import sql

    ident = sql.Identifier(target.schema, table)
    names = [c for c, _ in columns]
    cols = sql.SQL(", ").join(map(sql.Identifier, names))
    try:
        with (
            psycopg.connect(target.conninfo, **target.params, connect_timeout=30) as conn,
            conn.cursor() as cur,
        ):
            added, widened = _ensure_table(cur, ident, target, table, columns, key, disposition)
            cur.execute(
                sql.SQL(
                    "CREATE TEMP TABLE tributary_stage (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP"
                ).format(ident)
            )
            staged = 0
            with cur.copy(sql.SQL("COPY tributary_stage ({}) FROM STDIN").format(cols)) as copy:
                for row in rows:
                    copy.write_row(row)
                    staged += 1
            deleted = 0
            if disposition in ("replace", "append"):
                where = sql.SQL(" WHERE _run_id = %s" if disposition == "append" else "")
                cur.execute(
                    sql.SQL("DELETE FROM {}{}").format(ident, where),
                    (run_id,) if disposition == "append" else None,
                )
                deleted = cur.rowcount
            insert = sql.SQL("INSERT INTO {} AS t ({}) SELECT {} FROM tributary_stage").format(
                ident, cols, cols
            )
            if disposition == "merge":
                keys = sql.SQL(", ").join(map(sql.Identifier, key))
                update = sql.SQL(", ").join(
                    sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n)) for n in names if n not in key
                )
                # the keys the upsert wrote (inserted or newest), whose children the new version replaces
                cur.execute(
                    sql.SQL(
                        "CREATE TEMP TABLE tributary_written ON COMMIT DROP AS "
                        "SELECT {}, true AS tributary_inserted FROM {} WITH NO DATA"
                    ).format(keys, ident)
                )
                cur.execute(
                    sql.SQL(
                        "WITH up AS ({} ON CONFLICT ({}) DO UPDATE SET {} WHERE {} "
                        "RETURNING {}, (xmax = 0)) INSERT INTO tributary_written SELECT * FROM up"
                    ).format(insert, keys, update, sql.SQL(UPSERT_CONDITION), keys)
                )
                cur.execute(
                    "SELECT count(*) FILTER (WHERE tributary_inserted), "
                    "count(*) FILTER (WHERE NOT tributary_inserted) FROM tributary_written"
                )
                inserted, updated = cur.fetchone()
            else:
                cur.execute(insert)
                inserted, updated = cur.rowcount, 0
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
            total = cur.fetchone()[0]
            child_results = [
                _load_child(cur, target, c, i, key, disposition, run_id) for i, c in enumerate(children)
            ]
    except psycopg.Error as e:
        message = target.scrub(str(e)).strip()
        raise PostgresError(
            f"PostgreSQL upsert into {target.schema}.{table} failed, target unchanged: {message}"
        ) from None
    result = {
        "table": f"{target.schema}.{table}",
        "disposition": disposition,
        "rowsStaged": staged,
        "rowsInserted": inserted,
        "rowsUpdated": updated,
        "rowsUnchanged": staged - inserted - updated if disposition == "merge" else 0,
        "rowsDeleted": deleted,
        "rowsTotal": total,
        "columnsAdded": added,
        "columnsWidened": widened,
    }
    if children:
        result["childTables"] = child_results
    log.info("postgres %s.%s: %s", target.schema, table, json.dumps(result))
    return result


def _load_child(cur, target: PgTarget, child: ChildBatch, i: int, key, disposition: str, run_id: str) -> dict:
    """One child table, inside the parent's transaction (see the module's docstring); returns its counts."""
    from psycopg import sql

    ident = sql.Identifier(target.schema, child.table)
    parents = parent_columns(key)
    names = [c for c, _ in child.columns]
    missing = [p for p in [*parents, "_index"] if p not in names]
    if missing:
        raise PostgresError(
            f"PostgreSQL child table {target.schema}.{child.table} lacks its key columns {', '.join(missing)}"
            ", target unchanged: its rows must come from transform.child_rows"
        )
    cols = sql.SQL(", ").join(map(sql.Identifier, names))
    added, widened = _ensure_table(
        cur, ident, target, child.table, child.columns, [*parents, "_index"], disposition
    )
    stage = sql.Identifier(f"tributary_stage_child_{i}")
    cur.execute(
        sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(stage, ident)
    )
    staged = 0
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(stage, cols)) as copy:
        for row in child.rows:
            copy.write_row(row)
            staged += 1
    insert = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} s").format(ident, cols, cols, stage)
    if disposition == "merge":
        # the children of every parent written: replaced by the new version's elements (maybe none)
        on = sql.SQL(" AND ").join(
            sql.SQL("c.{} = w.{}").format(sql.Identifier(p), sql.Identifier(k))
            for p, k in zip(parents, key, strict=True)
        )
        cur.execute(sql.SQL("DELETE FROM {} c USING tributary_written w WHERE {}").format(ident, on))
        deleted = cur.rowcount
        semi = sql.SQL(" AND ").join(
            sql.SQL("s.{} = w.{}").format(sql.Identifier(p), sql.Identifier(k))
            for p, k in zip(parents, key, strict=True)
        )
        cur.execute(
            sql.SQL("{} WHERE EXISTS (SELECT 1 FROM tributary_written w WHERE {})").format(insert, semi)
        )
    else:
        where = sql.SQL(" WHERE _run_id = %s" if disposition == "append" else "")
        cur.execute(
            sql.SQL("DELETE FROM {}{}").format(ident, where), (run_id,) if disposition == "append" else None
        )
        deleted = cur.rowcount
        cur.execute(insert)
    inserted = cur.rowcount
    cur.execute(sql.SQL("DROP TABLE {}").format(stage))
    cur.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
    return {
        "table": f"{target.schema}.{child.table}",
        "disposition": disposition,
        "rowsStaged": staged,
        "rowsInserted": inserted,
        "rowsDeleted": deleted,
        "rowsTotal": cur.fetchone()[0],
        "columnsAdded": added,
        "columnsWidened": widened,
    }
