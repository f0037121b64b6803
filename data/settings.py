"""Settings: one table of (name, default, help). Stored values override the defaults.

A test checks that every setting here is documented in README.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("reporting_tz", "Europe/Stockholm", "Time zone in which days, weeks and intervals are cut."),
    Setting("sl_threshold_s", "20", "Service-level threshold T in seconds when no agreement sets one."),
    Setting("short_abandon_s", "5", "Abandons shorter than S seconds are short abandons when no agreement sets S."),
    Setting("fcr_days", "7", "A repeat call within this many days makes the first call unresolved (FCR)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(con: duckdb.DuckDBPyConnection | None, name: str) -> str:
    """The stored value of a setting, else its default."""
    if name not in _BY_NAME:
        raise KeyError(f"unknown setting {name!r}")
    if con is not None:
        row = con.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchone()
        if row:
            return row[0]
    return _BY_NAME[name].default


def put(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    if name not in _BY_NAME:
        raise KeyError(f"unknown setting {name!r}")
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [name, value])
