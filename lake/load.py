"""`lake load`: the rollups the lake computed, into the dashboard's database, all or nothing.

The rows replace those of the same (queue, interval) pairs; pairs the lake has no legs for keep
their rows. Refused, with the reason, when the rows would be stale or foreign: the database holds
legs of an import batch the rollups did not see (export and compute again first), or the rollups
name a queue the database does not have. The detail aggregates (wait_histogram, fcr_gaps) stay in
the lake until the database has tables for them (issue 22's pre-aggregated tables).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data import store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from lake import compute, dataset


@dataclass(frozen=True)
class Loaded:
    rows: int
    replaced: int
    engine: str


def load(con: Connection, lake: Path) -> Loaded:
    """Bring DIR/aggregates/interval_rollups into interval_rollups, inside the caller's transaction."""
    computed = compute.manifest(lake)
    files = compute.output_files(lake, "interval_rollups")
    if not files:
        raise UserError(_("{lake} has no interval rollups: compute them with `python -m cli lake rollups {lake}`").format(
            lake=lake))
    _refuse_stale(con, computed)
    store.execute(con, "SET enable_progress_bar = false")
    listed = ", ".join(dataset.quoted(f) for f in files)
    store.execute(con, f"CREATE OR REPLACE TEMP TABLE lake_rollups AS SELECT * FROM read_parquet([{listed}])",
                  what=N_("read the lake's rollups"))
    _refuse_foreign(con, lake)
    replaced = store.execute(con, "SELECT count(*) FROM interval_rollups JOIN lake_rollups USING (queue_id, interval_start)"
                             ).scalar()
    store.execute(con, """
        DELETE FROM interval_rollups
        WHERE EXISTS (SELECT 1 FROM lake_rollups n
                      WHERE n.queue_id = interval_rollups.queue_id AND n.interval_start = interval_rollups.interval_start)""")
    store.execute(con, "INSERT INTO interval_rollups BY NAME SELECT * FROM lake_rollups", what=N_("load the rollups"))
    rows = store.execute(con, "SELECT count(*) FROM lake_rollups").scalar()
    store.execute(con, "DROP TABLE lake_rollups")
    return Loaded(int(rows), int(replaced), computed.engine)


def _refuse_stale(con: Connection, computed: compute.Computed) -> None:
    held = [b for (b,) in store.execute(con, "SELECT DISTINCT batch_id FROM call_legs ORDER BY batch_id").rows]
    unseen = [b for b in held if b not in set(computed.batch_ids)]
    if unseen:
        raise UserError(_("the database holds legs of {count} import batch(es) the lake's rollups did not see (first: "
                          "{first}): run `lake export` and `lake rollups` again, then load").format(
            count=len(unseen), first=unseen[0]))


def _refuse_foreign(con: Connection, lake: Path) -> None:
    wanted = {"queue_id", "interval_start", *(c for (c,) in store.execute(
        con, "SELECT column_name FROM information_schema.columns WHERE table_name = 'interval_rollups' "
             "AND table_catalog = current_database()").rows)}
    found = {c for (c,) in store.execute(
        con, "SELECT column_name FROM information_schema.columns WHERE table_name = 'lake_rollups'").rows}
    if found != wanted:
        raise UserError(_("the rollups in {lake} do not have this database's columns (missing: {missing}; unknown: "
                          "{unknown}): compute them again").format(
            lake=lake, missing=", ".join(sorted(wanted - found)) or _("none"),
            unknown=", ".join(sorted(found - wanted)) or _("none")))
    unknown = [q for (q,) in store.execute(
        con, "SELECT DISTINCT queue_id FROM lake_rollups WHERE queue_id NOT IN (SELECT queue_id FROM queues) "
             "ORDER BY queue_id").rows]
    if unknown:
        raise UserError(_("the rollups in {lake} name queue ids this database does not have ({ids}): they come from "
                          "another database").format(lake=lake, ids=", ".join(map(str, unknown[:5]))))
