"""The commercial record through the command line: close, rules, disputes and the Excel for finance,
whose cells equal the amounts counted by hand in tests/credits_fixture.py."""
from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest

from tests.conftest import ROOT
from tests.credits_fixture import make_acme


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture
def closed(db, tmp_path):
    make_acme(tmp_path)
    done = cli("month", "close", "--partner", "Acme", "--month", "2026-10")
    assert done.returncode == 0, done.stderr
    return tmp_path


def _sheet(book, name: str) -> list[tuple]:
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def test_the_excel_for_finance_equals_the_hand_counted_record_cell_by_cell(closed):
    out = closed / "credits.xlsx"
    done = cli("credits", "--partner", "Acme", "--month", "2026-10", "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert _sheet(book, "Totals")[:9] == [
        ("item", "amount"),
        ("Invoice total", 8200), ("Credits (after figure caps)", 2980), ("Month cap takes off the credits", 980),
        ("Bonuses (after figure caps)", 200), ("Month cap takes off the bonuses", 0),
        ("Earned back from earlier months", 0), ("Net to the partner (bonuses + earned back - credits)", -1800),
        ("Payable (invoice + net)", 6400),
    ]
    lines = _sheet(book, "Credits and bonuses")
    header = lines[0]
    rows = {row[0]: dict(zip(header, row)) for row in lines[1:] if row[0]}
    expected = {  # figure: (value, status, points, charged, amount, due, outcome)
        "Service level (answered-only)": (0.5, "red", 30, 30, 2460, 1230, "credit"),
        "Abandon rate": (0.2, "red", 10, 3, 750, 750, "credit"),
        "ASA": (20.625, "amber", 0.625, None, 0, 0, "none"),
        "Turned-away rate": (0, "green", 5, 5, 200, 200, "bonus"),
        "Transfer-back rate": (0.25, "red", 15, 15, 1500, 1000, "credit"),
    }
    got = {name: tuple(rows[name][c] for c in ("value", "status", "points", "charged", "amount", "due", "outcome"))
           for name in expected}
    assert got == expected
    assert rows["Abandon rate"]["explanation"] == (
        "Missed by 10.00 percentage points (20.0 % against max 10.0 %): 3 started band(s) of 4 percentage points "
        "x 250.00 = 750.00 credit.")
    invoice = _sheet(book, "Invoice")
    assert invoice[1:3] == [("F-1", "1", "handled_calls", 8, 8, 0, 1000, 8000),
                            ("F-1", "2", "talk_minutes", 20, 16, 4, 10, 200)]


def test_disputes_and_rules_from_the_command_line(closed):
    listed = cli("credit-rules", "list", "--partner", "Acme")
    assert "metric=abandon_rate,kind=fixed,per=band,miss=250,band=4,counts=amber,red" in listed.stdout
    assert "month cap 2000" in listed.stdout
    raised = cli("dispute", "raise", "--partner", "Acme", "--month", "2026-10", "--figure", "service_level",
                 "--reason", "IVR down 10:00-10:15", "--from", "2026-10-13 10:00", "--to", "2026-10-13 10:15")
    assert raised.stdout.strip() == "raised dispute 1", raised.stderr
    wrong = cli("dispute", "decide", "1", "--decision", "accepted", "--note", " ")
    assert wrong.returncode == 2 and wrong.stderr.startswith("error: say why the dispute is accepted")
    assert cli("dispute", "decide", "1", "--decision", "accepted", "--note", "IVR log").returncode == 0
    out = closed / "after.xlsx"
    assert cli("credits", "--partner", "Acme", "--month", "2026-10", "--out", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    assert book["Cover"]["A4"].value == "Commercial record 2026-10 (after agreed exclusions)"
    rows = {row[0]: row for row in _sheet(book, "Credits and bonuses")[1:]}
    # 10:00-10:15 Stockholm is interval A (08:00 UTC): 4 of 6 answered within T, 1,093.33 due
    assert rows["Service level (answered-only)"][1:3] == (pytest.approx(4 / 6), 0.5)
    assert rows["Service level (answered-only)"][10] == 1093.33
    added = cli("credit-rules", "add", "--partner", "Acme", "--from", "2026-11-01",
                "--rule", "metric=qa_score,miss=10")
    assert added.returncode == 2 and added.stderr == "error: credit rule for qa_score: the version sets no qa_min to miss or beat\n"


def test_a_users_mistakes_are_one_line(closed):
    for args, words in (
        (("credits", "--partner", "Acme", "--month", "2026-09", "--out", "x.xlsx"), "2026-09 is not closed for Acme"),
        (("credits", "--partner", "Acme", "--month", "2026-W40", "--out", "x.xlsx"), "is not a month"),
        (("month", "close", "--partner", "Acme", "--month", "2026-10"), "already closed"),
        (("dispute", "raise", "--partner", "Acme", "--month", "2026-10", "--figure", "sl", "--reason", "x"),
         "'sl' is not a figure"),
    ):
        done = cli(*args)
        assert done.returncode == 2 and words in done.stderr and done.stderr.count("\n") == 1, done.stderr
