"""The PostgreSQL upsert against a real local server: insert, update, no duplicates, newest wins, a new
column, rollback on failure, and the password kept out of every output."""

import json

import psycopg
from conftest import PG_PASSWORD
from lake import land


def dsn(pg: dict) -> str:
    return " ".join(f"{k}={pg[k]}" for k in ("host", "port", "dbname", "user", "password"))


def pg_rows(pg: dict, sql: str) -> list[tuple]:
    with psycopg.connect(**pg) as conn:
        return conn.execute(sql).fetchall()


def pg_columns(pg: dict, schema: str, table: str) -> dict[str, str]:
    return dict(
        pg_rows(
            pg,
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{schema}' AND table_name = '{table}'",
        )
    )


def sub(n: str, updated: str, status: str, **more) -> dict:
    return {"subscriber_code": n, "status": status, "updated": updated, "plan": {"name": "gold"}, **more}


SPEC = {"primaryKey": "subscriber_code", "cursorField": "updated"}


def test_upsert_inserts_updates_newest_wins_and_adds_columns(curate_run, tmp_path, postgres, pg_schema):
    args = ("--pg_dsn", dsn(postgres), "--pg_schema", pg_schema)
    run1 = [sub("A", "2026-11-01T00:00:00Z", "active"), sub("B", "2026-11-01T00:00:00Z", "active")]
    s1 = curate_run("r1", [land(tmp_path, "hotmart", "subscriptions", "r1", [run1], **SPEC)], *args)
    assert s1["tables"][0]["postgres"]["rowsInserted"] == 2
    table = f"{pg_schema}.hotmart_subscriptions"
    assert pg_rows(postgres, f"SELECT subscriber_code, status, plan__name FROM {table} ORDER BY 1") == [
        ("A", "active", "gold"),
        ("B", "active", "gold"),
    ]

    run2 = [
        sub("A", "2026-11-02T00:00:00Z", "cancelled", reason="price"),  # newer: updated, new column
        sub("B", "2026-10-01T00:00:00Z", "stale"),  # older: not applied
        sub("C", "2026-11-02T00:00:00Z", "active"),  # new key
    ]
    r2 = land(tmp_path, "hotmart", "subscriptions", "r2", [run2], day="20261124", **SPEC)
    pg2 = curate_run("r2", [r2], *args)["tables"][0]["postgres"]
    assert (pg2["rowsInserted"], pg2["rowsUpdated"], pg2["rowsTotal"]) == (1, 1, 3)
    assert pg2["columnsAdded"] == ["reason"]
    expected = [("A", "cancelled", "price", "r2"), ("B", "active", None, "r1"), ("C", "active", None, "r2")]
    query = f"SELECT subscriber_code, status, reason, _run_id FROM {table} ORDER BY 1"
    assert pg_rows(postgres, query) == expected

    again = curate_run("r2", [r2], *args)["tables"][0]["postgres"]
    assert (again["rowsInserted"], again["rowsUpdated"], again["rowsTotal"]) == (0, 0, 3)
    assert pg_rows(postgres, query) == expected
    assert pg_rows(postgres, f"SELECT count(*), count(DISTINCT subscriber_code) FROM {table}") == [(3, 3)]
    cursor = pg_rows(postgres, f"SELECT _cursor FROM {table} WHERE subscriber_code = 'A'")[0][0]
    assert cursor.isoformat() == "2026-11-02T00:00:00+00:00"


def test_a_failed_upsert_leaves_the_target_unchanged(curate_run, tmp_path, postgres, pg_schema):
    args = ("--pg_dsn", dsn(postgres), "--pg_schema", pg_schema)
    run1 = [sub("A", "2026-11-01T00:00:00Z", "active"), sub("B", "2026-11-01T00:00:00Z", "active")]
    curate_run("r1", [land(tmp_path, "hotmart", "subscriptions", "r1", [run1], **SPEC)], *args)
    table = f"{pg_schema}.hotmart_subscriptions"
    with psycopg.connect(**postgres) as conn:
        conn.execute(f"ALTER TABLE {table} ADD CONSTRAINT no_paused CHECK (status <> 'paused')")
    before = pg_rows(postgres, f"SELECT * FROM {table} ORDER BY 1")
    columns = pg_columns(postgres, pg_schema, "hotmart_subscriptions")

    run2 = [
        sub("A", "2026-11-02T00:00:00Z", "cancelled", reason="price"),
        sub("B", "2026-11-02T00:00:00Z", "paused"),
        sub("C", "2026-11-02T00:00:00Z", "active"),
    ]
    r2 = land(tmp_path, "hotmart", "subscriptions", "r2", [run2], day="20261124", **SPEC)
    failed = curate_run("r2", [r2], *args, expect=1)
    assert failed["error"] == "PostgresError"
    assert f"{table} failed, target unchanged" in failed["message"] and "no_paused" in failed["message"]
    assert PG_PASSWORD not in json.dumps(failed)
    assert pg_rows(postgres, f"SELECT * FROM {table} ORDER BY 1") == before
    assert pg_columns(postgres, pg_schema, "hotmart_subscriptions") == columns


def test_password_from_secrets_manager_never_reaches_output(
    curate_run, tmp_path, postgres, pg_schema, aws, capsys, caplog
):
    import boto3

    name = f"tributary/pg/{pg_schema}"
    secret = {"username": "postgres", "password": PG_PASSWORD, "host": "127.0.0.1", "port": postgres["port"]}
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=json.dumps(secret))
    m = land(
        tmp_path, "hotmart", "subscriptions", "r1", [[sub("A", "2026-11-01T00:00:00Z", "active")]], **SPEC
    )
    ok = curate_run("r1", [m], "--pg_secret", name, "--pg_database", "postgres", "--pg_schema", pg_schema)
    assert ok["tables"][0]["postgres"]["rowsInserted"] == 1

    wrong = f"tributary/pg/{pg_schema}/wrong"
    boto3.client("secretsmanager").create_secret(
        Name=wrong, SecretString=json.dumps({**secret, "password": "Wr0ng-passw0rd-xyz"})
    )
    failed = curate_run("r1", [m], "--pg_secret", wrong, "--pg_schema", pg_schema, expect=1)
    assert failed["error"] == "PostgresError"
    output = capsys.readouterr()
    logs = caplog.text
    for text in (output.out, output.err, logs, json.dumps(ok), json.dumps(failed)):
        assert PG_PASSWORD not in text
        assert "Wr0ng-passw0rd-xyz" not in text


def test_a_dsn_password_is_scrubbed_from_messages():
    from types import SimpleNamespace

    from tributary_curate.postgres import target_from_args

    args = SimpleNamespace(
        pg_secret=None, pg_host=None, pg_port=None, pg_database=None, pg_user=None, pg_schema="public",
        pg_dsn="host=db.internal port=5432 dbname=lake user=etl password=Hunter2-dsn",
    )  # fmt: skip
    target = target_from_args(args)
    assert target.params["host"] == "db.internal"
    assert "Hunter2-dsn" not in repr(target)
    assert target.scrub('FATAL: bad password "Hunter2-dsn"') == 'FATAL: bad password "***"'
