"""The audit log: who changed what and when (agreements, imports, access, meetings)."""
from __future__ import annotations

import duckdb


def record(con: duckdb.DuckDBPyConnection, actor: str, action: str, detail: str = "") -> None:
    """Append one line inside the caller's transaction, so the log and the change commit together."""
    con.execute("INSERT INTO audit_log (actor, action, detail) VALUES (?, ?, ?)", [actor, action, detail])


def recent(con: duckdb.DuckDBPyConnection, limit: int = 500) -> list[tuple]:
    return con.execute(
        "SELECT logged_at, actor, action, detail FROM audit_log ORDER BY logged_at DESC LIMIT ?", [limit]
    ).fetchall()
