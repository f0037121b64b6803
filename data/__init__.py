"""The store, the lowest layer: connections and the one execute(), migrations, settings, the audit log,
the clock, interval rollup tables and the SQL loader. The only package that imports duckdb."""
