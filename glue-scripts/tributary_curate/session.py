"""SparkSession and Iceberg catalog: the Glue Data Catalog on Glue 5.0, a Hadoop catalog locally."""

from __future__ import annotations

import glob
import os
from pathlib import Path

EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
#: The Spark catalog name per `--catalog`.
CATALOG_NAMES = {"glue": "glue_catalog", "hadoop": "local"}
_REPO = Path(__file__).resolve().parents[2]
#: Iceberg's vectorized (Arrow) Parquet reads crash this machine's JVM (Debian OpenJDK 17.0.15: SIGSEGV
#: while compiling `DictionaryStringAccessor.getUTF8String`, reproducible on a MERGE's read of the
#: table); local sessions read row by row. Glue keeps Iceberg's default.
LOCAL_VECTORIZATION = "spark.sql.iceberg.vectorization.enabled"


def iceberg_jar() -> str:
    """The Iceberg Spark runtime jar for local runs: `$ICEBERG_JAR`, else the repo's `.tools/jars/`."""
    found = os.environ.get("ICEBERG_JAR") or next(
        iter(sorted(glob.glob(str(_REPO / ".tools/jars/iceberg-spark-runtime-3.5_2.12-*.jar")))), None
    )
    if not found or not os.path.exists(found):
        raise FileNotFoundError(
            "Iceberg Spark runtime jar not found: run scripts/bootstrap.sh (it fetches it into .tools/jars/) "
            "or set ICEBERG_JAR"
        )
    return found


def catalog_conf(kind: str, warehouse: str) -> dict[str, str]:
    """The `spark.sql.catalog.<name>.*` settings for `--catalog glue|hadoop`."""
    name = CATALOG_NAMES[kind]
    prefix = f"spark.sql.catalog.{name}"
    conf = {prefix: "org.apache.iceberg.spark.SparkCatalog", f"{prefix}.warehouse": warehouse}
    if kind == "glue":
        conf[f"{prefix}.catalog-impl"] = "org.apache.iceberg.aws.glue.GlueCatalog"
        conf[f"{prefix}.io-impl"] = "org.apache.iceberg.aws.s3.S3FileIO"
    else:
        conf[f"{prefix}.type"] = "hadoop"
    return conf


def build_local_spark(warehouse: str, app_name: str = "tributary-curate", cores: int = 2):
    """A local SparkSession with the Iceberg extensions and the Hadoop catalog `local` in `warehouse`,
    for tests, the demo and the bench (`local[cores]`, few shuffle partitions, UTC)."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.jars", iceberg_jar())
        .config("spark.sql.extensions", EXTENSIONS)
        .config("spark.sql.shuffle.partitions", str(max(2, cores)))
        .config("spark.default.parallelism", str(max(2, cores)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        .config(LOCAL_VECTORIZATION, "false")
    )
    for k, v in catalog_conf("hadoop", str(Path(warehouse).resolve())).items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def glue_spark(warehouse: str):
    """On Glue 5.0 (`--datalake-formats iceberg`): a session with the Glue Data Catalog as `glue_catalog`."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.config("spark.sql.extensions", EXTENSIONS)
    for k, v in catalog_conf("glue", warehouse).items():
        builder = builder.config(k, v)
    return builder.getOrCreate()


def configure(spark, kind: str, warehouse: str) -> str:
    """Makes sure `spark` has the catalog for `kind` in `warehouse`; returns the catalog's name.

    A catalog's settings are read when it is first used, so a session already using the catalog with
    another warehouse is an error rather than a silent write elsewhere."""
    name = CATALOG_NAMES[kind]
    want = catalog_conf(kind, warehouse if kind == "glue" else str(Path(warehouse).resolve()))
    current = spark.conf.get(f"spark.sql.catalog.{name}.warehouse", None)
    if current is not None and current.rstrip("/") != want[f"spark.sql.catalog.{name}.warehouse"].rstrip("/"):
        from .errors import ArgumentError

        raise ArgumentError(
            f"this Spark session's catalog {name!r} already uses warehouse {current}, not {warehouse}"
        )
    for k, v in want.items():
        spark.conf.set(k, v)
    if kind == "hadoop":
        spark.conf.set(LOCAL_VECTORIZATION, "false")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.caseSensitive", "true")
    return name
