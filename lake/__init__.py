"""The lake: the call legs kept also as a Parquet dataset, and the rollups computed from it by Spark.

When one machine's DuckDB is not enough (README, "When one machine is not enough"), the legs go to a
Parquet dataset hive-partitioned by month (`lake.dataset`), Spark (or DuckDB, to compare) computes
the interval rollups and the detail aggregates from it with the same SQL the store runs
(`lake.portable`, `lake.engines`), and `lake.load` brings the rollups and the detail aggregates back
into the dashboard's database. It reads the store and its SQL; nothing below it imports it.
"""
