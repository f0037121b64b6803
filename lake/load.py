"""`lake load`: the rollups and detail aggregates the lake computed, into the dashboard's database,
all or nothing.

The interval rollups replace those of the same (queue, interval) pairs; pairs the lake has no legs
for keep their rows. The detail aggregates (wait_histogram, repeat_gaps, call_paths, call_journeys:
what the pages read beside the rollups) cover every leg the lake holds, so they replace those tables
whole, with the zone they were cut in and the batches they hold (detail_zone, aggregated_batches), as
`rollups.rebuild_details` leaves them; customer_calls, the store's own index of the legs, stays.
Refused, with the reason, when the rows would be stale or foreign: the database holds legs of an
import batch the lake did not see (export and compute again first), the rollups name a queue the
database does not have, or the database now reports in another zone than the lake cut its days in.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data import settings, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from lake import compute, dataset


# The detail aggregates `lake rollups` writes, each replacing its table whole.
DETAILS = ("wait_histogram", "repeat_gaps", "call_paths", "call_journeys")
# The rows as the table keeps them: call_journeys holds DuckDB's hash of the call key the lake wrote.
STORED = {"call_journeys": "SELECT hash(call_key) AS call_hash, * EXCLUDE (call_key) FROM lake_rows"}


@dataclass(frozen=True)
class Loaded:
    rows: int
    replaced: int
    engine: str
    details: dict[str, int]


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
    return Loaded(int(rows), int(replaced), computed.engine, _load_details(con, lake))


def _load_details(con: Connection, lake: Path) -> dict[str, int]:
    """Replace the detail aggregates with the lake's; their zone and batches with the lake's."""
    missing = [name for name in DETAILS if not compute.output_files(lake, name)]
    if missing:
        raise UserError(_("{lake} has no {tables} (computed by an older version): compute them with "
                          "`python -m cli lake rollups {lake}`").format(lake=lake, tables=", ".join(missing)))
    zone, reporting = dataset.terms(lake).tz, settings.get(con, "reporting_tz")
    if zone != reporting:
        raise UserError(_("the lake's days are cut in {zone}, this database reports in {reporting}: "
                          "run `lake export` and `lake rollups` again, then load").format(zone=zone, reporting=reporting))
    loaded = {}
    for name in DETAILS:
        listed = ", ".join(dataset.quoted(f) for f in compute.output_files(lake, name))
        store.execute(con, f"CREATE OR REPLACE TEMP TABLE lake_rows AS SELECT * FROM read_parquet([{listed}])",
                      what=f"read the lake's {name}")
        store.execute(con, f"DELETE FROM {name}")
        store.execute(con, f"INSERT INTO {name} BY NAME {STORED.get(name, 'SELECT * FROM lake_rows')}",
                      what=f"load {name}")
        loaded[name] = int(store.execute(con, "SELECT count(*) FROM lake_rows").scalar())
        store.execute(con, "DROP TABLE lake_rows")
    store.execute(con, "DELETE FROM detail_zone")
    store.execute(con, "INSERT INTO detail_zone VALUES ($tz)", {"tz": zone})
    store.execute(con, "DELETE FROM aggregated_batches")
    store.execute(con, "INSERT INTO aggregated_batches SELECT DISTINCT batch_id FROM call_legs")
    return loaded


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
