"""One local SparkSession (Iceberg, Hadoop catalog in a temp warehouse) for the whole session, and helpers
to run the job in-process and read the tables back."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

# PySpark hands timestamps to Python in the process's local zone: the tests expect UTC wherever they run.
os.environ["TZ"] = "UTC"
time.tzset()

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import curate  # noqa: E402


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("warehouse")


@pytest.fixture(scope="session")
def spark(warehouse):
    session = curate.build_local_spark(str(warehouse), app_name="tributary-curate-tests")
    yield session
    session.stop()


@pytest.fixture
def db(request) -> str:
    """A database (Iceberg namespace) of the test's own."""
    return "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]


class Runner:
    def __init__(self, spark, warehouse: Path, db: str):
        self.spark, self.warehouse, self.db = spark, warehouse, db

    def __call__(self, run_id: str, manifests: list[str], *extra: str, expect: int = 0) -> dict:
        argv = [
            "--JOB_NAME",
            "tributary-curate",
            "--run_id",
            run_id,
            "--manifests",
            json.dumps(manifests),
            "--warehouse",
            str(self.warehouse),
            "--catalog",
            "hadoop",
            "--database",
            self.db,
            *extra,
        ]
        out = io.StringIO()
        with redirect_stdout(out):
            code = curate.main(argv, spark=self.spark)
        self.stdout = out.getvalue()
        summary = json.loads(self.stdout.strip().splitlines()[-1])
        assert code == expect, summary
        return summary

    def rows(self, table: str, order: str = "") -> list[dict]:
        df = self.spark.table(f"local.{self.db}.{table}")
        if order:
            df = df.orderBy(*order.split(","))
        return [r.asDict() for r in df.collect()]

    def columns(self, table: str) -> dict[str, str]:
        return {
            f.name: f.dataType.simpleString()
            for f in self.spark.table(f"local.{self.db}.{table}").schema.fields
        }


@pytest.fixture
def curate_run(spark, warehouse, db) -> Runner:
    return Runner(spark, warehouse, db)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(check, what: str, seconds: float = 30) -> None:
    import time

    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up within {seconds} s")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server on loopback (S3, Secrets Manager) for this test session."""
    import subprocess
    import urllib.request

    binary = Path(sys.executable).parent / "moto_server"
    if not binary.exists():
        pytest.skip(f"moto_server not found next to {sys.executable}: run scripts/bootstrap.sh")
    port = _free_port()
    proc = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: urllib.request.urlopen(f"{endpoint}/moto-api/").status < 500, "moto_server")
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def aws(moto_endpoint, monkeypatch):
    """The standard AWS variables pointing at the moto server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    return moto_endpoint


PG_PASSWORD = "s3cr3t-Pg-passw0rd"


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (Debian's binaries) on a free loopback port, password auth over TCP.
    Yields the connection parameters; stopped at the end of the session."""
    import glob
    import os
    import shutil
    import subprocess

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip(
            "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): install Debian's postgresql"
        )
    bin_dir = Path(found[-1]).parent
    as_user: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser: cannot start PostgreSQL as user postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    import tempfile

    # Under /tmp itself: pytest's own temp folders are private to root, and postgres must reach its data.
    root = Path(tempfile.mkdtemp(prefix="tributary-pg-"))
    data, pwfile = root / "data", root / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if as_user:
        shutil.chown(root, "postgres")
        shutil.chown(pwfile, "postgres")
    os.chmod(root, 0o755)
    port = _free_port()
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", f"--pwfile={pwfile}",
         "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "start",
         "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield {
            "host": "127.0.0.1",
            "port": port,
            "dbname": "postgres",
            "user": "postgres",
            "password": PG_PASSWORD,
        }
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_schema(postgres, db):
    """A schema of the test's own in the PostgreSQL server."""
    import psycopg

    with psycopg.connect(**postgres, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {db} CASCADE")
        conn.execute(f"CREATE SCHEMA {db}")
    return db
