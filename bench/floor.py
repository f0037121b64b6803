"""The floor: DuckDB's own plain load of the file, `python -m bench.floor FILE... DB`.

CREATE TABLE t AS SELECT * FROM read_csv([FILE, ...]) into a fresh database file, nothing else: no
validation, no duplicates check, no rollups. An import cannot be faster than this.
"""
from __future__ import annotations

import os
import sys

import duckdb


def main(argv: list[str]) -> int:
    *sources, target = argv
    con = duckdb.connect(target)
    if os.environ.get("OVERFLOW_MEMORY_LIMIT"):  # the same cap as the import's (data/store.py)
        con.execute("SET memory_limit = ?", [os.environ["OVERFLOW_MEMORY_LIMIT"]])
    try:
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sources])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
