"""The 15-minute interval rollups: every coarser figure is a sum over these rows.

Intervals are 15-minute buckets aligned on UTC. Every zone whose offset is a whole or half hour
(all but a handful, e.g. Nepal and Chatham) cuts its hours and days on these same boundaries, so
one set of rollups serves every reporting zone.

The T- and S-dependent counts use the agreement in force for the queue's partner on the interval's
day in the reporting zone, else the settings' defaults; each row records the T and S it used. So
the rollups of a partner must be rebuilt when its agreement changes (`refresh_partner`), and all of
them when the default T/S or the reporting zone setting changes (`rebuild_all`).

All functions run inside the caller's transaction (store.writing()) and never commit.
"""
from __future__ import annotations

import duckdb

from data import settings, store
from metrics.sqlfiles import sql


def _terms(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    return {
        "default_t": int(settings.get(con, "sl_threshold_s")),
        "default_s": int(settings.get(con, "short_abandon_s")),
        "tz": settings.get(con, "reporting_tz"),
    }


def _rebuild_scope(con: duckdb.DuckDBPyConnection) -> None:
    store.execute(con, sql("rollups", "delete_scope"))
    store.execute(con, sql("rollups", "insert_scope"), _terms(con))
    store.execute(con, "DROP TABLE rollup_scope")


def refresh_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Rebuild the rollups of the (queue, interval) pairs that the legs of one batch touch.

    Called by the importer inside its import transaction, right after the legs are inserted; the
    rebuilt rows include the legs of earlier batches in the same intervals.
    """
    store.execute(con, sql("rollups", "scope_batch"), {"batch_id": batch_id})
    _rebuild_scope(con)


def refresh_partner(con: duckdb.DuckDBPyConnection, partner_id: int) -> None:
    """Rebuild every rollup of a partner's queues: its agreement (so T or S) may have changed."""
    store.execute(con, sql("rollups", "delete_partner"), {"partner_id": partner_id})
    store.execute(con, sql("rollups", "scope_partner"), {"partner_id": partner_id})
    _rebuild_scope(con)


def rebuild_all(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every rollup from call_legs (after a bulk load or a change of default T/S or zone)."""
    store.execute(con, "DELETE FROM interval_rollups")
    store.execute(con, sql("rollups", "scope_all"))
    _rebuild_scope(con)
