"""The DuckDB store: where the file is, how to open it, and the one function that runs SQL.

DuckDB lets one process write a file and, while it does, no other process may even read it.
Every write opens the file read-write inside one transaction. Reads share ONE read-only connection
per process (to one file at a time: the app reads one), kept open between page runs: opening a
large file, closing it and loading its catalog on the first statement cost more than a page's
small reads (50-60 ms a run at 10M legs), and what that connection has read of the small tables
(settings, agreements, partner names) is remembered for as long as it is open (`remembered`).

What it read cannot be stale: while it is open no other process can write the file (DuckDB's file
lock), and a write in this process closes it first. So it is let go:

* before a write in this process (`writing`, `rewrite`), under the process lock; its memo goes with it;
* when a writer in another process waits: that writer touches a marker file beside the database
  (`<file>.writer-waiting`) on every retry, and a watcher thread looks at the marker every
  `WATCH_S` and closes the kept connection as soon as no page run is using it (a run in progress
  finishes first; a new run, or any other read, waits for the writer before it opens the file
  again), so a writer waits at most a page run and a fraction of a second for an idle app;
* when the file is no longer the one it opened (replaced, as `rewrite` and tests do, or deleted):
  every read compares the file's identity (device, inode, modification time, size) with the one
  it opened and opens the file again if it changed.

Two locks keep that orderly:

* inside a process, a lock serialises every use of the connection and every open, because DuckDB
  refuses to open one file read-only and read-write at once in the same process, and a DuckDB
  connection is not safe to use from two threads at once (the Streamlit server runs sessions in
  threads; DuckDB's Python docs: "a single DuckDB connection is not thread-safe");
* across processes, the writer's marker: readers that see it fresh wait (outside the process lock,
  so a page run in progress can finish), so a busy dashboard cannot starve an import.

Opens that meet the other side's lock are retried with backoff until `LOCK_WAIT_S` has passed.
"""
from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from data import idkey
from data.errors import UserError
from data.i18n import _

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_DB = Path(__file__).resolve().parent / "overflow.duckdb"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_WAIT_S = float(os.environ.get("OVERFLOW_LOCK_WAIT_S", "300"))
# A cap on DuckDB's memory per connection (e.g. "6GB"), for big builds on a shared machine; unset:
# DuckDB's default (80 % of the machine's memory).
MEMORY_LIMIT = os.environ.get("OVERFLOW_MEMORY_LIMIT", "")
# The cap on the kept read-only connection's memory: DuckDB's buffer cache (the blocks it has read)
# stays with it between page runs, and would otherwise grow to DuckDB's default of 80 % of the
# machine's memory as people look at more periods. Beyond it DuckDB evicts cached blocks first.
READER_MEMORY_LIMIT = os.environ.get("OVERFLOW_READER_MEMORY_LIMIT", "256MB")
# How often the watcher looks for a writer in another process waiting for the kept connection.
WATCH_S = 0.1

_process_lock = threading.RLock()

# The names the layers above use, so that only the store imports duckdb (an import-linter contract).
Connection = duckdb.DuckDBPyConnection
DatabaseError = duckdb.Error


class StoreError(UserError):
    """A database problem told in words a user can act on (no traceback, no SQL)."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def one(self) -> tuple | None:
        """The first row, or None when there is none."""
        return self.rows[0] if self.rows else None

    def scalar(self) -> Any:
        """The first column of the first row (a count, a RETURNING id), or None when there is no row."""
        return self.rows[0][0] if self.rows else None


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: the argument, else $OVERFLOW_DB, else data/overflow.duckdb."""
    return Path(path or os.environ.get("OVERFLOW_DB") or DEFAULT_DB)


def _writer_marker(path: Path) -> Path:
    return path.with_name(path.name + ".writer-waiting")


def _fresh(marker: Path) -> bool:
    """A writer is waiting (it touches the marker every retry; a dead writer's marker goes stale)."""
    try:
        return time.time() - marker.stat().st_mtime < 2.0
    except FileNotFoundError:
        return False


def _is_lock_conflict(error: duckdb.Error) -> bool:
    text = str(error)
    return "Could not set lock" in text or "Conflicting lock" in text


# Every connection's session zone is UTC, whatever the server's: timestamps are stored in UTC and
# every cut into local days is written with an explicit zone, so no figure depends on the OS zone
# (an "N days" FCR window added in a Stockholm session would be 167 or 169 hours across DST).
# (Set after the open: DuckDB refuses TimeZone in connect()'s config before ICU has loaded.)
def connect(path: str | os.PathLike = ":memory:", read_only: bool = False, *,
            memory_limit: str = "") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the project's session settings: every connection is opened here.
    `memory_limit` (the kept reader's) overrides OVERFLOW_MEMORY_LIMIT. (Both are SET after the open:
    a limit in connect()'s config would make DuckDB refuse a second open of the file in the process
    with other settings.)"""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
    if memory_limit or MEMORY_LIMIT:
        con.execute("SET memory_limit = ?", [memory_limit or MEMORY_LIMIT])
    return con


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open `path`, retrying while another process holds a conflicting lock."""
    limit = READER_MEMORY_LIMIT if read_only else ""
    return _retrying(path, read_only, lambda: connect(path, read_only=read_only, memory_limit=limit))


def _attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """ATTACH `path` read-write to `con` as `store`, retrying while another process holds its lock."""
    _retrying(path, False, lambda: con.execute("ATTACH ? AS store", [str(path)]))


def _retrying(path: Path, read_only: bool, opener):
    """Run `opener` until it gets the file's lock; a waiting writer keeps its marker fresh meanwhile.
    (A reader waits for a waiting writer before it takes the process lock: `_wait_for_writer`.)"""
    deadline = time.monotonic() + LOCK_WAIT_S
    delay = 0.02
    marker = _writer_marker(path)
    while True:
        try:
            return opener()
        except duckdb.IOException as error:
            if not _is_lock_conflict(error):
                raise (_damaged(error, path) or StoreError(
                    _("cannot open the database {file}: {problem}").format(file=path, problem=error))) from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    _("the database {file} stayed busy for {seconds} s (another process is writing)").format(
                        file=path, seconds=f"{LOCK_WAIT_S:.0f}")
                ) from None
            if not read_only:
                marker.touch()
            time.sleep(delay)
            delay = min(delay * 2, 0.1)  # a reader lets go within WATCH_S of the marker: come back soon
        except duckdb.Error as error:
            raise (_damaged(error, path) or StoreError(
                _("cannot open the database {file}: {problem}").format(file=path, problem=error))) from None


@contextlib.contextmanager
def reading(path: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The process's read-only connection to the file (opened if none is kept, or the file changed),
    held for the block under the process lock. Fails with StoreError if there is no database.

    Unless the block is part of a page run that already reads through the kept connection
    (`one_reader`), or inside another reading block, a writer waiting in another process is let in
    first. A block inside another that reads another file (or the file put in place of the one the
    outer block reads) gets a connection of its own, closed at its end."""
    global _open_blocks
    target = db_path(path)
    if not target.exists():
        with _process_lock:
            if not _open_blocks:
                _release(target)  # a deleted file's connection holds its blocks on disk and in memory
        raise StoreError(_("there is no database at {file}: build one with `python -m cli demo` or import a file")
                         .format(file=target))
    run = _one_reader.get()
    if not _in_block.get() and (run is None or not _joined(run)):
        _wait_for_writer(target)
    with _process_lock:
        con, own = _reader(target)
        if run is not None and not own:
            run.con = con
        _open_blocks += 1
        token = _in_block.set(True)
        try:
            yield con
        finally:
            _in_block.reset(token)
            _open_blocks -= 1
            if own:
                _close_reader(con)


@dataclass
class _Kept:
    """The read-only connection kept between reads, the file it opened and that file's identity then."""

    target: Path
    con: duckdb.DuckDBPyConnection
    identity: tuple[int, int, int, int]


_kept: _Kept | None = None                # under _process_lock
_open_blocks = 0                          # `reading` blocks in progress (under _process_lock): nested in one thread
_in_block: ContextVar[bool] = ContextVar("in_reading_block", default=False)
_watcher: threading.Thread | None = None  # under _process_lock; runs while a connection is kept


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What tells this file from one put in its place: device, inode, modification time, size (None:
    gone). Nothing in any process can change the file while it is open read-only but by replacing
    it, deleting it or writing it past DuckDB's lock (a copy over it)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


def _reader(target: Path) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """The kept connection to `target`, opened first if none is kept, another file is, or the file
    is no longer the one it opened; or, when a block outside this one still reads through a kept
    connection that cannot serve, a connection of the block's own (True). Under the process lock."""
    global _kept, _watcher
    if _kept is not None and (_kept.target != target or _identity(target) != _kept.identity):
        if _open_blocks:
            return _open_reader(target), True
        _release()
    if _kept is None:
        identity = _identity(target)
        _kept = _Kept(target, _open_reader(target), identity)
        if _watcher is None:
            _watcher = threading.Thread(target=_watch, name="store-kept-reader", daemon=True)
            _watcher.start()
    return _kept.con, False


def _open_reader(target: Path) -> duckdb.DuckDBPyConnection:
    con = _open(target, read_only=True)
    _remembered[con] = _Memo()
    try:
        _refuse_newer_once(con, target)
    except BaseException:
        _close_reader(con)
        raise
    return con


def _close_reader(con: duckdb.DuckDBPyConnection) -> None:
    _remembered.pop(con, None)
    con.close()


def _release(target: Path | None = None) -> None:
    """Close the kept connection (to `target` only, when given) and drop its memo (under the process
    lock): before this process writes the file, when the file changed, when a writer waits."""
    global _kept
    if _kept is not None and (target is None or _kept.target == target):
        con, _kept = _kept.con, None
        _close_reader(con)


def let_go(path: str | os.PathLike | None = None) -> None:
    """Close the process's kept read-only connection (to the file at `path` only, when given): for a
    caller about to open the file with DuckDB itself (a test's raw read-write connection), which
    DuckDB refuses while this process has the file open read-only. The next read opens it again."""
    with _process_lock:
        _release(None if path is None else db_path(path))


class _Run:
    """One `one_reader` block (a page run): the kept connection its reads joined, while it is open."""

    def __init__(self) -> None:
        self.con: duckdb.DuckDBPyConnection | None = None


_one_reader: ContextVar[_Run | None] = ContextVar("one_reader", default=None)
_runs: set[_Run] = set()  # the page runs in progress (under _process_lock)


def _joined(run: _Run) -> bool:
    """The run reads through the connection that is still kept (read without the lock: a stale
    answer only decides whether the read first waits for a writer; `_reader` checks under it)."""
    kept = _kept
    return kept is not None and run.con is kept.con


def _in_use() -> bool:
    """A reading block, or a page run in progress, reads through the kept connection (under the
    process lock)."""
    return _kept is not None and (_open_blocks > 0 or any(run.con is _kept.con for run in _runs))


@contextlib.contextmanager
def one_reader() -> Iterator[None]:
    """Within the block (one run of a page), every read of the file goes through the kept connection
    without letting a writer in between them, so the run's figures are all of one data version (the
    version its caches are keyed by). Each read still takes the process lock, so runs in several
    threads interleave their reads; a write in any thread of the process closes the connection
    first, and the run's next read opens it again. A writer in another process waits for the runs
    in progress to end; runs that start meanwhile wait for that writer before they read."""
    run = _Run()
    with _process_lock:
        _runs.add(run)
    token = _one_reader.set(run)
    try:
        yield
    finally:
        _one_reader.reset(token)
        with _process_lock:
            _runs.discard(run)
            _yield_to_writer()


def _yield_to_writer() -> None:
    """Close the kept connection if a writer in another process waits for it and no page run is
    using it (under the process lock)."""
    if _kept is not None and not _in_use() and _fresh(_writer_marker(_kept.target)):
        _release()


def _wait_for_writer(target: Path) -> None:
    """Before a read (outside the process lock, so the runs in progress can end): while a writer in
    another process waits for the file, let go of the kept connection once no run uses it and wait,
    up to LOCK_WAIT_S (then the open's own retries say the file stayed busy)."""
    marker = _writer_marker(target)
    deadline = time.monotonic() + LOCK_WAIT_S
    while _fresh(marker) and time.monotonic() < deadline:
        with _process_lock:
            _yield_to_writer()
        time.sleep(0.02)


def _watch() -> None:
    """The watcher: every WATCH_S, give the kept connection up to a writer waiting in another
    process, also when no page is running; it ends when nothing is kept (`_reader` starts another)
    or the process ends. The marker is looked at outside the lock, so the watcher never holds up a
    read for nothing (and it keeps no reference to the connection between looks: a connection
    object alive at the interpreter's exit is reported by DuckDB's bindings as a leak)."""
    global _watcher
    while not _exiting.wait(WATCH_S):
        if not _writer_waits():
            continue
        with _process_lock:
            _yield_to_writer()
            if _kept is None:
                _watcher = None
                return


def _writer_waits() -> bool:
    """A writer in another process waits for the kept connection's file (True also when none is
    kept, so that the watcher ends)."""
    kept = _kept
    return kept is None or _fresh(_writer_marker(kept.target))


_exiting = threading.Event()


@atexit.register
def _close_at_exit() -> None:
    """Stop the watcher and close the kept connection when the process ends (unless a read in
    another thread still runs)."""
    _exiting.set()
    watcher = _watcher
    if watcher is not None:
        watcher.join(timeout=1.0)
    if _process_lock.acquire(timeout=1.0):
        try:
            _release()
        finally:
            _process_lock.release()


# What a read-only connection has read of the small tables every figure consults (the settings, a
# partner's agreement spans) and the queries it answered, by what was asked: nothing can write the
# file while it is open read-only, so a scorecard's dozens of lookups of the same row read it once,
# and the next page runs, through the same kept connection, read it no more.
MEMO_ROWS = 200_000  # rows (a value that is not a Result counts one) a connection remembers at most
MEMO_ONE = 20_000    # a larger answer is not remembered (a detail table read once)


class _Memo:
    """A kept connection's answers, the least recently asked forgotten first beyond MEMO_ROWS: the
    connection is open for hours, and the periods people look at keep changing."""

    def __init__(self) -> None:
        self.answers: OrderedDict[tuple, Any] = OrderedDict()
        self.rows = 0

    def __contains__(self, key: tuple) -> bool:
        return key in self.answers

    def get(self, key: tuple) -> Any:
        if key not in self.answers:
            return None
        self.answers.move_to_end(key)
        return self.answers[key]

    def put(self, key: tuple, value: Any) -> None:
        size = _size(value)
        if size > MEMO_ONE:
            return
        self.answers[key] = value
        self.rows += size
        while self.rows > MEMO_ROWS:
            _key, old = self.answers.popitem(last=False)
            self.rows -= _size(old)


def _size(value: Any) -> int:
    return max(1, len(value.rows)) if isinstance(value, Result) else 1


_remembered: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, _Memo] = weakref.WeakKeyDictionary()


def remembered(con: duckdb.DuckDBPyConnection, key: tuple, read):
    """`read()` once per `key` for the read-only connection of `reading` (while it is kept); every
    time on any other (a writing connection may change what it reads)."""
    memo = _remembered.get(con)
    if memo is None:
        return read()
    if key in memo:
        return memo.get(key)
    value = read()
    memo.put(key, value)
    return value


@contextlib.contextmanager
def writing(path: str | os.PathLike | None = None, *, into: duckdb.DuckDBPyConnection | None = None,
            bump: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection inside one transaction: all of it commits, or none of it.

    The schema is migrated first, the data version is bumped with the commit, and the WAL is
    checkpointed afterwards so read-only openers never have to replay it.

    `into`: an open connection (an importer's in-memory staging database) to which the file is
    ATTACHed as `store` and made the default catalog, so one statement can copy staged rows in
    without writing them to disk twice; it is detached again afterwards.

    `bump=False`: a write that changes no figure (an audit line of who read what) leaves the data
    version, and so every cached read, as it was.
    """
    target = db_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _process_lock:
        _release(target)  # a file open read-only in this process cannot also be opened to write
        if into is None:
            con = _open(target, read_only=False)
        else:
            con = into
            _attach(con, target)
            previous = con.execute("SELECT current_database()").fetchone()[0]
            con.execute("USE store")
        rewrite_after = False
        try:
            _writer_marker(target).unlink(missing_ok=True)
            bind_id_key(con, target)
            applied = _applied(con)  # read once: each schema lookup is a statement of its own (a few ms)
            rewrite_after = bool(applied) and any(v in REWRITE_AFTER for v, _ in _pending(applied))
            migrate(con, applied)
            _check_id_key(con, target)
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                if bump:
                    con.execute("UPDATE data_version SET version = version + 1, changed_at = now()")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("CHECKPOINT")
        finally:
            if into is None:
                con.close()
            else:
                con.execute(f'USE "{previous}"')
                con.execute("DETACH store")
    if rewrite_after:
        rewrite(target)


def bind_id_key(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Give `con` the customer-id key's HMAC pads, the variables the macro customer_pseudonym reads
    (data/idkey.py): every writing connection has them, so an import or a migration can hash ids."""
    inner, outer = idkey.pads(idkey.key(path))
    con.execute("SET VARIABLE overflow_id_ipad = unhex(?)", [inner.hex()])
    con.execute("SET VARIABLE overflow_id_opad = unhex(?)", [outer.hex()])


def _check_id_key(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Refuse to write under a key other than the one the database's pseudonyms were made with: new
    pseudonyms would no longer match the old ones, and FCR would count a caller as two customers."""
    if not has_table(con, "id_key"):  # a file migrated only part of the way (a test's older schema)
        return
    row = con.execute(f"SELECT fingerprint, customer_pseudonym('{idkey.CHECK_TEXT}') FROM id_key").fetchone()
    if row is not None and row[0] != row[1]:
        raise StoreError(
            _("the customer-id key is not the one the database {file} was written with (its pseudonyms would no "
              "longer match): set {setting} to that key, or put back its key file {key_file}").format(
                file=path, setting=idkey.KEY_ENV, key_file=idkey.key_file(path)))


def rewrite(path: str | os.PathLike | None = None) -> None:
    """Copy the database into a fresh file and put that in its place, so rows deleted or changed
    leave no bytes behind (DuckDB reuses the blocks it frees but does not clear them): an erased
    customer's id is then gone from the file, not only from every query. Holds the write lock
    throughout, so no other process reads or writes between the copy and the swap."""
    target = db_path(path)
    fresh = target.with_name(target.name + ".rewrite")
    fresh.unlink(missing_ok=True)
    with _process_lock:
        _release(target)
        con = connect()
        try:
            _attach(con, target)
            con.execute("ATTACH ? AS fresh", [str(fresh)])
            con.execute("COPY FROM DATABASE store TO fresh")
            con.execute("DETACH fresh")
            os.replace(fresh, target)
        except duckdb.Error as error:
            fresh.unlink(missing_ok=True)
            raise _failed(error, "rewrite the database file") from None
        finally:
            con.close()


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None, *,
            what: str | None = None) -> Result:
    """Run one statement with bound parameters; a DuckDB error becomes a StoreError saying what was
    being done (`what`, e.g. "save the meeting": "cannot save the meeting: <DuckDB's first line>").

    On the read-only connection of `reading` (kept between page runs), a query asked again with the
    same values is answered from the first answer: nothing can change the file while it is open
    read-only, and most of a small statement's time is DuckDB planning it (the 13-week rollups
    both trend families read, a partner's agreements every loader reads)."""
    key = _query_key(con, sql, params)
    if key is None:
        return _run(con, sql, params, what)
    return remembered(con, key, lambda: _run(con, sql, params, what))


def answered(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> Result | None:
    """The answer a read-only connection of `reading` already gave to this query, or None (nothing is
    run): a reader of one partner's rows may take them from every partner's rows read before."""
    key = _query_key(con, sql, params)
    memo = None if key is None else _remembered.get(con)
    return None if memo is None else memo.get(key)


QUERY = re.compile(r"\A(?:\s|--[^\n]*\n)*(?:SELECT|WITH)\b", re.IGNORECASE)
# A query whose answer moves with the clock (the alert outbox's "a `sending` row of the last quarter
# hour") is never answered from memory: the kept connection stays open for hours without a write.
CLOCKED = re.compile(r"\b(?:now|today|current_date|current_time|current_timestamp|get_current_time"
                     r"|get_current_timestamp|transaction_timestamp|localtime|localtimestamp|random|uuid"
                     r"|gen_random_uuid)\b", re.IGNORECASE)


def _query_key(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None) -> tuple | None:
    """What a query is remembered by on a read-only connection; None for anything else (values that
    cannot be a key, a query that reads the clock)."""
    if con not in _remembered or not QUERY.match(sql) or CLOCKED.search(sql):
        return None
    values = tuple(sorted(params.items())) if isinstance(params, dict) else tuple(params or ())
    try:
        hash(values)
    except TypeError:
        return None
    return ("query", sql, values)


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None, what: str | None) -> Result:
    try:
        cursor = con.execute(sql, params or [])
        columns = [d[0] for d in cursor.description] if cursor.description else []
        rows = cursor.fetchall() if cursor.description else []
    except duckdb.Error as error:
        raise _failed(error, what) from None
    return Result(columns, rows)


def execute_many(con: duckdb.DuckDBPyConnection, sql: str, rows: Sequence[Sequence[Any]], *,
                 what: str | None = None) -> None:
    """Run one statement once for each row of parameters (an INSERT of many rows); errors as `execute`."""
    try:
        con.executemany(sql, rows)
    except duckdb.Error as error:
        raise _failed(error, what) from None


# What DuckDB says of a file that is not (or no longer) a sound database: a file it did not write,
# a block whose checksum fails, a file cut short.
DAMAGE_SIGNS = ("not a valid DuckDB database file", "Corrupt database file", "does not match stored checksum",
                "could not read enough bytes")


def _damaged(error: duckdb.Error, path: Path | None) -> StoreError | None:
    """A one-line StoreError for a damaged database file, naming it as such; None for any other error."""
    text = str(error)
    if not any(sign in text for sign in DAMAGE_SIGNS):
        return None
    problem = text.strip().splitlines()[0][:160]
    if path:
        return StoreError(_("the database file {file} is damaged or is not an Overflow SLA database ({problem}); "
                            "restore it from a backup").format(file=path, problem=problem))
    return StoreError(_("the database file is damaged or is not an Overflow SLA database ({problem}); restore it "
                        "from a backup").format(problem=problem))


def _failed(error: duckdb.Error, what: str | None) -> StoreError:
    """DuckDB's first line only (never the SQL), after what was being done; a damaged file said as such."""
    damaged = _damaged(error, None)
    if damaged:
        return damaged
    lines = str(error).strip().splitlines()
    first = lines[0][:300] if lines else type(error).__name__
    return StoreError(_("cannot {action}: {problem}").format(action=_(what), problem=first) if what
                      else _("database error: {problem}").format(problem=first))


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
    """Run one statement through `execute` and give its rows as a DataFrame (for tables and charts).

    pandas is loaded on the first frame, not with the store: a command that only writes (an import)
    does not pay its half second of loading."""
    import pandas as pd

    result = execute(con, sql, params)
    return pd.DataFrame(result.rows, columns=result.columns)


def query(sql: str, params: Sequence[Any] | dict | None = None, path: str | os.PathLike | None = None) -> Result:
    """Open, run one read-only statement, close."""
    with reading(path) as con:
        return execute(con, sql, params)


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the open database has the table: a read-only open of an older file is not migrated yet."""
    return remembered(con, ("table", name), lambda: con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_catalog = current_database()",
        [name],
    ).fetchone()[0] > 0)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if not has_table(con, "schema_version"):
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrations() -> list[tuple[int, Path]]:
    """The numbered migration files in order: 0001_initial.sql -> (1, path)."""
    return list(_migration_files(MIGRATIONS))


@functools.cache
def _migration_files(folder: Path) -> tuple[tuple[int, Path], ...]:
    """A migrations folder is read once per process: it is part of the code, not of the data."""
    return tuple(sorted((int(p.name.split("_", 1)[0]), p) for p in folder.glob("[0-9][0-9][0-9][0-9]_*.sql")))


_schema_checked: dict[Path, tuple[int, int]] = {}


def _refuse_newer_once(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """refuse_newer on a read, but only when the file changed since it was last checked (its size and
    modification time): a page makes many short reads, and the schema only changes with a write."""
    stat = path.stat()
    seen = (stat.st_mtime_ns, stat.st_size)
    if _schema_checked.get(path) != seen:
        refuse_newer(con, path)
        _schema_checked[path] = seen


def refuse_newer(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> None:
    """A file a newer release wrote (a schema version this code has no migration for) is refused in
    one line: its tables may mean things this version would misread, and a write could damage it."""
    _refuse_above(schema_version(con), path)


def _refuse_above(found: int, path: Path | None = None) -> None:
    """refuse_newer for a file whose newest recorded migration is `found`."""
    known = migrations()[-1][0]
    if found > known:
        said = (_("the database {file} was written by a newer version of Overflow SLA (schema {found}; this version "
                  "knows up to {known}): update Overflow SLA to open it") if path else
                _("the database was written by a newer version of Overflow SLA (schema {found}; this version knows up "
                  "to {known}): update Overflow SLA to open it"))
        raise StoreError(said.format(file=path, found=found, known=known))


# Migrations that change personal data in place (0013 hashes the stored customer ids): the file is
# rewritten after them, so the old values leave no bytes in the blocks DuckDB freed.
REWRITE_AFTER = {13}


def _applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The migrations the file has recorded (none in a new file)."""
    if not has_table(con, "schema_version"):
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_version").fetchall()}


def pending(path: str | os.PathLike | None = None) -> list[tuple[int, Path]]:
    """The migrations the file at `path` has not recorded yet (every one for a file not there), read
    without writing: what `create` would run."""
    if not db_path(path).exists():
        return migrations()
    con = connect(db_path(path), read_only=True)
    try:
        applied = _applied(con)
    finally:
        con.close()
    return _pending(applied)


def _pending(applied: set[int]) -> list[tuple[int, Path]]:
    """The migrations (version, file) a file that recorded `applied` has not, in order."""
    return [(v, p) for v, p in migrations() if v not in applied]


def migrate(con: duckdb.DuckDBPyConnection, applied: set[int] | None = None) -> int:
    """Bring the file's schema forward to the newest version; returns the version reached. Every
    migration the file has not recorded runs, in order, not only those above its newest: a file
    written between two branches' migrations (it holds 12 but not 11) still gets 11. `applied`: the
    versions the file recorded, when the caller read them already (`_applied`)."""
    applied = _applied(con) if applied is None else applied
    current = max(applied, default=0)
    _refuse_above(current)
    pending = _pending(applied)
    if not pending:
        return current
    con.execute("BEGIN TRANSACTION")
    try:
        if current == 0:
            con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL)")
        for version, path in pending:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_version VALUES (?, now())", [version])
        con.execute("COMMIT")
    except duckdb.Error as error:
        con.execute("ROLLBACK")
        raise _failed(error, "migrate the database schema") from None
    return max(current, pending[-1][0])


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The counter every committed write bumps: the key that invalidates cached reads."""
    return con.execute("SELECT version FROM data_version").fetchone()[0]


def create(path: str | os.PathLike | None = None) -> Path:
    """Make sure a database exists at `path` with the newest schema."""
    with writing(path):
        pass
    return db_path(path)
