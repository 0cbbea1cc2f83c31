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
from .pg_children import ChildBatch, load_child
from .pg_schema import count, delete_run_rows, ensure_table, stage

log = logging.getLogger("tributary.curate")


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

    try:
        with (
            psycopg.connect(target.conninfo, **target.params, connect_timeout=30) as conn,
            conn.cursor() as cur,
        ):
            result = _load(cur, target.schema, table, columns, rows, key, disposition, run_id)
            child_results = [
                load_child(cur, target.schema, c, i, key, disposition, run_id) for i, c in enumerate(children)
            ]
    except psycopg.Error as e:
        message = target.scrub(str(e)).strip()
        raise PostgresError(
            f"PostgreSQL upsert into {target.schema}.{table} failed, target unchanged: {message}"
        ) from None
    if children:
        result["childTables"] = child_results
    log.info("postgres %s.%s: %s", target.schema, table, json.dumps(result))
    return result


def _load(cur, schema: str, table: str, columns, rows, key: list[str], disposition: str, run_id: str) -> dict:
    """The parent table's part of `upsert`, inside its transaction; returns its counts."""
    from psycopg import sql

    ident = sql.Identifier(schema, table)
    names = [c for c, _ in columns]
    cols = sql.SQL(", ").join(map(sql.Identifier, names))
    added, widened = ensure_table(cur, ident, schema, table, columns, key, disposition)
    staged = stage(cur, sql.Identifier("tributary_stage"), ident, cols, rows)
    deleted = delete_run_rows(cur, ident, disposition, run_id) if disposition in ("replace", "append") else 0
    insert = sql.SQL("INSERT INTO {} AS t ({}) SELECT {} FROM tributary_stage").format(ident, cols, cols)
    if disposition == "merge":
        inserted, updated = _merge(cur, ident, insert, names, key)
    else:
        cur.execute(insert)
        inserted, updated = cur.rowcount, 0
    return {
        "table": f"{schema}.{table}",
        "disposition": disposition,
        "rowsStaged": staged,
        "rowsInserted": inserted,
        "rowsUpdated": updated,
        "rowsUnchanged": staged - inserted - updated if disposition == "merge" else 0,
        "rowsDeleted": deleted,
        "rowsTotal": count(cur, ident),
        "columnsAdded": added,
        "columnsWidened": widened,
    }


def _merge(cur, ident, insert, names: list[str], key: list[str]) -> tuple[int, int]:
    """The staged rows upserted newest-wins; the keys written (inserted or newest), whose children the new
    version replaces, kept in the temporary table `tributary_written`; returns (inserted, updated)."""
    from psycopg import sql

    keys = sql.SQL(", ").join(map(sql.Identifier, key))
    update = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n)) for n in names if n not in key
    )
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
    return cur.fetchone()
