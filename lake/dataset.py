"""The lake's folder: the call legs as Parquet, hive-partitioned by month, and what the rollups need.

    DIR/call_legs/month=2026-11/export-000003-data_0.parquet   the legs, by UTC month of offered_at
    DIR/exports/000003.json        one per export that finished: its batch ids, files and leg count
    DIR/reference/*.parquet        queues, agreement spans, opening hours (as of the latest export)
    DIR/reference/terms.json       the default T and S, the reporting zone, the store's macros
    DIR/aggregates/<name>/         what `lake rollups` wrote (interval_rollups, wait_histogram,
                                   repeat_gaps, call_paths, call_journeys)

Appending is by import batch: an import writes all its legs in one transaction under one batch id,
and an export writes every batch not named in a finished export's record, so exporting again after
a new import adds only the new legs, and exporting twice adds nothing. The record is written last:
files of an export that stopped before it (no record) are removed by the next export and read by
nothing, so a leg is never in the lake twice.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from data import settings, store
from data.errors import UserError
from data.i18n import N_, _
from data.store import Connection
from lake.portable import Macro

LEGS = "call_legs"
EXPORTS = "exports"
REFERENCE = "reference"
AGGREGATES = "aggregates"
STAGING = "_staging"
MACROS = ("inside_opening_hours", "usable_customer_id", "repeat_days_between")

# What the rollups read beside the legs, each as one Parquet file. Opening hours' TIME columns go as
# seconds after midnight, which both engines turn back into a duration (lake/engines.py).
REFERENCE_SQL = {
    "queues": "SELECT queue_id, name, partner_id, time_zone FROM queues",
    "agreement_spans": "SELECT agreement_id, partner_id, valid_from, valid_to, sl_threshold_s, short_abandon_s "
                       "FROM agreement_spans",
    "hours_versions": "SELECT version_id, partner_id, valid_from FROM hours_versions",
    "hours_spans": "SELECT version_id, partner_id, valid_from, valid_to FROM hours_spans",
    "opening_hours": "SELECT version_id, iso_weekday, CAST(extract(epoch FROM opens_at) AS INTEGER) AS opens_s, "
                     "CAST(extract(epoch FROM closes_at) AS INTEGER) AS closes_s FROM opening_hours",
}


@dataclass(frozen=True)
class Export:
    """One finished export: which batches it wrote, into which files, how many legs."""
    export_id: int
    batch_ids: tuple[int, ...]
    files: tuple[str, ...]   # relative to DIR
    legs: int


@dataclass(frozen=True)
class Terms:
    """The settings and macros the rollup SQL needs, as the store held them at the latest export."""
    default_t: int
    default_s: int
    tz: str
    macros: dict[str, Macro]


def exports(lake: Path) -> list[Export]:
    """The finished exports, oldest first."""
    found = []
    for record in sorted((lake / EXPORTS).glob("*.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        found.append(Export(data["export_id"], tuple(data["batch_ids"]), tuple(data["files"]), data["legs"]))
    return found


def leg_files(lake: Path) -> list[Path]:
    """The Parquet files of every finished export: the legs the lake holds."""
    return [lake / f for e in exports(lake) for f in e.files]


def terms(lake: Path) -> Terms:
    path = lake / REFERENCE / "terms.json"
    if not path.exists():
        raise UserError(_("{lake} holds no lake yet: write one with `python -m cli lake export {lake}`").format(lake=lake))
    data = json.loads(path.read_text(encoding="utf-8"))
    return Terms(data["default_t"], data["default_s"], data["tz"],
                 {name: Macro(name, tuple(m["parameters"]), m["definition"]) for name, m in data["macros"].items()})


def export(con: Connection, lake: Path) -> Export | None:
    """Append the legs of every batch not yet in the lake, and refresh the reference tables.

    Returns the export written, or None when every batch was already there.
    """
    lake.mkdir(parents=True, exist_ok=True)
    _forget_unfinished(lake)
    _write_reference(con, lake)
    done = {b for e in exports(lake) for b in e.batch_ids}
    batches = [b for (b,) in store.execute(con, "SELECT DISTINCT batch_id FROM call_legs ORDER BY batch_id").rows
               if b not in done]
    if not batches:
        return None
    export_id = max((e.export_id for e in exports(lake)), default=0) + 1
    staging = lake / STAGING / f"{export_id:06d}"
    staging.parent.mkdir(parents=True, exist_ok=True)
    store.execute(con, "CREATE OR REPLACE TEMP TABLE lake_batches (batch_id INTEGER)")
    store.execute_many(con, "INSERT INTO lake_batches VALUES ($1)", [(b,) for b in batches])
    store.execute(con, f"""
        COPY (SELECT l.*, strftime(l.offered_at, '%Y-%m') AS month
              FROM call_legs l JOIN lake_batches b ON b.batch_id = l.batch_id)
        TO {quoted(staging)} (FORMAT parquet, PARTITION_BY (month), COMPRESSION zstd)""", what=N_("export the legs"))
    legs = store.execute(con, "SELECT count(*) FROM call_legs l JOIN lake_batches b ON b.batch_id = l.batch_id").scalar()
    files = []
    for part in sorted(staging.rglob("*.parquet")):
        target = lake / LEGS / part.parent.name / f"export-{export_id:06d}-{part.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, target)
        files.append(target.relative_to(lake).as_posix())
    record = Export(export_id, tuple(batches), tuple(files), int(legs))
    _write_json(lake / EXPORTS / f"{export_id:06d}.json",
                {"export_id": export_id, "batch_ids": batches, "files": files, "legs": record.legs})
    shutil.rmtree(lake / STAGING, ignore_errors=True)
    return record


def _forget_unfinished(lake: Path) -> None:
    """Remove the files of an export that stopped before writing its record."""
    shutil.rmtree(lake / STAGING, ignore_errors=True)
    finished = {f for e in exports(lake) for f in e.files}
    for path in (lake / LEGS).rglob("*.parquet"):
        if path.relative_to(lake).as_posix() not in finished:
            path.unlink()


def _write_reference(con: Connection, lake: Path) -> None:
    folder = lake / REFERENCE
    folder.mkdir(parents=True, exist_ok=True)
    for name, select in REFERENCE_SQL.items():
        staged = folder / f".{name}.parquet"
        store.execute(con, f"COPY ({select}) TO {quoted(staged)} (FORMAT parquet)", what=f"export {name}")
        os.replace(staged, folder / f"{name}.parquet")
    macros = store.execute(con, "SELECT function_name, parameters, macro_definition FROM duckdb_functions() "
                                "WHERE function_type = 'macro' AND function_name IN $names",
                           {"names": list(MACROS)}).rows
    _write_json(folder / "terms.json", {
        "default_t": int(settings.get(con, "sl_threshold_s")),
        "default_s": int(settings.get(con, "short_abandon_s")),
        "tz": settings.get(con, "reporting_tz"),
        "macros": {name: {"parameters": list(parameters), "definition": definition}
                   for name, parameters, definition in macros},
    })


def _write_json(path: Path, data: object) -> None:
    """Write whole or not at all: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}")
    staged.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(staged, path)


def quoted(path: Path) -> str:
    """A path as a SQL string literal (COPY takes no bound parameter for its target)."""
    return "'" + str(path).replace("'", "''") + "'"
