"""The audit log: who changed what and when (agreements, imports, access, meetings)."""
from __future__ import annotations

import getpass

from data import store
from data.store import Connection


def record(con: Connection, actor: str, action: str, detail: str = "") -> None:
    """Append one line inside the caller's transaction, so the log and the change commit together."""
    store.execute(con, "INSERT INTO audit_log (actor, action, detail) VALUES (?, ?, ?)", [actor, action, detail])


def cli_actor() -> str:
    """Who a command-line change is logged as: the operating-system user that ran it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def recent(con: Connection, limit: int = 500, tz: str = "UTC") -> list[tuple]:
    """The newest lines first, as (logged_at in zone `tz` without zone, actor, action, detail): the
    page shows them in the reporting zone like every other time."""
    return store.execute(
        con,
        "SELECT timezone(?, logged_at), actor, action, detail FROM audit_log ORDER BY logged_at DESC, rowid DESC LIMIT ?",
        [tz, limit],
    ).rows
