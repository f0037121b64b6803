"""Run the lake's SQL on an engine: DuckDB in this process, or Apache Spark (local or a cluster).

Both engines see the same relations under the store's own names (call_legs, queues,
agreement_spans, hours_versions, hours_spans, opening_hours, rollup_scope), read from the lake's
Parquet files, and run the same statements (lake.portable renders them per dialect); each writes
what a statement returns as a folder of Parquet files.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Protocol

from data import store
from data.errors import UserError
from data.i18n import _
from lake import dataset

LOG_CONFIG = Path(__file__).resolve().parent / "log4j2.properties"
LOCAL_MASTER = "local[2]"
# Settings the results depend on, set on any session the lake runs in: every instant in UTC (as
# store.connect does), timestamps written as Parquet's microsecond UTC instants, month=2026-11 a string.
MEANING = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
}

# The durations the opening hours are compared with, from the seconds after midnight the lake keeps.
OPENING_HOURS = {
    "duckdb": "SELECT version_id, iso_weekday, to_seconds(opens_s) AS opens_at, to_seconds(closes_s) AS closes_at "
              "FROM opening_hours_s",
    "spark": "SELECT version_id, iso_weekday, make_dt_interval(0, 0, 0, opens_s) AS opens_at, "
             "make_dt_interval(0, 0, 0, closes_s) AS closes_at FROM opening_hours_s",
}


class Engine(Protocol):
    dialect: str

    def relation(self, name: str, files: list[Path], base: Path | None = None) -> None:
        """Make Parquet `files` readable as `name` (hive partitions under `base` become columns)."""

    def view(self, name: str, sql: str) -> None:
        """Make the rows of `sql` readable as `name`, computed once."""

    def write(self, sql: str, folder: Path) -> None:
        """Write the rows of `sql` as Parquet files into `folder` (which does not exist yet)."""

    def close(self) -> None: ...


class DuckDBEngine:
    """DuckDB in memory, through the store's one execute: the reference to compare Spark with."""
    dialect = "duckdb"

    def __init__(self) -> None:
        self.con = store.connect()
        store.execute(self.con, "SET enable_progress_bar = false")

    def relation(self, name: str, files: list[Path], base: Path | None = None) -> None:
        listed = ", ".join(dataset.quoted(f) for f in files)
        store.execute(self.con, f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listed}], "
                                f"hive_partitioning = {'true' if base else 'false'})")

    def view(self, name: str, sql: str) -> None:
        store.execute(self.con, f"CREATE TEMP TABLE {name} AS {sql}", what=f"compute {name}")

    def write(self, sql: str, folder: Path) -> None:
        folder.mkdir(parents=True)
        store.execute(self.con, f"COPY ({sql}) TO {dataset.quoted(folder / 'data_0.parquet')} (FORMAT parquet)",
                      what=f"write {folder.name}")

    def count(self, files: list[Path]) -> int:
        """The rows in Parquet `files` (none: 0)."""
        if not files:
            return 0
        listed = ", ".join(dataset.quoted(f) for f in files)
        return int(store.execute(self.con, f"SELECT count(*) FROM read_parquet([{listed}])").scalar())

    def close(self) -> None:
        self.con.close()


class SparkEngine:
    """PySpark: `local[2]` here, or the cluster spark-submit names (README)."""
    dialect = "spark"

    def __init__(self, master: str | None = None) -> None:
        self.spark = session(master)

    def relation(self, name: str, files: list[Path], base: Path | None = None) -> None:
        reader = self.spark.read.option("basePath", str(base)) if base else self.spark.read
        reader.parquet(*(str(f) for f in files)).createOrReplaceTempView(name)

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(sql).cache().createOrReplaceTempView(name)

    def write(self, sql: str, folder: Path) -> None:
        self.spark.sql(sql).write.mode("errorifexists").parquet(str(folder))

    def close(self) -> None:
        self.spark.catalog.clearCache()


def session(master: str | None = None):
    """The Spark session: quiet, UTC, few shuffle partitions, no web UI; `master` else spark-submit's
    (else `local[2]`). Inside a running Spark application (a Databricks job) that application's
    session. Started here, the driver reads LOG_CONFIG, so Spark logs errors only."""
    spark_session = _spark()
    active = spark_session.getActiveSession()
    if active is not None and master is None:
        for name, value in MEANING.items():
            active.conf.set(name, value)
        return active
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS",
                          f"--driver-java-options -Dlog4j2.configurationFile=file:{LOG_CONFIG} pyspark-shell")
    builder = (spark_session.builder.appName("overflow-sla-lake")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4"))
    for name, value in MEANING.items():
        builder = builder.config(name, value)
    if master or not _submitted():
        builder = builder.master(master or LOCAL_MASTER)
    try:
        spark = builder.getOrCreate()
    except Exception as error:  # pyspark's own errors when the JVM does not start (no Java, no memory)
        first = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise UserError(_("Spark did not start (it needs Java 17 or newer: `make java`): {problem}").format(
            problem=first)) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _spark():
    """pyspark's SparkSession, or one clear line when it is not installed."""
    warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
    try:
        from pyspark.sql import SparkSession  # noqa: PLC0415 - optional engine, only when asked for
    except ImportError:
        raise UserError(_("the Spark engine needs pyspark and Java: `make dev-venv java`, or use --engine duckdb")) from None
    return SparkSession


def _submitted() -> bool:
    """Whether spark-submit (or a cluster's notebook) already set the master."""
    return "spark.master" in os.environ.get("PYSPARK_SUBMIT_ARGS", "") or "SPARK_ENV_LOADED" in os.environ


def register(engine: Engine, lake: Path, files: list[Path]) -> None:
    """The legs and the reference tables under the store's names."""
    engine.relation("call_legs", files, base=lake / dataset.LEGS)
    reference = lake / dataset.REFERENCE
    for name in dataset.REFERENCE_SQL:
        engine.relation("opening_hours_s" if name == "opening_hours" else name, [reference / f"{name}.parquet"])
    engine.view("opening_hours", OPENING_HOURS[engine.dialect])


