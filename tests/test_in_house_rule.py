"""One rule for the in-house benchmark (issue 21): a partner's own users see the centre's in-house
figures only where the partner lets them (`python -m cli partner in-house NAME --shown yes`), on
the Service meetings page, in its PDF and Excel packs, in a saved meeting's frozen record and in
the scorecard mail; the centre always sees them. Each route is tested with the setting off (no
in-house column, no in-house value) and on (the centre's values)."""
from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys

import openpyxl
import pytest
from pypdf import PdfReader

from data import store
from meetings import meetings
from partners import access, periods, registry
from reports import exports, frames
from tests.app.test_partner_isolation import signed_in
from tests.conftest import ROOT
from tests.servers.running import running, smtp_url

HEADER = "call_id,queue,partner,offered_at,outcome,wait_s,talk_s,hold_s,wrap_s,agent_id,customer_id\n"
# Week 2026-W47 (16-22 Nov 2026), the suite's last week: Acme's legs and the centre's own.
LEGS = HEADER + "".join(
    [f"A{n},Acme Q,Acme,2026-11-1{7 + n % 3} 10:{n:02d}:00,{'answered' if n % 4 else 'abandoned'},{5 * n},120,0,10,,\n"
     for n in range(1, 9)]
    + [f"I{n},Kundservice,,2026-11-1{7 + n % 3} 11:{n:02d}:00,answered,{3 * n},100,0,10,,\n" for n in range(1, 9)])
OWN = "site@acme.example"
CENTRE = "manager@centre.example"
WEEK = periods.week(dt.date(2026, 11, 16))
TZ = "Europe/Stockholm"
PDF_HEADER = "sample size in-house"  # the figures tables' header row ends so when in-house is beside them


@pytest.fixture
def world(db, tmp_path):
    with store.writing(db) as con:
        registry.add_partner(con, "Acme")
        access.grant(con, OWN, "partner", "Acme", actor="test")
        access.grant(con, CENTRE, "manager", None, actor="test")
    path = tmp_path / "legs.csv"
    path.write_text(LEGS, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "cli", "import", str(path), "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return db


def show(db, shown: bool) -> None:
    done = subprocess.run([sys.executable, "-m", "cli", "partner", "in-house", "Acme", "--shown", "yes" if shown else "no",
                           "--db", str(db)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def centre_benchmark(db) -> dict[str, float]:
    """The in-house figures beside Acme's as the centre reads them (the values a partner user may get)."""
    with store.reading(db) as con:
        snapshot = frames.snapshot(con, 1, WEEK, TZ)
    found = {f.label: f.benchmark for f in snapshot.figures if f.benchmark is not None}
    assert found["Service level (abandons-count)"] == 0.75  # in-house waits 3..24 s: 6 of 8 within the default 20 s
    return found


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def xlsx_in_house(data: bytes) -> dict[str, float]:
    """Every figure's 'in-house' cell of the workbook's figures sheets, by figure label."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            if row and row[0] == "figure" and "in-house" in row:
                column = row.index("in-house")
                found.update({r[0]: r[column] for r in rows[i + 1:] if r and r[0] and r[column] is not None})
    return found


def test_the_packs_a_partner_user_gets_hold_in_house_only_when_its_partner_allows_it(world):
    house = centre_benchmark(world)
    with store.reading(world) as con:
        centre = exports.scorecard_for(con, 1, "Acme", WEEK, TZ)
        hidden = exports.scorecard_for(con, 1, "Acme", WEEK, TZ, (1,))
        pack_hidden = exports.meeting_document("Acme", frames.snapshot(con, 1, WEEK, TZ, (1,)))
    assert PDF_HEADER in pdf_text(exports.to_pdf(centre))  # the search finds in-house where it is
    assert xlsx_in_house(exports.to_xlsx(centre)) == pytest.approx(house)
    for document in (hidden, pack_hidden):
        assert PDF_HEADER not in pdf_text(exports.to_pdf(document))
        assert "as the benchmark" not in pdf_text(exports.to_pdf(document))
        assert xlsx_in_house(exports.to_xlsx(document)) == {}
    show(world, True)
    with store.reading(world) as con:
        shown = exports.meeting_document("Acme", frames.snapshot(con, 1, WEEK, TZ, (1,)))
    assert PDF_HEADER in pdf_text(exports.to_pdf(shown))
    assert xlsx_in_house(exports.to_xlsx(shown)) == pytest.approx(house)


def test_a_meeting_the_centre_saved_is_read_without_in_house_by_the_partner_unless_allowed(world):
    house = centre_benchmark(world)
    with store.writing(world) as con:
        snapshot = frames.snapshot(con, 1, WEEK, TZ)
        meeting_id = meetings.save_meeting(con, 1, meetings.Minutes(dt.date(2026, 11, 23), WEEK), snapshot, "test")
    with store.reading(world) as con:
        assert {f.label: f.benchmark for f in meetings.get_meeting(con, meeting_id).snapshot.figures
                if f.benchmark is not None} == pytest.approx(house)
        assert all(f.benchmark is None for f in meetings.get_meeting(con, meeting_id, (1,)).snapshot.figures)
        assert all(f.benchmark is None for m in meetings.list_meetings(con, 1, (1,)) for f in m.snapshot.figures)
    show(world, True)
    with store.reading(world) as con:
        assert {f.label: f.benchmark for f in meetings.get_meeting(con, meeting_id, (1,)).snapshot.figures
                if f.benchmark is not None} == pytest.approx(house)
        stored = store.execute(con, "SELECT detail FROM audit_log WHERE action = 'partner.in_house'").rows
    assert stored == [("Acme: in-house figures shown to its own users",)]


def send(db, smtp: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OVERFLOW_SMTP_URL": smtp, "OVERFLOW_MAIL_FROM": "sla@centre.example"}
    return subprocess.run([sys.executable, "-m", "cli", "scorecards", "--period", "last-week", "--send", "--db", str(db)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def mailed(db, tmp_path) -> dict[str, dict[str, bytes]]:
    """The attachments each address got from one scorecard delivery, read back from a real SMTP server."""
    with running("smtp_sink", tmp_path / "smtp") as smtp:
        done = send(db, smtp_url(smtp))
        assert done.returncode == 0, done.stderr
        mails = {str(m["To"]): m for m in smtp.mails()}
    return {to: {p.get_filename(): p.get_content() for p in mail.iter_attachments()} for to, mail in mails.items()}


def test_the_scorecard_mail_to_the_partners_own_recipient_follows_the_rule(world, tmp_path):
    from notify import subscriptions

    house = centre_benchmark(world)
    with store.writing(world) as con:
        subscriptions.add(con, OWN, partner="Acme", fmt="both", actor="test")
        subscriptions.add(con, CENTRE, partner="Acme", fmt="both", actor="test")
    off = mailed(world, tmp_path / "off")
    own_pdf, own_xlsx = (next(v for k, v in off[OWN].items() if k.endswith(suffix)) for suffix in (".pdf", ".xlsx"))
    centre_pdf, centre_xlsx = (next(v for k, v in off[CENTRE].items() if k.endswith(s)) for s in (".pdf", ".xlsx"))
    assert PDF_HEADER not in pdf_text(own_pdf) and xlsx_in_house(own_xlsx) == {}
    assert PDF_HEADER in pdf_text(centre_pdf) and xlsx_in_house(centre_xlsx) == pytest.approx(house)
    show(world, True)
    on = mailed(world, tmp_path / "on")
    own_pdf, own_xlsx = (next(v for k, v in on[OWN].items() if k.endswith(suffix)) for suffix in (".pdf", ".xlsx"))
    assert PDF_HEADER in pdf_text(own_pdf) and xlsx_in_house(own_xlsx) == pytest.approx(house)


def page_in_house(at) -> list[dict]:
    """The 'in-house' column of every figures table the Service meetings page shows."""
    return [dict(zip(frame.value["figure"], frame.value["in-house"])) for frame in at.dataframe
            if "in-house" in frame.value.columns and "figure" in frame.value.columns]


@pytest.mark.parametrize("shown", [False, True])
def test_the_meetings_page_shows_a_partner_user_in_house_only_when_allowed(world, monkeypatch, shown):
    show(world, shown)
    at = signed_in(str(world), OWN, monkeypatch, {"partner": "Acme", "period": "2026-W47"})
    at.switch_page("app_pages/meetings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("figure" in frame.value.columns for frame in at.dataframe)  # the figures are drawn
    tables = page_in_house(at)
    if shown:
        values = {label: value for table in tables for label, value in table.items() if value != "–"}
        assert "Service level (abandons-count)" in values  # the centre's value, as the page words it
    else:
        assert tables == []
    centre = signed_in(str(world), CENTRE, monkeypatch, {"partner": "Acme", "period": "2026-W47"})
    centre.switch_page("app_pages/meetings.py").run()
    assert page_in_house(centre)  # the centre always sees them: the search finds them where they are
