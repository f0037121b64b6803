"""The audit log: who changed what and when (agreements, imports, access, meetings)."""
from __future__ import annotations

import getpass

import duckdb


def record(con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: str = "") -> None:
    """Append one line inside the caller's transaction, so the log and the change commit together."""
    con.execute("INSERT INTO audit_log (actor, action, detail) VALUES (?, ?, ?)", [actor, action, detail])


def cli_actor() -> str:
    """Who a command-line change is logged as: the operating-system user that ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def recent(con: duckdb.DuckDBPyConnection, limit: int = 500) -> list[tuple]:
    """The newest lines first, as (logged_at in UTC without zone, actor, action, detail)."""
    return con.execute(
        "SELECT timezone('UTC', logged_at), actor, action, detail FROM audit_log ORDER BY logged_at DESC, rowid DESC LIMIT ?",
        [limit],
    ).fetchall()
