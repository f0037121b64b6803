"""The bad-input corpus (tests/corpus/): every broken file ends in one clear line or in recorded rejects.

The expected counts below were counted by hand from the files (see tests/corpus/README.md), not
taken from the importer. Where the issue leaves the importer a choice (is a UTF-16 file decoded or
refused? is an .xlsx read at all?) a file lists the outcomes that are acceptable, each exact.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from data import store
from data.errors import UserError
from ingest.importing import import_file
from tests.conftest import ROOT
from tests.importing_helpers import register_partners

CORPUS = Path(__file__).resolve().parent / "corpus"
PARTNERS = ("Alfa BPO", "Beta Contact")


@dataclass(frozen=True)
class Refused:
    """The whole file is refused with a UserError whose one line names the problem: `pattern` matches
    the message with the file's path taken out (a message that only names the file is not enough)."""

    pattern: str


@dataclass(frozen=True)
class Loaded:
    """An import with these counts; `reasons` maps a marker found in a rejected row's raw text to a
    pattern its reason must match. `read=None` where the unit of `read` is the importer's to choose."""

    read: int | None
    imported: int
    duplicates: int = 0
    filtered: int = 0
    rejected: int = 0
    reasons: dict[str, str] = field(default_factory=dict)


NOT_TEXT = r"binary|encoding|not a (text|csv)|text file|utf|header|column|cannot read|unreadable|format"
NO_ROWS = r"empty|no (data )?rows|no data|nothing to import"
DATE = r"offered_at|date|time"
DURATION = r"wait_s|talk_s|hold_s|wrap_s|duration|number|integer|numeric"
FIELDS = r"column|field|value"

EXPECTED: dict[str, tuple[Refused | Loaded, ...]] = {
    "empty.csv": (Refused(NO_ROWS),),
    "blank_lines_only.csv": (Refused(NO_ROWS + r"|header|column"),),
    "header_only.csv": (Refused(NO_ROWS), Loaded(0, 0)),
    "header_only_no_newline.csv": (Refused(NO_ROWS), Loaded(0, 0)),
    "utf16_le_bom.csv": (Loaded(4, 4), Refused(r"UTF-16|encoding")),
    "utf16_no_bom.csv": (Loaded(4, 4), Refused(NOT_TEXT)),
    "latin1_swedish.csv": (Loaded(4, 4),),
    "mixed_encoding.csv": (
        Loaded(6, 6),
        Loaded(6, 5, rejected=1, reasons={"latin-1": r"encod|utf-?8|byte|decode"}),
        Refused(r"encod|utf-?8"),
    ),
    "swedish_excel.csv": (Loaded(4, 4),),
    "tab_separated.csv": (Loaded(4, 4),),
    "mixed_delimiters.csv": (
        Loaded(6, 4, rejected=2, reasons={"bad-semicolon-1": FIELDS + r"|separat|delimit",
                                          "bad-semicolon-2": FIELDS + r"|separat|delimit"}),
    ),
    "truncated_last_line.csv": (Loaded(5, 4, rejected=1, reasons={"bad-truncated": FIELDS + "|" + DATE}),),
    "truncated_middle.csv": (Loaded(5, 4, rejected=1, reasons={"bad-short": FIELDS + "|missing"}),),
    "too_many_fields.csv": (Loaded(5, 4, rejected=1, reasons={"bad-long": FIELDS}),),
    "unclosed_quote.csv": (
        Loaded(5, 4, rejected=1, reasons={"bad-quote": r"quot|" + FIELDS}),
        Refused(r"quot"),
    ),
    "binary_junk.csv": (Refused(NOT_TEXT),),
    "png_named_csv.csv": (Refused(NOT_TEXT + r"|png|image"),),
    "gzip_named_csv.csv": (Refused(NOT_TEXT + r"|gzip|compress"), Loaded(3, 3)),
    "nul_bytes.csv": (
        Loaded(3, 2, rejected=1, reasons={"bad-nul": r"nul|null|byte|" + FIELDS + r"|outcome"}),
        Refused(r"nul|null byte|binary"),
    ),
    "duplicated_header_column.csv": (Refused(r"wait_s|duplicat"),),
    "header_repeated_midfile.csv": (
        Loaded(9, 8, rejected=1, reasons={"offered_at,outcome": r"header|" + DATE}),
        Loaded(9, 8, filtered=1),
    ),
    "missing_outcome_column.csv": (Refused(r"outcome"),),
    "missing_several_columns.csv": (Refused(r"offered_at|outcome|wait_s"),),
    "no_header.csv": (Refused(r"header|column|call_id|missing"),),
    "future_dates.csv": (Loaded(5, 3, rejected=2, reasons={"bad-future-1": r"future", "bad-future-2": r"future"}),),
    "dates_1970.csv": (
        Loaded(5, 3, rejected=2, reasons={"bad-epoch-1": r"1970|before|old|implausib|range",
                                          "bad-epoch-2": r"1970|before|old|implausib|range"}),
    ),
    "unparseable_dates.csv": (
        Loaded(7, 3, rejected=4, reasons={f"bad-date-{i}": DATE for i in range(1, 5)}),
    ),
    "negative_durations.csv": (
        Loaded(6, 3, rejected=3, reasons={"bad-negative-wait": r"negative|wait_s", "bad-negative-talk": r"negative|talk_s",
                                          "bad-negative-wrap": r"negative|wrap_s"}),
    ),
    "absurd_durations.csv": (
        Loaded(6, 3, rejected=3, reasons={"bad-absurd-wait": DURATION + r"|range|large|absurd",
                                          "bad-absurd-talk": DURATION + r"|range|large|absurd",
                                          "bad-absurd-hold": DURATION + r"|range|large|absurd"}),
    ),
    "non_numeric_durations.csv": (
        Loaded(5, 2, rejected=3, reasons={"bad-text-wait": DURATION, "bad-text-talk": DURATION, "bad-text-wait2": DURATION}),
    ),
    "bad_outcomes.csv": (
        Loaded(6, 3, rejected=3, reasons={f"bad-outcome-{i}": r"outcome" for i in range(1, 4)}),
    ),
    "missing_values.csv": (
        Loaded(5, 2, rejected=3, reasons={"bad-nocallid": r"call_id", "bad-noqueue": r"queue", "bad-nowait": r"wait_s"}),
    ),
    "only_delimiters.csv": (Loaded(5, 0, rejected=5), Loaded(5, 0, filtered=5), Refused(NO_ROWS)),
    "unknown_partner.csv": (
        Loaded(4, 2, rejected=2, reasons={"bad-partner-1": r"unknown partner 'Gamma Ltd'",
                                          "bad-partner-2": r"unknown partner 'Gamma Ltd'"}),
    ),
    "duplicate_legs.csv": (Loaded(7, 5, duplicates=2),),
    "long_field.csv": (Loaded(4, 4), Loaded(4, 3, rejected=1, reasons={"xxxxxxxx": r"agent_id|long|length|size"})),
    "crlf_lf_mixed.csv": (Loaded(4, 4),),
    "extra_columns.csv": (Loaded(4, 4),),
    "mixed_good_and_bad.csv": (
        Loaded(20, 12, duplicates=1, rejected=7, reasons={
            "bad-mix-partner": r"unknown partner 'Gamma Ltd'",
            "bad-mix-negative": r"negative|wait_s",
            "bad-mix-date": DATE,
            "bad-mix-outcome": r"outcome",
            "bad-mix-short": FIELDS + r"|missing|" + DATE,
            "bad-mix-future": r"future",
            "bad-mix-absurd": DURATION + r"|range|large|absurd",
        }),
    ),
    "formulas.xlsx": (
        Refused(r"formula|xlsx|excel|unsupported|format|type"),
        Loaded(5, 3, rejected=2, reasons={"bad-formula-1": r"formula|wait_s|talk_s|value",
                                          "bad-formula-2": r"formula|offered_at|date|value"}),
    ),
    "csv_named.xlsx": (Refused(r"xlsx|excel|zip|format|not"), Loaded(3, 3)),
    "wrong_types.parquet": (
        Refused(r"parquet|unsupported|format|type|column"),
        Loaded(3, 0, rejected=3),
    ),
    "queue_log_out_of_order.log": (Loaded(None, 3, reasons={"this is not a queue_log line": r"."}),),
    "queue_log_all_garbage.log": (Refused(r"queue.?log|event|line|format|no "), Loaded(None, 0)),
    "anonymous_bank_undocumented.txt": (
        Loaded(7, 4, filtered=1, rejected=2, reasons={"90004": r"XFER|outcome", "90007": r"q_start|time"}),
    ),
}

PROFILES = {".log": "queue-log", ".txt": "anonymous-bank"}


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.suffix not in (".py", ".md"))


def profile_of(name: str) -> str:
    return PROFILES.get(Path(name).suffix, "generic")


def test_the_corpus_is_large_and_every_file_has_an_expectation_and_a_readme_line():
    files = corpus_files()
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert len(files) >= 30
    assert sorted(EXPECTED) == files
    assert [name for name in files if f"`{name}`" not in readme] == []


def outcome_of(path: Path, db: Path) -> tuple[UserError | None, object | None]:

    try:
        return None, import_file(path, profile=profile_of(path.name), tz="Europe/Stockholm", db=db)
    except UserError as error:
        return error, None


def mismatch(expected: Refused | Loaded, name: str, error: UserError | None, summary, db: Path) -> str | None:
    """Why the actual outcome does not fit `expected`, or None when it does."""
    if isinstance(expected, Refused):
        if error is None:
            return f"imported ({summary.as_dict()}) instead of refusing"
        message = str(error)
        if "\n" in message:
            return f"message is more than one line: {message!r}"
        if not re.search(expected.pattern, message.replace(str(CORPUS / name), "FILE"), re.IGNORECASE):
            return f"message {message!r} does not name the problem /{expected.pattern}/"
        return None
    if error is not None:
        return f"refused with {str(error)!r}"
    counts = (summary.read, summary.imported, summary.duplicates, summary.filtered, summary.rejected)
    wanted = (expected.read if expected.read is not None else summary.read, expected.imported,
              expected.duplicates, expected.filtered, expected.rejected)
    if expected.read is None:
        counts, wanted = counts[1:2], wanted[1:2]
    if counts != wanted:
        return f"counts {counts} != {wanted}"
    rejects = store.query("SELECT raw, reason FROM rejected_rows WHERE batch_id = ?", [summary.batch_id], db).rows
    for marker, pattern in expected.reasons.items():
        reasons = [reason for raw, reason in rejects if marker in raw]
        if not reasons:
            return f"no rejected row contains {marker!r}"
        if not all(re.search(pattern, reason, re.IGNORECASE) for reason in reasons):
            return f"reason {reasons} for {marker!r} does not match /{pattern}/"
    return None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_is_refused_clearly_or_rejects_are_recorded(name, db):
    register_partners(db, PARTNERS)
    error, summary = outcome_of(CORPUS / name, db)
    if summary is not None:
        assert summary.read == summary.imported + summary.duplicates + summary.filtered + summary.rejected
        stored = store.query(
            "SELECT (SELECT count(*) FROM call_legs WHERE batch_id = ?), (SELECT count(*) FROM rejected_rows WHERE batch_id = ?)",
            [summary.batch_id, summary.batch_id], db).rows[0]
        assert stored == (summary.imported, summary.rejected)
    problems = [mismatch(expected, name, error, summary, db) for expected in EXPECTED[name]]
    assert None in problems, f"{name}: " + " | ".join(problems)


def legs(db: Path, sql_where: str = "TRUE", params: list | None = None) -> list[tuple]:
    return store.query(
        f"SELECT q.name, l.call_id, l.outcome, l.wait_s, l.talk_s FROM call_legs l JOIN queues q USING (queue_id) "
        f"WHERE {sql_where} ORDER BY l.call_id", params or [], db).rows


def test_good_rows_of_the_mixed_file_load_with_their_values(db):
    register_partners(db, PARTNERS)
    outcome_of(CORPUS / "mixed_good_and_bad.csv", db)
    loaded = legs(db)
    assert [row[1] for row in loaded] == sorted(f"mix-{i}" for i in range(1, 13))
    # mix-3 appears twice in the file: the duplicate is counted, not loaded twice.
    assert ("inhouse-sales", "mix-3", "abandoned", 11, None) in loaded
    assert ("alfa-sales", "mix-10", "answered", 39, 180) in loaded
    queues = store.query("SELECT q.name, p.name FROM queues q LEFT JOIN partners p USING (partner_id) ORDER BY 1", path=db).rows
    assert queues == [("alfa-sales", "Alfa BPO"), ("inhouse-sales", None)]


def test_cp1252_export_keeps_swedish_letters(db):
    register_partners(db, PARTNERS)
    outcome_of(CORPUS / "latin1_swedish.csv", db)
    names = store.query("SELECT DISTINCT name FROM queues ORDER BY name", path=db).rows
    assert names == [("Kundtjänst Göteborg",), ("Växel",)]
    assert store.query("SELECT agent_id FROM call_legs WHERE call_id = 'sv-4'", path=db).rows == [("Åsa",)]


def test_swedish_excel_times_without_offset_are_read_in_the_import_zone(db):
    register_partners(db, PARTNERS)
    outcome_of(CORPUS / "swedish_excel.csv", db)
    # 2026-10-05 09:15 in Stockholm is summer time (UTC+2): 07:15 UTC.
    rows = store.query(
        "SELECT strftime(offered_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') FROM call_legs WHERE call_id = 'se-1'", path=db).rows
    assert rows == [("2026-10-05 07:15",)]


def test_queue_log_events_out_of_order_make_the_right_legs(db):
    outcome_of(CORPUS / "queue_log_out_of_order.log", db)
    assert legs(db) == [
        ("support", "1791100000.1", "answered", 20, 180),
        ("support", "1791100000.3", "abandoned", 30, None),
        # its EXITWITHTIMEOUT leads to no other queue: the caller was lost (issue 15)
        ("support", "1791100000.4", "abandoned", 60, None),
    ]


def cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OVERFLOW_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", ["empty.csv", "binary_junk.csv", "missing_outcome_column.csv", "duplicated_header_column.csv"])
def test_cli_refuses_a_broken_file_in_one_line(name, db):
    done = cli("import", str(CORPUS / name), "--format", "json", db=db)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    [expected] = EXPECTED[name]
    assert name in lines[0]
    assert re.search(expected.pattern, lines[0].replace(str(CORPUS / name), "FILE"), re.IGNORECASE)


def test_cli_imports_the_good_rows_of_a_mixed_file_and_reports_the_rest(db):
    for partner in PARTNERS:
        assert cli("partner", "add", partner, db=db).returncode == 0
    done = cli("import", str(CORPUS / "mixed_good_and_bad.csv"), "--format", "json", db=db)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert (summary["read"], summary["imported"], summary["duplicates"], summary["rejected"]) == (20, 12, 1, 7)
