"""The alerting SQL, kept in notify/sql/*.sql and read by name through the store's one loader."""
from __future__ import annotations

from pathlib import Path

from data import sqlfiles

SQL_DIR = Path(__file__).resolve().parent / "sql"


def sql(name: str) -> str:
    """One named statement of notify/sql/alerts.sql."""
    return sqlfiles.sql("alerts", name, SQL_DIR)
