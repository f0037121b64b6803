"""Named SQL statements kept in .sql files (data/sql, metrics/sql), so the SQL is readable on its own.

A file holds blocks that start with `-- name: NAME`, followed by a comment saying what the
statement returns, then the statement. Values are always bound parameters ($name).
"""
from __future__ import annotations

import functools
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"


@functools.cache
def statements(file: str, folder: Path = SQL_DIR) -> dict[str, str]:
    """The statements of <folder>/<file>.sql by name."""
    text = (folder / f"{file}.sql").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    name = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("-- name:"):
            if name:
                found[name] = "\n".join(lines).strip()
            name, lines = line.split(":", 1)[1].strip(), []
        elif name:
            lines.append(line)
    if name:
        found[name] = "\n".join(lines).strip()
    return found


def sql(file: str, name: str, folder: Path = SQL_DIR) -> str:
    """One named statement; a KeyError here is a programming mistake, not a user's."""
    return statements(file, folder)[name]
