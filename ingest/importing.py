"""Importing a file: stage it outside the write lock, then publish it in one transaction.

Every record read ends in exactly one of four places, and the import_batches row says how many
went where (its CHECK enforces read = imported + duplicates + filtered + rejected):

* imported: written to its table;
* duplicates: the same key is already in the database, or earlier in the same file;
* filtered: dropped by a named rule of the profile (e.g. PHANTOM records);
* rejected: written to rejected_rows with its line, its raw text and a reason a person can act on.

Parsing and checking happen in a private in-memory staging database (see
ingest/profiles/stage.py); the store's write lock is taken only to copy the checked rows in, so
the dashboard keeps reading while a big file is parsed. The store is ATTACHed to the staging
connection for that copy, so the rows go from memory to the store in one statement and are
written to disk once. The copy is one transaction: killed at any point, the database holds all
of the import or none of it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from data import audit, rollups, settings, store
from data.errors import UserError
from data.i18n import _
from data.store import Connection, DatabaseError
from ingest.profiles import PROFILE_SPECS
from ingest.profiles.legs import fingerprint, registry, snapshot
from ingest.profiles.source import open_source, temporary_workdir
from ingest.profiles.stage import ProfileSpec, Progress, Stage, collect_rejects

PROFILES: dict[str, str] = {name: spec.description for name, spec in PROFILE_SPECS.items()}

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ImportSummary:
    """Where every record of one import went. read = imported + duplicates + filtered + rejected."""

    batch_id: int
    kind: str
    profile: str
    file_name: str
    read: int
    imported: int
    duplicates: int
    filtered: int
    rejected: int
    filtered_by: dict[str, int]
    notes: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Staged:
    """The counts the staging step settled; publish adds imported and duplicates."""

    tz: str
    sha256: str
    registry_fingerprint: str
    read: int
    valid: int
    rejected: int
    filtered_by: dict[str, int]
    notes: str


def _quiet(fraction: float, message: str) -> None:
    """The progress callback when the caller gives none."""


def import_file(
    path: str | os.PathLike,
    *,
    profile: str = "generic",
    tz: str | None = None,
    db: str | os.PathLike | None = None,
    imported_by: str | None = None,
    progress: Progress | None = None,
    file_name: str | None = None,
    new_queues: bool = False,
) -> ImportSummary:
    """Import one file with a profile. Raises UserError for a file-level mistake, never anything else.

    new_queues: create a queue even when its name is close to an existing one's; without it such an
    import is refused whole (ingest.profiles.near.NearQueues, naming each pair) before anything is written.

    file_name: the name the history, rejected rows and audit log record, when the path is not the
    name the user knows (an upload is kept under a server-side path); default: the resolved path.
    """
    spec = PROFILE_SPECS.get(profile)
    if spec is None:
        raise UserError(_("unknown profile {profile}; choose one of: {choices}").format(
            profile=repr(profile), choices=", ".join(PROFILE_SPECS)))
    if tz is not None:
        settings.check_time_zone(tz)
    report = progress or _quiet
    started = dt.datetime.now(dt.timezone.utc)
    try:
        for _attempt in range(MAX_ATTEMPTS):
            with temporary_workdir() as work, _staging(Path(work)) as con:
                staged = _stage(Path(path), spec, tz, db, con, Path(work), report, new_queues)
                summary = _publish(Path(path), spec, staged, db, con, imported_by, started, report, file_name)
                if summary is not None:
                    report(1.0, _("done"))
                    return summary
    except DatabaseError as error:
        raise UserError(_("{file}: the import failed ({problem})").format(
            file=path, problem=str(error).strip().splitlines()[0][:300])) from None
    except (OSError, MemoryError) as error:
        raise UserError(_("{file}: the import failed ({problem})").format(file=path, problem=error)) from None
    raise UserError(_("{file}: partners, queues or waiting queue_log legs kept changing while importing; try again")
                    .format(file=path))


def _registry_now(db: str | os.PathLike | None) -> tuple[tuple, str]:
    """(the registry as legs.registry reads it, reporting zone); empty when there is no database yet."""
    if not store.db_path(db).exists():
        return ([], [], (0, None)), settings.get(None, "reporting_tz")
    with store.reading(db) as con:
        return registry(con), settings.get(con, "reporting_tz")


@contextlib.contextmanager
def _staging(work: Path) -> Iterator[Connection]:
    """An in-memory DuckDB whose default catalog is `stg` (the name publishing SQL reads from);
    what does not fit in memory spills to the import's own temporary folder."""
    con = store.connect()
    try:
        store.execute(con, "SET temp_directory = ?", [str(work / "spill")])
        store.execute(con, "ATTACH ':memory:' AS stg")
        store.execute(con, "USE stg")
        yield con
    finally:
        con.close()


def _stage(path: Path, spec: ProfileSpec, tz: str | None, db, con: Connection, work: Path,
           report: Progress, new_queues: bool = False) -> Staged:
    report(0.0, _("checking the file"))
    state, reporting_tz = _registry_now(db)
    zone = tz or spec.default_tz or reporting_tz
    source = open_source(path, work, delimiter=spec.delimiter, header=spec.header)
    store.execute(con, "SET TimeZone = ?", [zone])
    stage = Stage(con, path, source, zone, report, db=db, new_queues=new_queues)
    snapshot(stage, *state[:2])
    spec.stage(stage)
    collect_rejects(stage)
    staged = _count(stage, source.sha256, fingerprint(*state))
    store.execute(con, "RESET TimeZone")  # publishing runs as a fresh store connection would
    if staged.read == 0:
        raise UserError(_("{file}: has no rows to import (only a header, or only blank lines)").format(file=path))
    return staged


def _count(stage: Stage, sha256: str, registry_fingerprint: str) -> Staged:
    groups = stage.run(
        "SELECT reason IS NOT NULL, CASE WHEN reason IS NULL THEN rule END AS kept_rule, count(*) FROM rows "
        "GROUP BY ALL ORDER BY kept_rule"
    ).rows
    rows = sum(n for _, _, n in groups)
    value_rejected = sum(n for failed, _, n in groups if failed)
    filtered_by = {rule: n for failed, rule, n in groups if not failed and rule is not None}
    ref_rejected = stage.run("SELECT count(*) FROM ref_rejects").scalar()
    rejected = value_rejected + ref_rejected + stage.structural
    valid = rows - value_rejected - ref_rejected - sum(filtered_by.values())
    return Staged(
        stage.tz, sha256, registry_fingerprint, rows + stage.structural, valid, rejected,
        filtered_by, "; ".join(stage.notes),
    )


def _publish(path: Path, spec: ProfileSpec, staged: Staged, db, staging: Connection,
             imported_by: str | None, started: dt.datetime, report: Progress,
             file_name: str | None = None) -> ImportSummary | None:
    """Copy the staged rows in one transaction; None when the registry changed since staging."""
    report(0.8, _("waiting for the database"))
    with store.writing(db, into=staging) as con:
        if fingerprint(*registry(con)) != staged.registry_fingerprint:
            return None
        report(0.85, _("writing"))
        batch_id = store.execute(con, "SELECT nextval('batch_ids')").scalar()
        imported = spec.publish(con, staged.tz, batch_id)
        summary = ImportSummary(
            batch_id, spec.kind, spec.name, file_name or str(path.resolve()), staged.read, imported, staged.valid - imported,
            sum(staged.filtered_by.values()), staged.rejected, staged.filtered_by, staged.notes,
        )
        _record_batch(con, summary, staged, started, imported_by)
        if spec.kind == "call_legs":
            report(0.92, _("refreshing interval rollups"))
            rollups.refresh_batch(con, batch_id)
    return summary


def _record_batch(con: Connection, summary: ImportSummary, staged: Staged,
                  started: dt.datetime, imported_by: str | None) -> None:
    """The import_batches row, its rejected rows and the audit line, in the import's transaction."""
    store.execute(
        con, """
        INSERT INTO import_batches (batch_id, kind, profile, file_name, file_sha256, time_zone, started_at,
            finished_at, imported_by, read, imported, duplicates, filtered, rejected, filtered_by, notes)
        VALUES (?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [summary.batch_id, summary.kind, summary.profile, summary.file_name, staged.sha256, staged.tz, started,
         imported_by, summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected,
         json.dumps(summary.filtered_by), summary.notes],
    )
    store.execute(
        con,
        "INSERT INTO rejected_rows SELECT ?, ?, line_no, coalesce(raw, ''), reason FROM stg.rejects ORDER BY line_no",
        [summary.batch_id, summary.file_name],
    )
    audit.record(
        con, imported_by or "local", "import",
        f"{summary.file_name} ({summary.profile}): batch {summary.batch_id}, read {summary.read}, "
        f"imported {summary.imported}, duplicates {summary.duplicates}, filtered {summary.filtered}, "
        f"rejected {summary.rejected}" + (f"; {summary.notes}" if summary.notes else ""),
    )
