"""The staging database: where an import parses and checks its rows before it takes the write lock.

Each import gets a private DuckDB file in a temporary folder. Profiles fill it with:

* `rows`: one row per record read, in file order (rowid = record index), with the parsed columns,
  `reason` (why it is rejected, else NULL) and `rule` (the filter rule that dropped it, else NULL);
* `ref_rejects (rec, reason)`: valid rows whose partner or queue does not fit the registry;
* `dups (rec)`: repeats of a key earlier in the same file;
* `rejects (line_no, raw, reason)`: every rejected record with its line and text, ready to copy.

The writing connection ATTACHes the file read-only and publishes from it in one short transaction,
so the dashboard is locked out only while rows are copied, never while a file is parsed.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from data import settings, store
from data.i18n import _
from data.store import Connection, DatabaseError, Result
from ingest.profiles.fields import Layout, quote_ident
from ingest.profiles.source import Source, listed, locate

Progress = Callable[[float, str], None]

STRUCTURAL_REASONS = {
    "TOO MANY COLUMNS": "has more fields than the header",
    "MISSING COLUMNS": "has fewer fields than the header",
    "UNQUOTED VALUE": "has a quote character inside an unquoted field",
    "LINE SIZE OVER MAXIMUM": f"is longer than {settings.input_limit('max_line_bytes') // settings.MiB} MB",
    "INVALID UNICODE": "holds bytes that are not text",
    "INVALID STATE": "has a broken quoted field",
}


@dataclass
class Stage:
    """One import's working state. Mutable on purpose: profiles fill it step by step."""

    con: Connection
    path: Path
    source: Source | None
    tz: str
    progress: Progress
    notes: list[str] = field(default_factory=list)
    structural: int = 0            # lines DuckDB could not split into the header's fields
    skipped_lines: tuple[int, ...] = ()
    db: str | os.PathLike | None = None  # the store, for a profile that joins what earlier imports kept
    new_queues: bool = False  # may create a queue named close to an existing one (legs.check_references)

    @property
    def file(self) -> str:
        return str(self.path)

    def run(self, sql: str, params: list | None = None, *, share: tuple[float, float] | None = None,
            label: str = "") -> Result:
        """Run one staging statement through the store: a failure says the file cannot be read, by
        name; report DuckDB's own progress while it runs when `share` is given."""
        stop = threading.Event()
        watcher = None
        if share:
            watcher = threading.Thread(target=self._watch, args=(stop, share, label), daemon=True)
            watcher.start()
        try:
            return store.execute(self.con, sql, params, what=f"read {self.file}")
        finally:
            stop.set()
            if watcher:
                watcher.join()

    def run_many(self, sql: str, rows: list[tuple]) -> None:
        """Run one staging statement once for each row of parameters; fails in the words of `run`."""
        store.execute_many(self.con, sql, rows, what=f"read {self.file}")

    def _watch(self, stop: threading.Event, share: tuple[float, float], label: str) -> None:
        """Report DuckDB's own progress of the running statement, each time it moves by 5 points."""
        low, high = share
        shown = -5.0
        while not stop.wait(0.25):
            try:
                done = self.con.query_progress()
            except DatabaseError:
                return
            if done >= shown + 5:
                shown = done
                self.progress(low + (high - low) * min(done, 100.0) / 100.0, label)


def relation(stage: Stage, wanted: tuple[str, ...]) -> tuple[str, list]:
    """FROM-clause text (and its parameters) reading the `wanted` layout columns as VARCHAR.

    CSV columns are declared by position (c1, c2, ...), so no name from the file ever becomes an
    SQL identifier; a parquet column is picked by its exact name only when it cleans to a layout name.
    """
    source = stage.source
    assert source is not None
    if source.fmt == "parquet":
        described = stage.run("DESCRIBE SELECT * FROM read_parquet(?)", [str(source.path)]).rows
        actual = {row[0].strip().lower(): row[0] for row in described}
        picks = ", ".join(f"CAST({quote_ident(actual[name])} AS VARCHAR) AS {quote_ident(name)}" for name in wanted)
        return f"(SELECT {picks} FROM read_parquet(?))", [str(source.path)]
    positions = {name: index + 1 for index, name in reversed(list(enumerate(source.columns)))}
    columns = "{" + ", ".join(f"'c{i + 1}': 'VARCHAR'" for i in range(len(source.columns))) + "}"
    scan = (
        "read_csv(?, all_varchar = true, header = true, delim = ?, quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {columns}, store_rejects = true, strict_mode = {not source.mixed_newlines}, "
        f"max_line_size = {settings.input_limit('max_line_bytes')}, "
        "rejects_table = 'csv_rejects', rejects_scan = 'csv_scans')"
    )
    picks = ", ".join(f"c{positions[name]} AS {quote_ident(name)}" for name in wanted) or "NULL AS none"
    return f"(SELECT {picks} FROM {scan})", [str(source.csv_path), source.delimiter]


def stage_layout(stage: Stage, layout: Layout, *, rule: str = "NULL", extra_checks: tuple[str, ...] = (),
                 share: tuple[float, float] = (0.05, 0.6)) -> None:
    """rows = the file parsed and checked against `layout` in one pass; records structural rejects."""
    source = stage.source
    present, unknown = layout.check_header(stage.file, source.columns)
    if unknown:
        stage.notes.append(_("ignored unknown column(s): {columns}").format(
            columns=listed(c or _("(unnamed)") for c in unknown)))
    from_sql, params = relation(stage, present)
    select = layout.select(present, source.decimal_comma, from_sql, extra_checks)
    stage.run(
        f"CREATE TABLE rows AS SELECT *, {rule} AS rule FROM ({select})",
        params, share=share, label=_("reading"),
    )
    if source.fmt != "parquet":
        structural(stage)


def structural(stage: Stage) -> None:
    """Lines DuckDB could not split: counted as read and rejected, with DuckDB's line and text."""
    rows = stage.run(
        "SELECT line, any_value(csv_line), string_agg(DISTINCT error_type, ', ') FROM csv_rejects GROUP BY line ORDER BY line"
    ).rows
    stage.structural = len(rows)
    stage.skipped_lines = tuple(row[0] for row in rows)
    stage.run("CREATE TABLE structural_rejects (line_no BIGINT, raw VARCHAR, reason VARCHAR)")
    if rows:
        stage.run_many(
            "INSERT INTO structural_rejects VALUES (?, ?, ?)",
            [(line, raw or "", "line " + STRUCTURAL_REASONS.get(kind.split(",")[0], kind.lower())) for line, raw, kind in rows],
        )
    _too_long(stage, "structural_rejects")


def _too_long(stage: Stage, table: str) -> None:
    """The lines the source left out as longer than max_line_bytes: read and rejected, by number."""
    lines = stage.source.too_long if stage.source is not None else ()
    stage.structural += len(lines)
    if lines:
        reason = f"line is longer than {settings.input_limit('max_line_bytes') // settings.MiB} MB"
        stage.run_many(f"INSERT INTO {table} VALUES (?, ?, ?)", [(line, text, reason) for line, text in lines])


def collect_rejects(stage: Stage) -> None:
    """rejects = value rejects + reference rejects (+ structural), each with line number and raw text.

    A profile that parsed the file itself (queue-log) keeps line_no and raw in `rows` already.
    """
    columns = {row[0] for row in stage.run("DESCRIBE rows").rows}
    if "line_no" in columns:
        stage.run(
            """
            CREATE TABLE rejects AS
            SELECT line_no, raw, reason FROM rows WHERE reason IS NOT NULL
            UNION ALL SELECT r.line_no, r.raw, x.reason FROM ref_rejects x JOIN rows r ON r.rowid = x.rec
            """
        )
        _too_long(stage, "rejects")
        return
    recs = stage.run(
        """
        SELECT rowid, reason FROM rows WHERE reason IS NOT NULL
        UNION ALL SELECT rec, reason FROM ref_rejects
        ORDER BY 1
        """
    ).rows
    stage.run("CREATE TABLE rejects (line_no BIGINT, raw VARCHAR, reason VARCHAR)")
    if recs:
        stage.progress(0.7, _("finding rejected lines"))
        where = _where(stage, [rec for rec, _ in recs])
        stage.run_many("INSERT INTO rejects VALUES (?, ?, ?)", [(*where[rec], reason) for rec, reason in recs])
    if stage.source is not None and stage.source.fmt != "parquet":
        stage.run("INSERT INTO rejects SELECT * FROM structural_rejects")


def _where(stage: Stage, recs: list[int]) -> dict[int, tuple[int | None, str]]:
    source = stage.source
    if source.fmt == "parquet":
        rows = stage.run(
            "SELECT file_row_number, * EXCLUDE (file_row_number) FROM read_parquet(?, file_row_number = true) "
            "WHERE file_row_number IN (SELECT unnest(?))",
            [str(source.path), recs],
        ).rows
        return {row[0]: (row[0] + 1, ",".join("" if v is None else str(v) for v in row[1:])) for row in rows}
    found = locate(source, recs, stage.skipped_lines)
    return {rec: found.get(rec, (None, "")) for rec in recs}


@dataclass(frozen=True)
class ProfileSpec:
    """One import profile: what it reads, how it stages a file and how it publishes the rows."""

    name: str
    kind: str                       # the import_batches.kind: call_legs, qa, surveys, ...
    description: str
    stage: Callable[[Stage], None]
    publish: Callable[[Connection, str, int], int]  # (con, tz, batch_id) -> imported
    default_tz: str | None = None   # the zone a profile's source is known to use
    delimiter: str | None = None    # None = detect , ; or tab from the header line
    header: bool = True
