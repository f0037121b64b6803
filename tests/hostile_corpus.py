"""The hostile-input corpus (issue 21): files built to break the importer, each with what it must end in.

Large files are built on demand into a folder (they would bloat the repository); the expected counts
and line numbers are written down here from how each file is built, not taken from the importer.
tests/test_hostile_inputs.py imports every case; `python -m tests.hostile_corpus DIR` builds them and
measures each `python -m cli import` run in its own process (wall time, peak memory, one line, no
traceback), the numbers docs/security.md quotes.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HEADER = "call_id,queue,partner,offered_at,outcome,wait_s\n"
MB = 1024 * 1024


def good(call_id: str, minute: int = 0) -> str:
    return f"{call_id},Kundservice,,2026-11-02T09:{minute:02d}:00+00:00,answered,{10 + minute}\n"


@dataclass(frozen=True)
class Refused:
    """One UserError line matching `pattern` (with the file's path taken out)."""

    pattern: str


@dataclass(frozen=True)
class Loaded:
    """An import with these counts; `rejects` maps a line number to a pattern its reason must match."""

    read: int
    imported: int
    rejected: int = 0
    filtered: int = 0
    rejects: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], None]   # writes the file at the given path
    expected: Refused | Loaded
    profile: str = "generic"


def _text(content: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(content, encoding="utf-8")


def _long_record(size: int) -> Callable[[Path], None]:
    """Header, two good rows, one record of `size` bytes (line 4), one good row."""
    def build(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            out.write(HEADER + good("G1", 1) + good("G2", 2))
            out.write("BIG,Kundservice,,2026-11-02T09:03:00+00:00,answered," + "9" * size + "\n")
            out.write(good("G3", 4))
    return build


def _nul_late(path: Path) -> None:
    """1,500 good rows (about 90 KB), then a NUL inside a queue name: past the first 64 KiB."""
    rows = "".join(good(f"G{i}", i % 60) for i in range(1500))
    path.write_bytes((HEADER + rows + "N1,Flexi\x00Call Overflow,,2026-11-02T10:00:00+00:00,answered,5\n").encode())


def _columns(count: int) -> Callable[[Path], None]:
    """The header's six columns and `count` more, then one good row."""
    return lambda path: path.write_text(HEADER.rstrip("\n") + "".join(f",x{i}" for i in range(count)) + "\n"
                                        + good("G1"))


def _many_unknown_columns(path: Path) -> None:
    """900 unknown columns (under the limit): imported, with a note that names 10 and counts the rest."""
    extra = "".join(f",extra{i}" for i in range(900))
    path.write_text(HEADER.rstrip("\n") + extra + "\n" + "".join(good(f"G{i}", i).rstrip("\n") + "," * 900 + "\n"
                                                              for i in range(2)))


def _long_field(path: Path) -> None:
    """A queue name of 70,000 characters on line 3 (a record well under the line limit)."""
    path.write_text(HEADER + good("G1", 1) + f"LONG,{'Q' * 70_000},,2026-11-02T09:02:00+00:00,answered,5\n"
                    + good("G2", 3))


def _mixed(path: Path) -> None:
    """Good rows between a 3 MB record (line 3), a long field (line 5) and a row of too many fields (line 7)."""
    path.write_text(
        HEADER + good("G1", 1)
        + "BIG,Kundservice,,2026-11-02T09:02:00+00:00,answered," + "9" * (3 * MB) + "\n"
        + good("G2", 3)
        + f"LONG,{'Q' * 70_000},,2026-11-02T09:04:00+00:00,answered,5\n"
        + good("G3", 5)
        + "WIDE,Kundservice,,2026-11-02T09:06:00+00:00,answered,5,x,y,z\n"
        + good("G4", 7))


def _xlsx(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b'</Types>')
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b'</Relationships>')
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b'</Relationships>')


def _workbook(sheet_rows: list[list[tuple[str, str]]], strings: list[str], dimension: str = "A1:F4",
              padding: int = 0) -> bytes:
    """An .xlsx from rows of (type, value) cells: "s" a shared-string index, "str" inline text, "n" a number.
    `padding` bytes of white space inside sheet1.xml make it unzip far beyond its packed size."""
    from openpyxl.utils import get_column_letter

    cells = []
    for r, row in enumerate(sheet_rows, 1):
        xml = "".join(
            f'<c r="{get_column_letter(c)}{r}" t="s"><v>{value}</v></c>' if kind == "s" else
            f'<c r="{get_column_letter(c)}{r}" t="inlineStr"><is><t>{value}</t></is></c>' if kind == "str" else
            f'<c r="{get_column_letter(c)}{r}"><v>{value}</v></c>'
            for c, (kind, value) in enumerate(row, 1))
        cells.append(f'<row r="{r}">{xml}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData>{"".join(cells)}</sheetData>{" " * padding}</worksheet>')
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
              f'uniqueCount="{len(strings)}">' + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    return _xlsx({"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": WORKBOOK,
                  "xl/_rels/workbook.xml.rels": WORKBOOK_RELS, "xl/worksheets/sheet1.xml": sheet.encode(),
                  "xl/sharedStrings.xml": shared.encode()})


HEADER_CELLS = [("str", name) for name in HEADER.strip().split(",")]


def _good_cells(call_id: str, minute: int) -> list[tuple[str, str]]:
    return [("str", call_id), ("str", "Kundservice"), ("str", ""), ("str", f"2026-11-02T09:{minute:02d}:00+00:00"),
            ("str", "answered"), ("n", str(10 + minute))]


def _shared_strings_bomb(path: Path) -> None:
    """Three rows, and a shared-strings part of 80 MB of one repeated string (packs to about 80 KB)."""
    path.write_bytes(_workbook([HEADER_CELLS, _good_cells("G1", 1), _good_cells("G2", 2)],
                               ["x" * (80 * MB)]))


def _ratio_bomb(path: Path) -> None:
    """A sheet part of 100 MB, nearly all white space: packs about 1,000 to 1."""
    path.write_bytes(_workbook([HEADER_CELLS, _good_cells("G1", 1)], ["a"], padding=100 * MB))


def _dimension_bomb(path: Path) -> None:
    """A sheet claiming A1:XFD1048576 (17 billion cells), two good rows, and on row 4 one 100,000-character
    shared string in 16,384 cells (1.6 GB of text if written out)."""
    wide = [("s", "0")] * 16_384
    path.write_bytes(_workbook([HEADER_CELLS, _good_cells("G1", 1), _good_cells("G2", 2), wide],
                               ["w" * 100_000], dimension="A1:XFD1048576"))


def _nested_parquet(path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"call_id": ["P1"], "where": pa.array([{"queue": "Kundservice", "partner": ""}]),
                      "offered_at": ["2026-11-02T09:00:00+00:00"], "outcome": ["answered"], "wait_s": ["5"]})
    pq.write_table(table, path)


EPOCH = 1_794_000_000  # 2026-11-06


def _crowded_call(path: Path) -> None:
    """A call that rings 10,000 times and never ends (lines 1-10,001), then a whole call (lines 10,002-10,004)."""
    lines = [f"{EPOCH}|LOOP.1|q1|NONE|ENTERQUEUE||0701234567|1"]
    lines += [f"{EPOCH + i}|LOOP.1|q1|Agent/1|RINGNOANSWER|1000" for i in range(1, 10_001)]
    lines += [f"{EPOCH + 20}|OK.1|q1|NONE|ENTERQUEUE||0707654321|1",
              f"{EPOCH + 25}|OK.1|q1|Agent/1|CONNECT|5|OK.1|1",
              f"{EPOCH + 125}|OK.1|q1|Agent/1|COMPLETECALLER|5|100|1"]
    path.write_text("\n".join(lines) + "\n")


CASES: tuple[Case, ...] = (
    Case("long_record_40mb.csv", _long_record(40 * MB),
         Loaded(4, 3, rejected=1, rejects={4: r"^line is longer than 2 MB$"})),
    Case("long_record_3mb.csv", _long_record(3 * MB),
         Loaded(4, 3, rejected=1, rejects={4: r"^line is longer than 2 MB$"})),
    Case("nul_after_64k.csv", _nul_late, Refused(r"NUL bytes")),
    Case("million_columns.csv", _columns(1_000_000), Refused(r"the header line is longer than 2 MB")),
    Case("100k_columns.csv", _columns(100_000), Refused(r"names about 100,006 columns, more than the 1,000")),
    Case("many_unknown_columns.csv", _many_unknown_columns, Loaded(2, 2)),
    Case("long_field.csv", _long_field, Loaded(3, 2, rejected=1, rejects={3: r"^queue is longer than 65,536 bytes$"})),
    Case("mixed_hostile.csv", _mixed, Loaded(7, 4, rejected=3, rejects={
        3: r"^line is longer than 2 MB$", 5: r"^queue is longer than 65,536 bytes$", 7: r"more fields than the header"})),
    Case("shared_strings_bomb.xlsx", _shared_strings_bomb, Refused(r"shared strings unzip to 80 MB, more than the 64 MB")),
    Case("ratio_bomb.xlsx", _ratio_bomb, Refused(r"unzip to more than 200 times their size")),
    Case("dimension_bomb.xlsx", _dimension_bomb, Loaded(3, 2, rejected=1, rejects={4: r"^line is longer than 2 MB$"})),
    Case("nested_queue.parquet", _nested_parquet, Refused(r"column\(s\) where \(STRUCT\) hold nested values")),
    Case("crowded_call.log", _crowded_call, Loaded(2, 1, rejected=1, rejects={
        1: r"^call LOOP\.1 in queue q1 has 10001 events, more than the 10000 one call may have"}), profile="queue-log"),
)


def _crowded_million(path: Path) -> None:
    """The attack run's poison: one unfinished call of a million events, and one whole call."""
    with path.open("w") as out:
        out.write(f"{EPOCH}|LOOP.1|q1|NONE|ENTERQUEUE||0701234567|1\n")
        out.writelines(f"{EPOCH + i // 100}|LOOP.1|q1|Agent/1|RINGNOANSWER|1000\n" for i in range(1, 1_000_001))
        out.write(f"{EPOCH + 20}|OK.1|q1|NONE|ENTERQUEUE||0707654321|1\n{EPOCH + 25}|OK.1|q1|Agent/1|CONNECT|5|OK.1|1\n"
                  f"{EPOCH + 125}|OK.1|q1|Agent/1|COMPLETECALLER|5|100|1\n")


def _three_lines(path: Path) -> None:
    path.write_text(f"{EPOCH + 200}|NEXT.1|q1|NONE|ENTERQUEUE||0701|1\n{EPOCH + 205}|NEXT.1|q1|Agent/1|CONNECT|5|NEXT.1|1\n"
                    f"{EPOCH + 300}|NEXT.1|q1|Agent/1|COMPLETECALLER|5|95|1\n")


# Measured only (too slow to build for every test run): (file, profile, builder, database shared with).
MEASURED_ONLY = (
    ("crowded_call_1m.log", "queue-log", _crowded_million, "crowded_call_1m"),
    ("three_lines_after_1m.log", "queue-log", _three_lines, "crowded_call_1m"),
)


def build_all(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        case.build(folder / case.name)
    for name, _, build, _ in MEASURED_ONLY:
        build(folder / name)


def measure(folder: Path) -> list[dict]:
    """Build every file (in a process of its own, so this one stays small: a child's peak memory
    starts at its parent's), then time each `python -m cli import` in a process of its own."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", f"from tests.hostile_corpus import build_all; from pathlib import Path; "
                                          f"build_all(Path({str(folder)!r}))"], cwd=root, check=True)
    runs = [(case.name, case.profile, Path(case.name).stem) for case in CASES]
    runs += [(name, profile, db) for name, profile, _, db in MEASURED_ONLY]
    for _, _, db in runs:
        (folder / f"{db}.duckdb").unlink(missing_ok=True)
    results = []
    for name, profile, db in runs:
        path, db_path = folder / name, folder / f"{db}.duckdb"
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", MEASURED, str(path), profile, str(db_path)],
                              cwd=root, capture_output=True, text=True, env={**os.environ, "OVERFLOW_DB": str(db_path)})
        wall = time.perf_counter() - started
        report = json.loads(done.stdout.strip().splitlines()[-1])
        said = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        results.append({"file": name, "size_mb": round(path.stat().st_size / MB, 2), "seconds": round(wall, 2),
                        "peak_mb": report["peak_mb"], "traceback": "Traceback" in done.stderr,
                        "outcome": said[0][:140] if said else report["said"]})
    return results


# Runs the CLI's import in-process, then prints what it said and the process's peak resident memory.
MEASURED = """
import contextlib, io, json, resource, sys
import cli
err, out = io.StringIO(), io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
    code = cli.main(["import", sys.argv[1], "--profile", sys.argv[2], "--db", sys.argv[3]])
sys.stderr.write(err.getvalue())
print(json.dumps({"code": code, "said": out.getvalue().split(": ", 1)[-1].splitlines()[0] if code == 0 else "",
                  "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


if __name__ == "__main__":
    for row in measure(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/hostile-corpus")):
        print(json.dumps(row))
