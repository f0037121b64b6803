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
import io
import mmap
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from data import settings, store
from data.errors import UserError
from data.i18n import _

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
    too_long: tuple[tuple[int, str], ...] = ()  # (line number, shortened text) of lines over max_line_bytes,
                                                # blanked in csv_path so no reader sees them

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
        raise UserError(_("{file}: no such file").format(file=path))
    if not path.is_file():
        raise UserError(_("{file}: is not a file").format(file=path))
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UserError(_("{file}: cannot read it ({problem})").format(file=path, problem=error.strerror)) from None
    if size == 0:
        raise UserError(_("{file}: the file is empty").format(file=path))
    if size > settings.input_limit("max_file_bytes"):
        raise UserError(f"{path}: the file is {_mb(size)}, more than the {_mb(settings.input_limit('max_file_bytes'))} "
                        "an import reads; split it")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _parquet(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, workdir)
    if suffix in (".xls", ".ods", ".zip", ".gz", ".pdf", ".docx"):
        raise UserError(_("{file}: {suffix} files cannot be imported; save it as .csv or .xlsx").format(
            file=path, suffix=suffix))
    return _text(path, workdir, delimiter, header)


def _read_error(path: Path, error: OSError) -> UserError:
    return UserError(_("{file}: cannot read it ({problem})").format(file=path, problem=error.strerror or error))


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
    csv_path, too_long = _within_limits(path, csv_path, workdir, header)
    text = _first_line(csv_path).decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if not text.strip() and not (too_long and too_long[0][0] == 1):
        raise UserError(_("{file}: the first line is empty; it must name the columns").format(file=path))
    chosen = delimiter or max(DELIMITERS, key=text.count)
    columns = _header(path, text, chosen) if header else ()
    return Source(path, "csv", digest, csv_path, chosen, chosen != ",", encoding, columns, mixed, too_long)


def _header(path: Path, text: str, delimiter: str) -> tuple[str, ...]:
    """The header's column names, trimmed and lower-cased; a header of more than max_columns is
    refused before it is split (a million names would take minutes further on)."""
    most = settings.input_limit("max_columns")
    if text.count(delimiter) >= most:
        raise UserError(f"{path}: the header line names about {text.count(delimiter) + 1:,} columns, more than "
                        f"the {most:,} an import reads")
    try:
        return tuple(_clean(name) for name in next(csv.reader([text], delimiter=delimiter)))
    except csv.Error as error:
        raise UserError(f"{path}: the header line cannot be read as CSV ({error})") from None


def _mb(size: int) -> str:
    return f"{size / settings.MiB:,.0f} MB" if size >= settings.MiB else f"{size:,} bytes"


SHOWN_CHARS = 1000  # how much of a too-long line the rejected row keeps


def _within_limits(path: Path, csv_path: Path, workdir: Path, header: bool) -> tuple[Path, tuple[tuple[int, str], ...]]:
    """(the file to read, the lines over max_line_bytes). NUL bytes anywhere refuse the file; a line
    over the limit is blanked in a copy (readers skip blank lines) and returned, so it is rejected
    with its number however long it is, instead of DuckDB dropping it (over its 32 MB buffer)."""
    limit = settings.input_limit("max_line_bytes")
    if csv_path.stat().st_size == 0:
        return csv_path, ()
    with csv_path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        if view.find(b"\x00") != -1:
            raise UserError(f"{path}: is not a text file in UTF-8 or cp1252 (it holds NUL bytes); export it as CSV")
        spans = _long_lines(view, limit)
        if not spans:
            return csv_path, ()
        numbers = _line_numbers(view, [start for start, _ in spans])
        if header and numbers[0] == 1:
            raise UserError(f"{path}: the header line is longer than {_mb(limit)}; it must name the columns")
        shown = tuple(
            (number, view[start:start + SHOWN_CHARS].decode("utf-8", errors="replace")
             + f" … ({_mb(length)} in all)")
            for number, (start, length) in zip(numbers, spans)
        )
        target = workdir / "within-limits.csv"
        _blank(view, spans, target)
    return target, shown


def _long_lines(view: mmap.mmap, limit: int) -> list[tuple[int, int]]:
    """(offset, length) of every line longer than `limit` bytes. Steps from newline to newline at
    most `limit` bytes apart with rfind (memrchr), so a file of short lines costs one fast pass."""
    spans = []
    position, size = 0, len(view)
    while size - position > limit:
        last = view.rfind(b"\n", position, position + limit + 1)
        if last != -1:
            position = last + 1
            continue
        end = view.find(b"\n", position)
        end = size if end == -1 else end
        spans.append((position, end - position))
        position = end + 1
    return spans


def _line_numbers(view: mmap.mmap, offsets: list[int]) -> list[int]:
    """The 1-based line number at each of the (ascending) offsets."""
    numbers, counted, at = [], 0, 0
    for offset in offsets:
        for start in range(at, offset, CHUNK):
            counted += view[start:min(start + CHUNK, offset)].count(b"\n")
        at = offset
        numbers.append(counted + 1)
    return numbers


def _blank(view: mmap.mmap, spans: list[tuple[int, int]], target: Path) -> None:
    """A copy of the file with the spans left out (their newlines kept, so line numbers stay)."""
    with target.open("wb") as out:
        position = 0
        for start, length in [*spans, (len(view), 0)]:
            for at in range(position, start, CHUNK):
                out.write(view[at:min(at + CHUNK, start)])
            position = start + length


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
        return handle.readline(settings.input_limit("max_line_bytes") + 2)


def _parquet(path: Path) -> Source:
    """A parquet file's top-level columns; a nested one (a STRUCT, LIST or MAP) is refused by name,
    since a layout reads plain columns only."""
    digest = hashed(path)
    try:
        with contextlib.closing(store.connect()) as con:
            described = store.execute(con, "DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).rows
    except store.StoreError:
        raise UserError(f"{path}: is not a readable parquet file") from None
    nested = [f"{name} ({kind.split('(')[0]})" for name, kind, *_ in described
              if kind.startswith(("STRUCT", "MAP", "UNION")) or kind.endswith("]")]
    if nested:
        raise UserError(f"{path}: column(s) {listed(nested)} hold nested values; save every column as a plain value")
    if len(described) > settings.input_limit("max_columns"):
        raise UserError(f"{path}: has {len(described):,} columns, more than the "
                        f"{settings.input_limit('max_columns'):,} an import reads")
    columns = tuple(_clean(row[0]) for row in described)
    return Source(path, "parquet", digest, None, ",", False, "parquet", columns)


def listed(items: Iterable[str]) -> str:
    """Items joined by commas, at most max_note_items of them and then how many more, so a note or
    a refusal stays one short line however many there are."""
    items = list(items)
    most = settings.input_limit("max_note_items")
    more = f" and {len(items) - most:,} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more


def _check_zip(path: Path) -> None:
    """Refuse an .xlsx whose parts would unzip past the limits, from the sizes in its directory,
    before openpyxl inflates anything (zipfile stops reading a part at its stated size, so a part
    that lies about its size fails its checksum instead of growing)."""
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UserError(f"{path}: is not a readable .xlsx workbook") from None
    total, most = sum(part.file_size for part in parts), settings.input_limit("max_xlsx_unzipped_bytes")
    if total > most:
        raise UserError(f"{path}: unzips to {_mb(total)}, more than the {_mb(most)} an import reads; "
                        "save the sheet as .csv")
    strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
    if strings > settings.input_limit("max_xlsx_shared_strings_bytes"):
        raise UserError(f"{path}: its shared strings unzip to {_mb(strings)}, more than the "
                        f"{_mb(settings.input_limit('max_xlsx_shared_strings_bytes'))} an import reads; save the sheet as .csv")
    ratio = settings.input_limit("max_xlsx_ratio")
    packed = [part.filename for part in parts if part.file_size > 1_000_000 and part.file_size > ratio * max(part.compress_size, 1)]
    if packed:
        raise UserError(f"{path}: part(s) {listed(packed)} unzip to more than {ratio} times their size (a zip bomb?); "
                        "save the sheet as .csv")


def _xlsx(path: Path, workdir: Path) -> Source:
    """The first worksheet as a UTF-8 CSV; Excel row n stays line n, so line numbers match Excel.

    Bounded whatever the workbook says: its parts' sizes are checked first (_check_zip); its stated
    dimensions are ignored (a sheet claiming A1:XFD1048576 would be padded to 17 billion cells); a
    cell is cut just past max_field_bytes (its row is then rejected for that field), a row over
    max_line_bytes is left out and rejected by line number, and the whole CSV stops at max_file_bytes.
    """
    import openpyxl

    _check_zip(path)
    digest = hashed(path)
    target = workdir / "sheet.csv"
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()
            too_long = _sheet_csv(path, sheet, target)
        finally:
            book.close()
    except UserError:
        raise
    except Exception:  # openpyxl raises many kinds (zip, XML, key, type errors) for one fact: unreadable
        raise UserError(f"{path}: is not a readable .xlsx workbook") from None
    first = _first_line(target).decode("utf-8").rstrip("\n")
    if not first.strip(","):
        raise UserError(f"{path}: the first row of the first sheet is empty; it must name the columns")
    columns = _header(path, first, ",")
    return Source(path, "xlsx", digest, target, ",", False, "xlsx", columns, too_long=too_long)


def _sheet_csv(path: Path, sheet, target: Path) -> tuple[tuple[int, str], ...]:
    """Write the sheet's rows to `target` within the limits; returns the rows left out as too long."""
    field, line, file = (settings.input_limit(name) for name in ("max_field_bytes", "max_line_bytes", "max_file_bytes"))
    too_long = []
    written = width = 0
    with target.open("w", encoding="utf-8", newline="") as out:
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=settings.input_limit("max_columns") + 1), 1):
            cells, size = _row_cells(row, field, line)
            if size > line:
                if number == 1:
                    raise UserError(f"{path}: the first row is longer than {_mb(line)}; it must name the columns")
                too_long.append((number, _csv_line(cells)[:SHOWN_CHARS] + f" … (over {_mb(line)})"))
                text = "\n"
            else:
                width = width or len(cells)  # the header's: shorter rows are padded, as Excel's own CSV does
                text = _csv_line(cells + [""] * (width - len(cells)) if cells else [])
            written += len(text)
            if written > file:
                raise UserError(f"{path}: the sheet holds more than {_mb(file)} of text, more than an import reads")
            out.write(text)
    return tuple(too_long)


def _row_cells(row: tuple, field: int, line: int) -> tuple[list[str], int]:
    """(the row's cells as text, each cut just past `field`, without trailing empty ones; about how
    long its line is). Stops adding cells once the line passes `line`: a row of 16,384 long cells
    is known too long after a few, without writing them all out."""
    cells, size = [], 0
    for value in row:
        text = _cell(value)[:field + 1]
        size += len(text) + 1
        cells.append(text)
        if size > line:
            return cells, size
    while cells and not cells[-1]:
        cells.pop()
    return cells, size


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


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
