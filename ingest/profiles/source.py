"""Turning a user's file into something DuckDB reads fast, and finding a record's line again.

DuckDB's read_csv is the fast path for every tabular file: it reads UTF-8 only, so cp1252 is
transcoded first (chunked, never the whole file in memory); .xlsx is written out as a UTF-8 CSV
(Excel files are small); .parquet is read as it is. The file's SHA-256 is computed in a
background thread while DuckDB parses (hashlib lets go of the GIL), so it adds no wall time.

Line numbers and raw text are only needed for the few rows an import rejects, so they are not
carried through the fast path: `locate` scans the file once afterwards for just those records.
"""
from __future__ import annotations

import codecs
import concurrent.futures
import contextlib
import csv
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from data import store
from data.errors import UserError

CHUNK = 16 * 1024 * 1024
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Source:
    """A readable form of the user's file: a UTF-8 CSV (csv_path) or a parquet file."""

    path: Path
    fmt: str                  # csv, xlsx, parquet
    digest: concurrent.futures.Future  # the SHA-256 hex digest of the user's file, being computed
    csv_path: Path | None     # UTF-8 CSV DuckDB reads (the file itself, or a transcoded copy)
    delimiter: str
    decimal_comma: bool
    encoding: str
    columns: tuple[str, ...]  # header names, trimmed and lower-cased
    mixed_newlines: bool = False  # CRLF and LF both end lines: DuckDB then needs strict_mode off

    @property
    def sha256(self) -> str:
        """The file's SHA-256 (waits for the background hash); UserError if the file became unreadable."""
        try:
            return self.digest.result()
        except OSError as error:
            raise _read_error(self.path, error) from None


def open_source(path: Path, workdir: Path, *, delimiter: str | None = None, header: bool = True) -> Source:
    """Check the file exists and is not empty, then make it readable; UserError names what is wrong."""
    if not path.exists():
        raise UserError(f"{path}: no such file")
    if not path.is_file():
        raise UserError(f"{path}: is not a file")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UserError(f"{path}: cannot read it ({error.strerror})") from None
    if size == 0:
        raise UserError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, workdir)
    if suffix in (".xls", ".ods", ".zip", ".gz", ".pdf", ".docx"):
        raise UserError(f"{path}: {suffix} files cannot be imported; save it as .csv or .xlsx")
    return _text(path, workdir, delimiter, header)


def _read_error(path: Path, error: OSError) -> UserError:
    return UserError(f"{path}: cannot read it ({error.strerror or error})")


def _text(path: Path, workdir: Path, delimiter: str | None, header: bool) -> Source:
    utf8, mixed = _check_text(path)
    digest = hashed(path)
    with path.open("rb") as handle:
        start = handle.read(2)
    encoding, csv_path = "utf-8", path
    if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        encoding, csv_path = "utf-16", workdir / "transcoded.csv"
        _transcode(path, csv_path, "utf-16")
    elif not utf8:
        encoding, csv_path = "cp1252", workdir / "transcoded.csv"
        _transcode(path, csv_path, "cp1252")
    with csv_path.open("rb") as handle:
        head = handle.read(65536)
    if b"\x00" in head:
        raise UserError(f"{path}: is not a text file in UTF-8 or cp1252 (it holds NUL bytes); export it as CSV")
    text = _first_line(csv_path).decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if not text.strip():
        raise UserError(f"{path}: the first line is empty; it must name the columns")
    chosen = delimiter or max(DELIMITERS, key=text.count)
    try:
        columns = tuple(_clean(name) for name in next(csv.reader([text], delimiter=chosen))) if header else ()
    except csv.Error as error:
        raise UserError(f"{path}: the header line cannot be read as CSV ({error})") from None
    return Source(path, "csv", digest, csv_path, chosen, chosen != ",", encoding, columns, mixed)


def _clean(name: str) -> str:
    return name.strip().strip('"').strip().lower()


_HASHER = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="sha256")


def hashed(path: Path) -> concurrent.futures.Future:
    """The SHA-256 hex digest of the file, computed in a background thread."""
    return _HASHER.submit(_sha256, path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_text(path: Path) -> tuple[bool, bool]:
    """Whether the bytes are valid UTF-8 and whether line endings are mixed.

    One pass before DuckDB starts, so it is kept cheap: an ASCII chunk (the usual export) needs no
    decoding when no multi-byte character is pending from the chunk before."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid = True
    crlf = bare_lf = False
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                crlf_here, bare_lf_here = _line_endings(chunk)
                crlf, bare_lf = crlf or crlf_here, bare_lf or bare_lf_here
                if valid and not (chunk.isascii() and decoder.getstate()[0] == b""):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        valid = False
        if valid:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        valid = False
    except OSError as error:
        raise _read_error(path, error) from None
    return valid, crlf and bare_lf


def _line_endings(chunk: bytes) -> tuple[bool, bool]:
    """(holds a CRLF, holds an LF without CR before it); `in` is a fast scan, counting only when a CR is there."""
    if b"\r" not in chunk:
        return False, b"\n" in chunk
    crlf = chunk.count(b"\r\n")
    return crlf > 0, chunk.count(b"\n") > crlf


def _transcode(path: Path, target: Path, encoding: str) -> None:
    """cp1252 or UTF-16 -> UTF-8, chunked; bytes the encoding leaves undefined become U+FFFD."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := source.read(CHUNK):
            out.write(decoder.decode(chunk))
        out.write(decoder.decode(b"", final=True))


def _first_line(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.readline(1024 * 1024)


def _parquet(path: Path) -> Source:

    digest = hashed(path)
    try:
        with contextlib.closing(store.connect()) as con:
            names = store.execute(con, "SELECT name FROM parquet_schema(?) WHERE num_children IS NULL",
                                  [str(path)]).rows
    except store.StoreError:
        raise UserError(f"{path}: is not a readable parquet file") from None
    columns = tuple(_clean(row[0]) for row in names)
    return Source(path, "parquet", digest, None, ",", False, "parquet", columns)


def _xlsx(path: Path, workdir: Path) -> Source:
    """The first worksheet as a UTF-8 CSV; Excel row n stays line n, so line numbers match Excel."""
    import openpyxl

    digest = hashed(path)
    target = workdir / "sheet.csv"
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            with target.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out, lineterminator="\n")
                for row in sheet.iter_rows(values_only=True):
                    cells = [_cell(value) for value in row]
                    writer.writerow(cells if any(cells) else [])
        finally:
            book.close()
    except Exception:  # openpyxl raises many kinds (zip, XML, key, type errors) for one fact: unreadable
        raise UserError(f"{path}: is not a readable .xlsx workbook") from None
    first = _first_line(target).decode("utf-8").rstrip("\n")
    if not first.strip(","):
        raise UserError(f"{path}: the first row of the first sheet is empty; it must name the columns")
    columns = tuple(_clean(name) for name in next(csv.reader([first])))
    return Source(path, "xlsx", digest, target, ",", False, "xlsx", columns)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def locate(source: Source, records: Iterable[int], skipped_lines: Iterable[int], header_lines: int = 1) -> dict[int, tuple[int, str]]:
    """Record index (0-based, in the order DuckDB read them) -> (line number, raw text).

    Mirrors how read_csv counts records: the header is skipped, empty lines are skipped, the lines
    DuckDB itself rejected (skipped_lines) are not records, and a quoted field may span lines.
    """
    wanted = sorted(set(records))
    found: dict[int, tuple[int, str]] = {}
    if not wanted:
        return found
    skipped = set(skipped_lines)
    index = -1
    position = 0
    for line_no, raw in _logical_lines(source.csv_path):
        if line_no <= header_lines or not raw or line_no in skipped:
            continue
        index += 1
        if index == wanted[position]:
            found[index] = (line_no, raw)
            position += 1
            if position == len(wanted):
                break
    return found


def _logical_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(first physical line number, text) per record, joining lines inside an open quote."""
    pending: list[str] = []
    start = 0
    with path.open("r", encoding="utf-8", errors="replace", newline="") as handle:
        for line_no, line in enumerate(handle, 1):
            text = line.rstrip("\r\n")
            if line_no == 1:
                text = text.lstrip("\ufeff")
            if not pending:
                start = line_no
            pending.append(text)
            if sum(part.count('"') for part in pending) % 2 == 0:
                yield start, "\n".join(pending)
                pending = []
    if pending:
        yield start, "\n".join(pending)


PREFIX = "overflow-import-"


def temporary_workdir() -> tempfile.TemporaryDirectory:
    """Where staging files live, removed after the import. An import killed with SIGKILL cannot
    remove its own, so each folder carries its process id and the next import removes the folders
    of processes that no longer exist."""
    base = Path(tempfile.gettempdir())
    for folder in base.glob(PREFIX + "*-*"):
        pid = folder.name[len(PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
