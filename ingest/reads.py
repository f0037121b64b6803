"""What the imports did, read for the Data page and the CLI: the import history, rejected rows with
their reasons, and the queue_log legs still waiting for their other file."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from data import clock, sqlfiles, store
from data.store import Connection
from ingest.profiles import queue_log

SQL_DIR = Path(__file__).resolve().parent / "sql"


def import_history(con: Connection, tz: str, limit: int = 200) -> pd.DataFrame:
    """The latest imports, newest first, with where every row went."""
    return store.frame(con, sqlfiles.sql("imports", "import_history", SQL_DIR), {"tz": tz, "limit": limit})


def rejected_rows(con: Connection, batch_id: int | None = None, limit: int = 1000) -> pd.DataFrame:
    """Rejected rows with their reasons: one batch, or the latest of all batches."""
    return store.frame(con, sqlfiles.sql("imports", "rejected_rows", SQL_DIR), {"batch_id": batch_id, "limit": limit})


WAITING_COLUMNS = ("queue", "call_id", "file", "line", "first_event", "kept_at", "waited_s", "missing", "waited")


def queue_log_waiting(con: Connection, tz: str, now: dt.datetime | None = None) -> pd.DataFrame:
    """The queue_log legs waiting for their other file, one row each (WAITING_COLUMNS), oldest first.

    The import only counts them in its notes; this names them, so an analyst can find the rotated
    file that is missing. Read straight from queue_log_pending (no import code runs); an older
    file opened read-only, without that table, has none waiting.
    """
    if not store.has_table(con, "queue_log_pending"):
        return pd.DataFrame(columns=list(WAITING_COLUMNS))
    frame = store.frame(con, sqlfiles.sql("imports", "queue_log_waiting", SQL_DIR), {
        "tz": tz, "now": now or clock.now(), "start": queue_log.LEG_START,
        "ends": [*queue_log.UNANSWERED_END, *queue_log.ANSWERED_END]})
    frame["waited"] = frame["waited_s"].map(waited_text)
    return frame


def waited_text(seconds: int | None) -> str:
    """How long, in the two largest units a person reads at a glance: `45 min`, `3 h 5 min`, `4 d 2 h`."""
    if seconds is None or pd.isna(seconds):
        return "unknown"
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
