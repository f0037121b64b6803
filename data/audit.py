"""The audit log: who changed what and when (agreements, imports, access, meetings), and who read
which partner's agent-level data (`agent_view`)."""
from __future__ import annotations

import getpass

from data import store
from data.store import Connection


def record(con: Connection, actor: str, action: str, detail: str = "") -> None:
    """Append one line inside the caller's transaction, so the log and the change commit together."""
    store.execute(con, "INSERT INTO audit_log (actor, action, detail) VALUES (?, ?, ?)", [actor, action, detail])


AGENT_VIEW = "agents.view"


def agent_view(db, viewer: str, partner: str, place: str) -> None:
    """The one record of agent-level data read: `viewer` saw the agent ids of `partner`'s queues
    ("in-house" for the centre's own) at `place` (a page's table, a pack's file), now. Its own short
    write, which moves no figure, so no cached read is thrown away (docs/privacy.md)."""
    with store.writing(db, bump=False) as con:
        record(con, viewer, AGENT_VIEW, f"{partner}: {place}")


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
