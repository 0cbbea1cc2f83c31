"""One local SparkSession (Iceberg, Hadoop catalog in a temp warehouse) for the whole session, and helpers
to run the job in-process and read the tables back."""

from __future__ import annotations

import io
import json
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

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
        summary = json.loads(out.getvalue().strip().splitlines()[-1])
        assert code == expect, summary
        return summary

    def rows(self, table: str, order: str = "") -> list[dict]:
        df = self.spark.table(f"local.{self.db}.{table}")
        if order:
            df = df.orderBy(*order.split(","))
        return [r.asDict() for r in df.collect()]

    def columns(self, table: str) -> dict[str, str]:
        return {f.name: f.dataType.simpleString() for f in self.spark.table(f"local.{self.db}.{table}").schema.fields}


@pytest.fixture
def curate_run(spark, warehouse, db) -> Runner:
    return Runner(spark, warehouse, db)
