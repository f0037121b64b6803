"""The metric SQL, kept in metrics/sql/*.sql and read by name through the store's one loader."""
from __future__ import annotations

from pathlib import Path

from data import sqlfiles

SQL_DIR = Path(__file__).resolve().parent / "sql"


def sql(file: str, name: str) -> str:
    """One named statement of metrics/sql/<file>.sql."""
    return sqlfiles.sql(file, name, SQL_DIR)
