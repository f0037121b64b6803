"""The DuckDB store: where the file is, how to open it, and the one function that runs SQL.

DuckDB lets one process write a file and, while it does, no other process may even read it.
So nothing here holds a connection open: every read opens the file read-only, runs and closes
(well under a millisecond for the open), and every write opens it read-write inside one
transaction. Two locks keep that orderly:

* inside a process, a lock serialises opens, because DuckDB refuses to open one file read-only
  and read-write at once in the same process (the Streamlit server runs sessions in threads);
* across processes, a writer that is waiting for readers to let go leaves a marker file beside
  the database; readers that see it wait, so a busy dashboard cannot starve an import.

Opens that meet the other side's lock are retried with backoff until `LOCK_WAIT_S` has passed.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
import time
import weakref
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
def connect(path: str | os.PathLike = ":memory:", read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the project's session settings: every connection is opened here."""
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET TimeZone = 'UTC'")
    if MEMORY_LIMIT:
        con.execute("SET memory_limit = ?", [MEMORY_LIMIT])
    return con


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open `path`, retrying while another process holds a conflicting lock."""
    return _retrying(path, read_only, lambda: connect(path, read_only=read_only))


def _attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """ATTACH `path` read-write to `con` as `store`, retrying while another process holds its lock."""
    _retrying(path, False, lambda: con.execute("ATTACH ? AS store", [str(path)]))


def _retrying(path: Path, read_only: bool, opener):
    """Run `opener` until it gets the file's lock; a waiting writer keeps its marker fresh meanwhile."""
    deadline = time.monotonic() + LOCK_WAIT_S
    delay = 0.02
    marker = _writer_marker(path)
    while True:
        if read_only and _fresh(marker) and time.monotonic() < deadline:
            time.sleep(delay)
            continue
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
            delay = min(delay * 2, 0.25)
        except duckdb.Error as error:
            raise (_damaged(error, path) or StoreError(
                _("cannot open the database {file}: {problem}").format(file=path, problem=error))) from None


@contextlib.contextmanager
def reading(path: str | os.PathLike | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for a short read. Fails with StoreError if there is no database."""
    target = db_path(path)
    if not target.exists():
        raise StoreError(_("there is no database at {file}: build one with `python -m cli demo` or import a file")
                         .format(file=target))
    holder = _one_reader.get()
    with _process_lock:
        if holder is not None:
            yield _held(holder, target)
            return
        con = _open_reader(target)
        try:
            yield con
        finally:
            _close_reader(con)


def _open_reader(target: Path) -> duckdb.DuckDBPyConnection:
    con = _open(target, read_only=True)
    _remembered[con] = {}
    try:
        _refuse_newer_once(con, target)
    except BaseException:
        _close_reader(con)
        raise
    return con


def _close_reader(con: duckdb.DuckDBPyConnection) -> None:
    _remembered.pop(con, None)
    con.close()


class _Holder:
    """The file one `one_reader` block holds open read-only between its reads (None: none yet, or a
    write closed it)."""

    def __init__(self) -> None:
        self.target: Path | None = None
        self.con: duckdb.DuckDBPyConnection | None = None


_one_reader: ContextVar[_Holder | None] = ContextVar("one_reader", default=None)
_holders: set[_Holder] = set()  # every open block's holder, so that a write closes their files first


@contextlib.contextmanager
def one_reader() -> Iterator[None]:
    """Within the block (one run of a page), every `reading` of one file uses one read-only
    connection, opened at the first read and closed at the end: opening a large file costs more
    than a small read, and a page's loaders each opened it. Each read still takes the process lock
    (so no read waits on the block and the block on nothing but reads); a write in any thread of
    the process closes the held files first, under that lock, and the block's next read opens again.
    (A writer in another process waits for the end of the block, as for any read.)"""
    holder = _Holder()
    with _process_lock:
        _holders.add(holder)
    token = _one_reader.set(holder)
    try:
        yield
    finally:
        _one_reader.reset(token)
        with _process_lock:
            _let_go(holder)
            _holders.discard(holder)


def _held(holder: _Holder, target: Path) -> duckdb.DuckDBPyConnection:
    """The holder's connection to `target`, opened if it holds none (or another file); under the lock."""
    if holder.con is None or holder.target != target:
        _let_go(holder)
        holder.con, holder.target = _open_reader(target), target
    return holder.con


def _let_go(holder: _Holder) -> None:
    """Close the holder's file, if open (under the process lock)."""
    con, holder.con, holder.target = holder.con, None, None
    if con is not None:
        _close_reader(con)


# What a read-only connection (`reading`, `one_reader`) has read of the small tables every figure consults (the
# settings, a partner's agreement spans), by what was asked: nothing can write the file while it is
# open read-only, so a scorecard's dozens of lookups of the same row read it once.
_remembered: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict] = weakref.WeakKeyDictionary()


def remembered(con: duckdb.DuckDBPyConnection, key: tuple, read):
    """`read()` once per `key` for a read-only connection of `reading`; every time on any other
    (a writing connection may change what it reads)."""
    memo = _remembered.get(con)
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


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
        for holder in [h for h in _holders if h.target == target]:
            _let_go(holder)  # a file open read-only in this process cannot also be opened to write
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

    On a read-only connection of `reading` (one page run's, with `one_reader`), a query asked again
    with the same values is answered from the first answer: nothing can change the file while it is
    open read-only, and most of a small statement's time is DuckDB planning it (the 13-week rollups
    both trend families read, a partner's agreements every loader reads)."""
    key = _query_key(con, sql, params)
    if key is None:
        return _run(con, sql, params, what)
    return remembered(con, key, lambda: _run(con, sql, params, what))


def answered(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None = None) -> Result | None:
    """The answer a read-only connection of `reading` already gave to this query, or None (nothing is
    run): a reader of one partner's rows may take them from every partner's rows read before."""
    key = _query_key(con, sql, params)
    return None if key is None else _remembered[con].get(key)


QUERY = re.compile(r"\A(?:\s|--[^\n]*\n)*(?:SELECT|WITH)\b", re.IGNORECASE)


def _query_key(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict | None) -> tuple | None:
    """What a query is remembered by on a read-only connection; None for anything else (or values
    that cannot be a key)."""
    if con not in _remembered or not QUERY.match(sql):
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
