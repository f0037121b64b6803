"""Storage: the DuckDB schema and its migrations, connections, importers and demo data."""
