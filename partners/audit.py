"""The audit log: who changed what and when (agreements, imports, access, meetings)."""
from __future__ import annotations

import getpass

import duckdb


def record(con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: str = "") -> None:
    """Append one line inside the caller's transaction, so the log and the change commit together."""
    con.execute("INSERT INTO audit_log (actor, action, detail) VALUES (?, ?, ?)", [actor, action, detail])


def partner_name(con: duckdb.DuckDBPyConnection, partner_id: int) -> str:
    """A partner by its name, as a reader knows it (log lines, scorecards), not by its row id."""
    row = con.execute("SELECT name FROM partners WHERE partner_id = ?", [partner_id]).fetchone()
    return row[0] if row else f"partner {partner_id}"


def cli_actor() -> str:
    """Who a command-line change is logged as: the operating-system user that ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def recent(con: duckdb.DuckDBPyConnection, limit: int = 500, tz: str = "UTC") -> list[tuple]:
    """The newest lines first, as (logged_at in zone `tz` without zone, actor, action, detail): the
    page shows them in the reporting zone like every other time."""
    return con.execute(
        "SELECT timezone(?, logged_at), actor, action, detail FROM audit_log ORDER BY logged_at DESC, rowid DESC LIMIT ?",
        [tz, limit],
    ).fetchall()
